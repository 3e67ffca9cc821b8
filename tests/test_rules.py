"""Each editorial rule, fed a claim or an article that breaks it and one that keeps it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factcheck import anchor, load, rules
from factcheck.model import Article, Claim, Rating, Source

FALSE = Rating("false", "False", "rating", "d", "material/close-circle", "#8e1b1b", 1, publishers=2)
RENAMED = Rating("pants-on-fire", "Pants on fire", "rating", "d", "material/fire", "#8e1b1b", 1, publishers=2)
TRUE = Rating("true", "True", "rating", "d", "material/check-circle", "#1b6e32", 5, publishers=1)
OPINION = Rating("opinion", "Opinion", "annotation", "d", "material/comment-quote", "#4a3a8c")
DOCUMENT = load.parse_yaml(Path("claims/a/c.yaml"), "quote: q\nverdict: x\nsources:\n  - url: u\n    excerpt: e\n")


def claim(rating: Rating, *sources: Source) -> Claim:
    return Claim(id="c", article="a", path=Path("claims/a/c.yaml"), quote="q", claim="c", rating=rating,
                 summary="s", checked=dt.date(2026, 1, 1), sources=sources)


def source(url: str, excerpt: str | None = "Words.") -> Source:
    return Source(url=url, excerpt=excerpt)


def messages(found) -> list[str]:
    return [message for message, _ in found]


@pytest.mark.parametrize("rating", [FALSE, RENAMED])
def test_independent_publishers_come_from_the_scale(rating):
    one_site = claim(rating, source("https://www.a.example/1"), source("https://a.example/2"))
    assert messages(rules.independent_publishers(one_site)) == [
        f"verdict '{rating.key}' needs sources from at least 2 independent publishers (different sites); "
        "this claim cites 1"]
    assert rules.independent_publishers(claim(rating, source("https://a.example/1"), source("https://b.example/"))) == []


@pytest.mark.parametrize("other", [
    "https://www.reuters.com./world", "https://WWW1.Reuters.com/x", "https://static.reuters.com/y",
    "https://m.reuters.com/z", "https://graphics.reuters.com:443/w", "http://reuters.com/v"])
def test_independent_publishers_count_sites_not_spellings(other):
    """One registrable domain (the Public Suffix List's, from the pinned publicsuffixlist package) is one site."""
    found = rules.independent_publishers(claim(FALSE, source("https://www.reuters.com/a"), source(other)))
    assert messages(found) == ["verdict 'false' needs sources from at least 2 independent publishers (different "
                               "sites); this claim cites 1"]


@pytest.mark.parametrize("one, two", [
    ("https://www.bbc.co.uk/news", "https://www.itv.co.uk/news"),  # co.uk is a public suffix, not a site
    ("https://alice.github.io/a", "https://bob.github.io/b"),  # so is github.io (the list's private section)
    ("https://203.0.113.5/a", "https://203.0.113.6/b"),
])
def test_different_sites_under_one_public_suffix_are_independent(one, two):
    assert rules.independent_publishers(claim(FALSE, source(one), source(two))) == []


def test_the_public_suffix_list_is_read_from_the_package_not_fetched(monkeypatch):
    import socket
    rules._public_suffixes.cache_clear()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("the list was fetched"))
    assert rules.publisher_of("https://news.example.co.uk./") == "example.co.uk"


def test_a_rating_needs_a_source_and_an_annotation_does_not():
    assert "cites none" in messages(rules.independent_publishers(claim(TRUE)))[0]
    assert rules.independent_publishers(claim(TRUE, source("https://a.example/"))) == []
    assert rules.independent_publishers(claim(OPINION)) == []


def test_excerpt_present():
    assert messages(rules.excerpt_present(claim(TRUE, source("https://a.example/", None)))) == [
        "a rated claim needs at least one source with a verbatim excerpt"]
    assert rules.excerpt_present(claim(TRUE, source("https://a.example/", None), source("https://b.example/"))) == []


def test_excerpt_length():
    found = rules.excerpt_length(source("https://a.example/", " ".join(["word"] * 41)))
    assert found == [("the excerpt is 41 words; excerpts are quotations of at most 40 words", ("excerpt",))]
    assert rules.excerpt_length(source("https://a.example/", " ".join(["word"] * 40))) == []


TURKISH = "Türkiye'nin S-400 hava savunma sistemlerini yurt dışındaki üslerinden birine taşıyabileceği iddia edildi."


def test_translation_present():
    assert messages(rules.translation_present(Source(url="u", excerpt=TURKISH, lang="tr"))) == [
        "the excerpt is in 'tr': add translation (our English translation of the excerpt)"]
    assert rules.translation_present(Source(url="u", excerpt=TURKISH, lang="tr", translation="It was claimed.")) == []
    assert messages(rules.translation_present(Source(url="u", excerpt="Words.", translation="Words."))) == [
        "translation given for an English excerpt: set lang to the excerpt's language"]


