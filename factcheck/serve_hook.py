"""MkDocs hook for `make serve` only: re-run the pipeline before each rebuild and watch its inputs.

The pipeline writes only files whose bytes changed, so a rebuild it triggers finds nothing new and stops.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # MkDocs loads hooks by path, not as a package
from factcheck import pipeline  # noqa: E402
from factcheck.report import report  # noqa: E402

WATCHED = ("content", "claims", "templates", "schemas")


def on_serve(server, config, builder):
    for name in WATCHED:
        server.watch(str(pipeline.PROJECT / name))
    return server


def on_pre_build(config):
    # On errors the docs folder keeps its last good state: the preview shows the last good build.
    outcome = pipeline.build(pipeline.PROJECT, Path(config["docs_dir"]), pipeline.PROJECT / "mkdocs.yml")
    report(outcome.problems, pipeline.PROJECT)
