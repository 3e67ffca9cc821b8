"""Read YAML and front matter safely, keeping where every value came from (for file:line:col errors)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Problem

MAX_BYTES = 1_000_000  # a claim or an article is a few kB; anything this large is a mistake, not content


def _text_loader(base: type) -> type:
    """A safe loader that keeps dates and yes/no/true/false as strings.

    Editors write `verdict: false` and `published: 2025-12-17`; the schema decides what is valid, and
    one parser (in validate) turns date strings into dates with a clear message when they are wrong.
    """
    loader = type(f"Text{base.__name__}", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return loader


# libyaml's parser is several times faster; the constructor is the safe pure-Python one either way. Its error
# messages are terser, so a document it rejects is parsed again by the pure-Python parser to report the error.
_PureLoader = _text_loader(yaml.SafeLoader)
_Loader = _text_loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _PureLoader

Location = tuple[int, int]  # 1-based line, column
Path_ = tuple  # a path into a document: keys and list indexes


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

    def problem(self, message: str, at: Path_ = ()) -> Problem:
        line, col = self.where(at) or (None, None)
        return Problem(self.path, message, line, col)


class LoadError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path) -> str:
    """A file's text, or LoadError naming the file when it is too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(Problem(path, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}"))
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(Problem(path, f"cannot read: {error.strerror}")) from None
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, which some Windows editors add, is not content
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LoadError(Problem(path, f"not valid UTF-8 (byte {error.start})", line)) from None


def parse_yaml(path: Path, text: str, line_offset: int = 0) -> Document:
    """Parse one YAML document; duplicate keys and unsafe tags are errors, not surprises."""
    try:
        return _parse(path, text, line_offset, _Loader)
    except LoadError:
        if _Loader is _PureLoader:
            raise
        return _parse(path, text, line_offset, _PureLoader)  # raises again, with the pure-Python message


def _parse(path: Path, text: str, line_offset: int, loader_class: type) -> Document:
    try:
        loader = loader_class(text)  # the pure-Python reader checks for unprintable characters right here
    except yaml.YAMLError as error:
        raise LoadError(Problem(path, f"not valid YAML: {error}".replace("\n", " "))) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise LoadError(Problem(path, "the file is empty" if not line_offset else "the front matter is empty"))
        marks: dict = {}
        try:
            data = _construct(path, node, (), marks, line_offset, None, set())
        except _Unusual:  # numbers, nulls, tags, aliases, merge keys...: the general way
            marks.clear()
            _collect_marks(path, node, (), marks, line_offset)
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(p) for p in (error.context, error.problem) if p)
        if mark.line < len(lines := text.split("\n")) and "\t" in lines[mark.line][:mark.column + 1]:
            message += " (indent with spaces, not tabs)"
        raise LoadError(Problem(path, message, mark.line + 1 + line_offset, mark.column + 1)) from None
    except yaml.YAMLError as error:  # e.g. a control character the reader refuses
        raise LoadError(Problem(path, f"not valid YAML: {error}")) from None
    finally:
        loader.dispose()
    return Document(path, data, marks, line_offset)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    pass


def _construct(path: Path, node: yaml.Node, at: tuple, marks: dict, line_offset: int, mark, seen: set):
    """_collect_marks and loader.construct_document in one walk, for documents made only of mappings, lists and
    strings (nearly every claim and article): a quarter faster. Raises _Unusual for anything else; the caller then
    takes the two-step way, which gives the same result and reports errors in the same order."""
    mark = mark or node.start_mark
    marks[at] = (mark.line + 1, mark.column + 1)
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag != _STR:  # a number, a null, an explicit tag
            raise _Unusual()
        return node.value
    if id(node) in seen:  # an alias: the constructor shares the object, and it may even contain itself
        raise _Unusual()
    seen.add(id(node))
    if kind is yaml.MappingNode and node.tag == _MAP:
        result = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag != _STR:  # a merge key (<<), a number, a list...
                raise _Unusual()
            name = key.value
            if name in result:
                raise LoadError(Problem(path, f"key '{name}' appears twice",
                                        key.start_mark.line + 1 + line_offset, key.start_mark.column + 1))
            result[name] = _construct(path, value, (*at, name), marks, line_offset, key.start_mark, seen)
        return result
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_construct(path, item, (*at, index), marks, line_offset, None, seen)
                for index, item in enumerate(node.value)]
    raise _Unusual()


def _collect_marks(path: Path, node: yaml.Node, at: tuple, marks: dict, line_offset: int, mark=None) -> None:
    """Record where each value is; a mapping's value is located at its key, where editors look for it."""
    mark = mark or node.start_mark
    marks[at] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in seen:
                raise LoadError(Problem(path, f"key '{name}' appears twice",
                                        key.start_mark.line + 1 + line_offset, key.start_mark.column + 1))
            seen.add(name)
            _collect_marks(path, value, (*at, name), marks, line_offset, key.start_mark)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(path, item, (*at, index), marks, line_offset)


def load_yaml(path: Path) -> Document:
    return parse_yaml(path, read_text(path))


def load_front_matter(path: Path) -> tuple[Document, str, int]:
    """Split a Markdown file into its YAML front matter and body; returns the body's first line number too."""
    text = read_text(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise LoadError(Problem(path, "missing front matter: the file must start with a '---' line", 1))
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise LoadError(Problem(path, "front matter is not closed by a '---' line", 1)) from None
    document = parse_yaml(path, "\n".join(lines[1:end]), line_offset=1)
    return document, "\n".join(lines[end + 1:]), end + 2


@dataclass(frozen=True)
class Sources:
    """Everything the build reads, parsed but not yet validated."""

    scale: Document | None
    articles: tuple  # (slug, front matter Document, body text, body's first line)
    claims: tuple  # (article slug, claim id, Document)
    problems: tuple[Problem, ...]
    claim_dirs: tuple[Path, ...]
    article_slugs: frozenset[str]  # every article file found, parsed or not


SCALE_FILE = "ratings.yaml"


def read_sources(content_dir: Path, claims_dir: Path) -> Sources:
    """Read every article, claim and the rating scale; a file that cannot be parsed becomes a Problem."""
    problems: list[Problem] = []

    def attempt(read, *args):
        try:
            return read(*args)
        except LoadError as error:
            problems.append(error.problem)
            return None

    scale = attempt(load_yaml, claims_dir / SCALE_FILE)
    articles = []
    article_paths = sorted(content_dir.glob("*.md"))
    for path in article_paths:
        loaded = attempt(load_front_matter, path)
        if loaded:
            articles.append((path.stem, *loaded))
    claims = []
    claim_dirs = tuple(sorted(p for p in claims_dir.iterdir() if p.is_dir())) if claims_dir.is_dir() else ()
    for folder in claim_dirs:
        for path in sorted(folder.iterdir()):
            if path.suffix == ".yml":
                problems.append(Problem(path, "claim files end in .yaml, not .yml"))
            elif path.suffix == ".yaml":
                document = attempt(load_yaml, path)
                if document:
                    claims.append((folder.name, path.stem, document))
    return Sources(scale, tuple(articles), tuple(claims), tuple(problems), claim_dirs,
                   frozenset(p.stem for p in article_paths))
