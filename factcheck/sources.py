"""`build.py sources`: check every source link, remember the answers, and (with --archive) record archived copies
and dead links in the claim files and articles' front matter.

    python build.py sources                        check what was not checked in the last 7 days; print a table
    python build.py sources --all --report r.json  check everything; write the results as JSON
    python build.py sources --archive              ... and add archived_url/archived, found_dead to the files
    python build.py sources --changed-since origin/main   only the sources a branch adds (pull requests)

Exit status: 0, or 1 with --strict when a source is dead or unreachable; 1 for unreadable input; 2 usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import archives, characters, links, load, validate, write, yamledit
from .report import report as report_problems
from .model import Problem
from .settings import CACHE as CACHES, CONFIG, TEMPLATES, read_site_settings, today

CACHE = CACHES / "sources.json"  # under the root, outside content/ and claims/ (gitignored)
STATUSES = (links.OK, links.REDIRECTED, links.DEAD, links.UNREACHABLE)
ADDED, FAILED = "archived copy added", ("not archived", "file not changed")  # how notes start (table, summary)


@dataclass(frozen=True)
class Cited:
    """One source as a file cites it: where, and what the file already records about it."""

    path: Path
    line: int
    at: tuple  # the source mapping's path in the YAML document, e.g. ("sources", 0)
    url: str
    accessed: dt.date | None = None
    archived_url: str | None = None
    found_dead: str | None = None
    item: dict = field(default_factory=dict, compare=False)  # the source mapping as the file has it


@dataclass(frozen=True)
class Outcome:
    """What happened to one cited source in this run."""

    cited: Cited
    result: links.Result
    archived_url: str | None
    note: str = ""  # archiving: what was added, or why nothing could be


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # the build reports it; the check can still run


def source_lists(data) -> list[tuple[tuple, object]]:
    """(path, value) of every source list in a claim or an article's front matter."""
    return [found for pattern in load.SOURCE_LISTS for found in load.values_at(data, pattern)]


def cited_in(document: load.Document) -> tuple[list[Cited], list[Problem]]:
    cited, problems = [], []
    for at, items in source_lists(document.data):
        if not isinstance(items, list):
            problems.append(document.problem(f"{load.field_path(at)}: expected a list of sources", at))
            continue
        for index, item in enumerate(items):
            here = (*at, index)
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                problems.append(document.problem(f"{load.field_path(here)}: a source needs a url", here))
                continue
            line = (document.where((*here, "url")) or (0, 0))[0]
            cited.append(Cited(document.path, line, here, item["url"], _date(item.get("accessed")),
                               item.get("archived_url"), item.get("found_dead"), item))
    return cited, problems


def collect(root: Path) -> tuple[list[Cited], list[Problem]]:
    """Every source of the publication, found by the build's own loader (which keeps each value's line)."""
    read = load.read_sources(root / "content", root / "claims")
    cited, problems = [], list(read.problems)
    for document in [front_matter.document for _, front_matter in read.articles] + [c[2] for c in read.claims]:
        found, wrong = cited_in(document)
        cited += found
        problems += wrong
    return cited, problems


# ------------------------------------------------------------------------------------------------------------------
# What a branch adds (pull requests check only those)

def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def added_since(root: Path, ref: str, cited: list[Cited]) -> list[Cited]:
    """The sources cited now that the same file did not cite at the merge base with `ref`."""
    base = _git(root, "merge-base", ref, "HEAD").strip()
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    old: dict[Path, set[str]] = {}
    for item in {c.path for c in cited}:
        name = item.resolve().relative_to(top.resolve()).as_posix()
        try:
            text = _git(root, "show", f"{base}:{name}")
        except subprocess.CalledProcessError:
            old[item] = set()  # a new file: all its sources are new
            continue
        if item.suffix == ".md":
            bounds = load.front_matter_bounds(text)
            text = "" if isinstance(bounds, str) else text[bounds[0]:bounds[1]]
        document = load.parse_yaml(item, text)
        found = [] if isinstance(document, Problem) else cited_in(document)[0]
        old[item] = {c.url for c in found}
    return [c for c in cited if c.url not in old[c.path]]


