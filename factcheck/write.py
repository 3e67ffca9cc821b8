"""The only stage with side effects: put generated files and the built site on disk, atomically and lazily."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .model import Problem


MARKER = ".generated-by-build-py"  # in every docs folder write_tree fills: a folder without it is not ours to empty


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


def write_tree(out: Path, files: dict[str, str | bytes]) -> WriteReport:
    """Make `out` hold exactly `files`, rewriting only files whose bytes differ (so `mkdocs serve` does not loop).

    Each file is replaced atomically (temporary file, then rename), so a reader never sees half a file. The caller
    has checked `ownership_problem` first.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).touch()
    written, unchanged = [], 0
    for relative, text in sorted(files.items()):
        target = out / relative
        data = text if isinstance(text, bytes) else text.encode("utf-8")  # bytes: share images
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
            continue
        replace_file(target, data)
        written.append(relative)
    removed = []
    for path in sorted(out.rglob("*"), reverse=True):  # deepest first, so emptied folders can go too
        relative = path.relative_to(out).as_posix()
        if path.is_file() and relative not in files and relative != MARKER:
            path.unlink()
            removed.append(relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return WriteReport(tuple(written), tuple(removed), unchanged)


def replace_file(target: Path, data: bytes) -> None:
    """Write a file atomically (temporary file, then rename), so a reader never sees half of it; a write that fails
    (a full disk, an interruption) leaves no temporary file behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_changes(out: Path, changed: dict[str, str | bytes], removed: list[str]) -> None:
    """Apply a known difference to a docs folder that `write_tree` filled: the preview knows what it last wrote, so
    it need not read the folder back. Folders left empty by a removal go too, as `write_tree` would remove them."""
    for relative, text in sorted(changed.items()):
        replace_file(out / relative, text if isinstance(text, bytes) else text.encode("utf-8"))
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
