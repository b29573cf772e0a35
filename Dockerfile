# syntax=docker/dockerfile:1
# Production image (README, "Production"): PostgreSQL via WELCOME_DATABASE_URL, the
# secret key via WELCOME_SECRET_KEY; docker-compose.yml runs it with PostgreSQL.

# ---- builder: every dependency as a wheel (compilers stay here, out of the runtime) ----
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip wheel --wheel-dir /wheels .

# ---- runtime: slim, the wheels installed into a venv, the code as a plain tree ----
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/welcome-center \
    WEB_CONCURRENCY=2
# espeak-ng speaks the waiting-room display's calls (offline, every kiosk language).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*
# Installed from the builder's wheels only (no index): the project wheel pulls in
# exactly its dependencies and is then removed, because the app finds its front ends,
# migrations and alembic.ini next to its own package (app.config.ROOT), so it runs
# from the tree below (PYTHONPATH).
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && pip install --no-index --find-links=/wheels welcome-center \
    && pip uninstall -y welcome-center
RUN useradd --system --uid 10001 --user-group --home-dir /srv/welcome-center \
    --shell /usr/sbin/nologin welcome
WORKDIR /srv/welcome-center
COPY alembic.ini pyproject.toml ./
COPY migrations ./migrations
COPY app ./app
COPY kiosk ./kiosk
COPY visit ./visit
COPY display ./display
# var/: the SQLite file when no WELCOME_DATABASE_URL is given (demo, trials).
RUN mkdir -p var && chown welcome:welcome var
USER welcome
EXPOSE 8000
# /healthz answers without touching the database (docs/api.md §9); no curl in a slim
# image, Python's urllib does.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# Migrations on start (additive, so an older worker still running keeps working), then
# the server; exec, so stop signals reach uvicorn and it drains its connections.
CMD ["sh", "-c", "python -m app.cli migrate && exec python -m app.cli serve --host 0.0.0.0 --port 8000 --workers \"${WEB_CONCURRENCY}\""]
