"""An editor's mistake gives a clear `file:line: message`, exit 1, and leaves the published site untouched."""

from __future__ import annotations

import contextlib
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


def build_refused(project: Path, *args: str, status: int = 2) -> str:
    """Like build_fails, for a project whose output folders or caches are refused (exit 2)."""
    site = tree_digest(project / "site") if (project / "site").is_dir() else None
    result = subprocess.run([sys.executable, "build.py", "--site", *args], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == status, output
    assert "Traceback" not in output, output
    if site is not None:
        assert tree_digest(project / "site") == site
    return result.stderr.replace(str(project) + "/", "")


def edit(project: Path, relative: str, text: str | bytes) -> None:
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def original(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def replace_line(relative: str, key: str, new: str) -> str:
    """The file with the top-level entry `key: ...` replaced by `new`: its line and the indented lines that continue
    its value (blank lines within it too; the editor's form folds long values)."""
    text, found = re.subn(rf"^{key}:.*(?:\n(?:[ \t]+\S.*|[ \t]*(?=\n[ \t]*\n*[ \t]+\S)))*", lambda _: new,
                          original(relative), count=1, flags=re.M)
    assert found, f"{relative} has no top-level '{key}:' (a case that changes nothing would pass for a wrong reason)"
    return text


def inserted(relative: str, after: str, text: str) -> str:
    """The file with `text` put right after the first `after`, which it must hold."""
    source = original(relative)
    assert after in source, f"{relative} has no {after!r}"
    return source.replace(after, after + text, 1)


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
    # Escapes are reported at the escape itself: line and column.
    "control character": (lambda: replace_line(CLAIM, "claim", 'claim: "Tom\\u0001Brady"'),
                          rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:12: claim: U\+0001 .*control characters are not allowed"),
    "surrogate escape": (lambda: replace_line(CLAIM, "quote", 'quote: "Tom Brady \\ud83d\\ude00"'),  # as JSON writes 😀
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'quote')}:19: quote: U\+D83D .*control characters are not allowed"),
    # Code points XML 1.0 (the Atom feeds) or YAML (the pages' front matter, which MkDocs drops when it cannot parse
    # it) cannot carry, written literally or as any of YAML's escapes.
    "escaped U+FFFE": (lambda: replace_line(CLAIM, "claim", 'claim: "Tom Brady\\uFFFE"'),
                       rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:18: claim: U\+FFFE \(written as an escape\): "
                       r"noncharacters are not allowed"),
    "escaped U+FFFF": (lambda: replace_line(CLAIM, "claim", 'claim: "Tom \\xff\\uffff"'),
                       rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:17: claim: U\+FFFF .*noncharacters"),
    "escaped astral noncharacter": (lambda: replace_line(CLAIM, "claim", 'claim: "x\\U0010FFFF"'),
                                    rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:10: claim: U\+10FFFF .*noncharacters"),
    "named escape of a control character": (lambda: replace_line(CLAIM, "claim", 'claim: "an \\\\e and \\e"'),
                                            rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:20: claim: U\+001B .*control"),
    "literal noncharacter": (lambda: after("summary", "A\ufdd0 "),
                             rf"ambassador-name\.yaml:{line_of(CLAIM, 'summary')}:11: U\+FDD0: noncharacters are not allowed"),
    # Values the schema's types let through that later stages could not use.
    "decimal where a whole number belongs": (lambda: original(CLAIM) + "occurrence: 1.0\n",
                                             rf"ambassador-name\.yaml:{len(original(CLAIM).splitlines()) + 1}:1: "
                                             r"occurrence: 1\.0 is not a whole number; write 1"),
    "number too long for Python": (lambda: original(CLAIM) + "occurrence: " + "9" * 5000 + "\n",
                                   rf"ambassador-name\.yaml:{len(original(CLAIM).splitlines()) + 1}:13: the number "
                                   r"9{20}… is too long"),
    "date in other digits": (lambda: replace_line(CLAIM, "checked", "checked: \u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661"),
                             rf"ambassador-name\.yaml:{line_of(CLAIM, 'checked')}:1: checked: .* is not a date written YYYY-MM-DD"),
    "line break after a date": (lambda: replace_line(CLAIM, "checked", 'checked: "2026-01-01\\n"'),
                                rf"ambassador-name\.yaml:{line_of(CLAIM, 'checked')}:1: checked: .* is not a date written"),
    "line break after a language tag": (lambda: re.sub(r"^(\s+)title: ", lambda m: f'{m.group(1)}lang: "en\\n"\n{m.group(1)}title: ',
                                                       original(CLAIM), count=1, flags=re.M),
                                        r"ambassador-name\.yaml:\d+:\d+: sources\.0\.lang: .*does not match"),
    # Links in Markdown fields follow the rules of url fields: inline, reference-style, autolinks and images.
    "markdown link with user information": (
        lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  [Reuters](https://reuters.com@evil.example/)"),
        rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: the link 'https://reuters\.com@evil\.example/' "
        r"has user information before the host"),
    "markdown image with a protocol-relative address": (
        lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  ![chart](//evil.example/p.png)"),
        rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: the link '//evil\.example/p\.png' is not an http\(s\) URL"),
    "markdown reference-style javascript link": (
        lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  See [the report][r].\n\n  [r]: javascript:alert(1)"),
        rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: the link 'javascript:alert\(1\)' is not an http\(s\) URL"),
    "markdown autolink with a non-ASCII host": (
        lambda: replace_line(CLAIM, "analysis", "analysis: |-\n  <https://\u0430pple.com/x>"),
        rf"ambassador-name\.yaml:{line_of(CLAIM, 'analysis')}:1: analysis: the link .* has a non-ASCII host"),
    "markdown link with a backslash in an update note": (
        lambda: inserted(CLAIM, "\nupdates:\n", "  - date: 2026-01-02\n    note: '[x](https://reuters.com\\\\@evil.example/)'\n"),
        rf"ambassador-name\.yaml:{line_of(CLAIM, 'updates') + 2}:5: updates\.0\.note: the link .* contains a backslash"),
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
                         rf"ambassador-name\.yaml:{line_of(CLAIM, 'claim')}:16: claim: U\+202E .*written as an escape"),
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
    text = make()
    assert text != original(CLAIM)  # an edit that no longer finds its place would test the good file
    edit(project, CLAIM, text)
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
    data["updates"] = [{"date": "2026-01-01", "note": payload}]
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


def test_a_noncharacter_escaped_in_front_matter_is_refused_at_its_column(project):
    article = f"content/{SLUG}.md"
    text = original(article)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if l.startswith("title:"))
    edit(project, article, re.sub(r"^title: .*$", 'title: "S-400s \\\\uFFFF"', text, count=1, flags=re.M))
    assert re.search(rf"^content/{SLUG}\.md:{line}:16: title: U\+FFFF \(written as an escape\): noncharacters",
                     build_fails(project), re.M)


def test_decimal_numbers_in_the_rating_scale_are_refused(project):
    scale = original("claims/ratings.yaml")
    edit(project, "claims/ratings.yaml", scale.replace("publishers: 2", "publishers: 2.0", 1))
    line = next(i for i, l in enumerate(scale.splitlines(), 1) if "publishers: 2" in l)
    assert re.search(rf"^claims/ratings\.yaml:{line}:\d+: ratings\.\d+\.publishers: 2\.0 is not a whole number",
                     build_fails(project), re.M)


def test_a_claim_file_name_ending_in_a_line_break_is_refused(project):
    edit(project, f"claims/{SLUG}/name\n.yaml", original(CLAIM).replace("quote:", "occurrence: 2\nquote:"))
    assert "name\\n.yaml: claim file names are lowercase letters, digits and hyphens" in build_fails(project)


SKIPPED = {  # files the build would otherwise leave out without a word
    f"content/{SLUG}-copy.MD": "is not read: articles are content/<slug>.md",
    "content/draft.markdown": "is not read: articles are content/<slug>.md",
    "content/.md": "is not read: articles are content/<slug>.md",
    "content/notes.txt": "is not read: articles are content/<slug>.md",
    "content/sub/article.md": "content/sub: is not read: content/ holds articles only",
    f"claims/{SLUG}/upper.YAML": "is not read: claim files are <claim-id>.yaml",
    f"claims/{SLUG}/.yaml": "is not read: claim files are <claim-id>.yaml",
    f"claims/{SLUG}/nested/deeper.yaml": f"claims/{SLUG}/nested: is not read: claims are claims/<article-slug>/<claim-id>.yaml, never in a subfolder",
    "claims/loose-claim.yaml": "is not read: a claim belongs in its article's folder",
    f"claims/{SLUG}/old.yml": "claim files end in .yaml, not .yml",
}


@pytest.mark.parametrize("relative", SKIPPED)
def test_a_file_the_build_would_skip_is_reported(project, relative):
    edit(project, relative, original(CLAIM))
    stderr = build_fails(project)
    shown = relative if relative.count("/") < 3 and "/sub/" not in relative else ""
    assert re.search(rf"^{re.escape(shown)}.*{re.escape(SKIPPED[relative])}", stderr, re.M), stderr


def test_hidden_and_editor_files_are_ignored_with_a_warning(project, tmp_path):
    (project / "claims" / SLUG / f".#ambassador-name.yaml").symlink_to("root@host.1234:1700000000")  # emacs' lock
    edit(project, f"claims/{SLUG}/ambassador-name.yaml~", "backup")
    edit(project, f"claims/{SLUG}/.gitkeep", "")
    result = run_build(project)
    for name in (".#ambassador-name.yaml", "ambassador-name.yaml~"):
        assert f"warning: claims/{SLUG}/{name}: ignored: an editor's lock, swap or backup file" in result.stderr
    assert f"warning: claims/{SLUG}/.gitkeep: ignored: a hidden file" in result.stderr


def test_an_indented_delimiter_does_not_cut_the_front_matter(project):
    article = f"content/{SLUG}.md"
    text = original(article).replace("\nassessment: ", "\nassessment: |-\n  Above.\n  ---\n  Below the indented line.\n  ", 1)
    edit(project, article, text)
    run_build(project)
    page = (project / "generated" / SLUG / "index.md").read_text(encoding="utf-8")
    assert "Below the indented line." in page


def test_links_in_an_articles_markdown_follow_the_url_rules(project):
    article = f"content/{SLUG}.md"
    text = replace_line(article, "provenance", "provenance: |\n  Mirrored at <mailto:x@evil.example>.")
    edit(project, article, text)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if l.startswith("provenance:"))
    assert re.search(rf"^content/{SLUG}\.md:{line}:1: provenance: the link 'mailto:x@evil\.example' is not an http\(s\)",
                     build_fails(project), re.M)


def test_many_missing_quotes_in_a_long_article_are_reported_quickly(project):
    """The closest-passage hints share one budget of work (the 60 s guard of build_fails catches a hang)."""
    import random
    rng = random.Random(3)
    words = [f"word{n}" for n in range(5000)]
    article = f"content/{SLUG}.md"
    body = "\n\n".join(" ".join(rng.choice(words) for _ in range(300)) + "." for _ in range(300))
    edit(project, article, original(article) + "\n" + body + "\n")
    opinion = f"claims/{SLUG}/lasting-stability.yaml"
    for n in range(20):
        quote = " ".join(rng.choice(words) for _ in range(100))[:990]
        edit(project, f"claims/{SLUG}/missing-{n}.yaml", replace_line(opinion, "quote", f"quote: {quote}"))
    stderr = build_fails(project)
    assert stderr.count("quote not found") == 20


# --- nothing from the repository is trusted as output or cache ------------------------------------------------

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True, env=GIT_ENV).stdout


def commit_all(project: Path, *forced: str) -> None:
    """Commit the project as a repository would hold it (.gitignore applies), and force-add `forced` paths."""
    if not (project / ".git").exists():
        shutil.copy(ROOT / ".gitignore", project / ".gitignore")
        git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    if forced:
        git(project, "add", "-f", "--", *forced)
    git(project, "commit", "-qm", "a pull request")


def test_a_fresh_clone_with_output_and_cache_folders_committed_as_links_writes_nothing_outside(tmp_path):
    """`generated` and `.cache` committed as symbolic links to folders outside the repository: a fresh clone's
    build refuses them and writes nothing there (it used to write about 100 files through them)."""
    origin = copy_project(tmp_path / "origin")
    outside = tmp_path / "outside"
    for name in ("generated", "cache"):
        (outside / name).mkdir(parents=True)
    (origin / "generated").symlink_to(outside / "generated", target_is_directory=True)
    (origin / ".cache").symlink_to(outside / "cache", target_is_directory=True)
    commit_all(origin, "generated", ".cache")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert (clone / "generated").is_symlink() and (clone / ".cache").is_symlink()
    stderr = build_refused(clone)
    assert re.search(r"^generated: is a symbolic link: the build never writes or reads its output or caches through a "
                     r"link", stderr, re.M), stderr
    assert re.search(r"^\.cache: is a symbolic link", stderr, re.M), stderr
    assert not list(outside.rglob("*"))[2:], list(outside.rglob("*"))  # the two empty folders only
    assert not (clone / "site").exists()


def test_a_committed_share_image_and_answer_caches_are_refused(project):
    """A pull request force-adding a PNG under a real claim's key would publish it as that claim's share card; a
    committed languages.json could switch the language rule off, a committed forms.json the form warning."""
    cache = project / ".cache" / "share-images"
    key = sorted(cache.glob("*.png"))[0].name
    (cache / key).write_bytes(b"forged card")
    for answers in ("languages.json", "forms.json"):
        (project / ".cache" / answers).write_text("{}", encoding="utf-8")
    commit_all(project, f".cache/share-images/{key}", ".cache/languages.json", ".cache/forms.json")
    stderr = build_refused(project)
    assert f".cache/share-images/{key}: is committed to the repository" in stderr
    assert ".cache/languages.json: is committed to the repository" in stderr
    assert ".cache/forms.json: is committed to the repository" in stderr


@pytest.mark.parametrize("relative", ["generated/index.md", "site/index.html", f"generated/{SLUG}/share.png"])
def test_committed_output_is_refused(project, relative):
    commit_all(project, relative)
    assert f"{relative}: is committed to the repository" in build_refused(project)


@pytest.mark.parametrize("relative", ["site", ".cache/share-images", ".cache/languages.json", ".cache/forms.json"])
def test_output_and_cache_links_are_refused_even_when_not_committed(project, tmp_path, relative):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = project / relative
    if link.is_dir() and not link.is_symlink():
        shutil.copytree(link, target, dirs_exist_ok=True)
        shutil.rmtree(link)
    else:
        link.unlink(missing_ok=True)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=True)
    before = tree_digest(target)
    assert re.search(rf"^{re.escape(relative)}: is a symbolic link", build_refused(project, status=2), re.M)
    assert tree_digest(target) == before


def test_ci_caches_come_only_from_ci():
    """Caches CI restores come from CI runs, never from anything a pull request can write. ci.yml keeps the share
    images and language answers only (never an output folder, never the link checker's answers), and runs only on
    pull_request and push: GitHub keeps a pull request's saved caches to that pull request, so main's builds restore
    only main's own (pull_request_target or workflow_run would run a pull request's content with the base
    repository's cache scope, so they are refused). The weekly sources job keeps its answers, on main only. Every
    cached file is checked again by the build anyway (share.render_images, write.made_by_build)."""
    import yaml
    for name in ("ci.yml", "sources.yml"):
        workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        cached = [step["with"]["path"] for job in workflow["jobs"].values() for step in job["steps"]
                  if str(step.get("uses", "")).startswith("actions/cache")]
        triggers = set(workflow[True])  # PyYAML reads the key `on` as True
        if name == "ci.yml":
            assert cached and all(path.split() == [".cache/share-images", ".cache/languages.json", ".cache/forms.json"]
                                  for path in cached)
            assert triggers == {"pull_request", "push"}, triggers
        else:
            assert cached == [".cache/sources.json"] and "pull_request" not in triggers
            checkout = next(s for j in workflow["jobs"].values() for s in j["steps"] if "checkout" in s.get("uses", ""))
            assert checkout["with"]["ref"] == "main"


# --- faults: the machine fails the build -----------------------------------------------------------------------

def leftovers(project: Path) -> list[str]:
    """Temporary files and folders a build could leave behind."""
    return [p.relative_to(project).as_posix() for p in project.rglob("*")
            if p.name.startswith((".tmp-", ".site-", ".zensical-")) or p.name.endswith(".tmp") or p.name == ".site.old"]


def fault(project: Path, *args: str, status: int = 3, preexec=None, env=None) -> str:
    """Run a build the machine fails: `status`, one line saying why, no traceback, the site and no leftovers."""
    site = tree_digest(project / "site") if (project / "site").is_dir() else None
    result = subprocess.run([sys.executable, "build.py", *args], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}, preexec_fn=preexec,
                            timeout=180)
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("build.py: ") and "the published site is as it was" in lines[0], lines
    if site is not None:
        assert tree_digest(project / "site") == site
    assert not leftovers(project), leftovers(project)
    return lines[0]


@contextlib.contextmanager
def mounted(folder: Path, *options: str):
    """A filesystem mounted on `folder` for the test (root only; the test is skipped where mounting is refused)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *options, str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def changed(project: Path) -> None:
    edit(project, CLAIM, replace_line(CLAIM, "summary", "summary: A changed summary, so everything is rebuilt."))


def test_a_full_disk_ends_with_one_message(project, tmp_path):
    changed(project)
    with mounted(tmp_path / "tiny", "-t", "tmpfs", "-o", "size=512k", "tmpfs") as tiny:
        line = fault(project, "--out", str(tiny / "generated"))
        assert "No space left on device" in line
        assert not leftovers(tiny), leftovers(tiny)
        shutil.rmtree(tiny / "generated", ignore_errors=True)
        line = fault(project, "--site", "--site-dir", str(tiny / "site"))
        assert "No space left on device" in line and not (tiny / "site").exists()
        assert not leftovers(tiny), leftovers(tiny)


def test_a_file_size_limit_ends_with_one_message(project):
    """The same without mounting anything: writes past RLIMIT_FSIZE fail as a full disk's do."""
    import resource
    changed(project)
    shutil.rmtree(project / ".cache" / "share-images")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))

    assert "File too large" in fault(project, "--site", preexec=limit)


def test_a_read_only_site_ends_with_one_message(project):
    changed(project)
    site = project / "site"
    with mounted(site, "--bind", str(site)):
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(site)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        fault(project, "--site")


def test_a_very_low_memory_limit_ends_the_build(project):
    import resource
    changed(project)
    shutil.rmtree(project / ".cache")  # the language model and every image to load and draw

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (180_000_000, 180_000_000))

    assert "out of memory" in fault(project, "--site", preexec=limit)


