"""Check everything that was read, collect every problem, and build the typed publication."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import fastjsonschema

from .load import Document, Sources
from .model import Article, Claim, Development, Problem, Rating, Scale, Source, Update
from . import anchor, archives

if TYPE_CHECKING:  # jsonschema is imported when a document has errors to report (see _Validator)
    from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
CLAIM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Messages for the schema's patterns, keyed by the pattern's description in the schema.
PATTERN_MESSAGES = {
    "YYYY-MM-DD": "is not a date written YYYY-MM-DD",
    "An http(s) URL with a host.": "is not an http(s) URL with a host",
    "Non-blank text.": "must not be blank",
}


def _schemas() -> dict[str, _Validator]:
    resources = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.schema.json")}
    return {name.split(".")[0]: _Validator(schema, resources) for name, schema in resources.items()}


class _Validator:
    """Validity first from fastjsonschema (the schema compiled to Python code: fast, and almost every document
    is valid), then, for a document that is not, every error from jsonschema, whose error objects carry the
    path and keyword that editors' messages are made from. jsonschema is set up only when needed."""

    def __init__(self, schema: dict, resources: dict):
        self.schema, self.resources = schema, resources
        # Schemas refer to each other by file name ("claim.schema.json#/$defs/text"): resolve from `resources`.
        self.is_valid = fastjsonschema.compile(
            schema, handlers={"": lambda uri: resources[uri.partition("#")[0]]}, use_default=False)
        self._validator = None

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


def icon_file(name: str) -> Path:
    """The SVG file of a Material bundled icon such as 'material/check-circle'."""
    import material  # the theme package ships its icon set, the same one Material's :icon: shortcodes use
    return Path(material.__file__).parent / "templates" / ".icons" / f"{name}.svg"


