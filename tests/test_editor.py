"""The web editor end to end, in Chromium: Decap CMS from the built site's /admin/, decap-server (its git proxy, in git
mode, where the editorial workflow makes a branch per entry) on a temporary git repository of the project.

- Opening a claim, changing its summary and saving makes a branch cms/... whose only change is that file's summary
  lines, and the build (make check) passes on it with no warning: what the editor writes is the repository's form.
- A claim created through the form, with a claimant (an organization) and a topic, passes the build; the preview says
  at once when its quote is not in the article, and shows who said it and the topics' labels.
- An entry with a required field left empty, or a blank one, cannot be saved: nothing is written; nor can a claimant
  with an address and no name (our widget for a field that is a name or an object).
- The admin page loads nothing from another host (every other request is refused and recorded).
"""

from __future__ import annotations

import difflib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import ROOT, copy_project
from site_server import SiteServer

from factcheck import anchor, load

SLUG = "turkey-s400-f35"
COLLECTION = f"claims-{SLUG}"
CLAIM = f"claims/{SLUG}/ambassador-name.yaml"
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
WAIT = 60_000  # ms: the proxy commits through git, on a busy two-core machine


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Editor:
    repo: Path
    admin: str  # the admin page's address
    allowed: tuple[str, ...]  # the two origins the page may talk to: the site and the proxy
    refused: list[str] = field(default_factory=list)

    def branches(self) -> set[str]:
        return {b.strip("* ").strip() for b in git(self.repo, "branch", "--list", "cms/*").splitlines()}


