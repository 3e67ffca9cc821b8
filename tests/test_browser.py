"""The reader's experience, in a real browser: Debian's Chromium driven by Playwright, on the built site served over
HTTP from 127.0.0.1 (see site_server.py). One browser for the whole session; each test opens its own context.

- axe-core finds no WCAG 2.2 A/AA violation on any page, in the light and the dark palette;
- the badges, highlights and summaries keep a text contrast of at least 4.5:1 in both palettes;
- Tab reaches every badge in reading order, focus is visible, the summary shows on focus, Enter opens the claim;
- without JavaScript the article, its badges and summaries, and every claim page work;
- at 375 CSS pixels nothing scrolls sideways and badges stay with their passages;
- printed, badges keep their labels and external links show their URLs;
- screenshots of the article page (desktop, mobile, dark) go to tests/artifacts/ for review.

axe-core comes from npm (package.json, pinned by package-lock.json): run `npm ci` once. A missing node_modules fails
the tests; nothing is skipped.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from site_server import SiteServer

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS_SCREENSHOT = ROOT / "tests" / "screenshots" / "article-desktop.png"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Rules outside those tags that we hold the site to as well: Material's search dialog had no name (fixed in
# overrides/partials/search.html), and Lighthouse checks it.
EXTRA_AXE_RULES = ["aria-dialog-name"]
# Accepted axe violations: rule id -> the one-line reason. Every entry must still match something (else remove it).
AXE_ALLOWED: dict[str, str] = {}

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
PALETTES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's data-md-color-scheme


# ---------------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} (axe-core is pinned in "
                    "package.json / package-lock.json) before the browser tests", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def server(built_site: Path) -> Iterator[SiteServer]:
    with SiteServer(built_site) as running:
        yield running


@pytest.fixture(scope="session")
def pages(built_site: Path) -> list[str]:
    """Every reader's page of the built site, as URL paths relative to the site's root ("" is the home page). Not
    admin/: the web editor is Decap's interface for the newsroom (tests/test_editor.py drives it)."""
    found = sorted("" if p.parent == built_site else p.parent.relative_to(built_site).as_posix() + "/"
                   for p in built_site.rglob("index.html"))
    found += sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
                    if p.name != "index.html")
    found = [path for path in found if not path.startswith("admin/")]
    assert "" in found and len(found) > 3, found
    return found


@pytest.fixture(scope="session")
def articles(built_site: Path) -> list[str]:
    """The article pages: those that show an annotated article."""
    found = sorted(p.parent.relative_to(built_site).as_posix() + "/" for p in built_site.rglob("index.html")
                   if 'class="fc-article"' in p.read_text(encoding="utf-8"))
    assert found, "no article page in the built site"
    return found


def _page_of(request) -> Page | None:
    try:
        return request.frame.page
    except Exception:  # noqa: BLE001 - a worker's request has no frame
        return None


class Visit:
    """A browser context, with a page, that records what would make its pages misbehave: console errors, uncaught
    exceptions, failed or 4xx/5xx responses, and any request that leaves the local server."""

    def __init__(self, context: BrowserContext, base: str):
        self.context, self.base, self.problems = context, base, []
        self.page = context.new_page()
        context.on("console", lambda m: m.type == "error" and self.note(m.page, f"console error: {m.text}"))
        context.on("weberror", lambda e: self.note(e.page, f"uncaught exception: {e.error}"))
        context.on("requestfailed", lambda r: "ERR_ABORTED" in (r.failure or "") or self.note(
            _page_of(r), f"request failed: {r.url} {r.failure}"))  # (aborted: still loading when the test moved on)
        context.on("response", lambda r: r.status >= 400 and self.note(
            _page_of(r.request), f"HTTP {r.status}: {r.url}"))
        context.on("request", lambda r: r.url.startswith((base, "data:")) or self.note(
            _page_of(r), f"request outside the site: {r.url}"))

    def note(self, page: Page | None, problem: str) -> None:
        where = "/" + page.url.removeprefix(self.base) if page else "(a worker)"
        self.problems.append(f"on {where}: {problem}")

    def open(self, path: str) -> Page:
        response = self.page.goto(urljoin(self.base, path))
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        return self.page


def assert_clean(v: Visit) -> None:
    problems = list(dict.fromkeys(v.problems))  # each distinct problem once, in order
    assert not problems, "the pages misbehaved:\n" + "\n".join(problems)


