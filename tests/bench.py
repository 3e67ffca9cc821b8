#!/usr/bin/env python3
"""Publication-scale benchmark: does the build stay fast, incremental and linear as the archive grows?

    python tests/bench.py                           40 and 400 articles of 20 claims: 800 and 8,000 claims
    python tests/bench.py --huge                    ... and 1,250 articles: 25,000 claims (many minutes)
    python tests/bench.py --sizes 10 --claims 5     a quick run
    make bench                                      the default run (ARGS="--huge" for 25,000 claims)

For each size it generates a synthetic publication (articles and claims of realistic length that pass
validation) in a temporary folder and measures, each in its own subprocess:

  cold     build.py into an empty docs folder, with empty caches (so it draws every image)
  noop     build.py again with nothing changed
  cached   build.py into an emptied docs folder, the caches warm (share images, language answers): a cold build
           as CI runs it, without drawing
  edit     build.py after editing one claim's summary (not shown in any image)
  reword   build.py after rewording one claim (shown in its share image)
  mkdocs   MkDocs (strict) building site/ from the docs folder
  site     build.py --site: what `make site` runs (the pipeline, then MkDocs), the yardstick of the preview
  zensical Zensical building the site from the same docs folder: cold (its cache emptied), then unchanged
  preview  `mkdocs serve -f mkdocs.serve.yml` on the publication (the in-memory preview): the time from saving an
           edited claim's summary to the claim page served with the new text, polled over HTTP (median of
           --edits edits)

plus the files each build.py run wrote (found by comparing the docs folder before and after, not from build.py's
own report; hidden files, which MkDocs ignores, are not counted), the size of site/ and the peak memory (maximum
resident set size, from wait4) of every run. Then it prints a table, the ratios the targets are stated in (see
BENCHMARKS.md) and whether each target is met; the exit status is 1 when one is not. Times are wall-clock seconds
from one run, with the CPU-time ratio beside each: compare ratios, not absolute numbers, across machines.
The temporary folder is made where TMPDIR points (or under --keep DIR, which is kept).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# "Today" for every run: the build rejects dates in the future, and the generated dates all precede this one.
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

# Targets, as ratios (see BENCHMARKS.md).
COLD_VS_MKDOCS = 0.20
NOOP_VS_COLD = 0.25
IMAGES_VS_MKDOCS = 0.5  # drawing every share image cold costs at most half a MkDocs build
MEMORY_VS_MKDOCS = 1.0  # build.py cold (caches warm) never needs more memory than MkDocs
SIZES = (40, 400)  # articles of --claims (20) each: 800 and 8,000 claims
HUGE = 1250  # --huge: 25,000 claims
PREVIEW_VS_SITE = 0.05  # an edit reaches the preview in at most 5 % of a full make site
PREVIEW_SECONDS = 1.0  # and within a second
LINEAR_LIMIT = 4.4  # at 4 x the articles, at most 4.4 x the bytes and the memory
PAGE_LIMIT = 1.1  # and pages on average at most 10 % larger

ZENSICAL_BUILD = """\
import sys
from pathlib import Path
from factcheck import engine
problems = engine._zensical(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), clean=sys.argv[4] == "clean")
if problems:
    sys.exit("\\n".join(map(str, problems)))
