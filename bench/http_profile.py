"""Where a check-in's time goes: py-spy on a server under check-ins at a given room size.

    python -m bench.http_profile --room 300 --seconds 15

A SQLite server (like `make bench-http`'s) on a room prefilled through the service layer;
32 clients check visitors in for `--seconds` while `py-spy record --gil` samples the
server's thread holding the GIL, i.e. its Python work (`py-spy` on PATH or --py-spy;
`pip install py-spy` anywhere: a tool, not a dependency). Prints the functions with the
most samples on the stack (inclusive) and at the top of it (own time), as shares of the
samples.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench import http_room
from bench.http import KIOSK, SERVER_ENV, Loader, Sizes, checkin_job, running
from bench.liveserver import LiveServer


def frame_name(frame: str) -> str:
    """`function (path/to/file.py:12)` → `function (app/visits/queries.py)`, no line."""
    name, _, where = frame.partition(" (")
    parts = Path(where.rstrip(")").rsplit(":", 1)[0]).parts
    if "app" in parts and "site-packages" not in parts:
        short = "/".join(parts[parts.index("app") :])
    elif "sqlalchemy" in parts:
        short = "sqlalchemy/" + "/".join(parts[parts.index("sqlalchemy") + 1 :])
    else:
        short = parts[-1] if parts else ""
    return f"{name} ({short})"


def summarise(collapsed: Path, top: int) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    entry: Counter[str] = Counter()  # the outermost of our functions on each stack
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";") if f]
        total += n
        for name in set(frames):
            if "(app/" in name and "app/cli.py" not in name and "app/ops/" not in name:
                inclusive[name] += n
        if frames:
            own[frames[-1]] += n
        ours = [f for f in frames if "(app/" in f and "app/cli.py" not in f]
        entry[ours[0] if ours else f"(none of ours) {frames[0] if frames else ''}"] += n
    out = [f"{total} samples holding the GIL; our functions, inclusive, top {top}:"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    out += ["where the stacks enter our code:"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in entry.most_common(8)]
    out += [f"own time, top {top}:"]
    out += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description="py-spy profile of check-ins")
    parser.add_argument("--room", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    args = parser.parse_args()
    from app.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        db = Path(tmp) / "room.db"
        url = f"sqlite+aiosqlite:///{db}"
        upgrade(url)
        asyncio.run(http_room.prepare_template(url, 50))
        asyncio.run(http_room.prefill(url, args.room))
        sizes = Sizes(
            rooms=(0, args.room, args.room),
            desks=50,
            checkins=100_000,
            statuses=0,
            cycles=0,
            runs=1,
            max_seconds=args.seconds,
        )
        loader = Loader()
        collapsed = Path(tmp) / "stacks.txt"
        try:
            with running(LiveServer(url, quiet=True, **SERVER_ENV)) as ours:
                assert ours.proc is not None
                pid = ours.proc.pid  # one worker: uvicorn serves in this very process
                record = ["record", "--gil", "--pid", str(pid), "--format", "raw", "--output"]
                spy = subprocess.Popen(
                    [args.py_spy, *record, str(collapsed), "--duration", str(int(args.seconds))],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                job = checkin_job(ours.http, sizes, "/api/v1/centers/lippe/visits", KIOSK)
                measured = loader.run(job)
                spy.wait(timeout=args.seconds + 30)
        finally:
            loader.close()
        print(
            f"# {measured.done} check-ins from room {args.room}, {measured.rps:.1f}/s, "
            f"p50 {measured.p(0.5):.0f} ms, p99 {measured.p(0.99):.0f} ms"
        )
        print(summarise(collapsed, args.top))


if __name__ == "__main__":
    main()
