"""One build sequence for build.py and the preview: the same problems, the same caches, the same files, written the
same way (factcheck/pipeline.py, factcheck/write.py)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bench
from factcheck import cores, language, load, memo, preview, settings, validate, write, yamlform

SLUG = "turkey-s400-f35"
CLAIM_TEMPLATE = "templates/claim.md.j2"


def broken(project: Path, kind: str) -> int:
    """Break the claim template (a syntax error, or a name that does not exist); the line it is broken at."""
    path = project / CLAIM_TEMPLATE
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines) if text.startswith("<h1>")) + 1
    lines[line - 1] += " {{ claim.claim | }}" if kind == "syntax" else " {{ claim.no_such_field }}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return line


@pytest.mark.parametrize("kind", ["syntax", "undefined"])
def test_a_broken_template_is_one_problem_at_its_line_from_build_py(project, kind):
    line = broken(project, kind)
    result = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    problems = [text for text in result.stderr.splitlines() if text.startswith("templates/")]
    assert len(problems) == 1 and problems[0].startswith(f"{CLAIM_TEMPLATE}:{line}: template: "), result.stderr
    # Templates are compiled before anything is written; one that fails while rendering leaves no manifest, so
    # the next build does everything again.
    assert not (project / "generated").exists() if kind == "syntax" else not (
        project / "generated" / ".build-manifest.json").exists()


@pytest.mark.parametrize("kind", ["syntax", "undefined"])
def test_a_broken_template_is_the_same_problem_in_the_preview(project, tmp_path, kind):
    session = preview.Preview(settings.options(project, templates=project / "templates", image_cache=tmp_path / "i"))
    assert session.refresh().ok
    line = broken(project, kind)
    result = session.refresh()
    assert not result.ok and not result.written
    assert [str(p.relative_to(project)).split(": template: ")[0] for p in result.problems] == [f"{CLAIM_TEMPLATE}:{line}"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_is_written_readable_and_the_language_cache_kept_by_both(project, tmp_path):
    os.umask(0o022)
    (project / ".cache").mkdir(exist_ok=True)
    subprocess.run([sys.executable, "build.py"], cwd=project, check=True, capture_output=True)
    languages, forms = project / ".cache" / "languages.json", project / ".cache" / "forms.json"
    # The identifier's answers and the form check's, kept: those found by the workers that read the claims too.
    claims = sorted((project / "claims").glob("*/*.yaml"))
    excerpts = {hashlib.sha256(source["excerpt"].encode("utf-8")).hexdigest()
                for path in claims for source in yaml.safe_load(path.read_text(encoding="utf-8")).get("sources", [])
                if len(source.get("excerpt", "").split()) >= language.MIN_WORDS}
    assert len(claims) >= cores.PARALLEL_FROM and excerpts  # enough claims to be read on every core
    assert excerpts <= set(json.loads(languages.read_text(encoding="utf-8")))
    assert len(json.loads(forms.read_text(encoding="utf-8"))) == len(claims) + len(list(project.glob("content/*.md")))
    files = [p for p in (project / "generated").rglob("*") if p.is_file()] + [languages, forms]
    pages = [p for p in files if p.suffix != ".png"]
    assert {mode(p) for p in pages} == {0o644}, {p.name: oct(mode(p)) for p in pages if mode(p) != 0o644}
    # Share images are the cache's own files, linked into the docs folder: read-only, so nothing edits them in place.
    images = [p for p in files if p.suffix == ".png"]
    assert images and {mode(p) for p in images} == {0o444}
    cached = {p.stat().st_ino for p in (project / ".cache" / "share-images").glob("*.png")}
    assert {p.stat().st_ino for p in images} <= cached

    # The preview saves the identifier's answers too (it once kept them only in memory).
    languages.unlink()
    session = preview.Preview(settings.options(project, out=tmp_path / "docs"))
    assert session.refresh().ok
    assert json.loads(languages.read_text(encoding="utf-8")) and mode(languages) == 0o644


def test_a_copied_share_image_is_compared_not_trusted(tmp_path):
    """When the cache is on another file system the image is copied: an unchanged copy is left alone, a damaged
    one is replaced."""
    source = tmp_path / "cache.png"
    source.write_bytes(b"\x89PNG image")
    source.chmod(0o444)  # as the build leaves its cache files (write.made_by_build)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").mkdir()
    (out / "a" / "share.png").write_bytes(b"\x89PNG image")  # a copy, not a link
    (out / write.MARKER).touch()
    report = write.write_tree(out, {"a/share.png": write.Stored(source)})
    assert report.written == () and report.unchanged == 1
    (out / "a" / "share.png").write_bytes(b"\x89PNG damaged")
    assert write.write_tree(out, {"a/share.png": write.Stored(source)}).written == ("a/share.png",)
    assert (out / "a" / "share.png").read_bytes() == b"\x89PNG image"


def test_the_memo_gives_back_what_compute_would_and_forgets_what_is_not_asked():
    calls = []
    once = memo.Memo()

    def compute(value):
        return lambda: calls.append(value) or value * 2

    assert once(("x", 1), ("a",), compute(1)) == 2
    assert once(("x", 1), ("a",), compute(1)) == 2 and calls == [1]  # same inputs: remembered
    assert once(("x", 1), ("b",), compute(3)) == 6 and calls == [1, 3]  # other inputs: computed again
    once(("y",), (), compute(4))
    once.forget_unasked()
    once(("y",), (), compute(4))
    once.forget_unasked()  # ("x", 1) was not asked since the last call: forgotten
    assert once(("x", 1), ("b",), compute(3)) == 6 and calls == [1, 3, 4, 3]
    assert memo.fresh(("x", 1), ("b",), compute(5)) == 10 and calls[-1] == 5


def test_the_synthetic_publication_has_no_unreviewed_sentence(tmp_path):
    """The benchmark measures the build, not the printing of thousands of coverage warnings."""
    bench.generate(tmp_path, articles=3, claims=6)
    result = subprocess.run([sys.executable, str(Path(__file__).parent.parent / "build.py"), "--root", str(tmp_path)],
                            capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": bench.EPOCH})
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr[:2000]


def test_the_link_checker_does_not_load_the_build():
    """`build.py sources` reads two site settings: it must not import the pipeline, Pillow or Jinja for them."""
    code = ("import sys; from factcheck import sources; "
            "print(sorted(m for m in ('PIL', 'jinja2', 'factcheck.pipeline', 'factcheck.render') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def checked(project: Path, read_claims: bool):
    """validate's result and problems (sorted), reading the claims in load.read_sources or leaving them to
    validation's workers, as a build does."""
    sources = load.read_sources(project / "content", project / "claims", form=yamlform.FormCheck(),
                                read_claims=read_claims)
    assert bool(sources.unread_claims) != read_claims
    scale, topics, articles, claims, problems = validate.validate(sources, settings.today())
    return scale, topics, articles, claims, sorted(map(str, problems))


