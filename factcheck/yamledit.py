"""Add and remove keys of a source mapping in a claim file or an article's front matter, changing nothing else.

PyYAML's composer gives the exact character position of every key and value (its node marks: the same positions
ruamel.yaml's round-trip composer gives, without a second YAML library). Dumping a document again would re-wrap the
long folded lines editors and earlier tools wrote, so the new keys are spliced into the original text at those
positions instead: comments, the schema line, key order, quoting and line breaks stay byte for byte. The result is
parsed again, by the loader the build uses, and must hold exactly the old data plus the change before it replaces
the file (write.atomically: a temporary file, then a rename).

A file that was in the web editor's form (factcheck/yamlform.py; the repository keeps every article and claim in
it) is written in that form again, so the new keys take their place in the schema's order and the next save in the
editor changes nothing else.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, SequenceNode

from . import load, write, yamlform
from .model import Problem


class EditError(Exception):
    pass


@dataclass(frozen=True)
class Edit:
    """Changes to the source mapping at `at` (a path such as ("sources", 0) or ("next", 1, "sources", 0))."""

    at: tuple
    after_url: tuple[tuple[str, str], ...] = ()  # (key, value) pairs inserted right after `url`
    at_end: tuple[tuple[str, str], ...] = ()  # ... and after the mapping's last key
    remove: tuple[str, ...] = ()


# A value that needs no quotes in block or flow context: what archive URLs and dates look like.
_PLAIN = re.compile(r"^(?:https?://[^\s,\[\]{}#'\"]+|\d{4}-\d{2}-\d{2})$")


def scalar(value: str) -> str:
    """YAML for a string value; JSON's double-quoted strings are valid YAML for anything unusual."""
    import json
    return value if _PLAIN.match(value) and ": " not in value else json.dumps(value, ensure_ascii=False)


def _node(root, at: tuple):
    node = root
    for step in at:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            node = None
        if node is None:
            raise EditError(f"no value at {load.field_path(at)}")
    if not isinstance(node, MappingNode):
        raise EditError(f"{load.field_path(at)} is not a mapping")
    return node


def _next_line(text: str, mark) -> int:
    """The start of the line after the value ending at `mark` (a block scalar ends at a line start already)."""
    if mark.column == 0:
        return mark.index
    end = text.find("\n", mark.index)
    return len(text) if end < 0 else end + 1


def _splices(text: str, root, edit: Edit, newline: str) -> list[tuple[int, int, str]]:
    mapping = _node(root, edit.at)
    pairs = mapping.value
    keys = [k.value for k, _ in pairs]
    if "url" not in keys:
        raise EditError(f"{load.field_path(edit.at)} has no url")
    url_key, url_value = pairs[keys.index("url")]
    splices = []

    def insert(position: int, items, after_mark) -> None:
        if not items:
            return
        if mapping.flow_style:
            splices.append((after_mark.index, after_mark.index, "".join(f", {k}: {scalar(v)}" for k, v in items)))
            return
        indent = " " * url_key.start_mark.column
        block = "".join(f"{indent}{k}: {scalar(v)}{newline}" for k, v in items)
        if position == len(text) and not text.endswith("\n"):  # the value ends the text (front matter, no newline)
            block = newline + block[: -len(newline)]
        splices.append((position, position, block))

    insert(_next_line(text, url_value.end_mark), edit.after_url, url_value.end_mark)
    last_value = pairs[-1][1]
    end = _next_line(text, last_value.end_mark)
    while end and text[text.rfind("\n", 0, end - 1) + 1:end].strip() == "" and end > last_value.start_mark.index:
        end = text.rfind("\n", 0, end - 1) + 1  # a block scalar ends after its blank lines: keep them after us
    insert(end, edit.at_end, last_value.end_mark)
    for name in edit.remove:
        if name not in keys:
            continue
        index = keys.index(name)
        key, value = pairs[index]
        following = pairs[index + 1][0] if index + 1 < len(pairs) else None
        if mapping.flow_style:  # ", key: value" (or "key: value, " when it comes first)
            if index:
                splices.append((pairs[index - 1][1].end_mark.index, value.end_mark.index, ""))
            elif following is not None:
                splices.append((key.start_mark.index, following.start_mark.index, ""))
            else:
                raise EditError(f"cannot remove the only key {name}")
            continue
        line_start = text.rfind("\n", 0, key.start_mark.index) + 1
        prefix = text[line_start:key.start_mark.index]
        if prefix.strip():  # "- key: ...": the next key takes over the list item's dash
            if following is None or following.start_mark.column != key.start_mark.column:
                raise EditError(f"cannot remove {name}: it is the only key on its list item")
            splices.append((line_start, following.start_mark.index, prefix))
        else:
            splices.append((line_start, _next_line(text, value.end_mark), ""))
    return splices


def _expected(data, edit: Edit):
    mapping = data
    for step in edit.at:
        mapping = mapping[step]
    for name in edit.remove:
        mapping.pop(name, None)
    mapping.update(dict(edit.after_url))
    mapping.update(dict(edit.at_end))


def edit_yaml(path: Path, text: str, edits: list[Edit], line_offset: int = 0) -> str:
    """`text` (one YAML document) with `edits` applied, checked by parsing it again."""
    if not edits:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure-Python reader: marks count characters
    except yaml.YAMLError as error:
        raise EditError(f"cannot parse: {error}".replace("\n", " ")) from None
    splices = sorted((s for edit in edits for s in _splices(text, root, edit, newline)), reverse=True)
    result = text
    for start, end, replacement in splices:  # from the end, so earlier positions stay valid
        result = result[:start] + replacement + result[end:]
    before = load.parse_yaml(path, text, line_offset)
    if isinstance(before, Problem):
        raise EditError(f"cannot parse: {before}")
    expected = copy.deepcopy(before.data)
    for edit in edits:
        _expected(expected, edit)
    after = load.parse_yaml(path, result, line_offset)
    if isinstance(after, Problem):
        raise EditError(f"the edit would not parse: {after}")
    if after.data != expected:
        raise EditError("the edited file would not hold the intended data")
    return result


def edit_file(path: Path, edits: list[Edit]) -> bool:
    """Apply `edits` to a claim file or an article's front matter, replacing the file atomically.
    Returns whether the file changed; raises EditError (the file untouched) when an edit cannot be made safely."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    if path.suffix == ".md":
        bounds = load.front_matter_bounds(text)
        if isinstance(bounds, str):
            raise EditError(bounds)
        start, stop, *_ = bounds
        new = text[:start] + edit_yaml(path, text[start:stop], edits, 1) + text[stop:]
    else:
        new = edit_yaml(path, text, edits)
    if new == text:
        return False
    if yamlform.formatted(path, text) == text:  # a file in the web editor's form stays in it (key order, folds)
        new = yamlform.formatted(path, new)
        if isinstance(new, Problem):
            raise EditError(f"cannot keep the editor's form: {new.message}")
    write.atomically(path, (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8"), durable=True)
    return True