"""

MKDOCS_BUILD = """\
import logging
import sys
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1], docs_dir=sys.argv[2], site_dir=sys.argv[3], strict=sys.argv[4:] != ["lenient"]))
"""

# ---------------------------------------------------------------------------------------------------------------
# The synthetic publication. Deterministic for a seed; every claim's quote is a verbatim, unique, non-overlapping
# passage of its article, every rated verdict has an https source, and every date precedes EPOCH.

SUBJECTS = [
    "The finance ministry", "Officials in the capital", "The regional council", "A spokesperson for the agency",
    "Analysts at the Bergström Institute", "The opposition party", "The central bank", "Local residents",
    "The health authority", "Union leaders", "The prime minister’s office", "A parliamentary committee",
    "The state broadcaster", "Researchers at the national university", "The port operator",
    "Several diplomats", "The election commission", "The defence ministry", "Farmers’ associations",
    "The city’s mayor",
]
VERBS = [
    "announced", "reported", "confirmed", "denied", "estimated", "warned", "argued", "disclosed", "claimed",
    "insisted", "acknowledged", "suggested",
]
OBJECTS = [
    "that spending on the programme rose by {n} percent over two years",
    "that {n} households were left without power after the storm",
    "a plan to build {n} new schools before the next election",
    "that the deficit had fallen to {n} million euros",
    "that {n} officials had been dismissed since the spring",
    "that exports to the neighbouring states grew by {n} percent",
    "that the new bridge would cost {n} million more than planned",
    "that {n} people attended the protest outside the ministry",
    "that the reform would create {n} jobs in the coastal region",
    "that waiting times at the hospital had doubled to {n} days",
    "that the treaty was signed by {n} countries in total",
    "that the company paid {n} million in fines last year",
    "that inflation in the capital reached {n} percent in March",
    "that {n} kilometres of railway would be electrified by 2030",
    "that the army had withdrawn {n} soldiers from the border",
    "that {n} percent of voters supported the proposal",
]
TAILS = [
    ", according to figures published last week", ", citing internal documents seen by reporters",
    " in a statement on Tuesday", ", a claim disputed by critics", ", though no evidence was offered",
    " during a televised debate", ", officials said", " in an interview with the regional press", "", "",
]
WORDS = (
    "evidence report figures ministry budget official data statement source record archive survey census "
    "committee hearing document testimony estimate analysis review transcript audit register filing").split()
PUBLISHERS = ["Reuters", "Associated Press", "Agence France-Presse", "The Northern Ledger", "Daily Observer",
              "Statistics Office", "Ministry of Finance", "Hürriyet Daily News", "Le Monde", "Público"]
PLACES = ["Valdoria", "Northmark", "Estrava", "Kelmor", "Aurelia", "Tarvos", "Lindholm", "Suvena"]
TOPICS = ["budget", "election", "energy", "health", "border", "transport", "trade", "housing"]
# Who the articles quote: claims relaying them name them as claimant (a bare name is a person); the others are the
# article's own, so its publisher's. Accented names exercise the addresses' transliteration.
CLAIMANTS = [
    "Mara Lindqvist", "Jonas Bergström", "Elif Şahin", "Tomás Ferreira", "Ingrid Solberg", "Piotr Wąsik",
    "Amélie Durand", "Nikos Papadakis", "Aylin Öztürk", "Lars Østergaard", "Sofia Marković", "Daniel Kerr",
    "{name: Finance Ministry of Valdoria, type: organization, url: 'https://finance.example.gov/'}",
    "{name: Valdoria Election Commission, type: organization}", "{name: Northmark Port Authority, type: organization}",
    "{name: National Health Service of Estrava, type: organization, url: 'https://health.example.org/'}",
    "{name: Bergström Institute, type: organization}", "{name: Farmers’ Association of Kelmor, type: organization}",
    "{name: Central Bank of Aurelia, type: organization}", "{name: Tarvos Energy Board, type: organization}",
]


def _date(rng: random.Random, year: int = 2025) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _prose(rng: random.Random, sentences: int, link: float = 0.0) -> str:
    """Prose for analyses, summaries and excerpts: sentences of about 190 characters. As in the seed archive, about
    a quarter of the analyses use Markdown (emphasis in 1 sentence of 25, a link in 1 paragraph of 20)."""
    out = []
    for _ in range(sentences):
        words = rng.sample(WORDS, 8)
        if rng.random() < 0.04:
            words[5] = f"*{words[5]}*"
        out.append(f"The {words[0]} and the {words[1]} show that the {words[2]} was {rng.choice(VERBS)} by the "
                   f"{words[3]} in {rng.randint(2010, 2025)}, while the {words[4]} and the {words[5]} do not "
                   f"support the {words[6]} given in the {words[7]}.")
    if rng.random() < link:
        out.append(f"See the **{rng.choice(WORDS)}** [published by {rng.choice(PUBLISHERS)}]"
                   f"(https://example.com/{rng.choice(WORDS)}/{rng.randint(1000, 9999)}).")
    return " ".join(out)


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _source(rng: random.Random, index: int) -> list[str]:
    lines = [f"  - url: https://www.example-{index}.org/{rng.choice(TOPICS)}/{rng.randint(10000, 99999)}",
             f"    title: {_yaml_str(_prose(rng, 1)[:90].rstrip())}",
             f"    publisher: {_yaml_str(rng.choice(PUBLISHERS))}",
             f"    published: '{_date(rng, 2024)}'",
             f"    accessed: '{_date(rng, 2025)}'",
             f"    excerpt: {_yaml_str(_prose(rng, 1))}"]
    return lines


def article_text(rng: random.Random, index: int, claims: int) -> tuple[str, str, list[str]]:
    """(slug, Markdown file text, quotes): `claims` sentences in paragraphs of one to three, each quoted by a claim
    (whole, or the clause before its comma), as a finished fact-check classifies every sentence: the build then
    warns about nothing, and the benchmark measures building rather than printing warnings."""
    slug = f"{rng.choice(TOPICS)}-{rng.choice(PLACES).lower()}-{index:04d}"
    sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS).format(n=n)}{rng.choice(TAILS)}."
                 for n in rng.sample(range(11, 9999), claims)]  # a number unique in the article: unique quotes
    paragraphs, position = [], 0
    while position < len(sentences):
        take = rng.choice((1, 1, 2, 2, 3))
        paragraphs.append(" ".join(sentences[position:position + take]))
        position += take
    quotes = []
    for sentence in rng.sample(sentences, claims):
        clause = sentence.split(",")[0]
        quotes.append(clause if "," in sentence and rng.random() < 0.3 else sentence)
    body = "\n\n".join(paragraphs)
    for quote in quotes:
        assert body.count(quote) == 1, quote
    place = rng.choice(PLACES)
    front = [
        "---",
        f"title: {_yaml_str(f'{place} {rng.choice(SUBJECTS).lower()} and the {rng.choice(TOPICS)} row, part {index}')}",
        f"publisher: {_yaml_str(rng.choice(PUBLISHERS))}",
        f"url: https://news.example.net/{slug}",
        f"published: {_date(rng, 2024)}",
        f"assessment: {_yaml_str(_prose(rng, 4))}",
        f"provenance: {_yaml_str(_prose(rng, 3, link=1.0))}",
    ]
    developments = rng.randint(1, 2)  # what happened next: a finished fact-check has it
    if developments:
        front.append("next:")
        for d in range(developments):
            front.append(f"- date: {_date(rng)}")
            front.append(f"  summary: {_yaml_str(_prose(rng, 1))}")
            front.append("  sources:")
            front.extend("  " + line for line in _source(rng, d))
    front.append("---")
    return slug, "\n".join(front) + "\n\n" + body + "\n", quotes


def claim_text(rng: random.Random, quote: str, verdict: str, rated: bool, tags: list[str] = ()) -> str:
    """A claim file shaped like the real ones: a rated verdict has an analysis of two or three paragraphs
    (about 1,100 characters), three to eight sources and sometimes updates; an annotation is a few lines. `tags`:
    its claimant and topics lines, after the verdict as editors write them."""
    lines = [f"quote: {_yaml_str(quote)}",
             f"claim: {_yaml_str('The article says ' + quote[0].lower() + quote[1:])}",
             f"verdict: {_yaml_str(verdict)}", *tags,
             f"summary: {_yaml_str(_prose(rng, rng.randint(1, 2)))}"]
    paragraphs = [_prose(rng, rng.randint(2, 3), link=0.05) for _ in range(rng.randint(2, 3))] if rated else (
        [_prose(rng, 1)] if rng.random() < 0.7 else [])
    if paragraphs:
        lines.append("analysis: |-")
        lines.extend("  " + line if line else "" for line in "\n\n".join(paragraphs).split("\n"))
    sources = rng.randint(3, 8) if rated else rng.choice((0, 0, 1))
    if sources:
        lines.append("sources:")
        for index in range(sources):
            lines.extend(_source(rng, index))
    lines.append(f"checked: '{_date(rng)}'")
    if rated and rng.random() < 0.3:
        lines.append("updates:")
        for _ in range(rng.randint(1, 2)):
            lines.append(f"  - date: '{_date(rng)}'")
            lines.append(f"    note: {_yaml_str(_prose(rng, 1))}")
    return "\n".join(lines) + "\n"


def ratings(project: Path = ROOT) -> list[tuple[str, bool]]:
    """The scale's (key, is a rating) pairs, read from the project's claims/ratings.yaml as the build reads it."""
    from factcheck import load
    data = load.load_yaml(project / "claims" / "ratings.yaml").data
    return [(r["key"], r["kind"] == "rating") for r in data["ratings"]]


def tags(rng: random.Random) -> list[str]:
    """A claim's claimant (for about two claims in three) and one or two topics (for nine in ten)."""
    lines = [f"claimant: {rng.choice(CLAIMANTS)}"] if rng.random() < 0.67 else []
    if rng.random() < 0.9:
        lines.append(f"topics: [{', '.join(rng.sample(TOPICS, rng.choice((1, 1, 2))))}]")
    return lines


