"""The fields of a claim and of an article's front matter, read from their JSON schemas.

The web editor's form (factcheck/cms.py) and the YAML form it writes (factcheck/yamlform.py) both follow the
schemas: the fields in the schema's order, whether each is required, and each field's own schema with its `$ref`
and `allOf` followed. A field added to a schema gets its place in the file and its widget with no code change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
KINDS = {"claim": "claim.schema.json", "article": "article.schema.json"}


@dataclass(frozen=True)
class Field:
    name: str
    schema: dict  # the field's schema, `$ref` followed (the referring schema's own keywords win)
    required: bool
    definition: str | None  # the `$defs` entry it refers to ("date", "markdown", "url"...), if any
    fields: tuple[Field, ...] = ()  # an object's fields, or those of the objects a list holds
    item: dict | None = None  # a list's item schema, `$ref` followed
    description: str | None = None  # the field's own description (not that of the definition it refers to)
    # A field that is either a text or an object (anyOf), the text standing for the object's field of this name
    # (a claimant: a person's name, or name, type and url); `fields` are then the object's.
    shorthand: str | None = None


class SchemaError(Exception):
    """A schema construct the editor cannot offer a field for (raised with the schema file and the path)."""


def _resolve(schema: dict, here: str, resources: dict) -> tuple[dict, str | None, str]:
    """A schema with its `$ref` followed, the `$defs` name it led to, and the file it now lives in."""
    definition = None
    seen = 0
    while "$ref" in schema:
        seen += 1
        if seen > 20:
            raise SchemaError(f"{here}: $ref loop")
        target_file, _, pointer = schema["$ref"].partition("#")
        target_file = target_file or here
        if target_file not in resources:
            raise SchemaError(f"{here}: $ref to an unknown schema {schema['$ref']}")
        target = resources[target_file]
        for part in [p for p in pointer.split("/") if p]:
            if not isinstance(target, dict) or part not in target:
                raise SchemaError(f"{here}: $ref {schema['$ref']} leads nowhere")
            target = target[part]
        if pointer.startswith("/$defs/"):
            definition = pointer.rsplit("/", 1)[-1]
        own = {k: v for k, v in schema.items() if k != "$ref"}
        schema, here = {**target, **own}, target_file
    if "allOf" in schema:  # every member holds: their keywords together, the field's own winning
        merged: dict = {}
        for member in schema["allOf"]:
            resolved, member_definition, here = _resolve(member, here, resources)
            merged.update(resolved)
            definition = definition or member_definition
        schema = {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema, definition, here


def _text_or_object(schema: dict, here: str, resources: dict) -> tuple[dict, str, str] | None:
    """For an anyOf of a text and an object: the object's schema, its file, and the name of its field that the text
    stands for (the one with the same schema); None for anything else."""
    branches = [_resolve(branch, here, resources) for branch in schema.get("anyOf", ())]
    texts = [b for b in branches if b[0].get("type") == "string"]
    objects = [b for b in branches if "properties" in b[0]]
    if len(branches) != 2 or len(texts) != 1 or len(objects) != 1:
        return None
    (text, _, _), (shape, _, home) = texts[0], objects[0]
    stands_for = next((name for name, raw in shape["properties"].items()
                       if _resolve(raw, home, resources)[0] == text), None)
    return (shape, home, stands_for) if stands_for else None


def _fields(schema: dict, here: str, resources: dict, where: str) -> tuple[Field, ...]:
    required = set(schema.get("required", ()))
    found = []
    for name, raw in schema.get("properties", {}).items():
        resolved, definition, home = _resolve(raw, here, resources)
        inner, item = resolved, None
        if resolved.get("type") == "array":
            inner, item_definition, home = _resolve(resolved.get("items", {}), home, resources)
            definition, item = definition or item_definition, inner
        shorthand = None
        if "anyOf" in resolved and (alternative := _text_or_object(resolved, home, resources)):
            inner, home, shorthand = alternative
        children = _fields(inner, home, resources, f"{where}.{name}") if "properties" in inner else ()
        found.append(Field(name, resolved, name in required, definition, children, item, raw.get("description"),
                           shorthand))
    return tuple(found)


@lru_cache(maxsize=8)
def _read(texts: tuple) -> dict[str, tuple[Field, ...]]:
    resources = {name: json.loads(text) for name, text in texts}
    return {kind: _fields(resources[file], file, resources, file) for kind, file in KINDS.items() if file in resources}


_KNOWN: dict = {}  # the schema files' names, times and sizes -> their fields: every file read asks for them


def of(kind: str, schema_dir: Path = SCHEMA_DIR) -> tuple[Field, ...]:
    """The fields of a claim ("claim") or of an article's front matter ("article"), in the schema's order."""
    paths = sorted(schema_dir.glob("*.schema.json"))
    signature = tuple((p.name, (s := p.stat()).st_mtime_ns, s.st_size) for p in paths)
    if signature not in _KNOWN:
        _KNOWN.clear()
        _KNOWN[signature] = _read(tuple((p.name, p.read_text(encoding="utf-8")) for p in paths))
    return _KNOWN[signature][kind]
