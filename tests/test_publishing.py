"""Published at its own address, with every claim's record of changes and a way to correct it (issue 17).

- The real site, built for its own address and repository (conftest.DEPLOYED) by each engine: every absolute URL in
  every file is the site's own, or one we can name the reason for.
- A temporary repository with commits to the claims, built by build.py: each claim page shows its history, links to
  its own file and to the error form; a shallow clone and a copy outside git say why they show none.
- A build for deployment refuses placeholder addresses and a cut history, and changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import material
import pytest
import yaml
import zensical
from bs4 import BeautifulSoup

from conftest import DEPLOYED, REPO_URL, ROOT, SITE_URL, copy_project, git, run_build
from factcheck import cms, preview, settings

SLUG = "turkey-s400-f35"
URL = re.compile(r"https?://[^\s\"'<>()\[\]{}\\^`|]+")
# Namespace and vocabulary identifiers: names inside XML, SVG and JSON-LD that no reader follows.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/2005/Atom",
              "http://www.sitemaps.org/schemas/sitemap/0.9", "https://schema.org"}
PLACEHOLDER = re.compile(rb"example\.(?:org|com|net)")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def labels(root: Path = ROOT) -> dict[str, str]:
    scale = yaml.safe_load((root / "claims" / "ratings.yaml").read_text(encoding="utf-8"))["ratings"]
    return {str(r["key"]): r["label"] for r in scale}


def claim_ids(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / "claims" / SLUG).glob("*.yaml"))


# ------------------------------------------------------------------------------------------ the site's addresses

def theme_files() -> set[str]:
    """Digests of every file the two themes and the web editor ship: copied into site/assets and site/admin/decap
    unchanged, they are their code (Material's bundle names GitHub's API, its source maps name their sources, Decap's
    names its backends' and examples' hosts), not addresses of ours."""
    found = {hashlib.sha256(path.read_bytes()).hexdigest() for path in cms.bundle_files()}
    for package in (material, zensical):
        for path in (Path(package.__file__).parent / "templates").rglob("*"):
            if path.is_file():
                found.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def cited_urls() -> set[str]:
    """Every address written in the editorial files: sources, archived copies, where an article appeared, links in
    analyses. Readers are meant to follow these out of the site."""
    found = set()
    for path in [*(ROOT / "claims").rglob("*.yaml"), *(ROOT / "content").glob("*.md")]:
        found.update(URL.findall(path.read_text(encoding="utf-8")))
    return found


def site_text(path: Path) -> str:
    """A file's text as a reader's software sees it: decompressed, entities and JSON's escaped slashes undone, and
    a CSV's cells one per line (a URL ending a cell would otherwise run into the next)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if path.suffix == ".csv":
        text = "\n".join(cell for row in csv.reader(io.StringIO(text)) for cell in row)
    return html.unescape(text.replace("\\/", "/"))


