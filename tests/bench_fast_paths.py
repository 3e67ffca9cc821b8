#!/usr/bin/env python3
"""Does each fast path of the build pay its way? A cold build at 2,000 claims with each one switched off in turn.

    python tests/bench_fast_paths.py [--articles 100 --claims 20 --runs 3]

Every run is a fresh process building into an empty docs folder with the caches warm (the same work as `build.py`
cold in CI); the table
shows the median time of each variant and what the fast path saves as a share of the cold build with all of
them on. A fast path that saves under 10 % goes (BENCHMARKS.md). Times from one run of this script only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import bench

ROOT = Path(__file__).resolve().parent.parent

# Each variant switches one fast path off, in the child process, before the build runs.
VARIANTS = {
    "all fast paths on": "",
    "no fastjsonschema pre-check (jsonschema for every document)":
        "from factcheck import validate; validate._Validator.iter_errors = "
        "lambda self, instance: self.validator.iter_errors(instance)",
    "pages rendered in one process (no workers)":
        "from factcheck import cores; cores.available = lambda: False",
    "claims read and checked in one process (not in the workers)":
        "from factcheck import load\n_read = load.read_sources\n"
        "load.read_sources = lambda *args, **options: _read(*args, **{**options, 'read_claims': True})",
    "characters searched with the whole table (not the plane-0 one)":
        "from factcheck import characters; characters._table = lambda text, whole, plane0: whole",
    "share images copied into the docs folder (no hard links)":
        "import os\ndef refuse(*args):\n    raise OSError('no hard links')\nos.link = refuse",
}

CHILD = """\
import sys, time
{patch}
from pathlib import Path
from factcheck import pipeline, settings
start = time.perf_counter()
outcome = pipeline.build(settings.options(Path({pub!r}), out=Path({out!r}), config=Path({config!r})))
assert outcome.status == 0, outcome.problems[:3]
print(time.perf_counter() - start)
"""


def run(patch: str, publication: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    code = CHILD.format(root=str(ROOT), patch=patch, pub=str(publication), out=str(out),
                        config=str(ROOT / "mkdocs.yml"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": bench.EPOCH})
    return float(result.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--claims", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        publication = Path(temporary) / "publication"
        bench.generate(publication, args.articles, args.claims)
        run("", publication, Path(temporary) / "out")  # the caches warm (share images, languages), as CI has them
        times = {name: [] for name in VARIANTS}
        for _ in range(args.runs):  # interleaved, so a noisy moment spreads over every variant
            for name, patch in VARIANTS.items():
                times[name].append(run(patch, publication, Path(temporary) / "out"))
    base = statistics.median(times["all fast paths on"])
    print(f"cold pipeline at {args.articles * args.claims:,} claims, median of {args.runs} runs\n")
    print("| variant | seconds | saved by the fast path (share of cold) |\n|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        saved = "" if name == "all fast paths on" else f"{(median - base) / base:+.1%}"
        print(f"| {name} | {median:.2f} | {saved} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
