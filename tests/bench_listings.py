#!/usr/bin/env python3
"""What the pages per claimant, topic and verdict cost the build: the same publication with and without them, in
one run.

    python tests/bench_listings.py                            100 articles x 20 claims (2,000 claims)
    python tests/bench_listings.py --articles 400             8,000 claims
    python tests/bench_listings.py --articles 10 --claims 5   a quick run

On the synthetic publication of tests/bench.py (its claims have claimants and topics) it measures:

  pipeline  pipeline.assemble and its pages read (load, validate, anchor, render, the articles on every core as in
            a build; nothing drawn or written), with the listing pages, and with render.Renderer._listing_files
            giving none (the claim pages still link their claimant and topics); median of --repeat runs of each,
            taken in turn after one warm-up of each; and, within the runs with them, the time spent grouping the
            claims (listings.archive) and rendering the pages (in this process)
  mkdocs    MkDocs building site/ from the docs folder with the listing pages, and from the same folder without
            them, each in its own subprocess; both not strict, since without them the home page and the navigation
            link indexes that are gone
  files     the docs folder's files and site/'s files and bytes, with and without

Times are wall-clock seconds of one run (compare the ratios across machines); CPU times count the rendering
workers' too.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bench
from factcheck import listings, pipeline, render, settings, write

ROOT = bench.ROOT


def cpu_time() -> float:
    """CPU seconds of this process and of its ended children (the rendering workers)."""
    return sum(usage.ru_utime + usage.ru_stime
               for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def assemble(options: settings.Options, with_listings: bool) -> tuple[tuple[float, float], float, dict]:
    """((wall, CPU) seconds in all, CPU seconds in the listings' own work, the docs folder's text files) of one
    assembly, its pages read."""
    spent = [0.0]
    archive, listing_files = listings.archive, render.Renderer._listing_files

    def timed(function, read=lambda result: result):
        """`function` counting its CPU time; `read`: what completes its work (a generator's pages are rendered as
        they are read)."""
        def wrapper(*args):
            start = time.process_time()
            try:
                return read(function(*args))
            finally:
                spent[0] += time.process_time() - start
        return wrapper

    listings.archive = timed(archive)
    render.Renderer._listing_files = timed(listing_files, list) if with_listings else (lambda self, *args: iter(()))
    try:
        wall, cpu = time.perf_counter(), cpu_time()
        assembly = pipeline.assemble(options)
        assert assembly.publication is not None, assembly.errors[:5]
        pages = dict(assembly.pages)  # rendered as they are read
        wall, cpu = time.perf_counter() - wall, cpu_time() - cpu
    finally:
        listings.archive, render.Renderer._listing_files = archive, listing_files
    return (wall, cpu), spent[0], pages


def files_and_bytes(folder: Path) -> tuple[int, int]:
    found = [p for p in folder.rglob("*") if p.is_file()]
    return len(found), sum(p.stat().st_size for p in found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--claims", type=int, default=20, help="claims per article")
    parser.add_argument("--repeat", type=int, default=3, help="pipeline runs of each kind")
    args = parser.parse_args(argv)
    os.environ["SOURCE_DATE_EPOCH"] = bench.EPOCH  # the synthetic dates all precede it, as in bench.py's runs
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-listings-") as temporary:
        work = Path(temporary)
        publication = work / "publication"
        bench.generate(publication, args.articles, args.claims)
        options = settings.options(publication)
        runs: dict[bool, list] = {True: [], False: []}
        pages = {}
        for round_ in range(args.repeat + 1):  # round 0 warms up (schemas compiled, the language model loaded)
            for with_listings in (True, False):
                times, own, pages[with_listings] = assemble(options, with_listings)
                if round_:
                    runs[with_listings].append((*times, own))
        script = work / "mkdocs_build.py"
        script.write_text(bench.MKDOCS_BUILD, encoding="utf-8")
        built, mkdocs = {}, {True: [], False: []}
        for with_listings in (True, False):
            write.write_tree(work / f"docs-{with_listings}", pages[with_listings])
        for _ in range(args.repeat):  # in turn, so that a change in the machine's load touches both alike
            for with_listings in (True, False):
                target = work / f"site-{with_listings}"
                shutil.rmtree(target, ignore_errors=True)
                mkdocs[with_listings].append(bench.run(
                    [sys.executable, str(script), str(ROOT / "mkdocs.yml"), str(work / f"docs-{with_listings}"),
                     str(target), "lenient"], work / "mkdocs.log"))
                built[with_listings] = files_and_bytes(target)
    claims = args.articles * args.claims
    print(f"{args.articles} articles × {args.claims} claims ({claims:,} claims); times: median of {args.repeat} runs "
          "of each, wall clock (CPU time)\n")
    print("| | with listing pages | without | difference |\n|---|---:|---:|---:|")

    def row(label: str, with_: tuple[float, float], without: tuple[float, float]) -> None:
        print(f"| {label} | {with_[0]:.2f} s ({with_[1]:.2f} s) | {without[0]:.2f} s ({without[1]:.2f} s) "
              f"| {with_[0] - without[0]:+.2f} s ({with_[1] - without[1]:+.2f} s, {with_[1] / without[1] - 1:+.1%} "
              "CPU) |")

    median = {k: tuple(statistics.median(r[i] for r in v) for i in (0, 1)) for k, v in runs.items()}
    row("pipeline (load → render; CPU: every process)", median[True], median[False])
    print(f"| of which grouping the claims and rendering the listing pages (CPU) "
          f"| {statistics.median(r[2] for r in runs[True]):.2f} s | | |")
    files = {k: len(v) for k, v in pages.items()}
    print(f"| docs folder files | {files[True]:,} | {files[False]:,} | {files[True] - files[False]:+,} |")
    engine = {k: (statistics.median(r.seconds for r in v), statistics.median(r.cpu for r in v))
              for k, v in mkdocs.items()}
    row("mkdocs build (not strict)", engine[True], engine[False])
    (files_with, bytes_with), (files_without, bytes_without) = built[True], built[False]
    print(f"| site/ files | {files_with:,} | {files_without:,} | {files_with - files_without:+,} |")
    print(f"| site/ bytes | {bytes_with:,} | {bytes_without:,} | {bytes_with - bytes_without:+,} "
          f"({bytes_with / bytes_without - 1:+.1%}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
