#!/usr/bin/env python3
"""What the pages per claimant, topic and verdict cost the build: the same publication with and without them, in
one run.

    python tests/bench_listings.py                            100 articles x 20 claims (2,000 claims)
    python tests/bench_listings.py --articles 400             8,000 claims
    python tests/bench_listings.py --articles 10 --claims 5   a quick run

On the synthetic publication of tests/bench.py (its claims have claimants and topics) it measures:

  pipeline  pipeline.assemble in this process (load, validate, anchor, render; nothing drawn or written), with the
            listing pages, and with render.Renderer._listing_files giving none (the claim pages still link their
            claimant and topics); median of --repeat runs of each, taken in turn after one warm-up of each; and,
            within the runs with them, the time spent grouping the claims (listings.archive) and rendering the pages
  mkdocs    MkDocs building site/ from the docs folder with the listing pages, and from the same folder without
            them, each in its own subprocess; both not strict, since without them the home page and the navigation
            link indexes that are gone
  files     the docs folder's files and site/'s files and bytes, with and without

Times are wall-clock seconds of one run (compare the ratios across machines).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402 (tests/, beside this file)

ROOT = bench.ROOT
sys.path.insert(0, str(ROOT))
from factcheck import listings, pipeline, render, write  # noqa: E402


def assemble(root: Path, site, with_listings: bool) -> tuple[float, float, dict]:
    """(seconds in all, seconds in the listings' own work, the docs folder's text files) of one assembly."""
    spent = [0.0]
    archive, listing_files = listings.archive, render.Renderer._listing_files

    def timed(function):
        def wrapper(*args):
            start = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent[0] += time.perf_counter() - start
        return wrapper

    listings.archive = timed(archive)
    render.Renderer._listing_files = timed(listing_files) if with_listings else (lambda self, *args: {})
    try:
        start = time.perf_counter()
        assembly = pipeline.assemble(root, site)
        seconds = time.perf_counter() - start
    finally:
        listings.archive, render.Renderer._listing_files = archive, listing_files
    assert assembly.publication is not None, assembly.errors[:5]
    return seconds, spent[0], assembly.pages


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
        site = pipeline.read_site_settings(ROOT / "mkdocs.yml")
        runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        pages = {}
        for round_ in range(args.repeat + 1):  # round 0 warms up (schemas compiled, the language model loaded)
            for with_listings in (True, False):
                seconds, own, pages[with_listings] = assemble(publication, site, with_listings)
                if round_:
                    runs[with_listings].append((seconds, own))
        results = {}
        script = work / "mkdocs_build.py"
        script.write_text(bench.MKDOCS_BUILD, encoding="utf-8")
        for with_listings in (True, False):
            name = "with" if with_listings else "without"
            docs, built = work / f"docs-{name}", work / f"site-{name}"
            write.write_tree(docs, pages[with_listings])
            mkdocs = bench.run([sys.executable, str(script), str(ROOT / "mkdocs.yml"), str(docs), str(built),
                                "lenient"], work / f"mkdocs-{name}.log")
            results[with_listings] = (len(pages[with_listings]), mkdocs.seconds, *files_and_bytes(built))
            shutil.rmtree(built)
    median = {k: statistics.median(s for s, _ in v) for k, v in runs.items()}
    own = statistics.median(o for _, o in runs[True])
    (docs_with, mkdocs_with, site_files_with, bytes_with) = results[True]
    (docs_without, mkdocs_without, site_files_without, bytes_without) = results[False]
    claims = args.articles * args.claims
    print(f"{args.articles} articles × {args.claims} claims ({claims:,} claims); pipeline: median of {args.repeat}\n")
    print("| | with listing pages | without | difference |\n|---|---:|---:|---:|")
    print(f"| pipeline (load → render, in process) | {median[True]:.2f} s | {median[False]:.2f} s "
          f"| {median[True] - median[False]:+.2f} s ({(median[True] - median[False]) / median[False]:+.1%}) |")
    print(f"| of which grouping the claims and rendering the listing pages | {own:.2f} s | – | |")
    print(f"| docs folder files | {docs_with:,} | {docs_without:,} | {docs_with - docs_without:+,} |")
    print(f"| mkdocs build (not strict) | {mkdocs_with:.2f} s | {mkdocs_without:.2f} s "
          f"| {mkdocs_with - mkdocs_without:+.2f} s ({(mkdocs_with - mkdocs_without) / mkdocs_without:+.1%}) |")
    print(f"| site/ files | {site_files_with:,} | {site_files_without:,} | {site_files_with - site_files_without:+,} |")
    print(f"| site/ bytes | {bytes_with:,} | {bytes_without:,} | {bytes_with - bytes_without:+,} "
          f"({(bytes_with - bytes_without) / bytes_without:+.1%}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
