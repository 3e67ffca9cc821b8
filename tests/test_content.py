"""The editorial standard over the real content: the build's own rules (factcheck/rules.py) must find nothing,
not even a warning, and the fact-check must be substantial. The rules themselves are tested in test_rules.py."""

from __future__ import annotations

import pytest

from conftest import ROOT
from factcheck import pipeline, settings


@pytest.fixture(scope="module")
def assembly():
    return pipeline.assemble(settings.options(ROOT))


def test_the_build_finds_no_problem_not_even_a_warning(assembly):
    assert assembly.publication is not None
    assert not assembly.problems, "\n".join(map(str, assembly.problems))


def test_the_fact_check_is_complete(assembly):
    rated = [c for c in assembly.publication.claims if c.rating.is_rating]
    assert len(rated) >= 15
    assert {c.rating.key for c in rated} >= {"false", "misleading", "mostly-true"}
