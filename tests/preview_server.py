"""`make serve` on any publication: `mkdocs serve -f mkdocs.serve.yml` (the serve hook, the in-memory preview) on a
free 127.0.0.1 port, for the preview test and the benchmark's edit-to-preview row.

The publication may live anywhere (a temporary folder): the config written beside it inherits the project's
mkdocs.serve.yml settings with absolute paths, and FACTCHECK_ROOT tells the hook where the content is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """\
# Written by tests/preview_server.py: the project's mkdocs.serve.yml for a publication in this folder.
INHERIT: {root}/mkdocs.yml
docs_dir: {publication}/generated
theme:
  custom_dir: {root}/overrides
hooks:
  - {root}/factcheck/serve_hook.py
site_url: http://127.0.0.1:{port}/
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, log: Path, process: subprocess.Popen):
        self.url, self.log, self.process = url, log, process

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=120) as response:
            return response.read().decode("utf-8")

    def wait_for(self, path: str, text: str, timeout: float = 120, interval: float = 0.01) -> float:
        """Poll `path` until it shows `text`; the seconds it took. (MkDocs' server holds a request while it
        rebuilds, so a poll never sees a half-built site.)"""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            try:
                if text in self.get(path):
                    return time.perf_counter() - start
            except urllib.error.HTTPError:
                pass  # a page being added is 404 until it is built
            self._alive()
            time.sleep(interval)
        raise TimeoutError(f"{path} did not show {text!r} within {timeout} s; log:\n{self.tail()}")

    def wait_for_log(self, text: str, timeout: float = 120) -> None:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if text in self.log.read_text(encoding="utf-8", errors="replace"):
                return
            self._alive()
            time.sleep(0.05)
        raise TimeoutError(f"the log did not show {text!r} within {timeout} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def _alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"mkdocs serve exited ({self.process.returncode}):\n{self.tail()}")


@contextmanager
def serving(publication: Path, log: Path, startup: float = 900, env: dict | None = None):
    """Serve `publication` (its docs folder already built) until the block ends."""
    port = free_port()
    config = publication / "mkdocs.serve.yml"
    config.write_text(CONFIG.format(root=ROOT, publication=publication.resolve(), port=port), encoding="utf-8")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "FACTCHECK_ROOT": str(publication.resolve()),
                   **(env or {})}
    environment.pop("GITHUB_ACTIONS", None)  # no annotations in a log
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "--dev-addr",
                                    f"127.0.0.1:{port}"], cwd=publication, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", log, process)
    try:
        start = time.perf_counter()
        while True:  # ready once it serves the home page after the first full build
            try:
                if server.status("") == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            server._alive()
            if time.perf_counter() - start > startup:
                raise TimeoutError(f"mkdocs serve did not start within {startup} s:\n{server.tail()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
