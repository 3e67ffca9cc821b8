#!/usr/bin/env python3
"""What the claims' history costs: the git pass at 2,000 claims, alone and as a share of the build.

    python tests/bench_history.py [--articles 100 --claims 20 --versions 3 --runs 5]

Generates tests/bench.py's synthetic publication, makes it a git repository whose history gives every claim
`--versions` more commits after the first (one claim per commit, rounds over every claim, as editors work; one
version in four changes the verdict), written by one `git fast-import`, then measures in fresh processes:

  history   factcheck.history.read alone (git log, cat-file, status and the parsing)
  cold      build.py into an empty docs folder (share images cached, as after any first build): the pipeline
  site      build.py --site: the pipeline and MkDocs, what `make site` runs (once)

and prints the medians (wall clock, and CPU time with git's processes included) and the history's share of each.
Times from one run of this script only: compare the shares, not the seconds, across machines (on a busy machine the
CPU shares are the steadier). No test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench

ROOT = Path(__file__).resolve().parent.parent
START = 1_735_689_600  # 2025-01-01: commit times count up from here, one minute apart

CHILD = """\
import resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from factcheck import history

def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

start, used = time.perf_counter(), cpu()
record = history.read(Path({pub!r}))
seconds, used = time.perf_counter() - start, cpu() - used
found = sum(len(changes) for path, changes in record.changes.items() if path.count("/") == 2)  # not ratings.yaml
assert record.complete and found == {expected}, (record.state, found)
print(seconds, used)
"""


def version(text: str, number: int, last: bool) -> str:
    """The claim as its `number`th commit left it: the final text for the last, a draft summary (and in one version
    of four another verdict) before."""
    if last:
        return text
    text = re.sub(r"(?m)^summary: .*$", f'summary: "Draft {number} of the summary."', text, count=1)
    if number % 4 == 1:
        text = re.sub(r"(?m)^verdict: .*$", 'verdict: "unverified"', text, count=1)
    return text


def make_repository(publication: Path, ids: list[tuple[str, str]], versions: int) -> int:
    """`git init` the publication and write its history with one git fast-import; returns the number of commits."""
    finals = {(slug, claim): (publication / "claims" / slug / f"{claim}.yaml").read_text(encoding="utf-8")
              for slug, claim in ids}
    stream, mark, when = [], 0, START

    def commit(message: str, files: dict[str, str]) -> None:
        nonlocal mark, when
        mark, when = mark + 1, when + 60
        data = message.encode()
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@newsroom.test> {when} +0000\n"
                      f"data {len(data)}\n".encode() + data + b"\n")
        if mark > 1:
            stream.append(f"from :{mark - 1}\n".encode())
        for path, text in files.items():
            blob = text.encode()
            stream.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")

    first = {p.relative_to(publication).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(publication.rglob("*")) if p.is_file()}
    for (slug, claim), text in finals.items():
        first[f"claims/{slug}/{claim}.yaml"] = version(text, 0, versions == 0)
    commit("Publish the archive", first)
    for number in range(1, versions + 1):
        for (slug, claim), text in finals.items():
            commit(f"Review {claim}: version {number}", {f"claims/{slug}/{claim}.yaml":
                                                        version(text, number, number == versions)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=publication, check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=publication, input=b"".join(stream), check=True, env=env)
    subprocess.run(["git", "reset", "-q"], cwd=publication, check=True, env=env)  # the index to HEAD; files match
    status = subprocess.run(["git", "status", "--porcelain"], cwd=publication, capture_output=True, text=True,
                            check=True, env=env).stdout
    assert status == "", status  # the working tree is the last commit: the build reads what git holds
    return mark


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--claims", type=int, default=20)
    parser.add_argument("--versions", type=int, default=3, help="commits per claim after the first")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="factcheck-history-") as temporary:
        publication = Path(temporary) / "publication"
        ids = bench.generate(publication, args.articles, args.claims)
        start = time.perf_counter()
        commits = make_repository(publication, ids, args.versions)
        made = time.perf_counter() - start
        expected = len(ids) * (args.versions + 1)
        docs, site = publication / "generated", publication / "site"
        build = [sys.executable, str(ROOT / "build.py"), "--root", str(publication), "--out", str(docs)]
        log = Path(temporary) / "build.log"
        # bench.run: wall clock and CPU time (with its children, from wait4). This first build draws the share
        # images: every measured build finds them cached.
        bench.run(build, log)
        code = CHILD.format(root=str(ROOT), pub=str(publication), expected=expected)
        runs: dict[str, list[tuple[float, float]]] = {"history": [], "cold": []}
        for _ in range(args.runs):  # interleaved, so a noisy moment spreads over both
            result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            runs["history"].append(tuple(map(float, result.stdout.split())))
            shutil.rmtree(docs)
            cold = bench.run(build, log)
            runs["cold"].append((cold.seconds, cold.cpu))
        whole = bench.run([*build, "--site", "--site-dir", str(site)], log)
    (history, history_cpu), (cold, cold_cpu) = (
        tuple(statistics.median(values) for values in zip(*runs[name])) for name in ("history", "cold"))
    print(f"{len(ids):,} claims, {commits:,} commits ({expected:,} claim versions; repository written in "
          f"{made:.1f} s); medians of {args.runs} runs\n")
    print("| run | seconds | CPU seconds | history's share (wall / CPU) |\n|---|---:|---:|---:|")
    print(f"| history pass alone (history.read, git included) | {history:.2f} | {history_cpu:.2f} | |")
    print(f"| build.py cold (the pipeline, share images cached) | {cold:.2f} | {cold_cpu:.2f} | "
          f"{history / cold:.1%} / {history_cpu / cold_cpu:.1%} |")
    print(f"| build.py --site (make site, one run) | {whole.seconds:.2f} | {whole.cpu:.2f} | "
          f"{history / whole.seconds:.1%} / {history_cpu / whole.cpu:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
