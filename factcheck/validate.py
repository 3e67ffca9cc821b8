"""Check everything that was read, collect every problem, and build the typed publication."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING
from dataclasses import replace
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

import fastjsonschema

from . import anchor, answers, archives, characters, cores, rules
from .fields import SCHEMA_DIR
from .icons import icon_file
from .load import Document, FrontMatter, Sources, field_path, load_yaml, parse_yaml, read_file, values_at
from .memo import Once, fresh
from .model import (Appearance, Article, Claim, Claimant, Development, Problem, Rating, Scale, Source, Topic, Topics,
                    Update)

if TYPE_CHECKING:  # jsonschema is imported when a document has errors to report (see _Validator)
    from jsonschema import Draft202012Validator

CLAIM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")  # \Z: "$" would accept a name ending in a line break
# Messages for the schema's patterns, keyed by the pattern's description in the schema.
PATTERN_MESSAGES = {
    "YYYY-MM-DD": "is not a date written YYYY-MM-DD",
    "An http(s) URL with a host.": "is not an http(s) URL with a host",
    "Non-blank text.": "must not be blank",
}


TOPIC = "A key of claims/topics.yaml."  # the description of the claim schema's topic list


def _schemas(once: Once = fresh, topics: tuple[str, ...] | None = None) -> dict[str, _Validator]:
    """The schemas compiled (a tenth of a second: the preview compiles them again only when one changed); with
    `topics`, only the claim schema, its topic list replaced by that vocabulary.

    The list in the file is the real publication's (a test keeps it equal to claims/topics.yaml), for editors'
    autocompletion; the build checks a publication's claims against its own claims/topics.yaml, so a publication
    with another vocabulary (the test fixtures, the benchmark's) validates too."""
    texts = tuple(sorted((p.name, p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")))

    def compile_all() -> dict[str, _Validator]:
        resources = {name: json.loads(text) for name, text in texts}
        if topics is not None:
            resources["claim.schema.json"]["$defs"]["topic"]["enum"] = list(topics)
        names = list(resources) if topics is None else ["claim.schema.json"]
        return {name.split(".")[0]: _Validator(resources[name], resources) for name in names}

    return once(("schemas",) if topics is None else ("schemas", "with topics"), (texts, topics), compile_all)


class _Validator:
    """Validity first from fastjsonschema (the schema compiled to Python code: fast, and almost every document
    is valid), then, for a document that is not, every error from jsonschema, whose error objects carry the
    path and keyword that editors' messages are made from. jsonschema is set up only when needed."""

    def __init__(self, schema: dict, resources: dict):
        self.schema, self.resources = schema, resources
        self._validator = None

    @cached_property
    def is_valid(self):
        """Compiled when first used: a build checks claims against the claim schema with the publication's topics,
        and uses the plain one only for its definitions."""
        # Schemas refer to each other by file name ("claim.schema.json#/$defs/text"): resolve from `resources`.
        return fastjsonschema.compile(self.schema, handlers={"": lambda uri: self.resources[uri.partition("#")[0]]},
                                      use_default=False)

    def iter_errors(self, instance):
        try:
            self.is_valid(instance)
            return iter(())
        except fastjsonschema.JsonSchemaException:
            return self.validator.iter_errors(instance)

    @property
    def validator(self) -> Draft202012Validator:
        if self._validator is None:
            from jsonschema import Draft202012Validator
            from referencing import Registry, Resource
            registry = Registry().with_resources(
                (name, Resource.from_contents(schema)) for name, schema in self.resources.items())
            self._validator = Draft202012Validator(self.schema, registry=registry)
        return self._validator


def schema_problems(document: Document, validator: Draft202012Validator) -> list[Problem]:
    """Every schema error in a document, each at the line of the value it concerns."""
    problems, refused = [], set()
    errors = _specific(validator.iter_errors(document.data))
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        at = tuple(error.absolute_path)
        refused.add(at)
        field = field_path(at)
        if error.validator == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            for key in [k for k in error.instance if k not in allowed]:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                message = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else
                                                    f"; allowed keys: {', '.join(allowed)}")
                problems.append(document.problem(message, (*at, key)))
            continue
        if error.validator == "required":
            message = f"missing required key {error.message.split(' is a required')[0]}" + (f" in {field}" if field else "")
        elif error.validator == "enum" and error.schema.get("description") == TOPIC:
            keys = list(map(str, error.validator_value))
            hint = difflib.get_close_matches(str(error.instance), keys, n=1)
            message = f"{field}: {_shown(error.instance)} is not a topic of claims/topics.yaml" + (
                f" (did you mean '{hint[0]}'?)" if hint else f" ({', '.join(keys[:20]) or 'it lists none'})")
        elif error.validator == "enum":
            message = f"{field}: {_shown(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
        elif error.validator in ("anyOf", "oneOf"):  # the value has none of the alternatives' types
            types = [s.validator_value for s in error.context if s.validator == "type" and not s.relative_path]
            message = f"{field}: {_shown(error.instance)} is not of type {' or '.join(map(repr, types))}"
        elif error.validator == "pattern" and error.schema.get("description") in PATTERN_MESSAGES:
            message = f"{field}: {_shown(error.instance)} {PATTERN_MESSAGES[error.schema['description']]}"
        elif error.validator == "maxLength":
            message = f"{field}: {len(error.instance):,} characters; the limit is {error.validator_value:,}"
        elif error.validator == "type":
            message = f"{field}: {_shown(error.instance)} is not of type '{error.validator_value}'"
        else:  # jsonschema's own words may quote the whole value: never more than a snippet of it
            message = f"{field}: {characters.snippet(error.message, 200)}"
        problems.append(document.problem(message, at))
    # JSON Schema's "integer" accepts 1.0, which later stages would use as a count or an index: no field takes a
    # decimal, so a whole number written as one is refused here (where the schema found nothing else wrong).
    problems += [document.problem(f"{field_path(at)}: {value!r} is not a whole number; write {int(value)}", at)
                 for at, value in _floats(document.data) if value.is_integer() and at not in refused]
    return problems


def _specific(errors):
    """Errors with a value that matches none of a schema's alternatives (anyOf) replaced by the errors of the one
    alternative of its type, when there is one: a claimant written as a mapping gets the mapping's errors, each
    at its key, rather than "not valid under any of the given schemas"."""
    for error in errors:
        if error.validator in ("anyOf", "oneOf"):
            branches: dict = {}
            for sub in error.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            typed = [subs for subs in branches.values()
                     if not any(s.validator == "type" and not s.relative_path for s in subs)]
            if len(typed) == 1:
                yield from _specific(typed[0])
                continue
        yield error


def _floats(data) -> list[tuple[tuple, float]]:
    """(path, value) of every decimal number in a document (each list and mapping visited once)."""
    found, todo, seen = [], [((), data)], set()
    while todo:
        at, value = todo.pop()
        if isinstance(value, float):
            found.append((at, value))
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            todo += [((*at, k), v) for k, v in (value.items() if isinstance(value, dict) else enumerate(value))]
    return sorted(found, key=lambda item: [str(step) for step in item[0]])


def _shown(value: object) -> str:
    """A value as a message shows it: repr-like, short and escaped."""
    return characters.snippet(repr(value) if not isinstance(value, str) else f"'{value}'", 80)


_SPACE = re.compile(r"\s")  # what str.isspace() calls white space, found at C speed


def url_problem(url: str) -> str | None:
    """What is wrong with a URL a reader will open, or None. The schema has checked it starts http(s)://."""
    if _SPACE.search(url) or characters.forbidden(url).search(url):
        return "contains white space, control or invisible characters"
    if "\\" in url:
        return "contains a backslash (browsers read it as '/', so the link would open another address)"
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return ("has user information before the host ('https://trusted.example@other.example/' shows one host "
                "and opens another)")
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        return "has an invalid port"
    if not host:
        return "has no host"
    if not host.isascii():
        return "has a non-ASCII host: write it in its xn-- form, so readers see which site it opens"
    return None


MAX_BRACKETS = 100  # Python-Markdown's link search grows with the square of unmatched '[': far more than any note needs
# List and quote markers stacked at the start of a line: Python-Markdown nests them recursively.
_NESTED = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|>)[ \t]+){10}", re.M)


def markdown_problem(text: str) -> str | None:
    """What would make an editor's Markdown slow or impossible to render, or None."""
    if text.count("[") > MAX_BRACKETS:
        return f"has {text.count('['):,} '[' characters; Markdown fields may have at most {MAX_BRACKETS}"
    if found := _NESTED.search(text):
        return f"nests lists or quotes more than 9 levels deep on one line ({characters.snippet(found.group(), 30)})"
    return None


MARKDOWN_FIELDS = {"claim": (("analysis",), ("updates", "*", "note")), "article": (("assessment",), ("provenance",))}


def _markdown_problems(document: Document, kind: str) -> list[Problem]:
    problems = []
    for pattern in MARKDOWN_FIELDS[kind]:
        for at, value in values_at(document.data, pattern):
            if not isinstance(value, str):
                continue
            if wrong := markdown_problem(value):
                problems.append(document.problem(f"{field_path(at)}: {wrong}", at))
            elif "](" in value or "]:" in value or "<" in value:
                # inline links and images have "](", reference-style ones a "[name]: url" definition, autolinks "<"
                problems += [document.problem(f"{field_path(at)}: the link {_shown(link)} {wrong}", at)
                             for link in _markdown_links(value) if (wrong := link_problem(link))]
    return problems


def _markdown_links(text: str) -> list[str]:
    from .markdown_text import markdown_links  # the pages' own converter; Python-Markdown loaded only when needed
    return markdown_links(text)


def link_problem(link: str) -> str | None:
    """What is wrong with a link in editors' Markdown: the rules of `url` fields, or an in-page #anchor."""
    if link.startswith("#"):
        return None
    if not link.lower().startswith(("http://", "https://")):
        return ("is not an http(s) URL with a host (a link in Markdown is https://... or an in-page #anchor; "
                "'//host' and relative addresses are not)")
    return url_problem(link)


class _Checker:
    """Turns documents into model objects, recording problems instead of raising, so all are reported at once."""

    def __init__(self, today: dt.date):
        self.today = today
        self.problems: list[Problem] = []

    def rating(self, document: Document, at: tuple, key: str | None, scale: Scale) -> Rating | None:
        if key is None:
            return None
        if key not in scale:
            self.problems.append(document.problem(
                f"{field_path(at)}: '{characters.snippet(key)}' is not in the rating scale "
                f"({', '.join(r.key for r in scale.ratings)})", at))
            return None
        return scale[key]

    def date(self, document: Document, at: tuple, value: str | None) -> dt.date | None:
        if value is None:
            return None
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.problems.append(document.problem(f"{field_path(at)}: {value!r} is not a real date", at))
            return None
        if parsed > self.today:
            self.problems.append(document.problem(
                f"{field_path(at)}: {value} is in the future (today is {self.today})", at))
        return parsed

    def url(self, document: Document, at: tuple, url: str | None) -> None:
        if url is not None and (wrong := url_problem(url)):
            self.problems.append(document.problem(f"{field_path(at)}: {_shown(url)} {wrong}", at))

    def sources(self, document: Document, at: tuple, items: list) -> tuple[Source, ...]:
        """The sources listed at `at` (a path of load.SOURCE_LISTS), each checked by the editorial source rules."""
        result, seen = [], set()
        for index, item in enumerate(items):
            here = (*at, index)
            if item["url"] in seen:
                self.problems.append(document.problem(f"source url {item['url']} is listed twice", (*here, "url")))
            seen.add(item["url"])
            result.append(self.source(document, here, item))
            self.problems += [document.problem(f"{field_path(here)}: {message}", (*here, *where))
                              for message, where in rules.source_findings(result[-1])]
        return tuple(result)

    def source(self, document: Document, here: tuple, item: dict) -> Source:
        """One source mapping as a Source, its addresses and dates checked (the editorial rules are `sources`')."""
        for key in ("url", "archived_url"):
            self.url(document, (*here, key), item.get(key))
        if message := archives.archived_url_problem(item.get("archived_url")):
            self.problems.append(document.problem(message, (*here, "archived_url")))
        return Source(
            url=item["url"], title=item.get("title"), title_from=item.get("title_from"),
            publisher=item.get("publisher"),
            published=self.date(document, (*here, "published"), item.get("published")),
            accessed=self.date(document, (*here, "accessed"), item.get("accessed")),
            excerpt=item.get("excerpt"), lang=item.get("lang", "en"), translation=item.get("translation"),
            archived_url=item.get("archived_url"),
            archived=self.date(document, (*here, "archived"), item.get("archived")),
            found_dead=self.date(document, (*here, "found_dead"), item.get("found_dead")))


@lru_cache(maxsize=1)
def _source_validator() -> _Validator:
    return _Validator({"$ref": "claim.schema.json#/$defs/source"}, _schemas()["claim"].resources)


def source_problems(item: dict, today: dt.date) -> list[str]:
    """Why the build would refuse one source mapping (a claim's or a development's) for its fields, as messages;
    empty when it would accept them. `build.py sources --archive` checks every value it writes with this, before
    writing it. The editorial rules (excerpt, translation, language, title) judge fields the archiver never writes,
    and are left out: the link checker never loads the language identifier."""
    document = Document(Path("source"), item, {})
    checker = _Checker(today)
    problems = schema_problems(document, _source_validator())
    if not problems:
        checker.source(document, (), item)
    return [p.message for p in problems + checker.problems]


def build_scale(document: Document, validator: Draft202012Validator) -> tuple[Scale | None, list[Problem]]:
    problems = schema_problems(document, validator)
    if problems:
        return None, problems
    ratings = []
    for index, item in enumerate(document.data["ratings"]):
        rating = Rating(**{"publishers": 1 if item["kind"] == "rating" else 0, **item})
        if any(r.key == rating.key for r in ratings):
            problems.append(document.problem(f"rating key '{rating.key}' appears twice", ("ratings", index, "key")))
        if rating.ordinal is not None and not rating.is_rating:
            problems.append(document.problem(f"'{rating.key}' is an annotation: annotations have no ordinal",
                                             ("ratings", index, "ordinal")))
        if rating.publishers and not rating.is_rating:
            problems.append(document.problem(f"'{rating.key}' is an annotation: annotations need no sources",
                                             ("ratings", index, "publishers")))
        if not icon_file(rating.icon).is_file():
            problems.append(document.problem(f"unknown icon '{rating.icon}' (see Material's icon search)",
                                             ("ratings", index, "icon")))
        ratings.append(rating)
    if not any(r.ordinal for r in ratings):
        problems.append(document.problem("at least one rating needs an ordinal value", ("ratings",)))
    return Scale(tuple(ratings)), problems


def build_topics(document: Document, validator: Draft202012Validator) -> tuple[Topics | None, list[Problem]]:
    problems = schema_problems(document, validator)
    if problems:
        return None, problems
    topics: list[Topic] = []
    for index, item in enumerate(document.data["topics"]):
        if any(t.key == item["key"] for t in topics):
            problems.append(document.problem(f"topic key '{item['key']}' appears twice", ("topics", index, "key")))
        topics.append(Topic(**item))
    return Topics(tuple(topics)), problems


def build_article(slug: str, front_matter: FrontMatter, validator, checker: _Checker):
    document = front_matter.document
    problems = schema_problems(document, validator) or _markdown_problems(document, "article")
    if not CLAIM_ID.match(slug):
        problems.append(Problem(document.path, "article file names are lowercase letters, digits and hyphens"))
    paras, lines = anchor.paragraphs_and_lines(front_matter.body, front_matter.body_line)
    if not paras:
        problems.append(Problem(document.path, "the article has no text after its front matter",
                                front_matter.body_line))
    if problems:
        checker.problems.extend(problems)
        return None
    data = document.data
    developments = tuple(
        Development(date=checker.date(document, ("next", i, "date"), item["date"]), summary=item["summary"],
                    sources=checker.sources(document, ("next", i, "sources"), item["sources"]))
        for i, item in enumerate(data.get("next", [])))
    checker.url(document, ("url",), data.get("url"))
    appearances = tuple(
        Appearance(url=item["url"], publisher=item["publisher"], note=item["note"],
                   date=checker.date(document, ("appearances", i, "date"), item.get("date")))
        for i, item in enumerate(data.get("appearances", [])))
    for i, item in enumerate(appearances):
        checker.url(document, ("appearances", i, "url"), item.url)
    article = Article(
        slug=slug, path=document.path, title=data["title"], paragraphs=paras, paragraph_lines=lines,
        publisher=data.get("publisher"),
        author=data.get("author"), url=data.get("url"),
        published=checker.date(document, ("published",), data.get("published")),
        assessment=data.get("assessment", ""), provenance=data.get("provenance", ""),
        developments=tuple(sorted(developments, key=lambda d: d.date or dt.date.min)), appearances=appearances,
        searched_until=checker.date(document, ("searched_until",), data.get("searched_until")))
    return article


def build_claimant(document: Document, value, checker: _Checker) -> Claimant | None:
    """A claimant written as a bare name (a person) or as a mapping with name, type and url."""
    if value is None:
        return None
    if isinstance(value, str):
        return Claimant(value)
    checker.url(document, ("claimant", "url"), value.get("url"))
    return Claimant(value["name"], value["type"], value.get("url"))


def build_claim(slug: str, claim_id: str, document: Document, validator, scale: Scale, topics: Topics,
                checker: _Checker):
    problems = schema_problems(document, validator) or _markdown_problems(document, "claim")
    if not CLAIM_ID.match(claim_id):
        problems.append(Problem(document.path, "claim file names are lowercase letters, digits and hyphens"))
    if problems:
        checker.problems.extend(problems)
        return None
    data = document.data
    rating = checker.rating(document, ("verdict",), data["verdict"], scale)
    updates = tuple(
        Update(date=checker.date(document, ("updates", i, "date"), u["date"]), note=u["note"], number=0,
               previous=checker.rating(document, ("updates", i, "previous_verdict"), u.get("previous_verdict"), scale))
        for i, u in enumerate(data.get("updates", [])))
    updates = tuple(replace(u, number=n) for n, u in enumerate(
        sorted(updates, key=lambda u: u.date or dt.date.min), start=1))
    if rating is None:
        return None
    claim = Claim(
        id=claim_id, article=slug, path=document.path, quote=data["quote"], claim=data["claim"], rating=rating,
        summary=data["summary"], checked=checker.date(document, ("checked",), data["checked"]),
        analysis=data.get("analysis", ""), sources=checker.sources(document, ("sources",), data.get("sources", [])),
        updates=updates, occurrence=data.get("occurrence"),
        claimant=build_claimant(document, data.get("claimant"), checker),
        topics=tuple(topics[key] for key in data.get("topics", ())))
    checker.problems.extend(document.problem(message, at) for message, at in rules.claim_findings(claim))
    return claim


def _checked(once: Once, key: tuple, inputs: tuple, checker: _Checker, build):
    """`build(checker)`, asked of `once`: its result, and its problems added to the checker's."""
    def run():
        own = _Checker(checker.today)
        return build(own), tuple(own.problems)

    result, problems = once(key, inputs, run)
    checker.problems.extend(problems)
    return result


def _claims_on_every_core(sources: Sources, validator: _Validator | None, scale: Scale | None, topics: Topics | None,
                          article_slugs: set[str], checker: _Checker) -> tuple[Claim, ...]:
    """The claim files a build left unread (sources.unread_claims), read and checked in forked workers, in order,
    rather than one after the other here: each worker sends back the claim, its problems and the answers it found
    for the caches (language, form), never the parsed document. Without a validator (a broken scale or topic
    vocabulary), or in a folder with no article, a claim file is only read, as the other stages read theirs."""
    global _job
    _job = (sources.unread_claims, sources.form, validator, scale, topics, article_slugs, checker.today)
    try:
        claims = []
        for claim, problems, found in cores.imap(_check_claim_file, list(range(len(sources.unread_claims)))):
            checker.problems.extend(problems)
            answers.learn(found)
            if claim:
                claims.append(claim)
        return tuple(claims)
    finally:
        _job = None


_job: tuple | None = None  # what the forked workers read (_claims_on_every_core)


def _check_claim_file(index: int) -> tuple[Claim | None, list[Problem], tuple]:
    files, form, validator, scale, topics, article_slugs, today = _job
    slug, claim_id, path = files[index]
    document, problems = read_file(path, parse_yaml, form)
    claim = None
    if document and validator is not None and slug in article_slugs:
        own = _Checker(today)
        claim = build_claim(slug, claim_id, document, validator, scale, topics, own)
        problems += own.problems
    return claim, problems, answers.found_since()


def _where(document: Document, at: tuple) -> str:
    """Where a value is, as the editor's file list shows it (claims/<slug>/<id>.yaml:LINE, content/<slug>.md:LINE)."""
    path = document.path
    shown = "/".join(path.parts[-3:] if path.parent.parent.name == "claims" else path.parts[-2:])
    return f"{shown}:{line}" if (line := (document.where(at) or (None,))[0]) else shown


def _publication_problems(sources: Sources, claims: tuple[Claim, ...], articles: tuple[Article, ...], topics: Topics,
                          once: Once) -> list[Problem]:
    """The rules across files, each finding a warning at the line of the field it names (and its message naming
    the other files at theirs): the rules judge model objects, the documents say where each was written."""
    remarks = once(("publication rules",), (claims, articles, topics),
                   lambda: tuple(rules.publication_findings(claims, articles, topics)))
    if not remarks:
        return []
    documents = {document.path: document for *_, document in sources.claims}
    documents.update((front_matter.document.path, front_matter.document) for _, front_matter in sources.articles)

    def document_of(subject) -> Document:
        if isinstance(subject, Topics):
            return sources.topics
        if subject.path not in documents:  # a claim checked in a worker (sources.unread_claims): read it again
            found = load_yaml(subject.path)
            documents[subject.path] = found if isinstance(found, Document) else Document(subject.path, None, {})
        return documents[subject.path]

    def text(part) -> str:
        return part if isinstance(part, str) else _where(document_of(part[0]), part[1])

    return [document_of(subject).problem("".join(map(text, message)), at, "warning")
            for subject, message, at in remarks]


def validate(sources: Sources, today: dt.date, once: Once = fresh) -> tuple[
        Scale | None, Topics, tuple[Article, ...], tuple[Claim, ...], list[Problem]]:
    """Everything that can be checked before anchoring: schema, dates, sources, scale, topics, folders, and the
    rules across files (rules.publication_findings).

    Each file is checked through `once` (factcheck/memo.py), so the preview checks again only a file whose parsed
    document changed. A build's claim files, which it leaves unread (load.read_sources), are read and checked here
    on every core."""
    validators = _schemas(once)
    checker = _Checker(today)
    checker.problems.extend(sources.problems)

    def vocabulary(kind: str, document: Document, validator, make):
        """The scale or the topics: `make(document, validator)` gives the result and its problems."""
        def build(own):
            built, problems = make(document, validator)
            own.problems.extend(problems)
            return built
        return _checked(once, (kind,), (document, validator), checker, build)

    scale = None if sources.scale is None else vocabulary("scale", sources.scale, validators["ratings"], build_scale)
    topics: Topics | None = Topics()  # without claims/topics.yaml, claims carry no topics
    if sources.topics_unreadable:
        topics = None  # (its problems say why)
    elif sources.topics is not None:
        topics = vocabulary("topics", sources.topics, validators["topics"], build_topics)
    articles = tuple(a for a in (
        _checked(once, ("article", slug), (front_matter, validators["article"], today), checker,
                    lambda own, slug=slug, fm=front_matter: build_article(slug, fm, validators["article"], own))
        for slug, front_matter in sources.articles) if a)
    article_slugs = {slug for slug, *_ in sources.articles}
    for folder in sources.claim_dirs:
        if folder.name not in sources.article_slugs:
            checker.problems.append(Problem(folder, f"claims folder has no article: expected content/{folder.name}.md"))
    # (A broken scale or vocabulary: its own errors say enough, and claims are only read.)
    validator = _schemas(once, topics.keys)["claim"] if scale is not None and topics is not None else None
    claims: tuple[Claim, ...] = ()
    if validator is not None:
        claims = tuple(c for c in (
            _checked(once, ("claim", slug, cid), (doc, validator, scale, topics, today), checker,
                     lambda own, s=slug, c=cid, d=doc: build_claim(s, c, d, validator, scale, topics, own))
            for slug, cid, doc in sources.claims if slug in article_slugs) if c)
    claims += _claims_on_every_core(sources, validator, scale, topics, article_slugs, checker)
    if validator is not None:
        checker.problems.extend(_publication_problems(sources, claims, articles, topics, once))
    # Claims of an article that failed validation are checked too, but only an accepted article is anchored.
    accepted = {a.slug for a in articles}
    return scale, topics or Topics(), articles, tuple(c for c in claims if c.article in accepted), checker.problems