# Control characters and lone UTF-16 surrogates (YAML's "\ud83d" escapes are not combined into one character):
# neither can be written as UTF-8 or XML.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def control_character_problems(document: Document) -> list[Problem]:
    """Control characters and surrogates (written as YAML escapes) would break the pages, feeds and exports."""
    problems, todo = [], [((), document.data)]
    while todo:
        at, value = todo.pop()
        if isinstance(value, dict):
            todo.extend(((*at, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(((*at, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and (found := CONTROL.search(value)):
            problems.append(document.problem(
                f"{'.'.join(map(str, at))}: control character U+{ord(found.group()):04X} is not allowed", at))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def schema_problems(document: Document, validator: Draft202012Validator) -> list[Problem]:
    """Every schema error in a document, each at the line of the value it concerns."""
    problems = []
    for error in sorted(validator.iter_errors(document.data), key=lambda e: [str(p) for p in e.absolute_path]):
        at = tuple(error.absolute_path)
        field = ".".join(str(p) for p in at)
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
        elif error.validator == "enum":
            message = f"{field}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
        elif error.validator == "pattern" and error.schema.get("description") in PATTERN_MESSAGES:
            message = f"{field}: {error.instance!r} {PATTERN_MESSAGES[error.schema['description']]}"
        else:
            message = f"{field}: {error.message}"
        problems.append(document.problem(message, at))
    return problems


class _Checker:
    """Turns documents into model objects, recording problems instead of raising, so all are reported at once."""

    def __init__(self, today: dt.date):
        self.today = today
        self.problems: list[Problem] = []

    def date(self, document: Document, at: tuple, value: str | None) -> dt.date | None:
        if value is None:
            return None
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.problems.append(document.problem(f"{'.'.join(map(str, at))}: {value!r} is not a real date", at))
            return None
        if parsed > self.today:
            self.problems.append(document.problem(
                f"{'.'.join(map(str, at))}: {value} is in the future (today is {self.today})", at))
        return parsed

    def sources(self, document: Document, at: tuple, items: list) -> tuple[Source, ...]:
        result, seen = [], set()
        for index, item in enumerate(items):
            here = (*at, index)
            for key in ("url", "archived_url"):
                url = item.get(key)
                if url is not None and not urlsplit(url).hostname:
                    self.problems.append(document.problem(f"{key} {url!r} has no host", (*here, key)))
            if message := archives.archived_url_problem(item.get("archived_url")):
                self.problems.append(document.problem(message, (*here, "archived_url")))
            if item["url"] in seen:
                self.problems.append(document.problem(f"source url {item['url']} is listed twice", (*here, "url")))
            seen.add(item["url"])
            result.append(Source(
                url=item["url"], title=item.get("title"), publisher=item.get("publisher"),
                published=self.date(document, (*here, "published"), item.get("published")),
                accessed=self.date(document, (*here, "accessed"), item.get("accessed")),
                excerpt=item.get("excerpt"), archived_url=item.get("archived_url"),
                archived=self.date(document, (*here, "archived"), item.get("archived")),
                found_dead=self.date(document, (*here, "found_dead"), item.get("found_dead"))))
        return tuple(result)


def build_scale(document: Document, validator: Draft202012Validator) -> tuple[Scale | None, list[Problem]]:
    problems = schema_problems(document, validator)
    if problems:
        return None, problems
    ratings = []
    for index, item in enumerate(document.data["ratings"]):
        rating = Rating(**item)
        if any(r.key == rating.key for r in ratings):
            problems.append(document.problem(f"rating key '{rating.key}' appears twice", ("ratings", index, "key")))
        if rating.ordinal is not None and not rating.is_rating:
            problems.append(document.problem(f"'{rating.key}' is an annotation: annotations have no ordinal",
                                             ("ratings", index, "ordinal")))
        if not icon_file(rating.icon).is_file():
            problems.append(document.problem(f"unknown icon '{rating.icon}' (see Material's icon search)",
                                             ("ratings", index, "icon")))
        ratings.append(rating)
    if not any(r.ordinal for r in ratings):
        problems.append(document.problem("at least one rating needs an ordinal value", ("ratings",)))
    return Scale(tuple(ratings)), problems


def build_article(slug: str, document: Document, body: str, body_line: int, validator, checker: _Checker):
    problems = schema_problems(document, validator) + control_character_problems(document)
    if not CLAIM_ID.match(slug):
        problems.append(Problem(document.path, "article file names are lowercase letters, digits and hyphens"))
    paras = anchor.paragraphs(body)
    if not paras:
        problems.append(Problem(document.path, "the article has no text after its front matter", body_line))
    if found := CONTROL.search(body):
        line = body_line + body[:found.start()].count("\n")
        problems.append(Problem(document.path, f"control character U+{ord(found.group()):04X} is not allowed", line))
    if problems:
        checker.problems.extend(problems)
        return None
    data = document.data
    developments = tuple(
        Development(date=checker.date(document, ("next", i, "date"), item["date"]), summary=item["summary"],
                    sources=checker.sources(document, ("next", i, "sources"), item["sources"]))
        for i, item in enumerate(data.get("next", [])))
    return Article(
        slug=slug, path=document.path, title=data["title"], paragraphs=paras, publisher=data.get("publisher"),
        author=data.get("author"), url=data.get("url"),
        published=checker.date(document, ("published",), data.get("published")),
        assessment=data.get("assessment", ""), provenance=data.get("provenance", ""),
        developments=tuple(sorted(developments, key=lambda d: d.date or dt.date.min)))


def build_claim(slug: str, claim_id: str, document: Document, validator, scale: Scale, checker: _Checker):
    problems = schema_problems(document, validator) + control_character_problems(document)
    if not CLAIM_ID.match(claim_id):
        problems.append(Problem(document.path, "claim file names are lowercase letters, digits and hyphens"))
    if problems:
        checker.problems.extend(problems)
        return None
    data = document.data
    verdict = data["verdict"]
    if verdict not in scale:
        checker.problems.append(document.problem(
            f"verdict: '{verdict}' is not in the rating scale ({', '.join(r.key for r in scale.ratings)})",
            ("verdict",)))
    elif scale[verdict].is_rating and not data.get("sources"):
        checker.problems.append(document.problem(
            f"verdict '{verdict}' is a rating and needs at least one source", ("verdict",)))
    updates = tuple(
        Update(date=checker.date(document, ("updates", i, "date"), u["date"]), note=u["note"],
               previous_verdict=u.get("previous_verdict"))
        for i, u in enumerate(data.get("updates", [])))
    for i, update in enumerate(updates):
        if update.previous_verdict is not None and update.previous_verdict not in scale:
            checker.problems.append(document.problem(
                f"updates.{i}.previous_verdict: '{update.previous_verdict}' is not in the rating scale",
                ("updates", i, "previous_verdict")))
    return Claim(
        id=claim_id, article=slug, path=document.path, quote=data["quote"], claim=data["claim"], verdict=verdict,
        summary=data["summary"], checked=checker.date(document, ("checked",), data["checked"]),
        analysis=data.get("analysis", ""), sources=checker.sources(document, ("sources",), data.get("sources", [])),
        updates=tuple(sorted(updates, key=lambda u: u.date or dt.date.min)), occurrence=data.get("occurrence"))


def validate(sources: Sources, today: dt.date) -> tuple[Scale | None, tuple[Article, ...], tuple[Claim, ...],
                                                         list[Problem]]:
    """Everything that can be checked before anchoring: schema, dates, sources, scale, folders."""
    validators = _schemas()
    checker = _Checker(today)
    checker.problems.extend(sources.problems)
    scale = None
    if sources.scale is not None:
        scale, problems = build_scale(sources.scale, validators["ratings"])
        checker.problems.extend(problems)
    articles = tuple(a for a in (build_article(slug, doc, body, line, validators["article"], checker)
                                 for slug, doc, body, line in sources.articles) if a)
    article_slugs = {slug for slug, *_ in sources.articles}
    for folder in sources.claim_dirs:
        if folder.name not in sources.article_slugs:
            checker.problems.append(Problem(folder, f"claims folder has no article: expected content/{folder.name}.md"))
    claims = ()
    if scale is not None:
        claims = tuple(c for c in (build_claim(slug, cid, doc, validators["claim"], scale, checker)
                                   for slug, cid, doc in sources.claims if slug in article_slugs) if c)
    # Claims of an article that failed validation are checked too, but only an accepted article is anchored.
    accepted = {a.slug for a in articles}
    return scale, articles, tuple(c for c in claims if c.article in accepted), checker.problems
