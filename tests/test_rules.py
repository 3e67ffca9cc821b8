"""Each editorial rule, fed a claim or an article that breaks it and one that keeps it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from factcheck import anchor, load, rules, validate
from factcheck.model import Article, Claim, Claimant, Rating, Scale, Source, Topic, Topics

FALSE = Rating("false", "False", "rating", "d", "material/close-circle", "#8e1b1b", 1, publishers=2)
RENAMED = Rating("pants-on-fire", "Pants on fire", "rating", "d", "material/fire", "#8e1b1b", 1, publishers=2)
TRUE = Rating("true", "True", "rating", "d", "material/check-circle", "#1b6e32", 5, publishers=1)
OPINION = Rating("opinion", "Opinion", "annotation", "d", "material/comment-quote", "#4a3a8c")


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


SLUG_URL = "https://www.sabah.com.tr/dunya/2019/11/24/akardan-f-35-resti-baska-arayisa-gireriz"


def test_a_title_read_from_the_address_has_only_the_address_words():
    from_address = {"url": SLUG_URL, "title_from": "address"}
    # capitals, Turkish letters, apostrophes and a colon restored; a percent-encoded slug read as its letters
    assert rules.title_in_address(Source(title="Akar'dan F-35 resti: Başka arayışa gireriz", **from_address)) == []
    assert rules.title_in_address(Source(url="https://a.example/t%C3%BCrkiye-edges-closer-to-eurofighter",
                                         title="Türkiye edges closer to Eurofighter", title_from="address")) == []
    for wrong in ("Akar'dan sert F-35 resti: Başka arayışa gireriz",  # a word added
                  "Başka arayışa gireriz: Akar'dan F-35 resti",  # reordered
                  "…"):  # nothing to compare
        assert messages(rules.title_in_address(Source(title=wrong, **from_address))) == [
            "title_from is 'address', but the title is not the address's words: write the slug's words as a "
            "headline (capitals, accents and punctuation may be restored; no word added)"], wrong
    # a headline shown on the page is the editor's to copy, and is not compared with the address
    assert rules.title_in_address(Source(url=SLUG_URL, title="Akar'dan sert F-35 resti")) == []


def test_rules_name_the_field_and_the_build_locates_it_in_the_file():
    turkish = claim(FALSE, source("https://a.example/", TURKISH))
    assert [at for _, at in rules.claim_findings(turkish)] == [("verdict",)]
    assert [at for _, at in rules.source_findings(turkish.sources[0])] == [("excerpt",)]
    text = ('quote: q\nclaim: c\nverdict: "false"\nsummary: s\nchecked: 2025-01-01\nsources:\n'
            f'  - url: https://a.example/\n    title: T\n    excerpt: "{TURKISH}"\n')
    checker = validate._Checker(dt.date(2026, 1, 1))
    validate.build_claim("a", "c", load.parse_yaml(Path("claims/a/c.yaml"), text), validate._schemas()["claim"],
                         Scale((FALSE,)), Topics(), checker)
    assert sorted(str(p) for p in checker.problems) == [
        "claims/a/c.yaml:3:1: verdict 'false' needs sources from at least 2 independent publishers (different "
        "sites); this claim cites 1",
        "claims/a/c.yaml:9:5: sources.0: the excerpt looks like 'tr', not 'en' (lang, English when absent): set "
        "lang to the excerpt's language and add a translation"]


def test_rules_across_files_judge_model_objects_and_name_each_object_and_field():
    """Claims, articles and the topic vocabulary in, (object, message, field) out; a message names the other place
    it is about as an (object, field) too. test_browse.py checks the file:line warnings validate makes of them."""
    topics = Topics((Topic("s-400", "S-400", "d"), Topic("energy", "Energy", "d")))
    said = replace(claim(TRUE), claimant=Claimant("Tom Barrack"), topics=(topics["s-400"],))
    again = replace(claim(TRUE), id="d", path=Path("claims/a/d.yaml"), claimant=Claimant("tom  barrack"))
    relayed = replace(ARTICLE, publisher="Tom Barrack")  # the publisher's claims: an organization of that name
    found = rules.publication_findings([said, again], [relayed], topics)
    assert [(subject, at) for subject, _, at in found] == [
        (topics, ("topics", 1, "key")), (again, ("claimant",)), (relayed, ("publisher",))]
    texts = ["".join(part if isinstance(part, str) else "<here>" for part in message) for _, message, _ in found]
    assert texts == [
        "topic 'energy' is given to no claim: add it to the claims it is about, or remove it",
        "claimant 'tom  barrack' differs from 'Tom Barrack' (<here>) only by case, accents or spacing: names are "
        "matched exactly, so these are two claimants with two pages; write one name one way",
        "claimant 'Tom Barrack' is an organization here but a person in <here>: one name is one claimant, make them "
        "agree"]
    assert [part for _, message, _ in found for part in message if not isinstance(part, str)] == [
        (said, ("claimant",)), (said, ("claimant",))]
    assert rules.publication_findings([said], [ARTICLE], Topics(topics.topics[:1])) == []


def test_one_claimant_written_with_two_urls_names_what_differs():
    """The same name and type with a url in one file and none in the other: the message says which has none."""
    board = Claimant("Energy Board", kind="organization", url="https://energy.example.org/")
    first = replace(claim(TRUE), claimant=board)
    second = replace(claim(TRUE), id="d", path=Path("claims/a/d.yaml"), claimant=replace(board, url=None))
    [(subject, message, _)] = rules.publication_findings([first, second], [ARTICLE], Topics())
    assert subject is second and "".join(p if isinstance(p, str) else "<here>" for p in message) == (
        "claimant 'Energy Board' is an organization with no url here but an organization "
        "(https://energy.example.org/) in <here>: one name is one claimant, make them agree")

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


PARTLY = ("Officials praised the plan, a stance that critics in three capitals have since contrasted with its rivals. "
          "Meanwhile, reports indicate that the talks went well.")
PARTLY_ARTICLE = Article(slug="a", path=Path("content/a.md"), title="T", paragraphs=(PARTLY,), paragraph_lines=(12,))


def marked(*quotes):
    claims = [Claim(id=f"c{i}", article="a", path=Path(f"claims/a/c{i}.yaml"), quote=q, claim="c", rating=TRUE,
                    summary="s", checked=dt.date(2026, 1, 1)) for i, q in enumerate(quotes)]
    spans, problems = anchor.anchor_claims([PARTLY_ARTICLE], claims)
    assert not problems
    return [(spans[("a", c.id)], c) for c in claims]


def test_an_unmarked_clause_in_a_partly_marked_sentence_warns_at_its_line():
    (problem,) = rules.unmarked_stretches(PARTLY_ARTICLE, marked("Officials praised the plan", "the talks went well"))
    assert (problem.severity, problem.line) == ("warning", 12)
    assert problem.message == ('13 unmarked words in a partly marked sentence (mark them as a claim, opinion or '
                               'context): "a stance that critics in three capitals have since contrasted with its '
                               'rivals."')
    # the first sentence marked whole and the second not at all: nothing here (the second is sentences_classified's)
    assert rules.unmarked_stretches(PARTLY_ARTICLE, marked("Officials praised the plan, a stance that critics in three "
                                                           "capitals have since contrasted with its rivals.")) == []


def test_connecting_words_between_marked_passages_stay_quiet():
    whole_first = PARTLY.split(" Meanwhile")[0]
    assert rules.unmarked_stretches(PARTLY_ARTICLE, marked(whole_first, "the talks went well")) == []
    # the threshold: nine unmarked words after a marked one stay quiet, ten are reported
    nine = "one two three four five six seven eight nine"
    article = Article(slug="a", path=Path("content/a.md"), title="T",
                      paragraphs=(f"Marked {nine}.", f"Marked {nine} ten."), paragraph_lines=(1, 3))
    claim = Claim(id="c", article="a", path=Path("claims/a/c.yaml"), quote="Marked", claim="c", rating=TRUE,
                  summary="s", checked=dt.date(2026, 1, 1))
    placed_twice = [(span, claim) for span in anchor.find("Marked", article.paragraphs)]
    assert [(p.line, p.message[:2]) for p in rules.unmarked_stretches(article, placed_twice)] == [(3, "10")]


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
    monkeypatch.setattr(language, "_answers", language._fresh())
    assert language.plainly_not(TURKISH, "en") == "tr"
    language.keep(tmp_path / "languages.json")
    monkeypatch.setattr(language, "_answers", language._fresh())
    monkeypatch.setattr(language, "_identifier", lambda: pytest.fail("the model was loaded for a remembered text"))
    language.remember(tmp_path / "languages.json")
    assert language.plainly_not(TURKISH, "en") == "tr" and language.plainly_not(TURKISH, "tr") is None
