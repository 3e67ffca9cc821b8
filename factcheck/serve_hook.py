"""MkDocs hook for `make serve` only (mkdocs.serve.yml): an edit reaches the browser in well under a second.

- The publication stays loaded (factcheck/preview.py): an edit rereads, revalidates and re-renders only what it
  changed, and writes only the docs files whose bytes changed.
- MkDocs rebuilds only those: the first build (and a change to the MkDocs config) is MkDocs' own full build, whose
  files, navigation and theme environment this hook keeps; after that, an edit renders just the written pages and
  copies just the written files into the served site, with MkDocs' own page functions. Every page of the
  publication keeps the navigation of the full build: pages do not change the nav (mkdocs.yml lists it). The search
  index is the full build's until the next full build.
- The inputs (content, claims, templates, schemas) are watched through the operating system's file events where
  it has them, not by polling tens of thousands of files; the docs folder is not watched, since only this hook
  writes it.
- An edit with errors prints `file:line: message` and keeps the last good preview; the fix recovers it.

FACTCHECK_ROOT (default: the project) chooses the publication, as build.py's --root does (the benchmark uses it,
with a config whose docs_dir is that publication's docs folder).
"""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

# MkDocs loads a hook by its path, not as a package: the package is imported as installed (make installs it).
from factcheck import cms, preview, settings
from factcheck.model import Problem
from factcheck.report import report

WATCHED = ("content", "claims", "templates", "schemas")
ROOT = Path(os.environ.get("FACTCHECK_ROOT") or settings.PROJECT).resolve()
log = logging.getLogger("mkdocs.hooks.factcheck")


class _State:
    """What this hook keeps between rebuilds of one `mkdocs serve`."""

    preview: preview.Preview | None = None
    config = files = nav = env = None  # MkDocs' objects from the last full build
    config_stamp: tuple | None = None  # the MkDocs config files as that build read them


def _stamp(config) -> tuple:
    paths = [Path(config.config_file_path), settings.CONFIG]
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths if p.is_file())


def _refresh() -> preview.Refresh:
    result = _State.preview.refresh()
    # Errors in full; warnings only for the files just saved (a draft has many, and they were shown before).
    reread = set(result.reread)
    report([p for p in result.problems if p.is_error or p.path in reread], ROOT)
    state = "kept the last good preview" if not result.ok else (
        f"{len(result.written)} written, {len(result.removed)} removed")
    log.info(f"factcheck: {state} in {result.seconds:.2f} s")
    return result


def on_pre_build(config):
    """A full build (the first, or after the MkDocs config changed): the options are made again, since mkdocs.yml
    holds the site settings, and the docs folder brought up to date (on errors it keeps its last good state)."""
    options = settings.options(ROOT, out=Path(config["docs_dir"]))
    if isinstance(options, Problem):
        report([options], ROOT)
        return
    if _State.preview is None or _State.preview.options.out != options.out:
        _State.preview = preview.Preview(options)
    else:
        _State.preview.options = options
    _refresh()


def on_files(files, config):
    """Keep MkDocs' files; add the web editor's bundle from node_modules beside its page, as the site engine's
    stage does for a published site (cms.copy_bundle)."""
    from mkdocs.structure.files import File
    for path in cms.bundle_files():
        files.append(File.generated(config, f"{cms.BUNDLE_DIR}/{path.name}", abs_src_path=str(path)))
    _State.files = files
    return files


def on_nav(nav, config, files):
    _State.nav = nav
    return nav


def on_env(env, config, files):
    _State.env = env
    return env


def on_post_build(config):
    _State.config, _State.config_stamp = config, _stamp(config)
    # MkDocs' pages, files and navigation live until the next full build: keep the cycle collector from walking
    # them on every edit (at 8,000 claims a full pass is a large part of an edit's second).
    gc.freeze()


def on_serve(server, config, builder):
    inputs = [str(ROOT / name) if (ROOT / name).is_dir() else str(settings.PROJECT / name) for name in WATCHED]
    if not _use_file_events(server, [config.config_file_path, *inputs]):
        for path in inputs:
            server.watch(path)
    server.builder = _incremental(builder)
    return server


# Events that say a file changed. MkDocs rebuilds on any event, and inotify also reports files being opened and
# read: the preview's own reading of a saved file would then start another rebuild, and so would an editor that
# only opens one. A folder counts when it appears, goes or moves (a claims folder moved out of claims/ reports
# nothing about the files inside it); its "modified" events only echo its files' own.
CHANGES = frozenset({"created", "deleted", "modified", "moved", "closed"})
FOLDER_CHANGES = frozenset({"created", "deleted", "moved"})


def _use_file_events(server, paths: list[str]) -> bool:
    """MkDocs polls every watched file twice a second; at 8,000 claims one pass takes a tenth of a second and an
    edit waits for the next. Watch with the system's file events instead (inotify, FSEvents...), only `paths`
    (not the docs folder, which only this hook writes), and only for changes. Relies on LiveReloadServer's private
    fields; returns False, leaving MkDocs' own watching in place, when they are not there."""
    try:
        import watchdog.events
        import watchdog.observers

        condition = server._rebuild_cond
        for path in list(server._watched_paths):
            while path in server._watched_paths:
                server.unwatch(path)
        observer = watchdog.observers.Observer()
    except (AttributeError, KeyError, ImportError):
        return False

    class Changed(watchdog.events.FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type not in (FOLDER_CHANGES if event.is_directory else CHANGES):
                return
            with condition:
                server._want_rebuild = True
                condition.notify_all()

    for path in paths:
        observer.schedule(Changed(), path, recursive=os.path.isdir(path))
        server._watched_paths[os.path.abspath(path)] = 1  # so serve() starts the observer and lists the paths
    server.observer = observer
    return True


def _incremental(full_builder):
    def builder(config=None):
        if _State.config is None or _State.preview is None or _State.config_stamp != _stamp(_State.config):
            return full_builder(config)  # first build, a failed one before, or the MkDocs config changed
        result = _refresh()
        if result.ok and (result.written or result.removed):
            start = time.perf_counter()
            rebuild(result.written, result.removed)
            log.info(f"factcheck: site updated in {time.perf_counter() - start:.2f} s")
    return builder


def rebuild(written, removed) -> None:
    """Put the written docs files into the served site with MkDocs' own functions, as a full build would."""
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import File, InclusionLevel
    from mkdocs.structure.pages import Page

    config, files = _State.config, _State.files
    for path in removed:
        file = files.get_file_from_path(path)
        if file is not None:
            files.remove(file)
            Path(file.abs_dest_path).unlink(missing_ok=True)
    pages = []
    for path in written:
        file = files.get_file_from_path(path)
        if file is None:  # a new claim: its page and share image
            file = File(path, config["docs_dir"], config["site_dir"], config["use_directory_urls"],
                        inclusion=InclusionLevel.INCLUDED)
            files.append(file)
            if file.is_documentation_page():
                Page(None, file, config)
        if file.is_documentation_page():
            pages.append(file.page)
        else:
            file.copy_file()
    for page in pages:
        _populate_page(page, config, files)
    documentation = files.documentation_pages()
    for page in pages:
        _build_page(page, config, documentation, _State.nav, _State.env)
