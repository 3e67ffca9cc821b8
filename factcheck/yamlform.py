"""The YAML form the web editor writes, so that the repository's files are already in it and a one-field edit in
the editor is a one-field diff (`make fmt` writes it; the build warns about a file that is not in it).

Decap CMS serialises an entry with the `yaml` library 1.x that its bundle carries (1.10 here): its
formats/yaml.js `toFile` builds `yaml.createNode(data)`, orders the top-level keys as the collection's fields and
prints `Document.toString()` with the library's defaults: YAML 1.2 core schema, two-space indents, sequences
indented under their key, strings plain where YAML 1.2 reads them back as the same string (else double-quoted, or
single-quoted when that avoids escaping a double quote), multi-line strings as block scalars (literal `|`, or
folded `>` when a line is longer than the width), long lines folded at 80 columns, no comments. Front matter is
gray-matter's: `---`, that YAML, `---`, then the body untouched.

This module is a port of exactly that printer (yaml 1.10.3: stringifyString, foldFlowLines, Pair and Collection
toString) for the values our files hold, tested against the library itself (tests/test_editor_form.py) and against
the real editor (tests/test_editor.py). Our admin script orders nested keys as the schema does before Decap saves
(admin/editor.js, `tidy`), so every level of a file follows the schema's field order.

JavaScript strings count UTF-16 code units, so the text is turned into code units (astral characters become two
surrogates) before folding, and back at the end.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from . import answers, fields, load, write
from .model import Problem

LINE_WIDTH = 80  # yaml 1.x strOptions.fold
MIN_CONTENT_WIDTH = 20
INDENT_STEP = "  "
MIN_MULTILINE_LENGTH = 40  # strOptions.doubleQuoted.minMultiLineLength
FOLD_FLOW, FOLD_BLOCK, FOLD_QUOTED = "flow", "block", "quoted"
Shapes = tuple[tuple[fields.Field, ...], tuple[fields.Field, ...]]  # a claim's fields, an article's

# JavaScript's regular expressions, spelled for Python: `$` without the m flag is the very end (\Z), `.` stops at
# any of four line terminators, and \s is JavaScript's white space.
_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_DOT = "[^\n\r\u2028\u2029]"
_LINE_BREAKS = re.compile(r"\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_KEY_QUOTE = re.compile(r"[\n\[\]{},]")
_SPACE_AT_BREAK = re.compile(r"[ \t]\n|\n[ \t]")
_SPACE_AFTER_LAST_BREAK = re.compile(r"\n[\t ]+\Z")
_ONLY_SPACE = re.compile(f"[{_JS_SPACE}]*")
_TRAILING_SPACE = re.compile(r"[\n\t ]*\Z")
_LEADING_SPACE = re.compile(r"[\n ]*")
_BREAKS_NOT_AT_END = re.compile(r"\n+(?!\n|\Z)")
_MORE_INDENTED = re.compile(f"(?:\\A|\\n)([\\t ]{_JS_DOT}*)(?:([\\n\\t ]*)\\n(?![\\n\\t ]))?")
_NOT_PLAIN = re.compile(r"^[\n\t ,\[\]{}#&*!|>'\"%@`]|^[?-]\Z|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]\Z")
_DOCUMENT_MARKER = re.compile(r"(?:^|(?<=[\n\r\u2028\u2029]))(?:%|---|\.\.\.)")
# What YAML 1.2's core schema reads as something other than a string (null, bool, int, float): such text is quoted.
_NOT_STRING = re.compile(
    r"(?:~|[Nn]ull|NULL)?|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+"
    r"|(?i:[-+]?\.inf|\.nan)|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)")


def _units(text: str) -> str:
    """`text` as JavaScript sees it: one character per UTF-16 code unit."""
    if text.isascii() or max(text) < "\U00010000":
        return text
    return "".join(c if c < "\U00010000" else chr(0xD800 + ((ord(c) - 0x10000) >> 10)) +
                   chr(0xDC00 + ((ord(c) - 0x10000) & 0x3FF)) for c in text)


def _text(units: str) -> str:
    """Code units back into text: surrogate pairs into their characters, and a lone surrogate (a fold inside a
    double-quoted string with no spaces can split a pair) into U+FFFD, as Node writes it to a file."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _contains_document_marker(text: str) -> bool:
    return bool(_DOCUMENT_MARKER.search(text))


