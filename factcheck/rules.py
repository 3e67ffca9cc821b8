"""The newsroom's editorial rules, checked by the build and reported like every other problem.

One small function per rule, judging model objects, never YAML documents. A claim or source rule returns findings:
a message and the field it is about (validate turns them into file:line:col problems, since it knows where each
field was written); a rule across files returns the object too (a claim, an article, the topic vocabulary); an
article rule gets the article and its anchored claims. Errors stop the build. A rule that a draft legitimately
breaks is a warning: an article still being checked (sentences not yet classified, no assessment yet) must still
build, and the warning tells its editor what is left.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from functools import lru_cache
from typing import Sequence
from urllib.parse import unquote, urlsplit

from . import anchor, language, listings
from .model import Article, Claim, Claimant, Problem, Source, Span, Topics

MAX_EXCERPT_WORDS = 40  # a quotation, not a copy of the page (fair use, and readers should open the source)


@lru_cache(maxsize=1)
def _public_suffixes():
    """The Public Suffix List as the pinned publicsuffixlist package ships it: read from the package, never
    downloaded (the package fetches a newer list only when its update module is run, which the build never does)."""
    from publicsuffixlist import PublicSuffixList
    return PublicSuffixList()


def publisher_of(url: str) -> str:
    """The site a source comes from, as a stand-in for its publisher: its registrable domain by the Public Suffix
    List (www., www1., static., m. and a trailing dot are all the same site; bbc.co.uk is not co.uk)."""
    return _site((urlsplit(url).hostname or "").rstrip(".").lower())


@lru_cache(maxsize=1 << 14)  # the same few hundred hosts, cited again and again
def _site(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return _public_suffixes().privatesuffix(host) or host  # a bare public suffix is its own "site"


Finding = tuple[str, tuple]  # a message, and the field it is about (a path from the claim or the source)


def independent_publishers(claim: Claim) -> list[Finding]:
    """A verdict needs as many independent publishers as the rating scale says (two for False and Misleading)."""
    needed = claim.rating.publishers
    hosts = {(urlsplit(s.url).hostname or "").rstrip(".").lower() for s in claim.sources}
    found = {publisher_of(s.url) for s in claim.sources} if len(hosts) >= needed else hosts  # too few either way
    if len(found) >= needed:
        return []
    return [(f"verdict '{claim.rating.key}' needs sources from at least {needed} independent publisher"
             f"{'s' if needed > 1 else ''} (different sites); this claim cites {len(found) or 'none'}", ("verdict",))]


def excerpt_present(claim: Claim) -> list[Finding]:
    """A rated claim shows the reader at least one verbatim excerpt of its evidence."""
    if claim.rating.is_rating and claim.sources and not any(s.excerpt for s in claim.sources):
        return [("a rated claim needs at least one source with a verbatim excerpt", ("sources",))]
    return []


def excerpt_length(source: Source) -> list[Finding]:
    """Excerpts are short quotations."""
    if source.excerpt and len(source.excerpt.split()) > MAX_EXCERPT_WORDS:
        return [(f"the excerpt is {len(source.excerpt.split())} words; excerpts are quotations of at most "
                 f"{MAX_EXCERPT_WORDS} words", ("excerpt",))]
    return []


def translation_present(source: Source) -> list[Finding]:
    """Every reader can read the evidence: a non-English excerpt comes with our English translation."""
    if source.excerpt and language.primary(source.lang) != "en" and not source.translation:
        return [(f"the excerpt is in '{source.lang}': add translation (our English translation of the excerpt)",
                 ("excerpt",))]
    if source.translation and language.primary(source.lang) == "en":
        return [("translation given for an English excerpt: set lang to the excerpt's language", ("translation",))]
    return []


def excerpt_language(source: Source) -> list[Finding]:
    """The excerpt is written in the language it declares (screen readers pronounce it by that tag)."""
    found = source.excerpt and language.plainly_not(source.excerpt, source.lang)
    if found:
        return [(f"the excerpt looks like '{found}', not '{source.lang}' (lang, English when absent): set lang to the "
                 "excerpt's language" + (" and add a translation" if found != "en" else ""), ("excerpt",))]
    return []


def _letters(text: str) -> str:
    """Letters and digits only, lower case, accents dropped (ş→s, İ and ı→i): a headline as an address spells it."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold().replace("ı", "i")) if c.isalnum())


