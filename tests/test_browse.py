"""Claimants and topics as data, and the listings built from them (factcheck/listings.py): the validation's errors and
warnings at their lines, the addresses, the page windows. The pages themselves are tested on the built sites
(test_site.py), and at 2,000 claims in test_scale.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from factcheck import listings, pipeline, settings

SLUG = "turkey-s400-f35"
BARRACK = f"claims/{SLUG}/withdrawal-timeline.yaml"  # claimant: Tom Barrack
OTHER = f"claims/{SLUG}/idle-f35s.yaml"  # the publisher's claim
TOPICS = "claims/topics.yaml"


def assemble(root: Path) -> pipeline.Assembly:
    return pipeline.assemble(settings.options(root))


def problems(root: Path) -> list[str]:
    return [("" if p.is_error else "warning: ") + str(p.relative_to(root)) for p in assemble(root).problems]


def line_of(root: Path, relative: str, start: str) -> int:
    lines = (root / relative).read_text("utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


def set_line(root: Path, relative: str, start: str, new: str) -> int:
    """Replace the entry starting with `start`, its line and the indented lines that continue it (the editor's form
    writes lists and objects in blocks), by the line `new` (or, if none, add `new` after the verdict); return its
    number."""
    path = root / relative
    lines = path.read_text("utf-8").split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith(start)), None)
    if at is None:
        at = next(i for i, line in enumerate(lines) if line.startswith("verdict:")) + 1
        lines.insert(at, new)
    else:
        end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith((" ", "\t")))
        lines[at:end] = [new]
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


# --- the data: errors at their lines ---------------------------------------------------------------------------

def test_the_real_publication_builds_with_its_claimants_and_topics():
    publication = assemble(ROOT).publication
    claims = {c.id: c for c in publication.claims}
    assert claims["withdrawal-timeline"].claimant.name == "Tom Barrack"
    assert publication.claimant_of(claims["idle-f35s"]).name == "Twin City Report"
    assert {t.key for c in claims.values() for t in c.topics} == set(publication.topics.keys)


@pytest.mark.parametrize("value, expected", [
    ("topics: [s-400, sanctons]", r"{line}:\d+: topics\.1: 'sanctons' is not a topic of claims/topics\.yaml "
                                  r"\(did you mean 'sanctions'\?\)"),
    ("topics: [s-400, s-400]", r"{line}:1: topics: .* has non-unique elements"),
    ("topics: []", r"{line}:1: topics: \[\] should be non-empty"),
    ("topics: s-400", r"{line}:1: topics: 's-400' is not of type 'array'"),
    ("claimant: ''", r"{line}:1: claimant: '' must not be blank"),
    ("claimant: [Tom Barrack]", r"{line}:1: claimant: \['Tom Barrack'\] is not of type 'string' or 'object'"),
    ("claimant: {name: Tom Barrack, type: robot}",
     r"{line}:\d+: claimant\.type: 'robot' is not one of person, organization"),
    ("claimant: {name: Tom Barrack, type: person, homepage: x}",
     r"{line}:\d+: unknown key 'homepage'; allowed keys: name, type, url"),
    ("claimant: {name: Tom Barrack}", r"{line}:\d+: missing required key 'type' in claimant"),
    ("claimant: {name: Tom Barrack, type: person, url: 'javascript:alert(1)'}",
     r"{line}:\d+: claimant\.url: 'javascript:alert\(1\)' is not an http\(s\) URL with a host"),
    ("claimant: {name: Tom Barrack, type: person, url: 'https://state.example@evil.example/'}",
     r"{line}:\d+: claimant\.url: .* has user information before the host"),
])
def test_a_wrong_claimant_or_topic_is_an_error_at_its_line(project, value, expected):
    line = set_line(project, BARRACK, value.split(":")[0] + ":", value)
    found = problems(project)
    assert any(re.match(f"{re.escape(BARRACK)}:" + expected.format(line=line), p) for p in found), found
    assert assemble(project).publication is None  # an error: nothing is written


def test_a_broken_vocabulary_is_an_error_at_its_line(project):
    text = (project / TOPICS).read_text("utf-8")
    (project / TOPICS).write_text(text.replace("  - key: f-35", "  - key: s-400", 1).replace(
        "key: nato", "key: NATO", 1), encoding="utf-8")
    found = problems(project)
    nato = line_of(project, TOPICS, "  - key: NATO")
    assert f"{TOPICS}:{nato}:5: topics.6.key: 'NATO' does not match '^[a-z0-9][a-z0-9-]*$'" in found, found
    (project / TOPICS).write_text(text.replace("  - key: f-35", "  - key: s-400", 1), encoding="utf-8")
    twice = line_of(project, TOPICS, "  - key: s-400") + 3
    assert f"{TOPICS}:{twice}:5: topic key 's-400' appears twice" in problems(project)


def test_a_vocabulary_that_does_not_parse_is_one_error(project):
    (project / TOPICS).write_text("topics: [\n", encoding="utf-8")
    errors = [p for p in problems(project) if not p.startswith("warning")]
    assert len(errors) == 1 and errors[0].startswith(f"{TOPICS}:2:1: "), errors


def test_without_a_vocabulary_a_topic_is_an_error(project):
    (project / TOPICS).unlink()
    found = problems(project)
    line = line_of(project, BARRACK, "  - s-400")  # the first item of its topics
    assert any(re.fullmatch(rf"{re.escape(BARRACK)}:{line}:\d+: topics\.0: 's-400' is not a topic of "
                            r"claims/topics\.yaml \(it lists none\)", p) for p in found), found


def test_a_vocabulary_that_is_a_symbolic_link_is_not_followed(project, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((project / TOPICS).read_text("utf-8"), encoding="utf-8")
    (project / TOPICS).unlink()
    (project / TOPICS).symlink_to(outside)
    errors = {p for p in problems(project) if not p.startswith("warning")}  # (listing claims/ reports it too)
    assert errors == {f"{TOPICS}: is a symbolic link: the build reads only regular files (a link can point outside "
                      "the repository)"}  # and nothing about the claims' topics it would have listed


# --- the rules across files: warnings naming both files ----------------------------------------------------------

def test_an_unused_topic_is_a_warning_at_its_line(project):
    with (project / TOPICS).open("a", encoding="utf-8") as handle:
        handle.write("  - key: energy\n    label: Energy\n    description: Oil, gas and pipelines.\n")
    line = line_of(project, TOPICS, "  - key: energy")
    assert problems(project) == [f"warning: {TOPICS}:{line}:5: topic 'energy' is given to no claim: add it to the "
                                 "claims it is about, or remove it"]
    assert "No claim about Energy yet." in dict(assemble(project).pages)["topics/energy/index.md"]  # its page exists


@pytest.mark.parametrize("spelling", ["Tom barrack", "Tom Barráck", "Tom  Barrack", "TomBarrack"])
def test_a_claimant_spelled_twice_is_a_warning_naming_both_files(project, spelling):
    first = set_line(project, OTHER, "claimant:", f"claimant: {spelling}")  # the earlier file of the two
    line = line_of(project, BARRACK, "claimant:")
    assert problems(project) == [
        f"warning: {BARRACK}:{line}:1: claimant 'Tom Barrack' differs from '{spelling}' ({OTHER}:{first}) only by "
        "case, accents or spacing: names are matched exactly, so these are two claimants with two pages; write one "
        "name one way"]


def test_two_names_with_one_address_are_told_apart_and_a_warning_says_so(project):
    line = set_line(project, OTHER, "claimant:", "claimant: Tom-Barrack")
    first = line_of(project, BARRACK, "claimant:")
    assert problems(project) == [  # "Tom Barrack" comes first in alphabetical order: it keeps the plain address
        f"warning: {OTHER}:{line}:1: claimants 'Tom-Barrack' and 'Tom Barrack' ({BARRACK}:{first}) would share the "
        "page claimants/tom-barrack/, so 'Tom-Barrack' is published at claimants/tom-barrack-2/: write them alike if "
        "they are one claimant"]
    pages = dict(assemble(project).pages)
    assert "withdrawal-timeline" in pages["claimants/tom-barrack/index.md"]
    assert "idle-f35s" in pages["claimants/tom-barrack-2/index.md"]


def test_one_name_with_two_types_is_a_warning(project):
    line = set_line(project, OTHER, "claimant:", "claimant: Twin City Report")  # a bare name is a person
    publisher = line_of(project, f"content/{SLUG}.md", "publisher:")
    assert problems(project) == [
        f"warning: content/{SLUG}.md:{publisher}:1: claimant 'Twin City Report' is an organization here but a "
        f"person in {OTHER}:{line}: one name is one claimant, make them agree"]


# --- addresses and pages ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, slug", [
    ("Tom Barrack", "tom-barrack"), ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
    ("Владимир Путин", "vladimir-putin"), ("Lars Østergaard", "lars-ostergaard"), ("İbrahim Kalın", "ibrahim-kalin"),
    ("U.S. Department of State", "u-s-department-of-state"), ("  Spaced   out  ", "spaced-out"),
])
def test_claimant_addresses_are_lowercase_ascii_with_hyphens(name, slug):
    assert listings.claimant_slug(name) == slug


def test_a_name_without_letters_gets_an_address_all_the_same():
    made = listings.claimant_slug("—")
    assert re.fullmatch(r"claimant-[0-9a-f]{8}", made) and made != listings.claimant_slug("…")
    assert len(listings.claimant_slug("Name " * 100)) <= 80


def test_names_that_share_an_address_are_numbered_and_never_take_anothers():
    slugs = listings.claimant_slugs(["Tom-Barrack", "Tom Barrack", "tom barrack", "Tom Barrack 2"])
    assert slugs == {"Tom Barrack": "tom-barrack", "Tom-Barrack": "tom-barrack-3", "tom barrack": "tom-barrack-4",
                     "Tom Barrack 2": "tom-barrack-2"}


@pytest.mark.parametrize("current, last, shown", [
    (1, 1, (1,)), (1, 3, (1, 2, 3)), (2, 3, (1, 2, 3)), (1, 7, (1, 2, 3, None, 7)), (4, 7, (1, 2, 3, 4, 5, 6, 7)),
    (10, 40, (1, None, 8, 9, 10, 11, 12, None, 40)), (40, 40, (1, None, 38, 39, 40)),
    (5, 40, (1, 2, 3, 4, 5, 6, 7, None, 40)),
])
def test_page_numbers_are_windowed_with_the_first_and_last_always_shown(current, last, shown):
    assert listings.page_numbers(current, last) == shown


def test_pages_link_each_other_relatively():
    listing = listings.Listing("verdicts", "false", "False", None, (), 250)
    first, third = listings.ListingPage(listing, 1, ()), listings.ListingPage(listing, 3, ())
    assert (first.file, third.file) == ("verdicts/false/index.md", "verdicts/false/page/3/index.md")
    assert [first.href(n) for n in (1, 2, 3)] == ["./", "page/2/", "page/3/"]
    assert [third.href(n) for n in (1, 2, 3)] == ["../../", "../../page/2/", "../../page/3/"]
    assert (first.root, third.root, third.first, listing.pages) == ("../../", "../../../../", 201, 3)
