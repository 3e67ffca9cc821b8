"""Publication scale: the benchmark at a small size (file counts and linear growth, never wall-clock times), and the
shortcuts that keep large builds fast, each checked to give exactly what the general way gives."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import posixpath
import random
import re
import subprocess
import sys
from pathlib import Path

import fastjsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import bench
from conftest import ROOT, run_build
from factcheck import listings, load, manifest, pipeline, settings, validate
from factcheck.model import Problem

# --- the benchmark, small: 10 and 40 articles of 4 claims -------------------------------------------------------


@pytest.fixture(scope="module")
def sizes(tmp_path_factory) -> list[bench.Size]:
    return bench.benchmark([10, 40], claims=4, work=tmp_path_factory.mktemp("bench"), log=lambda _: None)


def test_synthetic_publication_is_valid_and_sized_like_the_real_one(tmp_path):
    ids = bench.generate(tmp_path, articles=3, claims=5)
    assert len(ids) == 15 and len(set(ids)) == 15
    sizes = [p.stat().st_size for p in (tmp_path / "claims").glob("*/*.yaml")]
    assert 1_000 < sum(sizes) / len(sizes) < 8_000  # the seed archive's claims average about 4 kB
    run_build(ROOT, "--root", str(tmp_path), "--out", str(tmp_path / "generated"))  # validation passes


def test_file_counts(sizes):
    failed = [f"{c.target}: {c.detail}" for c in bench.count_checks(sizes) if not c.ok]
    assert not failed, failed


def test_edit_rewrites_the_claim_and_article_page_and_nothing_unrelated(sizes):
    for size in sizes:
        slug, claim = size.edited.split("/")[1], Path(size.edited).stem
        assert {f"{slug}/index.md", f"{slug}/{claim}/index.md"} <= set(size.edit.written)
        assert not [p for p in size.edit.written if p.count("/") == 2 and not p.startswith(f"{slug}/{claim}/")]


def test_output_and_memory_grow_linearly(sizes):
    failed = [f"{c.target}: {c.detail}" for c in bench.linearity_checks(*sizes) if not c.ok]
    assert not failed, failed


def test_report_lists_every_target(sizes):
    text, _ = bench.report(sizes)
    for words in ("build.py cold <= 20% of mkdocs", "nothing changed <= 25% of cold", "grows at most 4.40x",
                  "rewrites only the pages that show it", "share images cold <= 50% of mkdocs",
                  "peak memory <= 100% of mkdocs",
                  "rewording one claim redraws one share image", "listing pages hold at most 100 claims"):
        assert words in text


# --- a rebuild with nothing changed skips the pipeline, and only then ---------------------------------------------


def build(root: Path, out: Path, **env: str) -> str:
    result = subprocess.run([sys.executable, str(root / "build.py"), "--root", str(root), "--out", str(out)], cwd=root,
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_unchanged_rebuild_writes_nothing_and_changes_are_always_seen(project, tmp_path):
    out = tmp_path / "generated"
    build(project, out)
    assert (out / manifest.NAME).is_file()
    before = stamps(out)
    assert " 0 written, 0 removed" in build(project, out)
    assert stamps(out) == before

    page = out / "index.md"  # a generated file edited or deleted by hand is restored
    text = page.read_text(encoding="utf-8")
    page.write_text("edited by hand", encoding="utf-8")
    assert "1 written" in build(project, out) and page.read_text(encoding="utf-8") == text
    page.unlink()
    assert "1 written" in build(project, out) and page.read_text(encoding="utf-8") == text
    (out / "stray.md").write_text("x", encoding="utf-8")  # a file the build did not make is removed
    assert "1 removed" in build(project, out) and not (out / "stray.md").exists()

    template = project / "templates" / "methodology.md.j2"  # code, templates and inputs are all fingerprinted
    template.write_text(template.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert "1 written" in build(project, out)
    claim = next((project / "claims").glob("*/*.yaml"))
    data = load.load_yaml(claim).data
    claim.write_text(yaml.safe_dump({**data, "summary": "Reworded for the test."}, allow_unicode=True), encoding="utf-8")
    assert " 0 written" not in build(project, out)
    assert " 0 written, 0 removed" in build(project, out)


def test_failed_build_keeps_the_last_good_state(project, tmp_path):
    out = tmp_path / "generated"
    build(project, out)
    before = stamps(out)
    claim = next((project / "claims").glob("*/*.yaml"))
    good = claim.read_text(encoding="utf-8")
    claim.write_text(good + "unknown_key: 1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 1 and "unknown key" in result.stderr
    assert stamps(out) == before
    claim.write_text(good, encoding="utf-8")
    assert " 0 written, 0 removed" in build(project, out)


def test_fingerprint_covers_inputs_code_and_date(tmp_path):
    root = tmp_path / "pub"
    bench.generate(root, articles=1, claims=2)
    config = ROOT / "mkdocs.yml"
    day = dt.date(2026, 1, 1)
    first = manifest.fingerprint(ROOT, root, config, day)
    assert manifest.fingerprint(ROOT, root, config, day) == first
    assert manifest.fingerprint(ROOT, root, config, day + dt.timedelta(days=1)) != first
    (root / "claims" / "empty-folder").mkdir()  # an empty claims folder is an error: it must not be skipped
    assert manifest.fingerprint(ROOT, root, config, day) != first


# --- libyaml: used, and errors reported exactly as by the pure-Python parser --------------------------------------

MALFORMED = {
    "unclosed quote": 'quote: "unclosed\nclaim: b\n',
    "tab indentation": "sources:\n\t- url: https://example.org\n",
    "bad indentation": "quote: a\n  claim: b\n",
    "mapping in a plain value": "quote: a: b\n",
    "unclosed flow list": "sources: [a, b\nclaim: c\n",
    "unclosed flow mapping": "sources: {url: x\n",
    "block entry in a mapping": "quote: a\n- b\n",
    "duplicate key": "quote: a\nclaim: b\nquote: c\n",
    "control character": "quote: a\x07b\n",
    "two documents": "quote: a\n---\nquote: b\n",
    "undefined alias": "quote: *nowhere\n",
    "python tag": "quote: !!python/object/apply:os.system ['true']\n",
    "non-ASCII before the error": "quote: Türkiye’s “S-400”\nclaim: ‘x’: y\n",
    "bad escape": 'quote: "\\q"\n',
    "empty": "",
    "only a comment": "# nothing\n",
}


def pure_python(monkeypatch) -> None:
    monkeypatch.setattr(load, "_Loader", load._PureLoader)


def outcome(text: str, line_offset: int = 0):
    document = load.parse_yaml(Path("claims/a/b.yaml"), text, line_offset)
    if isinstance(document, Problem):
        return str(document)
    return document.data, document.marks


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
def test_libyaml_parses_valid_documents(monkeypatch):
    assert issubclass(load._Loader, yaml.CSafeLoader)
    used = []
    parse = load._parse
    monkeypatch.setattr(load, "_parse", lambda *args: used.append(args[3]) or parse(*args))
    load.parse_yaml(Path("c.yaml"), "quote: a\nchecked: 2025-01-01\n")
    assert used == [load._Loader]  # one parse, by libyaml


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("case", MALFORMED)
@pytest.mark.parametrize("line_offset", [0, 1])
def test_errors_are_the_same_with_libyaml_and_pure_python(monkeypatch, case, line_offset):
    with_libyaml = outcome(MALFORMED[case], line_offset)
    assert isinstance(with_libyaml, str), with_libyaml  # every case is an error...
    unplaced = case in ("empty", "only a comment", "control character")
    where = r"claims/a/b\.yaml: " if unplaced else r"claims/a/b\.yaml:\d+:\d+: "
    assert re.match(where, with_libyaml), with_libyaml  # ... located at file:line:col where YAML can say
    pure_python(monkeypatch)
    assert outcome(MALFORMED[case], line_offset) == with_libyaml


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
def test_libyaml_alone_would_word_errors_differently():
    """Why a document libyaml rejects is parsed again: its own messages (and some columns) differ."""
    def libyaml_only(text):
        try:
            load._parse(Path("claims/a/b.yaml"), text, 0, load._Loader)
        except load._Refused as refused:
            return str(refused.problem)
    differ = [case for case, text in MALFORMED.items() if libyaml_only(text) != outcome(text)]
    assert {"bad indentation", "unclosed flow list", "bad escape"} <= set(differ)


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
def test_real_files_load_the_same_with_libyaml_and_pure_python(monkeypatch):
    paths = sorted((ROOT / "claims").rglob("*.yaml")) + sorted((ROOT / "content").glob("*.md"))
    def everything():
        return [load.split_front_matter(p, load.read_text(p)).document if p.suffix == ".md" else load.load_yaml(p)
                for p in paths]
    fast = [(d.data, d.marks, d.line_offset) for d in everything()]
    pure_python(monkeypatch)
    assert [(d.data, d.marks, d.line_offset) for d in everything()] == fast


# --- the compiled schema check accepts exactly what jsonschema accepts ----------------------------------------------


def reference_validators() -> dict:
    """The validators as jsonschema builds them from the schema files, $refs and all."""
    resources = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in validate.SCHEMA_DIR.glob("*.schema.json")}
    registry = Registry().with_resources((name, Resource.from_contents(s)) for name, s in resources.items())
    return {name.split(".")[0]: Draft202012Validator(s, registry=registry) for name, s in resources.items()}


JUNK = [None, 0, 1, -3, 2.5, float("nan"), True, False, "", " ", "\n", "x", "2025-13-45", "2025-01-01", "ftp://x",
        "http://", "https://example.org", [], {}, ["a"], [{}], {"url": "nope"}, "true", "opinion", "bogus"]


def junk(rng: random.Random):
    """A junk value, copied: the same list or mapping put in twice could be appended into itself (a cycle)."""
    return copy.deepcopy(rng.choice(JUNK))


def mutate(rng: random.Random, data):
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        node = data
        while isinstance(node, (dict, list)) and node and rng.random() < 0.7:
            key = rng.choice(list(node) if isinstance(node, dict) else range(len(node)))
            if not isinstance(node[key], (dict, list)):
                break
            node = node[key]
        if isinstance(node, dict):
            keys = list(node)
            choice = rng.random()
            if choice < 0.3 and keys:
                del node[rng.choice(keys)]
            elif choice < 0.5:
                node[rng.choice(["extra", "titel", "url", "date", "note", 3, None])] = junk(rng)
            elif keys:
                node[rng.choice(keys)] = junk(rng)
        elif isinstance(node, list):
            if node and rng.random() < 0.5:
                node[rng.randrange(len(node))] = junk(rng)
            else:
                node.append(junk(rng))
    return data


def test_quick_check_reports_exactly_what_jsonschema_reports(tmp_path):
    bench.generate(tmp_path, articles=2, claims=4)
    sources = [load.read_sources(root / "content", root / "claims") for root in (ROOT, tmp_path)]
    documents = [("claim", d) for s in sources for *_, d in s.claims]
    documents += [("article", f.document) for s in sources for _, f in s.articles] + [("ratings", sources[0].scale)]
    quick, reference = validate._schemas(), reference_validators()
    rng, invalid = random.Random(11), 0
    for kind, document in documents:
        for data in [document.data] + [mutate(rng, document.data) for _ in range(30)]:
            variant = load.Document(document.path, data, document.marks, document.line_offset)
            expected = validate.schema_problems(variant, reference[kind])
            assert validate.schema_problems(variant, quick[kind]) == expected, data
            try:  # "valid" must be right; "not valid" only sends the document to jsonschema
                quick[kind].is_valid(data)
            except fastjsonschema.JsonSchemaException:
                pass
            else:
                assert not expected
            invalid += bool(expected)
    assert invalid > len(documents) * 10  # the mutations did produce invalid documents




# --- browsing at 2,000 claims: pages of at most 100, every claim reachable through its verdict's pages ----------------


def test_at_2000_claims_listings_hold_at_most_100_claims_and_each_verdict_leads_to_all_its_claims(tmp_path):
    bench.generate(tmp_path, articles=100, claims=20)  # the benchmark's publication, with claimants and topics
    assembly = pipeline.assemble(settings.options(tmp_path))
    publication, pages = assembly.publication, dict(assembly.pages)
    assert publication is not None and len(publication.claims) == 2000

    def rows(name: str) -> list[str]:
        """The claims a listing page links, as paths of their pages from the site root."""
        html = BeautifulSoup(pages[name], "html.parser")
        return [posixpath.normpath(posixpath.join(posixpath.dirname(name), a["href"])) + "/"
                for a in html.select(".fc-listing li > a")]

    listing_pages = [name for name in pages if name.split("/")[0] in listings.KINDS and name.count("/") >= 2]
    assert len(listing_pages) > 60 and max(len(rows(name)) for name in listing_pages) == 100
    reached = []
    for rating in publication.scale.ratings:
        expected = {c.permalink for c in publication.claims if c.rating.key == rating.key}
        found, name, count = [], f"verdicts/{rating.key}/index.md", 0
        while name:  # page 1, then each page's Next link
            found += rows(name)
            count += 1
            following = BeautifulSoup(pages[name], "html.parser").select_one('nav.fc-pages a[rel="next"]')
            name = following and posixpath.join(
                posixpath.normpath(posixpath.join(posixpath.dirname(name), following["href"])), "index.md")
        assert sorted(found) == sorted(expected) and count == max(1, -(-len(expected) // 100)), rating.key
        reached += found
    assert len(reached) == len(set(reached)) == 2000
    # Claimants and topics are realistic: most claims name someone, nearly all carry a topic.
    assert sum(c.claimant is not None for c in publication.claims) > 1200
    assert sum(bool(c.topics) for c in publication.claims) > 1700


def test_no_schema_puts_constraints_beside_a_ref():
    """fastjsonschema (the quick check) ignores keywords beside "$ref", which JSON Schema 2020-12 applies: a
    constraint there would be checked by editors' tools but not by the build (an empty update note passed)."""
    def beside_refs(node, at=""):
        if isinstance(node, dict):
            if "$ref" in node:
                yield from (f"{at}/{k}" for k in node if k not in ("$ref", "description"))
            for key, value in node.items():
                yield from beside_refs(value, f"{at}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from beside_refs(value, f"{at}/{index}")
    for schema in sorted((ROOT / "schemas").glob("*.schema.json")):
        assert not list(beside_refs(json.loads(schema.read_text(encoding="utf-8")))), schema.name