@contextmanager
def visit(browser: Browser, server: SiteServer, palette: str = "light", **options) -> Iterator[Visit]:
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(color_scheme=palette, reduced_motion="reduce", **options)
    try:
        yield Visit(context, server.url)
    finally:
        context.close()


def wait_for_palette(page: Page, palette: str) -> None:
    """Material's JavaScript picks the palette matching prefers-color-scheme; wait for it, and prove it happened."""
    scheme = PALETTES[palette]
    page.wait_for_function(f"document.body.dataset.mdColorScheme === {scheme!r}", timeout=5000)


# ------------------------------------------------------------------------------------------------ page scripts

# WCAG contrast of rendered colours, including semi-transparent ones composited over their ancestors' backgrounds.
CONTRAST_JS = r"""
() => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const parse = (css) => {
    let m = css.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    m = css.match(/^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);   // any other syntax
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {                                            // source-over compositing
    const a = top[3] + bottom[3] * (1 - top[3]);
    return a === 0 ? [0, 0, 0, 0] :
      [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const textContrast = (el) => {
    const bg = background(el);
    return ratio(over(parse(getComputedStyle(el).color), bg), bg);
  };
  const outlineContrast = (el) => {
    const bg = background(el.parentElement);
    return ratio(over(parse(getComputedStyle(el).outlineColor), bg), bg);
  };
  window.__fc = {textContrast, outlineContrast};
  return true;
}
"""

