"""What the editor's-form check costs the build: reading every article and claim of a synthetic publication
(tests/bench.py's, in the editor's form) without the check, with the check printing every file (a first build, or one
whose answers are lost), and with the check finding its answers in .cache/forms.json (any later build, the cache
read from the file each time). CPU time, best of three runs each.

    .venv/bin/python tests/bench_form.py [--articles 100 --claims 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import bench  # tests/, beside this script
from factcheck import load, yamlform


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
        content, claims, cache = root / "content", root / "claims", root / ".cache" / "forms.json"

        def read(remembered: bool):
            yamlform._answers = yamlform._fresh()  # as a new process finds it
            if remembered:
                yamlform.remember(cache)
            found = load.read_sources(content, claims, form=yamlform.FormCheck())
            if not remembered:
                yamlform.keep(cache)
            return found

        plain = best(3, lambda: load.read_sources(content, claims))
        printed = best(3, lambda: read(False))
        remembered = best(3, lambda: read(True))
        assert not read(True).problems  # the generated files are in the form
    count = args.articles * args.claims
    print(f"{args.articles} articles x {args.claims} claims ({count:,} claims): reading {plain:.2f} s; with the form "
          f"check printing every file {printed:.2f} s (+{(printed - plain) / count * 1000:.2f} ms a claim); with its "
          f"answers remembered {remembered:.2f} s (+{(remembered - plain) / count * 1000:.3f} ms a claim)")


if __name__ == "__main__":
    main()