def _fold(text: str, indent: str, mode: str, indent_at_start: int | None = None) -> str:
    """foldFlowLines: break lines longer than LINE_WIDTH at a single space between two other characters."""
    end_step = max(1 + MIN_CONTENT_WIDTH, 1 + LINE_WIDTH - len(indent))
    if len(text) <= end_step:
        return text
    folds: list[int] = []
    end = LINE_WIDTH - len(indent)
    if indent_at_start is not None:
        if indent_at_start > LINE_WIDTH - max(2, MIN_CONTENT_WIDTH):
            folds.append(0)
        else:
            end = LINE_WIDTH - indent_at_start
    if mode == FOLD_QUOTED:
        escaped = _fold_quoted(text, end, end_step, folds)
        if escaped is None:
            return text
    else:
        escaped = set()
        _fold_spaces(text, end, end_step, folds, mode == FOLD_BLOCK)
    if not folds:
        return text
    result = text[:folds[0]]
    for index, fold in enumerate(folds):
        stop = folds[index + 1] if index + 1 < len(folds) and folds[index + 1] else len(text)
        if fold == 0:
            result = f"\n{indent}{text[:stop]}"
        else:
            if fold in escaped:
                result += f"{text[fold]}\\"
            result += f"\n{indent}{text[fold + 1:stop]}"
    return result


def _fold_spaces(text: str, end: int, end_step: int, folds: list[int], block: bool) -> None:
    """The folds of foldFlowLines in flow and block mode, found line by line rather than character by character: at
    the first position past `end`, the line breaks at the last space allowed before it, or else at the next one. A
    space is allowed between two characters that are neither spaces, tabs nor line breaks."""
    length = len(text)
    position = 0
    if block:
        i = _more_indented(text, -1)
        if i != -1:
            end, position = i + end_step, i + 1

    def allowed(at: int) -> bool:
        return text[at - 1] not in " \n\t" and at + 1 < length and text[at + 1] not in " \n\t"

    while position < length:
        newline = text.find("\n", position)
        stop = length if newline == -1 else newline
        after = position  # a space counts once the line has reached it, and only after the last fold
        while end < stop:
            at = max(end, position)
            space = text.rfind(" ", after + 1, at + 1)
            while space != -1 and not allowed(space):
                space = text.rfind(" ", after + 1, space)
            if space != -1:
                folds.append(space)
                after, end = at, space + end_step
                continue
            space = text.find(" ", at + 1, stop)
            while space != -1 and not allowed(space):
                space = text.find(" ", space + 1, stop)
            if space == -1:
                break
            folds.append(space)
            after, end = space, space + end_step
        if newline == -1:
            break
        i = _more_indented(text, newline) if block else newline
        end, position = i + end_step, i + 1


def _fold_quoted(text: str, end: int, end_step: int, folds: list[int]) -> set[int] | None:
    """The folds of foldFlowLines in quoted mode, which may also break a long run without spaces with an escaped
    line break, never inside an escape; None when the width is too narrow for that."""
    escaped: set[int] = set()
    split = prev = None
    i = -1
    esc_start = esc_end = -1
    length = len(text)
    while True:
        i += 1
        if i >= length:
            break
        ch = text[i]
        if ch == "\\":
            esc_start = i
            i += {"x": 3, "u": 5, "U": 9}.get(text[i + 1] if i + 1 < length else "", 1)
            esc_end = i
        if ch == "\n":
            end = i + end_step
            split = None
        else:
            if ch == " " and prev and prev not in " \n\t":
                following = text[i + 1] if i + 1 < length else ""
                if following and following not in " \n\t":
                    split = i
            if i >= end:
                if split:
                    folds.append(split)
                    end = split + end_step
                    split = None
                else:
                    while prev in (" ", "\t"):  # white space collected at the end may stretch past the width
                        prev = ch
                        i += 1
                        ch = text[i] if i < length else ""
                    j = i - 2 if i > esc_end + 1 else esc_start - 1
                    if j in escaped:  # the width is shorter than an escape
                        return None
                    folds.append(j)
                    escaped.add(j)
                    end = j + end_step
                    split = None
                    if not ch:
                        break
        prev = ch
    return escaped


