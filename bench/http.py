"""make bench-http: check-in, call-next and visit status, beside the framework ceiling.

Ours is `welcome-center serve` (bench/liveserver.py); the ceiling is bench/ceiling.py, a
bare FastAPI app under the same uvicorn settings that validates a similar body and does
one INSERT under the same write serialisation (its GET reads one row by key). Both run
at the same time and are measured back to back in each run ("paired"), so the noise of
a shared 2-core machine hits both; the ratios are medians over the runs.

- A server per room and run, on a copy of a database prefilled before it starts
  (bench/http_room.py: 0, 300 and 1,000 waiting, checked in through the service layer).
- check-in: up to `checkins` POSTs by 32 keep-alive clients; the room grows by n.
- visit status: GET /api/v1/visits/{token} of the waiting visitors, at 300 waiting.
- call-next: at 300 waiting, 50 open desks, one client each, cycling call-next → start →
  finish (the room drains by 50 × `cycles` at most); then that room's check-ins.
- PostgreSQL (a private cluster, bench/pgcluster.py): check-in from 0 waiting with two
  workers for ours and for the ceiling, one server for the runs (the room grows).
Every measurement stops starting requests after `max_seconds` (a slow server does
fewer); what is in flight finishes and counts.

The load generator (bench/http_load.py) is a separate process: its CPU share (CPU
seconds / wall seconds of a measurement) is in the table, to show it was not the
bottleneck. Sizes: full (< 8 minutes), BENCH_QUICK=1 (one run, rooms 0/100/300: a
couple of minutes on a shared 2-core machine, most of it server starts), --tiny (tests).
Progress with timestamps goes to stderr.
The last line is what the issue asks for, e.g.
`http: checkin_vs_ceiling=0.62 checkin_vs_ceiling_1000=0.55 callnext_p99_ms=35 ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import ceiling, http_room
from bench.liveserver import ROOT, LiveServer, free_port
from bench.pgcluster import PgCluster, pg_bin

KIOSK = "Bearer demo-kiosk-token-foyer"
# One kiosk checks in far more than a real one may (the per-kiosk limit of app/config.py).
SERVER_ENV = {"WELCOME_KIOSK_CHECKINS": "1000000/minute"}
CLIENTS = 32
QUIET = os.environ.get("BENCH_VERBOSE", "") in ("", "0")


@dataclass(frozen=True)
class Sizes:
    rooms: tuple[int, int, int]  # empty, the status/call-next room, big
    desks: int
    checkins: int
    statuses: int
    cycles: int
    runs: int
    clients: int = CLIENTS
    max_seconds: float = 10.0  # per measurement: a slow server gets fewer requests done


FULL = Sizes(rooms=(0, 300, 1000), desks=50, checkins=100, statuses=400, cycles=2, runs=3)
# A smoke: one run, smaller rooms (the big room's column is then 300), short measurements.
QUICK = Sizes(
    rooms=(0, 100, 300), desks=50, checkins=32, statuses=100, cycles=1, runs=1, max_seconds=3
)
TINY = Sizes(
    rooms=(0, 10, 30), desks=4, checkins=12, statuses=20, cycles=1, runs=1, clients=4, max_seconds=5
)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Measure:
    """One measurement: requests done, wall seconds, latencies, load generator CPU."""

    done: int
    wall: float
    lat: dict[str, list[float]]
    cpu: float
    statuses: dict[str, int]
    shed: int = 0  # 503 answers (the app's lock budget ran out) and dropped connections

    @property
    def rps(self) -> float:
        return self.done / self.wall if self.wall else 0.0

    def p(self, q: float, name: str | None = None) -> float:
        if name:
            values = self.lat.get(name, [])
        else:  # every request that was served (503s are not)
            values = [v for k, vs in self.lat.items() if not k.startswith("_") for v in vs]
        return pct(values, q)

    @property
    def loader_cpu(self) -> float:
        return self.cpu / self.wall if self.wall else 0.0


class Loader:
    """bench/http_load.py in its own process, fed one job at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.http_load"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, job: dict[str, Any]) -> Measure:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        if "error" in out:
            raise RuntimeError(f"load generator: {out['error']}")
        codes = [(s.split()[-1], n) for s, n in out["statuses"].items()]
        # Anything but success, load shed (503) or a dropped connection is our mistake.
        fine = ("200", "201", "204", "503", "reset")
        bad = {s: n for s, n in out["statuses"].items() if not s.endswith(fine)}
        if bad:
            raise RuntimeError(f"unexpected answers: {bad}")
        done = sum(n for code, n in codes if code.startswith("2"))
        shed = sum(n for code, n in codes if code in ("503", "reset"))
        return Measure(done, out["wall"], out["lat"], out["cpu"], out["statuses"], shed)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


