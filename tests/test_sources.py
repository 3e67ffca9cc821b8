"""`build.py sources`: link classification, the report, the cache, archiving into the YAML, and what the site shows.

Everything runs against one local HTTP server (pytest-httpserver, threaded) that plays both the cited sites and the
Wayback Machine's availability and Save Page Now endpoints. Timeouts and backoff are set small so the suite is fast.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import copy_project
from factcheck import links
from factcheck.yamledit import Edit, EditError, edit_file, edit_yaml

# The local server is on 127.0.0.1, an address the checker never requests unless told (--allow-loopback).
FAST = ["--connect-timeout", "1", "--read-timeout", "0.5", "--backoff", "0.05", "--retries", "2", "--allow-loopback"]
SETTINGS = links.Settings(connect_timeout=1, read_timeout=0.5, backoff=0.05, retries=2, max_redirects=5,
                          allow_loopback=True)
SNAPSHOT = "20250102030405"
SAVED = "20260101000000"
ADDED = re.compile(r"^ +(archived_url: \S+|archived: \d{4}-\d{2}-\d{2}|found_dead: \d{4}-\d{2}-\d{2})\r?\n$")


class Behaviour:
    """What the fake sites and the fake Wayback Machine answer, by the path's last-but-one segment."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: dict[str, list[tuple[str, float]]] = {}  # path -> [(method, time)]
        self.release = threading.Event()  # lets blocked answers go at teardown
        self.user_agents: set[str] = set()
        self.queries: list[str] = []

    def __call__(self, request: Request) -> Response:
        path = request.path
        with self.lock:
            earlier = len(self.seen.setdefault(path, []))
            self.seen[path].append((request.method, time.monotonic()))
            self.user_agents.add(request.headers.get("User-Agent", ""))
            self.queries.append(request.full_path)
        if path.startswith("/wayback/"):
            return self.wayback(request, path)
        kind = path.rstrip("/").split("/")[-2] if path.count("/") >= 3 else ""
        if kind in ("ok", "fast"):
            return Response("ok")
        if kind == "chain":  # 301, then 302, then 200
            step = int(path.split("/")[-1])
            return Response(status=301 if step == 0 else 302, headers={"Location": f"{step + 1}"}) if step < 2 \
                else Response("end of chain")
        if kind in ("gone404", "gone410"):
            return Response("gone", status=int(kind[-3:]))
        if kind == "busy":
            return Response(status=429, headers={"Retry-After": "1"}) if earlier == 0 else Response("ok")
        if kind == "flaky":
            return Response(status=503) if earlier == 0 else Response("ok")
        if kind == "slow":
            self.release.wait(1.5)
            return Response("too late")
        if kind == "loop":
            return Response(status=302, headers={"Location": "../loop2/x" if path.endswith("/x") else "x"})
        if kind == "loop2":
            return Response(status=302, headers={"Location": "../loop/x"})
        if kind == "endless":  # a new address every time: too many redirects
            return Response(status=302, headers={"Location": str(int(path.split("/")[-1]) + 1)})
        if kind == "nohead":
            return Response(status=405) if request.method == "HEAD" else Response("ok")
        if kind == "unavailable":  # asks to come back in a second, for ever
            return Response(status=503, headers={"Retry-After": "1"})
        if kind == "crawl":  # each hop answers slowly, then sends the client one hop further
            time.sleep(0.3)
            return Response(status=302, headers={"Location": str(int(path.split("/")[-1]) + 1)})
        if kind == "hang":
            self.release.wait(60)
            return Response("too late")
        return Response("no such test page", status=404)

    def wayback(self, request: Request, path: str) -> Response:
        mode = path.split("/")[2]
        if "/save/" in path:
            url = request.full_path.split("/save/", 1)[1].rstrip("?")
            return Response("saved", headers={"Content-Location": f"/web/{SAVED}/{url}"})
        url = request.args.get("url", "")
        if mode == "malformed":
            return Response("{not json", content_type="application/json")
        if mode == "huge":  # an endless answer
            return Response((b"x" * 65536 for _ in range(100_000)), content_type="application/json")
        if mode == "bomb":  # a small compressed answer that expands to 300 MB
            return Response(gzip_bomb(), headers={"Content-Encoding": "gzip"}, content_type="application/json")
        if mode == "hostile" and "/ok/" in url:  # snapshots the build would refuse, by the source's name
            tag = url.rstrip("/").split("/")[-1]
            copy = {"long": f"http://web.archive.org/web/{SNAPSHOT}/{url}?" + "x" * 2100,
                    "userinfo": f"https://editor@web.archive.org/web/{SNAPSHOT}/{url}",
                    "backslash": f"https://web.archive.org/web/{SNAPSHOT}/{url}\\x"}.get(
                tag, f"http://web.archive.org/web/{SNAPSHOT}/{url}")
            closest = {"available": True, "status": "200", "url": copy,
                       "timestamp": "29990101000000" if tag == "future" else SNAPSHOT}
            return Response(json.dumps({"url": url, "archived_snapshots": {"closest": closest}}),
                            content_type="application/json")
        if mode == "slow" and "/fast/" not in url:
            self.release.wait(60)
        if "/ok/" in url or "/fast/" in url:
            closest = {"available": True, "status": "200", "timestamp": SNAPSHOT,
                       "url": f"http://web.archive.org/web/{SNAPSHOT}/{url}"}
            return Response(json.dumps({"url": url, "archived_snapshots": {"closest": closest}}),
                            content_type="application/json")
        return Response(json.dumps({"url": url, "archived_snapshots": {}}), content_type="application/json")


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(300)) + packer.flush()