def _more_indented(text: str, i: int) -> int:
    """consumeMoreIndentedLines: from a line start at i + 1, skip the lines that start with a space or a tab."""
    length = len(text)
    while i + 1 < length and text[i + 1] in " \t":
        newline = text.find("\n", i + 1)
        i = length if newline == -1 else newline
    return i


def _line_over_limit(text: str, indent_length: int) -> bool:
    limit = LINE_WIDTH - indent_length
    length = len(text)
    if length <= limit:
        return False
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            if i - start > limit:
                return True
            start = i + 1
            if length - start <= limit:
                return False
    return True


def _js_json(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # the same escapes as JSON.stringify


_SHORT_ESCAPES = {"0000": "\\0", "0007": "\\a", "000b": "\\v", "001b": "\\e", "0085": "\\N", "00a0": "\\_",
                  "2028": "\\L", "2029": "\\P"}


def _double_quoted(value: str, indent: str, key: bool, at_start: int | None) -> str:
    encoded = _js_json(value)
    indent = indent or ("  " if _contains_document_marker(value) else "")
    out, start, i = "", 0, 0
    length = len(encoded)
    while i < length:
        ch = encoded[i]
        if ch == " " and encoded[i + 1:i + 3] == "\\n":  # a space before a line break is escaped, not folded
            out += encoded[start:i] + "\\ "
            i += 1
            start = i
            ch = "\\"
        if ch == "\\":
            following = encoded[i + 1] if i + 1 < length else ""
            if following == "u":
                out += encoded[start:i]
                code = encoded[i + 2:i + 6]
                out += _SHORT_ESCAPES.get(code) or ("\\x" + code[2:] if code.startswith("00") else encoded[i:i + 6])
                i += 5
                start = i + 1
            elif following == "n":
                if key or encoded[i + 2:i + 3] == '"' or length < MIN_MULTILINE_LENGTH:
                    i += 1
                else:  # folding eats the first line break
                    out += encoded[start:i] + "\n\n"
                    while encoded[i + 2:i + 4] == "\\n" and encoded[i + 4:i + 5] != '"':
                        out += "\n"
                        i += 2
                    out += indent
                    if encoded[i + 2:i + 3] == " ":  # a space after a line break is escaped, not folded
                        out += "\\"
                    i += 1
                    start = i + 1
            else:
                i += 1
        i += 1
    out = out + encoded[start:] if start else encoded
    return out if key else _fold(out, indent, FOLD_QUOTED, at_start)


def _single_quoted(value: str, indent: str, key: bool, at_start: int | None) -> str:
    if ("\n" in value) if key else _SPACE_AT_BREAK.search(value):
        return _double_quoted(value, indent, key, at_start)
    indent = indent or ("  " if _contains_document_marker(value) else "")
    quoted = "'" + _LINE_BREAKS.sub(lambda m: f"{m.group()}\n{indent}", value.replace("'", "''")) + "'"
    return quoted if key else _fold(quoted, indent, FOLD_FLOW, at_start)


def _block(value: str, indent: str, at_start: int | None) -> str:
    if _SPACE_AFTER_LAST_BREAK.search(value) or _ONLY_SPACE.fullmatch(value):
        return _double_quoted(value, indent, False, at_start)
    indent = indent or ("  " if _contains_document_marker(value) else "")
    indent_size = "2" if indent else "1"
    literal = not _line_over_limit(value, len(indent))
    header = "|" if literal else ">"
    trailing = _TRAILING_SPACE.search(value)
    spaces = trailing.group()
    newline = spaces.find("\n")
    if newline == -1:
        header += "-"  # strip
    elif value == spaces or newline != len(spaces) - 1:
        header += "+"  # keep
    ws_end = spaces[:-1] if spaces.endswith("\n") else spaces
    value = value[:trailing.start()]
    leading = _LEADING_SPACE.match(value).group()
    if " " in leading:
        header += indent_size
    spaces_at_end = len(leading) - len(leading.rstrip(" "))
    ws_start = leading[:len(leading) - spaces_at_end]
    value = value[len(ws_start):]
    if ws_end:
        ws_end = _BREAKS_NOT_AT_END.sub(lambda m: m.group() + indent, ws_end)
    if ws_start:
        ws_start = _LINE_BREAKS.sub(lambda m: m.group() + indent, ws_start)
    if not value:
        return f"{header}{indent_size}\n{indent}{ws_end}"
    if literal:
        value = _LINE_BREAKS.sub(lambda m: m.group() + indent, value)
        return f"{header}\n{indent}{ws_start}{value}{ws_end}"
    value = _LINE_BREAKS.sub(lambda m: "\n" + m.group(), value)
    value = _MORE_INDENTED.sub(lambda m: m.group(1) + (m.group(2) or ""), value)  # such lines are not folded
    value = _LINE_BREAKS.sub(lambda m: m.group() + indent, value)
    return f"{header}\n{indent}{_fold(ws_start + value + ws_end, indent, FOLD_BLOCK)}"


def _string(value: str, indent: str, key: bool = False, at_start: int | None = None) -> str:
    """stringifyString for a string in a block mapping or sequence (our documents hold no flow collections) or,
    with `key`, a mapping key; `at_start` is the width of "key: " before a value on its first line."""
    if _CONTROL.search(value) or (key and _KEY_QUOTE.search(value)):
        return _double_quoted(value, indent, key, at_start)
    if not value or _NOT_PLAIN.search(value):
        if key or "\n" not in value:
            if '"' in value and "'" not in value:
                return _single_quoted(value, indent, key, at_start)
            return _double_quoted(value, indent, key, at_start)
        return _block(value, indent, at_start)
    if "\n" in value:
        return _block(value, indent, at_start)  # multi-line text as a block scalar
    if _NOT_STRING.fullmatch(value):  # plain, it would be read back as a null, a boolean or a number
        return _double_quoted(value, indent, key, at_start)
    return value if key else _fold(value, indent, FOLD_FLOW, at_start)


@lru_cache(maxsize=1024)
def _key(key: str) -> str:
    """A mapping key, on one line whatever its indentation: the same few names over and over."""
    return _string(_units(key), INDENT_STEP, key=True)


def _number(value: int | float) -> str:
    """A number as JavaScript prints it (JSON.stringify): the data came through JavaScript in the editor."""
    if isinstance(value, int) and abs(value) < 2 ** 53:
        return str(value)
    number = float(value)
    if number != number:
        return ".nan"
    if number in (float("inf"), float("-inf")):
        return ".inf" if number > 0 else "-.inf"
    if number == 0:
        return "0"
    _, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digits))
    point = len(digits) + exponent  # the value is 0.DIGITS x 10^point
    prefix = "-" if number < 0 else ""
    if len(digits) <= point <= 21:
        return prefix + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return f"{prefix}{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    return f"{prefix}{mantissa}e{'+' if point - 1 > 0 else '-'}{abs(point - 1)}"