# ------------------------------------------------------------------------------------------------------------------
# The cache: when each URL was last checked, and the answer

def read_cache(path: Path) -> dict[str, links.Result]:
    """The remembered answers: the cache file, then the answers its journal holds (those of a run that was killed
    before it could write the cache; a last line cut short is skipped)."""
    results: dict[str, links.Result] = {}
    try:
        results = {url: _result(url, e) for url, e in
                   json.loads(path.read_text(encoding="utf-8"))["results"].items()}
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"{path}: unreadable cache ignored ({error})", file=sys.stderr)
    try:
        lines = journal(path).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        lines = []
    for line in lines:
        try:
            entry = json.loads(line)
            results[entry["url"]] = _result(entry["url"], entry)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return results


def journal(cache: Path) -> Path:
    """Where each answer is appended as it comes, so that a killed run resumes where it stopped."""
    return cache.with_name(cache.name + ".journal")


def _result(url: str, entry: dict) -> links.Result:
    return links.Result(url, entry["status"], entry["http_status"], entry["final_url"], entry.get("detail", ""),
                        dt.datetime.fromisoformat(entry["checked"]))


def _entry(result: links.Result) -> dict:
    return {"status": result.status, "http_status": result.http_status, "final_url": result.final_url,
            "detail": result.detail, "checked": result.checked.isoformat()}


def write_cache(path: Path, results: dict[str, links.Result]) -> None:
    entries = {url: _entry(r) for url, r in sorted(results.items())}
    path.parent.mkdir(parents=True, exist_ok=True)
    write.atomically(path, json.dumps({"version": 1, "results": entries}, indent=1).encode())
    journal(path).unlink(missing_ok=True)  # everything it held is in the cache now


# ------------------------------------------------------------------------------------------------------------------
# Archiving and recording dead links

def _edit(cited: Cited, result: links.Result, snapshot) -> yamledit.Edit | None:
    after_url = (("archived_url", snapshot.url), ("archived", snapshot.date.isoformat())) if snapshot else ()
    at_end = (("found_dead", result.checked.date().isoformat()),) if (
        result.status == links.DEAD and not cited.found_dead) else ()
    remove = ("found_dead",) if result.status in (links.OK, links.REDIRECTED) and cited.found_dead else ()
    return yamledit.Edit(cited.at, after_url, at_end, remove) if after_url or at_end or remove else None


def _refused(cited: Cited, edit: yamledit.Edit) -> str | None:
    """Why the build would refuse the source once `edit` is made (the first reason), or None."""
    item = {k: v for k, v in cited.item.items() if k not in edit.remove} | dict(edit.after_url) | dict(edit.at_end)
    problems = validate.source_problems(item, today())
    return characters.snippet(problems[0], 300) if problems else None