@pytest.fixture(scope="module")
def server():
    gzip_bomb()  # made before any request, so no answer waits for it
    server = HTTPServer("127.0.0.1", 0, threaded=True)
    behaviour = Behaviour()
    server.expect_request(re.compile("^/")).respond_with_handler(behaviour)
    server.start()
    server.behaviour = behaviour
    yield server
    behaviour.release.set()
    server.clear()
    server.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_own_thread(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def special_urls(base: str, tag: str) -> dict[str, str]:
    return {
        "ok": f"{base}/{tag}/ok/special", "chain": f"{base}/{tag}/chain/0", "404": f"{base}/{tag}/gone404/0",
        "410": f"{base}/{tag}/gone410/0", "busy": f"{base}/{tag}/busy/0", "flaky": f"{base}/{tag}/flaky/0",
        "slow": f"{base}/{tag}/slow/0", "loop": f"{base}/{tag}/loop/x", "nohead": f"{base}/{tag}/nohead/0",
        "refused": f"http://127.0.0.1:{closed_port()}/nothing",
    }


def test_each_kind_of_answer_is_classified(server):
    base = server.url_for("").rstrip("/")
    urls = special_urls(base, "classify") | {"endless": f"{base}/classify/endless/0"}
    results = in_own_thread(links.check_all(urls.values(), SETTINGS))
    got = {name: results[url] for name, url in urls.items()}
    expect = {"ok": ("ok", 200), "chain": ("redirected", 200), "404": ("dead", 404), "410": ("dead", 410),
              "busy": ("ok", 200), "flaky": ("ok", 200), "slow": ("unreachable", None),
              "loop": ("unreachable", 302), "nohead": ("ok", 200), "refused": ("unreachable", None),
              "endless": ("unreachable", 302)}
    assert {n: (r.status, r.http_status) for n, r in got.items()} == expect
    assert got["chain"].final_url == f"{base}/classify/chain/2"
    assert got["loop"].detail == "redirect loop"
    assert "more than 5 redirects" in got["endless"].detail
    assert "timed out" in got["slow"].detail
    # Retry-After: 1 was honoured (the backoff alone would have retried after 0.05 s)
    busy = server.behaviour.seen["/classify/busy/0"]
    assert busy[1][1] - busy[0][1] >= 0.9
    assert [m for m, _ in server.behaviour.seen["/classify/nohead/0"]] == ["HEAD", "GET"]
    assert len(server.behaviour.seen["/classify/flaky/0"]) == 2


# --------------------------------------------------------------------------------------------- the command, end to end

SOURCE_URL = re.compile(r"^(\s*- |\s+)url: (https?://\S+)$", re.M)
TITLE_FROM_ADDRESS = re.compile(r"^[ \t]+title_from: address\n", re.M)


def local_project(tmp_path: Path, server, tag: str, specials: dict[str, str] | None = None,
                  fast_file: str | None = None) -> Path:
    """The real publication, with every source pointing at the local server: first the special answers, then
    plain 200s (under /fast/ for `fast_file`, which the slow Wayback answers at once)."""
    project = copy_project(tmp_path / tag)
    base = server.url_for("").rstrip("/")
    pending = list((specials or {}).values())
    counter = iter(range(10_000))
    # Claims first: the special answers go to sources (an article's `appearances` have URLs too, never checked).
    for path in sorted((project / "claims").rglob("*.yaml")) + sorted((project / "content").glob("*.md")):
        kind = "fast" if path.name == fast_file else "ok"
        text = SOURCE_URL.sub(lambda m: f"{m.group(1)}url: "
                              + (pending.pop(0) if pending else f"{base}/{tag}/{kind}/{next(counter)}"),
                              path.read_text(encoding="utf-8"))
        text = TITLE_FROM_ADDRESS.sub("", text)  # the local addresses no longer carry those headlines
        path.write_text(text, encoding="utf-8")
    # One local server stands in for every publisher, so the two-publisher rule cannot hold: ask for one.
    scale = project / "claims" / "ratings.yaml"
    scale.write_text(scale.read_text(encoding="utf-8").replace("publishers: 2", "publishers: 1"), encoding="utf-8")
    return project


def run_sources(project: Path, *args: str, mode: str = "normal", server=None, check=True):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if server is not None:
        base = server.url_for("").rstrip("/")
        env |= {"FACTCHECK_WAYBACK_AVAILABLE": f"{base}/wayback/{mode}/available",
                "FACTCHECK_WAYBACK_SAVE": f"{base}/wayback/{mode}/save/"}
    result = subprocess.run([sys.executable, "build.py", "sources", *FAST, *args], cwd=project,
                            capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def snapshot_files(project: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((project / "content").glob("*.md"))
            + sorted((project / "claims").rglob("*.yaml"))}


def only_added_lines(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; fails when anything else differs (a line changed, moved or removed)."""
    old, new = before.decode().splitlines(True), after.decode().splitlines(True)
    added, position = [], 0
    for line in new:
        if position < len(old) and line == old[position]:
            position += 1
        else:
            added.append(line)
    assert position == len(old), f"line {position + 1} changed or removed: {old[position]!r}"
    return added


def validate(project: Path, server) -> subprocess.CompletedProcess:
    base = server.url_for("").rstrip("/")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "FACTCHECK_WAYBACK_SAVE": f"{base}/wayback/normal/save/"}
    return subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True, env=env)


def test_check_archive_report_and_site(server, tmp_path):
    specials = special_urls(server.url_for("").rstrip("/"), "e2e")
    project = local_project(tmp_path, server, "e2e", specials)
    before = snapshot_files(project)
    result = run_sources(project, "--archive", "--report", "report.json", "--summary", "summary.md", server=server)
    report = json.loads((project / "report.json").read_text())
    assert all(set(r) == {"file", "line", "url", "status", "http_status", "final_url", "archived_url"} for r in report)
    by_url = {r["url"]: r for r in report}
    expect = {"ok": "ok", "chain": "redirected", "404": "dead", "410": "dead", "busy": "ok", "flaky": "ok",
              "slow": "unreachable", "loop": "unreachable", "nohead": "ok", "refused": "unreachable"}
    assert {name: by_url[url]["status"] for name, url in specials.items()} == expect
    assert by_url[specials["chain"]]["final_url"].endswith("/e2e/chain/2")
    assert by_url[specials["404"]]["http_status"] == 404 and by_url[specials["refused"]]["http_status"] is None
    # the line is where the url is, in the file as it is now
    for entry in report:
        assert f"url: {entry['url']}" in (project / entry["file"]).read_text().splitlines()[entry["line"] - 1]
    # archived: found by the availability API, made by Save Page Now, or (dead links) none at all
    assert by_url[specials["ok"]]["archived_url"] == f"https://web.archive.org/web/{SNAPSHOT}/{specials['ok']}"
    base = server.url_for("").rstrip("/")
    assert by_url[specials["nohead"]]["archived_url"] == f"{base}/web/{SAVED}/{specials['nohead']}"
    assert by_url[specials["404"]]["archived_url"] is None
    # the availability API was asked for the copy closest to the day the source was read
    asked = [q for q in server.behaviour.queries if q.startswith("/wayback/normal/available") and "e2e" in q]
    read_on = {d.replace("-", "") for path in before for d in re.findall(r"accessed: '?(\d{4}-\d\d-\d\d)", path.read_text())}
    assert asked and all(q.rpartition("timestamp=")[2] in read_on for q in asked)
    assert "| dead |" in (project / "summary.md").read_text()
    assert "1 redirected" in result.stdout and "2 dead" in result.stdout

    changed = 0
    for path, old in before.items():
        new = path.read_bytes()
        changed += new != old
        for line in only_added_lines(old, new):
            assert ADDED.match(line), (path, line)
    assert changed >= 10
    dead_file = project / by_url[specials["404"]]["file"]
    assert "found_dead:" in dead_file.read_text()
    assert validate(project, server).returncode == 0, validate(project, server).stderr

    # the site: a dead source says so, with the date, and points to its archived copy
    generated = (project / "generated")
    pages = "".join(p.read_text() for p in generated.rglob("index.md"))
    assert "Dead link:" in pages and "no longer answered when we checked it on" in pages
    assert re.search(r'archived copy of <time datetime="2025-01-02">2 January 2025</time>', pages)

    # a second run: everything is remembered, nothing is archived again, and no file changes
    after = snapshot_files(project)
    again = run_sources(project, "--archive", server=server)
    assert re.search(r"checking 0 of \d+ source URLs", again.stderr)
    assert snapshot_files(project) == after
    assert any("The Annotated Check" in agent for agent in server.behaviour.user_agents)


def test_cache_age_all_and_strict(server, tmp_path, monkeypatch):
    dead = server.url_for("/cache/gone404/0?page=%2C")
    project = local_project(tmp_path, server, "cache", {"dead": dead})
    first = run_sources(project)
    total = int(re.search(r"checking (\d+) of", first.stderr).group(1))
    # Reported like every problem: file:line, and an escaped annotation under Actions ('%' written %25).
    where = re.search(r"^warning: (claims/\S+\.yaml:\d+): dead source: (\S+) \(client error 404\)$", first.stderr, re.M)
    assert where and where.group(2) == dead, first.stderr
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    annotated = run_sources(project, "--strict", check=False).stderr.splitlines()
    monkeypatch.delenv("GITHUB_ACTIONS")
    file, line = where.group(1).rsplit(":", 1)
    assert f"{where.group(1)}: dead source: {dead} (client error 404)" in annotated  # an error with --strict
    assert (f"::error file={file},line={line}::dead source: {dead.replace('%', '%25')} (client error 404)"
            in annotated)
    assert re.search(rf"checking 0 of {total} ", run_sources(project).stderr)
    assert re.search(rf"checking {total} of {total} ", run_sources(project, "--all").stderr)
    # an answer older than --max-age is checked again
    cache = project / ".cache" / "sources.json"
    data = json.loads(cache.read_text())
    url = next(iter(data["results"]))
    data["results"][url]["checked"] = "2000-01-01T00:00:00+00:00"
    cache.write_text(json.dumps(data))
    assert re.search(rf"checking 1 of {total} ", run_sources(project).stderr)
    # a dead link fails only with --strict; nothing is written without --archive
    before = snapshot_files(project)
    assert run_sources(project, "--strict", check=False).returncode == 1
    assert snapshot_files(project) == before


def test_malformed_archive_answer_changes_no_file(server, tmp_path):
    project = local_project(tmp_path, server, "malformed")
    before = snapshot_files(project)
    result = run_sources(project, "--archive", "--report", "r.json", mode="malformed", server=server)
    assert snapshot_files(project) == before
    assert all(r["archived_url"] is None for r in json.loads((project / "r.json").read_text()))
    assert "malformed answer" in result.stdout


def test_a_killed_archive_run_leaves_every_file_valid(server, tmp_path):
    project = local_project(tmp_path, server, "killed", fast_file="ambassador-name.yaml")
    before = snapshot_files(project)
    fast = project / "claims" / "turkey-s400-f35" / "ambassador-name.yaml"
    base = server.url_for("").rstrip("/")
    env = {**os.environ, "FACTCHECK_WAYBACK_AVAILABLE": f"{base}/wayback/slow/available",
           "FACTCHECK_WAYBACK_SAVE": f"{base}/wayback/slow/save/"}
    process = subprocess.Popen([sys.executable, "build.py", "sources", "--archive", *FAST], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while fast.read_bytes() == before[fast] and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, "the run should still be waiting for the slow archive"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    after = snapshot_files(project)
    assert after[fast] != before[fast]
    for line in only_added_lines(before[fast], after[fast]):
        assert ADDED.match(line)
    assert {p for p in after if after[p] != before[p]} == {fast}
    assert validate(project, server).returncode == 0


def test_changed_since_checks_only_added_sources(server, tmp_path):
    project = local_project(tmp_path, server, "branch")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git[:1] + ["init", "-q"], cwd=project, check=True)
    subprocess.run(git + ["add", "-A"], cwd=project, check=True)
    subprocess.run(git + ["commit", "-qm", "base"], cwd=project, check=True)
    claim = project / "claims" / "turkey-s400-f35" / "ambassador-name.yaml"
    new_url = server.url_for("/branch/gone410/new")
    claim.write_text(claim.read_text().replace("sources:\n", f"sources:\n  - url: {new_url}\n", 1))
    result = run_sources(project, "--changed-since", "HEAD", "--report", "r.json")
    report = json.loads((project / "r.json").read_text())
    assert [(r["url"], r["status"]) for r in report] == [(new_url, "dead")]
    assert "checking 1 of 1 " in result.stderr


def test_unparsable_claim_is_reported_with_its_line(tmp_path):
    project = copy_project(tmp_path / "bad")
    claim = project / "claims" / "turkey-s400-f35" / "ambassador-name.yaml"
    claim.write_text(claim.read_text() + "sources: [unclosed\n")
    result = subprocess.run([sys.executable, "build.py", "sources"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"^claims/turkey-s400-f35/ambassador-name\.yaml:\d+(:\d+)?: ", result.stderr, re.M)


def test_archived_url_must_be_on_a_web_archive(tmp_path):
    project = copy_project(tmp_path / "archive-host")
    claim = project / "claims" / "turkey-s400-f35" / "ambassador-name.yaml"
    text = claim.read_text()
    claim.write_text(SOURCE_URL.sub(lambda m: m.group(0) + "\n" + " " * len(m.group(1))
                                    + "archived_url: https://copies.example.org/x", text, count=1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTCHECK_WAYBACK")}
    result = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert re.search(r"ambassador-name\.yaml:\d+:\d+: archived_url 'https://copies\.example\.org/x' is not on a "
                     r"known web archive", result.stderr)
    env["FACTCHECK_WAYBACK_SAVE"] = "https://copies.example.org/save/"  # a configured archive is trusted
    assert subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, env=env).returncode == 0


# ------------------------------------------------------------------------------------------ editing YAML in place

HANDWRITTEN = """\
# yaml-language-server: $schema=../../schemas/claim.schema.json
quote: "A “quoted” passage"   # a comment
claim: >-
  Folded
  text.
verdict: 'false'
sources:
  # the main source
  - url: 'https://example.org/a?x=1&y=2'  # trailing comment
    title: "Title: with colon"
    excerpt: |
      Literal
      text.

  - found_dead: 2025-01-01
    title: Second
    url: https://example.org/b
  - title: Third
    url: https://example.org/c
    found_dead: 2025-01-01   # we said so
  - {url: https://example.org/d, title: Flow}
checked: 2026-01-01
"""

# The same text, with exactly these lines added and removed (and one flow mapping extended in place).
EXPECTED = HANDWRITTEN.replace(
    "  # trailing comment\n",
    "  # trailing comment\n"
    "    archived_url: https://web.archive.org/web/20250102030405/https://example.org/a?x=1&y=2\n"
    "    archived: 2025-01-02\n").replace(
    "      text.\n\n", "      text.\n    found_dead: 2026-01-01\n\n").replace(
    "  - found_dead: 2025-01-01\n    title: Second", "  - title: Second").replace(
    "    found_dead: 2025-01-01   # we said so\n", "").replace(
    "{url: https://example.org/d, title: Flow}",
    '{url: https://example.org/d, archived_url: "https://web.archive.org/web/2025/https://example.org/d,x", title: Flow}')
assert EXPECTED.count("\n") == HANDWRITTEN.count("\n") + 3 - 1 - 1  # every replacement applied

EDITS = [
    Edit(("sources", 0), after_url=(("archived_url", "https://web.archive.org/web/20250102030405/"
                                                      "https://example.org/a?x=1&y=2"), ("archived", "2025-01-02")),
         at_end=(("found_dead", "2026-01-01"),)),
    Edit(("sources", 1), remove=("found_dead",)),
    Edit(("sources", 2), remove=("found_dead",)),
    Edit(("sources", 3), after_url=(("archived_url", "https://web.archive.org/web/2025/https://example.org/d,x"),)),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_yaml_edits_change_only_their_lines(tmp_path, newline):
    path = tmp_path / "claim.yaml"
    path.write_bytes(HANDWRITTEN.replace("\n", newline).encode())
    assert edit_file(path, EDITS)
    assert path.read_bytes() == EXPECTED.replace("\n", newline).encode()
    assert not [p for p in tmp_path.iterdir() if p != path]  # no temporary file left behind


def test_yaml_edits_keep_a_file_in_the_editors_form(tmp_path):
    """A claim in the web editor's form (as the repository keeps them) gets the new keys in the schema's order and
    stays in the form: the lines added are the new keys' lines, nothing else moves."""
    from factcheck import fields, yamlform
    data = {"quote": "q", "claim": "c", "verdict": "false", "summary": "s", "sources": [
        {"url": "https://example.org/a", "title": "A", "excerpt": "Words.", "lang": "tr", "translation": "Words."},
        {"url": "https://example.org/b", "title": "B", "found_dead": "2025-01-01"}], "checked": "2026-01-01"}
    path = tmp_path / "claim.yaml"
    path.write_text(yamlform.dump(data))
    before = path.read_text().splitlines()
    assert edit_file(path, [Edit(("sources", 0), after_url=(("archived_url", "https://web.archive.org/web/2025/x"),
                                                             ("archived", "2025-01-02"))),
                            Edit(("sources", 1), remove=("found_dead",))])
    text = path.read_text()
    data["sources"][0].update(archived_url="https://web.archive.org/web/2025/x", archived="2025-01-02")
    del data["sources"][1]["found_dead"]
    assert text == yamlform.dump(yamlform.ordered(data, fields.of("claim")))
    after = text.splitlines()
    assert [line for line in after if line not in before] == [
        "    archived_url: https://web.archive.org/web/2025/x", "    archived: 2025-01-02"]  # after translation
    assert [line for line in before if line not in after] == ["    found_dead: 2025-01-01"]


def test_yaml_edit_that_would_break_the_file_is_refused(tmp_path):
    with pytest.raises(EditError):
        edit_yaml(Path("x.yaml"), "sources:\n- found_dead: 2025-01-01\n", [Edit(("sources", 0), remove=("found_dead",))])
    path = tmp_path / "front.md"
    text = "---\ntitle: T\nnext:\n- date: 2025-01-01\n  summary: S\n  sources: [{url: https://a.org/x}]\n---\nBody\n"
    path.write_text(text)
    edit_file(path, [Edit(("next", 0, "sources", 0), at_end=(("found_dead", "2026-01-01"),))])
    assert path.read_text() == text.replace("x}]", "x, found_dead: 2026-01-01}]")


def test_workflows_check_weekly_and_warn_on_pull_requests():
    import yaml
    from conftest import ROOT
    weekly = yaml.safe_load((ROOT / ".github" / "workflows" / "sources.yml").read_text(encoding="utf-8"))
    triggers = weekly[True]  # PyYAML reads the key `on` as a boolean
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert weekly["permissions"] == {"contents": "read"}
    steps = " ".join(s.get("run", "") for job in weekly["jobs"].values() for s in job["steps"])
    assert "build.py sources --archive" in steps and "gh pr create" in steps
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    step = next(s for s in ci["jobs"]["test"]["steps"] if "build.py sources" in s.get("run", ""))
    assert "--changed-since" in step["run"] and step["continue-on-error"] is True and "--strict" not in step["run"]


def test_a_committed_or_linked_answer_cache_is_refused(tmp_path):
    """.cache/sources.json decides which links are checked again: one from the repository is never trusted."""
    project = copy_project(tmp_path / "cache-from-git")
    cache = project / ".cache" / "sources.json"
    cache.parent.mkdir()
    cache.write_text('{"version": 1, "results": {}}', encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=project, check=True)
    subprocess.run(git + ["add", "-f", "-A"], cwd=project, check=True)
    subprocess.run(git + ["commit", "-qm", "base"], cwd=project, check=True)
    result = subprocess.run([sys.executable, "build.py", "sources"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert ".cache/sources.json: is committed to the repository" in result.stderr
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    subprocess.run(git + ["rm", "-q", "--cached", "-r", ".cache"], cwd=project, check=True)
    cache.unlink()
    cache.symlink_to(outside)
    result = subprocess.run([sys.executable, "build.py", "sources"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 2 and ".cache/sources.json: is a symbolic link" in result.stderr
    assert outside.read_text() == "{}"



# ------------------------------------------------------------------------------- the weekly job against hostile servers

@pytest.mark.parametrize("mode", ["huge", "bomb"])
def test_the_archive_client_reads_at_most_a_capped_answer(server, mode):
    """An endless answer, or 300 MB of zeros in 300 kB of gzip: the client stops at max_body bytes (counted after
    decompression), so its memory stays small (it held the whole answer: 14.3 GB, and 2.16 GB from 1 MB of gzip)."""
    import tracemalloc
    from factcheck import wayback
    endpoint = server.url_for(f"/wayback/{mode}/available")

    async def ask():
        async with links.Client(SETTINGS) as client:
            return await wayback.closest(client, endpoint, "https://example.org/a", None)

    tracemalloc.start()
    try:
        with pytest.raises(wayback.ArchiveError, match="larger than 1,000,000 bytes"):
            in_own_thread(ask())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, f"{peak:,} bytes held"


def test_each_url_has_a_time_budget_across_retries_and_redirects(server):
    """Retry-After for ever, or a slow chain of redirects: one URL ends when its budget is spent, not after
    retries x Retry-After x redirects."""
    base = server.url_for("").rstrip("/")
    settings = links.Settings(connect_timeout=1, read_timeout=2, backoff=0.05, retries=50, max_redirects=50,
                              url_budget=2.5, allow_loopback=True)
    urls = {"retry": f"{base}/budget/unavailable/0", "redirects": f"{base}/budget/crawl/0"}
    results = in_own_thread(links.check_all(urls.values(), settings))
    assert results[urls["retry"]].status == links.UNREACHABLE
    assert len(server.behaviour.seen["/budget/unavailable/0"]) <= 4  # 2.5 s of Retry-After: 1, not 51 requests
    crawled = [p for p in server.behaviour.seen if p.startswith("/budget/crawl/")]
    assert results[urls["redirects"]].status == links.UNREACHABLE and len(crawled) <= 10  # not 50 hops
    assert "2.5 s allowed for one URL" in results[urls["redirects"]].detail


def test_a_killed_run_resumes_where_it_stopped(server, tmp_path):
    """Answers are journaled as they come: after a kill, the next run checks only what had no answer yet."""
    project = local_project(tmp_path, server, "resume", {"hang": server.url_for("/resume/hang/0")})
    cache = project / ".cache" / "sources.json"
    from factcheck import sources
    total = len({c.url for c in sources.collect(project)[0]})
    options = [o if o != "0.5" else "30" for o in FAST]  # the hanging site holds the run
    process = subprocess.Popen([sys.executable, "build.py", "sources", *options], cwd=project,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = cache.with_name("sources.json.journal")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and (
                not journal.exists() or journal.read_text().count("\n") < total - 1):
            time.sleep(0.05)
        assert process.poll() is None, "the run should still be waiting for the hanging site"
        process.kill()
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    assert not cache.exists() and journal.read_text().count("\n") == total - 1
    again = run_sources(project)
    assert f"checking 1 of {total} " in again.stderr
    assert cache.exists() and not journal.exists()


def test_archive_never_writes_what_the_build_refuses(server, tmp_path):
    """Snapshots over the length limit, dated in the future, with user information or a backslash are not
    written; the other sources of the same file still get their archived copies, and the files stay valid."""
    base = server.url_for("").rstrip("/")
    bad = {tag: f"{base}/hostile/ok/{tag}" for tag in ("long", "future", "userinfo", "backslash")}
    project = local_project(tmp_path, server, "hostile", bad)
    result = run_sources(project, "--archive", "--report", "r.json", mode="hostile", server=server)
    report = json.loads((project / "r.json").read_text())
    by_url = {r["url"]: r for r in report}
    for tag, url in bad.items():
        assert by_url[url]["archived_url"] is None, tag
    assert result.stdout.count("the answer would not pass the build") == len(bad)
    first_file = by_url[bad["long"]]["file"]
    neighbours = [r for r in report if r["file"] == first_file and r["url"] not in bad.values()]
    assert neighbours and all(r["archived_url"] for r in neighbours)
    assert validate(project, server).returncode == 0, validate(project, server).stderr


def test_the_archivers_check_judges_its_fields_without_the_language_identifier():
    """--archive checks each value it would write as the build would (factcheck.validate.source_problems), but
    only what the archiver writes can change: the editorial rules (excerpt, language, title) are not run, so the
    link checker never loads the language model, whose first use blocked its event loop for a second and made
    lookups in flight time out."""
    code = ("import datetime, sys; from factcheck import validate; "
            "item = {'url': 'https://example.com/a', 'title': 'T', 'publisher': 'P', "
            "'excerpt': 'Bu cümle Türkçe yazılmıştır ve İngilizce değildir, dil etiketi yanlıştır.', "
            "'archived_url': 'https://web.archive.org/web/20250102030405/https://example.com/a', "
            "'archived': '2999-01-02'}; "
            "print(validate.source_problems(item, datetime.date(2026, 12, 3))); print('py3langid' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["['archived: 2999-01-02 is in the future (today is 2026-12-03)']", "False"]


def test_addresses_that_are_not_public_are_never_requested():
    """A cited URL, or a redirect, to loopback, private, link-local (cloud metadata), shared or unspecified
    addresses is refused before any request; the transport here is a stand-in, so nothing leaves the machine."""
    requested = []
    targets = ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://192.168.0.1/admin",
               "http://[fd00::1]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://127.0.0.1:9/", "http://[::1]/",
               "http://[::ffff:10.0.0.1]/"]

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        index = int(request.url.path.strip("/"))
        return httpx.Response(302, headers={"Location": targets[index]})

    public = [f"http://93.184.216.34/{n}" for n in range(len(targets))]  # a public address, answered locally
    results = in_own_thread(links.check_all(public + targets, links.Settings(),
                                            transport=httpx.MockTransport(answer)))
    assert sorted(requested) == sorted(public)
    for url in public + targets:
        assert results[url].status == links.UNREACHABLE, url
        assert "which is not a public address: not requested" in results[url].detail, url
