"""End-to-end: build the real site and read its HTML back, as a reader's browser would receive it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, SITE_URL, run_build

SLUG = "turkey-s400-f35"



@pytest.fixture
def built_site(engine_site: Path) -> Path:
    """Every test here runs against the site of each engine (MkDocs and Zensical): see conftest.ENGINES."""
    return engine_site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def claim_files(root: Path = ROOT) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "claims" / SLUG).glob("*.yaml")}


def scale(root: Path = ROOT) -> list[dict]:
    return yaml.safe_load((root / "claims" / "ratings.yaml").read_text(encoding="utf-8"))["ratings"]


def labels() -> dict[str, str]:
    return {str(r["key"]): r["label"] for r in scale()}


def test_every_claim_has_exactly_one_badge_linking_to_its_page(built_site):
    page = soup(built_site / SLUG / "index.html")
    article = page.select_one(".fc-article")
    for claim_id, data in claim_files().items():
        badges = article.select(f'a.fc-badge[href="{claim_id}/"]')
        assert len(badges) == 1, claim_id
        assert badges[0].get_text(" ", strip=True) == labels()[str(data["verdict"])]
        assert (built_site / SLUG / claim_id / "index.html").is_file()
        mark = article.select_one(f"mark#claim-{claim_id}")
        assert " ".join(mark.get_text().split()) == " ".join(str(data["quote"]).split())
        tip = article.select_one(f"#{badges[0]['aria-describedby']}")
        assert tip.get_text() == data["summary"].strip()
    assert len(article.select("a.fc-badge")) == len(claim_files())


def test_article_text_is_verbatim(built_site):
    original = (ROOT.parent / "shared" / "article" / "000_442d832522ffdb2a.txt")
    if not original.exists():  # the source text lies beside the repository here; elsewhere, the committed copy
        original = ROOT / "content" / f"{SLUG}.md"
        text = original.read_text(encoding="utf-8").split("---\n", 2)[2]
    else:
        text = original.read_text(encoding="utf-8")
    shown = soup(built_site / SLUG / "index.html").select_one(".fc-article")
    for element in shown.select(".fc-tip, .fc-badge"):
        element.decompose()
    assert " ".join(shown.get_text().split()) == " ".join(text.split())


def test_each_claim_page_shows_verdict_and_all_sources(built_site):
    for claim_id, data in claim_files().items():
        page = soup(built_site / SLUG / claim_id / "index.html")
        assert page.select_one(".fc-verdict .fc-badge").get_text(strip=True) == labels()[str(data["verdict"])]
        hrefs = {a["href"] for a in page.select(".fc-sources a")}
        for source in data.get("sources", []):
            assert source["url"] in hrefs, (claim_id, source["url"])
        back = page.select_one("a.fc-back")
        assert back["href"] == f"../#claim-{claim_id}"


def test_methodology_lists_every_rating(built_site):
    page = soup(built_site / "methodology" / "index.html")
    shown = [dt.get_text(strip=True) for dt in page.select(".fc-scale dt")]
    assert shown == [r["label"] for r in scale()]
    for rating in scale():
        assert rating["description"] in page.get_text()


def test_home_lists_the_article_with_its_computed_scorecard(built_site):
    page = soup(built_site / "index.html")
    card = page.select_one(".fc-card")
    assert card.select_one("a")["href"] == f"{SLUG}/"
    counts = {}
    for data in claim_files().values():
        counts[labels()[str(data["verdict"])]] = counts.get(labels()[str(data["verdict"])], 0) + 1
    shown = {b.select_one(".fc-badge__label").get_text(): int(b.select_one(".fc-badge__count").get_text())
             for b in card.select(".fc-badge")}
    assert shown == counts


def test_claim_pages_stay_out_of_the_navigation(built_site):
    nav = soup(built_site / SLUG / "index.html").select(".md-nav--primary a")
    assert nav and not any(f"{SLUG}/" in a.get("href", "") for a in nav)


def test_no_third_party_requests(built_site):
    for page in built_site.rglob("*.html"):
        html = soup(page)
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in html.find_all(tag):
                value = element.get(attribute, "")
                if tag == "link" and "stylesheet" not in element.get("rel", []) and "icon" not in element.get("rel", []):
                    continue
                assert not value.startswith(("http:", "https:", "//")), (page, value)


def test_a_second_article_needs_no_code_change(project):
    (project / "content" / "second.md").write_text(textwrap.dedent("""\
        ---
        title: A second article
        publisher: Example News
        ---

        The bridge opened in 1999. It cost four million euros, the council said.
        """), encoding="utf-8")
    folder = project / "claims" / "second"
    folder.mkdir()
    for name, quote, verdict in (("bridge-opened", "The bridge opened in 1999.", "true"),
                                 ("bridge-cost", "It cost four million euros", "unverified")):
        (folder / f"{name}.yaml").write_text(textwrap.dedent(f"""\
            quote: "{quote}"
            claim: Restated.
            verdict: {verdict}
            summary: Why.
            checked: 2026-01-02
            sources:
              - url: https://example.org/{name}
                title: A report
                excerpt: Evidence.
            """), encoding="utf-8")
    run_build(project, "--site")
    site = project / "site"
    page = soup(site / "second" / "index.html")
    assert {a["href"] for a in page.select(".fc-article a.fc-badge")} == {"bridge-opened/", "bridge-cost/"}
    assert (site / "second" / "bridge-cost" / "index.html").is_file()
    assert {a["href"] for a in soup(site / "index.html").select(".fc-card h3 a")} == {"second/", f"{SLUG}/"}


def test_non_english_evidence_is_marked_with_its_language_and_translated(built_site):
    """WCAG 3.1.2 (language of parts): the original excerpt carries its lang; our translation follows, labelled."""
    shown = 0
    for claim_id, data in claim_files().items():
        page = soup(built_site / SLUG / claim_id / "index.html")
        excerpts = page.select(".fc-sources blockquote.fc-source__excerpt")
        cited = [s for s in data.get("sources", []) if s.get("excerpt")]
        assert len(excerpts) == len(cited), claim_id
        for source, quote in zip(cited, excerpts):
            assert quote.get("lang", "en") == source.get("lang", "en"), (claim_id, source["url"])
            assert " ".join(quote.get_text().split()) == " ".join(str(source["excerpt"]).split())
            after = quote.find_next_sibling()
            if source.get("lang", "en") != "en":
                shown += 1
                assert after.get_text(" ", strip=True) == "Our translation: " + " ".join(source["translation"].split())
                assert not after.get("lang")  # the translation is English, like the page
    assert shown >= 10


def test_the_article_page_says_where_else_the_text_appeared_and_how_far_we_searched(built_site):
    page = soup(built_site / SLUG / "index.html")
    front_matter = yaml.safe_load((ROOT / "content" / f"{SLUG}.md").read_text(encoding="utf-8").split("---")[1])
    listed = [a["href"] for a in page.select(".fc-appearances a")]
    assert listed == [a["url"] for a in front_matter["appearances"]] and listed
    searched = page.select_one(".fc-next__searched").get_text(" ", strip=True)
    assert "We searched news coverage" in searched and "we found no dated report after that" in searched
    latest = max(str(d["date"]) for d in front_matter["next"])
    assert page.select_one(".fc-next__searched time:nth-of-type(2)")["datetime"] == latest


# --- browsing by claimant, topic and verdict (factcheck/listings.py) ----------------------------------------------


def topics(root: Path = ROOT) -> list[dict]:
    return yaml.safe_load((root / "claims" / "topics.yaml").read_text(encoding="utf-8"))["topics"]


def listed(site: Path, folder: str) -> list[str]:
    """The claim pages a listing links, in order, over all its pages (followed through their Next links), as
    paths from the site root; and every page holds at most 100."""
    found, page = [], site / folder / "index.html"
    while page:
        html = soup(page)
        rows = html.select(".fc-listing li")
        assert len(rows) <= 100, page
        found += [(page.parent / row.select_one("a")["href"]).resolve().relative_to(site.resolve()).as_posix() + "/"
                  for row in rows]
        following = html.select_one('nav.fc-pages a[rel="next"]')
        page = following and (page.parent / following["href"] / "index.html").resolve()
    return found


def claimant_of(data: dict) -> str:
    claimant = data.get("claimant")
    return "Twin City Report" if claimant is None else claimant if isinstance(claimant, str) else claimant["name"]


def test_a_claimant_has_a_page_listing_their_claims_and_each_claim_links_its_claimant(built_site):
    assert listed(built_site, "claimants/tom-barrack") == [f"{SLUG}/withdrawal-timeline/"]
    claim = soup(built_site / SLUG / "withdrawal-timeline" / "index.html")
    assert claim.select_one(".fc-about a[href='../../claimants/tom-barrack/']").get_text() == "Tom Barrack"
    names = {a.get_text(): a["href"] for a in soup(built_site / "claimants" / "index.html").select(".fc-index a")}
    by_name: dict[str, list[str]] = {}
    for claim_id, data in sorted(claim_files().items()):
        by_name.setdefault(claimant_of(data), []).append(f"{SLUG}/{claim_id}/")
        page = soup(built_site / SLUG / claim_id / "index.html")
        link = page.select_one(".fc-about dd a")
        assert link.get_text() == claimant_of(data) and link["href"] == f"../../claimants/{names[link.get_text()]}"
    assert set(names) == set(by_name) >= {"Tom Barrack", "Bloomberg", "Twin City Report"}
    for name, claims in by_name.items():
        assert sorted(listed(built_site, f"claimants/{names[name]}".rstrip("/"))) == claims, name


def test_every_verdict_in_use_has_its_page_linking_every_claim_with_it(built_site):
    verdicts: dict[str, list[str]] = {}
    for claim_id, data in claim_files().items():
        verdicts.setdefault(str(data["verdict"]), []).append(f"{SLUG}/{claim_id}/")
    index = {a["href"] for a in soup(built_site / "verdicts" / "index.html").select(".fc-index a")}
    assert index == {f"{r['key']}/" for r in scale()}
    for verdict, claims in verdicts.items():
        assert sorted(listed(built_site, f"verdicts/{verdict}")) == sorted(claims), verdict
        page = soup(built_site / "verdicts" / verdict / "index.html")
        assert page.select_one(".fc-scorecard .fc-badge__count").get_text() == str(len(claims))


def test_most_claims_carry_topics_and_every_topic_has_its_page(built_site):
    files = claim_files()
    assert sum(bool(data.get("topics")) for data in files.values()) >= 0.8 * len(files)
    index = {a["href"] for a in soup(built_site / "topics" / "index.html").select(".fc-index a")}
    assert index == {f"{t['key']}/" for t in topics()}
    for topic in topics():
        claims = sorted(f"{SLUG}/{cid}/" for cid, data in files.items() if topic["key"] in data.get("topics", []))
        assert claims and sorted(listed(built_site, f"topics/{topic['key']}")) == claims, topic["key"]
    for claim_id, data in files.items():
        page = soup(built_site / SLUG / claim_id / "index.html")
        shown = [a["href"] for a in page.select(".fc-about dd + dt + dd a")]
        assert shown == [f"../../topics/{key}/" for key in data.get("topics", [])], claim_id


def test_the_home_page_links_the_three_ways_to_browse(built_site):
    hrefs = {a["href"].removeprefix("./") for a in soup(built_site / "index.html").select(".md-content a[href]")}
    assert {"claimants/", "topics/", "verdicts/"} <= hrefs


def test_a_long_listing_is_paginated(long_listing_site):
    """250 claims of one verdict: three pages of 100, 100 and 50, each linking the others (previous, next and
    numbered), every claim on exactly one of them, newest first; the other listings are in pages of 100 at most."""
    from test_html_validity import crawl  # the link checker: every link and anchor of the site resolves
    base = long_listing_site / "verdicts" / "opinion"
    pages = [base / "index.html", base / "page" / "2" / "index.html", base / "page" / "3" / "index.html"]
    assert not (base / "page" / "1").exists() and not (base / "page" / "4").exists()
    seen, dates = [], []
    for number, path in enumerate(pages, start=1):
        page = soup(path)
        rows = page.select(".fc-listing li")
        assert len(rows) == (100 if number < 3 else 50)
        seen += [(path.parent / row.select_one("a")["href"]).resolve() for row in rows]
        dates += [row.find("time")["datetime"] for row in rows]
        nav = page.select_one("nav.fc-pages")
        links = {a.get_text(strip=True): (path.parent / a["href"] / "index.html").resolve() for a in nav.select("a")}
        assert {links[str(n)] for n in (1, 2, 3)} == set(pages)
        assert links.get("Previous") == (pages[number - 2] if number > 1 else None)
        assert links.get("Next") == (pages[number] if number < 3 else None)
        assert nav.select_one('[aria-current="page"]').get_text() == str(number)
    assert len(seen) == 250 == len(set(seen)) and all((p / "index.html").is_file() for p in seen)
    assert dates == sorted(dates, reverse=True)
    for kind in ("claimants", "topics", "verdicts"):
        for listing in (long_listing_site / kind).rglob("index.html"):
            assert len(soup(listing).select(".fc-listing li")) <= 100, listing
    result = crawl(long_listing_site, SITE_URL)
    assert not result.problems, result.problems[:10]


def test_a_headline_read_from_the_address_is_labelled_so(built_site):
    """A title taken from the page's web address (title_from: address) says so beside it, on claim pages and in
    "What happened next"; a headline the page shows carries no label."""
    front_matter = yaml.safe_load((ROOT / "content" / f"{SLUG}.md").read_text(encoding="utf-8").split("---")[1])
    pages = [(built_site / SLUG / claim_id / "index.html", data.get("sources", []))
             for claim_id, data in claim_files().items()]
    pages.append((built_site / SLUG / "index.html", [s for item in front_matter["next"] for s in item["sources"]]))
    labelled = 0
    for path, sources in pages:
        shown = soup(path).select(".fc-sources > li")
        assert len(shown) == len(sources), path
        for source, item in zip(sources, shown):
            cite = item.select_one(".fc-source__cite")
            label = cite.select_one(".fc-source__title-from")
            assert cite.select_one("cite").get_text() == " ".join(str(source["title"]).split())
            if source.get("title_from") == "address":
                labelled += 1
                assert label.get_text() == "(headline as in the page's web address)", source["url"]
                assert label.find_previous_sibling("cite") is not None  # right after the title
            else:
                assert label is None, source["url"]
    assert labelled >= 1
