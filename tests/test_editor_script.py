"""The web editor's script (templates/admin/editor.js) agrees with the Python it mirrors, run by Node on the real
claims and on hostile cases: its normalisation and quote search are the build's (factcheck/anchor.py), so the preview
pane says "not found" exactly when the build will; its tidying before a save puts an entry's keys in the order
factcheck/yamlform.py writes them, dropping only empty optional fields; and its claimant widget keeps a name a name
and an object an object, and says what the schema would refuse."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck import anchor, cms, fields, load, yamlform

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "editor_script.js"
# Every character Python's str.split() treats as white space, and some it does not (JavaScript's \s has \ufeff).
PY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
NOT_SPACE = "\u200b\ufeff\u180e\u2060\u00ad"


def run(cases: dict) -> dict:
    """The script's answers to `cases` (by kind; the kinds not given are empty)."""
    cases = {kind: [] for kind in ("normalise", "occurrences", "checks", "tidy", "textOrObject",
                                   "textOrObjectProblem")} | cases
    if not (ROOT / "node_modules" / "immutable").is_dir() or not shutil.which("node"):
        pytest.fail("node and node_modules are needed: run `npm ci` (make quick and make test do)", pytrace=False)
    result = subprocess.run(["node", str(DRIVER)], input=json.dumps(cases), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def real():
    articles = {p.stem: load.split_front_matter(p, p.read_text("utf-8")) for p in (ROOT / "content").glob("*.md")}
    claims = [(p.parent.name, load.parse_yaml(p, p.read_text("utf-8")).data)
              for p in sorted((ROOT / "claims").glob("*/*.yaml"))]
    assert claims and articles
    return articles, claims


def hostile_texts() -> list[str]:
    texts = [PY_SPACE, NOT_SPACE, f"a{PY_SPACE}b", f"a{NOT_SPACE}b", " a  b ", "\n\na\r\nb\t", "", "   ",
             "a\u00a0b", "a\u3000b", "a\x1cb", "a\x85b", "a\u2028b", "emoji 😀  😀", "“curly”  ‘quotes’"]
    texts += [f"x{c}y{c}{c}z" for c in PY_SPACE + NOT_SPACE]
    return texts


def test_normalisation_is_the_builds():
    articles, claims = real()
    texts = hostile_texts() + [c["quote"] for _, c in claims] + [a.body for a in articles.values()]
    answers = run({"normalise": texts, "occurrences": [], "checks": [], "tidy": []})["normalise"]
    assert answers == [anchor.normalise(t) for t in texts]


def test_the_quote_is_found_exactly_when_the_build_finds_it():
    articles, claims = real()
    cases = []
    for slug, claim in claims:
        paragraphs = list(articles[slug].document and anchor.paragraphs(articles[slug].body))
        quote = claim["quote"]
        for variant in (quote, quote.replace(" ", "\n  "), quote.replace(" ", "\u00a0"), quote[:-1] + "X",
                        quote.replace(" ", "\u200b"), quote.upper(), f" {quote} ", quote.replace("’", "'")):
            cases.append((variant, paragraphs))
    cases += [("aa", ["aaaa"]), ("a a", ["a a a"]), ("x", ["x", "yx", "xx"]), ("", ["abc"]), ("😀", ["😀😀"])]
    answers = run({"normalise": [], "occurrences": cases, "checks": [], "tidy": []})["occurrences"]
    expected = [len(anchor.find(quote, tuple(paragraphs))) for quote, paragraphs in cases]
    assert answers == expected
    assert 0 in expected and 1 in expected and max(expected) > 1  # the cases reach every outcome


def test_the_preview_says_what_the_build_will():
    paragraphs = ["One passage here.", "A repeated phrase and a repeated phrase."]
    article = {"title": "T", "paragraphs": paragraphs}
    checks = [["One   passage\nhere.", None, article], ["One passage there.", None, article],
              ["repeated phrase", None, article], ["repeated phrase", 2, article],
              ["repeated phrase", 3, article], ["   ", None, article], ["One passage", None, {"missing": True}],
              ["One passage", None, None]]
    states = run({"normalise": [], "occurrences": [], "checks": checks, "tidy": []})["checks"]
    assert states == ["found", "missing", "ambiguous", "found", "ambiguous", "missing", "unknown", "unknown"]


def test_tidying_before_a_save_gives_the_repositorys_key_order():
    _, claims = real()
    shape = [{"name": f.name, "required": f.required, **({"fields": [{"name": g.name, "required": g.required}
                                                                     for g in f.fields]} if f.fields else {})}
             for f in fields.of("claim")]
    scrambled = []
    for _, claim in claims:
        reordered = dict(reversed(list(claim.items())))
        if reordered.get("sources"):
            reordered["sources"] = [dict(reversed(list(s.items()))) for s in reordered["sources"]]
        scrambled.append(reordered)
    # Nine keys or more: Immutable keeps them in hash order, which is why the script reorders them.
    many = {"url": "https://example.org/", "title": "T", "publisher": "P", "published": "2025-01-01",
            "accessed": "2025-01-02", "excerpt": "E", "lang": "tr", "translation": "Tr", "archived_url": "https://web.archive.org/x",
            "archived": "2025-01-03"}
    empty = {"quote": "q", "claim": "c", "verdict": "false", "summary": "s", "analysis": "", "occurrence": None,
             "sources": [{"url": "https://example.org/", "title": "T", "publisher": "", "lang": ""}], "updates": [],
             "checked": "2025-01-01", "unknown": "kept"}
    cases = [[d, shape] for d in scrambled] + [[{"sources": [many]}, shape], [empty, shape]]
    answers = run({"normalise": [], "occurrences": [], "checks": [], "tidy": cases})["tidy"]
    for (data, _), answer in zip(cases[:-1], answers[:-1]):
        assert json.dumps(answer) == json.dumps(yamlform.ordered(data, fields.of("claim")))
    assert json.dumps(answers[-1]) == json.dumps({
        "quote": "q", "claim": "c", "verdict": "false", "summary": "s",
        "sources": [{"url": "https://example.org/", "title": "T"}], "checked": "2025-01-01", "unknown": "kept"})


def test_a_claimant_keeps_the_form_it_was_written_in():
    """text_or_object (the claimant): a name stays a name while only the name is edited; giving a type or an address
    makes it an object (name first); emptying them makes it a name again; an object stays one while a part is set."""
    cases = [["Tom Barrack", "name", "name", "Thomas Barrack"],
             ["Bloomberg", "name", "type", "organization"],
             [None, "name", "name", "Bloomberg"],
             [{"name": "Bloomberg", "type": "organization"}, "name", "type", ""],
             [{"name": "Mara Ilić", "type": "person", "url": "https://ministry.example/minister"}, "name", "url", ""],
             [{"name": "Bloomberg", "type": "organization"}, "name", "name", "Bloomberg L.P."],
             ["Tom Barrack", "name", "name", ""]]
    assert run({"textOrObject": cases})["textOrObject"] == [
        "Thomas Barrack", {"name": "Bloomberg", "type": "organization"}, "Bloomberg", "Bloomberg",
        {"name": "Mara Ilić", "type": "person"}, {"name": "Bloomberg L.P.", "type": "organization"}, ""]


def test_the_claimant_widget_refuses_what_the_build_would():
    """Its parts are the schema's (factcheck/fields.py): name and type required in an object, the url's pattern."""
    claimant = next(f for f in fields.of("claim") if f.name == "claimant")
    parts = cms.widget(claimant, {"verdict": [], "topic": []}, "claim.claimant")["fields"]
    cases = [["Tom Barrack", "name", parts], [{"name": "Bloomberg", "type": "organization"}, "name", parts],
             [{"url": "https://example.org/"}, "name", parts], [{"name": "X", "url": "https://x.example/"}, "name", parts],
             [{"name": "X", "type": "person", "url": "javascript:alert(1)"}, "name", parts], ["   ", "name", parts],
             [None, "name", parts]]
    assert run({"textOrObjectProblem": cases})["textOrObjectProblem"] == [
        None, None, "Name is required when URL is given.", "Type is required when Name and URL are given.",
        "URL must be an http(s) address with a host, at most 2,000 characters.",
        "Name must be text that is not blank, at most 200 characters.", None]
