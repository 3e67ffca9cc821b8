"""The publication as typed, immutable data. Everything after validation passes these, never dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, urlencode

CORRECTION_FORM = "correction.yml"  # .github/ISSUE_TEMPLATE/correction.yml: the "Report an error" form


@dataclass(frozen=True)
class EditorLogin:
    """How the web editor (/admin/, factcheck/cms.py) logs editors in, besides the repository it saves to."""

    auth_url: str | None = None  # CMS_AUTH_URL: the OAuth service that logs editors in to GitHub (README)
    site_domain: str | None = None  # CMS_SITE_DOMAIN: the site that service knows (Netlify's: its site's domain)
    local_backend: str | None = None  # CMS_LOCAL_BACKEND: decap-server's address, when not Decap's default (make edit)


@dataclass(frozen=True)
class Site:
    """Publication-wide settings, read from mkdocs.yml (and SITE_URL, REPO_URL, REPO_BRANCH) so they are
    configured once. Every address into the repository is built here."""

    name: str
    url: str  # site_url, ending in "/"
    publisher: str  # the organisation that publishes the fact-checks (ClaimReview author)
    publisher_url: str
    repo_url: str  # the repository holding content/ and claims/ at its top, without a trailing "/"
    repo_branch: str = "main"  # the branch the site is published from: edit links open files there
    editor: EditorLogin = EditorLogin()

    def commit_url(self, commit: str) -> str:
        return f"{self.repo_url}/commit/{commit}"

    def edit_url(self, path: str) -> str:
        """The repository's page for proposing a change to a file (GitHub: edit in the browser, then a pull
        request)."""
        return f"{self.repo_url}/edit/{quote(self.repo_branch)}/{quote(path)}"

    def history_url(self, path: str) -> str:
        """The repository's list of the commits that changed a file."""
        return f"{self.repo_url}/commits/{quote(self.repo_branch)}/{quote(path)}"

    def report_url(self, page_url: str) -> str:
        """A new issue from the correction form, its `claim` field filled with the page's address (GitHub issue
        forms take a field's value from the query parameter named after its id)."""
        return f"{self.repo_url}/issues/new?" + urlencode({"template": CORRECTION_FORM, "claim": page_url})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    An "error" stops the build; a "warning" is printed but lets a draft build (see factcheck/rules.py).
    """

    path: Path
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

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
    # Independent publishers a claim with this verdict must cite (ratings.yaml's `publishers`; 0 for annotations).
    publishers: int = 0

    @property
    def is_rating(self) -> bool:
        return self.kind == "rating"


@dataclass(frozen=True)
class Scale:
    ratings: tuple[Rating, ...]

    @cached_property
    def _by_key(self) -> dict[str, Rating]:
        return {r.key: r for r in self.ratings}

    def __getitem__(self, key: str) -> Rating:
        try:
            return self._by_key[key]
        except KeyError:  # validation never asks for one: a caller's mistake, said plainly
            raise KeyError(f"'{key}' is not in the rating scale ({', '.join(self._by_key)})") from None

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    @property
    def best(self) -> int:
        return max(r.ordinal for r in self.ratings if r.ordinal is not None)

    @property
    def worst(self) -> int:
        return min(r.ordinal for r in self.ratings if r.ordinal is not None)


@dataclass(frozen=True)
class Topic:
    key: str  # its page is topics/<key>/
    label: str
    description: str  # one line


@dataclass(frozen=True)
class Topics:
    """The topic vocabulary (claims/topics.yaml): the only topics a claim may carry."""

    topics: tuple[Topic, ...] = ()

    @cached_property
    def _by_key(self) -> dict[str, Topic]:
        return {t.key: t for t in self.topics}

    def __getitem__(self, key: str) -> Topic:
        try:
            return self._by_key[key]
        except KeyError:  # validation never asks for one (the schema lists the keys): a caller's mistake, said plainly
            raise KeyError(f"'{key}' is not a topic of the vocabulary ({', '.join(self._by_key)})") from None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.topics)


@dataclass(frozen=True)
class Claimant:
    """Who made a claim. Claimants are told apart by their exact name."""

    name: str
    kind: str = "person"  # "person" or "organization"; a claimant written as a bare name is a person
    url: str | None = None

    @property
    def schema_type(self) -> str:
        """Its schema.org type, for ClaimReview."""
        return "Organization" if self.kind == "organization" else "Person"


@dataclass(frozen=True)
class Source:
    url: str
    title: str | None = None
    # "address": the stored page shows no headline, so `title` is the headline its web address carries as a slug
    title_from: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    accessed: dt.date | None = None
    excerpt: str | None = None
    lang: str = "en"  # BCP 47 tag of the excerpt's language
    translation: str | None = None  # our English translation of a non-English excerpt
    archived_url: str | None = None
    archived: dt.date | None = None  # the archived copy's snapshot date
    found_dead: dt.date | None = None  # when `build.py sources --archive` found the link dead


@dataclass(frozen=True)
class Update:
    date: dt.date
    note: str  # Markdown
    number: int  # its place among the claim's updates, oldest first from 1
    previous: Rating | None = None  # the verdict it replaced, when the update records a verdict change

    @property
    def anchor(self) -> str:
        """The update's id on its claim's page (and in the corrections feed)."""
        return f"update-{self.number}"


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
    rating: Rating
    summary: str
    checked: dt.date
    analysis: str = ""
    sources: tuple[Source, ...] = ()
    updates: tuple[Update, ...] = ()
    occurrence: int | None = None  # which occurrence of the quote is meant, when it appears more than once
    claimant: Claimant | None = None  # named when the article relays someone else; see Article.default_claimant
    topics: tuple[Topic, ...] = ()

    @property
    def verdict(self) -> str:  # the scale key, for exports and messages
        return self.rating.key

    @property
    def modified(self) -> dt.date:
        return max([self.checked, *(u.date for u in self.updates)])

    # The permalink scheme, defined once: pages, links, feeds and exports all use these.
    @property
    def permalink(self) -> str:
        """The claim page's path from the site root."""
        return f"{self.article}/{self.id}/"

    @property
    def page_file(self) -> str:
        """The claim page's file in the generated docs folder."""
        return f"{self.article}/{self.id}/index.md"

    @property
    def passage_id(self) -> str:
        """The id of the claim's marked passage on its article page."""
        return f"claim-{self.id}"

    @property
    def source_file(self) -> str:
        """The claim's file from the top of the repository (edit links, its history)."""
        return f"claims/{self.article}/{self.id}.yaml"