def test_every_absolute_url_is_the_sites_own_or_a_named_exception(engine_site):
    """`SITE_URL=… REPO_URL=… make site`: nothing names a placeholder, and every absolute URL is under SITE_URL
    (canonical, og:*, twitter:*, JSON-LD, feeds, sitemap, exports, share images) except, each for its reason:
    the cited sources, the repository (edit, commit and error-form links), and namespace identifiers."""
    theme, cited = theme_files(), cited_urls()
    outside: dict[str, str] = {}
    own = 0
    for path in sorted(p for p in engine_site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() in theme:
            continue
        assert not PLACEHOLDER.search(gzip.decompress(data) if path.suffix == ".gz" else data), path
        if path.suffix == ".png":
            continue
        for url in URL.findall(site_text(path)):
            url = url.rstrip(".,;:")
            if url.startswith(SITE_URL):
                own += 1
            elif not (url in cited or url in NAMESPACES or url == REPO_URL or url.startswith(REPO_URL + "/")):
                outside[url] = path.relative_to(engine_site).as_posix()
    assert outside == {}
    # The scan saw the site's own addresses: each claim page alone has its canonical link, og:url, og:image and
    # twitter:image.
    assert own >= 4 * len(claim_ids())


def test_share_cards_feeds_and_exports_use_the_configured_address(engine_site):
    page = soup(engine_site / SLUG / "ambassador-name" / "index.html")
    meta = {m.get("property") or m.get("name"): m["content"] for m in page.find_all("meta") if m.get("content")}
    assert meta["og:url"] == page.find("link", rel="canonical")["href"] == f"{SITE_URL}{SLUG}/ambassador-name/"
    assert meta["og:image"] == meta["twitter:image"] == f"{SITE_URL}{SLUG}/ambassador-name/share.png"
    review = json.loads(page.find("script", type="application/ld+json").string)
    assert review["url"] == meta["og:url"] and review["author"]["url"] == SITE_URL
    exported = json.loads((engine_site / "claims.json").read_text(encoding="utf-8"))
    assert exported["publisher"]["url"] == SITE_URL
    sitemap = (engine_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}{SLUG}/ambassador-name/</loc>" in sitemap


# -------------------------------------------------------------------------------------- history in a repository

DATES = ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")


def change(path: Path, **fields) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def commit(root: Path, message: str, day: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=f"{day}T12:00:00+00:00")
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The project in a repository: published in one commit, one claim's summary tightened, then the claim under
    test reworded and its verdict changed with an update, then built with `build.py --site` for its address."""
    project = copy_project(tmp_path_factory.mktemp("published") / "project")
    git(project, "init", "-q")
    commits = {"publish": commit(project, "Publish the fact-check", DATES[0])}
    claims = project / "claims" / SLUG
    # The claim under test: one whose verdict can move to another needing as many publishers (rules.py).
    same_rule = ("mostly-true", "missing-context", "true")
    target = next(i for i in claim_ids(project)
                  if str(yaml.safe_load((claims / f"{i}.yaml").read_text())["verdict"]) in same_rule)
    other = next(i for i in claim_ids(project) if i != target)
    change(claims / f"{other}.yaml", summary="A tightened summary.")
    commits["tighten"] = commit(project, f"Tighten the summary of {other}", DATES[1])
    change(claims / f"{target}.yaml", summary="A reworded summary.")
    commits["reword"] = commit(project, "Reword the summary <em>plainly</em>", DATES[2])
    before = str(yaml.safe_load((claims / f"{target}.yaml").read_text())["verdict"])
    after = next(v for v in same_rule if v != before)
    data = yaml.safe_load((claims / f"{target}.yaml").read_text())
    updates = [*(data.get("updates") or []),
               {"date": str(data["checked"]), "previous_verdict": before, "note": "New evidence changed the verdict."}]
    change(claims / f"{target}.yaml", verdict=after, updates=updates)
    commits["verdict"] = commit(project, "Change the verdict after new evidence", DATES[3])
    run_build(project, "--site", env=DEPLOYED)
    return {"root": project, "target": target, "other": other, "before": before, "after": after, **commits}


def history_items(page: BeautifulSoup) -> list:
    return page.select(".fc-history__list > li")


def test_the_changed_claim_shows_both_commits_newest_first_with_the_verdict_change(published):
    root, target = published["root"], published["target"]
    page = soup(root / "site" / SLUG / target / "index.html")
    items = history_items(page)
    assert [li.find("a")["href"] for li in items] == [
        f"{REPO_URL}/commit/{published[k]}" for k in ("verdict", "reword", "publish")]
    assert [li.find("a").get_text() for li in items] == [published[k][:7] for k in ("verdict", "reword", "publish")]
    assert [li.find("time")["datetime"] for li in items] == [DATES[3], DATES[2], DATES[0]]
    verdict, reword, first = (" ".join(li.get_text().split()) for li in items)
    name = labels()
    assert "Change the verdict after new evidence" in verdict
    assert f"(verdict: {name[published['before']]} → {name[published['after']]})" in verdict
    assert "Reword the summary <em>plainly</em>" in reword and "verdict:" not in reword  # escaped, not markup
    assert f"(first version, rated {name[published['before']]})" in first
    # The hand-written update is still there: the history shows, the update explains.
    assert "New evidence changed the verdict." in page.select_one(".fc-updates").get_text()


def test_every_other_claim_page_shows_its_own_latest_commit(published):
    root = published["root"]
    for claim_id in claim_ids(root):
        if claim_id == published["target"]:
            continue
        items = history_items(soup(root / "site" / SLUG / claim_id / "index.html"))
        latest = published["tighten"] if claim_id == published["other"] else published["publish"]
        assert items and items[0].find("a")["href"] == f"{REPO_URL}/commit/{latest}", claim_id
        assert len(items) == (2 if claim_id == published["other"] else 1), claim_id


def test_every_claim_page_links_to_its_own_file_and_the_error_form(published):
    root = published["root"]
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "correction.yml").read_text(encoding="utf-8"))
    ids = [field.get("id") for field in form["body"]]
    for claim_id in claim_ids(root):
        page = soup(root / "site" / SLUG / claim_id / "index.html")
        links = {a.get_text(strip=True): a["href"] for a in page.select(".fc-correct a.md-button")}
        assert links["Suggest a correction"] == f"{REPO_URL}/edit/main/claims/{SLUG}/{claim_id}.yaml"
        report = urlsplit(links["Report an error"])
        assert f"{report.scheme}://{report.netloc}{report.path}" == f"{REPO_URL}/issues/new"
        query = parse_qs(report.query)
        assert query == {"template": ["correction.yml"], "claim": [f"{SITE_URL}{SLUG}/{claim_id}/"]}
        assert "claim" in ids  # the form has the field the link fills
        assert not page.select(".fc-history .admonition.info")  # a complete history: no "not shown" notice


def test_the_error_form_asks_what_is_wrong_the_evidence_and_an_optional_contact():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "correction.yml").read_text(encoding="utf-8"))
    assert form["name"] and form["description"]  # GitHub lists a form only with both
    fields = {f["id"]: f for f in form["body"] if f["type"] != "markdown"}
    assert list(fields) == ["claim", "problem", "evidence", "contact"]
    assert [fields[i].get("validations", {}).get("required") for i in fields] == [True, True, True, False]
    assert [fields[i]["type"] for i in fields] == ["input", "textarea", "textarea", "input"]


def test_claims_json_carries_each_claims_history(published):
    root = published["root"]
    exported = {c["id"]: c for c in json.loads((root / "site" / "claims.json").read_text(encoding="utf-8"))["claims"]}
    assert exported[published["target"]]["history"] == [
        {"commit": published["verdict"], "date": DATES[3], "verdict": published["after"]},
        {"commit": published["reword"], "date": DATES[2], "verdict": published["before"]},
        {"commit": published["publish"], "date": DATES[0], "verdict": published["before"]}]
    assert all(c["history"][0]["commit"] in (published["publish"], published["tighten"]) for c in exported.values()
               if c["id"] != published["target"])


def generated(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_the_same_commit_builds_the_same_bytes(published, tmp_path):
    git(tmp_path, "clone", "-q", f"file://{published['root']}", "clone")
    run_build(tmp_path / "clone", env=DEPLOYED)
    assert generated(tmp_path / "clone" / "generated") == generated(published["root"] / "generated")


def test_a_new_commit_is_seen_by_an_unchanged_rebuild(published, tmp_path):
    """The unchanged-inputs shortcut (factcheck/manifest.py) counts HEAD: rewording a commit message changes no
    file, but the page shows the new subject."""
    git(tmp_path, "clone", "-q", f"file://{published['root']}", "clone")
    root = tmp_path / "clone"
    run_build(root, env=DEPLOYED)
    assert "0 written, 0 removed" in run_build(root, env=DEPLOYED).stdout
    git(root, "commit", "-q", "--amend", "-m", "Change the verdict: a clearer message", date=f"{DATES[3]}T13:00:00Z")
    run_build(root, env=DEPLOYED)
    page = (root / "generated" / SLUG / published["target"] / "index.md").read_text(encoding="utf-8")
    assert "Change the verdict: a clearer message" in page


def test_uncommitted_changes_are_said_on_their_page_only(published, tmp_path):
    git(tmp_path, "clone", "-q", f"file://{published['root']}", "clone")
    root = tmp_path / "clone"
    change(root / "claims" / SLUG / f"{published['other']}.yaml", summary="Not committed yet.")
    run_build(root, env=DEPLOYED)
    for claim_id in claim_ids(root):
        page = (root / "generated" / SLUG / claim_id / "index.md").read_text(encoding="utf-8")
        assert ("not yet committed" in page) == (claim_id == published["other"]), claim_id


def test_a_shallow_clone_shows_no_partial_history(published, tmp_path):
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{published['root']}", "shallow")
    root = tmp_path / "shallow"
    run_build(root, env=DEPLOYED)
    for claim_id in claim_ids(root):
        page = BeautifulSoup((root / "generated" / SLUG / claim_id / "index.md").read_text("utf-8"), "html.parser")
        notice = page.select_one(".fc-history .admonition.info")
        assert notice and "shallow clone" in notice.get_text() and not history_items(page), claim_id
        assert notice.find("a")["href"] == f"{REPO_URL}/commits/main/claims/{SLUG}/{claim_id}.yaml"
    exported = json.loads((root / "generated" / "claims.json").read_text(encoding="utf-8"))
    assert {c["history"] is None for c in exported["claims"]} == {True}


def test_outside_git_the_page_says_so(tmp_path):
    root = copy_project(tmp_path / "plain")
    run_build(root, env=DEPLOYED)
    for claim_id in claim_ids(root):
        page = BeautifulSoup((root / "generated" / SLUG / claim_id / "index.md").read_text("utf-8"), "html.parser")
        notice = page.select_one(".fc-history .admonition.info")
        assert notice and "not built from the publication's git repository" in notice.get_text(), claim_id
        assert not history_items(page)


def test_the_preview_shows_the_same_history(published, tmp_path, monkeypatch):
    for name, value in DEPLOYED.items():
        monkeypatch.setenv(name, value)
    root = published["root"]
    result = preview.Preview(settings.options(root, out=tmp_path / "docs", config=root / "mkdocs.yml",
                                              image_cache=tmp_path / "cache")).refresh()
    assert result.ok, result.problems
    assert generated(tmp_path / "docs") == generated(root / "generated")


# -------------------------------------------------------------------------------------------- deploying

def deploy(root: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in DEPLOYED}
    return subprocess.run([sys.executable, "build.py", "--site", "--deploy"], cwd=root, capture_output=True,
                          text=True, env={**environment, **env})


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("env, refused", [
    ({}, ("SITE_URL", "REPO_URL")),  # mkdocs.yml's placeholders
    ({"SITE_URL": "https://www.example.com/checks/", "REPO_URL": "https://github.com/newsroom/factcheck"},
     ("SITE_URL",)),
    ({"SITE_URL": "https://newsroom.github.io/factcheck/", "REPO_URL": "https://git.example.net/newsroom/x"},
     ("REPO_URL",)),
    ({"SITE_URL": "https://checks.newsroom.test/", "REPO_URL": "https://github.com/newsroom/factcheck"}, ("SITE_URL",)),
])
def test_a_deploy_build_refuses_placeholders_and_changes_nothing(published, env, refused):
    root = published["root"]
    before = {"site": snapshot(root / "site"), "generated": snapshot(root / "generated")}
    result = deploy(root, **env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "placeholder" in line]
    assert [next(name for name in ("SITE_URL", "REPO_URL") if f"set {name}" in line) for line in lines] == list(refused)
    assert all(line.startswith("mkdocs.yml: the ") for line in lines)
    assert {"site": snapshot(root / "site"), "generated": snapshot(root / "generated")} == before


def test_a_deploy_build_refuses_a_shallow_clone(published, tmp_path):
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{published['root']}", "shallow")
    result = deploy(tmp_path / "shallow", SITE_URL="https://newsroom.github.io/factcheck/",
                    REPO_URL="https://github.com/newsroom/factcheck")
    assert result.returncode == 2 and "history of the claims is shallow" in result.stderr
    assert not (tmp_path / "shallow" / "site").exists()


def test_a_deploy_build_with_real_addresses_publishes(published, tmp_path):
    git(tmp_path, "clone", "-q", f"file://{published['root']}", "clone")
    root = tmp_path / "clone"
    result = deploy(root, SITE_URL="https://newsroom.github.io/factcheck",
                    REPO_URL="https://github.com/newsroom/factcheck.git")
    assert result.returncode == 0, result.stderr
    target = published["target"]
    page = soup(root / "site" / SLUG / target / "index.html")
    assert page.find("link", rel="canonical")["href"] == f"https://newsroom.github.io/factcheck/{SLUG}/{target}/"
    assert page.select_one(".fc-correct a")["href"].startswith("https://github.com/newsroom/factcheck/edit/main/")


@pytest.mark.parametrize("env, message", [
    ({"SITE_URL": "javascript:alert(1)"}, "SITE_URL must be an http(s) address"),
    ({"SITE_URL": "https://news room.org/"}, "SITE_URL https://news room.org/ contains white space"),
    ({"REPO_URL": "https://user@github.com/x/y"}, "REPO_URL https://user@github.com/x/y has user information"),
    ({"REPO_BRANCH": "main..evil"}, "REPO_BRANCH is not a branch name"),
    # The web editor's login (factcheck/cms.py), read with the other settings.
    ({"CMS_AUTH_URL": "javascript:alert(1)"}, "CMS_AUTH_URL must be an http(s) address"),
    ({"CMS_SITE_DOMAIN": "a b"}, "CMS_SITE_DOMAIN is not a domain name"),
    ({"CMS_LOCAL_BACKEND": "http://user@127.0.0.1/"}, "CMS_LOCAL_BACKEND http://user@127.0.0.1/ has user information"),
])
def test_a_wrong_setting_is_one_clear_line(tmp_path, env, message):
    root = copy_project(tmp_path / "project")
    result = subprocess.run([sys.executable, "build.py"], cwd=root, capture_output=True, text=True,
                            env={**os.environ, **env})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr.splitlines()[0]
    assert not (root / "generated").exists()


def test_settings_come_from_the_environment_over_mkdocs_yml(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://checks.newsroom.org/fc")
    monkeypatch.setenv("REPO_URL", "https://github.com/newsroom/fc/")
    monkeypatch.setenv("REPO_BRANCH", "published")
    site = settings.read_site_settings(ROOT / "mkdocs.yml")
    assert (site.url, site.publisher_url, site.repo_url, site.repo_branch) == (
        "https://checks.newsroom.org/fc/", "https://checks.newsroom.org/fc/", "https://github.com/newsroom/fc",
        "published")
    assert site.edit_url("claims/a/b.yaml") == "https://github.com/newsroom/fc/edit/published/claims/a/b.yaml"
    monkeypatch.setenv("SITE_URL", "")  # an empty variable (a CI expression with no value) counts as unset
    assert settings.read_site_settings(ROOT / "mkdocs.yml").url == "https://example.org/factcheck/"
