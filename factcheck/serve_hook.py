"""MkDocs hook for `make serve` only: re-run build.py's pipeline before each rebuild and watch its inputs.

The pipeline writes only files whose bytes changed, so a rebuild it triggers finds nothing new and stops.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # MkDocs loads hooks by path, not as a package
import build  # noqa: E402

WATCHED = ("content", "claims", "templates", "schemas")


def on_serve(server, config, builder):
    for name in WATCHED:
        server.watch(str(build.ROOT / name))
    return server


def on_pre_build(config):
    # Errors are printed by build.main; the docs folder then keeps its last good state.
    build.main(["--out", str(Path(config["docs_dir"]))])
