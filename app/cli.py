"""The welcome-center command: migrate, load-config, serve, demo."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:  # the commands import their modules late, so --help stays quick
    from app.centers.loader import LoadReport
    from app.config import Settings

app = typer.Typer(help="Welcome-Center: walk-in queue and routing for one-stop centers.")
DEMO_FILE = Path(__file__).parent / "demo" / "lippe.yaml"

# How uvicorn runs the live-update sockets (bench/realtime.py measures exactly this):
# the sans-I/O websockets protocol (no reader/keepalive tasks per socket, timers
# instead) and no per-message-deflate, which costs two zlib contexts (~70 KiB) per
# socket and a compression per message per socket for ~300-byte JSON messages.
# Clients only send a token or "ping": 64 KiB is plenty for a message.
WS_OPTIONS: dict[str, Any] = {
    "ws": "app.live.protocol:SocketProtocol",  # uvicorn's websockets-sansio, lighter
    "ws_per_message_deflate": False,
    "ws_max_size": 64 * 1024,
}


def _settings(demo: bool = False) -> Settings:
    from pydantic import ValidationError

    from app.config import Settings

    try:
        return Settings(demo=True) if demo else Settings()
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"error: {err['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Apply all migrations to WELCOME_DATABASE_URL."""
    from app.migrate import upgrade

    url = _settings(demo=True).database_url
    upgrade(url)
    typer.echo(f"database is up to date ({_redact(url)})")


@app.command("load-config")
def load_config(file: Annotated[Path, typer.Argument(help="the center's YAML file")]) -> None:
    """Create or update a center from its YAML file (idempotent; history is kept)."""
    from sqlalchemy.exc import OperationalError

    from app.centers.loader import ConfigError

    try:
        report = asyncio.run(_load(file))
    except ConfigError as exc:
        typer.echo(f"{file}: refused, nothing was written:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    except FileNotFoundError:
        typer.echo(f"{file}: no such file", err=True)
        raise typer.Exit(1) from None
    except OperationalError as exc:
        # A SQLite file that does not exist is not created here (only by `migrate`).
        message = f"cannot open the database ({exc.orig}): run `welcome-center migrate` first?"
        typer.echo(message, err=True)
        raise typer.Exit(1) from None
    typer.echo(str(report))


async def _load(file: Path) -> LoadReport:
    from app.centers.loader import load_config_file
    from app.db import Database

    # create=False: a mistyped WELCOME_DATABASE_URL must not become a new empty database.
    db = Database(_settings(demo=True).database_url, create=False)
    try:
        return await load_config_file(db, file)
    finally:
        await db.dispose()


@app.command("export-config")
def export_config(
    slug: Annotated[str, typer.Argument(help="the center's slug")],
    file: Annotated[
        Path | None, typer.Argument(help="where to write it (default: standard output)")
    ] = None,
) -> None:
    """Write a center's configuration as the YAML load-config reads (hashes, no secrets)."""
    text = asyncio.run(_export(slug))
    if text is None:
        typer.echo(f"no center {slug!r} in this database", err=True)
        raise typer.Exit(1)
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"{slug}: written to {file}")


async def _export(slug: str) -> str | None:
    from sqlalchemy import select

    from app.centers.export import export_config as export
    from app.centers.models import Center
    from app.db import Database

    db = Database(_settings(demo=True).database_url)
    try:
        async with db.read() as session:
            center = await session.scalar(select(Center).where(Center.slug == slug))
            return None if center is None else await export(session, center)
    finally:
        await db.dispose()


@app.command()
def purge(
    days: Annotated[
        int | None,
        typer.Option(min=0, help="keep personal data DAYS days (default: WELCOME_RETENTION_DAYS)"),
    ] = None,
    audit_days: Annotated[
        int | None,
        typer.Option(min=1, help="keep audit entries DAYS days (default: the setting)"),
    ] = None,
) -> None:
    """Delete visitors' personal data and old audit entries (the server also does this
    by itself every day at WELCOME_PURGE_AT)."""
    settings = _settings(demo=True)
    days = settings.retention_days if days is None else days
    keep_audit = audit_days or settings.audit_retention_days
    count, entries = asyncio.run(_purge(settings.database_url, days, keep_audit))
    typer.echo(f"anonymised {count} visits older than {days} days")
    typer.echo(f"deleted {entries} audit entries older than {keep_audit} days")


