"""What the editor's-form check costs the build: reading every article and claim of a synthetic publication
(tests/bench.py's, in the editor's form) with the check and without it, CPU time, best of three runs each.

    .venv/bin/python tests/bench_form.py [--articles 100 --claims 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import bench  # noqa: E402
from factcheck import load, yamlform  # noqa: E402


def best(runs: int, read) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        read()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--claims", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bench.generate(root, args.articles, args.claims)
        content, claims = root / "content", root / "claims"
        plain = best(3, lambda: load.read_sources(content, claims))
        checked = best(3, lambda: load.read_sources(content, claims, form=yamlform.form_problem))
        sources = load.read_sources(content, claims, form=yamlform.form_problem)
        assert not sources.problems, sources.problems[:3]  # the generated files are in the form
    count = args.articles * args.claims
    print(f"{args.articles} articles x {args.claims} claims ({count:,} claims): reading {plain:.2f} s, with the "
          f"form check {checked:.2f} s: +{checked - plain:.2f} s ({(checked - plain) / count * 1000:.2f} ms a claim, "
          f"{checked / plain:.2f}x reading)")


if __name__ == "__main__":
    main()
