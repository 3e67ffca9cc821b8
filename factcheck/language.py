"""Which language an excerpt is written in, by py3langid: a maintained port of langid.py whose model ships inside
the package (no download, no system data), fast enough for every excerpt of every build (~30 µs each), and able to
say how sure it is, so only a plain mismatch is reported. Loading the model takes about half a second, so it is
loaded on first use and kept."""

from __future__ import annotations

from functools import lru_cache

MIN_WORDS = 5  # shorter excerpts ("Evet" dedi.) are too short to judge
SURE = 0.95  # the identifier's probability for its answer before a mismatch is reported


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def primary(tag: str) -> str:
    """The language of a BCP 47 tag, without script or region: 'pt-BR' -> 'pt'."""
    return tag.split("-")[0].lower()


@lru_cache(maxsize=65536)  # the same excerpts are checked on every rebuild of a preview
def plainly_not(text: str, declared: str) -> str | None:
    """The language `text` is plainly written in when that is not `declared`, else None."""
    if len(text.split()) < MIN_WORDS:
        return None
    found, probability = _identifier().classify(text)
    return found if found != primary(declared) and probability >= SURE else None
