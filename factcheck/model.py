"""The publication as typed, immutable data. Everything after validation passes these, never dicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    path: Path
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def relative_to(self, root: Path) -> "Problem":
        """The same problem with its path shown from the project root, as editors see their files."""
        try:
            return replace(self, path=self.path.relative_to(root))
        except ValueError:
            return self

    def __str__(self) -> str:
        where = self.path.as_posix()
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Rating:
    key: str
    label: str
    kind: str  # "rating" or "annotation"
    description: str
    icon: str
    color: str
    ordinal: int | None = None

    @property
    def is_rating(self) -> bool:
        return self.kind == "rating"


@dataclass(frozen=True)
class Scale:
    ratings: tuple[Rating, ...]

    def __getitem__(self, key: str) -> Rating:
        return next(r for r in self.ratings if r.key == key)

    def __contains__(self, key: object) -> bool:
        return any(r.key == key for r in self.ratings)

    @property
    def best(self) -> int:
        return max(r.ordinal for r in self.ratings if r.ordinal is not None)

    @property
    def worst(self) -> int:
        return min(r.ordinal for r in self.ratings if r.ordinal is not None)


@dataclass(frozen=True)
class Source:
    url: str
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None
    excerpt: str | None = None
    archived_url: str | None = None
    archived: dt.date | None = None  # the archived copy's snapshot date
    found_dead: dt.date | None = None  # when `build.py sources --archive` found the link dead


@dataclass(frozen=True)
class Update:
    date: dt.date
    note: str  # Markdown
    previous_verdict: str | None = None  # set when the update records a verdict change


@dataclass(frozen=True)
class Span:
    """Where a quote sits in its article: paragraph index and character offsets in the normalised paragraph."""

    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class Claim:
    id: str
    article: str  # the article's slug
    path: Path
    quote: str
    claim: str
    verdict: str
    summary: str
    checked: dt.date
    analysis: str = ""
    sources: tuple[Source, ...] = ()
    updates: tuple[Update, ...] = ()
    occurrence: int | None = None  # which occurrence of the quote is meant, when it appears more than once

    @property
    def modified(self) -> dt.date:
        return max([self.checked, *(u.date for u in self.updates)])


@dataclass(frozen=True)
class Development:
    """A "what happened next" item on an article page."""

    date: dt.date
    summary: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]  # whitespace-normalised, in order
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    published: dt.date | None = None
    assessment: str = ""
    provenance: str = ""
    developments: tuple[Development, ...] = ()


@dataclass(frozen=True)
class Publication:
    scale: Scale
    articles: tuple[Article, ...]
    claims: tuple[Claim, ...]
    spans: dict  # (article slug, claim id) -> Span; built once by anchoring, read-only after

    @cached_property
    def _by_article(self) -> dict[str, tuple[Claim, ...]]:
        grouped: dict[str, list[Claim]] = {a.slug: [] for a in self.articles}
        for claim in self.claims:
            grouped[claim.article].append(claim)
        return {slug: tuple(claims) for slug, claims in grouped.items()}

    def claims_of(self, article: Article) -> tuple[Claim, ...]:
        return self._by_article[article.slug]

    @cached_property
    def article(self) -> dict[str, Article]:
        """Articles by slug."""
        return {a.slug: a for a in self.articles}
