"""The web editor at /admin/: Decap CMS, configured from the same sources of truth as the rest of the build.

Fact-checkers edit claims and articles in a form; every save is a branch and a pull request (Decap's editorial
workflow), so an edit takes the path every other change takes. The build writes the editor's files into the docs
folder (templates/admin/ holds their templates):

- `admin/config.yml`: Decap's configuration, generated from the claim and article JSON schemas (factcheck/fields.py)
  and the rating scale: one collection per article's claims folder, so a new article gets its collection with no
  change to any configuration, and one for the articles. Each field gets its widget from its schema (the verdict a
  select over the scale, dates as dates, lists of sources and updates with their own fields, Markdown as Markdown),
  required fields are required, and the schema's patterns and length limits are the form's validation.
- `admin/index.html`: loads the CMS and our script from the site itself, with the scale's badges (rendered by the
  badge template readers see) and the fields' order for our script.
- `admin/editor.js`, `admin/preview.css`: the preview pane (the badge, summary and sources as readers will see them,
  and at once whether the quote is in the article, with the build's own normalisation) and the step before each
  save that orders every mapping's keys as the schema does and drops optional fields left empty, so that what the
  editor writes is exactly the repository's YAML form (factcheck/yamlform.py) and what the build accepts.
- `admin/articles/<slug>.json`: each article's paragraphs for that quote check.

Decap's prebuilt bundle is not generated: the site engine's stage copies it from node_modules (pinned by
package-lock.json) into the built site (copy_bundle), and `make serve`/`make edit` serve it from there
(factcheck/serve_hook.py). admin/ is plain HTML: neither engine puts it in the search index, the sitemap or the
navigation, and no reader page links to it or loads anything from it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from . import fields, yamlform
from .fields import Field, SchemaError
from .model import Problem, Publication, Scale, Site, Topic, Topics
from .settings import PROJECT

BUNDLE = PROJECT / "node_modules" / "decap-cms" / "dist"  # decap-cms.js, its chunks and licence
BUNDLE_DIR = "admin/decap"  # in the site
STATIC = ("editor.js", "preview.css")  # copied from templates/admin/ as they are
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?!\n)$"  # the schemas' (a final line break refused)
SHORT_TEXT = frozenset({"title", "publisher", "author"})  # one line even when the schema allows more
MULTILINE_FROM = 300  # a text field allowed more characters than this is a text area
TEXT_OR_OBJECT = "text_or_object"  # our widget (admin/editor.js) for a field that is a text or an object (claimant)
PLACEHOLDER_REPO = "OWNER/REPOSITORY"


def github_repo(url: str) -> str:
    """ "owner/name" of a GitHub repository address (https://github.com/owner/name[.git]), or a placeholder."""
    parts = urlsplit(url.strip())
    path = [p for p in parts.path.removesuffix(".git").split("/") if p]
    if parts.scheme in ("http", "https") and parts.hostname == "github.com" and len(path) == 2:
        return "/".join(path)
    return PLACEHOLDER_REPO


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize().replace("url", "URL").replace("Url", "URL")


# How a form names what a pattern asks for (Decap shows "<field> didn't match the pattern: <this>").
PATTERN_NAMES = {r"\S": "text that is not blank", DATE_PATTERN: "a date written YYYY-MM-DD",
                 r"^https?://[^\s/?#]+": "an http(s) address with a host",
                 r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*(?!\n)$": "a language tag such as tr or pt-BR"}


def _pattern(field: Field) -> list[str] | None:
    """The schema's pattern and length limits as one JavaScript regular expression, and what it asks for. (JSON
    Schema counts characters, JavaScript UTF-16 units: for emoji the form is a little stricter than the build.)"""
    schema = field.schema
    pattern, low, high = schema.get("pattern"), schema.get("minLength"), schema.get("maxLength")
    if pattern is None and low is None and high is None:
        return None
    asks = [PATTERN_NAMES.get(pattern, f"the pattern {pattern}")] if pattern is not None else []
    if high is not None:
        asks.append(f"at most {high:,} characters")
    if low is not None:
        asks.append(f"at least {low:,} characters")
    if low is None and high is None:
        return [pattern, ", ".join(asks)]
    length = "[\\s\\S]{%d,%s}" % (low or 0, "" if high is None else high)
    # A pattern matches anywhere in the text (JSON Schema's rule): looked for ahead, then the length from the start.
    regex = f"^{length}$" if pattern is None else f"^(?=[\\s\\S]*?(?:{pattern})){length}$"
    return [regex, ", ".join(asks)]


def _date() -> dict:
    return {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False,
            "picker_utc": True}


def vocabularies(scale: Scale, topics: Topics) -> dict[str, list[dict]]:
    """The lists a select offers by their labels while storing their keys: the scale's verdicts and the publication's
    topic vocabulary (claims/topics.yaml, whose keys the build checks claims against)."""
    return {"verdict": [{"label": r.label, "value": r.key} for r in scale.ratings],
            "topic": [{"label": t.label, "value": t.key} for t in topics.topics]}


def _vocabulary(field: Field) -> str | None:
    if field.name == "verdict" or field.name.endswith("_verdict"):  # an update's previous_verdict too
        return "verdict"
    return "topic" if field.definition == "topic" else None


def offered(field: Field, lists: dict[str, list[dict]]) -> bool:
    """Whether the form offers the field: not a choice from an empty vocabulary (a publication without
    claims/topics.yaml, whose claims carry no topics)."""
    return (vocabulary := _vocabulary(field)) is None or bool(lists[vocabulary])


def widget(field: Field, lists: dict[str, list[dict]], where: str) -> dict:
    """Decap's field for a schema field; `lists`: vocabularies()."""
    schema = field.schema
    out: dict = {"name": field.name, "label": _label(field.name), "required": field.required}
    if field.description:
        out["hint"] = field.description
    kind = schema.get("type")
    named = lists[vocabulary] if (vocabulary := _vocabulary(field)) else None
    if named is not None and kind != "array":  # keys stored, labels shown
        out.update(widget="select", options=named)
    elif kind == "array":
        out["widget"] = "list"
        if field.fields:
            out["fields"] = [widget(f, lists, f"{where}.{f.name}") for f in field.fields if offered(f, lists)]
            out["summary"] = "{{fields.%s}}" % next(
                (f.name for f in field.fields if f.name in ("title", "summary", "note", "url")), field.fields[0].name)
        elif field.item and "enum" in field.item:
            out.update(widget="select", multiple=True, options=named or list(field.item["enum"]))
        elif field.item and field.item.get("type") == "string":
            out["field"] = {"name": "item", "label": _label(field.name), "widget": "string"}
        else:
            raise SchemaError(f"{where}: a list of {field.item!r} has no editor widget")
        if "minItems" in schema:
            out["min"] = schema["minItems"]
        if "maxItems" in schema:
            out["max"] = schema["maxItems"]
        if out["widget"] == "list":  # a select has nothing to collapse
            out["collapsed"] = True
    elif field.shorthand:  # a text, or an object whose field `shorthand` the text stands for
        out.update(widget=TEXT_OR_OBJECT, text_field=field.shorthand,
                   fields=[widget(f, lists, f"{where}.{f.name}") for f in field.fields])
    elif field.fields:
        out.update(widget="object", fields=[widget(f, lists, f"{where}.{f.name}") for f in field.fields])
    elif "enum" in schema:
        out.update(widget="select", options=list(schema["enum"]))
    elif kind == "integer":
        out.update(widget="number", value_type="int")
        if "minimum" in schema:
            out["min"] = schema["minimum"]
    elif kind == "string" and (field.definition == "date" or schema.get("pattern") == DATE_PATTERN):
        out.update(_date())  # empty until the editor picks a date or presses "Now"
    elif kind == "string" and (field.definition == "markdown" or schema.get("description", "").startswith("Markdown")):
        # Raw first: the rich-text mode rewrites a field's Markdown in its own style when used.
        out.update(widget="markdown", modes=["raw", "rich_text"], buttons=[
            "bold", "italic", "link", "bulleted-list", "numbered-list", "quote", "code"], editor_components=[])
    elif kind == "string":
        long = schema.get("maxLength", 0) > MULTILINE_FROM and field.definition != "url" and field.name not in SHORT_TEXT
        out["widget"] = "text" if long else "string"
    else:
        raise SchemaError(f"{where}: {schema!r} has no editor widget")
    if kind == "string" and out.get("widget") != "select" and (pattern := _pattern(field)):
        out["pattern"] = pattern
    return out


def schema_problems(scale: Scale) -> list[Problem]:
    """A schema field the editor has no widget for, as a build error naming it (so a schema change cannot leave
    the editor behind), or nothing."""
    lists = vocabularies(scale, Topics((Topic("topic", "Topic", ""),)))  # any vocabulary: only widgets are asked
    try:
        for kind in fields.KINDS:
            for field in fields.of(kind):
                widget(field, lists, f"{fields.KINDS[kind]}: properties.{field.name}")
    except SchemaError as error:
        return [Problem(fields.SCHEMA_DIR, f"the web editor has no widget for {error}")]
    return []


def _shape(kind_fields: tuple[Field, ...]) -> list:
    """The fields' order and whether each is required, nested, for the script that tidies an entry before it is
    saved (editor.js)."""
    return [{"name": f.name, "required": f.required, **({"fields": _shape(f.fields)} if f.fields else {})}
            for f in kind_fields]


def config(publication: Publication, site: Site) -> dict:
    """Decap's configuration (written as admin/config.yml): it saves to the site's repository and branch (the
    settings, factcheck/settings.py: REPO_URL and REPO_BRANCH), logging in as site.editor says."""
    lists = vocabularies(publication.scale, publication.topics)
    claim_fields = [widget(f, lists, f"claim.{f.name}") for f in fields.of("claim") if offered(f, lists)]
    article_fields = [widget(f, lists, f"article.{f.name}") for f in fields.of("article") if offered(f, lists)]
    article_fields.append({"name": "body", "label": "Article text", "widget": "text", "required": True,
                           "hint": "The article word for word; paragraphs separated by blank lines."})
    login = site.editor
    backend = {"name": "github", "repo": github_repo(site.repo_url), "branch": site.repo_branch, "squash_merges": True}
    if login.auth_url:
        backend["base_url"] = login.auth_url
    if login.site_domain:
        backend["site_domain"] = login.site_domain
    collections = [{
        "name": "articles", "label": "Articles", "label_singular": "Article", "folder": "content",
        "extension": "md", "format": "yaml-frontmatter", "create": True, "identifier_field": "title",
        "slug": "{{fields.title | truncate(60)}}", "summary": "{{fields.title}}", "fields": article_fields}]
    for article in publication.articles:
        collections.append({
            "name": collection_name(article.slug), "label": f"Claims: {article.title}", "label_singular": "Claim",
            "folder": f"claims/{article.slug}", "extension": "yaml", "format": "yaml", "create": True,
            # A claim's id is its file name; Decap never renames a file it edits, and names a new claim from the
            # first words of its restatement.
            "identifier_field": "claim", "slug": "{{fields.claim | truncate(50)}}",
            "summary": "{{fields.verdict}} · {{fields.claim}}", "sortable_fields": ["claim", "verdict", "checked"],
            "fields": claim_fields})
    return {
        "backend": backend,
        "local_backend": {"url": login.local_backend} if login.local_backend else True,
        "publish_mode": "editorial_workflow",
        "site_url": site.url, "display_url": site.url,
        "media_folder": "content/media",  # Decap requires one; no field uploads anything
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }


def collection_name(slug: str) -> str:
    return f"claims-{slug}"


def files(publication: Publication, site: Site, env, templates: Path) -> dict[str, str]:
    """The editor's files in the docs folder, by path."""
    decap_config = config(publication, site)
    badge = env.get_template("partials/badge.html.j2").module.badge
    data = {
        "scale": {r.key: {"label": r.label, "kind": r.kind, "badge": str(badge(r))} for r in publication.scale.ratings},
        "topics": {t.key: t.label for t in publication.topics.topics},
        "collections": {**{collection_name(a.slug): {"kind": "claim", "article": a.slug}
                           for a in publication.articles}, "articles": {"kind": "article"}},
        "shapes": {"claim": _shape(fields.of("claim")), "article": _shape(fields.of("article"))},
    }
    out = {"admin/config.yml": yamlform.dump(decap_config),
           "admin/index.html": env.get_template("admin/index.html.j2").render(site=site, data=data)}
    for name in STATIC:
        out[f"admin/{name}"] = (templates / "admin" / name).read_text(encoding="utf-8")
    for article in publication.articles:
        out[f"admin/articles/{article.slug}.json"] = json.dumps(
            {"title": article.title, "paragraphs": list(article.paragraphs)}, ensure_ascii=False, indent=0) + "\n"
    return out


_BUNDLE_FILE = re.compile(r"^(?:\d+\.)?decap-cms\.js(?:\.LICENSE\.txt)?$|^[0-9a-f]+\.wasm$")


def bundle_files(bundle: Path = BUNDLE) -> list[Path]:
    """Decap's prebuilt bundle: decap-cms.js, the chunks it loads from its own folder, their licence, and the
    WebAssembly its image library loads (not the source maps, nor the same bundle under its older name cms.js)."""
    return sorted(p for p in bundle.iterdir() if _BUNDLE_FILE.match(p.name)) if bundle.is_dir() else []


def missing_bundle(bundle: Path = BUNDLE) -> Problem | None:
    if not (bundle / "decap-cms.js").is_file():
        return Problem(bundle.parent, "Decap CMS is not installed, so the site would have no editor: run `npm ci` "
                                      "(make site does)")
    return None


def copy_bundle(site_dir: Path, bundle: Path = BUNDLE) -> Problem | None:
    """Put Decap's bundle into a built site, beside the admin page that loads it."""
    if problem := missing_bundle(bundle):
        return problem
    target = site_dir / BUNDLE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for path in bundle_files(bundle):
        shutil.copyfile(path, target / path.name)
    return None
