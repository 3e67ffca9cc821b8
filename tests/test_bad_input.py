"""An editor's mistake gives a clear `file:line: message`, exit 1, and leaves the published site untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT, copy_project, run_build
from factcheck import pipeline
from factcheck.settings import options

SLUG = "turkey-s400-f35"
CLAIM = f"claims/{SLUG}/ambassador-name.yaml"


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A project copy with a good site/ already built, to copy for each bad edit."""
    project = copy_project(tmp_path_factory.mktemp("good") / "project")
    run_build(project, "--site")
    return project


@pytest.fixture
def project(built_project, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, symlinks=True)  # node_modules stays a link to the one installed
    return copy


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_fails(project: Path) -> str:
    """Run the full build on a broken project; check exit 1, no traceback, nothing published changed."""
    site, generated = tree_digest(project / "site"), tree_digest(project / "generated")
    # The timeout catches a hang (a test never judges speed): every bad input is refused in well under a second.
    result = subprocess.run([sys.executable, "build.py", "--site"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert tree_digest(project / "site") == site
    assert tree_digest(project / "generated") == generated
    return result.stderr


def edit(project: Path, relative: str, text: str | bytes) -> None:
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def original(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def replace_line(relative: str, key: str, new: str) -> str:
    """The file with the top-level entry `key: ...` replaced by `new`: its line and the indented lines that continue
    its value (blank lines within it too; the editor's form folds long values)."""
    return re.sub(rf"^{key}:.*(?:\n(?:[ \t]+\S.*|[ \t]*(?=\n[ \t]*\n*[ \t]+\S)))*", lambda _: new,
                  original(relative), count=1, flags=re.M)


def line_of(relative: str, key: str) -> int:
    return next(i for i, line in enumerate(original(relative).splitlines(), 1) if line.startswith(f"{key}:"))


CASES = {
    "malformed": (lambda: original(CLAIM) + 'extra: "unclosed\n', r"ambassador-name\.yaml:\d+:\d+: .*"),
    "tab indentation": (lambda: original(CLAIM) + "updates:\n\t- date: 2026-01-01\n",
                        r"ambassador-name\.yaml:\d+:\d+: .*tabs"),
    "empty": (lambda: "", r"ambassador-name\.yaml: the file is empty"),
    "not utf-8": (lambda: original(CLAIM).encode("utf-8") + b"\nnote: \xff\xfe\n",
                  r"ambassador-name\.yaml:\d+: not valid UTF-8"),
    "python tag": (lambda: original(CLAIM) + "extra: !!python/object/apply:os.system ['touch pwned']\n",
                   r"ambassador-name\.yaml:\d+:\d+: .*python/object/apply"),
    "huge": (lambda: original(CLAIM) + "# " + "x" * 50_000_000 + "\n", r"ambassador-name\.yaml: file is .* bytes"),
    "mistyped key": (lambda: original(CLAIM).replace("\nverdict:", "\nverdit:"),
                     r"ambassador-name\.yaml:\d+:1: unknown key 'verdit' \(did you mean 'verdict'\?\)"),
    "list for string": (lambda: replace_line(CLAIM, "claim", "claim: [one, two]"),
                        rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:1: claim: .* is not of type 'string'"),
    "unknown verdict": (lambda: replace_line(CLAIM, "verdict", "verdict: pants-on-fire"),
                        rf"ambassador-name\.yaml:{line_of(CLAIM, 'verdict')}:1: verdict: 'pants-on-fire' is not one of"),
    "quote not in article": (lambda: replace_line(CLAIM, "quote", "quote: U.S. Ambassador to Turkey Tom Barrack"),
                             r'ambassador-name\.yaml: quote not found .* closest passage is: "U\.S\. Ambassador to '
                             r'Turkey Tom Brady"'),
    "javascript url": (lambda: original(CLAIM).replace("- url: https://", "- url: javascript://", 1),
                       r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: 'javascript:.* is not an http\(s\) URL"),
    "future date": (lambda: replace_line(CLAIM, "checked", "checked: 2999-01-01"),
                    r"ambassador-name\.yaml:\d+:\d+: checked: 2999-01-01 is in the future"),
    "impossible date": (lambda: replace_line(CLAIM, "checked", "checked: 2026-02-30"),
                        r"ambassador-name\.yaml:\d+:\d+: checked: '2026-02-30' is not a real date"),
    "control character": (lambda: replace_line(CLAIM, "claim", 'claim: "Tom\\u0001Brady"'),
                          rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:1: claim: U\+0001 .*control characters are not allowed"),
    "surrogate escape": (lambda: replace_line(CLAIM, "quote", 'quote: "Tom Brady \\ud83d\\ude00"'),  # as JSON writes 😀
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'quote')}:1: quote: U\+D83D .*control characters are not allowed"),
}


# --- hostile edits: what an outside contributor could try in a pull request ------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))


def after(key: str, text: str) -> str:
    """The claim with `text` put after `key: ` on its first line."""
    return re.sub(rf"^{key}: ", lambda _: f"{key}: {text}", original(CLAIM), count=1, flags=re.M)


def nested(depth: int) -> str:
    return original(CLAIM) + "extra:\n" + "".join("  " * i + "- \n" for i in range(depth))


HOSTILE = {
    "alias bomb": (lambda: original(CLAIM) + ALIAS_BOMB,
                   rf"ambassador-name\.yaml:{len(original(CLAIM).splitlines()) + 1}:4: YAML anchor \(&\) is not allowed"),
    "alias": (lambda: original(CLAIM).replace("\nclaim:", "\nx: &q here\nclaim:", 1),
              r"ambassador-name\.yaml:\d+:4: YAML anchor \(&\) is not allowed"),
    # YAML 1.2 (the web editor's YAML too) has no merge keys: "<<" is a key like any other, which no schema allows.
    "merge key": (lambda: original(CLAIM).replace("\nclaim:", "\n<<: {claim: merged}\nclaim:", 1),
                  r"ambassador-name\.yaml:\d+:1: unknown key '<<'"),
    "deep flow nesting": (lambda: original(CLAIM) + "extra: " + "[" * 300 + "]" * 300 + "\n",
                          r"ambassador-name\.yaml:\d+:\d+: nested more than 8 levels deep"),
    "deep flow nesting beyond libyaml": (lambda: original(CLAIM) + "extra: " + "[" * 20000 + "\n",
                                         r"ambassador-name\.yaml:\d+:\d+: .*nesting depth"),
    "deep block nesting": (lambda: nested(40), r"ambassador-name\.yaml:\d+:\d+: nested more than 8 levels deep"),
    "right-to-left override": (lambda: after("summary", "Ankara \u202edias ti\u202c said it."),
                               rf"ambassador-name\.yaml:{line_of(CLAIM, 'summary')}:17: U\+202E \(RIGHT-TO-LEFT OVERRIDE\): "
                               r"direction-changing characters are not allowed"),
    "isolate": (lambda: after("claim", "\u2066x\u2069 "), rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:8: U\+2066"),
    "zero-width space": (lambda: after("quote", "\u200b"),
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'quote')}:8: U\+200B \(ZERO WIDTH SPACE\): invisible"),
    "escaped override": (lambda: replace_line(CLAIM, "claim", 'claim: "Ankara \\u202Edias ti"'),
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:1: claim: U\+202E .*written as an escape"),
    "tag character": (lambda: after("claim", "\U000e0041"), rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:8: U\+E0041"),
    "space in url": (lambda: original(CLAIM).replace("- url: https://", "- url: https://evil.example/ https://", 1),
                     r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: .* contains white space"),
    "escaped control in url": (lambda: re.sub(r"- url: (\S+)", lambda m: f'- url: "{m.group(1)}\\u0007"',
                                              original(CLAIM), count=1),
                               r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: U\+0007"),
    "user information before the host": (
        lambda: original(CLAIM).replace("- url: https://", "- url: https://trusted.example@", 1),
        r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: .* has user information before the host"),
    "backslash in url": (lambda: original(CLAIM).replace("- url: https://", "- url: https://trusted.example\\@", 1),
                         r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: .* contains a backslash"),
    "non-ASCII host": (lambda: original(CLAIM).replace("- url: https://", "- url: https://аpple.com/", 1),
                       r"ambassador-name\.yaml:\d+:\d+: sources\.0\.url: .* non-ASCII host"),
    "huge quote": (lambda: replace_line(CLAIM, "quote", "quote: " + "word " * 5000),
                   rf"ambassador-name\.yaml:{line_of(CLAIM, 'quote')}:1: quote: 24,999 characters; the limit is 1,000"),
    "markdown bracket bomb": (lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  " + "[" * 15000),
                              rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: has 15,0\d\d '\['"),
    "markdown nesting bomb": (lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  " + "1. " * 3000 + "x"),
                              rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: nests lists"),
}
CASES.update(HOSTILE)

# The editorial standard is enforced by the build itself, with the same file:line messages.
WITH_TRANSLATION = next(p for p in sorted((ROOT / "claims" / SLUG).glob("*.yaml")) if "translation:" in p.read_text("utf-8"))
STANDARD = {
    "no translation": (WITH_TRANSLATION, lambda text: re.sub(r"\n +translation: .*(\n +[^-\s][^:\n]*(?=\n))*", "", text, count=1),
                       r":\d+:\d+: sources\.\d+: the excerpt is in '\w+': add translation"),
    "no title": (ROOT / CLAIM, lambda text: re.sub(r"\n +title: .*", "", text, count=1),
                 r":\d+:\d+: missing required key 'title' in sources\.0"),
}


@pytest.mark.parametrize("case", STANDARD)
def test_the_content_standard_is_a_build_error(project, case):
    path, change, expected = STANDARD[case]
    relative = path.relative_to(ROOT).as_posix()
    edit(project, relative, change(original(relative)))
    assert re.search(f"^{re.escape(relative)}{expected}", build_fails(project).replace(str(project) + "/", ""), re.M)


@pytest.mark.parametrize("case", CASES)
def test_bad_claim_file(project, case):
    make, expected = CASES[case]
    edit(project, CLAIM, make())
    stderr = build_fails(project)
    assert re.search(f"^claims/{SLUG}/{expected}", stderr.replace(str(project) + "/", ""), re.M), stderr
    assert not (project / "pwned").exists()


SECRET = "root:x:0:0:SECRET-OUTSIDE-THE-REPOSITORY"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the repository whose contents must never reach a message."""
    path = tmp_path / "outside.yaml"
    path.write_text(f"{SECRET}\n{SECRET}: [\n", encoding="utf-8")
    return path


def test_a_claim_that_is_a_symbolic_link_is_not_followed(project, outside):
    (project / CLAIM).unlink()
    (project / CLAIM).symlink_to(outside)
    stderr = build_fails(project)
    assert f"claims/{SLUG}/ambassador-name.yaml: is a symbolic link" in stderr
    assert "SECRET" not in stderr


def test_a_claims_folder_that_is_a_symbolic_link_is_not_followed(project, outside):
    (project / "claims" / "elsewhere").symlink_to(outside.parent, target_is_directory=True)
    (project / "content" / "linked.md").symlink_to(outside)
    stderr = build_fails(project)
    assert "claims/elsewhere: is a symbolic link" in stderr and "content/linked.md: is a symbolic link" in stderr
    assert "SECRET" not in stderr


def test_a_fifo_does_not_hang_the_build(project):
    os.mkfifo(project / "claims" / SLUG / "pipe.yaml")
    assert f"claims/{SLUG}/pipe.yaml: is not a regular file" in build_fails(project)


def test_messages_quote_only_a_short_escaped_snippet(project):
    secret = "S3CRET" * 2000
    edit(project, CLAIM, replace_line(CLAIM, "verdict", f"verdict: {secret}"))
    stderr = build_fails(project)
    (line,) = [line for line in stderr.splitlines() if "ambassador-name.yaml" in line]
    assert len(line) < 300 and stderr.count("S3CRET") * len("S3CRET") <= 80


def test_a_file_name_cannot_reorder_the_log(project):
    edit(project, f"claims/{SLUG}/evil\u202eyaml.yaml", "")
    stderr = build_fails(project)
    assert "\u202e" not in stderr and "evil\\u202eyaml.yaml" in stderr


def test_windows_line_endings_and_byte_order_mark_still_build(project):
    for relative in (CLAIM, f"content/{SLUG}.md"):
        text = original(relative).replace("\n", "\r\n")
        edit(project, relative, b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run_build(project, "--site")
    assert "problem" not in result.stderr
    assert "Tom Brady" in (project / "site" / SLUG / "ambassador-name" / "index.html").read_text(encoding="utf-8")


def test_a_killed_build_leaves_the_site_and_is_swept_up_by_the_next(project):
    site = tree_digest(project / "site")
    edit(project, CLAIM, replace_line(CLAIM, "summary", "summary: A changed summary, so the site is rebuilt."))
    build = subprocess.Popen([sys.executable, "build.py", "--site"], cwd=project, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        for _ in range(6000):  # until MkDocs is writing into its temporary folder (or the build has ended)
            if any((p / "site").exists() for p in project.glob(".site-*")) or build.poll() is not None:
                break
            time.sleep(0.01)
        build.send_signal(signal.SIGKILL)
    finally:
        build.wait()
    if build.returncode != -signal.SIGKILL:
        pytest.skip("the build finished before it could be killed")
    assert list(project.glob(".site-*")), "the killed build left no temporary folder: nothing to sweep"
    assert tree_digest(project / "site") == site  # the published site is intact
    run_build(project, "--site")
    assert not list(project.glob(".site-*"))
    assert "A changed summary" in (project / "site" / SLUG / "ambassador-name" / "index.html").read_text("utf-8")


def test_bad_rating_scale(project):
    scale = original("claims/ratings.yaml").replace("icon: material/comment-quote", "icon: material/no-such-icon")
    scale = scale.replace("    kind: annotation\n", "    kind: annotation\n    ordinal: 3\n", 1)
    edit(project, "claims/ratings.yaml", scale)
    stderr = build_fails(project)
    assert re.search(r"^claims/ratings\.yaml:\d+:\d+: 'opinion' is an annotation: annotations have no ordinal", stderr, re.M)
    assert re.search(r"^claims/ratings\.yaml:\d+:\d+: unknown icon 'material/no-such-icon'", stderr, re.M)


def test_claims_folder_without_article(project):
    edit(project, "claims/orphan/some-claim.yaml", original(CLAIM))
    assert "claims/orphan: claims folder has no article: expected content/orphan.md" in build_fails(project)


def test_bad_article_front_matter_with_claims_beside_it(project):
    article = f"content/{SLUG}.md"
    edit(project, article, original(article).replace("\ntitle:", "\nbogus: 1\ntitle:", 1))
    assert f"content/{SLUG}.md:2:1: unknown key 'bogus'" in build_fails(project)


def test_output_folder_not_made_by_the_build_is_left_alone(project, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "--out", str(mine)], cwd=project, capture_output=True,
                            text=True)
    assert result.returncode == 2 and "was not made by build.py" in result.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_duplicated_claim(project):
    edit(project, f"claims/{SLUG}/ambassador-name-copy.yaml", original(CLAIM))
    stderr = build_fails(project)
    assert "ambassador-name-copy.yaml: same quote as claim 'ambassador-name'" in stderr


def test_every_problem_is_reported_at_once(project):
    edit(project, CLAIM, replace_line(CLAIM, "verdict", "verdict: nope"))
    edit(project, f"claims/{SLUG}/idle-f35s.yaml", "")
    stderr = build_fails(project)
    assert "ambassador-name.yaml" in stderr and "idle-f35s.yaml" in stderr and "2 problem(s)" in stderr


def test_github_annotations(project):
    edit(project, CLAIM, replace_line(CLAIM, "verdict", "verdict: nope"))
    result = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "GITHUB_ACTIONS": "true"})
    line = line_of(CLAIM, "verdict")
    assert f"::error file=claims/{SLUG}/ambassador-name.yaml,line={line},col=1::verdict:" in result.stderr


MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "😀 Ünïcode"]


def test_markup_in_every_text_field_is_shown_as_text(project):
    """Injected markup in every field editors write must not produce a single element or attribute."""
    import yaml
    path = project / CLAIM
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    payload = " ".join(MARKUP)
    for key in ("claim", "summary", "analysis"):
        data[key] = f"{data[key]} {payload}"
    data["quote"] = str(data["quote"])  # must stay verbatim to anchor; the article text is injected below
    for source in data["sources"]:
        for key in ("title", "publisher", "excerpt"):
            source[key] = payload
        source.pop("title_from", None)  # the injected title is no longer the address's words (a build error)
        source["url"] = source["url"] + '?q="><img/src=x/onerror=alert(1)>'  # no space: URLs with one are refused
    data["updates"] = [{"date": "2026-01-01", "note": payload + " [x](javascript:alert(1))"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    article = project / "content" / f"{SLUG}.md"
    text = article.read_text(encoding="utf-8")
    for key in ("title", "publisher"):
        text = re.sub(rf"^{key}: .*$", lambda _: f"{key}: {json.dumps(payload, ensure_ascii=False)}", text,
                      count=1, flags=re.M)
    article.write_text(text + f"\n{payload}\n", encoding="utf-8")
    run_build(project, "--site")
    for page in (project / "site").rglob("*.html"):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert not html.find("img", src="x"), page
        assert not html.find(attrs={"onerror": True}), page
        assert not [s for s in html.find_all("script") if "alert(1)" in s.get_text() and not s.get("type")], page
        assert not html.find("a", href=re.compile(r"^\s*javascript:", re.I)), page
    claim_page = (project / "site" / SLUG / "ambassador-name" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in claim_page  # shown to the reader as text
    title = BeautifulSoup(claim_page, "html.parser").title.get_text()
    assert title.startswith("False: ") and "😀 Ünïcode" in title  # front matter survived MkDocs' YAML parser
    assert 'application/ld+json' in claim_page
    for link in BeautifulSoup(claim_page, "html.parser").select(".fc-sources a"):
        assert link["rel"] == ["noopener", "noreferrer"]


def test_two_builds_are_byte_identical(project, tmp_path):
    """The same inputs in two different folders build the same bytes: no clock, no absolute paths."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    elsewhere = shutil.copytree(project, tmp_path / "elsewhere" / "copy", symlinks=True)
    for root, name in ((project, "one"), (elsewhere, "two")):
        shutil.rmtree(root / "generated")
        subprocess.run([sys.executable, "build.py", "--site", "--site-dir", str(tmp_path / name)], cwd=root,
                       check=True, capture_output=True, env=env)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


# --- property-based: whatever the bytes, a result or a clean error, never an exception ----------------------

@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("fuzz") / "project")


def assemble_with(scratch: Path, data: bytes) -> None:
    (scratch / CLAIM).write_bytes(data)
    assembly = pipeline.assemble(options(scratch))
    assert (assembly.publication is None) == bool(assembly.errors)
    assert all(isinstance(text, str) for _, text in assembly.pages)  # every page renders, whatever the input
    for problem in assembly.problems:
        assert str(problem).startswith(str(problem.path)) and problem.message


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.dates().map(str),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["quote", "claim", "verdict", "summary", "checked", "sources", "url", "date", "x"]),
        children, max_size=5),
    max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=yaml_values)
def test_random_yaml_gives_a_result_or_clean_errors(scratch, value):
    import yaml
    assemble_with(scratch, yaml.safe_dump(value, allow_unicode=True).encode("utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200) | st.text(alphabet=":-[]{}!&*|>'\"#%@` \n\tab1", max_size=60).map(str.encode))
def test_random_bytes_give_a_result_or_clean_errors(scratch, data):
    assemble_with(scratch, data)
