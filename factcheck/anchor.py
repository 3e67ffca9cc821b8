"""Find each quote in its article, and split the article into sentences for coverage."""

from __future__ import annotations

import difflib
import re

from .model import Problem, Span

# Abbreviations that end in a full stop without ending a sentence ("U.S. Ambassador").
ABBREVIATIONS = frozenset({"U.S.", "U.K.", "U.N.", "E.U.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.",
                           "Gen.", "Sen.", "Rep.", "Gov.", "Lt.", "Col.", "Capt.", "No.", "Prof.", "vs."})
_SENTENCE_END = re.compile(r"""[.!?][’”'"»)]*(?=\s+[‘“'"(«]*(\w))""")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space: the only change quotes tolerate."""
    return " ".join(text.split())


def paragraphs(body: str) -> tuple[str, ...]:
    """An article body's paragraphs (separated by blank lines), each whitespace-normalised."""
    return tuple(p for p in (normalise(block) for block in re.split(r"\n\s*\n", body)) if p)


def find(quote: str, paras: tuple[str, ...]) -> list[Span]:
    """Every place the quote occurs, in reading order."""
    needle = normalise(quote)
    spans = []
    for index, text in enumerate(paras):
        start = text.find(needle)
        while start != -1:
            spans.append(Span(index, start, start + len(needle)))
            start = text.find(needle, start + 1)
    return spans


def closest_passage(quote: str, paras: tuple[str, ...]) -> str:
    """The article passage most like a quote that was not found, to show the editor what differs."""
    words = normalise(quote).split()
    best, best_ratio = "", -1.0
    for text in paras:
        tokens = text.split()
        width = min(len(words), len(tokens))
        for start in range(0, len(tokens) - width + 1):
            candidate = " ".join(tokens[start:start + width])
            matcher = difflib.SequenceMatcher(None, normalise(quote), candidate, autojunk=False)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
    return best


def sentences(paragraph: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence in a normalised paragraph."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        following = match.group(1)  # a new sentence starts with a capital (any script) or a digit
        if not (following.isupper() or following.isdigit()):
            continue
        last_word = paragraph[:match.end()].rsplit(" ", 1)[-1]
        if last_word.rstrip("’”'\"»)") in ABBREVIATIONS:
            continue
        bounds.append((start, match.end()))
        start = match.end() + 1
    if start < len(paragraph):
        bounds.append((start, len(paragraph)))
    return bounds


def anchor_claims(articles, claims) -> tuple[dict, list[Problem]]:
    """The span of every claim's quote in its article; a quote that is missing, ambiguous or overlaps is a Problem."""
    by_slug = {a.slug: a for a in articles}
    spans: dict = {}
    problems: list[Problem] = []
    for claim in claims:
        article = by_slug[claim.article]
        found = find(claim.quote, article.paragraphs)
        if not found:
            problems.append(Problem(claim.path, "quote not found in content/" + article.path.name
                                    + f"; the closest passage is: \"{closest_passage(claim.quote, article.paragraphs)}\""))
        elif len(found) > 1 and claim.occurrence is None:
            problems.append(Problem(claim.path, f"quote occurs {len(found)} times in the article; "
                                    "add 'occurrence: N' to say which one is meant"))
        elif (claim.occurrence or 1) > len(found):
            problems.append(Problem(claim.path, f"occurrence {claim.occurrence} asked, but the quote occurs "
                                    f"{len(found)} time(s)"))
        else:
            spans[(claim.article, claim.id)] = found[(claim.occurrence or 1) - 1]
    by_id = {(c.article, c.id): c for c in claims}
    placed = sorted(spans.items(), key=lambda item: (item[0][0], item[1].paragraph, item[1].start, item[0][1]))
    for (key, span), (next_key, next_span) in zip(placed, placed[1:]):
        if key[0] != next_key[0] or span.paragraph != next_span.paragraph or next_span.start >= span.end:
            continue
        if span == next_span:
            message = f"same quote as claim '{key[1]}': each passage is checked once (a duplicated claim?)"
        else:
            message = f"quote overlaps the quote of claim '{key[1]}'; claims mark separate passages"
        problems.append(Problem(by_id[next_key].path, message))
    return spans, problems
