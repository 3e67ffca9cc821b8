"""Serve a built site over HTTP on a free loopback port, as a static host would, for the browser tests and the audit.

The site is served under the path of mkdocs.yml's site_url (e.g. /factcheck/), so root-relative links that MkDocs
writes from site_url (404.html uses them) resolve as they do in production. Text responses are gzipped when the
client accepts it, as any real host does, so Lighthouse measures realistic transfer sizes.
"""

from __future__ import annotations

import gzip
import mimetypes
import posixpath
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
from factcheck import settings
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
mimetypes.add_type("text/yaml", ".yml")  # the web editor's admin/config.yml, as static hosts serve it


def site_url(config: Path = ROOT / "mkdocs.yml") -> str:
    """mkdocs.yml's site_url, ending in "/", read as the build reads it."""
    return settings.read_site_settings(config).url


def site_path_prefix(config: Path = ROOT / "mkdocs.yml") -> str:
    """The path part of site_url ("/factcheck/"), where the site is published."""
    return urlsplit(site_url(config)).path or "/"


class _Handler(BaseHTTPRequestHandler):
    server_version = "SiteServer"
    protocol_version = "HTTP/1.1"
    site: Path
    prefix: str

    def log_message(self, format, *args):  # noqa: A002 (the base class's name) - keep test output quiet
        pass

    def do_HEAD(self):  # noqa: N802 (http.server's API name)
        self._respond(send_body=False)

    def do_GET(self):  # noqa: N802
        self._respond(send_body=True)

    def _resolve(self, url_path: str) -> tuple[Path | None, str | None]:
        """(file to send, or None) and (a redirect location, or None) for a request path."""
        if not url_path.startswith(self.prefix):
            return None, None
        relative = posixpath.normpath(unquote(url_path[len(self.prefix):]) or ".")
        if relative.startswith(("..", "/")):
            return None, None
        target = self.site / relative
        if target.is_dir():
            if not url_path.endswith("/"):
                return None, url_path + "/"
            target = target / "index.html"
        return (target if target.is_file() else None), None

    def _respond(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        target, redirect = self._resolve(url_path)
        if redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if target is None:
            status, target = HTTPStatus.NOT_FOUND, self.site / "404.html"
        body = target.read_bytes() if target.is_file() else b"Not found\n"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if kind.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class SiteServer:
    """`with SiteServer(site_dir) as server:` serves site_dir at server.url ("http://127.0.0.1:PORT/factcheck/")."""

    def __init__(self, site: Path, prefix: str | None = None, host: str = "127.0.0.1"):
        prefix = prefix or site_path_prefix()
        handler = type("Handler", (_Handler,), {"site": Path(site).resolve(), "prefix": prefix})
        self._httpd = ThreadingHTTPServer((host, 0), handler)  # port 0: the OS picks a free port
        self._httpd.daemon_threads = True
        self._httpd.handle_error = self._handle_error
        self.url = f"http://{host}:{self._httpd.server_address[1]}{prefix}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="site-server", daemon=True)

    @staticmethod
    def _handle_error(request, client_address) -> None:
        """A browser that drops a connection (it navigated on) is normal; anything else is reported."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionResetError, BrokenPipeError)):
            traceback.print_exc()

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