class Ceiling:
    """bench/ceiling.py under uvicorn in a subprocess (its own process group)."""

    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers, self.port = url, workers, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Ceiling:
        env = {**os.environ, "CEILING_DATABASE_URL": self.url}
        cmd = [sys.executable, "-m", "bench.ceiling", "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ceiling exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.http}/visits/none", timeout=1).status_code == 404:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("ceiling did not come up")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


T0 = time.monotonic()


def progress(what: str) -> None:
    print(f"# {time.monotonic() - T0:5.0f} s  {what}", file=sys.stderr, flush=True)


@contextmanager
def running(server: LiveServer | Ceiling) -> Iterator[Any]:
    server.start()
    progress(f"{type(server).__name__} up")
    try:
        # First requests of a fresh process pay for imports and caches: not measured.
        path = "/api/v1/centers/lippe/today" if isinstance(server, LiveServer) else "/visits/x"
        with httpx.Client(base_url=server.http, timeout=30) as client:
            for _ in range(5):
                client.get(path)
        yield server
    finally:
        server.stop()


def checkin_job(base: str, sizes: Sizes, path: str, auth: str | None) -> dict[str, Any]:
    headers = {"Authorization": auth} if auth else {}
    requests = [
        {"method": "POST", "path": path, "json": http_room.body(i), "name": "checkin"}
        for i in range(sizes.checkins)
    ]
    return {
        "kind": "requests",
        "base": base,
        "clients": sizes.clients,
        "headers": headers,
        "requests": requests,
        "max_seconds": sizes.max_seconds,
    }


def status_job(base: str, sizes: Sizes, prefix: str, tokens: list[str]) -> dict[str, Any]:
    rng = random.Random(7)
    requests = [
        {"path": f"{prefix}{rng.choice(tokens)}", "name": "status"} for _ in range(sizes.statuses)
    ]
    return {
        "kind": "requests",
        "base": base,
        "clients": sizes.clients,
        "requests": requests,
        "max_seconds": sizes.max_seconds,
    }


def staff_tokens(base: str, agencies: set[str]) -> dict[str, str]:
    out = {}
    for agency in sorted(agencies):
        r = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"username": f"{agency}1", "password": f"demo-{agency}"},
            timeout=30,
        )
        r.raise_for_status()
        out[agency] = f"Bearer {r.json()['access_token']}"
    return out


@dataclass
class Row:
    """One line of the table: per run, ours and the ceiling."""

    what: str
    ours: list[Measure] = field(default_factory=list)
    ceiling: list[Measure] = field(default_factory=list)
    latency_of: str | None = None  # ours' latency column: this action only

    def ratio(self) -> float:
        return statistics.median(
            o.rps / c.rps for o, c in zip(self.ours, self.ceiling, strict=True)
        )

    def med(self, f: Any, side: str = "ours") -> float:
        return statistics.median(f(m) for m in getattr(self, side))


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'':42} {'n':>4} {'err':>4} {'ours rps':>9} {'p50 ms':>8} {'p99 ms':>8}   "
        f"{'ceiling rps':>11} {'p99 ms':>8}   {'ratio':>6} {'loader cpu':>10}"
    )
    print(head)
    for row in rows:
        name = row.latency_of
        print(
            f"{row.what:42} {row.med(lambda m: m.done):4.0f} {row.med(lambda m: m.shed):4.0f} "
            f"{row.med(lambda m: m.rps):9.1f} "
            f"{row.med(lambda m, n=name: m.p(0.5, n)):8.1f} "
            f"{row.med(lambda m, n=name: m.p(0.99, n)):8.1f}   "
            f"{row.med(lambda m: m.rps, 'ceiling'):11.1f} "
            f"{row.med(lambda m: m.p(0.99), 'ceiling'):8.1f}   "
            f"{row.ratio():6.2f} "
            f"{row.med(lambda m: m.loader_cpu) * 100:9.0f}%"
        )


