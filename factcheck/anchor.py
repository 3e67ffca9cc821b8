"""Find each quote in its article, and split the article into sentences for coverage."""

from __future__ import annotations

import difflib
import re

from .memo import Once, fresh
from .model import Article, Claim, Coverage, Problem, Span

# Abbreviations that end in a full stop without ending a sentence ("U.S. Ambassador").
ABBREVIATIONS = frozenset({"U.S.", "U.K.", "U.N.", "E.U.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.",
                           "Gen.", "Sen.", "Rep.", "Gov.", "Lt.", "Col.", "Capt.", "No.", "Prof.", "vs."})
_SENTENCE_END = re.compile(r"""[.!?][’”'"»)]*(?=\s+[‘“'"(«]*(\w))""")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space: the only change quotes tolerate."""
    return " ".join(text.split())


_BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")  # one or more lines with nothing but spaces


def paragraphs(body: str) -> tuple[str, ...]:
    """An article body's paragraphs (separated by blank lines), each whitespace-normalised."""
    return paragraphs_and_lines(body, 1)[0]


def paragraphs_and_lines(body: str, first_line: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The paragraphs, and the line in the file where each starts (the body starts at `first_line`)."""
    texts, lines, position = [], [], 0
    for separator in [*_BLANK_LINES.finditer(body), None]:
        end = separator.start() if separator else len(body)
        block = body[position:end]
        if text := normalise(block):
            leading = len(block) - len(block.lstrip())
            texts.append(text)
            lines.append(first_line + body.count("\n", 0, position + leading))
        position = separator.end() if separator else end
    return tuple(texts), tuple(lines)


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


MAX_HINTS = 20  # finding the closest passage costs a fuzzy search per quote: enough for any real edit


def anchor_claims(articles, claims, once: Once = fresh) -> tuple[dict, list[Problem]]:
    """The span of every claim's quote in its article; a quote that is missing, ambiguous or overlaps is a Problem.

    Each quote is searched for through `once` (factcheck/memo.py): the preview searches again only when the quote
    or its article's text changed."""
    by_slug = {a.slug: a for a in articles}
    spans: dict = {}
    problems: list[Problem] = []
    missing = 0
    for claim in claims:
        article = by_slug[claim.article]
        found = once(("quote", claim.article, claim.id), (claim.quote, article.paragraphs),
                     lambda: find(claim.quote, article.paragraphs))
        if not found:
            missing += 1
            hint = (f"; the closest passage is: \"{closest_passage(claim.quote, article.paragraphs)}\""
                    if missing <= MAX_HINTS else "")
            problems.append(Problem(claim.path, f"quote not found in content/{article.path.name}{hint}"))
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


def coverage(article: Article, placed: list[tuple[Span, Claim]]) -> Coverage:
    """How many sentences hold a rated claim, how many are marked as opinion/context, and which are neither."""
    checked = annotated = total = 0
    unaccounted = []
    for index, paragraph in enumerate(article.paragraphs):
        for start, end in sentences(paragraph):
            total += 1
            kinds = {claim.rating.kind for span, claim in placed
                     if span.paragraph == index and span.start < end and span.end > start}
            if "rating" in kinds:
                checked += 1
            elif kinds:
                annotated += 1
            else:
                unaccounted.append((index, paragraph[start:end]))
    return Coverage(total, checked, annotated, tuple(unaccounted))
