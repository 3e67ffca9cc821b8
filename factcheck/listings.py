"""Browse the archive: the claims of each claimant, topic and verdict, newest first, in pages of at most 100.

Pure: the publication in, listings out; render.Renderer renders their pages (templates/listing.md.j2, and
templates/listing-index.md.j2 for the index of each kind). A listing's date is when its claim was made: the date
its article appeared (the claim's checked date when the article has none); claims of the same date keep the order
of the home page's articles and, within an article, reading order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from slugify import slugify

from .model import Claim, Claimant, Publication, Rating, Topic

PAGE_SIZE = 100  # claims a page: a long list stays quick to load and to read with a screen reader
RADIUS = 2  # page numbers linked on each side of the current page; the first and last are always linked
KINDS = ("claimants", "topics", "verdicts")  # each kind's folder in the site


@lru_cache(maxsize=8192)  # the same few hundred names, asked for on every preview refresh
def claimant_slug(name: str) -> str:
    """A claimant's address: lowercase ASCII words joined by hyphens, other scripts transliterated ("Recep
    Tayyip Erdoğan" → recep-tayyip-erdogan, "Владимир Путин" → vladimir-putin); a name without a letter or
    digit to keep gets one made from its hash."""
    return slugify(name, max_length=80, word_boundary=True) or (
        "claimant-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest())


def claimant_slugs(names) -> dict[str, str]:
    """Each distinct name's address. Different names with the same address (rules.claimant_addresses warns) are
    told apart by a number, in the names' order: "Tom Barrack" → tom-barrack, "Tom-Barrack" → tom-barrack-2."""
    by_slug: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_slug.setdefault(claimant_slug(name), []).append(name)
    taken, found = set(by_slug), {}
    for slug, group in by_slug.items():
        found[group[0]] = slug
        number = 2
        for name in group[1:]:
            while f"{slug}-{number}" in taken:
                number += 1
            found[name] = f"{slug}-{number}"
            taken.add(found[name])
    return found


@lru_cache(maxsize=8192)
def spelling(name: str) -> str:
    """A name without case, accents or spacing: two names with the same spelling are probably one claimant."""
    return "".join(c for c in unicodedata.normalize("NFKD", name)
                   if not unicodedata.combining(c) and not c.isspace()).casefold()


@dataclass(frozen=True)
class Row:
    """One claim in a listing: what its line shows."""

    rating: Rating
    claim: str
    permalink: str  # the claim's page, from the site root
    article: str  # the article's slug (its page is <slug>/)
    article_title: str
    date: dt.date


@dataclass(frozen=True)
class Listing:
    """The claims of one claimant, topic or verdict (without the rows, so that an index compares cheaply)."""

    kind: str  # one of KINDS
    key: str  # its folder: KIND/KEY/
    title: str
    subject: Claimant | Topic | Rating
    scorecard: tuple[tuple[Rating, int], ...]  # in the scale's order, verdicts with no claim left out
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


@dataclass(frozen=True)
class ListingPage:
    listing: Listing
    number: int  # from 1
    rows: tuple[Row, ...]

    @property
    def file(self) -> str:
        """Page 1 is KIND/KEY/, the next ones KIND/KEY/page/N/ (each a folder's index.md, like its URL, so that
        links in its HTML are relative to the same place for MkDocs and Zensical)."""
        base = f"{self.listing.kind}/{self.listing.key}/"
        return base + ("index.md" if self.number == 1 else f"page/{self.number}/index.md")

    @property
    def root(self) -> str:
        """The relative link from this page to the site's root."""
        return "../../" if self.number == 1 else "../../../../"

    def href(self, number: int) -> str:
        """The relative link from this page to page `number` of the same listing."""
        up = "" if self.number == 1 else "../../"
        return (up + (f"page/{number}/" if number > 1 else "")) or "./"

    @property
    def first(self) -> int:
        """The position in the listing of this page's first claim (from 1)."""
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def numbers(self) -> tuple[int | None, ...]:
        """The page numbers to link, None where a run of them is left out: 1 … 8 9 [10] 11 12 … 40."""
        return page_numbers(self.number, self.listing.pages)


def page_numbers(current: int, last: int, radius: int = RADIUS) -> tuple[int | None, ...]:
    shown = sorted({1, last, *range(max(1, current - radius), min(last, current + radius) + 1)})
    numbers: list[int | None] = []
    for previous, number in zip([0, *shown], shown):
        if number - previous == 2:  # a gap of one page: show the page rather than an ellipsis standing for it
            numbers.append(number - 1)
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
    return tuple(numbers)


@dataclass(frozen=True)
class Archive:
    """Every listing of the publication, by kind, each with its rows; and each claimant's address."""

    listings: dict[str, tuple[tuple[Listing, tuple[Row, ...]], ...]]
    claimant_slugs: dict[str, str]

    def pages(self) -> list[ListingPage]:
        return [ListingPage(listing, number, rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE])
                for entries in self.listings.values() for listing, rows in entries
                for number in range(1, listing.pages + 1)]


def archive(publication: Publication, in_order: tuple[Claim, ...]) -> Archive:
    """The listings of `publication`, whose claims `in_order` lists in the home page's order of articles and each
    article's reading order."""
    scale = publication.scale
    dated = []
    for claim in in_order:
        article = publication.article[claim.article]
        dated.append((claim, Row(claim.rating, claim.claim, claim.permalink, article.slug, article.title,
                                 article.published or claim.checked)))
    dated.sort(key=lambda pair: pair[1].date, reverse=True)  # stable: equal dates keep their order

    def listing(kind: str, key: str, title: str, subject, claims: list[tuple[Claim, Row]]):
        counts = {}
        for claim, _ in claims:
            counts[claim.rating.key] = counts.get(claim.rating.key, 0) + 1
        scorecard = tuple((r, counts[r.key]) for r in scale.ratings if r.key in counts)
        return Listing(kind, key, title, subject, scorecard, len(claims)), tuple(row for _, row in claims)

    by_claimant: dict[str, list] = {}
    by_topic: dict[str, list] = {topic.key: [] for topic in publication.topics.topics}
    by_verdict: dict[str, list] = {rating.key: [] for rating in scale.ratings}
    for pair in dated:
        if claimant := publication.claimant_of(pair[0]):
            by_claimant.setdefault(claimant.name, []).append(pair)
        for topic in pair[0].topics:
            by_topic[topic.key].append(pair)
        by_verdict[pair[0].rating.key].append(pair)
    details: dict[str, Claimant] = {}  # where spellings of one name differ in type or url, the first file's
    for claim in publication.claims:
        if (claimant := publication.claimant_of(claim)) and claimant.name not in details:
            details[claimant.name] = claimant
    slugs = claimant_slugs(by_claimant)
    names = sorted(by_claimant, key=lambda name: (spelling(name), name))
    return Archive({
        "claimants": tuple(listing("claimants", slugs[name], name, details[name], by_claimant[name]) for name in names),
        "topics": tuple(listing("topics", topic.key, topic.label, topic, by_topic[topic.key])
                        for topic in publication.topics.topics),
        "verdicts": tuple(listing("verdicts", rating.key, rating.label, rating, by_verdict[rating.key])
                          for rating in scale.ratings),
    }, slugs)