def _node(value: object, indent: str, at_start: int | None = None, printed: dict | None = None) -> str:
    """`value` as YAML at `indent`. `printed` (the document's mappings and lists already printed, by identity and
    indent) prints a value the document holds in several places once: the web editor's configuration repeats the
    claim fields in every article's collection."""
    if isinstance(value, str):
        return _string(_units(value), indent, at_start=at_start)
    if printed is not None and isinstance(value, (dict, list)) and (id(value), indent) in printed:
        return printed[(id(value), indent)]
    if isinstance(value, dict):
        if not value:
            return "{}"
        if all(v is None for v in value.values()):  # yaml 1.x writes such a mapping as a set: "? key"
            text = f"\n{indent}".join(f"? {_key(str(k))}" for k in value)
        else:
            text = f"\n{indent}".join(_pair(str(k), v, indent, printed) for k, v in value.items())
    elif isinstance(value, list):
        if not value:
            return "[]"
        text = f"\n{indent}".join(f"- {_node(item, indent + INDENT_STEP, printed=printed)}" for item in value)
    else:
        return _scalar(value)
    if printed is not None:
        printed[(id(value), indent)] = text
    return text


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    raise TypeError(f"cannot write a {type(value).__name__} in the editor's YAML")


def _pair(key: str, value: object, indent: str, printed: dict | None = None) -> str:
    """Pair.toString: the key, then the value after a space, or indented on the next lines for a non-empty
    mapping or list (two spaces in, sequences too); a key longer than 1024 characters is written explicitly."""
    text = _key(key)
    inner = indent + INDENT_STEP
    if len(text) > 1024:
        shown = _node(value, inner, printed=printed)
        return f"? {text}\n{indent}: {shown}" if shown[:1] != "\n" else f"? {text}\n{indent}:{shown}"
    if isinstance(value, (dict, list)):
        shown = _node(value, inner, printed=printed)
        return f"{text}: {shown}" if shown in ("{}", "[]") else f"{text}:\n{inner}{shown}"
    shown = _node(value, inner, len(text) + 2)
    return f"{text}:{shown}" if shown[:1] == "\n" else f"{text}: {shown}"


