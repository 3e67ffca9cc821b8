"""`build.py diff REF` summarises a pull request's claim changes and refuses silent verdict changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

SLUG = "turkey-s400-f35"


def git(project, *args):
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e.org"})


@pytest.fixture
def repo(project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "base")
    return project


def edit(path, **changes):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return data


def diff(project, ref="main"):
    return subprocess.run([sys.executable, "build.py", "diff", ref], cwd=project, capture_output=True, text=True)


def test_summary_of_added_removed_and_edited_claims(repo):
    claims = repo / "claims" / SLUG
    (claims / "new-one.yaml").write_text((claims / "new-chapter.yaml").read_text(encoding="utf-8"), "utf-8")
    (claims / "lasting-stability.yaml").unlink()
    path = claims / "ambassador-name.yaml"
    sources = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    edit(path, summary="A shorter summary.", sources=sources + [{"url": "https://example.org/added"}])
    result = diff(repo)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1 added, 1 removed, 0 verdict change(s), 1 edited." in out
    assert f"- `{SLUG}/new-one`: **`Opinion`**" in out
    assert f"- `{SLUG}/lasting-stability` (was `Opinion`)" in out
    assert f"- `{SLUG}/ambassador-name`: text: summary; source added: `https://example.org/added`" in out


def test_verdict_change_needs_an_update(repo):
    path = repo / "claims" / SLUG / "us-opposition-reasons.yaml"
    updates = edit(path, verdict="mostly-true").get("updates", [])
    result = diff(repo)
    assert result.returncode == 1
    assert "`True` → **`Mostly true`**" in result.stdout
    assert (f"claims/{SLUG}/us-opposition-reasons.yaml: verdict changed from True to Mostly true without a new "
            "updates entry") in result.stderr
    edit(path, updates=updates + [{"date": "2026-11-20", "note": "An update that does not name the old verdict."}])
    assert diff(repo).returncode == 1
    edit(path, updates=updates + [{"date": "2026-11-20", "previous_verdict": "true", "note": "Why."}])
    result = diff(repo)
    assert result.returncode == 0, result.stderr
    assert f"updates: {len(updates)} → {len(updates) + 1}" in result.stdout


def test_unknown_ref_is_a_usage_error(repo):
    result = diff(repo, "no-such-ref")
    assert result.returncode == 2 and "cannot read claims at 'no-such-ref'" in result.stderr


FORGED = ("Fine.\n\n## Verdict changes\n\nNone.\n\n| verdict | ok |\n| --- | --- |\n| `x` | y |\n"
          "<img src=x onerror=alert(1)> [trusted](https://evil.example/) <!-- hide --> ``` `` ` \u2028# Heading")


def test_text_from_a_file_cannot_forge_the_summary(repo):
    """Everything a claim file writes is shown as one code span on its line: no heading, table, link or HTML."""
    claims = repo / "claims" / SLUG
    data = yaml.safe_load((claims / "new-chapter.yaml").read_text(encoding="utf-8"))
    data["claim"] = FORGED
    (claims / "forged.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edit(claims / "ambassador-name.yaml", sources=[{"url": "https://example.org/x)\n# Added\n[a](https://e.example/"}])
    scale = repo / "claims" / "ratings.yaml"
    scale.write_text(scale.read_text(encoding="utf-8").replace('label: "Opinion"', 'label: "Opinion**\\n## None"'),
                     encoding="utf-8")
    result = diff(repo)
    out = result.stdout
    assert [line for line in out.splitlines() if line.startswith("#")] == [
        "## Fact-check changes against `main`", "### Added", "### Edited"]
    assert not [line for line in out.splitlines() if line.startswith(("|", "<", "["))]
    (added,) = [line for line in out.splitlines() if f"{SLUG}/forged" in line]
    import markdown
    html = markdown.markdown(out)
    assert "<img" not in html and "<a " not in html and "<table" not in html and "<!--" not in html
    assert html.count("<h2>") == 1 and html.count("<h3>") == 2
    assert "\u2028" not in out


def test_a_claim_file_that_is_a_link_is_refused_now_and_at_the_ref(repo, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("claim: SECRET-OUTSIDE\nverdict: 'false'\n", encoding="utf-8")
    link = repo / "claims" / SLUG / "linked.yaml"
    link.symlink_to(secret)
    result = diff(repo)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"claims/{SLUG}/linked.yaml: is a symbolic link" in result.stderr
    assert "SECRET" not in result.stdout + result.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    link.unlink()
    result = diff(repo, "HEAD")
    assert f"claims/{SLUG}/linked.yaml: is a symbolic link at HEAD" in result.stderr
    assert "SECRET" not in result.stdout + result.stderr