def title_in_address(source: Source) -> list[Finding]:
    """A headline read from the page's address says only what the address says: its words, in its order."""
    if source.title_from != "address":
        return []
    title = _letters(source.title or "")
    if not title or title not in _letters(unquote(urlsplit(source.url).path)):
        return [("title_from is 'address', but the title is not the address's words: write the slug's words as a "
                 "headline (capitals, accents and punctuation may be restored; no word added)", ("title",))]
    return []


CLAIM_RULES = (independent_publishers, excerpt_present)
SOURCE_RULES = (excerpt_length, translation_present, excerpt_language, title_in_address)


def claim_findings(claim: Claim) -> list[Finding]:
    return [finding for rule in CLAIM_RULES for finding in rule(claim)]


def source_findings(source: Source) -> list[Finding]:
    """The rules every cited source follows, a claim's or a "what happened next" item's."""
    return [finding for rule in SOURCE_RULES for finding in rule(source)]


def sentences_classified(article: Article, placed: list[tuple[Span, Claim]]) -> list[Problem]:
    """Every sentence of the article is either checked (a rated claim) or marked as opinion or context."""
    coverage = anchor.coverage(article, placed)
    return [Problem(article.path, f"sentence not yet reviewed (no claim or annotation marks it): "
                                  f"\"{sentence[:80]}{'…' if len(sentence) > 80 else ''}\"",
                    article.paragraph_lines[index], severity="warning")
            for index, sentence in coverage.unaccounted]


# Measured on the real article (content/turkey-s400-f35.md): the longest unmarked lead-in that only joins marked
# text is 9 words ("Turkey’s diplomatic maneuvering has taken a new turn as"; "Meanwhile, reports indicate that"
# is 4), the shortest unmarked clause asserting something of its own is 16. Ten words is the most sensitive quiet
# threshold.
MIN_ASSERTION_WORDS = 10


def unmarked_stretches(article: Article, placed: list[tuple[Span, Claim]]) -> list[Problem]:
    """In a partly marked sentence, an unmarked stretch long enough to carry an assertion of its own reads as accepted
    by us: it is reported like an unreviewed sentence. Connecting words between marked passages stay quiet."""
    problems = []
    for index, paragraph in enumerate(article.paragraphs):
        marks = sorted((span.start, span.end) for span, _ in placed if span.paragraph == index)
        for start, end in anchor.sentences(paragraph):
            inside = [(max(a, start), min(b, end)) for a, b in marks if a < end and b > start]
            if not inside:
                continue  # a wholly unmarked sentence is sentences_classified's warning
            edges = [start, *(edge for mark in inside for edge in mark), end]
            for stretch in (paragraph[a:b] for a, b in zip(edges[::2], edges[1::2])):
                words = [w for w in stretch.split() if any(c.isalnum() for c in w)]
                if len(words) >= MIN_ASSERTION_WORDS:
                    text = " ".join(stretch.split()).strip(" ,;:")
                    problems.append(Problem(
                        article.path, f"{len(words)} unmarked words in a partly marked sentence (mark them as a claim, "
                        f"opinion or context): \"{text[:80]}{'…' if len(text) > 80 else ''}\"",
                        article.paragraph_lines[index], severity="warning"))
    return problems


def research_present(article: Article, placed) -> list[Problem]:
    """A published fact-check says where the article appeared, what we concluded and what happened next."""
    missing = [name for name, present in (("url", article.url), ("assessment", article.assessment),
                                          ("next", article.developments)) if not present]
    return [Problem(article.path, f"front matter has no {', '.join(missing)} yet: readers expect where the article "
                                  "appeared, our assessment and what happened next", 1, severity="warning")
            ] if missing else []


ARTICLE_RULES = (sentences_classified, unmarked_stretches, research_present)


def article_problems(article: Article, placed: list[tuple[Span, Claim]]) -> list[Problem]:
    return [problem for rule in ARTICLE_RULES for problem in rule(article, placed)]


# Rules across files: they judge every claim (with its claimant), article and the topic vocabulary together. Each
# finding names the object and the field it is about; its message may name another object's field too (a Place),
# which validate writes as that file and line. Warnings: a draft may build.

