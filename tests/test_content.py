"""The editorial standard, checked over the real content (not fixtures)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import build
from factcheck import render

SITE = build.read_site_settings(build.ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def publication():
    publication, pages, problems = build.assemble(build.ROOT, SITE)
    assert not problems, "\n".join(map(str, problems))  # includes: every quote anchors exactly once
    return publication


def rated(publication):
    return [c for c in publication.claims if publication.scale[c.verdict].is_rating]


def test_the_fact_check_is_complete(publication):
    assert len(rated(publication)) >= 15


def test_every_rated_claim_has_a_source_with_url_and_excerpt(publication):
    for claim in rated(publication):
        assert any(s.url and s.excerpt for s in claim.sources), claim.id


def test_excerpts_are_short_quotations(publication):
    for claim in publication.claims:
        for source in claim.sources:
            assert source.excerpt is None or len(source.excerpt.split()) <= 40, (claim.id, source.url)


def test_false_and_misleading_verdicts_have_two_independent_sources(publication):
    for claim in publication.claims:
        if claim.verdict in ("false", "misleading"):
            domains = {render.host(s.url) for s in claim.sources}
            assert len(domains) >= 2, claim.id


def test_every_sentence_is_classified(publication):
    for article in publication.articles:
        view = render.article_view(publication, article)
        assert view.coverage.unaccounted == (), article.slug
        assert view.coverage.checked + view.coverage.annotated == view.coverage.total


def test_no_two_claims_share_a_quote(publication):
    quotes = [" ".join(c.quote.split()) for c in publication.claims]
    assert len(quotes) == len(set(quotes))


def test_article_level_research_is_present(publication):
    for article in publication.articles:
        assert article.assessment and article.developments and article.url
        assert all(d.sources for d in article.developments)
        assert urlsplit(article.url).scheme == "https"
