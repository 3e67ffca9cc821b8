"""The only stage with side effects: put generated files and the built site on disk, atomically and lazily.

Also the one home of writing a file: every file the build writes (the docs folder, its manifest, the share-image and
language caches) and the claim files `build.py sources` edits go through `atomically` (the docs folder through its
first half, `_staged`, its renames held back until every page is ready: `write_tree`), so a reader, or a run
killed at any moment, sees the old file or the new one and never a part, and every new file gets the permissions any
new file gets (readable by all under the usual umask).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .model import Problem


MARKER = ".generated-by-build-py"  # in every docs folder write_tree fills: a folder without it is not ours to empty
_numbers = itertools.count()  # temporary names: unique within the process (threads included), the pid across them


def atomically(path: Path, data: bytes, *, mode: int = 0o666, durable: bool = False) -> None:
    """Replace `path` with `data`: a temporary file beside it, then a rename. `mode` is masked by the umask, as for
    any new file; `durable` also waits for the disk (for editors' files, not for what a build can make again)."""
    _move(_staged(path, data, mode, durable), path)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{next(_numbers)}.tmp")


def _staged(path: Path, data: bytes, mode: int = 0o666, durable: bool = False) -> Path:
    """`data` in a new temporary file beside `path`, to be renamed over it; nothing is left when the write fails."""
    temporary = _temporary(path)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # never through a planted link
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _move(temporary: Path, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Stored:
    """A docs file whose bytes are a file of a cache (a share image): placed as a hard link to it, so a build neither
    reads nor copies them. Safe because nothing writes through either name: the cache and the docs folder are only
    ever changed by replacing files (`atomically`), the site engines only read the docs folder, and cache files are
    read-only, so another program's attempt to edit one in place fails instead of changing the cache."""

    source: Path

    def same_as(self, target: Path) -> bool:
        """Whether `target` already holds these bytes: the same file (the usual case), or an equal copy."""
        try:
            here, there = os.stat(target), os.stat(self.source)
            return os.path.samestat(here, there) or (
                here.st_size == there.st_size and target.read_bytes() == self.source.read_bytes())
        except FileNotFoundError:
            return False


Content = str | bytes | Stored


def made_by_build(path: Path) -> bool:
    """Whether a cache file is one the build made and may link into the docs folder: a regular file (not a link,
    which may lead anywhere, nor a FIFO, which blocks), owned by this user and read-only, as `atomically(...,
    mode=0o444)` leaves it. Anything else is made again, never read or linked."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o222


class NotMadeByBuild(PermissionError):
    """A cache file that is no longer one the build made (replaced by a link, say, since it was checked)."""


def _cache_file(content: Stored) -> Path:
    if not made_by_build(content.source):  # never published
        raise NotMadeByBuild(errno.EPERM, "is not a cache file the build made; build again", str(content.source))
    return content.source


def _prepared(target: Path, content: Content) -> Path:
    """`content` under a temporary name beside `target`, to be renamed over it: a cache file linked in (copied where
    hard links cannot be made), or the bytes written."""
    if not isinstance(content, Stored):
        return _staged(target, content if isinstance(content, bytes) else content.encode("utf-8"))
    temporary = _temporary(target)
    try:
        os.link(_cache_file(content), temporary)
    except NotMadeByBuild:
        raise
    except OSError:  # the cache is on another file system, or this one has no hard links: copy
        return _staged(target, content.source.read_bytes())
    return temporary


def _place(target: Path, content: Content) -> None:
    """`content` at `target` now: a cache file is linked in directly when `target` is new (a new file appears whole,
    so it needs no temporary name); anything else comes through a temporary name and a rename."""
    if isinstance(content, Stored):
        try:
            os.link(_cache_file(content), target)
            return
        except NotMadeByBuild:
            raise
        except OSError:  # `target` exists (replaced below), or no hard links here (copied below)
            pass
    _move(_prepared(target, content), target)


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def ownership_problem(out: Path) -> Problem | None:
    """A folder that holds files the build did not make is not ours to empty: replacing it could destroy work."""
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return Problem(out, "is not empty and was not made by build.py; choose another --out")
    return None


def entries(out: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every file and folder under `out`, as (relative path, entry), without following links."""
    pending = [(out, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as found:
            for entry in found:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), prefix + entry.name + "/"))
                yield prefix + entry.name, entry


def untrusted_output(root: Path, paths: list[Path]) -> list[Problem]:
    """Output and cache folders (and cache files) must be the build's own. A symbolic link on the way would carry
    its writes out of the repository, and a file committed there would be published or trusted as the build's own
    (a share image under a real claim's key, a language answer that switches a rule off): both are refused."""
    problems, links = [], set()
    for path in paths:
        for step in _steps(root, path):
            if step not in links and os.path.islink(step):
                links.add(step)
                problems.append(Problem(step, "is a symbolic link: the build never writes or reads its output or "
                                              "caches through a link (it can lead outside the repository); remove it"))
    inside = [os.path.relpath(path, root) for path in paths if _under(root, path)]
    tracked = _tracked(root, inside) if inside else []
    for name in tracked[:10]:
        if root / name not in links:
            problems.append(Problem(root / name, "is committed to the repository, but output and caches are made only "
                                                 "by the build (a committed one would be published as ours): "
                                                 "git rm --cached it"))
    if len(tracked) > 10:
        problems.append(Problem(root, f"... and {len(tracked) - 10:,} more committed output or cache files"))
    return problems


def _under(root: Path, path: Path) -> bool:
    return os.path.commonpath([os.path.abspath(root), os.path.abspath(path)]) == os.path.abspath(root)


def _steps(root: Path, path: Path) -> list[Path]:
    """`path` and each folder between it and `root` (only `path` itself when it lies outside `root`)."""
    if not _under(root, path):
        return [Path(os.path.abspath(path))]
    parts = Path(os.path.relpath(path, root)).parts
    return [Path(os.path.abspath(root), *parts[:n]) for n in range(1, len(parts) + 1)]


def _tracked(root: Path, relative: list[str]) -> list[str]:
    """The files git tracks under these paths of `root`; none when `root` is not in a git work tree."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *relative], capture_output=True,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name] if not listed.returncode else []


def write_tree(out: Path, files: dict[str, Content] | Iterable[tuple[str, Content]],
               before_changes: Callable[[], None] = lambda: None) -> WriteReport:
    """Make `out` hold exactly `files` (a dict, or (path, content) pairs written as they come), rewriting only files
    whose bytes differ (so `mkdocs serve` does not loop).

    All or nothing, as far as renames allow: new files are placed as they come, while the new bytes of changed files
    wait beside them under temporary names; only once every file is ready (every page rendered, nothing failed or
    interrupted) are they renamed over the old ones and stale files removed, `before_changes` running first. A
    build stopped on the way (Ctrl-C, SIGTERM, a full disk, a failed render) takes back what it added, so `out` is
    as it was; a reader never sees half a file. The caller has checked `ownership_problem` first.
    """
    out.mkdir(parents=True, exist_ok=True)
    existing, folders = set(), []
    for relative, entry in entries(out):
        (folders.append if entry.is_dir(follow_symlinks=False) else existing.add)(relative)
    if MARKER not in existing:
        atomically(out / MARKER, b"")
    made = {""} | set(folders)
    written, unchanged, kept = [], 0, {MARKER}
    replacing: list[tuple[Path, Path]] = []  # (temporary, target) for every changed file, renamed at the end
    new_folders: list[str] = []
    try:
        for relative, content in (files.items() if isinstance(files, dict) else files):
            kept.add(relative)
            target = out / relative
            if relative in existing:
                if isinstance(content, Stored):
                    if content.same_as(target):
                        unchanged += 1
                        continue
                elif target.read_bytes() == (content if isinstance(content, bytes) else content.encode("utf-8")):
                    unchanged += 1
                    continue
            written.append(relative)
            if relative in existing:
                replacing.append((_prepared(target, content), target))
                continue
            missing, folder = [], relative.rpartition("/")[0]
            while folder not in made:
                missing.append(folder)
                made.add(folder)
                folder = folder.rpartition("/")[0]
            for folder in reversed(missing):  # outermost first
                (out / folder).mkdir(exist_ok=True)
                new_folders.append(folder)
            _place(target, content)
    except BaseException:
        for temporary, _ in replacing:
            temporary.unlink(missing_ok=True)
        for relative in written:
            if relative not in existing:
                (out / relative).unlink(missing_ok=True)
        for folder in reversed(new_folders):  # deepest first, each empty now
            with contextlib.suppress(OSError):
                (out / folder).rmdir()
        raise
    before_changes()
    for index, (temporary, target) in enumerate(replacing):
        try:
            os.replace(temporary, target)
        except BaseException:
            for left, _ in replacing[index:]:
                left.unlink(missing_ok=True)
            raise
    removed = []
    for relative in sorted(existing - kept):
        with contextlib.suppress(FileNotFoundError):  # `before_changes` may have removed it (the manifest)
            (out / relative).unlink()
            removed.append(relative)
    for folder in sorted(folders, reverse=True):  # deepest first, so emptied folders can go too
        if not any((out / folder).iterdir()):
            (out / folder).rmdir()
    return WriteReport(tuple(sorted(written)), tuple(removed), unchanged)


def write_changes(out: Path, changed: dict[str, Content], removed: list[str]) -> None:
    """Apply a known difference to a docs folder that `write_tree` filled: the preview knows what it last wrote, so
    it need not read the folder back. Folders left empty by a removal go too, as `write_tree` would remove them."""
    for relative, content in sorted(changed.items()):
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        _place(out / relative, content)
    for relative in sorted(removed):
        target = out / relative
        target.unlink(missing_ok=True)
        for folder in target.parents:
            if folder == out or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def replace_dir(built: Path, target: Path) -> None:
    """Swap a freshly built folder in place of `target`; the old one is removed only after the swap."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    moved = target.exists()
    if moved:
        os.replace(target, old)
    try:
        os.replace(built, target)
    except BaseException:
        if moved:  # put the published site back
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
