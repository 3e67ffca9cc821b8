"""Skip a rebuild when nothing it reads has changed.

After a successful build, the docs folder gets a manifest (a dot file, which MkDocs ignores): a fingerprint of
everything the build read, and the size and modification time of every file it produced. When the next build
finds the same fingerprint and the docs folder exactly as it was left, there is nothing to do: the pipeline would
reproduce the same files byte for byte. Anything else, including a manifest that cannot be read, means a full
build. The manifest is removed before a build writes anything, so an interrupted build never leaves one behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path

NAME = ".build-manifest.json"
VERSION = 1


def hash_tree(digest, folder: Path, label: str, suffix: str = "") -> None:
    """Every file and folder name under `folder` (sorted), and every file's bytes."""
    if not folder.is_dir():
        digest.update(f"\0missing {label}\0".encode())
        return
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        relative = Path(current).relative_to(folder).as_posix()
        digest.update(f"\0dir {label}/{relative}\0".encode())
        for name in sorted(files):
            path = Path(current, name)
            # Only regular files, never through a link: reading a FIFO would block, a link may lead anywhere.
            if name.endswith(suffix) and path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                digest.update(f"\0file {name} {len(data)}\0".encode())
                digest.update(data)


def fingerprint(project: Path, root: Path, config: Path, today: dt.date, settings: str = "") -> str:
    """A digest of every input of the build: the articles and claims under `root`, the project's code, templates
    and schemas, the MkDocs config, the date (dates in the future are errors), the installed packages, and
    `settings` (what else the output depends on: the settings read from the environment)."""
    digest = hashlib.sha256(f"{VERSION} {sys.version} {today.isoformat()}\0{settings}".encode())
    # Package versions (Jinja, Python-Markdown, nh3, the theme's icons...) are in the .dist-info folder names.
    for entry in sys.path:
        if os.path.isdir(entry):
            digest.update("\0".join(sorted(n for n in os.listdir(entry) if n.endswith(".dist-info"))).encode())
    for label, folder, suffix in (("code", project / "factcheck", ".py"), ("templates", project / "templates", ""),
                                  ("schemas", project / "schemas", ""), ("content", root / "content", ""),
                                  ("claims", root / "claims", "")):
        hash_tree(digest, folder, label, suffix)
    for path in (project / "build.py", config):
        data = path.read_bytes() if path.is_file() else b"\0missing"
        digest.update(f"\0{path.name} {len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _files(out: Path) -> dict[str, list[int]]:
    """Size and modification time of every page in the docs folder (not the build's own dot files at its top)."""
    found: dict[str, list[int]] = {}
    pending = [(out, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), prefix + entry.name + "/"))
                elif prefix or not entry.name.startswith("."):
                    stat = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def unchanged(out: Path, inputs: str) -> int | None:
    """The number of files in `out` when a build with these inputs would change nothing there; otherwise None."""
    try:
        recorded = json.loads((out / NAME).read_text(encoding="utf-8"))
        if recorded.get("version") != VERSION or recorded.get("inputs") != inputs:
            return None
        files = recorded["files"]
        return len(files) if _files(out) == files else None
    except (OSError, ValueError, KeyError, AttributeError):
        return None


def forget(out: Path) -> None:
    """Remove the manifest: called before the docs folder is written to."""
    try:
        (out / NAME).unlink()
    except FileNotFoundError:
        pass


def record(out: Path, inputs: str) -> None:
    """Write the manifest for the docs folder as it now is (atomically, like every generated file)."""
    files = _files(out)
    temporary = out / f".tmp-{NAME}"
    temporary.write_text(json.dumps({"version": VERSION, "inputs": inputs, "files": files}), encoding="utf-8")
    os.replace(temporary, out / NAME)