@dataclass(frozen=True)
class Development:
    """A "what happened next" item on an article page."""

    date: dt.date
    summary: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """How much of an article was reviewed, sentence by sentence."""

    total: int
    checked: int  # sentences that hold a rated claim
    annotated: int  # sentences marked only as opinion or context
    unaccounted: tuple[tuple[int, str], ...]  # (paragraph index, sentence) of each sentence neither checked nor marked


@dataclass(frozen=True)
class Appearance:
    """Another place the article's text appeared."""

    url: str
    publisher: str
    note: str  # how the copy differs
    date: dt.date | None = None


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]  # whitespace-normalised, in order
    paragraph_lines: tuple[int, ...]  # the line in the file where each paragraph starts
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    published: dt.date | None = None
    assessment: str = ""
    provenance: str = ""
    developments: tuple[Development, ...] = ()
    appearances: tuple[Appearance, ...] = ()
    searched_until: dt.date | None = None  # coverage for "what happened next" was searched up to this day

    # The permalink scheme, as for claims: pages, links, share images and exports all use these.
    @property
    def permalink(self) -> str:
        """The article page's path from the site root."""
        return f"{self.slug}/"

    @property
    def page_file(self) -> str:
        """The article page's file in the generated docs folder."""
        return f"{self.slug}/index.md"

    @property
    def default_claimant(self) -> Claimant | None:
        """Who makes the claims that name no claimant: the article's author, or else its publisher."""
        if self.author:
            return Claimant(self.author, "person")
        return Claimant(self.publisher, "organization") if self.publisher else None

    @property
    def latest_development(self) -> dt.date | None:
        return max((d.date for d in self.developments if d.date), default=None)


@dataclass(frozen=True)
class FileChange:
    """One commit that changed a claim's file (read by factcheck/history.py)."""

    commit: str  # the full hash
    date: dt.date  # the commit's date (committer date, UTC)
    subject: str  # the first line of its message, with control and invisible characters escaped
    change: str  # "added", "changed" or "removed": what the commit did to the file
    verdict: str | None  # the verdict key in the file after the commit (None: removed, or not readable)
    previous: str | None  # ... and before it (None: added, or not readable)


@dataclass(frozen=True)
class History:
    """The record of changes to the claim files, from git.

    `state` is "complete" (the whole history of the branch being built), "shallow" (a shallow clone: the history
    is cut, so none is shown) or "unavailable" (not built from the top of a git repository)."""

    state: str
    changes: Mapping[str, tuple[FileChange, ...]] = field(default_factory=dict)  # by source_file, newest first
    uncommitted: frozenset[str] = frozenset()  # files whose working-tree content differs from the last commit

    @property
    def complete(self) -> bool:
        return self.state == "complete"

    def of(self, path: str) -> tuple[FileChange, ...]:
        return self.changes.get(path, ())


@dataclass(frozen=True)
class Publication:
    scale: Scale
    articles: tuple[Article, ...]
    claims: tuple[Claim, ...]
    spans: dict  # (article slug, claim id) -> Span; built once by anchoring, read-only after
    history: History = field(default_factory=lambda: History("unavailable"))
    topics: Topics = Topics()

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

    def claimant_of(self, claim: Claim) -> Claimant | None:
        return claim.claimant or self.article[claim.article].default_claimant
