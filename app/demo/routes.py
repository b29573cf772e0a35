"""`/`: in demo mode a start page linking every screen with the demo credentials.

Outside demo mode `/` is a minimal page with no credentials and no device links (a
kiosk or display is set up with its own URL and token; see README): it names the staff
desk and the API documentation, the two addresses a person opens by hand.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import select

from app.centers.models import Center
from app.config import Settings
from app.kinds import VisitStatus
from app.visits.models import Visit

router = APIRouter(include_in_schema=False)
CSS = Path(__file__).with_name("start.css")
SLUG = "lippe"
KIOSK_TOKEN = "demo-kiosk-token-foyer"
DISPLAY_TOKEN = "demo-display-token-wartebereich"
CREDENTIALS = [  # (username, password, who): app/demo/lippe.yaml, public by design
    ("admin", "demo-admin", "Administration: alle Schalter · every desk"),
    ("lead1", "demo-lead", "Leitung, nur lesen: Überblick · lead, read only: overview"),
    ("abh1", "demo-abh", "Ausländerbehörde · immigration office"),
    ("jobcenter1", "demo-jobcenter", "Jobcenter"),
    ("aa1", "demo-aa", "Agentur für Arbeit · employment agency"),
    ("<agency>1", "demo-<agency>", "jede weitere Stelle · every other agency"),
]


@router.get("/start.css")
async def start_css() -> FileResponse:
    return FileResponse(CSS, media_type="text/css")


@router.get("/")
async def start(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    if not settings.demo:
        return HTMLResponse(page("Welcome-Center", production_body()))
    phone = await newest_visit(request)
    return HTMLResponse(page("Welcome-Center Demo", demo_body(phone)))


async def newest_visit(request: Request) -> str | None:
    """The newest visitor still in the center: the phone page needs a visitor's token."""
    db = request.app.state.db
    async with db.read() as session:
        token = await session.scalar(
            select(Visit.token)
            .join(Center, Center.id == Visit.center_id)
            .where(
                Center.slug == SLUG,
                Visit.status.in_((VisitStatus.WAITING, VisitStatus.CALLED, VisitStatus.IN_SERVICE)),
                Visit.token.is_not(None),
            )
            .order_by(Visit.checked_in_at.desc())
            .limit(1)
        )
    return str(token) if token else None


def page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="de" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{escape(title)}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/start.css">
</head>
<body><main>{body}</main></body>
</html>"""


def card(href: str, name: str, text: str, test_id: str) -> str:
    return (
        f'<li><a href="{escape(href)}" data-testid="{test_id}">{escape(name)}</a><p>{text}</p></li>'
    )


def demo_body(phone: str | None) -> str:
    kiosk = f"/kiosk/?center={SLUG}&token={KIOSK_TOKEN}"
    display = f"/display/?center={SLUG}&token={DISPLAY_TOKEN}"
    door = f"/display/?center={SLUG}&token={DISPLAY_TOKEN}&desk=r112"
    if phone:
        visit_href = f"/visit/?c={SLUG}&t={phone}"
        visit_text = "Die Statusseite des neuesten Besuchers (sonst über den QR-Code des Tickets)."
    else:
        visit_href = kiosk
        visit_text = "Öffnet sich über den QR-Code des Tickets: erst am Kiosk einchecken."
    cards = [
        card(kiosk, "Kiosk", "Einchecken am Touchscreen, acht Sprachen.", "kiosk"),
        card(
            display,
            "Wartebereich-Anzeige",
            "Aufrufe mit Gong und Ansage, Wartezeiten je Stelle (16:9-Fernseher).",
            "display",
        ),
        card(door, "Türschild", "Kleiner Bildschirm an einem Schalter: „Jetzt hier“.", "door"),
        card("/staff/", "Schalter (Personal)", "Anmelden, Schalter wählen, aufrufen.", "staff"),
        card(visit_href, "Handy-Seite", visit_text, "visit"),
        card("/docs", "API-Dokumentation", "OpenAPI zum Ausprobieren.", "docs"),
    ]
    rows = "".join(
        f"<tr><td><code>{escape(u)}</code></td><td><code>{escape(p)}</code></td>"
        f"<td>{escape(who)}</td></tr>"
        for u, p, who in CREDENTIALS
    )
    return f"""
<h1>Welcome-Center Kreis Lippe <span lang="en">· demo</span></h1>
<p class="lead">Ein simulierter Beratungstag läuft: virtuelle Besucher checken ein, virtuelle
Mitarbeitende rufen auf und beraten. Ein Schalter, an dem Sie selbst arbeiten, wird Ihnen
überlassen. <span lang="en">A simulated day runs; a desk you work at is left to you.</span></p>
<ul class="cards">{"".join(cards)}</ul>
<h2>Anmeldung <span lang="en">· sign-in</span></h2>
<table data-testid="credentials"><thead><tr><th>Benutzer</th><th>Passwort</th><th>Stelle</th></tr>
</thead><tbody>{rows}</tbody></table>
<p class="note">Geräte-Tokens (öffentlich, nur Demo): Kiosk <code>{KIOSK_TOKEN}</code>,
Anzeige <code>{DISPLAY_TOKEN}</code>. Ohne Simulation starten:
<code>welcome-center demo --empty</code>.</p>"""


def production_body() -> str:
    cards = [
        card("/staff/", "Schalter (Personal)", "Anmelden und einen Schalter wählen.", "staff"),
        card("/docs", "API-Dokumentation", "OpenAPI (<code>/openapi.json</code>).", "docs"),
    ]
    return f"""
<h1>Welcome-Center</h1>
<p class="lead">Kiosk und Anzeige werden mit ihrer eigenen Adresse eingerichtet.</p>
<ul class="cards">{"".join(cards)}</ul>"""
