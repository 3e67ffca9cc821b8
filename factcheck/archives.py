"""Which web archives a source's `archived_url` may point to, and where the Wayback Machine is asked.

Kept free of network code: the build imports it to validate every claim, and must stay fast.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

DEFAULT_AVAILABLE = "https://archive.org/wayback/available"
DEFAULT_SAVE = "https://web.archive.org/save/"

# Archives that keep a copy unchanged at a permanent address. A subdomain counts (www.perma.cc, wayback.archive.org).
KNOWN_HOSTS = ("web.archive.org", "archive.org", "archive.today", "archive.ph", "archive.is", "archive.li",
               "archive.md", "archive.vn", "perma.cc", "webcitation.org")


def endpoints() -> tuple[str, str]:
    """The availability API and Save Page Now addresses; tests and mirrors set them by environment."""
    return (os.environ.get("FACTCHECK_WAYBACK_AVAILABLE") or DEFAULT_AVAILABLE,
            os.environ.get("FACTCHECK_WAYBACK_SAVE") or DEFAULT_SAVE)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def is_archive_host(host: str) -> bool:
    host = host.rstrip(".").lower()
    configured = {_host(url) for url in endpoints()}
    return host in configured or any(host == known or host.endswith("." + known) for known in KNOWN_HOSTS)


def archived_url_problem(url: str | None) -> str | None:
    """Why `url` cannot be a source's archived copy, or None. A copy on the cited site itself is not an archive."""
    if url is None or not urlsplit(url).hostname:
        return None  # a missing host is reported by the build's own URL check
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"archived_url {url!r} is not an http(s) URL"
    if not is_archive_host(parts.hostname):
        return (f"archived_url {url!r} is not on a known web archive ({', '.join(KNOWN_HOSTS)}); "
                f"link the archived copy, not the original")
    return None
