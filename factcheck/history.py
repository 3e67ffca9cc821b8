"""Each claim's record of changes, read from git: which commits changed its file, when, and its verdict before and
after.

One pass over the repository whatever the number of claims: `git log` lists every commit that changed a file under
claims/ with the blobs before and after (`--raw`), one `git cat-file --batch` reads those blobs' verdicts, and
`git status` says which files differ from the last commit. Four processes in all, never one per file.

- Files are followed by path, as `git log -- claims/<slug>/<id>.yaml` lists them (no rename detection): the path
  is the claim's permalink, so a renamed claim starts a new page and a new record.
- A merge is listed only where it changed a file differently from every parent (a conflict resolved by hand);
  otherwise the commits that made the change are listed, from whichever branch they came.
- History is read only when the publication's root is the top of a git working tree (so the file paths are those
  of the repository, which edit and commit links use) and the clone is complete: a shallow clone would show a cut
  history as if it were whole, so it shows none.
- Deterministic: the same commit gives the same record, whoever builds it. Git's environment and the user's and
  system's configuration are ignored; dates are committer dates in UTC.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path

from . import characters, load
from .model import FileChange, History

ZERO = re.compile(r"^0+$")
SUBJECT_LIMIT = 200  # characters of a commit's subject line shown: a subject is a line, not a letter
# The claim's verdict, from the first top-level `verdict:` line: quoted or plain, with an optional comment. Reading
# the whole YAML of every past version would cost more than the rest of the history pass.
_VERDICT = re.compile(r"""^verdict:[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#"'][^#\n]*?))[ \t]*(?:#[^\n]*)?\r?$""",
                      re.M)
_HASH = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


def _environment() -> dict[str, str]:
    """Git with none of the caller's GIT_* variables (a hook's GIT_DIR would point elsewhere), no user or system
    configuration, and messages in English (the no-commits case is recognised by its text)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C", GIT_TERMINAL_PROMPT="0")
    return env


GIT = ("git", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false",
       "-c", "core.quotePath=false")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GIT, *args], cwd=root, capture_output=True, env=_environment())


def revision(root: Path) -> tuple[str, str]:
    """(state, HEAD): the state History would have ("complete", "shallow", "unavailable") and the commit it would
    be read from ("" without one). One quick process: the build's fingerprint includes it, so a new commit
    rebuilds the pages that show the history."""
    try:
        result = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD")
    except OSError:  # no git on this machine
        return "unavailable", ""
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    if len(lines) < 3 or Path(lines[0]).resolve() != root.resolve():
        return "unavailable", ""
    head = lines[2] if _HASH.match(lines[2]) else ""  # "HEAD" itself: a repository without commits yet
    return ("shallow" if lines[1] == "true" else "complete"), head


def read(root: Path) -> History:
    """The history of every file under root/claims/, or why there is none."""
    state, head = revision(root)
    if state != "complete":
        return History(state)
    commits = _log(root) if head else []
    verdicts = _verdicts(root, {blob for _, _, _, changes in commits for blob in _blobs(changes)})
    found: dict[str, list[FileChange]] = {}
    for commit, date, subject, changes in commits:
        for before, after, status, path in changes:
            found.setdefault(path, []).append(FileChange(
                commit, date, subject, _CHANGE.get(status, "changed"),
                verdict=verdicts.get(after), previous=verdicts.get(before)))
    return History("complete", {path: tuple(items) for path, items in found.items()}, _uncommitted(root))


_CHANGE = {"A": "added", "D": "removed"}  # anything else (M, T, a merge's resolution) changed the file


def _blobs(changes) -> Iterable[str]:
    for before, after, _, _ in changes:
        yield from (blob for blob in (before, after) if blob)


def _log(root: Path) -> list[tuple[str, dt.date, str, list[tuple[str, str, str, str]]]]:
    """Every commit of HEAD's history that changed a file under claims/, newest first: (hash, date, subject,
    [(blob before, blob after, status, path)]); a blob is "" where the file did not exist."""
    result = _git(root, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "--cc", "--no-ext-diff", "--root",
                  "--encoding=UTF-8", "--format=commit %H %ct%x00%s", "HEAD", "--", "claims/")
    if result.returncode:
        raise HistoryError(result.stderr)
    tokens = iter(result.stdout.decode("utf-8", "replace").split("\0"))
    commits: list = []
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("commit "):
            _, commit, stamp = token.split(" ")
            date = dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).date()
            commits.append((commit, date, _subject(next(tokens)), []))
        elif token.startswith(":"):
            path = next(tokens)
            if path.endswith(".yaml"):
                commits[-1][3].append(_raw(token, path))
        elif token:
            raise HistoryError(f"unexpected git log output: {token}".encode())
    return [c for c in commits if c[3]]


class HistoryError(Exception):
    """Git failed, or answered something this module does not understand: the build stops and says so."""

    def __init__(self, output: bytes):
        super().__init__(f"git: cannot read the claims' history: "
                         f"{characters.snippet(output.decode('utf-8', 'replace').strip(), 300)}")


def _raw(meta: str, path: str) -> tuple[str, str, str, str]:
    """One --raw line: ':mode mode blob blob status' (a merge's combined form has one more mode and blob per
    parent and a status letter per parent: '::mode mode mode blob blob blob MM'). A merge is compared with its
    first parent."""
    parents = len(meta) - len(meta.lstrip(":"))
    fields = meta.lstrip(":").split()
    blobs = fields[parents + 1:2 * parents + 2]
    before, after, status = blobs[0], blobs[-1], fields[-1]
    status = status[0] if parents == 1 else ("A" if ZERO.match(before) else "D" if ZERO.match(after) else "M")
    return ("" if ZERO.match(before) else before), ("" if ZERO.match(after) else after), status, path


def _subject(text: str) -> str:
    """A commit's subject as a page may show it: one line, bounded, nothing invisible or direction-changing."""
    text = " ".join(text.split())
    if len(text) > SUBJECT_LIMIT:
        text = text[:SUBJECT_LIMIT - 1] + "…"
    return characters.FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def verdict_of(data: bytes) -> str | None:
    """The verdict key a version of a claim file holds, or None when it has no readable `verdict:` line."""
    match = _VERDICT.search(data.decode("utf-8", "replace"))
    if not match:
        return None
    value = next(group for group in match.groups() if group is not None).strip()
    return value if value and not characters.FORBIDDEN.search(value) else None


