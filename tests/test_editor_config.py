"""The web editor's configuration (admin/config.yml) comes from the schemas, the scale and the topic vocabulary: every
field of every schema, at every level, its widget; the scale's and the topics' labels over their keys, dates as dates,
lists with their own fields, the claimant as a name or an object, required fields required, patterns and lengths as
validation; a collection per article; the repository and login from the build's settings; a field added to a schema
gets a widget with no code change, and one the editor cannot offer stops the build with a clear message."""

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


def schema_tree(schema: dict, here: str, schemas: dict) -> dict:
    """Every property of a schema, at every level, as {name: (required, its own properties)}: `$ref`, `allOf`, a
    list's items and an anyOf's object followed. Read here without factcheck/fields.py, so that a field the editor
    leaves out is seen even if fields.py is what loses it."""
    def resolve(node: dict, home: str) -> tuple[dict, str]:
        while "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            home = target or home
            found = schemas[home]
            for part in filter(None, pointer.split("/")):
                found = found[part]
            node = {**found, **{k: v for k, v in node.items() if k != "$ref"}}
        for member in node.get("allOf", ()):
            node = {**resolve(member, home)[0], **node}
        if node.get("type") == "array":
            return resolve(node["items"], home)
        objects = [b for b in (resolve(b, home) for b in node.get("anyOf", ())) if "properties" in b[0]]
        return objects[0] if objects else (node, home)

    node, home = resolve(schema, here)
    return {name: (name in node.get("required", ()), schema_tree(sub, home, schemas))
            for name, sub in node.get("properties", {}).items()}


def form_tree(fields_: list[dict]) -> dict:
    """The same shape, read from the editor's fields."""
    return {f["name"]: (f["required"], form_tree(f.get("fields", []))) for f in fields_}


def test_every_schema_field_at_every_level_is_in_the_form_in_order(project):
    """The claim and article forms hold exactly the schemas' fields, nested ones included (a source's, an update's,
    the claimant's), in the schemas' order, required where the schema requires them."""
    config = config_of(project)
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.schema.json")}
    collections = {c["name"]: c for c in config["collections"]}
    claim_form = form_tree(collections[f"claims-{SLUG}"]["fields"])
    article_form = form_tree([f for f in collections["articles"]["fields"] if f["name"] != "body"])
    claim_schema = schema_tree(schemas["claim.schema.json"], "claim.schema.json", schemas)
    article_schema = schema_tree(schemas["article.schema.json"], "article.schema.json", schemas)
    assert claim_form == claim_schema and article_form == article_schema
    assert json.dumps(claim_form) == json.dumps(claim_schema)  # the order too
    assert json.dumps(article_form) == json.dumps(article_schema)
    assert {"claimant", "topics", "sources", "updates"} <= set(claim_form)
    assert {"title_from", "lang", "translation", "archived_url"} <= set(claim_form["sources"][1])
    assert list(claim_form["claimant"][1]) == ["name", "type", "url"]


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
    updates = by_name(fields_["updates"]["fields"])
    assert updates["previous_verdict"]["widget"] == "select"
    # An update's note is Markdown that may not be blank: its schema has the pattern beside the $ref, under allOf.
    assert updates["note"]["widget"] == "markdown" and "not blank" in updates["note"]["pattern"][1]
    assert sources["title_from"] == {**sources["title_from"], "widget": "select", "options": ["address"]}
    topics = load.load_yaml(ROOT / "claims" / "topics.yaml").data["topics"]
    assert fields_["topics"] == {**fields_["topics"], "widget": "select", "multiple": True, "min": 1, "max": 10,
                                 "options": [{"label": t["label"], "value": t["key"]} for t in topics]}
    claimant = fields_["claimant"]
    assert (claimant["widget"], claimant["text_field"], claimant["required"]) == ("text_or_object", "name", False)
    parts = by_name(claimant["fields"])
    assert parts["type"]["options"] == ["person", "organization"] and parts["type"]["required"]
    assert re.compile(parts["url"]["pattern"][0]).search("https://example.org/")
    regex, asks = fields_["summary"]["pattern"]
    assert "at most 3,000 characters" in asks and "not blank" in asks
    summary = re.compile(regex)  # the JavaScript pattern, which Python reads the same way here
    assert summary.search("A reason.") and not summary.search("   \n ") and not summary.search("x" * 3001)
    assert re.compile(sources["url"]["pattern"][0]).search("https://example.org/x")
    assert not re.compile(sources["url"]["pattern"][0]).search("javascript:alert(1)")
    articles = next(c for c in config["collections"] if c["name"] == "articles")
    assert articles["format"] == "yaml-frontmatter" and by_name(articles["fields"])["body"]["widget"] == "text"


