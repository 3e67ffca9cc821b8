"""factcheck/yamlform.py writes exactly what the web editor writes: compared, byte for byte, with Decap's own
serialiser run by Node on the libraries Decap bundles (tests/decap_yaml.js: yaml 1.10, gray-matter 4), on every real
claim and article, on hostile strings and on thousands of random documents. What it writes reads back as the same
data, it is a fixed point, and the build points at the first line of a file that is not in that form."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck import characters, fields, load, yamlform
from factcheck.model import Problem

ROOT = Path(__file__).resolve().parent.parent
DECAP_YAML = ROOT / "tests" / "decap_yaml.js"

HOSTILE = [
    "", " ", "  ", "\t", "\n", "\n\n", " \n ", "false", "False", "TRUE", "null", "Null", "~", "yes", "no", "on", "1",
    "-1", "+1", "017", "0o17", "0x1F", "1_000", "1:30", "1.5", ".5", "1.", "1e3", "-1E-3", ".inf", "-.Inf", ".nan",
    "2025-12-17", "2025-12-17T10:00:00Z", "=", "<<", "-", "- x", "?", "? x", ":", "a:", "a: b", "a:b", "#", "a #b",
    "a#b", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "'", '"', "'x'", '"x"', "it's", 'say "hi"', "both ' and \"",
    "[x]", "{x}", "x, y", "x]", "---", "--- x", "...", "a\n---\nb", "a\n...", "a\n%b", " leading", "trailing ",
    "trailing\t", "line\nbreak", "line\n\nbreak", "\nleading newline", "trailing newline\n", "trailing\n\n",
    "a \nb", "a\n b", "a\n\tb", "back\\slash", "bell\x07", "nel\x85", "line\u2028sep", "nb\u00a0sp", "\ufeffbom",
    "tab\tinside", "emoji 😀 " * 12, "ş" * 90, "x" * 200, ("word " * 40).strip(), ("long" * 30 + " ") * 3,
    ("quoted: " + "word " * 30).strip(), '"' + "word " * 30 + "x", "a\n" + "word " * 40, " " + "word " * 40,
    ("w " * 60) + "\n", "x" * 79, "x" * 80, "x" * 81, "a " + "x" * 100, "\\u0041", '"\\n"', "a  b", "a   " * 30,
    "word\\x41 " * 20, "0", "-0", "00", "1.0", "+.5", "0b11", "1e", "e1", "Ä:", "🙂:", "é" * 100 + " é",
]


def decap(documents: list[dict]) -> list[str]:
    """What Decap writes for each {data, body?}."""
    if not (ROOT / "node_modules" / "yaml").is_dir() or not shutil.which("node"):
        pytest.fail("node and node_modules are needed: run `npm ci` (make quick and make test do)", pytrace=False)
    result = subprocess.run(["node", str(DECAP_YAML)], input=json.dumps(documents), capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    # As Node writes text to a file: a lone surrogate (a fold can split a pair) becomes U+FFFD.
    return [text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            for text in json.loads(result.stdout)]


def ours(document: dict) -> str:
    if "body" in document:
        return yamlform.front_matter(document["data"], document["body"])
    return yamlform.dump(document["data"])


def assert_same_as_decap(documents: list[dict]) -> None:
    expected = decap(documents)
    different = [(d, e, mine) for d, e in zip(documents, expected) if (mine := ours(d)) != e]
    assert not different, "first of {} differences:\n{!r}\ndecap: {!r}\nours:  {!r}".format(len(different),
                                                                                           *different[0])


def real_documents() -> list[dict]:
    documents = []
    for path in sorted((ROOT / "claims").glob("*/*.yaml")):
        documents.append({"data": yamlform.ordered(load.parse_yaml(path, path.read_text("utf-8")).data,
                                                   fields.of("claim"))})
    for path in sorted((ROOT / "content").glob("*.md")):
        front = load.split_front_matter(path, path.read_text("utf-8"))
        documents.append({"data": yamlform.ordered(front.document.data, fields.of("article")), "body": front.body})
    assert len(documents) > 10
    return documents


def hostile_documents() -> list[dict]:
    documents = []
    for text in HOSTILE:
        documents.append({"data": {"summary": text}})
        documents.append({"data": {"quote": "q", "sources": [{"url": "https://example.org/", "title": text},
                                                             {"excerpt": text, "lang": "tr"}]}})
        documents.append({"data": {"list": [text, text]}})
        if text and not text.strip("-+0123456789"):  # integer-like keys come first in JavaScript objects
            continue
        documents.append({"data": {text: "value", "after": text}})
        documents.append({"data": {"title": text}, "body": "\nBody " + text})
    documents.append({"data": {"all": None, "null": None}})
    documents.append({"data": {"empty list": [], "empty map": {}, "nested": [[], {}, [["x"]], {"a": {"b": "c"}}]}})
    documents.append({"data": {"numbers": [0, -7, 12, 2 ** 40, 1.5, -0.25, 1e21, 1e-7, 123456.789, 3e-5]}})
    documents.append({"data": {"title": "x"}, "body": ""})
    documents.append({"data": {"title": "x"}, "body": "no final line break"})
    return documents


def random_text(rng: random.Random) -> str:
    pieces = [" ", " ", " ", "  ", "\n", "\n\n", "\t", ": ", " #", "#", '"', "'", "-", "?", "---", "...", "%", ",",
              "[", "}", "\\", "\x07", "\u2028", "\u00a0", "😀", "ş", "\r\n", "true", "1", "2025-01-02", "."]
    out = []
    for _ in range(rng.randint(0, 60)):
        if rng.random() < 0.7:
            out.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyzÇğ0123456789") for _ in range(rng.randint(1, 14))))
        else:
            out.append(rng.choice(pieces))
    return "".join(out)


def random_value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        return {random_key(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 3 and roll < 0.25:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.3:
        return rng.choice([None, 0, 7, -3, 2.5, 1e-9, 10 ** 22])
    return random_text(rng)


def random_key(rng: random.Random) -> str:
    key = rng.choice(["url", "title", "summary", "a key", "x:y", "#k", "true", "k" * rng.randint(1, 30), "é"])
    return key + str(rng.randint(0, 9)) if rng.random() < 0.3 else key


def random_documents(count: int, seed: int = 19) -> list[dict]:
    rng = random.Random(seed)
    documents = []
    for _ in range(count):
        data = {random_key(rng): random_value(rng, 1) for _ in range(rng.randint(1, 6))}
        # Bodies start on a line of their own, as ours do (gray-matter would read a body that starts with "---" as
        # front matter of its own).
        documents.append({"data": data, "body": "\n" + random_text(rng)} if rng.random() < 0.2 else {"data": data})
    return documents


def test_real_files_are_written_as_decap_writes_them():
    assert_same_as_decap(real_documents())


def test_hostile_strings_are_written_as_decap_writes_them():
    # Integers past 2**53 are rounded in JavaScript: written as Decap writes them (they do not read back the same).
    assert_same_as_decap(hostile_documents() + [{"data": {"big": [2 ** 60, -(10 ** 22), 2 ** 53 + 1]}}])


def test_random_documents_are_written_as_decap_writes_them():
    assert_same_as_decap(random_documents(3000))


@pytest.mark.parametrize("documents", [hostile_documents, lambda: random_documents(1000, seed=7), real_documents],
                         ids=["hostile", "random", "real"])
def test_what_is_written_reads_back_as_the_same_data_and_is_a_fixed_point(documents, tmp_path):
    for document in documents():
        if any(str(key).startswith(("---", "...")) for key in document["data"]):
            continue  # Decap writes such a key plain, as a document marker (test_unreadable_keys_are_refused)
        if characters.FORBIDDEN.search(json.dumps(document, ensure_ascii=False)):
            continue  # control and invisible characters: the build refuses the file before anything formats it
        text = ours(document)
        suffix = ".md" if "body" in document else ".yaml"
        path = tmp_path / f"file{suffix}"
        parsed = (load.split_front_matter if suffix == ".md" else load.parse_yaml)(path, text)
        assert not isinstance(parsed, Problem), (document, text, parsed)
        data = parsed.document.data if suffix == ".md" else parsed.data
        # A final block scalar in front matter loses its trailing line breaks to gray-matter's trim (Decap reads
        # the shorter value back); the formatter writes the shorter value at once.
        assert data in (document["data"], yamlform.final_trimmed(document["data"])), (text, data)
        if suffix == ".md":
            assert parsed.body + ("" if parsed.body.endswith("\n") else "\n") == document["body"] + (
                "" if document["body"].endswith("\n") else "\n")
        once = yamlform.formatted(path, text)
        assert yamlform.formatted(path, once) == once  # a fixed point
        kind_fields = fields.of("article" if suffix == ".md" else "claim")
        in_order = json.dumps(yamlform.ordered(data, kind_fields)) == json.dumps(data)  # dict == ignores order
        if in_order and data == document["data"]:  # keys in the schema's order already
            assert once == text


def test_the_build_points_at_the_first_line_out_of_form(tmp_path):
    path = tmp_path / "claim.yaml"
    canonical = yamlform.dump({"quote": "q", "claim": "c", "verdict": "false", "summary": ("word " * 30).strip()})
    assert canonical.count("\n") == 6  # the summary is folded over three lines
    assert yamlform.form_problem(path, canonical, load.parse_yaml(path, canonical)) is None
    for text, line in ((canonical.replace('"false"', "'false'"), 3),  # quoted otherwise
                       ("# yaml-language-server: $schema=x\n" + canonical, 1),  # a comment
                       (canonical.replace("word\n  word", "word word", 1), 4),  # folded elsewhere
                       (canonical.rstrip("\n"), 6),  # no final line break
                       ("claim: c\nquote: q\nverdict: \"false\"\nsummary: s\n", 1)):  # keys out of order
        problem = yamlform.form_problem(path, text, load.parse_yaml(path, text))
        assert problem is not None and problem.severity == "warning" and problem.line == line, (text, problem)
        assert "run make fmt" in problem.message
        assert yamlform.formatted(path, text) == yamlform.dump(
            yamlform.ordered(load.parse_yaml(path, text).data, fields.of("claim")))


def test_unreadable_keys_are_refused(tmp_path):
    """The formatter never writes what would not read back as the same data: here, a key Decap would write as a
    document marker (no schema allows such a key; validation reports it too)."""
    path = tmp_path / "claim.yaml"
    text = '"--- x": value\n'
    problem = yamlform.formatted(path, text)
    assert isinstance(problem, Problem) and "without changing its data" in problem.message
    assert yamlform.form_problem(path, text, load.parse_yaml(path, text)) is None


def test_the_builds_form_check_remembers_each_files_answer_by_its_bytes(tmp_path, monkeypatch):
    """A build asks yamlform.FormCheck, which prints a file only the first time its bytes are seen (printing costs
    about twice parsing): the answer is kept in .cache/forms.json for the next build. What else the answer depends
    on (the schemas' fields, the printer's code) is in the key, and a damaged cache file is only a slower build."""
    path = tmp_path / "claim.yaml"
    canonical = yamlform.dump({"quote": "q", "claim": "c", "verdict": "false", "summary": "s"})
    reordered = "claim: c\nquote: q\nverdict: \"false\"\nsummary: s\n"
    cases = [(text, load.parse_yaml(path, text)) for text in (canonical, reordered)]
    cache = tmp_path / ".cache" / "forms.json"
    monkeypatch.setattr(yamlform, "_answers", yamlform._fresh())
    first = [yamlform.FormCheck()(path, text, parsed) for text, parsed in cases]
    assert first[0] is None and (first[1].line, first[1].severity) == (1, "warning")
    yamlform.keep(cache)
    assert sorted(json.loads(cache.read_text(encoding="utf-8")).values()) == [0, 1]

    monkeypatch.setattr(yamlform, "_answers", yamlform._fresh())  # a new build, as a new process
    yamlform.remember(cache)
    printed = []
    real = yamlform.form_problem
    monkeypatch.setattr(yamlform, "form_problem", lambda *args: printed.append(args) or real(*args))
    check = yamlform.FormCheck()
    assert [check(path, text, parsed) for text, parsed in cases] == first and printed == []
    check.salt = bytes(32)  # other schemas or printer: other keys, printed again
    assert [check(path, text, parsed) for text, parsed in cases] == first and len(printed) == 2

    cache.write_text('{"x": "not an answer", "y": -1', encoding="utf-8")  # damaged: not even JSON
    monkeypatch.setattr(yamlform, "_answers", yamlform._fresh())
    yamlform.remember(cache)
    assert yamlform.FormCheck()(path, reordered, cases[1][1]) == first[1] and len(printed) == 3


def test_a_value_held_in_several_places_is_written_as_if_each_were_a_copy():
    """yamlform.dump prints a mapping or list the document holds in several places once per indent (the web
    editor's configuration repeats the claim fields in every collection): the text is that of a document holding
    copies, at every depth and indent."""
    shared = [{"name": "quote", "widget": "text", "pattern": ["^x$", "one line"]}, {"name": "a", "list": [1, "b"]}]
    document = {"collections": [{"name": "one", "fields": shared}, {"name": "two", "fields": shared}],
                "top": shared, "deeper": {"again": {"fields": shared}}, "twice": [shared, shared]}
    assert yamlform.dump(document) == yamlform.dump(json.loads(json.dumps(document)))
    assert yamlform.dump(document).count("one line") == 6