def sqlite_phase(sizes: Sizes, tmp: Path, loader: Loader) -> dict[str, Row]:
    empty, mid, big = sizes.rooms
    template = tmp / "template.db"
    url = f"sqlite+aiosqlite:///{template}"
    from app.migrate import upgrade

    upgrade(url)
    desks = asyncio.run(http_room.prepare_template(url, sizes.desks))
    progress("sqlite template ready")
    rooms: dict[int, Path] = {}
    tokens: dict[int, list[str]] = {}
    for size in sorted({empty, mid, big}):
        rooms[size] = tmp / f"room{size}.db"
        shutil.copy(template, rooms[size])
        tokens[size] = asyncio.run(http_room.prefill(f"sqlite+aiosqlite:///{rooms[size]}", size))
    progress("rooms prefilled")
    ceiling_url = f"sqlite+aiosqlite:///{tmp / 'ceiling.db'}"
    ceiling_tokens = asyncio.run(ceiling.prepare(ceiling_url, max(big, 100)))
    work = tmp / "work.db"
    work_url = f"sqlite+aiosqlite:///{work}"

    rows = {
        "checkin0": Row(f"check-in, room {empty} (+n)"),
        "status": Row(f"visit status, room {mid}"),
        # rps: desk actions a second; latency: call-next's
        "callnext": Row(f"{len(desks)} desks cycling, room {mid}", latency_of="call-next"),
        "checkin_mid": Row(f"check-in, room {mid} less the desks' calls"),
        "checkin_big": Row(f"check-in, room {big} (+n)"),
    }
    room_rows = {empty: "checkin0", mid: "checkin_mid", big: "checkin_big"}
    with running(Ceiling(ceiling_url, workers=1)) as ceil:
        post = checkin_job(ceil.http, sizes, "/visits", None)
        for run in range(sizes.runs):
            for size in (empty, mid, big):
                shutil.copy(rooms[size], work)
                with running(LiveServer(work_url, quiet=QUIET, **SERVER_ENV)) as ours:
                    if size == mid:  # reads first, then the desks, while the room is `mid`
                        mid_phase(
                            sizes, loader, ours, ceil, rows, desks, tokens[mid], ceiling_tokens
                        )
                    row = rows[room_rows[size]]
                    job = checkin_job(ours.http, sizes, "/api/v1/centers/lippe/visits", KIOSK)
                    row.ours.append(loader.run(job))
                    row.ceiling.append(loader.run(post))
            progress(f"sqlite run {run + 1}/{sizes.runs} done")
    return rows


def mid_phase(
    sizes: Sizes,
    loader: Loader,
    ours: LiveServer,
    ceil: Ceiling,
    rows: dict[str, Row],
    desks: list[tuple[str, str]],
    tokens: list[str],
    ceiling_tokens: list[str],
) -> None:
    """Visit status, then every desk cycling call-next → start → finish, each paired."""
    st = rows["status"]
    st.ours.append(loader.run(status_job(ours.http, sizes, "/api/v1/visits/", tokens)))
    st.ceiling.append(loader.run(status_job(ceil.http, sizes, "/visits/", ceiling_tokens)))
    auth = staff_tokens(ours.http, {agency for _, agency in desks})
    job = {
        "kind": "desks",
        "base": ours.http,
        "cycles": sizes.cycles,
        "max_seconds": sizes.max_seconds,
        "desks": [(code, auth[agency]) for code, agency in desks],
    }
    rows["callnext"].ours.append(loader.run(job))
    rows["callnext"].ceiling.append(loader.run(checkin_job(ceil.http, sizes, "/visits", None)))


