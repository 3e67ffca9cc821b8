"""Each claim's record of changes, read from git: which commits changed its file, when, and its verdict before and
after.

One pass over the repository whatever the number of claims: `git log` lists every commit that changed a file under
claims/ with the blobs before and after (`--raw`), one `git cat-file --batch` reads those blobs' verdicts, and
`git status` says which files differ from the last commit; the three run side by side, after one `git rev-parse`.
Four processes in all, never one per file.

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
from collections.abc import Iterator
from pathlib import Path

from . import characters, load
from .model import FileChange, History

ZERO = re.compile(r"^0+$")
SUBJECT_LIMIT = 200  # characters of a commit's subject line shown: a subject is a line, not a letter
# The claim's verdict, from the first top-level `verdict:` line: quoted or plain, with an optional comment. Reading
# the whole YAML of every past version would cost more than the rest of the history pass.
_VERDICT = re.compile(rb"""^verdict:[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#"'][^#\n]*?))[ \t]*(?:#[^\n]*)?\r?$""",
                      re.M)
_HASH = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


def _environment() -> dict[str, str]:
    """Git with none of the caller's GIT_* variables (a hook's GIT_DIR would point elsewhere), no user or system
    configuration (a user's log or diff settings must not change what a build shows), and messages in English."""
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
    """The history of every file under root/claims/, or why there is none.

    The three processes run side by side: `git log` is parsed as it arrives (in a thread), each blob it names
    goes to `git cat-file` at once, whose answers are read here, while `git status` runs beside them."""
    state, head = revision(root)
    if state != "complete":
        return History(state)
    status = _start(root, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--",
                    "claims/")
    commits: list = []
    verdicts: dict[str, str | None] = {}
    if head:
        log = _start(root, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "--cc", "--no-ext-diff", "--root",
                     "--encoding=UTF-8", "--format=commit %H %ct%x00%s", "HEAD", "--", "claims/")
        blobs = _start(root, "cat-file", "--batch", "--buffer", stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        failed: list[BaseException] = []

        def parse() -> None:
            asked = set()
            try:
                for commit in _commits(_tokens(log.stdout)):
                    commits.append(commit)
                    new = {b for change in commit[3] for b in change[:2] if b} - asked
                    asked |= new
                    blobs.stdin.write("".join(f"{blob}\n" for blob in sorted(new)).encode())
                    blobs.stdin.flush()  # cat-file starts on them while the log goes on
            except BaseException as error:  # noqa: BLE001 (re-raised in the caller's thread)
                failed.append(error)
            finally:
                try:
                    blobs.stdin.close()
                except OSError:  # cat-file was stopped: the caller reports why
                    pass

        parser = threading.Thread(target=parse, daemon=True)
        parser.start()
        try:
            verdicts = _verdicts(blobs.stdout)
        except BaseException:
            blobs.kill()  # so the parser's next write fails instead of waiting for a reader forever
            log.kill()
            raise
        finally:
            parser.join()
            blobs.wait()
            log.wait()
        if failed:
            raise failed[0]
        if log.returncode:
            raise HistoryError(log.stderr.read())
    found: dict[str, list[FileChange]] = {}
    for commit, date, subject, changes in commits:
        for before, after, change, path in changes:
            found.setdefault(path, []).append(FileChange(
                commit, date, subject, _CHANGE.get(change, "changed"),
                verdict=verdicts.get(after), previous=verdicts.get(before)))
    output, errors = status.communicate()
    if status.returncode:
        raise HistoryError(errors)
    uncommitted = frozenset(entry[3:] for entry in output.decode("utf-8", "replace").split("\0")
                            if entry[3:].endswith(".yaml"))
    return History("complete", {path: tuple(items) for path, items in found.items()}, uncommitted)


_CHANGE = {"A": "added", "D": "removed"}  # anything else (M, T, a merge's resolution) changed the file


def _start(root: Path, *args: str, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([*GIT, *args], cwd=root, env=_environment(), stdin=stdin, stdout=subprocess.PIPE,
                            stderr=stderr, bufsize=1 << 20)


def _tokens(stream) -> Iterator[str]:
    """The NUL-separated fields of `git log -z`, as they arrive."""
    rest = b""
    while chunk := stream.read1(1 << 16):
        fields = (rest + chunk).split(b"\0")
        rest = fields.pop()
        yield from (field.decode("utf-8", "replace") for field in fields)
    if rest:
        yield rest.decode("utf-8", "replace")


def _commits(tokens: Iterator[str]) -> Iterator[tuple[str, dt.date, str, list[tuple[str, str, str, str]]]]:
    """Every commit of the log that changed a claim file, newest first: (hash, date, subject, [(blob before, blob
    after, status, path)]); a blob is "" where the file did not exist."""
    commit = None
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("commit "):
            if commit and commit[3]:
                yield commit
            _, hash_, stamp = token.split(" ")
            date = dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).date()
            commit = (hash_, date, _subject(next(tokens, "")), [])
        elif token.startswith(":") and commit:
            path = next(tokens, "")
            if path.endswith(".yaml"):
                commit[3].append(_raw(token, path))
        elif token:
            raise HistoryError(f"unexpected git log output: {token}".encode())
    if commit and commit[3]:
        yield commit


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
    match = _VERDICT.search(data)
    if not match:
        return None
    value = next(group for group in match.groups() if group is not None).decode("utf-8", "replace").strip()
    return value if value and not characters.FORBIDDEN.search(value) else None


def _verdicts(stream) -> dict[str, str | None]:
    """Each blob's verdict from `git cat-file --batch`'s answers, until it ends. Blobs over load.MAX_BYTES (the
    build would refuse such a file) are skipped unread, so memory stays bounded whatever was committed."""
    found: dict[str, str | None] = {}
    while header := stream.readline():
        fields = header.split()
        if len(fields) != 3:  # "<blob> missing": the history names an object this clone lacks
            found[fields[0].decode()] = None
            continue
        blob, size = fields[0].decode(), int(fields[2])
        if size > load.MAX_BYTES:
            while size >= 0 and (chunk := stream.read(min(size + 1, 1 << 20))):
                size -= len(chunk)
            found[blob] = None
        else:
            found[blob] = verdict_of(stream.read(size + 1)[:size])
    return found


