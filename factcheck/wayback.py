"""Find, or make, a Wayback Machine copy of a source: the availability API, then Save Page Now.

Both are plain HTTP APIs, called with the same httpx client as the link check (its per-host bound and its
retries on 429 and 5xx keep us within archive.org's rate limits). Any answer that is not what the API documents
raises ArchiveError: nothing is written from a guess.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import httpx

from . import archives
from .links import Budget, Client, Refused

SAVE_TIMEOUT = 120.0  # Save Page Now takes tens of seconds to capture a page
_WEB = re.compile(r"/web/(\d{14})[a-z_]*/")


class ArchiveError(Exception):
    pass


@dataclass(frozen=True)
class Snapshot:
    url: str
    date: dt.date


def _date(timestamp: str) -> dt.date:
    try:
        return dt.datetime.strptime(timestamp[:8], "%Y%m%d").date()
    except ValueError:
        raise ArchiveError(f"snapshot timestamp {timestamp!r} is not a date") from None


def _archive_url(url: str) -> str:
    if not archives.is_archive_host(httpx.URL(url).host):
        raise ArchiveError(f"the archive answered with {url!r}, which is not an archive address")
    # The availability API answers with http:// addresses; the same copy is served over https.
    return "https://" + url.removeprefix("http://") if url.startswith("http://web.archive.org/") else url


async def closest(client: Client, endpoint: str, url: str, when: dt.date | None, budget: Budget | None = None
                  ) -> Snapshot | None:
    """The snapshot of `url` closest to `when` that captured a successful answer, or None when there is none."""
    params = {"url": url} | ({"timestamp": when.strftime("%Y%m%d")} if when else {})
    try:
        response = await client.request("GET", str(httpx.URL(endpoint, params=params)), read=True, budget=budget)
    except Refused as error:  # an answer too large to be the API's
        raise ArchiveError(f"availability API: {error}") from None
    if response.status_code != 200:
        raise ArchiveError(f"availability API answered {response.status_code}")
    try:
        snapshots = json.loads(response.content)["archived_snapshots"]
        found = snapshots.get("closest") if snapshots else None
        if not found:
            return None
        if found.get("available") is False or not str(found.get("status", "200")).startswith("2"):
            return None  # a captured 404 or redirect is no copy of the source
        return Snapshot(_archive_url(str(found["url"])), _date(str(found["timestamp"])))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ArchiveError(f"availability API gave a malformed answer ({type(error).__name__}: {error})") from None


async def save(client: Client, endpoint: str, url: str, budget: Budget | None = None) -> Snapshot:
    """Ask Save Page Now to capture `url`; the new copy's address comes back in a header or as the final URL."""
    response = await client.request("GET", endpoint + url, timeout=SAVE_TIMEOUT, budget=budget)
    if response.status_code >= 400:
        raise ArchiveError(f"Save Page Now answered {response.status_code}")
    for candidate in (response.headers.get("content-location"), response.headers.get("location"),
                      str(response.url)):
        if candidate and (found := _WEB.search(candidate)):
            return Snapshot(_archive_url(str(response.url.join(candidate))), _date(found.group(1)))
    raise ArchiveError("Save Page Now did not say where the copy is")
