"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from files the app serves itself.

FastAPI's defaults load both from a CDN and start Swagger UI with an inline script;
these pages load the copies in app/ops/vendor/ (mounted at /static/vendor) and a
start-up script file, so they work offline and under a CSP without inline script.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.config import ROOT

router = APIRouter()
VENDOR = ROOT / "app" / "ops" / "vendor"
SWAGGER = "/static/vendor/swagger-ui-5.35.0"
REDOC = "/static/vendor/redoc-2.5.4"

DOCS_HTML = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>welcome-center – API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{SWAGGER}/swagger-ui-bundle.js"></script>
  <script src="/static/vendor/init/swagger.js"></script>
</body>
</html>
"""

REDOC_HTML = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>welcome-center – API</title>
  <link rel="icon" href="data:,">
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="{REDOC}/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/docs", include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML)


@router.get("/redoc", include_in_schema=False)
async def redoc() -> HTMLResponse:
    return HTMLResponse(REDOC_HTML)
