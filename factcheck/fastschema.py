"""A quick yes/no check of a document against a JSON Schema, for the common case: a valid document.

jsonschema interprets the schema anew for every value (most of validation time for a few thousand claims).
`compile_schema` turns the small subset of keywords our schemas use into plain Python checks, which say only
whether a document is valid. The build trusts a "valid" and asks jsonschema for the errors otherwise, so messages
never depend on this module. A schema with any keyword outside the subset compiles to None: every document then
goes to jsonschema. The subset follows JSON Schema 2020-12 as jsonschema implements it (booleans are not numbers,
1.0 is an integer, `pattern` is an unanchored search, keywords apply only to values of their type).
"""

from __future__ import annotations

import re
from typing import Callable

Check = Callable[[object], bool]

ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"})
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


class Unsupported(Exception):
    pass


def compile_schema(schema: object) -> Check | None:
    """A function telling whether a document is valid against `schema`, or None if the schema uses more than the
    subset (then only jsonschema can tell)."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _compile(schema: object) -> Check:
    if schema is True:
        return lambda value: True
    if not isinstance(schema, dict):
        raise Unsupported(schema)
    checks: list[Check] = []
    for keyword, argument in schema.items():
        if keyword in ANNOTATIONS:
            continue
        compiler = _KEYWORDS.get(keyword)
        if compiler is None:
            raise Unsupported(keyword)
        checks.append(compiler(argument, schema))
    if len(checks) == 1:
        return checks[0]

    def check_all(value) -> bool:
        for check in checks:
            if not check(value):
                return False
        return True
    return check_all


def _type(argument, schema) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or not all(name in _TYPES for name in names):
        raise Unsupported(argument)
    if len(names) == 1:
        return _TYPES[names[0]]
    tests = [_TYPES[name] for name in names]
    return lambda value: any(test(value) for test in tests)


def _properties(argument, schema) -> Check:
    if not isinstance(argument, dict):
        raise Unsupported(argument)
    children = {key: _compile(subschema) for key, subschema in argument.items()}
    additional = schema.get("additionalProperties", True)
    if additional is not True and additional is not False:
        raise Unsupported("additionalProperties")
    closed = additional is False

    def check(value) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            child = children.get(key)
            if child is None:
                if closed:
                    return False
            elif not child(item):
                return False
        return True
    return check


def _additional_properties(argument, schema) -> Check:
    if "properties" not in schema or argument not in (True, False):
        raise Unsupported("additionalProperties")
    return lambda value: True  # checked with properties


def _required(argument, schema) -> Check:
    if not isinstance(argument, list):
        raise Unsupported(argument)
    keys = frozenset(argument)
    return lambda value: not isinstance(value, dict) or keys.issubset(value)


def _items(argument, schema) -> Check:
    child = _compile(argument)

    def check(value) -> bool:
        if isinstance(value, list):
            for item in value:
                if not child(item):
                    return False
        return True
    return check


def _all_of(argument, schema) -> Check:
    if not isinstance(argument, list):
        raise Unsupported(argument)
    children = [_compile(subschema) for subschema in argument]
    return lambda value: all(child(value) for child in children)


def _enum(argument, schema) -> Check:
    if not isinstance(argument, list) or not all(isinstance(item, str) for item in argument):
        raise Unsupported(argument)  # jsonschema compares other values with care for 1 == True; leave those to it
    allowed = frozenset(argument)
    return lambda value: isinstance(value, str) and value in allowed


def _pattern(argument, schema) -> Check:
    search = re.compile(argument).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _number(compare) -> Callable:
    def compiler(argument, schema) -> Check:
        if isinstance(argument, bool) or not isinstance(argument, (int, float)):
            raise Unsupported(argument)
        return lambda value: (isinstance(value, bool) or not isinstance(value, (int, float))
                              or compare(value, argument))
    return compiler


def _length(kind: type, compare) -> Callable:
    def compiler(argument, schema) -> Check:
        if isinstance(argument, bool) or not isinstance(argument, int):
            raise Unsupported(argument)
        return lambda value: not isinstance(value, kind) or compare(len(value), argument)
    return compiler


_KEYWORDS: dict[str, Callable] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "items": _items,
    "allOf": _all_of,
    "enum": _enum,
    "pattern": _pattern,
    "minimum": _number(lambda value, limit: value >= limit),
    "maximum": _number(lambda value, limit: value <= limit),
    "minLength": _length(str, lambda size, limit: size >= limit),
    "maxLength": _length(str, lambda size, limit: size <= limit),
    "minItems": _length(list, lambda size, limit: size >= limit),
    "maxItems": _length(list, lambda size, limit: size <= limit),
}
