#!/usr/bin/env python3
"""Source-check benchmark: is checking thousands of links concurrent enough, within the politeness bounds?

    python tests/bench_sources.py                      2,000 URLs on 50 local sites, each answer taking 50 ms
    python tests/bench_sources.py --sequential-sample 0   time the one-at-a-time check on all URLs (about 2 min)

Local sites (one asyncio server per port, in a separate process) answer every request after --delay seconds.
The check runs as `build.py sources` does (links.check_all, default Settings: 4 requests per site, 64 in all),
then one request at a time (concurrency 1) on a sample of the URLs, scaled to all of them. Prints both times and
their ratio; the target is a ratio of at most 0.10 (see BENCHMARKS.md). Times are from one run; no test asserts
them.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from dataclasses import replace
from pathlib import Path

from factcheck import links

TARGET = 0.10


async def _serve(ports: list[int], delay: float, ready) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(delay)
                body = b"" if head.startswith(b"HEAD") else b"ok"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(answer, "127.0.0.1", port, backlog=1024) for port in ports]
    ready.send([s.sockets[0].getsockname()[1] for s in servers])
    await asyncio.Event().wait()


def serve(sites: int, delay: float, ready) -> None:
    asyncio.run(_serve([0] * sites, delay, ready))


def timed(urls: list[str], settings: links.Settings) -> float:
    start = time.perf_counter()
    results = asyncio.run(links.check_all(urls, settings))
    elapsed = time.perf_counter() - start
    bad = [r for r in results.values() if r.status != links.OK]
    if bad:
        raise SystemExit(f"{len(bad)} URLs not ok, e.g. {bad[0]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=50, help="distinct local sites (ports) the URLs are spread over")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds each answer takes")
    parser.add_argument("--sequential-sample", type=int, default=200,
                        help="URLs checked one at a time, scaled to --urls (0: all of them)")
    args = parser.parse_args()

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(args.sites, args.delay, send), daemon=True)
    server.start()
    try:
        ports = receive.recv()
        urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/source/{i}" for i in range(args.urls)]
        settings = links.Settings(user_agent="bench_sources", allow_loopback=True)  # the local sites
        concurrent = timed(urls, settings)
        sample = urls[: args.sequential_sample or len(urls)]
        one_at_a_time = timed(sample, replace(settings, concurrency=1, per_host=1)) * len(urls) / len(sample)
    finally:
        server.terminate()
    ratio = concurrent / one_at_a_time
    scaled = "" if len(sample) == len(urls) else f" (measured on {len(sample)}, scaled)"
    print(f"{args.urls} URLs on {args.sites} local sites answering in {args.delay * 1000:.0f} ms; "
          f"per site {settings.per_host}, in all {settings.concurrency} at a time")
    print(f"concurrent check:     {concurrent:8.2f} s")
    print(f"one at a time:        {one_at_a_time:8.2f} s{scaled}")
    print(f"ratio:                {ratio:8.3f}  (target <= {TARGET:.2f}: {'met' if ratio <= TARGET else 'NOT met'})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
