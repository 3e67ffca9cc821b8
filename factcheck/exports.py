"""Machine-readable views of the publication: ClaimReview JSON-LD, claims.json and claims.csv.

claims.json format (version 2): {"format": "annotated-check/claims", "version": 2, "publisher": {...},
"claims": [one object per claim, see `claim_record`]}. Fields are only ever added within a version;
a renamed or removed field bumps the version (`history` was added within version 2).
"""

from __future__ import annotations

import csv
import io
import json

from .model import Article, Claim, Publication, Scale, Source

FORMAT = "annotated-check/claims"
VERSION = 2  # 2: sources carry lang (always) and translation; ClaimReview lists every appearance
CSV_FIELDS = ("article", "article_title", "claim_id", "url", "quote", "claim", "verdict", "verdict_label",
              "rating_value", "summary", "checked", "modified", "source_urls", "source_excerpts",
              "source_translations")


def claim_url(site, claim: Claim) -> str:
    return site.url + claim.permalink


def claim_review(site, scale: Scale, article: Article, claim: Claim) -> dict | None:
    """schema.org ClaimReview for one claim, as Google's fact-check guidelines describe it; None for annotations."""
    rating = claim.rating
    if not rating.is_rating:
        return None
    review_rating = {"@type": "Rating", "alternateName": rating.label}
    if rating.ordinal is not None:
        review_rating.update(ratingValue=rating.ordinal, bestRating=scale.best, worstRating=scale.worst)
    item = {"@type": "Claim"}
    if article.publisher or article.author:
        item["author"] = {"@type": "Organization" if not article.author else "Person",
                          "name": article.author or article.publisher}
    if article.published:
        item["datePublished"] = article.published.isoformat()
    appearances = [url for url in (article.url, *(a.url for a in article.appearances)) if url]
    if appearances:
        item["appearance"] = [{"@type": "CreativeWork", "url": url} for url in appearances]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(site, claim),
        "claimReviewed": claim.claim,
        "reviewRating": review_rating,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": site.publisher, "url": site.publisher_url},
        "datePublished": claim.checked.isoformat(),
        "dateModified": claim.modified.isoformat(),
    }


def _source_record(source: Source) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in source.__dict__.items() if value is not None}


def claim_record(site, publication: Publication, claim: Claim) -> dict:
    rating = claim.rating
    article = publication.article[claim.article]
    return {
        "article": {"slug": article.slug, "title": article.title, "url": article.url, "publisher": article.publisher,
                    "published": article.published.isoformat() if article.published else None},
        "id": claim.id,
        "url": claim_url(site, claim),
        "quote": claim.quote,
        "claim": claim.claim,
        "verdict": {"key": rating.key, "label": rating.label, "kind": rating.kind, "rating_value": rating.ordinal},
        "summary": claim.summary,
        "checked": claim.checked.isoformat(),
        "modified": claim.modified.isoformat(),
        "sources": [_source_record(s) for s in claim.sources],
        "updates": [{"date": u.date.isoformat(), "note": u.note,
                     "previous_verdict": u.previous.key if u.previous else None}
                    for u in claim.updates],
        # Every commit that changed the claim's file, newest first; null when the build had no complete history.
        "history": [{"commit": c.commit, "date": c.date.isoformat(), "verdict": c.verdict}
                    for c in publication.history.of(claim.source_file)] if publication.history.complete else None,
    }


def claim_chunks(site, publication: Publication, claim: Claim) -> tuple[str, str]:
    """One claim's part of claims.json (its record, indented as inside the "claims" list) and of claims.csv (its
    row), so that the preview re-encodes only the claims an edit changed."""
    record = claim_record(site, publication, claim)
    text = json.dumps(record, ensure_ascii=False, indent=2)
    return "\n".join("    " + line for line in text.split("\n")), _csv_row(claim, record)


def claims_json_from(site, records: list[str]) -> str:
    """claims.json from the claims' chunks: byte for byte json.dumps(..., indent=2) of the whole document (a test
    checks it), without re-encoding every claim."""
    head = {"format": FORMAT, "version": VERSION, "publisher": {"name": site.publisher, "url": site.publisher_url},
            "claims": []}
    text = json.dumps(head, ensure_ascii=False, indent=2)
    if records:
        text = text.removesuffix("[]\n}") + "[\n" + ",\n".join(records) + "\n  ]\n}"
    return text + "\n"


def _cell(value: object) -> object:
    """Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula: quote it as text."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_row(claim: Claim, record: dict) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_FIELDS, lineterminator="\n")
    writer.writerow({key: _cell(value) for key, value in {
        "article": claim.article, "article_title": record["article"]["title"], "claim_id": claim.id,
        "url": record["url"], "quote": claim.quote, "claim": claim.claim, "verdict": claim.verdict,
        "verdict_label": record["verdict"]["label"], "rating_value": record["verdict"]["rating_value"] or "",
        "summary": claim.summary, "checked": record["checked"], "modified": record["modified"],
        "source_urls": " ".join(s.url for s in claim.sources),
        # One line per source, in the same order as source_urls; an English excerpt has no translation.
        "source_excerpts": "\n".join(s.excerpt or "" for s in claim.sources),
        "source_translations": "\n".join(s.translation or "" for s in claim.sources)}.items()})
    return buffer.getvalue()


def claims_csv_from(rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, CSV_FIELDS, lineterminator="\n").writeheader()
    return buffer.getvalue() + "".join(rows)