# What the keyboard focus is on, and how it shows: for the Tab walk.
FOCUS_JS = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const top = document.elementFromPoint((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
  const info = {
    again: el.dataset.fcVisited === '1',
    tag: el.tagName, badge: el.matches('a.fc-badge'), href: el.getAttribute('href'),
    label: el.textContent.trim(),
    focusVisible: el.matches(':focus-visible'), outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth), outlineContrast: window.__fc.outlineContrast(el),
    // 1 px of tolerance: Chromium scrolls a focused element flush with the edge, at sub-pixel positions
    inViewport: rect.top >= -1 && rect.bottom <= innerHeight + 1 && rect.left >= -1 && rect.right <= innerWidth + 1,
    obscuredBy: top && !el.contains(top) ? `${top.tagName}.${top.className}` : null,
    badgeBottom: rect.bottom, tip: null,
  };
  const tip = el.getAttribute('aria-describedby') && document.getElementById(el.getAttribute('aria-describedby'));
  if (tip) {
    const t = tip.getBoundingClientRect();
    info.tip = {display: getComputedStyle(tip).display, text: tip.textContent.trim(),
                left: t.left, right: t.right, top: t.top, width: t.width, height: t.height,
                contrast: window.__fc.textContrast(tip), viewportWidth: document.documentElement.clientWidth};
  }
  el.dataset.fcVisited = '1';
  return info;
}
"""


def tab_walk(page: Page, limit: int = 600) -> list[dict]:
    """Press Tab from the top of the page until focus leaves the document or comes round to a visited element."""
    page.evaluate(CONTRAST_JS)
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        if info is None or info["again"]:
            return stops
        stops.append(info)
    raise AssertionError(f"Tab did not come round after {limit} presses")


def badges_in_dom_order(page: Page) -> list[str]:
    return page.eval_on_selector_all("a.fc-badge", "els => els.map(e => e.getAttribute('href'))")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


# ------------------------------------------------------------------------------------------------------- axe

def run_axe(page: Page, axe_source: str) -> dict:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    tagged = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
                           "['violations', 'incomplete']})", WCAG_TAGS)
    extra = page.evaluate("rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", EXTRA_AXE_RULES)
    return {"violations": tagged["violations"] + extra["violations"], "incomplete": tagged["incomplete"],
            "ran": {r["id"] for r in extra["passes"] + extra["violations"]}}


def describe(path: str, violation: dict) -> str:
    nodes = "; ".join(f"{' '.join(map(str, n['target']))}: {n.get('failureSummary', '').splitlines()[-1].strip()}"
                      for n in violation["nodes"][:3])
    count = len(violation["nodes"])
    return f"{path or '/'} [{violation['id']}, {violation['impact']}] {violation['help']} ({count}x): {nodes}"


def test_axe_harness_reports_known_violations(browser, server, axe_source):
    """The harness is not vacuous: a page with known problems yields those violations."""
    with visit(browser, server) as v:
        v.page.set_content('<!doctype html><html><head><title>t</title></head><body><main><img src="data:,">'
                           '<p style="color:#777;background:#888">low contrast</p>'
                           '<div role="dialog">no name</div></main></body></html>')
        ids = {x["id"] for x in run_axe(v.page, axe_source)["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast", "aria-dialog-name"} <= ids, ids


def test_every_page_loads_cleanly(browser, server, pages):
    """No console error, uncaught exception, failed or 4xx/5xx request, nor any request leaving the site, on any
    page with JavaScript on, until the network is idle (Lighthouse's best-practices score counts console errors too).
    Pages load a few at a time, in tabs of one context."""
    with visit(browser, server) as v:
        for start in range(0, len(pages), 6):
            tabs = [(path, v.context.new_page()) for path in pages[start:start + 6]]
            for path, tab in tabs:
                tab.goto(urljoin(server.url, path), wait_until="commit")
            for path, tab in tabs:
                tab.wait_for_load_state("networkidle")
                tab.close()
        assert_clean(v)


OUR_COLOURS = {"badge": ".fc-badge__label, .fc-badge__count", "highlight": "mark.fc-passage", "summary": ".fc-tip"}


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_every_page_passes_axe_and_keeps_our_contrast(browser, server, axe_source, pages, palette):
    """Every page, in both palettes:
    - axe-core, WCAG 2.2 A and AA (plus the dialog-name rule): no violation; and a colour-contrast check that axe
      cannot decide ("incomplete") on a badge, highlight or summary counts as a failure too;
    - our own colours, computed from the rendered styles and composited over the page: badge labels, highlighted
      passages and summaries (also those that only show on focus) reach 4.5:1."""
    failures, allowed_used, ran = [], set(), set()
    counted = dict.fromkeys(OUR_COLOURS, 0)
    with visit(browser, server, palette) as v:
        for path in pages:
            page = v.open(path)
            wait_for_palette(page, palette)
            results = run_axe(page, axe_source)
            ran |= results["ran"]
            for violation in results["violations"]:
                if violation["id"] in AXE_ALLOWED:
                    allowed_used.add(violation["id"])
                else:
                    failures.append(describe(path, violation))
            for check in results["incomplete"]:
                if check["id"] == "color-contrast":
                    undecided = [n["html"][:80] for n in check["nodes"]
                                 if re.search(r'class="[^"]*fc-(badge|passage|tip)', n["html"])]
                    if undecided:
                        failures.append(f"{path or '/'}: axe could not check the contrast of {undecided}")
            page.evaluate(CONTRAST_JS)
            for kind, selector in OUR_COLOURS.items():
                measured = page.eval_on_selector_all(
                    selector, "els => els.map(e => [e.textContent.trim().slice(0, 40), window.__fc.textContrast(e)])")
                for text, contrast in measured:
                    counted[kind] += 1
                    if contrast < 4.5:
                        failures.append(f"{path or '/'}: {kind} {text!r} has contrast {contrast:.2f}:1 (< 4.5)")
    assert set(EXTRA_AXE_RULES) <= ran, f"axe never applied {EXTRA_AXE_RULES}"
    assert all(counted.values()), f"some of our colours were never checked: {counted}"
    unused = set(AXE_ALLOWED) - allowed_used
    assert not unused, f"AXE_ALLOWED entries that match nothing any more, remove them: {sorted(unused)}"
    assert not failures, f"{palette} palette:\n" + "\n".join(failures)


@pytest.fixture(scope="session")
def server_zensical(built_site_zensical: Path) -> Iterator[SiteServer]:
    with SiteServer(built_site_zensical) as running:
        yield running


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_zensical_pages_pass_axe(browser, server_zensical, axe_source, pages, articles, palette):
    """The site as Zensical builds it (make site ENGINE=zensical), on a sample of pages: the home, methodology and
    corrections pages, the indexes of claimants, topics and verdicts and a listing of each, every article and two
    claim pages of each. axe-core, as above, finds no violation and the pages load cleanly."""
    claims = [p for p in pages if any(p.startswith(a) and p != a for a in articles)]
    sample = ["", "methodology/", "corrections/", "claimants/", "claimants/tom-barrack/", "topics/", "topics/s-400/",
              "verdicts/", "verdicts/missing-context/", *articles,
              *[c for a in articles for c in [p for p in claims if p.startswith(a)][:2]]]
    failures = []
    with visit(browser, server_zensical, palette) as v:
        for path in sample:
            page = v.open(path)
            wait_for_palette(page, palette)
            results = run_axe(page, axe_source)
            failures += [describe(path, violation) for violation in results["violations"]
                         if violation["id"] not in AXE_ALLOWED]
        assert_clean(v)
    assert len(sample) > 5 and not failures, f"{palette} palette:\n" + "\n".join(failures)


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_a_paginated_listing_passes_axe(browser, long_listing_mkdocs, axe_source, palette):
    """The pages of a listing of 250 claims (the real publication has none that long): their page links too pass
    axe-core (WCAG 2.2 AA, target size included) in both palettes, and they load cleanly."""
    failures = []
    with SiteServer(long_listing_mkdocs) as server, visit(browser, server, palette) as v:
        for path in ("verdicts/", "verdicts/opinion/", "verdicts/opinion/page/2/", "verdicts/opinion/page/3/"):
            page = v.open(path)
            wait_for_palette(page, palette)
            assert path == "verdicts/" or page.locator("nav.fc-pages a").count() >= 4
            failures += [describe(path, violation) for violation in run_axe(page, axe_source)["violations"]
                         if violation["id"] not in AXE_ALLOWED]
        assert_clean(v)
    assert not failures, f"{palette} palette:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------------------- keyboard

@pytest.mark.parametrize("palette", ["light", "dark"])
def test_tab_reaches_every_badge_in_reading_order_with_visible_focus_and_summary(
        browser, server, articles, palette):
    for article in articles:
        with visit(browser, server, palette) as v:
            page = v.open(article)
            wait_for_palette(page, palette)
            expected = badges_in_dom_order(page)
            stops = tab_walk(page)
            badges = [s for s in stops if s["badge"]]
            assert [b["href"] for b in badges] == expected, "Tab order of the badges differs from reading order"
            for stop in badges:
                where = f"{article} badge {stop['href']} ({palette})"
                assert stop["focusVisible"] and stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2, \
                    f"{where}: no visible focus indicator ({stop['outlineStyle']} {stop['outlineWidth']}px)"
                assert stop["outlineContrast"] >= 3, f"{where}: focus outline contrast {stop['outlineContrast']:.2f}"
                assert stop["inViewport"], f"{where}: focused badge is not scrolled into view"
                assert not stop["obscuredBy"], f"{where}: focused badge hidden under {stop['obscuredBy']}"
                tip = stop["tip"]
                if tip is not None:  # badges in the article text carry a summary
                    assert tip["display"] != "none" and tip["width"] > 0 and tip["text"], \
                        f"{where}: the summary does not appear on focus"
                    assert 0 <= tip["left"] and tip["right"] <= tip["viewportWidth"], f"{where}: summary off-screen"
                    assert tip["top"] >= stop["badgeBottom"] - 1, f"{where}: summary covers its badge"
                    assert tip["contrast"] >= 4.5, f"{where}: summary contrast {tip['contrast']:.2f}"
            assert any(b["tip"] for b in badges), "no badge with a summary was reached"


def enter_opens_claim_page(page: Page, article_url: str) -> None:
    """Tab to the first badge of the article text, check its summary, press Enter: its claim page opens."""
    page.evaluate(CONTRAST_JS)
    for _ in range(300):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        assert info is not None, "Tab never reached a badge in the article text"
        if info["badge"] and info["tip"]:
            break
    else:
        raise AssertionError("300 presses of Tab never reached a badge in the article text")
    summary = info["tip"]["text"]
    assert info["tip"]["display"] != "none", "summary hidden while its badge has focus"
    page.keyboard.press("Enter")
    page.wait_for_url(urljoin(article_url, info["href"]))
    assert page.locator("h1").first.is_visible()
    assert page.locator(".fc-summary").inner_text().strip() == summary, "claim page's summary differs from the tip"


def test_enter_on_a_badge_opens_its_claim_page(browser, server, articles):
    for article in articles:
        with visit(browser, server) as v:
            enter_opens_claim_page(v.open(article), urljoin(server.url, article))


# ---------------------------------------------------------------------------------------------- no JavaScript

def test_everything_works_without_javascript(browser, server, articles):
    """JavaScript off: the article, every highlight, badge and summary, and every claim page it links to."""
    with visit(browser, server, java_script_enabled=False) as v:
        for article in articles:
            article_url = urljoin(server.url, article)
            page = v.open(article)
            assert page.evaluate("document.documentElement.classList.contains('no-js')"), "JavaScript ran"
            assert page.locator(".fc-article").is_visible()
            marks = page.locator("mark.fc-passage")
            assert marks.count() > 0
            claims = page.eval_on_selector_all(".fc-article .fc-claim", """els => els.map(c => ({
                id: c.querySelector('mark').id, href: c.querySelector('a.fc-badge').getAttribute('href'),
                label: c.querySelector('.fc-badge__label').textContent.trim(),
                tip: c.querySelector('.fc-tip').textContent.trim()}))""")
            assert len(claims) == marks.count()
            for index in range(marks.count()):
                assert marks.nth(index).is_visible()
            badges = page.locator(".fc-article a.fc-badge")
            for index in range(badges.count()):
                assert badges.nth(index).is_visible() and badges.nth(index).inner_text().strip()
            # the legend is a native <details>: it opens without script
            legend = page.locator("details.fc-legend")
            legend.locator("summary").click()
            assert legend.evaluate("d => d.open") and legend.locator("dd").first.is_visible()
            # the summary is pure CSS: it shows on focus; Enter follows the link
            page.goto(article_url)
            enter_opens_claim_page(page, article_url)

            for claim in claims:
                page = v.open(urljoin(article_url, claim["href"]))
                where = f"{article}{claim['href']} without JavaScript"
                assert page.locator("h1").first.is_visible(), where
                verdict = page.locator(".fc-verdict .fc-badge__label")
                assert verdict.is_visible() and verdict.inner_text().strip() == claim["label"], where
                assert page.locator(".fc-summary").inner_text().strip() == claim["tip"], where
                sources = page.locator(".fc-sources a[href^='http']")
                for index in range(sources.count()):
                    assert sources.nth(index).is_visible(), where
                back = page.locator("a.fc-back")
                assert back.is_visible(), where
                assert back.evaluate("a => a.href") == f"{article_url}#{claim['id']}", where


# -------------------------------------------------------------------------------------------------------- mobile

OVERFLOW_JS = r"""
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5) && getComputedStyle(el).visibility !== 'hidden') {
      let scroller = el.parentElement;   // content inside its own horizontal scroller (a wide table) is fine
      while (scroller && scroller !== document.body && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      if (!scroller || scroller === document.body) out.push(`${el.tagName}.${el.className} spans ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 10);
}
"""

BADGE_PLACEMENT_JS = r"""
() => [...document.querySelectorAll('.fc-article .fc-claim')].map(claim => {
  const badge = claim.querySelector('a.fc-badge'), mark = claim.querySelector('mark');
  const b = badge.getBoundingClientRect(), rects = mark.getClientRects(), last = rects[rects.length - 1];
  const column = claim.closest('p').getBoundingClientRect();
  const sameLine = b.left >= last.right - 1 && b.top < last.bottom && b.bottom > last.top;
  const nextLine = b.top >= last.bottom - 4 && b.top - last.bottom < b.height && b.left - column.left < 16;
  return {href: badge.getAttribute('href'), left: b.left, right: b.right, width: document.documentElement.clientWidth,
          clipped: badge.scrollWidth > badge.clientWidth + 1, withPassage: sameLine || nextLine};
})
"""


def test_375_pixels_wide_nothing_scrolls_sideways(browser, server, pages):
    with visit(browser, server, **MOBILE) as v:
        failures = []
        for path in pages:
            failures += [f"{path or '/'}: {p}" for p in v.open(path).evaluate(OVERFLOW_JS)]
        assert not failures, "\n".join(failures)


def test_375_pixels_wide_badges_wrap_with_their_passages(browser, server, articles):
    with visit(browser, server, **MOBILE) as v:
        for article in articles:
            page = v.open(article)
            placements = page.evaluate(BADGE_PLACEMENT_JS)
            assert placements
            for p in placements:
                assert 0 <= p["left"] and p["right"] <= p["width"], f"{p['href']}: badge outside the screen {p}"
                assert not p["clipped"], f"{p['href']}: badge label cut off"
                assert p["withPassage"], f"{p['href']}: badge is not right after its passage {p}"
            # a summary shown on focus (or on a tap that focuses) stays on the screen too
            page.evaluate(CONTRAST_JS)
            for href in [p["href"] for p in placements]:
                page.locator(f".fc-article a.fc-badge[href='{href}']").focus()
                tip = page.evaluate(FOCUS_JS)["tip"]
                assert tip["display"] != "none" and 0 <= tip["left"] and tip["right"] <= tip["viewportWidth"], \
                    f"{href}: summary does not fit the screen: {tip}"
                overflow = page.evaluate(OVERFLOW_JS)
                assert not overflow, f"{href} focused: {overflow}"


# --------------------------------------------------------------------------------------------------------- print

PRINT_JS = r"""
() => {
  const out = {badges: 0, links: 0, problems: []};
  for (const badge of document.querySelectorAll('.fc-badge')) {
    out.badges++;
    const s = getComputedStyle(badge), label = badge.querySelector('.fc-badge__label');
    const shown = (el) => { const c = getComputedStyle(el); return c.display !== 'none' && c.visibility !== 'hidden' && el.getBoundingClientRect().width > 0; };
    if (!shown(badge) || !label || !shown(label) || !label.textContent.trim()) out.problems.push(`badge without a printed label: ${badge.outerHTML.slice(0, 80)}`);
    if (s.color !== 'rgb(0, 0, 0)' || s.borderTopStyle === 'none') out.problems.push(`badge not printed black on white with a border: ${label && label.textContent} ${s.color} ${s.borderTopStyle}`);
  }
  for (const tip of document.querySelectorAll('.fc-tip'))
    if (getComputedStyle(tip).display !== 'none') out.problems.push(`summary tooltip printed: ${tip.id}`);
  for (const a of document.querySelectorAll('.md-content a[href^="http"]')) {
    out.links++;
    const after = getComputedStyle(a, '::after').content;
    if (!after.includes(a.getAttribute('href'))) out.problems.push(`link prints without its URL: ${a.getAttribute('href')} (::after ${after})`);
  }
  for (const el of document.querySelectorAll('.md-header, .md-sidebar, .md-search'))
    if (el.getBoundingClientRect().height > 0) out.problems.push(`site chrome printed: ${el.className}`);
  return out;
}
"""


def test_print_keeps_badge_labels_and_shows_link_urls(browser, server, articles, pages):
    claim_pages = [p for p in pages if any(p.startswith(a) and p != a for a in articles)]
    with visit(browser, server) as v:
        v.page.emulate_media(media="print")
        totals = {"badges": 0, "links": 0}
        failures = []
        for path in articles + claim_pages:
            result = v.open(path).evaluate(PRINT_JS)
            totals["badges"] += result["badges"]
            totals["links"] += result["links"]
            failures += [f"{path}: {p}" for p in result["problems"]]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        v.open(articles[0]).pdf(path=str(ARTIFACTS / "article-print.pdf"), print_background=True)
    assert totals["badges"] and totals["links"], f"nothing checked: {totals}"
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------------- screenshots

def docs_screenshot(page: Page, path: Path) -> None:
    """The README's picture: the annotated article text, with one summary open, at desktop size."""
    page.evaluate("document.getElementById('the-article').scrollIntoView({block: 'start'}); window.scrollBy(0, -70)")
    badge = page.locator(".fc-article a.fc-badge").nth(1)
    badge.hover()
    page.wait_for_timeout(100)  # let the hover style apply before the capture (not a timing assertion)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


@pytest.mark.parametrize("kind", ["desktop", "mobile", "dark"])
def test_screenshots_of_the_article(browser, server, articles, kind):
    """Saves tests/artifacts/article-{desktop,mobile,dark}.png (full page) for review. With UPDATE_SCREENSHOTS=1
    the desktop run also refreshes the README's tests/screenshots/article-desktop.png."""
    options = {"desktop": {}, "mobile": MOBILE, "dark": {}}[kind]
    palette = "dark" if kind == "dark" else "light"
    target = ARTIFACTS / f"article-{kind}.png"
    with visit(browser, server, palette, **options) as v:
        page = v.open(articles[0])
        wait_for_palette(page, palette)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
        if kind == "desktop" and os.environ.get("UPDATE_SCREENSHOTS") == "1":
            docs_screenshot(page, DOCS_SCREENSHOT)
    width, height = png_size(target)
    expected = 375 * 2 if kind == "mobile" else DESKTOP["width"]
    assert width == expected and height > 800, (width, height)


def test_readme_screenshot_is_present():
    """The README links tests/screenshots/article-desktop.png: refresh it with UPDATE_SCREENSHOTS=1 make test."""
    assert DOCS_SCREENSHOT.is_file(), f"{DOCS_SCREENSHOT.relative_to(ROOT)} is missing"
    assert png_size(DOCS_SCREENSHOT) == (DESKTOP["width"], DESKTOP["height"])