async def _archive(client: links.Client, cited: list[Cited], results: dict[str, links.Result]
                   ) -> dict[tuple, tuple[str | None, str]]:
    """Look up (or have made) an archived copy of every source without one, and write each file as soon as its
    lookups are done, so an interrupted run keeps what it finished. Returns (path, at) -> (archived_url, note)."""
    from . import wayback
    available, save = archives.endpoints()
    lookups: dict[tuple, asyncio.Task] = {}

    async def lookup(url: str, accessed: dt.date | None, broken: bool):
        budget = links.Budget(client.settings.url_budget)  # one source's lookups, retries included
        snapshot = await wayback.closest(client, available, url, accessed, budget)
        if snapshot is None and not broken:  # a copy of an error page would archive nothing
            snapshot = await wayback.save(client, save, url, budget)
        return snapshot

    def shared(item: Cited) -> asyncio.Task:
        key = (item.url, item.accessed)
        if key not in lookups:
            lookups[key] = asyncio.ensure_future(lookup(item.url, item.accessed, results[item.url].broken))
        return lookups[key]

    notes: dict[tuple, tuple[str | None, str]] = {}

    async def one_file(path: Path, items: list[Cited]) -> None:
        snapshots = await asyncio.gather(*(shared(i) for i in items if not i.archived_url), return_exceptions=True)
        edits, pending = [], iter(snapshots)
        for item in items:
            snapshot, note = None, ""
            if not item.archived_url:
                snapshot = next(pending)
                if isinstance(snapshot, BaseException):
                    note = f"{FAILED[0]}: {snapshot}" if isinstance(snapshot, wayback.ArchiveError) else \
                        f"{FAILED[0]}: {type(snapshot).__name__} {snapshot}"
                    snapshot = None
                elif snapshot is None:
                    note = "no archived copy exists, and a broken link is not worth capturing"
                else:
                    note = f"{ADDED} of {snapshot.date.isoformat()}"
            edit = _edit(item, results[item.url], snapshot)
            if edit and (refused := _refused(item, edit)):  # never write what the build would refuse
                note = f"{FAILED[0]}: the answer would not pass the build ({refused})"
                snapshot = None
                edit = _edit(item, results[item.url], None)
            notes[(item.path, item.at)] = (snapshot.url if snapshot else item.archived_url, note)
            if edit:
                edits.append((item, edit))
        try:
            yamledit.edit_file(path, [edit for _, edit in edits])
        except (yamledit.EditError, OSError):
            for item, edit in edits:  # one at a time: one source that cannot be edited costs the others nothing
                try:
                    yamledit.edit_file(path, [edit])
                except (yamledit.EditError, OSError) as error:
                    print(f"{path}:{item.line}: not changed: {error}", file=sys.stderr)
                    notes[(item.path, item.at)] = (item.archived_url, f"{FAILED[1]}: {error}")

    by_file: dict[Path, list[Cited]] = {}
    for item in cited:
        by_file.setdefault(item.path, []).append(item)
    await asyncio.gather(*(one_file(path, items) for path, items in by_file.items()))
    return notes


# ------------------------------------------------------------------------------------------------------------------
# The command

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py sources", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, help="folder holding content/ and claims/")
    p.add_argument("--config", type=Path, help="mkdocs.yml (its site_name names us in the User-Agent)")
    p.add_argument("--report", type=Path, metavar="FILE", help="write the results as JSON (see README)")
    p.add_argument("--summary", type=Path, metavar="FILE", help="write a Markdown summary (for a pull request)")
    p.add_argument("--archive", action="store_true",
                   help="add archived copies and found_dead dates to the claim files and articles")
    p.add_argument("--all", action="store_true", help="check every URL, ignoring the cache")
    p.add_argument("--max-age", type=float, default=7, metavar="DAYS", help="recheck answers older than this (7)")
    p.add_argument("--cache", type=Path, metavar="FILE", help=f"where answers are remembered (ROOT/{CACHE})")
    p.add_argument("--changed-since", metavar="REF", help="only sources added since the merge base with REF")
    p.add_argument("--strict", action="store_true", help="exit 1 when a source is dead or unreachable")
    p.add_argument("--allow-loopback", action="store_true",
                   help="also request addresses on this machine (127.0.0.1): for tests against a local server only; "
                        "other addresses that are not public are never requested")
    defaults = links.Settings()
    for name in ("connect_timeout", "read_timeout", "backoff", "url_budget"):
        p.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(defaults, name), metavar="S")
    for name in ("per_host", "concurrency", "retries", "max_redirects"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name), metavar="N")
    return p