def _verdicts(root: Path, blobs: set[str]) -> dict[str, str | None]:
    """Each blob's verdict, read by one `git cat-file --batch`. Blobs over load.MAX_BYTES (the build would refuse
    such a file) are skipped unread, so memory stays bounded whatever was committed."""
    if not blobs:
        return {}
    ordered = sorted(blobs)
    process = subprocess.Popen([*GIT, "cat-file", "--batch"], cwd=root, env=_environment(),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def ask() -> None:  # in a thread: git answers while we ask, and a full pipe must not stop both
        try:
            process.stdin.write("".join(f"{blob}\n" for blob in ordered).encode())
        finally:
            process.stdin.close()

    writer = threading.Thread(target=ask, daemon=True)
    writer.start()
    found: dict[str, str | None] = {}
    try:
        for blob in ordered:
            header = process.stdout.readline().split()
            if len(header) != 3:  # "<blob> missing": the history names an object this clone lacks
                found[blob] = None
                continue
            size = int(header[2])
            if size > load.MAX_BYTES:
                _skip(process.stdout, size + 1)
                found[blob] = None
            else:
                found[blob] = verdict_of(process.stdout.read(size + 1)[:size])
    finally:
        process.stdout.close()
        writer.join()
        process.wait()
    return found


def _skip(stream, size: int) -> None:
    while size > 0 and (chunk := stream.read(min(size, 1 << 20))):
        size -= len(chunk)


def _uncommitted(root: Path) -> frozenset[str]:
    """Claim files whose working-tree content is not that of the last commit (changed, added or deleted)."""
    result = _git(root, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", "claims/")
    if result.returncode:
        raise HistoryError(result.stderr)
    return frozenset(entry[3:] for entry in result.stdout.decode("utf-8", "replace").split("\0")
                     if entry[3:].endswith(".yaml"))