def dump(data: dict) -> str:
    """The document as the editor writes it (keys in the order `data` has them)."""
    return _text(_node(data, "", printed={})) + "\n"  # `data` keeps every value alive, so identities hold


def ordered(data: object, kind_fields: tuple[fields.Field, ...]) -> object:
    """`data` with every mapping's keys in the order of the schema's fields; keys the schema does not know follow,
    in their own order (the schema reports them; the editor keeps them there too)."""
    if isinstance(data, list):
        return [ordered(item, kind_fields) for item in data]
    if not isinstance(data, dict):
        return data
    by_name = {f.name: f for f in kind_fields}
    known = [f.name for f in kind_fields if f.name in data]
    result = {name: ordered(data[name], by_name[name].fields) for name in known}
    result.update((k, v) for k, v in data.items() if k not in by_name)
    return result


def front_matter(data: dict, body: str) -> str:
    """An article file as the editor writes it: gray-matter's front matter (the YAML trimmed as JavaScript
    trims), then the body as it was, ending in a line break."""
    text = f"---\n{_JS_TRIM.sub('', dump(data))}\n---\n{body}"
    return text if text.endswith("\n") else text + "\n"  # Decap's entryToRaw ends every file with one


def _front_matter_stable(data: dict, body: str, path: Path) -> str:
    """front_matter(), except that a final block scalar whose trailing white space the trim takes off is written
    without it: the editor reads back, and next writes, the shorter value, so this is what saving the file again
    writes, and the file stays as it is."""
    text = front_matter(data, body)
    again = load.split_front_matter(path, text)
    trimmed = final_trimmed(data)
    if not isinstance(again, Problem) and again.document.data != data and again.document.data == trimmed:
        return front_matter(trimmed, body)
    return text


def final_trimmed(data: object) -> object:
    """`data` with the white space at the end of its last string (in document order) removed."""
    if isinstance(data, dict) and data:
        last = next(reversed(data))
        return {**data, last: final_trimmed(data[last])}
    if isinstance(data, list) and data:
        return [*data[:-1], final_trimmed(data[-1])]
    return _JS_END_SPACE.sub("", data) if isinstance(data, str) else data


_JS_TRIM = re.compile(f"\\A[{_JS_SPACE}]+|[{_JS_SPACE}]+\\Z")
_JS_END_SPACE = re.compile(f"[{_JS_SPACE}]+\\Z")


def _expected(parsed: load.Document | load.FrontMatter, shapes: Shapes | None = None) -> str:
    claim, article = shapes or (fields.of("claim"), fields.of("article"))
    if isinstance(parsed, load.FrontMatter):
        return _front_matter_stable(ordered(parsed.document.data, article), parsed.body, parsed.document.path)
    return dump(ordered(parsed.data, claim))


def formatted(path: Path, text: str) -> str | Problem:
    """A claim file (.yaml) or an article (.md) in the editor's form, or the Problem that prevents it: the file
    does not parse, or (for keys no schema allows, such as one starting with "---") the form would not read back as
    the same data."""
    parse = load.split_front_matter if path.suffix == ".md" else load.parse_yaml
    parsed = parse(path, text)
    if isinstance(parsed, Problem):
        return parsed
    result = _expected(parsed)
    again = parse(path, result)
    if isinstance(again, Problem) or _data(again) not in (_data(parsed), final_trimmed(_data(parsed))) or (
            isinstance(parsed, load.FrontMatter) and again.body.rstrip("\n") != parsed.body.rstrip("\n")):
        return Problem(path, "cannot be written in the editor's form without changing its data; fix its keys")
    return result


def _data(parsed: load.Document | load.FrontMatter) -> object:
    return parsed.document.data if isinstance(parsed, load.FrontMatter) else parsed.data


OUT_OF_FORM = "not in the editor's form (the YAML the web editor writes); run make fmt"