Place = tuple[object, tuple]  # a model object (a claim, an article, the Topics vocabulary) and a field of it
Remark = tuple[object, tuple, tuple]  # (the object, its message: text and Places, the field)


def unused_topics(claims: Sequence[Claim], topics: Topics) -> list[Remark]:
    """Every topic of the vocabulary is given to some claim (each has its page)."""
    used = {topic.key for claim in claims for topic in claim.topics}
    return [(topics, (f"topic '{topic.key}' is given to no claim: add it to the claims it is about, or remove it",),
             ("topics", index, "key"))
            for index, topic in enumerate(topics.topics) if topic.key not in used]


Named = list[tuple[Claimant, Place]]  # a claimant as written, and where


def _named(claims: Sequence[Claim], articles: Sequence[Article]) -> Named:
    """Every claimant as written: the claims' own, and each article's author or publisher (who makes the claims
    that name none)."""
    named: Named = [(claim.claimant, (claim, ("claimant",))) for claim in claims if claim.claimant]
    for article in articles:
        if who := article.default_claimant:
            named.append((who, (article, ("author",) if article.author else ("publisher",))))
    return named


def _first_of_each(named: Named, key) -> dict:
    """key -> {exact name -> (the claimant, where it is first written)}, in the order written."""
    groups: dict = {}
    for claimant, place in named:
        groups.setdefault(key(claimant.name), {}).setdefault(claimant.name, (claimant, place))
    return groups


def claimant_spellings(named: Named) -> list[Remark]:
    """Names are matched exactly: two that differ only by case, accents or spacing are likely one claimant (said at
    the later file, naming the earlier)."""
    remarks: list[Remark] = []
    for spellings in _first_of_each(named, listings.spelling).values():
        (first, (_, place)), *others = spellings.items()
        for name, (_, (subject, at)) in others:
            remarks.append((subject, (
                f"claimant '{name}' differs from '{first}' (", place, ") only by case, accents or spacing: names are "
                "matched exactly, so these are two claimants with two pages; write one name one way"), at))
    return remarks


def claimant_addresses(named: Named) -> list[Remark]:
    """Different names whose pages would have the same address (claimants/<slug>/): all but one are numbered."""
    where: dict[str, Place] = {}
    for claimant, place in named:
        where.setdefault(claimant.name, place)
    slugs = listings.claimant_slugs(where)
    owner = {slug: name for name, slug in slugs.items()}
    remarks: list[Remark] = []
    for name, slug in slugs.items():
        natural = listings.claimant_slug(name)
        if slug != natural and listings.spelling(name) != listings.spelling(owner[natural]):  # (else: see above)
            subject, at = where[name]
            remarks.append((subject, (
                f"claimants '{name}' and '{owner[natural]}' (", where[owner[natural]], f") would share the page "
                f"claimants/{natural}/, so '{name}' is published at claimants/{slug}/: write them alike if they are "
                "one claimant"), at))
    return remarks


def _described(claimant: Claimant, other: Claimant) -> str:
    """The claimant's type, and its url where the two differ in it ("an organization with no url")."""
    kind = "an organization" if claimant.kind == "organization" else "a person"
    if claimant.url == other.url:
        return kind
    return f"{kind} ({claimant.url})" if claimant.url else f"{kind} with no url"


def claimant_details(named: Named) -> list[Remark]:
    """One name, one claimant: written twice, it has the same type and url (its page shows the first file's)."""
    remarks: list[Remark] = []
    first: dict[str, tuple[Claimant, Place]] = {}
    for claimant, (subject, at) in named:
        seen, place = first.setdefault(claimant.name, (claimant, (subject, at)))
        if (claimant.kind, claimant.url) != (seen.kind, seen.url):
            remarks.append((subject, (
                f"claimant '{claimant.name}' is {_described(claimant, seen)} here but {_described(seen, claimant)} in ",
                place,
                ": one name is one claimant, make them agree"), at))
    return remarks


def publication_findings(claims: Sequence[Claim], articles: Sequence[Article], topics: Topics) -> list[Remark]:
    named = _named(claims, articles)
    return unused_topics(claims, topics) + claimant_spellings(named) + claimant_addresses(named) + claimant_details(
        named)
