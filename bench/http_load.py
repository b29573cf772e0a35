"""The HTTP load generator of `make bench-http`, in its own process.

Raw asyncio HTTP/1.1 over keep-alive connections (uvloop when installed): no client
library's per-request overhead, so one core of ours drives a server harder than httpx
would. The parent (bench/http.py) sends jobs as JSON lines on stdin and reads one JSON
line of results per job on stdout; every result carries the CPU this process spent on
the job, so the report can show the load generator was not the bottleneck.

Jobs:
- `requests`: a list of requests shared by `clients` connections, each taking the next
  one as soon as its previous answer arrived (closed loop, like 32 kiosks hammering).
- `desks`: one connection per desk, each cycling call-next → start → finish `cycles`
  times (a 204 from call-next is counted and retried after a short pause).
Either stops starting new work after `max_seconds` (a slow server must not stretch the
benchmark past its budget); what is in flight finishes and counts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

Latencies = dict[str, list[float]]
RESETS = (ConnectionError, asyncio.IncompleteReadError)


class Connection:
    """One keep-alive HTTP/1.1 connection; requests strictly one after the other."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        data = await self._chunked() if chunked else await self.reader.readexactly(length)
        if close:
            self.close()
        return status, data

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        out = b""
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            out += await self.reader.readexactly(size + 2)
            if size == 0:
                return out

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _target(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def run_requests(job: dict[str, Any]) -> dict[str, Any]:
    host, port = _target(job["base"])
    todo: list[dict[str, Any]] = job["requests"]
    headers: dict[str, str] = job.get("headers", {})
    lat: Latencies = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    bodies: list[str] = []
    keep = bool(job.get("keep_bodies"))
    cursor = iter(range(len(todo)))
    deadline = time.perf_counter() + job.get("max_seconds", 1e9)

    async def client() -> None:
        conn = Connection(host, port)
        try:
            for i in cursor:
                if time.perf_counter() > deadline:
                    break
                r = todo[i]
                body = None if r.get("json") is None else json.dumps(r["json"]).encode()
                t0 = time.perf_counter()
                try:
                    status, data = await conn.request(
                        r.get("method", "GET"), r["path"], {**headers, **r.get("headers", {})}, body
                    )
                except RESETS:  # the server dropped the connection: counted, reconnected
                    conn.close()
                    statuses["reset"] += 1
                    continue
                # A 503 (the app's lock budget ran out) is load shed, not a request done.
                name = "_shed" if status == 503 else r.get("name", "request")
                lat[name].append((time.perf_counter() - t0) * 1000)
                statuses[str(status)] += 1
                if keep:
                    bodies.append(data.decode())
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(min(job["clients"], len(todo)))))
    return {"wall": time.perf_counter() - t0, "lat": lat, "statuses": statuses, "bodies": bodies}


async def run_desks(job: dict[str, Any]) -> dict[str, Any]:
    host, port = _target(job["base"])
    lat: Latencies = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    nobody = 0
    deadline = time.perf_counter() + job.get("max_seconds", 1e9)

    async def desk(code: str, auth: str) -> None:
        nonlocal nobody
        conn = Connection(host, port)
        headers = {"Authorization": auth}

        async def act(action: str, body: dict[str, Any] | None) -> tuple[int, bytes]:
            raw = None if body is None else json.dumps(body).encode()
            for _ in range(10):  # a 503 is load shed: counted, then the same action again
                t0 = time.perf_counter()
                try:
                    status, data = await conn.request(
                        "POST", f"/api/v1/desks/{code}/{action}", headers, raw
                    )
                except RESETS:
                    conn.close()
                    statuses["reset"] += 1
                    await asyncio.sleep(0.2)
                    continue
                lat["_shed" if status == 503 else action].append((time.perf_counter() - t0) * 1000)
                statuses[f"{action} {status}"] += 1
                if status != 503:
                    return status, data
                await asyncio.sleep(0.2)
            raise RuntimeError(f"{action} at {code}: 503 or reset ten times")

        try:
            done = misses = 0
            while done < job["cycles"] and misses < 20 and time.perf_counter() < deadline:
                status, data = await act("call-next", None)
                if status == 204:
                    nobody += 1
                    misses += 1
                    await asyncio.sleep(0.05)
                    continue
                if status != 200:
                    raise RuntimeError(f"call-next at {code}: {status} {data[:300]!r}")
                called = json.loads(data)
                mine = [s["need"] for s in called["steps"] if s.get("desk") == code]
                for action, body in (("start", None), ("finish", {"resolved": mine[:1]})):
                    status, data = await act(action, body)
                    if status != 200:
                        raise RuntimeError(f"{action} at {code}: {status} {data[:300]!r}")
                done += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(desk(code, auth) for code, auth in job["desks"]))
    return {"wall": time.perf_counter() - t0, "lat": lat, "statuses": statuses, "nobody": nobody}


async def serve_jobs() -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        job = json.loads(line)
        cpu0 = time.process_time()
        try:
            run = run_desks if job["kind"] == "desks" else run_requests
            out = await run(job)
        except Exception as exc:  # reported to the parent, which stops the benchmark
            out = {"error": f"{type(exc).__name__}: {exc}"}
        out["cpu"] = time.process_time() - cpu0
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


def main() -> None:
    try:
        import uvloop

        uvloop.run(serve_jobs())
    except ImportError:
        asyncio.run(serve_jobs())


if __name__ == "__main__":
    main()