@pytest.mark.parametrize("how", ["SIGINT to the process group", "SIGTERM"])
def test_an_interrupted_build_ends_with_one_message_and_no_leftovers(project, how):
    changed(project)
    images = project / ".cache" / "share-images"
    shutil.rmtree(images)  # drawn again by the worker processes
    site = tree_digest(project / "site")
    build = subprocess.Popen([sys.executable, "build.py", "--site"], cwd=project, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True,
                             env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        for _ in range(6000):  # until the workers are drawing (or the build has ended)
            if (images.is_dir() and any(images.glob("*.png"))) or build.poll() is not None:
                break
            time.sleep(0.005)
        if how == "SIGTERM":
            build.send_signal(signal.SIGTERM)
        else:
            os.killpg(build.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the build and its workers
        _, stderr = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
    if build.returncode == 0:
        pytest.skip("the build finished before it could be interrupted")
    assert build.returncode == (143 if how == "SIGTERM" else 130), stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines() == [
        f"build.py: {'stopped (SIGTERM)' if how == 'SIGTERM' else 'interrupted (Ctrl-C)'}; nothing more was written, "
        "and the published site is as it was"]
    with pytest.raises(ProcessLookupError):  # no worker outlived the build
        os.killpg(build.pid, 0)
    assert tree_digest(project / "site") == site
    assert not leftovers(project), leftovers(project)


def build_workers(session: int) -> list[int]:
    """The build's worker processes: the members of its session, other than itself, that run build.py (git's
    processes, which the history reading starts, run git)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == session:
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and b"build.py" in Path(f"/proc/{name}/cmdline").read_bytes():
                found.append(int(name))
        except (OSError, IndexError, ValueError):  # a process that ended meanwhile
            continue
    return found


ELSEWHERE = {"SITE_URL": "https://elsewhere.example.org/"}  # every page changes (its canonical address, its feeds)


@pytest.fixture(scope="module")
def many_articles(tmp_path_factory) -> Path:
    """A publication of enough articles for the pages to be rendered on every core, built once at another address
    (so its share images for both are cached) and then at its own: a build of it at the other address spends its
    time rendering pages in worker processes, and every page it renders differs from the docs folder's."""
    import bench  # tests/, beside this file
    root = tmp_path_factory.mktemp("many-articles") / "publication"
    bench.generate(root, articles=24, claims=30)
    commit_all(root)
    run_build(ROOT, "--root", str(root), env=ELSEWHERE)
    run_build(ROOT, "--root", str(root))
    return root


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the processes from /proc")
@pytest.mark.parametrize("how", ["SIGINT to the process group", "SIGTERM"])
def test_an_interrupted_page_rendering_ends_with_one_message_and_no_worker_left(many_articles, how):
    """The pages' worker processes (factcheck/cores.py), not only the share images', are stopped by the build: a
    Ctrl-C reaching them all, or a SIGTERM reaching the build, ends it with one line, every worker gone, no
    temporary file left (the workers once took Ctrl-C themselves and the build waited for ever), and the docs folder
    as it was: pages are written as they are rendered, but their new bytes replace the old only once all are ready
    (write.write_tree)."""
    docs = tree_digest(many_articles / "generated")
    build = subprocess.Popen([sys.executable, "build.py", "--root", str(many_articles)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                             env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **ELSEWHERE})
    try:
        for _ in range(30000):  # until both workers are rendering (or the build has ended)
            if len(build_workers(build.pid)) >= 2 or build.poll() is not None:
                break
            time.sleep(0.002)
        time.sleep(0.2)  # well into the pages
        if build.poll() is None:
            if how == "SIGTERM":
                build.send_signal(signal.SIGTERM)
            else:
                os.killpg(build.pid, signal.SIGINT)
        _, stderr = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
    if build.returncode == 0:
        run_build(ROOT, "--root", str(many_articles))  # back at its own address, for the next case
        pytest.skip("the build finished before it could be interrupted")
    assert build.returncode == (143 if how == "SIGTERM" else 130), stderr
    assert stderr.strip().splitlines() == [
        f"build.py: {'stopped (SIGTERM)' if how == 'SIGTERM' else 'interrupted (Ctrl-C)'}; nothing more was written, "
        "and the published site is as it was"]
    with pytest.raises(ProcessLookupError):  # no worker outlived the build
        os.killpg(build.pid, 0)
    assert not leftovers(many_articles), leftovers(many_articles)
    assert tree_digest(many_articles / "generated") == docs


def test_a_build_stopped_while_writing_leaves_the_docs_folder_as_it_was(tmp_path):
    """write.write_tree places new files and prepares changed ones as pages come, and changes the folder only once
    the last has come: a failure on the way (a template error, a full disk, Ctrl-C) takes back what it added,
    leaves no temporary file, and never reaches `before_changes` (where the build forgets its manifest)."""
    from factcheck import write
    out = tmp_path / "docs"
    write.write_tree(out, {"a/index.md": "old a", "b/index.md": "old b", "gone.md": "stale"})
    before = tree_digest(out)
    called = []

    def pages():
        yield "a/index.md", "new a"  # a change, prepared beside the old file
        yield "c/d/index.md", "new c"  # a new file in new folders, placed at once
        yield "b/index.md", "old b"
        raise KeyboardInterrupt  # the next page was never rendered

    with pytest.raises(KeyboardInterrupt):
        write.write_tree(out, pages(), before_changes=lambda: called.append(True))
    assert tree_digest(out) == before and not called
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == sorted(
        ["a", "a/index.md", "b", "b/index.md", "gone.md", write.MARKER])
    report = write.write_tree(out, iter([("a/index.md", "new a"), ("c/d/index.md", "new c"), ("b/index.md", "old b")]),
                              before_changes=lambda: called.append(True))
    assert called == [True] and report.written == ("a/index.md", "c/d/index.md") and report.removed == ("gone.md",)
    assert (out / "a" / "index.md").read_text() == "new a" and (out / "c" / "d" / "index.md").read_text() == "new c"
