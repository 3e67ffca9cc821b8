"""The newsroom's editorial rules, checked by the build and reported like every other problem.

One small function per rule. A claim rule gets the claim and the document it came from (for file:line:col); an
article rule gets the article and its anchored claims. Errors stop the build. A rule that a draft legitimately
breaks is a warning: an article still being checked (sentences not yet classified, no assessment yet) must still
build, and the warning tells its editor what is left.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from . import anchor, language
from .load import Document
from .model import Article, Claim, Problem, Source, Span

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


Finding = tuple[str, tuple]  # a message and where in the claim's document it points


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


CLAIM_RULES = (independent_publishers, excerpt_present)
SOURCE_RULES = (excerpt_length, translation_present, excerpt_language)


def _source_problems(sources, at: tuple, document: Document) -> list[Problem]:
    return [document.problem(f"{'.'.join(map(str, (*at, i)))}: {message}", (*at, i, *where))
            for i, source in enumerate(sources) for rule in SOURCE_RULES for message, where in rule(source)]


def claim_problems(claim: Claim, document: Document) -> list[Problem]:
    return ([document.problem(message, at) for rule in CLAIM_RULES for message, at in rule(claim)]
            + _source_problems(claim.sources, ("sources",), document))


def development_problems(article: Article, document: Document) -> list[Problem]:
    """The same source rules for the sources of "What happened next"."""
    return [p for i, d in enumerate(article.developments)
            for p in _source_problems(d.sources, ("next", i, "sources"), document)]


def sentences_classified(article: Article, placed: list[tuple[Span, Claim]]) -> list[Problem]:
    """Every sentence of the article is either checked (a rated claim) or marked as opinion or context."""
    coverage = anchor.coverage(article, placed)
    return [Problem(article.path, f"sentence not yet reviewed (no claim or annotation marks it): "
                                  f"\"{sentence[:80]}{'…' if len(sentence) > 80 else ''}\"",
                    article.paragraph_lines[index], severity="warning")
            for index, sentence in coverage.unaccounted]


def research_present(article: Article, placed) -> list[Problem]:
    """A published fact-check says where the article appeared, what we concluded and what happened next."""
    missing = [name for name, present in (("url", article.url), ("assessment", article.assessment),
                                          ("next", article.developments)) if not present]
    return [Problem(article.path, f"front matter has no {', '.join(missing)} yet: readers expect where the article "
                                  "appeared, our assessment and what happened next", 1, severity="warning")
            ] if missing else []


ARTICLE_RULES = (sentences_classified, research_present)


def article_problems(article: Article, placed: list[tuple[Span, Claim]]) -> list[Problem]:
    return [problem for rule in ARTICLE_RULES for problem in rule(article, placed)]