def test_claims_read_on_every_core_are_those_read_one_by_one(project):
    """A build reads and checks its claims in forked workers (validate._claims_on_every_core); the preview reads
    them one by one. Same claims, same problems, whatever is wrong: a file that is not YAML, one the schema
    refuses, one in a folder with no article, a rule across files; and with a broken scale, the claims' own
    reading problems only."""
    claims = sorted((project / "claims" / SLUG).glob("*.yaml"))
    claims[0].write_text("quote: [unclosed\n", encoding="utf-8")
    text = claims[1].read_text(encoding="utf-8")
    claims[1].write_text(text.replace("\nsummary:", "\nsumary:", 1), encoding="utf-8")
    orphan = project / "claims" / "no-such-article"
    orphan.mkdir()
    (orphan / "a.yaml").write_text("quote: \"\\u202e\"\n", encoding="utf-8")
    (orphan / "b.yaml").write_text("claim: [x\n", encoding="utf-8")
    serial, parallel = checked(project, True), checked(project, False)
    assert serial == parallel
    problems = "\n".join(parallel[-1])
    for wrong in (f"{claims[0].name}:2:1", f"{claims[1].name}:", "unknown key 'sumary'", "no-such-article/a.yaml:1:",
                  "no-such-article/b.yaml:2:1", "claims folder has no article"):
        assert wrong in problems, wrong
    assert len(parallel[3]) == len(claims) - 2 >= cores.PARALLEL_FROM

    scale = project / "claims" / "ratings.yaml"
    scale.write_text(scale.read_text(encoding="utf-8") + "\nnot: [valid\n", encoding="utf-8")
    serial, parallel = checked(project, True), checked(project, False)
    assert serial == parallel and parallel[0] is None and not parallel[3]
    assert "no-such-article/b.yaml:2:1" in "\n".join(parallel[-1])
