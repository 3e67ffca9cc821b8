"""Which language an excerpt is written in, by py3langid: a maintained port of langid.py whose model ships inside
the package (no download, no system data), and which says how sure it is, so only a plain mismatch is reported.

Loading its model takes about half a second and each excerpt about a tenth of a millisecond, so answers are
remembered: in memory for the preview, and in a small file beside the share images (`.cache/languages.json`,
keyed by a hash of the text) so that a build whose excerpts were all seen before never loads the model.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import answers

MIN_WORDS = 5  # shorter excerpts ("Evet" dedi.) are too short to judge
SURE = 0.95  # the identifier's probability for its answer before a mismatch is reported


def _fresh() -> answers.Answers:
    """No answers yet: sha256 of a text -> [language, probability]."""
    return answers.Answers(lambda value: isinstance(value, list) and len(value) == 2)


_answers = _fresh()


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def primary(tag: str) -> str:
    """The language of a BCP 47 tag, without script or region: 'pt-BR' -> 'pt'."""
    return tag.split("-")[0].lower()


def identify(text: str) -> tuple[str, float]:
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = _answers.known
    if key not in known:
        found, probability = _identifier().classify(text)
        _answers.add(key, [found, round(float(probability), 4)])
    found, probability = known[key]
    return found, probability


def plainly_not(text: str, declared: str) -> str | None:
    """The language `text` is plainly written in when that is not `declared`, else None."""
    if len(text.split()) < MIN_WORDS:
        return None
    found, probability = identify(text)
    return found if found != primary(declared) and probability >= SURE else None


def remember(cache: Path) -> None:
    """Read earlier answers from `cache` (once per process); a missing or damaged file is only a slower build."""
    _answers.remember(cache)


def keep(cache: Path) -> None:
    """Write the answers to `cache` atomically, when it lacks some (something new was identified)."""
    _answers.keep(cache)
