# Production image: PostgreSQL via WELCOME_DATABASE_URL, secret key via WELCOME_SECRET_KEY.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/welcome-center
# espeak-ng speaks the waiting-room display's calls (offline, every kiosk language).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY kiosk ./kiosk
COPY visit ./visit
COPY display ./display
RUN pip install -e . && useradd --system --home /srv/welcome-center welcome \
    && mkdir -p var && chown welcome var
USER welcome
EXPOSE 8000
CMD ["sh", "-c", "welcome-center migrate && welcome-center serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
