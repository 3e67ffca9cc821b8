"""Find each quote in its article, and split the article into sentences for coverage."""

from __future__ import annotations

import difflib
import heapq
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


class Work:
    """A budget of work shared by every "closest passage" hint of one build, so hints cost bounded time however many
    quotes are missing and however long the article (counted in words scanned and in characters compared)."""

    def __init__(self, limit: int):
        self.limit, self.spent = limit, 0

    def take(self, amount: int) -> bool:
        """Spend `amount` if the budget allows it."""
        if self.spent + amount > self.limit:
            return False
        self.spent += amount
        return True


HINT_WORK = 20_000_000  # about two seconds: every hint of an ordinary edit, and a bound on a pathological one
CANDIDATES = 8  # passages sharing the most words with the quote, compared character by character


def closest_passage(quote: str, paras: tuple[str, ...], work: Work | None = None) -> str | None:
    """The article passage most like a quote that was not found, to show the editor what differs; None when the
    budget cannot pay for the search. Passages as long as the quote are ranked by the words they share with it (one
    pass over the article), and only the best few are compared character by character."""
    work = work or Work(HINT_WORK)
    needle = normalise(quote)
    words = needle.split()
    need: dict[str, int] = {}
    for word in words:
        need[word] = need.get(word, 0) + 1
    if not work.take(sum(len(text) for text in paras) // 8 + 1):  # one step per word, roughly
        return None
    best: list[tuple[int, int, int, int]] = []  # (shared words, -paragraph, -start, width): a min-heap of the best
    for index, text in enumerate(paras):
        tokens = text.split()
        width = min(len(words), len(tokens))
        held: dict[str, int] = {}
        shared = 0
        for position, token in enumerate(tokens):
            if held.get(token, 0) < need.get(token, 0):
                shared += 1
            held[token] = held.get(token, 0) + 1
            if position >= width:  # the word leaving the window
                leaving = tokens[position - width]
                held[leaving] -= 1
                if held[leaving] < need.get(leaving, 0):
                    shared -= 1
            if position >= width - 1:
                entry = (shared, -index, -(position - width + 1), width)
                if len(best) < CANDIDATES:
                    heapq.heappush(best, entry)
                elif entry > best[0]:
                    heapq.heapreplace(best, entry)
    passage, best_ratio = None, -1.0
    for _, minus_index, minus_start, width in sorted(best, reverse=True):
        start = -minus_start
        candidate = " ".join(paras[-minus_index].split()[start:start + width])
        if not work.take(len(needle) * len(candidate) + 1):
            break
        matcher = difflib.SequenceMatcher(None, needle, candidate, autojunk=False)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        if (ratio := matcher.ratio()) > best_ratio:
            passage, best_ratio = candidate, ratio
    return passage


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


def anchor_claims(articles, claims, once: Once = fresh, work: Work | None = None) -> tuple[dict, list[Problem]]:
    """The span of every claim's quote in its article; a quote that is missing, ambiguous or overlaps is a Problem.

    Each quote is searched for through `once` (factcheck/memo.py): the preview searches again only when the quote
    or its article's text changed."""
    by_slug = {a.slug: a for a in articles}
    spans: dict = {}
    problems: list[Problem] = []
    work = work or Work(HINT_WORK)  # one budget for every hint of this anchoring
    for claim in claims:
        article = by_slug[claim.article]
        found = once(("quote", claim.article, claim.id), (claim.quote, article.paragraphs),
                     lambda: find(claim.quote, article.paragraphs))
        if not found:
            passage = closest_passage(claim.quote, article.paragraphs, work)
            hint = f"; the closest passage is: \"{passage}\"" if passage else ""
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
