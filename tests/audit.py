#!/usr/bin/env python3
"""Lighthouse audit of the built site (`make audit`): the home page, the first article and one of its claim pages,
in Lighthouse's default mobile mode (simulated slow 4G and CPU throttling), served from site/ on a free loopback
port exactly as the browser tests serve it.

    python tests/audit.py [--site-dir site] [--runs N]

Needs `npm ci` (lighthouse is pinned in package.json / package-lock.json) and Chromium (CHROME_PATH, default
/usr/bin/chromium). Prints the four scores of each page; exits 1 if any misses its target: accessibility, best
practices and SEO 1.00, performance at least 0.98 (the median of --runs runs). JSON and HTML reports are written
to tests/artifacts/lighthouse/. Slow (about half a minute a page), so it is not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from site_server import SiteServer  # beside this file, which is run as a script

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ROOT / "tests" / "artifacts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 0.98, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync")


def pages_to_audit(site: Path) -> list[str]:
    """The home page, the first article page and its first claim page, as paths relative to the site."""
    articles = sorted(p.parent for p in site.glob("*/index.html")
                      if 'class="fc-article"' in p.read_text(encoding="utf-8"))
    if not articles:
        raise SystemExit(f"no article page in {site}: build the site first (make site)")
    claims = sorted(p.parent for p in articles[0].glob("*/index.html"))
    if not claims:
        raise SystemExit(f"no claim page under {articles[0]}")
    return ["", articles[0].name + "/", f"{articles[0].name}/{claims[0].name}/"]


def lighthouse(url: str, name: str) -> dict:
    REPORTS.mkdir(parents=True, exist_ok=True)
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile",
               f"--only-categories={','.join(CATEGORIES)}", "--output=json", "--output=html",
               f"--output-path={REPORTS / name}", f"--chrome-flags={CHROME_FLAGS}"]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    report_file = REPORTS / f"{name}.report.json"
    if result.returncode != 0 or not report_file.is_file():
        raise SystemExit(f"lighthouse failed on {url} (exit {result.returncode}):\n{result.stderr[-3000:]}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse could not audit {url}: {report['runtimeError']}")
    return report


def failing_audits(report: dict, category: str) -> list[str]:
    """The weighted audits of a category that lost points, with Lighthouse's title and display value."""
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            out.append(f"{ref['id']}: {audit['score']:.2f} {audit['title']}{value}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (default 3); each score is the median")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print(f"{LIGHTHOUSE.relative_to(ROOT)} is missing: run `npm ci` first", file=sys.stderr)
        return 2
    if not (args.site_dir / "index.html").is_file():
        print(f"no built site in {args.site_dir}: run `make site` first", file=sys.stderr)
        return 2

    missed = []
    with SiteServer(args.site_dir) as server:
        print(f"Lighthouse {json.loads((LIGHTHOUSE.parent.parent / 'package.json').read_text())['version']}, "
              f"mobile, {args.runs} run(s) a page, site served at {server.url}")
        print(f"{'page':<48} {'perf':>5} {'a11y':>5} {'b-p':>5} {'seo':>5}")
        for path in pages_to_audit(args.site_dir):
            url = server.url + path
            name = (path.strip("/").replace("/", "--") or "home")
            reports = [lighthouse(url, f"{name}-{run}" if args.runs > 1 else name) for run in range(args.runs)]
            scores = {c: statistics.median(r["categories"][c]["score"] for r in reports) for c in CATEGORIES}
            print(f"/{path:<47} " + " ".join(f"{scores[c]:>5.2f}" for c in CATEGORIES), flush=True)
            for category in CATEGORIES:
                if scores[category] < TARGETS[category]:
                    report = min(reports, key=lambda r: r["categories"][category]["score"])
                    missed.append(f"/{path} {category} {scores[category]:.2f} < {TARGETS[category]:.2f}: "
                                  + "; ".join(failing_audits(report, category)))
    print(f"reports: {REPORTS.relative_to(ROOT)}/")
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("all targets met: performance >= 0.98; accessibility, best practices, SEO = 1.00")
    return 0


if __name__ == "__main__":
    sys.exit(main())