def test_excerpt_language_catches_a_plain_mismatch_only():
    assert messages(rules.excerpt_language(Source(url="u", excerpt=TURKISH))) == [
        "the excerpt looks like 'tr', not 'en' (lang, English when absent): set lang to the excerpt's language "
        "and add a translation"]
    assert rules.excerpt_language(Source(url="u", excerpt=TURKISH, lang="tr", translation="x")) == []
    assert rules.excerpt_language(Source(url="u", excerpt='Barrack "Evet" dedi.')) == []  # too short to judge
    english = "Peskov said Moscow does not believe the S-400 issue will impact Russian-Turkish relations."
    assert rules.excerpt_language(Source(url="u", excerpt=english)) == []
    assert "looks like 'en'" in messages(rules.excerpt_language(Source(url="u", excerpt=english, lang="ru")))[0]


def test_claim_problems_are_located_in_the_file():
    problems = rules.claim_problems(claim(FALSE, source("https://a.example/", TURKISH)), DOCUMENT)
    assert [str(p) for p in problems] == [
        "claims/a/c.yaml:2:1: verdict 'false' needs sources from at least 2 independent publishers (different "
        "sites); this claim cites 1",
        "claims/a/c.yaml:5:5: sources.0: the excerpt looks like 'tr', not 'en' (lang, English when absent): set "
        "lang to the excerpt's language and add a translation"]


BODY = "First sentence here. Second one.\n\nThird paragraph."
PARAS, LINES = anchor.paragraphs_and_lines(BODY, 7)
ARTICLE = Article(slug="a", path=Path("content/a.md"), title="T", paragraphs=PARAS, paragraph_lines=LINES,
                  url="https://a.example/", assessment="A.", developments=("x",))


def placed(*quotes_and_ratings):
    claims = [Claim(id=f"c{i}", article="a", path=Path(f"claims/a/c{i}.yaml"), quote=q, claim="c", rating=r,
                    summary="s", checked=dt.date(2026, 1, 1)) for i, (q, r) in enumerate(quotes_and_ratings)]
    spans, problems = anchor.anchor_claims([ARTICLE], claims)
    assert not problems
    return [(spans[("a", c.id)], c) for c in claims]


def test_unclassified_sentences_warn_at_their_line():
    found = rules.sentences_classified(ARTICLE, placed(("First sentence", TRUE)))
    assert [(p.severity, p.line, p.message) for p in found] == [
        ("warning", 7, 'sentence not yet reviewed (no claim or annotation marks it): "Second one."'),
        ("warning", 9, 'sentence not yet reviewed (no claim or annotation marks it): "Third paragraph."')]
    everything = placed(("First sentence", TRUE), ("Second one.", OPINION), ("Third paragraph.", OPINION))
    assert rules.sentences_classified(ARTICLE, everything) == []


def test_research_present_warns_for_a_draft():
    draft = Article(slug="a", path=Path("content/a.md"), title="T", paragraphs=PARAS, paragraph_lines=LINES)
    (problem,) = rules.research_present(draft, [])
    assert problem.severity == "warning" and "no url, assessment, next yet" in problem.message
    assert rules.research_present(ARTICLE, []) == []


def test_warnings_are_reported_as_warnings_and_annotated(monkeypatch, capsys):
    import io
    from factcheck.report import report
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    stream = io.StringIO()
    report(rules.sentences_classified(ARTICLE, placed(("First sentence", TRUE))), Path("."), stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == 'warning: content/a.md:7: sentence not yet reviewed (no claim or annotation marks it): "Second one."'
    assert lines[1].startswith("::warning file=content/a.md,line=7::sentence not yet reviewed")
    assert lines[-1].startswith("2 warning(s)") and "problem(s)" not in stream.getvalue()


def test_language_answers_are_remembered_so_the_model_loads_only_for_new_text(tmp_path, monkeypatch):
    from factcheck import language
    monkeypatch.setattr(language, "_known", {})
    monkeypatch.setattr(language, "_loaded_from", set())
    assert language.plainly_not(TURKISH, "en") == "tr"
    language.keep(tmp_path / "languages.json")
    monkeypatch.setattr(language, "_known", {})
    monkeypatch.setattr(language, "_loaded_from", set())
    monkeypatch.setattr(language, "_identifier", lambda: pytest.fail("the model was loaded for a remembered text"))
    language.remember(tmp_path / "languages.json")
    assert language.plainly_not(TURKISH, "en") == "tr" and language.plainly_not(TURKISH, "tr") is None
