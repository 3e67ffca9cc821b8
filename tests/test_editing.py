"""What editors and reviewers rely on: schema hints in every file, the schema in step with the scale, CI config."""

from __future__ import annotations

import json
import shutil
import subprocess

import yaml

from conftest import ROOT

HEADER = "# yaml-language-server: $schema="


def test_every_yaml_file_has_its_schema_in_editors():
    """Claims carry no comment (the web editor writes none), so editors' YAML tooling finds their schema in
    .vscode/settings.json; the scale and the topic vocabulary, which only people edit, name theirs on their first
    line too."""
    import fnmatch
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    claims = [p.relative_to(ROOT).as_posix() for p in (ROOT / "claims").glob("*/*.yaml")]
    assert claims and all(any(fnmatch.fnmatch(c, g) for g in settings["./schemas/claim.schema.json"]) for c in claims)
    assert all((ROOT / schema).is_file() for schema in settings)
    for name in ("ratings", "topics"):
        assert f"claims/{name}.yaml" in settings[f"./schemas/{name}.schema.json"]
        first = (ROOT / "claims" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first == f"{HEADER}../schemas/{name}.schema.json"


def test_the_claim_schema_lists_exactly_the_scale():
    """The schema's verdict list is what editors' autocompletion offers: it must match claims/ratings.yaml."""
    schema = json.loads((ROOT / "schemas" / "claim.schema.json").read_text(encoding="utf-8"))
    scale = yaml.safe_load((ROOT / "claims" / "ratings.yaml").read_text(encoding="utf-8"))["ratings"]
    assert schema["properties"]["verdict"]["enum"] == [str(r["key"]) for r in scale]


def test_the_claim_schema_lists_exactly_the_topics():
    """The same for topics: the schema's list of topic keys is claims/topics.yaml's."""
    schema = json.loads((ROOT / "schemas" / "claim.schema.json").read_text(encoding="utf-8"))
    topics = yaml.safe_load((ROOT / "claims" / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    assert schema["$defs"]["topic"]["enum"] == [t["key"] for t in topics]


def test_workflows_pass_actionlint():
    actionlint = shutil.which("actionlint") or str(ROOT / ".venv" / "bin" / "actionlint")
    result = subprocess.run([actionlint, "-color=false"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_validates_tests_builds_and_deploys():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", "") + s.get("uses", "") for s in workflow["jobs"]["test"]["steps"]]
    for needed in ("make check", "build.py diff", "make test", "make site", "actions/upload-artifact",
                   "actions/upload-pages-artifact"):
        assert any(needed in step for step in steps), needed
    assert any("actions/deploy-pages" in s.get("uses", "") for s in workflow["jobs"]["deploy"]["steps"])
    zensical = workflow["jobs"]["zensical"]
    assert not zensical.get("continue-on-error")  # a tested engine: its failure fails CI
    assert any("make site ENGINE=zensical" in s.get("run", "") for s in zensical["steps"])
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("zensical==") for line in pinned)


def test_pages_are_built_for_the_pages_address_from_the_whole_history():
    """The deploy path: actions/configure-pages gives the Pages address, passed as SITE_URL to the deploy build
    (which refuses placeholders) whose site/ is the Pages artifact; REPO_URL is the repository the workflow runs in;
    every job that builds the site checks out the whole history (claim pages show it)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["test"]["steps"]
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    build = next(s for s in steps if "make site DEPLOY=1" in s.get("run", ""))
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert steps.index(pages) < steps.index(build) < steps.index(upload)
    assert pages["if"] == build["if"] == upload["if"]
    assert build["env"]["SITE_URL"] == "${{ steps.%s.outputs.base_url }}" % pages["id"]
    assert "pages" in workflow["jobs"]["test"]["permissions"]
    for name, job in workflow["jobs"].items():
        runs = [s for s in job["steps"] if "make site" in s.get("run", "")]
        for step in runs:
            assert "format('{0}/{1}', github.server_url, github.repository)" in step["env"]["REPO_URL"], name
        if runs:
            checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
            assert checkout["with"]["fetch-depth"] == 0, name


def test_pre_commit_runs_the_build_validation():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert any("build.py" in h["entry"] for h in hooks)


def test_ci_keeps_the_build_caches_between_runs():
    """The share images, the language answers and the form check's answers survive from run to run, keyed by their
    inputs, only through CI's cache (never committed: .cache/ is ignored)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    for job in ("test", "zensical"):
        steps = workflow["jobs"][job]["steps"]
        cached = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
        assert cached, job
        settings = cached[0]["with"]
        assert {".cache/share-images", ".cache/languages.json", ".cache/forms.json"} <= set(settings["path"].split())
        assert "hashFiles(" in settings["key"] and settings["restore-keys"]
        first_build = next(i for i, s in enumerate(steps) if "make " in s.get("run", ""))
        assert steps.index(cached[0]) < first_build, job
    assert ".cache/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
