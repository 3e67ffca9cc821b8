"""The web editor's configuration (admin/config.yml) comes from the schemas and the scale: every field its widget,
the scale's labels over its keys, dates as dates, lists with their own fields, required fields required, patterns and
lengths as validation; a collection per article; a field added to a schema gets a widget with no code change, and
one the editor cannot offer stops the build with a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml

from conftest import ROOT, run_build
from factcheck import load

SLUG = "turkey-s400-f35"


def config_of(project) -> dict:
    run_build(project)
    return yaml.safe_load((project / "generated" / "admin" / "config.yml").read_text(encoding="utf-8"))


def by_name(fields_: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields_}


def test_every_field_has_its_widget_from_the_schemas_and_the_scale(project):
    config = config_of(project)
    assert config["publish_mode"] == "editorial_workflow" and config["backend"]["name"] == "github"
    assert config["local_backend"] is True
    claims = next(c for c in config["collections"] if c["name"] == f"claims-{SLUG}")
    assert (claims["folder"], claims["extension"], claims["format"]) == (f"claims/{SLUG}", "yaml", "yaml")
    fields_ = by_name(claims["fields"])
    schema = json.loads((ROOT / "schemas" / "claim.schema.json").read_text(encoding="utf-8"))
    assert list(fields_) == list(schema["properties"])  # the schema's order, which is the files' order
    assert {n for n, f in fields_.items() if f["required"]} == set(schema["required"])
    scale = load.load_yaml(ROOT / "claims" / "ratings.yaml").data["ratings"]
    assert fields_["verdict"]["options"] == [{"label": r["label"], "value": r["key"]} for r in scale]
    assert fields_["checked"]["widget"] == "datetime" and fields_["checked"]["format"] == "YYYY-MM-DD"
    assert fields_["analysis"]["widget"] == "markdown"
    sources = by_name(fields_["sources"]["fields"])
    assert fields_["sources"]["widget"] == "list" and {"lang", "translation", "archived_url"} <= set(sources)
    assert sources["url"]["required"] and not sources["lang"]["required"]
    assert by_name(fields_["updates"]["fields"])["previous_verdict"]["widget"] == "select"
    regex, asks = fields_["summary"]["pattern"]
    assert "at most 3,000 characters" in asks and "not blank" in asks
    summary = re.compile(regex)  # the JavaScript pattern, which Python reads the same way here
    assert summary.search("A reason.") and not summary.search("   \n ") and not summary.search("x" * 3001)
    assert re.compile(sources["url"]["pattern"][0]).search("https://example.org/x")
    assert not re.compile(sources["url"]["pattern"][0]).search("javascript:alert(1)")
    articles = next(c for c in config["collections"] if c["name"] == "articles")
    assert articles["format"] == "yaml-frontmatter" and by_name(articles["fields"])["body"]["widget"] == "text"


def test_a_new_article_gets_its_collection_and_a_new_schema_field_its_widget(project):
    (project / "content" / "second.md").write_text("---\ntitle: A second article\n---\n\nThe bridge opened.\n",
                                                   encoding="utf-8")
    (project / "claims" / "second").mkdir()
    schema_path = project / "schemas" / "claim.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["claimant"] = {"$ref": "#/$defs/text", "description": "Who made the claim."}
    schema["properties"]["topics"] = {"type": "array", "items": {"enum": ["defence", "diplomacy"]}}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    config = config_of(project)
    collections = {c["name"]: c for c in config["collections"]}
    assert collections["claims-second"]["folder"] == "claims/second"
    fields_ = by_name(collections[f"claims-{SLUG}"]["fields"])
    assert fields_["claimant"]["widget"] == "string" and fields_["claimant"]["hint"] == "Who made the claim."
    assert fields_["topics"] == {**fields_["topics"], "widget": "select", "multiple": True,
                                 "options": ["defence", "diplomacy"]}


def test_a_schema_field_the_editor_cannot_offer_stops_the_build(project):
    schema_path = project / "schemas" / "claim.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["odd"] = {"type": "object"}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the web editor has no widget for claim.schema.json: properties.odd" in result.stderr