def topics_text() -> str:
    return "\n".join(["# yaml-language-server: $schema=../schemas/topics.schema.json", "topics:", *(
        f"  - {{key: {topic}, label: {topic.capitalize()}, description: What the {topic} rows are about.}}"
        for topic in TOPICS)]) + "\n"


def generate(root: Path, articles: int, claims: int, seed: int = 1, verdict: str | None = None
             ) -> list[tuple[str, str]]:
    """Write content/ and claims/ for a synthetic publication under root; returns every (article slug, claim id).
    With `verdict`, every claim has that verdict."""
    rng = random.Random(seed)
    tagging = random.Random(seed + 1)  # its own stream: claimants and topics leave the rest as it was
    scale = ratings()
    weights = [4 if rated else 5 for _, rated in scale]  # about 30 % opinion or context, as in the real archive
    (root / "content").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "claims" / "ratings.yaml").write_bytes((ROOT / "claims" / "ratings.yaml").read_bytes())
    (root / "claims" / "topics.yaml").write_text(topics_text(), encoding="utf-8")
    ids = []
    for index in range(articles):
        slug, text, quotes = article_text(rng, index, claims)
        path = root / "content" / f"{slug}.md"
        path.write_text(_editor_form(path, text), encoding="utf-8")
        folder = root / "claims" / slug
        folder.mkdir()
        for number, quote in enumerate(quotes):
            claim_id = f"{rng.choice(WORDS)}-{number:03d}"
            chosen, rated = rng.choices(scale, weights)[0]
            if verdict:
                chosen, rated = verdict, dict(scale)[verdict]
            path = folder / f"{claim_id}.yaml"
            path.write_text(_editor_form(path, claim_text(rng, quote, chosen, rated, tags(tagging))),
                            encoding="utf-8")
            ids.append((slug, claim_id))
    return ids


