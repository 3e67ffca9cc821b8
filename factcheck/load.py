"""Read YAML and front matter safely, keeping where every value came from (for file:line:col errors).

Every file is untrusted (pull requests come from anyone), so reading refuses, with the file and line: symbolic
links and anything that is not a regular file inside the project, files over a size limit, YAML anchors and
aliases (a few hundred bytes of aliases expand to gigabytes), tags, nesting deeper than any claim needs, and
control, invisible or direction-changing characters. Public functions return a result or a Problem; nothing
raises out of this module.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from . import characters
from .model import Problem

MAX_BYTES = 1_000_000  # a claim or an article is a few kB; anything this large is a mistake, not content
MAX_DEPTH = 8  # a claim is at most four levels deep (sources → source → field); room to spare, not to abuse
MAX_CHARACTER_PROBLEMS = 10  # per file: enough to find them all in an editor, not a flood in the CI log


# YAML 1.2's core schema, which the web editor's YAML library follows: only these plain scalars are numbers or
# null; everything else (yes/no/true/false, dates, 1_000, 1:30, =, <<...) is text. PyYAML's YAML 1.1 rules would
# read some text the editor writes unquoted as a number, a date or a merge key.
_CORE = (("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
         ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
         ("tag:yaml.org,2002:float", re.compile(
             r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
          "-+.0123456789"))


def _text_loader(base: type) -> type:
    """A safe loader that reads scalars as YAML 1.2's core schema does, so dates and yes/no/true/false stay text.

    Editors write `verdict: false` and `published: 2025-12-17`; the schema decides what is valid, and
    one parser (in validate) turns date strings into dates with a clear message when they are wrong.
    """
    return type(f"Text{base.__name__}", (base,), {"resolve": _resolve})


_BY_FIRST: dict[str, tuple] = {}  # a plain scalar's first character ("" when empty) -> the tags it may have
for _tag, _pattern, _firsts in _CORE:
    for _first in [*_firsts, *([""] if _tag.endswith("null") else [])]:
        _BY_FIRST[_first] = (*_BY_FIRST.get(_first, ()), (_tag, _pattern))


def _resolve(loader, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of a node (PyYAML's Resolver.resolve for the core schema above, without its general machinery:
    libyaml's composer calls it for every node of every file)."""
    if kind is yaml.ScalarNode:
        if implicit[0]:  # plain, not quoted
            for tag, pattern in _BY_FIRST.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return _STR
    return _SEQ if kind is yaml.SequenceNode else _MAP


def _core_number(node: yaml.ScalarNode) -> int | float | None:
    """A plain int, float or null as YAML 1.2 reads it (017 is seventeen, not octal 15)."""
    text = node.value
    if node.tag.endswith("null"):
        return None
    if node.tag.endswith("int"):
        return int(text[2:], 8) if text.startswith("0o") else int(text[2:], 16) if text.startswith("0x") else int(text)
    lowered = text.lower()
    return float(lowered.replace(".inf", "inf").replace(".nan", "nan"))


# libyaml's parser is several times faster; the constructor is the safe pure-Python one either way. Its error
# messages are terser, so a document it rejects is parsed again by the pure-Python parser to report the error.
_PureLoader = _text_loader(yaml.SafeLoader)
_Loader = _text_loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _PureLoader

Location = tuple[int, int]  # 1-based line, column
Path_ = tuple  # a path into a document: keys and list indexes

# Where a document cites sources: a claim's `sources`, and those of every "what happened next" item of an article's
# front matter ("*": each item of a list). The link checker finds every source by it; the build checks each.
SOURCE_LISTS: tuple[Path_, ...] = (("sources",), ("next", "*", "sources"))


def field_path(at: Path_) -> str:
    """A path into a document as messages name it: 'sources.2.url'."""
    return ".".join(map(str, at))


def values_at(data: object, pattern: Path_) -> list[tuple[Path_, object]]:
    """(path, value) of every value at `pattern` in parsed YAML ("*" matches every item of a list); a value of the
    wrong shape on the way is skipped (the schema reports it)."""
    found: list[tuple[Path_, object]] = [((), data)]
    for key in pattern:
        found = [((*at, k), value[k]) for at, value in found if isinstance(value, list if key == "*" else dict)
                 for k in (range(len(value)) if key == "*" else [key]) if key == "*" or k in value]
    return found


