"""The newsroom's editorial rules, checked by the build and reported like every other problem.

One small function per rule. A claim rule gets the claim and the document it came from (for file:line:col); an
article rule gets the article and its anchored claims. Errors stop the build. A rule that a draft legitimately
breaks is a warning: an article still being checked (sentences not yet classified, no assessment yet) must still
build, and the warning tells its editor what is left.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import anchor, language, listings
from .load import Document
from .model import Article, Claim, Claimant, Problem, Source, Span, Topics

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


# Rules across files: they get every claim and article with the document it came from. Warnings: a draft may build.

Located = list[tuple[Claim, Document]]


def _where(document: Document, at: tuple) -> str:
    """Where a value is, as the editor's file list shows it (claims/<slug>/<id>.yaml:LINE, content/<slug>.md:LINE)."""
    path = document.path
    shown = "/".join(path.parts[-3:] if path.parent.parent.name == "claims" else path.parts[-2:])
    return f"{shown}:{line}" if (line := (document.where(at) or (None,))[0]) else shown


def unused_topics(claims: Located, topics: Topics, document: Document | None) -> list[Problem]:
    """Every topic of the vocabulary is given to some claim (each has its page)."""
    used = {topic.key for claim, _ in claims for topic in claim.topics}
    return [document.problem(f"topic '{topic.key}' is given to no claim: add it to the claims it is about, or remove "
                             "it", ("topics", index, "key"), "warning")
            for index, topic in enumerate(topics.topics) if topic.key not in used]


Named = list[tuple[Claimant, Document, tuple]]  # a claimant as written, and where


def _named(claims: Located, articles: list[tuple[Article, Document]]) -> Named:
    """Every claimant as written: the claims' own, and each article's author or publisher (who makes the claims
    that name none)."""
    named = [(claim.claimant, document, ("claimant",)) for claim, document in claims if claim.claimant]
    for article, document in articles:
        if who := article.default_claimant:
            named.append((who, document, ("author",) if article.author else ("publisher",)))
    return named


def _first_of_each(named: Named, key) -> dict:
    """key -> {exact name -> where it is first written}, in the order written."""
    groups: dict = {}
    for claimant, document, at in named:
        groups.setdefault(key(claimant.name), {}).setdefault(claimant.name, (claimant, document, at))
    return groups


def claimant_spellings(named: Named) -> list[Problem]:
    """Names are matched exactly: two that differ only by case, accents or spacing are likely one claimant (said at
    the later file, naming the earlier)."""
    problems = []
    for spellings in _first_of_each(named, listings.spelling).values():
        (first, (_, document, at)), *others = spellings.items()
        for name, (_, other, other_at) in others:
            problems.append(other.problem(
                f"claimant '{name}' differs from '{first}' ({_where(document, at)}) only by case, accents or spacing: "
                "names are matched exactly, so these are two claimants with two pages; write one name one way",
                other_at, "warning"))
    return problems


def claimant_addresses(named: Named) -> list[Problem]:
    """Different names whose pages would have the same address (claimants/<slug>/): all but one are numbered."""
    where = {}
    for claimant, document, at in named:
        where.setdefault(claimant.name, (document, at))
    slugs = listings.claimant_slugs(where)
    owner = {slug: name for name, slug in slugs.items()}
    problems = []
    for name, slug in slugs.items():
        natural = listings.claimant_slug(name)
        if slug != natural and listings.spelling(name) != listings.spelling(owner[natural]):  # (else: see above)
            document, at = where[name]
            problems.append(document.problem(
                f"claimants '{name}' and '{owner[natural]}' ({_where(*where[owner[natural]])}) would share the page "
                f"claimants/{natural}/, so '{name}' is published at claimants/{slug}/: write them alike if they are "
                "one claimant", at, "warning"))
    return problems


def _described(claimant: Claimant) -> str:
    return ("an organization" if claimant.kind == "organization" else "a person") + (
        f" ({claimant.url})" if claimant.url else "")


def claimant_details(named: Named) -> list[Problem]:
    """One name, one claimant: written twice, it has the same type and url (its page shows the first file's)."""
    problems, first = [], {}
    for claimant, document, at in named:
        seen = first.setdefault(claimant.name, (claimant, document, at))
        if (claimant.kind, claimant.url) != (seen[0].kind, seen[0].url):
            problems.append(document.problem(
                f"claimant '{claimant.name}' is {_described(claimant)} here but {_described(seen[0])} in "
                f"{_where(seen[1], seen[2])}: one name is one claimant, make them agree", at, "warning"))
    return problems


def publication_problems(claims: Located, articles: list[tuple[Article, Document]], topics: Topics,
                         topics_document: Document | None) -> list[Problem]:
    named = _named(claims, articles)
    return (unused_topics(claims, topics, topics_document) + claimant_spellings(named) + claimant_addresses(named)
            + claimant_details(named))