def _editor_form(path: Path, text: str) -> str:
    """A file as the web editor writes it, as the repository keeps them (build.py fmt)."""
    from factcheck import yamlform
    formatted = yamlform.formatted(path, text)
    assert isinstance(formatted, str), formatted
    return formatted


def _set(path: Path, key: str, value: str) -> None:
    """Change one value of a claim as the editor would: the file stays in the editor's form."""
    from factcheck import fields, load, yamlform
    data = load.parse_yaml(path, path.read_text(encoding="utf-8")).data
    data[key] = value
    path.write_text(yamlform.dump(yamlform.ordered(data, fields.of("claim"))), encoding="utf-8")


def edit_claim(path: Path, marker: str) -> None:
    """An editor's typical change: reword a claim's summary (marker makes the new text findable in the output)."""
    _set(path, "summary", f"Reworded after review: {marker}.")


def reword_claim(path: Path, marker: str) -> None:
    """A change that share images show: reword the restated claim."""
    _set(path, "claim", f"Reworded claim: {marker}.")


# ---------------------------------------------------------------------------------------------------------------
# Measuring.

@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system
    peak_mb: float  # maximum resident set size
    written: list[str] = field(default_factory=list)  # files created or replaced (build.py runs only)
    removed: list[str] = field(default_factory=list)
    drawn: int = 0  # share images added to the cache (build.py runs only)
    warnings: int = 0  # warnings printed (build.py runs only)


@dataclass
class Size:
    articles: int
    claims_per_article: int
    cold: Run
    noop: Run
    edit: Run
    mkdocs: Run
    edited: str  # the edited claim file, relative to the publication
    edit_expected: list[str]  # docs files that show the edited text
    generated_files: int
    site_bytes: int
    pages_bytes: int  # site/ without assets/ (the theme's scripts and styles do not grow with the publication)
    html_pages: int  # HTML files in site/, the listing pages left out (see listing_rows)
    html_bytes: int  # and their size
    cached: Run | None = None  # cold again, images from the cache
    reword: Run | None = None
    reworded: str = ""  # the claim file whose restated claim was reworded
    site: Run | None = None  # build.py --site (make site)
    zensical_cold: Run | None = None
    zensical_noop: Run | None = None
    preview_edits: list[float] = field(default_factory=list)  # seconds from saving to served, one per edit
    listing_pages: int = 0  # HTML pages of claimants, topics and verdicts in site/
    listing_bytes: int = 0  # and their size
    listing_rows: int = 0  # the most claims on one of them

    @property
    def preview(self) -> float | None:
        """The median edit-to-preview time."""
        ordered = sorted(self.preview_edits)
        return ordered[len(ordered) // 2] if ordered else None

    @property
    def claims(self) -> int:
        return self.articles * self.claims_per_article


def run(command: list[str], log: Path, cwd: Path = ROOT) -> Run:
    """Run a command in a subprocess; its own peak memory comes from wait4, so runs do not mask each other."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("GITHUB_ACTIONS", None)
    with open(log, "wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({process.returncode}):\n"
                           + log.read_text(encoding="utf-8", errors="replace")[-5000:])
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, kB on Linux
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Identity of every file in the docs folder; a rewritten file gets a new inode or modification time.

    Hidden files are left out: MkDocs ignores them, and the build may keep its own bookkeeping there.
    """
    if not folder.exists():
        return {}
    result = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
            stat = path.stat()
            result[relative] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return result


def build(publication: Path, log: Path) -> Run:
    docs = publication / "generated"
    cache = publication / ".cache" / "share-images"  # build.py's default for --root
    before, cached = snapshot(docs), set(cache.iterdir()) if cache.is_dir() else set()
    result = run([sys.executable, str(ROOT / "build.py"), "--root", str(publication), "--out", str(docs)], log)
    after = snapshot(docs)
    result.written = sorted(p for p, identity in after.items() if before.get(p) != identity)
    result.removed = sorted(set(before) - set(after))
    result.drawn = len(set(cache.iterdir()) - cached) if cache.is_dir() else 0
    result.warnings = sum(line.startswith("warning") for line in log.read_text(encoding="utf-8").splitlines())
    return result


def folder_bytes(folder: Path, skip: str | None = None) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and not (skip and p.relative_to(folder).parts[0] == skip))