def form_problem(path: Path, text: str, parsed: load.Document | load.FrontMatter,
                 shapes: Shapes | None = None) -> Problem | None:
    """A warning at the first line that differs from the editor's form, or None when the file is in it (or cannot
    be put in it: formatted() says why). `shapes`: the claim's and the article's fields, when the caller has them."""
    expected = _expected(parsed, shapes)
    if expected == text or isinstance(formatted(path, text), Problem):
        return None
    have, want = text.split("\n"), expected.split("\n")
    line = next((i for i, (a, b) in enumerate(zip(have, want), start=1) if a != b), min(len(have), len(want)))
    return Problem(path, OUT_OF_FORM, line, severity="warning")


def _fresh() -> answers.Answers:
    """No answers yet: a digest of a file's text and of what its form depends on -> the first line out of the form
    (0: in the form, or not writable in it, which the schema reports)."""
    return answers.Answers(lambda value: type(value) is int and value >= 0)


_answers = _fresh()


def remember(cache: Path) -> None:
    """Read earlier answers from `cache` (once per process); a missing or damaged file is only a slower build."""
    _answers.remember(cache)


def keep(cache: Path) -> None:
    """Write the answers to `cache` atomically, when it lacks some (a file was checked for the first time)."""
    _answers.keep(cache)


class FormCheck:
    """form_problem for one build, as load.read_file asks it (`form`): the schemas' fields read once, and each
    file's answer remembered by a digest of its text and of everything else the answer depends on (this module's
    and the loader's code, the schemas' fields), in memory and between builds in `.cache/forms.json` (remember,
    keep). Printing a claim costs about twice what parsing it does; looking its answer up, a digest."""

    def __init__(self) -> None:
        self.shapes = (fields.of("claim"), fields.of("article"))
        salt = hashlib.blake2b(repr(self.shapes).encode("utf-8"))
        for module in (__file__, load.__file__):
            salt.update(Path(module).read_bytes())
        self.salt = salt.digest()[:32]  # blake2b takes a key of at most 64 bytes

    def __call__(self, path: Path, text: str, parsed: load.Document | load.FrontMatter) -> Problem | None:
        key = hashlib.blake2b(text.encode("utf-8"), key=self.salt, digest_size=20).hexdigest()
        line = _answers.known.get(key)
        if line is None:
            problem = form_problem(path, text, parsed, self.shapes)
            line = problem.line if problem else 0
            _answers.add(key, line)
        return Problem(path, OUT_OF_FORM, line, severity="warning") if line else None


def editable_files(root: Path) -> list[Path]:
    """The files the web editor writes: every article and every claim (not the scale, which keeps its comments)."""
    found = sorted((root / "content").glob("*.md")) if (root / "content").is_dir() else []
    found += sorted(p for p in (root / "claims").glob("*/*.yaml") if p.parent.is_dir()) if (
        root / "claims").is_dir() else []
    return [p for p in found if not p.is_symlink() and p.is_file()]


def format_files(paths: list[Path], check: bool = False) -> tuple[list[Path], list[Problem]]:
    """Put each file in the editor's form (with `check`, only say which are not): the files changed (or that
    would), and the problems that kept a file as it was. A file is replaced atomically, and only when what it
    says reads back unchanged."""
    changed, problems = [], []
    for path in paths:
        text = load.read_text(path)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        result = formatted(path, text)
        if isinstance(result, Problem):
            problems.append(result)
        elif result != text:
            changed.append(path)
            if not check:
                write.atomically(path, result.encode("utf-8"), durable=True)
    return changed, problems


def main(argv: list[str], root: Path) -> int:
    """`build.py fmt [--check] [FILE...]`: put articles and claims in the editor's form (make fmt)."""
    import argparse

    from .report import report

    parser = argparse.ArgumentParser(prog="build.py fmt", description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not in the form")
    parser.add_argument("--root", type=Path, default=root, help="folder holding content/ and claims/")
    parser.add_argument("files", nargs="*", type=Path, help="only these files (default: every article and claim)")
    args = parser.parse_args(argv)
    paths = args.files or editable_files(args.root)
    changed, problems = format_files(paths, args.check)
    for path in changed:
        shown = path.resolve().relative_to(args.root.resolve()) if path.resolve().is_relative_to(
            args.root.resolve()) else path
        print(f"{'not in the form' if args.check else 'formatted'}: {shown}")
    report(problems, args.root)
    return 1 if problems or (args.check and changed) else 0
