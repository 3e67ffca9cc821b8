"""The newsroom's editorial rules, checked by the build and reported like every other problem.

One small function per rule. A claim rule gets the claim and the document it came from (for file:line:col); an
article rule gets the article and its anchored claims. Errors stop the build. A rule that a draft legitimately
breaks is a warning: an article still being checked (sentences not yet classified, no assessment yet) must still
build, and the warning tells its editor what is left.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import anchor
from .load import Document
from .model import Article, Claim, Problem, Span

MAX_EXCERPT_WORDS = 40  # a quotation, not a copy of the page (fair use, and readers should open the source)


def publisher_of(url: str) -> str:
    """The host a source comes from, as a stand-in for its publisher (www. and m. are the same site)."""
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "amp."):
        host = host.removeprefix(prefix)
    return host


Finding = tuple[str, tuple]  # a message and where in the claim's document it points


def independent_publishers(claim: Claim) -> list[Finding]:
    """A verdict needs as many independent publishers as the rating scale says (two for False and Misleading)."""
    needed = claim.rating.publishers
    found = {publisher_of(s.url) for s in claim.sources}
    if len(found) >= needed:
        return []
    return [(f"verdict '{claim.rating.key}' needs sources from at least {needed} independent publisher"
             f"{'s' if needed > 1 else ''} (different sites); this claim cites {len(found) or 'none'}", ("verdict",))]


def excerpt_present(claim: Claim) -> list[Finding]:
    """A rated claim shows the reader at least one verbatim excerpt of its evidence."""
    if claim.rating.is_rating and claim.sources and not any(s.excerpt for s in claim.sources):
        return [("a rated claim needs at least one source with a verbatim excerpt", ("sources",))]
    return []


def excerpt_length(claim: Claim) -> list[Finding]:
    """Excerpts are short quotations."""
    return [(f"sources.{i}.excerpt: {len(s.excerpt.split())} words; excerpts are quotations of at most "
             f"{MAX_EXCERPT_WORDS} words", ("sources", i, "excerpt"))
            for i, s in enumerate(claim.sources) if s.excerpt and len(s.excerpt.split()) > MAX_EXCERPT_WORDS]


CLAIM_RULES = (independent_publishers, excerpt_present, excerpt_length)


def claim_problems(claim: Claim, document: Document) -> list[Problem]:
    return [document.problem(message, at) for rule in CLAIM_RULES for message, at in rule(claim)]


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