async def _purge(url: str, days: int, audit_days: int) -> tuple[int, int]:
    from datetime import timedelta

    from app.audit.service import purge as purge_audit
    from app.db import Database
    from app.visits.retention import purge

    db = Database(url)
    try:
        now = datetime.now(UTC)
        count = await purge(db, before=now.date() - timedelta(days=days), now=now)
        # The audit log has its own, longer period: it must outlive the data it audits.
        return count, await purge_audit(db, before=now - timedelta(days=audit_days))
    finally:
        await db.dispose()


@app.command("stats-rollup")
def stats_rollup(
    center: Annotated[
        str | None, typer.Option("--center", help="only this center (its slug)")
    ] = None,
) -> None:
    """Build the statistics rollups of closed days that lack one or are out of date (the
    server also does this by itself; run it after importing history)."""
    settings = _settings(demo=True)
    done = asyncio.run(_stats_rollup(settings.database_url, center))
    if center is not None and not done:
        typer.echo(f"no center '{center}'", err=True)
        raise typer.Exit(1)
    for slug, count in done.items():
        typer.echo(f"{slug}: {count} days rolled up")


async def _stats_rollup(url: str, slug: str | None) -> dict[str, int]:
    from app.db import Database
    from app.stats.rollup import backfill_all

    db = Database(url)
    try:
        return await backfill_all(db, now=datetime.now(UTC), slug=slug)
    finally:
        await db.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Run the server."""
    import uvicorn

    from app.ops.logs import log_config

    settings = _settings()  # refuse a missing secret key before starting workers
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # X-Forwarded-* count only from WELCOME_TRUSTED_PROXIES, checked in the app
        # (app/ops/edge.py); uvicorn's own default would trust any local client.
        proxy_headers=False,
        # JSON or text, a request id on each line, tokens masked (app/ops/logs.py)
        log_config=log_config(settings.log_style),
        **WS_OPTIONS,
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    empty: Annotated[
        bool, typer.Option("--empty", help="no simulated day: nothing moves until you act")
    ] = False,
    pace: Annotated[
        float, typer.Option(help="simulated minutes per real second of the simulated day")
    ] = 1.0,
) -> None:
    """Migrate, load the bundled demo center, open today, and serve it with a simulated day."""
    import uvicorn

    os.environ["WELCOME_DEMO"] = "1"
    from app.config import get_settings
    from app.migrate import upgrade
    from app.ops.logs import log_config

    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    report, today = asyncio.run(_demo_setup(settings.database_url))
    base = f"http://{host}:{port}"
    typer.echo(
        "\n".join(
            [
                "",
                f"Welcome-Center demo ({report.slug}), consultation day {today} is open.",
                f"  Kiosk:    {base}/kiosk/?center=lippe&token=demo-kiosk-token-foyer",
                f"  Display:  {base}/display/?center=lippe&token=demo-display-token-wartebereich",
                f"  Start:    {base}/   (every screen, with the demo credentials)",
                f"  Staff:    {base}/staff/   (API docs: {base}/docs)",
                "  Sign-in:  admin / demo-admin; staff abh1 / demo-abh, jobcenter1 / "
                "demo-jobcenter, aa1 / demo-aa (one per agency: <agency>1 / demo-<agency>)",
                f"  Admin:    {base}/admin/   (admin, or the read-only lead lead1 / demo-lead)",
                "  Motion:   " + ("off (--empty)" if empty else f"a simulated day, {pace:g} min/s"),
                "",
            ]
        )
    )
    sys.stdout.flush()
    motion = None if empty else _start_motion(base, pace)
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            proxy_headers=False,  # WELCOME_TRUSTED_PROXIES, in the app (app/ops/edge.py)
            log_config=log_config(settings.log_style),  # text unless WELCOME_LOG_FORMAT=json
            **WS_OPTIONS,
        )
    finally:
        if motion is not None:
            _stop(motion)


def _start_motion(base: str, pace: float) -> subprocess.Popen[bytes]:
    """The simulated day (app/demo/motion.py) in its own process: whatever happens to it,
    the server keeps serving; it waits for the server and retries on its own."""
    command = [sys.executable, "-m", "app.demo.motion", "--base", base, "--pace", str(pace)]
    return subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _demo_setup(url: str) -> tuple[LoadReport, date]:
    from sqlalchemy import select

    from app.centers.loader import ensure_day, load_config_file
    from app.centers.models import Center
    from app.db import Database

    db = Database(url)
    try:
        report = await load_config_file(db, DEMO_FILE)
        async with db.write() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            today = datetime.now(UTC).astimezone(ZoneInfo(center.timezone)).date()
            await ensure_day(session, center_id=center.id, day=today)
        return report, today
    finally:
        await db.dispose()


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    app()


if __name__ == "__main__":
    main()
