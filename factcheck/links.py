"""Check that source URLs still answer: concurrently, politely, and with a verdict a reader can act on.

httpx's AsyncClient gives one connection pool for thousands of concurrent checks, separate connect and read
timeouts and HEAD without reading bodies; urllib would need a thread per request and has no read timeout of its own.
Redirects are followed here, not by httpx, so that a loop is recognised as one and every hop is bounded per host.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import socket
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

OK, REDIRECTED, DEAD, UNREACHABLE = "ok", "redirected", "dead", "unreachable"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Settings:
    user_agent: str = "factcheck link checker"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    per_host: int = 4  # concurrent requests to one origin (scheme, host, port): a weekly check must not hammer a site
    concurrency: int = 64  # concurrent requests in all
    max_redirects: int = 10
    retries: int = 3  # further attempts after a 429 or 5xx answer
    backoff: float = 2.0  # seconds before the first retry when the server gives no Retry-After; doubles each time
    max_wait: float = 120.0  # a longer Retry-After is not waited for: the answer stands
    # Seconds one URL may take in all (requests, retries, Retry-After waits, redirects), so no site can hold the
    # weekly job for hours; waiting for a free connection to a busy site does not count.
    url_budget: float = 300.0
    max_body: int = 1_000_000  # bytes of an answer ever read, after decompression (the archive's JSON is tiny)
    # Only the tests' local servers need this: addresses that are not public (loopback, private, link-local...)
    # are never requested, so a cited URL or a redirect cannot reach the machine CI runs on or its network.
    allow_loopback: bool = False


@dataclass(frozen=True)
class Result:
    url: str
    status: str  # OK, REDIRECTED, DEAD or UNREACHABLE
    http_status: int | None = None
    final_url: str | None = None
    detail: str = ""  # why, for a reader: "timed out", "redirect loop", "server error 503"...
    checked: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def broken(self) -> bool:
        return self.status in (DEAD, UNREACHABLE)


class Refused(httpx.HTTPError):
    """An answer or an address the checker will not take: too large, in an unknown encoding, or not public."""

    def __init__(self, message: str):
        super().__init__(message)


@dataclass
class Budget:
    """What is left of one URL's time (Settings.url_budget), spent by requests and by waits between retries."""

    left: float


def origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}:{parsed.port or ''}"


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or as an HTTP date), if it did."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class Client:
    """An httpx.AsyncClient with the politeness rules: bounded per origin and in all, retries with backoff."""

    def __init__(self, settings: Settings, **client_options):
        self.settings = settings
        self.http = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent}, follow_redirects=False,
            timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                                  write=settings.read_timeout, pool=None),  # waiting for a free slot is not slowness
            limits=httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency),
            **client_options)
        self._all = asyncio.Semaphore(settings.concurrency)
        self._origins: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.aclose()

    async def request(self, method: str, url: str, *, read: bool = False, timeout: float | None = None,
                      budget: Budget | None = None) -> httpx.Response:
        """One request, repeated with backoff after 429 and 5xx answers, within `budget` (a fresh one of
        Settings.url_budget when none is given). The body is read only when `read`, and at most max_body bytes."""
        settings = self.settings
        budget = budget or Budget(settings.url_budget)
        for attempt in range(settings.retries + 1):
            async with self._all, self._origins[origin(url)]:
                response = await self._send(method, url, read, timeout, budget)
            if (response.status_code != 429 and response.status_code < 500) or attempt == settings.retries:
                return response
            wait = retry_after(response)
            wait = settings.backoff * 2 ** attempt if wait is None else wait
            if wait > settings.max_wait or wait >= budget.left:
                return response
            budget.left -= wait
            await asyncio.sleep(wait)  # outside the semaphores: other URLs go on meanwhile
        raise AssertionError("unreachable")

    async def _send(self, method: str, url: str, read: bool, timeout: float | None, budget: Budget) -> httpx.Response:
        settings = self.settings
        request = self.http.build_request(method, url, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        # A server that sends its headers a byte at a time never trips the read timeout: bound the whole exchange.
        limit = min(settings.connect_timeout + 2 * (timeout or settings.read_timeout), budget.left)
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            if limit <= 0:
                raise TimeoutError
            async with asyncio.timeout(limit):
                response = await self.http.send(request, stream=True)
                try:
                    if read:
                        body = await _read_capped(response, settings.max_body)
                        response = httpx.Response(response.status_code, content=body, request=request, headers=[
                            (k, v) for k, v in response.headers.raw if k.lower() not in _BODY_HEADERS])
                finally:
                    await response.aclose()
        except TimeoutError:
            if limit == budget.left:
                raise httpx.TimeoutException(f"no final answer within the {settings.url_budget:g} s allowed for "
                                             "one URL", request=request) from None
            raise httpx.TimeoutException(f"no complete answer in {limit:g} s", request=request) from None
        finally:
            budget.left -= loop.time() - start
        return response

    async def public(self, url: str) -> None:
        """Raise Refused when `url`'s host is, or resolves to, an address that is not public (loopback, private,
        link-local, multicast, reserved...): a cited URL or a redirect must not make CI request its own network."""
        parsed = httpx.URL(url)
        try:
            found = {ipaddress.ip_address(parsed.host)}
        except ValueError:
            try:
                async with asyncio.timeout(self.settings.connect_timeout):
                    answers = await asyncio.get_running_loop().getaddrinfo(
                        parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), type=socket.SOCK_STREAM)
            except TimeoutError:
                raise httpx.ConnectTimeout(f"cannot resolve {parsed.host}") from None
            except OSError as error:
                raise httpx.ConnectError(f"cannot resolve {parsed.host}: {error.strerror or error}") from None
            found = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in answers}
        for address in found:
            address = getattr(address, "ipv4_mapped", None) or address
            if address.is_global and not address.is_multicast:
                continue
            if self.settings.allow_loopback and address.is_loopback:
                continue
            raise Refused(f"{parsed.host} is at {address}, which is not a public address: not requested")