@pytest.fixture(scope="module")
def editor(tmp_path_factory) -> Iterator[Editor]:
    work = tmp_path_factory.mktemp("editor")
    repo = copy_project(work / "repo")
    (repo / ".gitignore").write_text("/node_modules\n/generated\n/site\n.cache/\n__pycache__/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "The project as it is")
    port = free_port()
    proxy_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MODE": "git", "PORT": str(port), "BIND_HOST": "127.0.0.1", "GIT_REPO_DIRECTORY": str(repo),
           "LOG_LEVEL": "warn", "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    proxy = subprocess.Popen(["node", str(ROOT / "node_modules" / "decap-server" / "dist" / "index.js")], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The site as `make edit` builds it: its admin page talks to this proxy. Built outside the repository, which
        # the proxy commits whole.
        built = subprocess.run([sys.executable, "build.py", "--out", str(work / "generated"), "--site", "--site-dir",
                                str(work / "site")], cwd=repo, capture_output=True, text=True,
                               env={**os.environ, "CMS_LOCAL_BACKEND": f"{proxy_url}/api/v1"})
        assert built.returncode == 0, built.stderr
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proxy.poll() is None and time.monotonic() < deadline, "decap-server did not start"
                time.sleep(0.2)
        with SiteServer(work / "site") as server:
            origin = server.url.split("/", 3)
            yield Editor(repo, server.url + "admin/", (f"{origin[0]}//{origin[2]}/", f"{proxy_url}/"))
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


@contextmanager
def logged_in(browser: Browser, editor: Editor, tolerate: tuple[str, ...] = ()) -> Iterator[Page]:
    """A page logged in to the local backend. Any request to another host is refused and recorded; an uncaught
    error fails the test unless its text is in `tolerate`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith((*editor.allowed, "data:", "blob:")):
            request_route.continue_()
        else:
            editor.refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(editor.admin)
        page.get_by_role("button", name="Login").click()
        expect(page.get_by_text("Claims: Turkey seeks")).to_be_visible(timeout=WAIT)
        yield page
    finally:
        context.close()
    assert not [e for e in errors if e not in tolerate], errors
    assert not editor.refused, f"the editor asked another host: {editor.refused}"


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Entry saved")).to_be_visible(timeout=WAIT)


def build_on(editor: Editor, branch: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`make check` on a branch: the build run in a checkout of it."""
    checkout = tmp_path / "checkout"
    git(editor.repo, "worktree", "add", "-q", "--detach", str(checkout), branch)
    return subprocess.run([sys.executable, "build.py"], cwd=checkout, capture_output=True, text=True)


def top_level_entry(lines: list[str], key: str) -> range:
    """The lines of a top-level key's entry: its line and the indented or blank lines that continue it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return range(start, end)


def test_saving_a_new_summary_makes_a_branch_that_changes_only_those_lines(browser, editor, tmp_path):
    summary = ("The U.S. ambassador to Turkey is Tom Barrack, confirmed in late April 2025; Tom Brady is a retired "
               "American football quarterback, and no diplomat.")
    with logged_in(browser, editor) as page:
        page.goto(f"{editor.admin}#/collections/{COLLECTION}/entries/ambassador-name")
        field_ = page.get_by_label("Summary", exact=True)
        expect(field_).to_be_visible(timeout=WAIT)
        preview = page.frame_locator("iframe").first
        expect(preview.get_by_text("The quote is in the article, word for word.")).to_be_visible(timeout=WAIT)
        expect(preview.locator(".fc-badge.fc-v-false svg")).to_be_visible()  # the reader's badge, icon included
        field_.fill(summary)
        expect(preview.get_by_text(summary)).to_be_visible()
        save(page)
    branch = f"cms/{COLLECTION}/ambassador-name"
    assert branch in editor.branches()
    assert git(editor.repo, "diff", "--name-only", "main", branch).split() == [CLAIM]
    before = git(editor.repo, "show", f"main:{CLAIM}").splitlines()
    after = git(editor.repo, "show", f"{branch}:{CLAIM}").splitlines()
    old_summary, new_summary = top_level_entry(before, "summary"), top_level_entry(after, "summary")
    changed = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in changed:
        if tag != "equal":
            assert set(range(i1, i2)) <= set(old_summary) and set(range(j1, j2)) <= set(new_summary), (
                before[i1:i2], after[j1:j2])
    new = load.parse_yaml(Path(CLAIM), "\n".join(after) + "\n").data
    old = load.parse_yaml(Path(CLAIM), "\n".join(before) + "\n").data
    assert new["summary"] == summary and {**old, "summary": summary} == new
    check = build_on(editor, branch, tmp_path)
    assert check.returncode == 0 and "warning" not in check.stderr, check.stderr


def uncovered_passage(repo: Path) -> str:
    """Words of the article that no claim marks and that occur once: a quote a new claim may take."""
    front = load.split_front_matter(repo / "content" / f"{SLUG}.md",
                                    (repo / "content" / f"{SLUG}.md").read_text(encoding="utf-8"))
    paragraphs = anchor.paragraphs(front.body)
    marked = [set() for _ in paragraphs]
    for path in (repo / "claims" / SLUG).glob("*.yaml"):
        for span in anchor.find(load.parse_yaml(path, path.read_text(encoding="utf-8")).data["quote"], paragraphs):
            marked[span.paragraph].update(range(span.start, span.end))
    for index, text in enumerate(paragraphs):
        for gap in re.finditer(r"\S+(?: \S+){3,}", "".join(" " if i in marked[index] else c
                                                              for i, c in enumerate(text))):
            words = gap.group().split()[1:-1][:6]  # whole words, clear of the marked passages around
            if len(words) >= 3 and len(anchor.find(" ".join(words), paragraphs)) == 1:
                return " ".join(words)
    raise AssertionError("every passage of the article is marked")


def test_a_claim_created_in_the_form_passes_the_build(browser, editor, tmp_path):
    quote = uncovered_passage(editor.repo)
    known = editor.branches()
    with logged_in(browser, editor) as page:
        page.goto(f"{editor.admin}#/collections/{COLLECTION}/new")
        expect(page.get_by_label("Quote", exact=True)).to_be_visible(timeout=WAIT)
        preview = page.frame_locator("iframe").first
        page.get_by_label("Quote", exact=True).fill(quote + " and more")
        expect(preview.get_by_text("The quote is not in the article word for word")).to_be_visible(timeout=WAIT)
        page.get_by_label("Quote", exact=True).fill(quote)
        expect(preview.get_by_text("The quote is in the article, word for word.")).to_be_visible()
        page.get_by_label("Claim", exact=True).fill("Background the article gives about the talks")
        page.get_by_label("Verdict", exact=True).click()
        page.get_by_text("Context", exact=True).click()
        # The claimant is an organization (our widget: a name, or an object); the topic is chosen by its label.
        page.get_by_label("Name", exact=True).fill("Bloomberg")
        page.get_by_label("Type", exact=True).select_option("organization")
        page.get_by_label("Topics (optional)", exact=True).click()
        page.get_by_text("NATO", exact=True).click()
        expect(preview.get_by_text("Who said it: Bloomberg")).to_be_visible()
        expect(preview.get_by_text("Topics: NATO")).to_be_visible()
        page.get_by_label("Summary", exact=True).fill("Context for the reader; not a checkable statement.")
        page.get_by_role("button", name="Add sources").click()
        page.get_by_label("Title", exact=True).last.fill("A source's headline")
        page.get_by_label("URL", exact=True).last.fill("https://example.org/report")
        page.get_by_label("Publisher (optional)", exact=True).last.fill("Example News")
        page.get_by_role("button", name="Set checked to now").click()  # today, written YYYY-MM-DD
        expect(preview.locator(".fc-badge.fc-v-context")).to_be_visible()
        save(page)
    new = editor.branches() - known
    assert len(new) == 1, new
    branch = new.pop()
    files = git(editor.repo, "diff", "--name-only", "main", branch).split()
    assert len(files) == 1 and files[0].startswith(f"claims/{SLUG}/background-the-article"), files
    data = load.parse_yaml(Path(files[0]), git(editor.repo, "show", f"{branch}:{files[0]}")).data
    assert list(data) == ["quote", "claim", "verdict", "claimant", "topics", "summary", "sources", "checked"], data
    assert data["claimant"] == {"name": "Bloomberg", "type": "organization"} and data["topics"] == ["nato"]
    assert data["sources"] == [{"url": "https://example.org/report", "title": "A source's headline",
                                "publisher": "Example News"}]
    assert data["quote"] == quote and data["verdict"] == "context"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["checked"])
    check = build_on(editor, branch, tmp_path)
    assert check.returncode == 0 and "warning" not in check.stderr, check.stderr


def test_an_entry_with_a_required_field_empty_cannot_be_saved(browser, editor):
    known = editor.branches()
    # Decap's save button leaves the refusal it gets from a form with errors unhandled (a rejection with no value).
    with logged_in(browser, editor, tolerate=("undefined",)) as page:
        page.goto(f"{editor.admin}#/collections/{COLLECTION}/new")
        expect(page.get_by_label("Quote", exact=True)).to_be_visible(timeout=WAIT)
        page.get_by_label("Quote", exact=True).fill("U.S. Ambassador to Turkey Tom Brady")
        page.get_by_label("Summary", exact=True).fill("   ")  # present but blank: the schema's pattern refuses it
        page.get_by_label("URL", exact=True).first.fill("https://example.org/")  # a claimant's address, no name
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("missed a required field")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Claim is required")).to_be_visible()
        expect(page.get_by_text("text that is not blank")).to_be_visible()
        expect(page.get_by_text("Name is required when URL is given.")).to_be_visible()
        page.wait_for_timeout(1000)
    assert editor.branches() == known
    assert git(editor.repo, "status", "--porcelain") == ""
