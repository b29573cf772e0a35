"""The Dockerfile and docker-compose.yml, read statically (no Docker daemon needed):
the image's promises (non-root, healthcheck on /healthz, migrations then serve,
espeak-ng, a builder stage for wheels) and the compose file's (PostgreSQL, two
workers, volumes, only settings that exist)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        found.append((word.upper(), rest.strip()))
    return found


def stages() -> list[list[tuple[str, str]]]:
    """The build stages, each its instructions from its FROM on."""
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def args(stage: list[tuple[str, str]], word: str) -> list[str]:
    return [rest for name, rest in stage if name == word]


def test_the_image_is_built_in_stages_and_runs_slim_as_nobody() -> None:
    builder, runtime = stages()
    assert "AS builder" in builder[0][1] and "slim" in runtime[0][1]
    assert any("pip wheel" in run for run in args(builder, "RUN"))
    runs = " ".join(args(runtime, "RUN"))
    assert "--no-index" in runs and "from=builder" in runs  # only the builder's wheels
    assert "espeak-ng" in runs and "rm -rf /var/lib/apt/lists" in runs
    assert "pip install -e" not in runs
    users = args(runtime, "USER")
    assert users and users[-1] not in ("root", "0"), users
    # The user is set before the command, and nothing after it runs as root again.
    names = [name for name, _ in runtime]
    assert names.index("USER") < names.index("CMD")


def test_healthcheck_and_start_command() -> None:
    runtime = stages()[-1]
    (check,) = args(runtime, "HEALTHCHECK")
    assert "/healthz" in check and "--interval" in check
    (cmd,) = args(runtime, "CMD")
    script = " ".join(shlex.split(cmd.strip("[]").replace('", "', " ")))
    assert re.search(r"app\.cli migrate && exec python -m app\.cli serve", script), script
    assert "--host 0.0.0.0" in script and "WEB_CONCURRENCY" in script


def test_every_copied_path_exists_and_the_context_stays_small() -> None:
    for stage in stages():
        for rest in args(stage, "COPY"):
            if rest.startswith("--from"):
                continue
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such path"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(
        (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    )
    return loaded


def test_compose_runs_the_app_with_postgres_and_two_workers() -> None:
    services = compose()["services"]
    db, app = services["db"], services["app"]
    assert db["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pgdata" in compose()["volumes"]

    assert app["build"] == "."
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    env = app["environment"]
    assert env["WELCOME_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in env["WELCOME_DATABASE_URL"]
    assert env["WEB_CONCURRENCY"] == "2"
    # Secrets are demanded, never defaulted.
    for name in ("WELCOME_SECRET_KEY", "WELCOME_PUBLIC_URL"):
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", env[name]), env[name]
    assert ":?" in db["environment"]["POSTGRES_PASSWORD"]
    assert app["ports"] == ["127.0.0.1:8000:8000"]  # behind the reverse proxy
    assert app["volumes"]


def test_compose_sets_only_settings_that_exist() -> None:
    """A misspelt WELCOME_ variable would be silently ignored (extra="ignore")."""
    env = compose()["services"]["app"]["environment"]
    fields = {f"WELCOME_{name.upper()}" for name in Settings.model_fields}
    unknown = [name for name in env if name.startswith("WELCOME_") and name not in fields]
    assert not unknown, unknown