@dataclass(frozen=True)
class Document:
    """A parsed YAML document and the position of each of its values."""

    path: Path
    data: object
    marks: dict  # Path_ -> Location; the root is ()
    line_offset: int = 0  # lines before the YAML text in its file (front matter starts after "---")

    def where(self, at: Path_ = ()) -> Location | None:
        """The position of the value at `at`, or of its nearest located parent."""
        at = tuple(at)
        while at not in self.marks and at:
            at = at[:-1]
        line, col = self.marks.get(at, (None, None))
        return None if line is None else (line + self.line_offset, col)

    def problem(self, message: str, at: Path_ = (), severity: str = "error") -> Problem:
        line, col = self.where(at) or (None, None)
        return Problem(self.path, message, line, col, severity)


class _Refused(Exception):
    """Raised inside this module only, and turned into the Problem it carries at the public functions."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path) -> str | Problem:
    """A regular file's text (not through a link), or a Problem naming the file."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return Problem(path, "is a symbolic link: the build reads only regular files (a link can point "
                                 "outside the repository)")
        if not stat.S_ISREG(info.st_mode):
            return Problem(path, "is not a regular file")  # a FIFO would block the build for ever
        if info.st_size > MAX_BYTES:
            return Problem(path, f"file is {info.st_size:,} bytes; the limit is {MAX_BYTES:,}")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return Problem(path, f"cannot read: {error.strerror}")
    if len(raw) > MAX_BYTES:
        return Problem(path, f"file is over {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, which some Windows editors add, is not content
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return Problem(path, f"not valid UTF-8 (byte {error.start})", line)


def character_problems(path: Path, text: str) -> list[Problem]:
    """Every forbidden character written literally in `text`, at its line and column."""
    problems = []
    for found in characters.forbidden(text).finditer(text):
        if len(problems) == MAX_CHARACTER_PROBLEMS:
            problems.append(Problem(path, "more forbidden characters follow; fix these first"))
            break
        line_start = text.rfind("\n", 0, found.start()) + 1
        line = text.count("\n", 0, found.start()) + 1
        character = found.group()
        problems.append(Problem(path, f"{characters.describe(character)}: {characters.why(character)}",
                                line, found.start() - line_start + 1))
    return problems


def parse_yaml(path: Path, text: str, line_offset: int = 0) -> Document | Problem:
    """Parse one YAML document: plain mappings, lists and scalars only; duplicate keys are errors."""
    if "&" in text or "*" in text:  # only then can the text hold an anchor or an alias
        if refused := _anchor_or_alias(path, text, line_offset):
            return refused
    try:
        return _parse(path, text, line_offset, _Loader)
    except _Refused as refused:
        first = refused.problem
    except RecursionError:  # the pure-Python composer recurses (libyaml stops at its own limit, with a line)
        return Problem(path, f"nested more than {MAX_DEPTH} levels deep")
    if _Loader is _PureLoader:
        return first
    try:
        return _parse(path, text, line_offset, _PureLoader)  # for its clearer message
    except _Refused as refused:
        return refused.problem
    except RecursionError:
        return first


def _anchor_or_alias(path: Path, text: str, line_offset: int) -> Problem | None:
    loader = _Loader(text)
    try:
        while (token := loader.get_token()) is not None:
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "anchor (&)" if isinstance(token, yaml.AnchorToken) else "alias (*)"
                return Problem(path, f"YAML {kind} is not allowed: write each value out in full",
                               token.start_mark.line + 1 + line_offset, token.start_mark.column + 1)
    except yaml.YAMLError:
        return None  # not valid YAML either way: parsing reports where
    finally:
        loader.dispose()
    return None


def _parse(path: Path, text: str, line_offset: int, loader_class: type) -> Document:
    try:
        loader = loader_class(text)  # the pure-Python reader checks for unprintable characters right here
    except yaml.YAMLError as error:
        raise _Refused(Problem(path, f"not valid YAML: {_first_line(error)}")) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise _Refused(Problem(path, "the file is empty" if not line_offset else "the front matter is empty"))
        marks: dict = {}
        data = _construct(_Walk(path, line_offset, marks), node, (), None)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        # The parts of the message only, never the snippet of the file that PyYAML appends.
        message = " ".join(str(p) for p in (error.context, error.problem) if p)
        if mark.line < len(lines := text.split("\n")) and "\t" in lines[mark.line][:mark.column + 1]:
            message += " (indent with spaces, not tabs)"
        raise _Refused(Problem(path, characters.snippet(message, 200), mark.line + 1 + line_offset,
                               mark.column + 1)) from None
    except yaml.YAMLError as error:  # e.g. a control character the reader refuses
        raise _Refused(Problem(path, f"not valid YAML: {_first_line(error)}")) from None
    finally:
        loader.dispose()
    return Document(path, data, marks, line_offset)


def _first_line(error: yaml.YAMLError) -> str:
    return characters.snippet(str(error).split("\n")[0], 200)


@dataclass(frozen=True)
class _Walk:
    path: Path
    line_offset: int
    marks: dict


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
# Scalars the schema may judge (a number where text belongs gets "is not of type 'string'"); no other tags.
_SCALARS = frozenset({_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"})


def _construct(walk: _Walk, node: yaml.Node, at: tuple, mark):
    """Build the data of a node and record where each value is (a mapping's value is located at its key, where
    editors look for it). One walk, bounded in depth; anything but mappings, lists and plain scalars is refused."""
    mark = mark or node.start_mark
    walk.marks[at] = (mark.line + 1, mark.column + 1)
    if len(at) > MAX_DEPTH:
        raise _Refused(Problem(walk.path, f"nested more than {MAX_DEPTH} levels deep",
                               mark.line + 1 + walk.line_offset, mark.column + 1))
    kind = type(node)
    if kind is yaml.ScalarNode and node.tag in _SCALARS:
        if node.tag == _STR:
            return node.value
        try:
            return _core_number(node)
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            raise _Refused(Problem(walk.path, f"the number {characters.snippet(node.value, 20)} is too long",
                                   node.start_mark.line + 1 + walk.line_offset, node.start_mark.column + 1)) from None
    if kind is yaml.MappingNode and node.tag == _MAP:
        result = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag not in _SCALARS:  # a merge key (<<), a list...
                raise _Refused(Problem(walk.path, "keys are plain words (no merge keys, lists or tags)",
                                       key.start_mark.line + 1 + walk.line_offset, key.start_mark.column + 1))
            name = key.value
            if name in result:
                raise _Refused(Problem(walk.path, f"key '{characters.snippet(name)}' appears twice",
                                       key.start_mark.line + 1 + walk.line_offset, key.start_mark.column + 1))
            result[name] = _construct(walk, value, (*at, name), key.start_mark)
        return result
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_construct(walk, item, (*at, index), None) for index, item in enumerate(node.value)]
    raise _Refused(Problem(walk.path, f"YAML tag {characters.snippet(node.tag)} is not allowed",
                           mark.line + 1 + walk.line_offset, mark.column + 1))


def load_yaml(path: Path) -> Document | Problem:
    text = read_text(path)
    return text if isinstance(text, Problem) else parse_yaml(path, text)


@dataclass(frozen=True)
class FrontMatter:
    document: Document
    body: str
    body_line: int  # the body's first line in the file


def front_matter_bounds(text: str) -> tuple[int, int, int, int] | str:
    """Where a Markdown file's front matter is: the start and end of the YAML between its two '---' lines, where the
    body starts and the body's first line; or what is wrong. The one splitter (the build, the link checker and the
    archiver's edits all use it)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return "missing front matter: the file must start with a '---' line"
    start = offset = len(lines[0]) + 1
    for number, line in enumerate(lines[1:], start=1):
        # From column 1, as gray-matter (the web editor's reader) also wants: an indented "---" is text of a block
        # scalar (a Markdown rule), not the end.
        if line.rstrip() == "---":
            end = offset - 1 if number > 1 else start  # the line break before the closing line is not YAML
            return start, end, min(offset + len(line) + 1, len(text)), number + 2
        offset += len(line) + 1
    return "front matter is not closed by a '---' line"


def split_front_matter(path: Path, text: str) -> FrontMatter | Problem:
    """Split a Markdown file into its YAML front matter and body."""
    bounds = front_matter_bounds(text)
    if isinstance(bounds, str):
        return Problem(path, bounds, 1)
    start, end, body, body_line = bounds
    document = parse_yaml(path, text[start:end], line_offset=1)
    if isinstance(document, Problem):
        return document
    return FrontMatter(document, text[body:], body_line)


@dataclass(frozen=True)
class Sources:
    """Everything the build reads, parsed but not yet validated."""

    scale: Document | None
    articles: tuple  # (slug, FrontMatter)
    claims: tuple  # (article slug, claim id, Document)
    problems: tuple[Problem, ...]
    claim_dirs: tuple[Path, ...]
    article_slugs: frozenset[str]  # every article file found, parsed or not
    topics: Document | None = None  # the topic vocabulary, when the publication has one
    topics_unreadable: bool = False  # it has one, but it could not be read or parsed (the problems say why)
    unread_claims: tuple = ()  # (article slug, claim id, path) of claim files left to validation (read_claims)
    form: object = None  # the form check to read them with


SCALE_FILE = "ratings.yaml"
TOPICS_FILE = "topics.yaml"  # optional: without it, claims carry no topics


_path = lru_cache(maxsize=1 << 17)(Path)  # the same few thousand paths on every preview refresh: parse each once


# Editors' lock, swap and backup files (.#claim.yaml, a dangling link emacs makes; #claim.yaml#; claim.yaml~;
# .claim.yaml.swp): never opened, and reported as warnings, so saving in an editor never blocks the preview.
_EDITOR_FILE = re.compile(r"^\.#|^#.*#$|~$|\.sw[a-p]$")


def _entries(folder: Path, problems: list[Problem]) -> list[tuple[Path, bool]]:
    """A folder's entries, sorted, as (path, is a folder), without following links: a link is reported, not read,
    and editors' lock and backup files are left out with a warning."""
    try:
        with os.scandir(folder) as found:  # the entry knows whether it is a link or a folder: no lstat per file
            entries = [(_path(e.path), e.is_symlink(), e.is_dir(follow_symlinks=False))
                       for e in sorted(found, key=lambda e: e.name)]
    except OSError as error:
        problems.append(Problem(folder, f"cannot read the folder: {error.strerror}"))
        return []
    kept = []
    for path, link, is_folder in entries:
        if _EDITOR_FILE.search(path.name):
            problems.append(Problem(path, "ignored: an editor's lock, swap or backup file", severity="warning"))
        elif link:
            problems.append(Problem(path, "is a symbolic link: the build reads only regular files (a link can "
                                          "point outside the repository)"))
        else:
            kept.append((path, is_folder))
    return kept


_LOOKALIKE = (".md", ".markdown", ".mdown", ".mkd", ".yaml", ".yml")  # any case: meant as an article or a claim


def _not_read(path: Path, expected: str) -> Problem:
    """A file the build does not read: an error, so nothing is silently left out, but a hidden file (.gitkeep,
    .DS_Store) that does not look like an article or a claim is only a warning."""
    if path.name.startswith(".") and not path.name.lower().endswith(_LOOKALIKE):
        return Problem(path, "ignored: a hidden file", severity="warning")
    return Problem(path, f"is not read: {expected}")


def read_file(path: Path, parse, form=None) -> tuple[object | None, list[Problem]]:
    """Read one file, check its characters, and parse it with `parse(path, text)`; `form(path, text, parsed)`, when
    given, says whether the text is in the form the web editor writes (yamlform.form_problem)."""
    text = read_text(path)
    if isinstance(text, Problem):
        return None, [text]
    problems = character_problems(path, text)
    if characters.has_control(text):
        return None, problems  # the YAML reader would refuse the same character again, less clearly
    parsed = parse(path, text)
    if isinstance(parsed, Problem):
        return None, problems + [parsed]
    if "\\" in text:  # YAML escapes ("\u202e") can write what the text itself does not show
        document = parsed.document if isinstance(parsed, FrontMatter) else parsed
        problems += _escaped_character_problems(document, text)
    if form is not None and (out_of_form := form(path, text, parsed)):
        problems.append(out_of_form)
    return parsed, problems


def _escaped_character_problems(document: Document, text: str) -> list[Problem]:
    """Forbidden characters in values that the file writes as escapes, at the value's position."""
    problems, todo = [], [((), document.data)]
    while todo:
        at, value = todo.pop()
        if isinstance(value, dict):
            todo.extend(((*at, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(((*at, i), v) for i, v in enumerate(value))
        elif isinstance(value, str):
            for character in {c for c in characters.forbidden(value).findall(value) if c not in text}:
                message = (f"{field_path(at)}: {characters.describe(character)} (written as an escape): "
                           f"{characters.why(character)}")
                line, column = document.where(at) or (1, 1)
                line, column = _escape_position(text, line, character) or (line, column)
                problems.append(Problem(document.path, message, line, column))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.message))


# YAML's escapes in double-quoted text; "\\" is matched too, so an escaped backslash hides what follows it.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_NAMED_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "v": "\v", "f": "\f", "N": "\x85",
                  "L": "\u2028", "P": "\u2029"}


def _escape_position(text: str, line: int, character: str) -> Location | None:
    """The line and column of the first escape at or after `line` that writes `character`."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if not start:
            return None
    for found in _ESCAPE.finditer(text, start):
        code = found.group()[1:]
        written = chr(int(code[1:], 16)) if len(code) > 1 else _NAMED_ESCAPES.get(code)
        if written == character:
            return text.count("\n", 0, found.start()) + 1, found.start() - text.rfind("\n", 0, found.start())
    return None


def read_sources(content_dir: Path, claims_dir: Path, read=read_file, form=None, read_claims: bool = True) -> Sources:
    """Read every article, claim and the rating scale; a file that cannot be read or parsed becomes a Problem.

    `read(path, parse, form)` reads one file as `read_file` does; the preview passes one that remembers unchanged
    files. `form` checks articles and claims (not the scale, which the editor does not write) as read_file says.
    Without `read_claims`, claim files are listed, not read: validation reads and checks them on every core."""
    problems: list[Problem] = []
    for folder in (content_dir, claims_dir):
        if folder.is_symlink():
            problems.append(Problem(folder, "is a symbolic link: the build reads only the repository's own folders"))
    if problems:
        return Sources(None, (), (), tuple(problems), (), frozenset())

    def attempt(path: Path, parse, form=None):
        parsed, found = read(path, parse, form)
        problems.extend(found)
        return parsed

    scale = attempt(claims_dir / SCALE_FILE, parse_yaml)
    has_topics = os.path.lexists(claims_dir / TOPICS_FILE)
    topics = attempt(claims_dir / TOPICS_FILE, parse_yaml) if has_topics else None
    articles, article_paths = [], []
    for path, is_folder in _entries(content_dir, problems) if content_dir.is_dir() else ():
        if is_folder:
            problems.append(Problem(path, "is not read: content/ holds articles only (content/<slug>.md), no folders"))
        elif path.suffix == ".md" and path.stem:
            article_paths.append(path)
            if front_matter := attempt(path, split_front_matter, form):
                articles.append((path.stem, front_matter))
        else:
            problems.append(_not_read(path, "articles are content/<slug>.md (.md in lowercase)"))
    claims, claim_dirs, unread = [], [], []
    for folder, is_folder in _entries(claims_dir, problems) if claims_dir.is_dir() else ():
        if not is_folder:
            if folder.name not in (SCALE_FILE, TOPICS_FILE):
                problems.append(_not_read(folder, "a claim belongs in its article's folder: "
                                                  "claims/<article-slug>/<claim-id>.yaml"))
            continue
        claim_dirs.append(folder)
        for path, nested in _entries(folder, problems):
            if nested:
                problems.append(Problem(path, "is not read: claims are claims/<article-slug>/<claim-id>.yaml, "
                                              "never in a subfolder"))
            elif path.suffix == ".yaml" and path.stem and not read_claims:
                unread.append((folder.name, path.stem, path))
            elif path.suffix == ".yaml" and path.stem:
                if document := attempt(path, parse_yaml, form):
                    claims.append((folder.name, path.stem, document))
            elif path.suffix == ".yml":
                problems.append(Problem(path, "claim files end in .yaml, not .yml"))
            else:
                problems.append(_not_read(path, "claim files are <claim-id>.yaml (.yaml in lowercase)"))
    return Sources(scale, tuple(articles), tuple(claims), tuple(problems), tuple(claim_dirs),
                   frozenset(p.stem for p in article_paths), topics, has_topics and topics is None, tuple(unread), form)