# Headers that described the body as it came over the network, not as it was read.
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, decompressed here (gzip or deflate) so that neither what came over the network nor what it
    expands to can exceed `limit` bytes: a hostile answer cannot fill the memory."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        decoder = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | (16 if "gzip" in encoding else 32))
    else:
        raise Refused(f"the answer is in an encoding not read here ({encoding[:40]})")
    body, received = bytearray(), 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit + 1 - len(body))
            except zlib.error:
                raise Refused("the answer's compressed body is damaged") from None
            if decoder.unconsumed_tail:  # more would come out than the limit allows
                received = limit + 1
        body += chunk
        if received > limit or len(body) > limit:
            raise Refused(f"the answer is larger than {limit:,} bytes")
    return bytes(body)


HEAD_REFUSED = frozenset({405, 501})  # and any other client error: some servers answer HEAD wrongly, so GET decides


async def check(client: Client, url: str) -> Result:
    """Follow `url` to its final answer and classify it, within the URL's time budget, requesting public
    addresses only (the cited URL's and every redirect's)."""
    current, seen = url, {url}
    budget = Budget(client.settings.url_budget)
    try:
        while True:
            await client.public(current)
            response = await client.request("HEAD", current, budget=budget)
            code = response.status_code
            if code in HEAD_REFUSED or (400 <= code < 500 and code != 429):
                response = await client.request("GET", current, budget=budget)
                code = response.status_code
            location = response.headers.get("location")
            if code not in REDIRECTS or not location:
                break
            target = str(response.url.join(location))
            if target in seen:
                return Result(url, UNREACHABLE, code, target, "redirect loop")
            if len(seen) > client.settings.max_redirects:
                return Result(url, UNREACHABLE, code, target, f"more than {client.settings.max_redirects} redirects")
            seen.add(target)
            current = target
    except Refused as error:
        return Result(url, UNREACHABLE, None, current, str(error))
    except httpx.TimeoutException as error:
        return Result(url, UNREACHABLE, None, None, f"timed out ({type(error).__name__}: {error})")
    except httpx.ConnectError as error:  # DNS, refused connection, TLS
        return Result(url, UNREACHABLE, None, None, f"cannot connect: {error}" if str(error) else "cannot connect")
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:  # a malformed answer, an unusual socket error
        return Result(url, UNREACHABLE, None, None, f"{type(error).__name__}: {error}")
    return classify(url, current, code)


def classify(url: str, final_url: str, code: int) -> Result:
    if code == 429:
        return Result(url, UNREACHABLE, code, final_url, "still rate-limited after retrying")
    if code >= 500:
        return Result(url, UNREACHABLE, code, final_url, f"server error {code} after retrying")
    if code >= 400:
        return Result(url, DEAD, code, final_url, f"client error {code}")
    return Result(url, OK if final_url == url else REDIRECTED, code, final_url)


async def check_all(urls, settings: Settings, **client_options) -> dict[str, Result]:
    """Every URL checked once, concurrently within the settings' bounds."""
    unique = list(dict.fromkeys(urls))
    async with Client(settings, **client_options) as client:
        results = await asyncio.gather(*(check(client, url) for url in unique))
    return dict(zip(unique, results))
