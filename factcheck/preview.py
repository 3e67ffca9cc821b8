"""The preview's memory: the publication kept loaded between edits, so saving one file costs one file's work.

`make serve` keeps one Preview. Each `refresh()` lists the content and claims folders, rereads only the files whose
modification time, size or inode changed (and whose bytes then differ), revalidates only those, re-renders only
the pages whose inputs changed (render.Renderer) and writes only the files whose bytes changed. Everything else
comes from the last refresh. The stages are the build's own functions (pipeline.assemble with a reader, a memo
and a renderer kept here), so after any sequence of edits the docs folder is byte for byte what a clean build of
the same inputs writes (tests/test_preview.py checks this after every step of a sequence of edits).

An edit with errors changes nothing on disk: the preview keeps showing the last good build, and the next refresh
after the fix picks up from there. Code changes (factcheck/*.py) need a restart; templates, schemas, the rating
scale and mkdocs.yml's site settings do not.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import cms, language, load, manifest, pipeline, render, share, write
from .model import Problem

RECENT_NS = 2_000_000_000  # files modified this recently are hashed anyway: coarse clocks can repeat an mtime


@dataclass(frozen=True)
class _File:
    """A file as last read: what identifies that version on disk, and what reading it gave."""

    signature: tuple[int, int, int]  # st_mtime_ns, st_size, st_ino
    digest: bytes
    parsed: object
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Refresh:
    """What one refresh did."""

    problems: tuple[Problem, ...]
    written: tuple[str, ...]  # docs files rewritten (relative paths)
    removed: tuple[str, ...]
    reread: tuple[Path, ...]  # input files read again because they changed
    seconds: float

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _digest(folder: Path) -> str:
    """The names and bytes of every file under `folder`: the templates are few and small."""
    digest = hashlib.blake2b()
    manifest.hash_tree(digest, folder, "templates")
    return digest.hexdigest()


class Preview:
    """The publication under `root`, kept in memory and written to `out` on every refresh."""

    def __init__(self, root: Path, out: Path, config: Path, templates: Path = pipeline.TEMPLATES,
                 image_cache: Path | None = None):
        self.root, self.out, self.config, self.templates = root, out, config, templates
        self.image_cache = image_cache or root / ".cache" / "share-images"
        self._files: dict[Path, _File] = {}
        self._memo: dict = {}  # validated files and checked articles (validate.validate, pipeline.assemble)
        self._renderer: render.Renderer | None = None
        self._renderer_inputs: tuple | None = None
        self._images: dict[str, tuple[share.ShareImage, bytes]] = {}
        self._output: dict[str, str | bytes] | None = None  # what the docs folder holds, as last written
        self._reread: list[Path] = []

    def _read(self, path: Path, parse, form=None) -> tuple[object | None, list[Problem]]:
        """load.read_file, remembered: an unchanged file is neither read nor parsed again."""
        try:
            info = os.lstat(path)
        except OSError:
            return load.read_file(path, parse, form)  # it reports the error
        signature = (info.st_mtime_ns, info.st_size, info.st_ino)
        known = self._files.get(path)
        recent = time.time_ns() - info.st_mtime_ns < RECENT_NS
        if known is not None and known.signature == signature and not recent:
            return known.parsed, list(known.problems)
        try:
            digest = hashlib.blake2b(path.read_bytes()).digest()
        except OSError:
            return load.read_file(path, parse, form)
        if known is not None and known.digest == digest:
            self._files[path] = _File(signature, digest, known.parsed, known.problems)
            return known.parsed, list(known.problems)
        parsed, problems = load.read_file(path, parse, form)
        self._files[path] = _File(signature, digest, parsed, tuple(problems))
        self._reread.append(path)
        return parsed, problems

    def _renderer_for(self, site) -> render.Renderer:
        """The renderer, or a fresh one when the templates or the site settings changed (pages remembered by it
        were rendered from the old ones)."""
        inputs = (site, _digest(self.templates))
        if self._renderer is None or inputs != self._renderer_inputs:
            self._renderer, self._renderer_inputs = render.Renderer(site, self.templates), inputs
        return self._renderer

    def refresh(self) -> Refresh:
        """Bring the docs folder up to date with the inputs; on errors, leave it as it is and say why."""
        start = time.perf_counter()
        self._reread = []
        if self._output is None and (wrong := write.ownership_problem(self.out)):
            return self._result((wrong,), start)
        # The first refresh leaves a build manifest, as build.py does, so the next `make serve` or `make check`
        # finds nothing to do; fingerprinted before reading, like the build. (Not for other templates than the
        # project's: the fingerprint does not cover them.)
        inputs = (manifest.fingerprint(pipeline.PROJECT, self.root, self.config, pipeline.today(),
                                           cms.Settings.from_environment().fingerprint())
                  if self._output is None and self.templates == pipeline.TEMPLATES else None)
        site = pipeline.read_site_settings(self.config)
        if isinstance(site, Problem):
            return self._result((site,), start)
        language.remember(self.root / pipeline.LANGUAGES)  # once per process: later calls return at once
        try:
            assembly = pipeline.assemble(self.root, site, self.templates, read=self._read, memo=self._memo,
                                         renderer=self._renderer_for(site))
        except jinja2.TemplateError as error:  # a template being edited: say where, keep the last good preview
            self._renderer = None
            name = getattr(error, "filename", None) or getattr(error, "name", None)
            path = Path(name) if name else self.templates
            return self._result((Problem(path, f"template: {error}", getattr(error, "lineno", None)),), start)
        if assembly.errors:
            return self._result(assembly.problems, start)
        files = {**assembly.pages, **self._draw(assembly.images)}
        if self._output is None:  # the first refresh compares with what is on disk (a build may have left it)
            manifest.forget(self.out)
            report = write.write_tree(self.out, files)
            written, removed = report.written, report.removed
            if inputs:
                manifest.record(self.out, inputs)
        else:
            changed = {path: data for path, data in files.items()
                       if (before := self._output.get(path)) is not data and before != data}
            removed = tuple(sorted(set(self._output) - set(files)))
            if changed or removed:
                manifest.forget(self.out)  # the docs folder no longer matches it
                write.write_changes(self.out, changed, list(removed))
            written = tuple(sorted(changed))
        self._output = files
        # What the preview holds lives until the next edit replaces part of it: keep the cycle collector from
        # walking those millions of objects again on every refresh (a third of a second at 8,000 claims).
        gc.freeze()
        return self._result(assembly.problems, start, written, removed)

    def _draw(self, images: dict[str, share.ShareImage]) -> dict[str, bytes]:
        """Share images' bytes: those whose layout did not change from memory, the rest from the cache or drawn."""
        known, missing = {}, {}
        for path, image in images.items():
            held = self._images.get(path)
            if held is not None and (held[0] is image or held[0] == image):
                known[path] = held
            else:
                missing[path] = image
        drawn = share.render_images(missing, self.image_cache).files if missing else {}
        known.update({path: (missing[path], data) for path, data in drawn.items()})
        self._images = known
        return {path: data for path, (_, data) in known.items()}

    def _result(self, problems, start: float, written=(), removed=()) -> Refresh:
        return Refresh(tuple(problems), tuple(written), tuple(removed), tuple(self._reread),
                       time.perf_counter() - start)