def main(argv: list[str], project: Path) -> int:
    args = parser().parse_args(argv)
    root = (args.root or project).resolve()
    site = read_site_settings(args.config or CONFIG)
    if isinstance(site, Problem):
        report_problems([site], root)
        return 1
    name, url = site.name, site.url
    cited, problems = collect(root)
    if any(p.is_error for p in problems):
        report_problems(problems, root)
        return 1
    if args.changed_since:
        try:
            cited = added_since(root, args.changed_since, cited)
        except subprocess.CalledProcessError as error:
            print(f"build.py sources: git: {error.stderr.strip()}", file=sys.stderr)
            return 2
    settings = links.Settings(
        user_agent=f"{name} source checker" + (f" (+{url})" if url else ""),
        allow_loopback=args.allow_loopback,
        **{k: getattr(args, k) for k in ("connect_timeout", "read_timeout", "per_host", "concurrency", "retries",
                                         "backoff", "max_redirects", "url_budget")})
    cache_file = args.cache or root / CACHE
    if wrong := write.untrusted_output(root, [cache_file.parent, cache_file, journal(cache_file)]):
        report_problems(wrong, root)
        return 2
    cache = read_cache(cache_file)
    now = dt.datetime.now(dt.timezone.utc)
    urls = list(dict.fromkeys(c.url for c in cited))
    stale = [u for u in urls if args.all or u not in cache or now - cache[u].checked > dt.timedelta(args.max_age)]
    print(f"checking {len(stale)} of {len(urls)} source URLs ({len(urls) - len(stale)} checked in the last "
          f"{args.max_age:g} days)", file=sys.stderr)
    notes = asyncio.run(_run(settings, cited, stale, cache, cache_file, args.archive))
    if args.archive:  # lines moved where keys were added
        lines = {(c.path, c.at): c.line for c in collect(root)[0]}
        cited = [replace(c, line=lines.get((c.path, c.at), c.line)) for c in cited]
    outcomes = [Outcome(c, cache[c.url], *notes.get((c.path, c.at), (c.archived_url, ""))) for c in cited]
    print_table(outcomes, root)
    # Broken links through the same problem path as every other (file:line, escaped, annotated on the diff).
    report_problems([Problem(o.cited.path, f"{o.result.status} source: {o.cited.url}" + (
        f" ({o.result.detail})" if o.result.detail else ""), o.cited.line, severity="error" if args.strict else "warning")
        for o in outcomes if o.result.broken], root, footer=False)
    if args.report:
        write.atomically(args.report, (json.dumps(report(outcomes, root), indent=2) + "\n").encode("utf-8"))
    if args.summary:
        write.atomically(args.summary, summary(outcomes, root, args.archive).encode("utf-8"))
    return 1 if args.strict and any(o.result.broken for o in outcomes) else 0


async def _run(settings, cited, stale, cache, cache_file, archive) -> dict:
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    # Each answer is appended to the journal as it comes (never through a link), so a run killed part-way
    # resumes with the answers it had; the cache, written whole at the end, takes them over.
    descriptor = os.open(journal(cache_file), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    with os.fdopen(descriptor, "a", encoding="utf-8") as notes:
        async def checked(client, url):
            cache[url] = result = await links.check(client, url)
            notes.write(json.dumps({"url": url, **_entry(result)}) + "\n")
            notes.flush()

        async with links.Client(settings) as client:
            await asyncio.gather(*(checked(client, url) for url in stale))
            # Remembered before archiving starts, so an interrupted archive run does not check everything again.
            write_cache(cache_file, cache)
            return await _archive(client, cited, cache) if archive else {}


def report(outcomes: list[Outcome], root: Path) -> list[dict]:
    return [{"file": o.cited.path.relative_to(root).as_posix(), "line": o.cited.line, "url": o.cited.url,
             "status": o.result.status, "http_status": o.result.http_status, "final_url": o.result.final_url,
             "archived_url": o.archived_url} for o in outcomes]


def print_table(outcomes: list[Outcome], root: Path) -> None:
    rows = [(o.result.status, str(o.result.http_status or "-"), f"{o.cited.path.relative_to(root)}:{o.cited.line}",
             o.cited.url + (f" -> {o.result.final_url}" if o.result.status == links.REDIRECTED else "")
             + (f" ({o.result.detail})" if o.result.detail else "") + (f" [{o.note}]" if o.note else ""))
            for o in outcomes]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("STATUS", "HTTP", "WHERE"))]
    for row in [("STATUS", "HTTP", "WHERE", "URL"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    counts = {s: sum(o.result.status == s for o in outcomes) for s in STATUSES}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))


def summary(outcomes: list[Outcome], root: Path, archive: bool) -> str:
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    rows = [(o, f"{o.cited.path.relative_to(root).as_posix()}:{o.cited.line}") for o in outcomes]
    return env.get_template("sources-summary.md.j2").render(
        archive=archive, counts={s: sum(o.result.status == s for o in outcomes) for s in STATUSES},
        broken=[(o, where) for o, where in rows if o.result.broken],
        added=sum(o.note.startswith(ADDED) for o in outcomes),
        failed=[(o, where) for o, where in rows if o.note.startswith(FAILED)])
