"""Unit tests of the pure stages: loading, anchoring, rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factcheck import anchor, characters, load, render
from factcheck.model import Article, Claim, Publication, Rating, Scale, Site, Span, Topic, Topics

ROOT = Path(__file__).resolve().parent.parent


# --- load -------------------------------------------------------------------------------------------------

def test_the_fast_character_tables_find_what_the_whole_table_finds():
    """characters.forbidden and has_control search text without a character beyond U+FFFF with a narrower table
    (for speed): over every code point, alone and after one beyond U+FFFF, they find exactly what FORBIDDEN does."""
    every = "".join(map(chr, range(0x110000)))
    plane0 = every[:0x10000]
    for text in (every, plane0, "ascii only", "caf\u00e9 \u202e"):
        assert characters.forbidden(text).findall(text) == characters.FORBIDDEN.findall(text)
    assert characters.forbidden(plane0) is not characters.FORBIDDEN  # the narrow table is used
    for character in every:
        found = bool(characters.FORBIDDEN.search(character))
        assert bool(characters.forbidden(character).search(character)) == found
        assert characters.has_control(character) == bool(characters._CONTROL.search(character))
        assert characters.has_control("\U0001f600" + character) == characters.has_control(character)


def test_yaml_keeps_verdict_and_dates_as_text_and_records_lines():
    document = load.parse_yaml(Path("c.yaml"), "verdict: false\nchecked: 2025-12-17\nsources:\n  - url: x\n")
    assert document.data == {"verdict": "false", "checked": "2025-12-17", "sources": [{"url": "x"}]}
    assert document.where(("checked",)) == (2, 1)
    assert document.where(("sources", 0)) == (4, 5)
    assert document.where(("sources", 0, "url")) == (4, 5)
    assert document.where(("sources", 0, "missing")) == (4, 5)  # falls back to the nearest located parent


def test_yaml_duplicate_key_is_an_error_with_its_line():
    problem = load.parse_yaml(Path("c.yaml"), "quote: a\nclaim: b\nquote: c\n")
    assert str(problem) == "c.yaml:3:1: key 'quote' appears twice"


def test_yaml_refuses_python_tags():
    problem = load.parse_yaml(Path("c.yaml"), "quote: !!python/object/apply:os.system ['true']\n")
    assert problem.line == 1 and "python/object/apply" in problem.message


def test_front_matter_lines_count_from_the_file_start():
    front_matter = load.split_front_matter(Path("a.md"), "---\ntitle: T\npublished: x\n---\n\nBody text.\n")
    assert front_matter.document.data["title"] == "T"
    assert front_matter.document.where(("published",)) == (3, 1)
    assert front_matter.body.strip() == "Body text." and front_matter.body_line == 5


def test_paragraphs_know_their_lines():
    body = "\nFirst line\nstill first.\n\n  \n\nSecond.\r\n\r\nThird.\n"
    assert anchor.paragraphs_and_lines(body, 10) == (
        ("First line still first.", "Second.", "Third."), (11, 16, 18))


# --- anchor -----------------------------------------------------------------------------------------------

PARAS = anchor.paragraphs("First para has U.S. text.\n\nU.S.\nAmbassador to Turkey   Tom Brady said so. Again said so.\n")


def test_paragraphs_normalise_whitespace_including_the_line_break():
    assert PARAS == ("First para has U.S. text.", "U.S. Ambassador to Turkey Tom Brady said so. Again said so.")


def test_find_across_the_line_break_and_extra_spaces():
    assert anchor.find("U.S.\n  Ambassador to Turkey Tom Brady", PARAS) == [Span(1, 0, 35)]


def test_find_reports_every_occurrence():
    assert [s.start for s in anchor.find("said so.", PARAS)] == [36, 51]


def test_find_is_exact_apart_from_whitespace():
    assert anchor.find("U.S. ambassador to Turkey", PARAS) == []
    assert anchor.closest_passage("U.S. ambassador to Turkey", PARAS) == "U.S. Ambassador to Turkey"


def test_sentences_do_not_split_after_abbreviations():
    text = PARAS[1]
    assert [text[s:e] for s, e in anchor.sentences(text)] == [
        "U.S. Ambassador to Turkey Tom Brady said so.", "Again said so."]


def test_the_seed_article_has_21_sentences():
    path = ROOT / "content" / "turkey-s400-f35.md"
    body = load.split_front_matter(path, load.read_text(path)).body
    assert sum(len(anchor.sentences(p)) for p in anchor.paragraphs(body)) == 21


SCALE = Scale((Rating("false", "False", "rating", "d", "material/close-circle", "#8e1b1b", 1, 2),
               Rating("true", "True", "rating", "d", "material/check-circle", "#1b6e32", 5, 1),
               Rating("opinion", "Opinion", "annotation", "d", "material/comment-quote", "#4a3a8c")))


def _claim(cid: str, quote: str, verdict: str = "false", occurrence=None) -> Claim:
    return Claim(id=cid, article="a", path=Path(f"claims/a/{cid}.yaml"), quote=quote, claim="c",
                 rating=SCALE[verdict], summary="s", checked=dt.date(2026, 1, 1), occurrence=occurrence)


ARTICLE = Article(slug="a", path=Path("content/a.md"), title="T", paragraphs=PARAS, paragraph_lines=(1, 3))


def test_anchor_claims_reports_missing_ambiguous_and_overlapping_quotes():
    claims = (_claim("one", "Tom Brady said"), _claim("two", "Brady said so."), _claim("three", "said so."),
              _claim("four", "not in the text"), _claim("five", "said so.", occurrence=2))
    spans, problems = anchor.anchor_claims([ARTICLE], claims)
    messages = {p.path.stem: p.message for p in problems}
    assert "overlaps the quote of claim 'one'" in messages["two"]
    assert "occurs 2 times" in messages["three"]
    assert "quote not found" in messages["four"] and 'closest passage is: "' in messages["four"]
    assert spans[("a", "five")] == Span(1, 51, 59)
    assert "five" not in messages


# --- render -----------------------------------------------------------------------------------------------

def _publication(*claims: Claim) -> Publication:
    spans, problems = anchor.anchor_claims([ARTICLE], claims)
    assert not problems
    return Publication(SCALE, (ARTICLE,), claims, spans)


def test_article_view_segments_scorecard_and_coverage():
    publication = _publication(_claim("one", "Tom Brady"), _claim("two", "Again said so.", "opinion"))
    view = render.article_view(publication, ARTICLE)
    assert [(s.text, s.claim and s.claim.id) for s in view.paragraphs[1]] == [
        ("U.S. Ambassador to Turkey ", None), ("Tom Brady", "one"), (" said so. ", None),
        ("Again said so.", "two")]
    assert [(r.key, n) for r, n in view.scorecard] == [("false", 1), ("opinion", 1)]
    assert view.coverage.total == 3 and view.coverage.checked == 1 and view.coverage.annotated == 1
    assert view.coverage.unaccounted == ((0, "First para has U.S. text."),)


def test_markdown_fields_are_sanitised():
    html = render.markdown_to_html('<script>x()</script> [a](javascript:alert(1)) [b](https://e.org) **c**')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://e.org" rel="noopener noreferrer">b</a>' in html and "<strong>c</strong>" in html


def test_rendered_pages_escape_text_and_link_badges():
    claim = _claim("one", "Tom Brady")
    claim = Claim(**{**claim.__dict__, "summary": '"><img src=x onerror=alert(1)>'})
    site = Site("Pub", "https://e.org/", "Pub", "https://e.org/", "https://git.e.org/pub")
    pages = render.render_pages(_publication(claim), site, ROOT / "templates")
    assert set(pages) >= {"index.md", "methodology.md", "a/index.md", "a/one/index.md"}
    article = pages["a/index.md"]
    assert 'href="one/"' in article and 'id="claim-one"' in article
    assert "<img" not in article and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in article


def test_sentences_start_with_capitals_of_any_script():
    text = "Erdoğan met Putin. Özil said no. İstanbul hosted talks. 2026 came. it was not split."
    assert [text[s:e] for s, e in anchor.sentences(text)] == [
        "Erdoğan met Putin.", "Özil said no.", "İstanbul hosted talks.", "2026 came. it was not split."]


def test_csv_cells_that_spreadsheets_would_run_are_quoted():
    from factcheck.exports import _cell
    assert [_cell(v) for v in ("=HYPERLINK(1)", "+1", "-3%", "@x", "plain", 5)] == [
        "'=HYPERLINK(1)", "'+1", "'-3%", "'@x", "plain", 5]


def test_an_unknown_verdict_key_fails_loudly():
    scale = Scale((Rating("false", "False", "rating", "d", "material/close-circle", "#8e1b1b", 1),))
    assert scale["false"].label == "False" and "false" in scale and "nope" not in scale
    with pytest.raises(KeyError, match=r"'nope' is not in the rating scale \(false\)"):
        scale["nope"]


def test_an_unknown_topic_key_fails_loudly():
    topics = Topics((Topic("s-400", "S-400", "d"), Topic("nato", "NATO", "d")))
    assert topics["nato"].label == "NATO" and topics.keys == ("s-400", "nato")
    with pytest.raises(KeyError, match=r"'nope' is not a topic of the vocabulary \(s-400, nato\)"):
        topics["nope"]


def test_closest_passage_hints_are_bounded_by_the_work_done(monkeypatch):
    """Many missing quotes in a long article: the hints together compare at most anchor.HINT_WORK characters, and
    the first hints still find the passage (the search is bounded by work, not by a number of hints)."""
    import random
    import difflib
    from factcheck.model import Article, Claim, Rating
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(3000)]
    paragraphs = tuple(" ".join(rng.choice(vocabulary) for _ in range(400)) for _ in range(250))
    article = Article("a", Path("content/a.md"), "T", paragraphs, tuple(range(len(paragraphs))))
    rating = Rating("opinion", "Opinion", "annotation", "d", "i", "#000000")
    quotes = []
    for n in range(60):  # a passage of the article with one word changed: not found, but close to one passage
        words = paragraphs[n * 4].split()[100:250]
        words[70] = "changed"
        quotes.append(" ".join(words))
    claims = [Claim(f"c{n}", "a", Path(f"claims/a/c{n}.yaml"), q, "c", rating, "s", None) for n, q in enumerate(quotes)]
    compared = []

    class Counting(difflib.SequenceMatcher):
        def ratio(self):
            compared.append(len(self.a) * len(self.b))
            return super().ratio()

    monkeypatch.setattr(anchor.difflib, "SequenceMatcher", Counting)
    work = anchor.Work(anchor.HINT_WORK)
    spans, problems = anchor.anchor_claims([article], claims, work=work)
    assert not spans and len(problems) == len(claims)
    assert sum(compared) <= work.spent <= anchor.HINT_WORK
    hinted = [p for p in problems if "closest passage" in p.message]
    assert 0 < len(hinted) < len(claims)  # the budget ran out before the last quote, and the build went on
    first = " ".join(paragraphs[0].split()[100:250])
    assert hinted[0].message.endswith(f'the closest passage is: "{first}"')


def _worker_signals(_: int) -> tuple:
    import os
    import signal
    import time
    time.sleep(0.01)
    return os.getpid(), signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def _slow_item(item: tuple[str, int]) -> int:
    import time
    folder, index = item
    Path(folder, str(index)).touch()
    time.sleep(0.1)
    return index


@pytest.mark.skipif(not __import__("factcheck.cores").cores.available(), reason="no fork, or one core")
def test_workers_leave_interruptions_to_the_build_and_stop_when_it_stops_reading(tmp_path):
    """cores.imap's workers ignore Ctrl-C (the build stops them, each after its item, and prints one message) and
    take SIGTERM's default, not the build's handler they were forked with; a caller that stops reading (an error,
    an interruption) drops the items not started, and no worker outlives the call."""
    import multiprocessing
    import os
    import signal
    from factcheck import cores
    seen = list(cores.imap(_worker_signals, list(range(cores.PARALLEL_FROM * 2)), workers=2))
    assert {pid for pid, _, _ in seen} - {os.getpid()}  # the items ran in workers
    assert {(sigint, sigterm) for _, sigint, sigterm in seen} == {(signal.SIG_IGN, signal.SIG_DFL)}
    items = [(str(tmp_path), n) for n in range(64)]
    results = cores.imap(_slow_item, items, workers=2)
    assert next(results) == 0
    results.close()  # as an exception or an interruption in the caller does
    assert not multiprocessing.active_children()
    assert 0 < len(list(tmp_path.iterdir())) < len(items)  # what was not started was dropped
