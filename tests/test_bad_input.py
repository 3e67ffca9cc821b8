"""An editor's mistake gives a clear `file:line: message`, exit 1, and leaves the published site untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

import build
from conftest import copy_project, run_build

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
    shutil.copytree(built_project, copy)
    return copy


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_fails(project: Path) -> str:
    """Run the full build on a broken project; check exit 1, no traceback, nothing published changed."""
    site, generated = tree_digest(project / "site"), tree_digest(project / "generated")
    result = subprocess.run([sys.executable, "build.py", "--site"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
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
    return (build.ROOT / relative).read_text(encoding="utf-8")


def replace_line(relative: str, key: str, new: str) -> str:
    """The file with the top-level line `key: ...` replaced by `new`."""
    return re.sub(rf"^{key}:.*$", lambda _: new, original(relative), count=1, flags=re.M)


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
                          rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:1: claim: control character U\+0001"),
    "surrogate escape": (lambda: replace_line(CLAIM, "quote", 'quote: "Tom Brady \\ud83d\\ude00"'),  # as JSON writes 😀
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'quote')}:1: quote: control character U\+D83D"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_claim_file(project, case):
    make, expected = CASES[case]
    edit(project, CLAIM, make())
    stderr = build_fails(project)
    assert re.search(f"^claims/{SLUG}/{expected}", stderr.replace(str(project) + "/", ""), re.M), stderr
    assert not (project / "pwned").exists()


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
    assert f"content/{SLUG}.md:3:1: unknown key 'bogus'" in build_fails(project)


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
        source["url"] = source["url"] + '?q="><img src=x onerror=alert(1)>'
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
    elsewhere = shutil.copytree(project, tmp_path / "elsewhere" / "copy")
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
    publication, pages, problems = build.assemble(scratch, build.read_site_settings(build.ROOT / "mkdocs.yml"))
    assert (publication is None) == bool(problems)
    for problem in problems:
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