def test_every_pattern_is_named_in_words(project):
    """Editors read what a field asks for ("a date written YYYY-MM-DD"), never a regular expression: a schema
    pattern the form has no words for (cms.PATTERN_NAMES) fails here, as a changed date pattern did."""
    def patterns(fields_):
        for field in fields_:
            if "pattern" in field:
                yield field["name"], field["pattern"][1]
            yield from patterns(field.get("fields", []))
    found = [p for collection in config_of(project)["collections"] for p in patterns(collection["fields"])]
    assert found and not [(name, asks) for name, asks in found if "the pattern" in asks], found


def test_a_new_article_gets_its_collection_and_a_new_schema_field_its_widget(project):
    (project / "content" / "second.md").write_text("---\ntitle: A second article\n---\n\nThe bridge opened.\n",
                                                   encoding="utf-8")
    (project / "claims" / "second").mkdir()
    schema_path = project / "schemas" / "claim.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["region"] = {"$ref": "#/$defs/name", "description": "Where the claim is about."}
    schema["properties"]["sectors"] = {"type": "array", "items": {"enum": ["defence", "diplomacy"]}}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    config = config_of(project)
    collections = {c["name"]: c for c in config["collections"]}
    assert collections["claims-second"]["folder"] == "claims/second"
    fields_ = by_name(collections[f"claims-{SLUG}"]["fields"])
    assert fields_["region"]["widget"] == "string" and fields_["region"]["hint"] == "Where the claim is about."
    assert fields_["sectors"] == {**fields_["sectors"], "widget": "select", "multiple": True,
                                  "options": ["defence", "diplomacy"]}


def test_a_schema_field_the_editor_cannot_offer_stops_the_build(project):
    schema_path = project / "schemas" / "claim.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["odd"] = {"type": "object"}
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the web editor has no widget for claim.schema.json: properties.odd" in result.stderr


def test_the_editor_saves_to_the_builds_repository_and_logs_in_as_configured(project):
    """The repository and branch are the site's (REPO_URL, REPO_BRANCH: factcheck/settings.py), as the edit links'
    are; the GitHub login's service and domain come from CMS_AUTH_URL and CMS_SITE_DOMAIN (or mkdocs.yml's
    extra.editor), and make edit's proxy from CMS_LOCAL_BACKEND."""
    env = {"REPO_URL": "https://github.com/newsroom/checks", "REPO_BRANCH": "trunk",
           "CMS_AUTH_URL": "https://auth.newsroom.test", "CMS_SITE_DOMAIN": "checks.newsroom.test",
           "CMS_LOCAL_BACKEND": "http://127.0.0.1:8099/api/v1"}
    run_build(project, env=env)
    config = yaml.safe_load((project / "generated" / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {"name": "github", "repo": "newsroom/checks", "branch": "trunk", "squash_merges": True,
                                 "base_url": "https://auth.newsroom.test", "site_domain": "checks.newsroom.test"}
    assert config["local_backend"] == {"url": "http://127.0.0.1:8099/api/v1"}
    claim_page = (project / "generated" / SLUG / "ambassador-name" / "index.md").read_text(encoding="utf-8")
    assert "https://github.com/newsroom/checks/edit/trunk/claims/" in claim_page  # the same repository
    mkdocs = project / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "\nextra:\n", "\nextra:\n  editor:\n    auth_url: https://login.newsroom.test\n", 1), encoding="utf-8")
    run_build(project)
    config = yaml.safe_load((project / "generated" / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["base_url"] == "https://login.newsroom.test" and config["local_backend"] is True