def measure(work: Path, articles: int, claims: int, seed: int = 1, log=print, edits: int = 0) -> Size:
    publication = work / f"publication-{articles}x{claims}"
    ids = generate(publication, articles, claims, seed)
    logs = work / f"logs-{articles}x{claims}"
    logs.mkdir()
    log(f"  {articles} articles x {claims} claims: cold build ...")
    cold = build(publication, logs / "cold.log")
    log(f"  {articles} articles x {claims} claims: rebuild with nothing changed ...")
    noop = build(publication, logs / "noop.log")
    log(f"  {articles} articles x {claims} claims: cold build, share images cached ...")
    shutil.rmtree(publication / "generated")  # as `make clean` does; the image cache survives it
    cached = build(publication, logs / "cached.log")
    slug, claim_id = ids[len(ids) // 2]
    edited = Path("claims") / slug / f"{claim_id}.yaml"
    marker = f"benchmark edit {seed}-{articles}x{claims}"
    edit_claim(publication / edited, marker)
    log(f"  {articles} articles x {claims} claims: rebuild after editing {edited} ...")
    edit = build(publication, logs / "edit.log")
    docs = publication / "generated"
    expected = sorted(p for p in snapshot(docs) if not p.endswith(".png")
                      and marker in (docs / p).read_text(encoding="utf-8", errors="replace"))
    slug, claim_id = ids[len(ids) // 3]
    reworded = Path("claims") / slug / f"{claim_id}.yaml"
    reword_claim(publication / reworded, marker)
    log(f"  {articles} articles x {claims} claims: rebuild after rewording the claim in {reworded} ...")
    reword = build(publication, logs / "reword.log")
    log(f"  {articles} articles x {claims} claims: mkdocs build ...")
    script = logs / "mkdocs_build.py"
    script.write_text(MKDOCS_BUILD, encoding="utf-8")
    site = publication / "site"
    mkdocs = run([sys.executable, str(script), str(ROOT / "mkdocs.yml"), str(docs), str(site)], logs / "mkdocs.log")
    # The listing pages grow until they hold a page of claims, then paginate: counted apart from the others.
    from factcheck import listings
    listed = [p for kind in listings.KINDS for p in (site / kind).rglob("*.html")]
    html = sorted(set(site.rglob("*.html")) - set(listed))
    size = Size(articles, claims, cold, noop, edit, mkdocs, edited.as_posix(), expected, len(snapshot(docs)),
                folder_bytes(site), folder_bytes(site, skip="assets"), len(html), sum(p.stat().st_size for p in html),
                cached, reword, reworded.as_posix(), listing_pages=len(listed),
                listing_bytes=sum(p.stat().st_size for p in listed),
                listing_rows=max((p.read_text(encoding="utf-8").count('class="fc-listing__meta"') for p in listed),
                                 default=0))
    if edits:
        engines_and_preview(size, publication, ids, logs, edits, seed, log)
    return size


def engines_and_preview(size: Size, publication: Path, ids: list, logs: Path, edits: int, seed: int, log) -> None:
    """make site, Zensical, and the edit-to-preview time of `make serve`, on the publication as measure() left it."""
    label = f"{size.articles} articles x {size.claims_per_article} claims"
    docs = publication / "generated"
    log(f"  {label}: build.py --site (make site) ...")
    size.site = run([sys.executable, str(ROOT / "build.py"), "--root", str(publication), "--out", str(docs), "--site",
                     "--site-dir", str(publication / "site-make")], logs / "site.log")
    script = logs / "zensical_build.py"
    script.write_text(ZENSICAL_BUILD, encoding="utf-8")
    for name, mode in (("zensical_cold", "clean"), ("zensical_noop", "cached")):
        log(f"  {label}: zensical build ({mode}) ...")
        target = publication / f"site-{name}"
        setattr(size, name, run([sys.executable, str(script), str(ROOT / "mkdocs.yml"), str(docs),
                                 str(target), mode], logs / f"{name}.log"))
        shutil.rmtree(target, ignore_errors=True)
    log(f"  {label}: mkdocs serve, then {edits} edit(s) polled over HTTP ...")
    import preview_server  # tests/, beside this file

    env = {"SOURCE_DATE_EPOCH": EPOCH}
    with preview_server.serving(publication, logs / "serve.log", env=env) as server:
        for number in range(edits):
            slug, claim_id = ids[(len(ids) * (number + 1)) // (edits + 2)]
            marker = f"preview edit {seed}-{number}-{time.time_ns()}"
            start = time.perf_counter()
            edit_claim(publication / "claims" / slug / f"{claim_id}.yaml", marker)
            server.wait_for(f"{slug}/{claim_id}/", marker)
            size.preview_edits.append(time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------------------------
# Checking and reporting.

@dataclass
class Check:
    target: str
    ok: bool
    detail: str


def edit_check(size: Size) -> Check:
    """The edit rewrote exactly the files that show the edited text: its claim page, its article page, and any
    index or export that carries it; nothing else, and nothing that shows it was left stale."""
    slug = size.edited.split("/")[1]
    claim_id = Path(size.edited).stem
    must = {f"{slug}/index.md", f"{slug}/{claim_id}/index.md"}
    written, expected = set(size.edit.written), set(size.edit_expected)
    ok = written == expected and must <= written and not size.edit.removed
    extra, stale = sorted(written - expected), sorted(expected - written)
    detail = f"{len(written)} written: {', '.join(sorted(written))}"
    if extra:
        detail += f"; written but not showing the edit: {', '.join(extra[:5])}"
    if stale:
        detail += f"; showing the edit but not written: {', '.join(stale[:5])}"
    return Check("editing one claim rewrites only the pages that show it", ok, detail)


def count_checks(sizes: list[Size]) -> list[Check]:
    """File-count targets (deterministic: the in-suite test asserts these)."""
    checks = []
    for size in sizes:
        label = f"{size.articles}x{size.claims_per_article}"
        checks.append(Check(f"[{label}] cold build writes every file", len(size.cold.written) == size.generated_files
                            and size.generated_files >= 3 + size.articles + size.claims,
                            f"{len(size.cold.written)} written of {size.generated_files}"))
        checks.append(Check(f"[{label}] the synthetic publication builds without a warning (no printing timed)",
                            not size.cold.warnings, f"{size.cold.warnings:,} warnings"))
        checks.append(Check(f"[{label}] rebuild with nothing changed writes 0 files",
                            not size.noop.written and not size.noop.removed,
                            f"{len(size.noop.written)} written, {len(size.noop.removed)} removed"))
        check = edit_check(size)
        checks.append(Check(f"[{label}] {check.target}", check.ok, check.detail))
        checks.append(Check(f"[{label}] listing pages hold at most {listings_page_size()} claims",
                            0 < size.listing_rows <= listings_page_size(),
                            f"{size.listing_pages:,} pages, at most {size.listing_rows} claims on one"))
        if size.reword:
            checks.append(reword_check(size, label))
    return checks


def listings_page_size() -> int:
    from factcheck import listings
    return listings.PAGE_SIZE


def reword_check(size: Size, label: str) -> Check:
    """Rewording a claim redraws its share image and no other (its article's shows counts, which did not change)."""
    slug, claim_id = size.reworded.split("/")[1], Path(size.reworded).stem
    images = sorted(p for p in size.reword.written if p.endswith(".png"))
    ok = size.reword.drawn == 1 and images == [f"{slug}/{claim_id}/share.png"]
    return Check(f"[{label}] rewording one claim redraws one share image", ok,
                 f"{size.reword.drawn} drawn; images written: {', '.join(images) or 'none'}")


def linearity_checks(small: Size, large: Size) -> list[Check]:
    """Growth targets (deterministic enough to assert: bytes exactly, memory within a few MB)."""
    factor = large.claims / small.claims
    limit = LINEAR_LIMIT * factor / 4
    checks = []
    for name, a, b in (("site/ bytes", small.site_bytes, large.site_bytes),
                       ("site/ bytes without assets/", small.pages_bytes, large.pages_bytes),
                       ("build.py peak memory (cold)", small.cold.peak_mb, large.cold.peak_mb),
                       ("mkdocs peak memory", small.mkdocs.peak_mb, large.mkdocs.peak_mb)):
        checks.append(Check(f"{name} at {factor:g}x grows at most {limit:.2f}x", b / a <= limit,
                            f"{b / a:.2f}x"))
    # The same trap, seen where it starts (even at a small N): a list of every article on every page makes the
    # average HTML page grow with the publication. The listing pages are left out: they grow until they hold
    # listings.PAGE_SIZE claims, then paginate (count_checks holds them to it); shown beside it all the same.
    a, b = small.html_bytes / small.html_pages, large.html_bytes / large.html_pages
    every = [(s.html_bytes + s.listing_bytes) / (s.html_pages + s.listing_pages) for s in (small, large)]
    checks.append(Check(f"average HTML page at {factor:g}x grows at most {PAGE_LIMIT:.2f}x", b / a <= PAGE_LIMIT,
                        f"{a:,.0f} -> {b:,.0f} bytes, {b / a:.2f}x (listing pages included: {every[0]:,.0f} -> "
                        f"{every[1]:,.0f} bytes, {every[1] / every[0]:.2f}x)"))
    return checks


def time_checks(sizes: list[Size]) -> list[Check]:
    """Wall-clock targets: reported, never asserted in the test suite (shared machines are noisy)."""
    checks = []
    for size in sizes:
        label = f"{size.articles}x{size.claims_per_article}"
        # The pipeline's own targets are measured without drawing (images cached); drawing has its own target.
        base = size.cached or size.cold
        cold = base.seconds / size.mkdocs.seconds
        noop = size.noop.seconds / base.seconds
        checks.append(Check(f"[{label}] build.py cold <= {COLD_VS_MKDOCS:.0%} of mkdocs (caches warm)",
                            cold <= COLD_VS_MKDOCS, f"{cold:.1%} (CPU time: {base.cpu / size.mkdocs.cpu:.1%})"))
        memory = base.peak_mb / size.mkdocs.peak_mb
        checks.append(Check(f"[{label}] build.py cold peak memory <= {MEMORY_VS_MKDOCS:.0%} of mkdocs (caches warm)",
                            memory <= MEMORY_VS_MKDOCS,
                            f"{base.peak_mb:.0f} MB of {size.mkdocs.peak_mb:.0f} MB: {memory:.0%} (drawing cold: "
                            f"{size.cold.peak_mb:.0f} MB)"))
        checks.append(Check(f"[{label}] rebuild with nothing changed <= {NOOP_VS_COLD:.0%} of cold",
                            noop <= NOOP_VS_COLD, f"{noop:.1%} (CPU time: {size.noop.cpu / base.cpu:.1%})"))
        if size.cached:
            images = (size.cold.seconds - size.cached.seconds) / size.mkdocs.seconds
            checks.append(Check(f"[{label}] drawing {size.cold.drawn:,} share images cold <= "
                                f"{IMAGES_VS_MKDOCS:.0%} of mkdocs", images <= IMAGES_VS_MKDOCS,
                                f"{size.cold.seconds - size.cached.seconds:.2f} s, {images:.1%} (ratio {images:.2f}; "
                                f"CPU time: {(size.cold.cpu - size.cached.cpu) / size.mkdocs.cpu:.1%}, "
                                f"{os.cpu_count()} cores)"))
        if size.preview is not None and size.site:
            ratio = size.preview / size.site.seconds
            checks.append(Check(f"[{label}] edit to preview <= {PREVIEW_VS_SITE:.0%} of make site", ratio <= PREVIEW_VS_SITE,
                                f"{size.preview:.2f} s of {size.site.seconds:.2f} s: {ratio:.1%}"))
            checks.append(Check(f"[{label}] edit to preview within {PREVIEW_SECONDS:g} s", size.preview <= PREVIEW_SECONDS,
                                f"median {size.preview:.2f} s ({', '.join(f'{t:.2f}' for t in size.preview_edits)})"))
    return checks


def engines_table(sizes: list[Size]) -> str:
    """make site, MkDocs and Zensical on the same docs folder, and the preview."""
    header = ("| articles × claims | claims | build.py cold (caches warm) | make site (build.py --site) | mkdocs build "
              "| zensical cold | zensical unchanged | edit to preview (median) | edit to preview / make site "
              "| peak MB build.py / make site / mkdocs / zensical |")
    rows = [header, "|---|" + "---:|" * (header.count("|") - 2)]
    for s in sizes:
        if s.site is None:
            continue
        base = s.cached or s.cold
        rows.append(f"| {s.articles} × {s.claims_per_article} | {s.claims:,} | {base.seconds:.2f} s "
                    f"| {s.site.seconds:.2f} s | {s.mkdocs.seconds:.2f} s | {s.zensical_cold.seconds:.2f} s "
                    f"| {s.zensical_noop.seconds:.2f} s | {s.preview:.2f} s | {s.preview / s.site.seconds:.1%} "
                    f"| {base.peak_mb:.0f} / {s.site.peak_mb:.0f} / {s.mkdocs.peak_mb:.0f} "
                    f"/ {s.zensical_cold.peak_mb:.0f} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def table(sizes: list[Size]) -> str:
    header = ("| articles × claims | claims | build cold | images cached | no change | edit one claim | reword one claim "
              "| mkdocs build | files written (cold / no change / edit / reword) | images drawn (cold / reword) "
              "| site/ bytes | site/ without assets/ | peak MB build.py (cold / caches warm) | peak MB mkdocs |")
    rows = [header, "|---|" + "---:|" * (header.count("|") - 2)]
    for s in sizes:
        rows.append(
            f"| {s.articles} × {s.claims_per_article} | {s.claims:,} | {s.cold.seconds:.2f} s "
            f"| {s.cached.seconds if s.cached else 0:.2f} s | {s.noop.seconds:.2f} s "
            f"| {s.edit.seconds:.2f} s | {s.reword.seconds if s.reword else 0:.2f} s | {s.mkdocs.seconds:.2f} s "
            f"| {len(s.cold.written):,} / {len(s.noop.written)} / {len(s.edit.written)} "
            f"/ {len(s.reword.written) if s.reword else 0} | {s.cold.drawn:,} / {s.reword.drawn if s.reword else 0} "
            f"| {s.site_bytes:,} | {s.pages_bytes:,} | {s.cold.peak_mb:.0f} / {(s.cached or s.cold).peak_mb:.0f} "
            f"| {s.mkdocs.peak_mb:.0f} |")
    return "\n".join(rows)


def report(sizes: list[Size]) -> tuple[str, bool]:
    checks = count_checks(sizes) + time_checks(sizes)
    if len(sizes) > 1:
        checks += linearity_checks(sizes[0], sizes[-1])
    lines = [table(sizes), ""]
    if engines := engines_table(sizes):
        lines += [engines, ""]
    lines += ["| target | measured | met |", "|---|---|:---:|"]
    for check in checks:
        lines.append(f"| {check.target} | {check.detail} | {'yes' if check.ok else '**no**'} |")
    return "\n".join(lines), all(c.ok for c in checks)


def benchmark(articles: list[int], claims: int, work: Path, seed: int = 1, log=print, edits: int = 0) -> list[Size]:
    """Every measurement at each size (a number of articles); with `edits`, also make site, Zensical and that many
    edits previewed."""
    return [measure(work, count, claims, seed, log, edits) for count in articles]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="articles in each publication measured, comma-separated (default: %(default)s)")
    parser.add_argument("--huge", action="store_true", help=f"also {HUGE:,} articles (at 20 claims: 25,000 claims)")
    parser.add_argument("--claims", type=int, default=20, help="claims per article")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="generate and build here (kept) instead of a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON to this file")
    parser.add_argument("--edits", type=int, default=3,
                        help="edits timed through the preview server (0: skip make site, Zensical and the preview)")
    args = parser.parse_args(argv)
    try:
        articles = sorted({int(n) for n in args.sizes.split(",")} | ({HUGE} if args.huge else set()))
    except ValueError:
        parser.error("--sizes: whole numbers separated by commas")
    if min(articles) < 1 or args.claims < 1:
        parser.error("--sizes and --claims must be at least 1")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # The build's own code compiled first, as `make` compiles it when it installs the package (and pip any package
    # it installs, MkDocs included): on a machine that writes no bytecode (PYTHONDONTWRITEBYTECODE), each build.py
    # run would otherwise compile the package again (about 0.07 s), which no MkDocs run does.
    compileall.compile_dir(ROOT / "factcheck", quiet=1, force=True)
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        log(f"benchmark in {work} (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
            f"{' '.join(f'{n:.2f}' for n in os.getloadavg())})")
        sizes = benchmark(articles, args.claims, work, args.seed, log, args.edits)
        log(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    text, ok = report(sizes)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in sizes], indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
