"""factcheck/history.py: each claim file's record of changes, read from git in one pass."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from conftest import git
from factcheck import history, load

CLAIM = ("# yaml-language-server: $schema=../../schemas/claim.schema.json\n"
         "quote: q\nverdict: {verdict}\nsummary: {summary}\n")


def write(root, path: str, verdict: str = "mostly-true", summary: str = "One.") -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(CLAIM.format(verdict=verdict, summary=summary), encoding="utf-8")


def commit(root, message: str, day: int) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, date=f"2026-11-{day:02d}T12:00:00+00:00")
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


def test_each_file_lists_the_commits_that_changed_it_newest_first(repo):
    write(repo, "claims/a/one.yaml", "misleading")
    write(repo, "claims/a/two.yaml", '"true"')
    first = commit(repo, "Publish", 1)
    write(repo, "claims/a/one.yaml", "misleading", "Reworded.")
    reworded = commit(repo, "Reword the summary", 2)
    (repo / "notes.txt").write_text("not a claim")
    commit(repo, "Something else", 3)
    write(repo, "claims/a/one.yaml", "'false'", "Reworded.")
    changed = commit(repo, "New evidence", 4)
    (repo / "claims/a/two.yaml").unlink()
    removed = commit(repo, "Withdraw two", 5)
    write(repo, "claims/a/two.yaml", "unverified")
    again = commit(repo, "Two again", 6)

    record = history.read(repo)
    assert record.state == "complete" and record.uncommitted == frozenset()
    one = record.of("claims/a/one.yaml")
    assert [(c.commit, c.subject, c.change, c.previous, c.verdict) for c in one] == [
        (changed, "New evidence", "changed", "misleading", "false"),
        (reworded, "Reword the summary", "changed", "misleading", "misleading"),
        (first, "Publish", "added", None, "misleading")]
    assert [c.date for c in one] == [dt.date(2026, 11, 4), dt.date(2026, 11, 2), dt.date(2026, 11, 1)]
    two = record.of("claims/a/two.yaml")
    assert [(c.commit, c.change, c.previous, c.verdict) for c in two] == [
        (again, "added", None, "unverified"), (removed, "removed", "true", None), (first, "added", None, "true")]
    assert record.of("notes.txt") == () and record.of("claims/a/three.yaml") == ()


def test_a_merge_is_listed_only_where_it_resolved_a_file_by_hand(repo):
    write(repo, "claims/a/one.yaml", "'false'")
    write(repo, "claims/a/two.yaml", "'true'")
    commit(repo, "Publish", 1)
    git(repo, "switch", "-q", "-c", "side")
    write(repo, "claims/a/one.yaml", "misleading")
    side = commit(repo, "Side: one is misleading", 2)
    git(repo, "switch", "-q", "main")
    write(repo, "claims/a/one.yaml", "unverified")
    write(repo, "claims/a/two.yaml", "mostly-true")
    main = commit(repo, "Main: one unverified, two mostly true", 3)
    subprocess.run(["git", "merge", "-q", "side"], cwd=repo, capture_output=True)  # conflicts in one.yaml
    write(repo, "claims/a/one.yaml", "mostly-true")
    merge = commit(repo, "Merge side, one resolved by hand", 4)

    record = history.read(repo)
    # Newest first by commit date; the merge compared with its first parent (main)
    assert [(c.commit, c.previous, c.verdict) for c in record.of("claims/a/one.yaml")][:3] == [
        (merge, "unverified", "mostly-true"), (main, "false", "unverified"), (side, "false", "misleading")]
    # two.yaml came through the merge unchanged from main: the merge is not in its history
    assert [c.commit for c in record.of("claims/a/two.yaml")][0] == main


def test_subjects_are_one_bounded_line_with_nothing_invisible(repo):
    write(repo, "claims/a/one.yaml")
    commit(repo, "Fix \u202ethe\u202c verdict " + "x" * 400 + "\n\nBody that is not shown", 1)
    subject = history.read(repo).of("claims/a/one.yaml")[0].subject
    assert subject.startswith("Fix \\u202ethe\\u202c verdict xxx")
    assert len(subject.replace("\\u202e", "?").replace("\\u202c", "?")) == history.SUBJECT_LIMIT
    assert subject.endswith("…") and "Body" not in subject


@pytest.mark.parametrize("text, verdict", [
    ('verdict: "false"\n', "false"),
    ("verdict: 'false'\n", "false"),
    ("quote: q\nverdict: mostly-true   # after new evidence\nsummary: s\n", "mostly-true"),
    ("verdict: missing-context\r\n", "missing-context"),
    ("\ufeffverdict: unverified\n", None),  # not at the start of a line: the byte-order mark is before it
    ("sources:\n  - verdict: nested\n", None),
    ("summary: no verdict here\n", None),
    ("verdict:\n", None),
    ("verdict: fa\u202else\n", None),
])
def test_the_verdict_of_a_past_version(text, verdict):
    assert history.verdict_of(text.encode()) == verdict


def test_a_version_over_the_size_limit_is_not_read(repo):
    (repo / "claims" / "a").mkdir(parents=True)
    (repo / "claims/a/one.yaml").write_text("verdict: 'false'\n" + "#" * (load.MAX_BYTES + 10) + "\n")
    commit(repo, "Huge", 1)
    write(repo, "claims/a/one.yaml", "misleading")
    commit(repo, "Normal again", 2)
    assert [(c.previous, c.verdict) for c in history.read(repo).of("claims/a/one.yaml")] == [
        (None, "misleading"), (None, None)]


def test_no_history_outside_a_repository_or_below_its_top(tmp_path, repo):
    write(tmp_path / "plain", "claims/a/one.yaml")
    assert history.read(tmp_path / "plain") == history.History("unavailable")
    write(repo, "sub/claims/a/one.yaml")
    commit(repo, "Publication in a subfolder", 1)
    assert history.read(repo / "sub").state == "unavailable"  # its paths are not the repository's


def test_a_shallow_clone_shows_no_history(repo, tmp_path):
    write(repo, "claims/a/one.yaml")
    commit(repo, "One", 1)
    write(repo, "claims/a/one.yaml", "'false'")
    commit(repo, "Two", 2)
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", "shallow")
    assert history.read(tmp_path / "shallow") == history.History("shallow")
    assert history.revision(tmp_path / "shallow")[0] == "shallow"


def test_uncommitted_files_are_named(repo):
    assert history.read(repo) == history.History("complete")  # no commit yet, no claim yet
    write(repo, "claims/a/one.yaml")
    assert history.read(repo).uncommitted == {"claims/a/one.yaml"}  # not committed yet
    write(repo, "claims/a/two.yaml")
    commit(repo, "Publish", 1)
    assert history.read(repo).uncommitted == frozenset()
    write(repo, "claims/a/one.yaml", "'false'")
    write(repo, "claims/b/three.yaml")
    record = history.read(repo)
    assert record.uncommitted == {"claims/a/one.yaml", "claims/b/three.yaml"}
    assert record.of("claims/a/one.yaml")[0].verdict == "mostly-true"  # the list holds commits only


def test_the_callers_git_environment_is_ignored(repo, tmp_path, monkeypatch):
    write(repo, "claims/a/one.yaml")
    mine = commit(repo, "Mine", 1)
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(other, "claims/a/one.yaml", "'false'")
    commit(other, "Not mine", 2)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside a git hook
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert [c.commit for c in history.read(repo).of("claims/a/one.yaml")] == [mine]


def test_one_pass_whatever_the_number_of_claims(repo, monkeypatch):
    """Four git processes in all (rev-parse, log, cat-file, status), for 3 claims as for 60."""
    counts = []
    for claims in (3, 60):
        for number in range(claims):
            write(repo, f"claims/a/claim-{number}.yaml", "misleading", f"Version {claims}.")
        commit(repo, f"{claims} claims", 1)
        started = []
        real_popen = subprocess.Popen  # subprocess.run starts its process through Popen too
        monkeypatch.setattr(history.subprocess, "Popen", lambda *a, **k: started.append(a[0]) or real_popen(*a, **k))
        record = history.read(repo)
        monkeypatch.undo()
        assert len(record.of("claims/a/claim-2.yaml")) == (1 if claims == 3 else 2)
        counts.append(len(started))
    assert counts == [4, 4]


def test_the_same_commit_gives_the_same_history(repo, tmp_path):
    write(repo, "claims/a/one.yaml")
    commit(repo, "One", 1)
    write(repo, "claims/a/one.yaml", "'false'")
    commit(repo, "Two", 2)
    git(tmp_path, "clone", "-q", f"file://{repo}", "copy")
    assert history.read(tmp_path / "copy") == history.read(repo)