def postgres_phase(sizes: Sizes, loader: Loader) -> Row | None:
    if pg_bin() is None:
        print("# no PostgreSQL binaries: PostgreSQL skipped", file=sys.stderr)
        return None
    from app.migrate import upgrade

    row = Row("PG, 2 workers: check-in, room 0 (+n a run)")
    with PgCluster() as cluster:
        asyncio.run(cluster.create_database("bench_tpl"))
        upgrade(cluster.url("bench_tpl"))
        asyncio.run(http_room.prepare_template(cluster.url("bench_tpl"), sizes.desks))
        asyncio.run(cluster.create_database("ceiling"))
        asyncio.run(ceiling.prepare(cluster.url("ceiling"), 100))
        progress("postgres cluster and template ready")
        asyncio.run(cluster.create_database("bench_run", template="bench_tpl"))
        # One server for every run (a two-worker start costs tens of seconds here): the
        # room grows by each run's check-ins.
        ours_pg = LiveServer(cluster.url("bench_run"), workers=2, quiet=QUIET, **SERVER_ENV)
        with running(Ceiling(cluster.url("ceiling"), workers=2)) as ceil, running(ours_pg):
            post = checkin_job(ceil.http, sizes, "/visits", None)
            for run in range(sizes.runs):
                job = checkin_job(ours_pg.http, sizes, "/api/v1/centers/lippe/visits", KIOSK)
                row.ours.append(loader.run(job))
                row.ceiling.append(loader.run(post))
                progress(f"postgres run {run + 1}/{sizes.runs} done")
    return row


def last_line(rows: dict[str, Row], pg: Row | None) -> str:
    def fmt(value: float) -> str:
        return f"{value:.2f}"

    pg_ratio = fmt(pg.ratio()) if pg else "nan"
    callnext = rows["callnext"].med(lambda m: m.p(0.99, "call-next"))
    return (
        f"http: checkin_vs_ceiling={fmt(rows['checkin0'].ratio())} "
        f"checkin_vs_ceiling_1000={fmt(rows['checkin_big'].ratio())} "
        f"callnext_p99_ms={callnext:.0f} "
        f"status_vs_ceiling={fmt(rows['status'].ratio())} "
        f"pg_checkin_vs_ceiling={pg_ratio}"
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="about a minute (BENCH_QUICK=1)")
    parser.add_argument("--tiny", action="store_true", help="seconds: tests only")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    quick = args.quick or os.environ.get("BENCH_QUICK", "") not in ("", "0")
    sizes = TINY if args.tiny else QUICK if quick else FULL
    started = time.monotonic()
    loader = Loader()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
            rows = sqlite_phase(sizes, Path(tmp), loader)
        pg = None if args.no_pg else postgres_phase(sizes, loader)
    finally:
        loader.close()
    print(
        f"# {sizes.runs} paired run(s), {sizes.clients} clients, up to {sizes.checkins} "
        f"check-ins or {sizes.max_seconds:g} s per measurement (n: requests done, "
        f"err: 503 from the app's lock budget or a dropped connection, not counted); "
        f"medians; {time.monotonic() - started:.0f} s"
    )
    table = list(rows.values()) + ([pg] if pg else [])
    print_table(table)
    desk = rows["callnext"]
    for action in ("call-next", "start", "finish"):
        print(
            f"#   {action:9} p50 {desk.med(lambda m, a=action: m.p(0.5, a)):7.1f} ms  "
            f"p99 {desk.med(lambda m, a=action: m.p(0.99, a)):7.1f} ms"
        )
    line = last_line(rows, pg)
    print(line)
    return line


if __name__ == "__main__":
    main()
