"""Who may reach which route and socket: one row per endpoint of the app.

`test_every_route_and_socket_has_a_row` compares these rows with the app's own route
list, so an endpoint added without a row here fails the suite. The HTTP rows run in
tests/auth/test_authorisation.py, the socket rows against a real server in
tests/live/test_live.py.
"""

from __future__ import annotations

from app.config import Settings
from app.main import create_app

CALLERS = ("anonymous", "kiosk", "display", "abh1", "aa1", "admin")

# (method, route template, concrete path, expected status per caller in CALLERS order);
# r112 is an abh desk, so aa1 is refused there.
HTTP: list[tuple[str, str, str, tuple[int, ...]]] = [
    ("GET", "/api/v1/meta", "/api/v1/meta", (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/auth/me", "/api/v1/auth/me", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/me/desks", "/api/v1/me/desks", (401, 403, 403, 200, 200, 200)),
    ("GET", "/api/v1/me/center", "/api/v1/me/center", (401, 403, 403, 200, 200, 200)),
    (
        "GET",
        "/api/v1/centers/{slug}/today",
        "/api/v1/centers/lippe/today",
        (200, 200, 200, 200, 200, 200),
    ),
    (
        "POST",
        "/api/v1/centers/{slug}/visits",
        "/api/v1/centers/lippe/visits",
        (401, 201, 403, 403, 403, 201),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/display",
        "/api/v1/centers/lippe/display",
        (401, 403, 200, 403, 403, 200),
    ),
    ("GET", "/api/v1/desks/{code}", "/api/v1/desks/r112", (401, 403, 403, 200, 403, 200)),
    (
        "POST",
        "/api/v1/desks/{code}/open",
        "/api/v1/desks/r112/open",
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/pause",
        "/api/v1/desks/r112/pause",
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/call-next",
        "/api/v1/desks/r112/call-next",
        (401, 403, 403, 204, 403, 204),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/recall",
        "/api/v1/desks/r112/recall",
        (401, 403, 403, 409, 403, 409),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/start",
        "/api/v1/desks/r112/start",
        (401, 403, 403, 409, 403, 409),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/finish",
        "/api/v1/desks/r112/finish",
        (401, 403, 403, 409, 403, 409),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/no-show",
        "/api/v1/desks/r112/no-show",
        (401, 403, 403, 409, 403, 409),
    ),
    (
        "GET",
        "/api/v1/desks/{code}/queue",
        "/api/v1/desks/r112/queue",
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/close",
        "/api/v1/desks/r112/close",
        (401, 403, 403, 200, 403, 200),
    ),
    # Agencies working together (docs/api.md §6); no body: staff get 422, others 401/403.
    (
        "POST",
        "/api/v1/desks/{code}/joint",
        "/api/v1/desks/r112/joint",
        (401, 403, 403, 422, 403, 422),
    ),
    (
        "GET",
        "/api/v1/desks/{code}/joint",
        "/api/v1/desks/r112/joint",
        (401, 403, 403, 200, 403, 200),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/joint/{request_id}/accept",
        "/api/v1/desks/r112/joint/1/accept",
        (401, 403, 403, 404, 403, 404),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/joint/{request_id}/decline",
        "/api/v1/desks/r112/joint/1/decline",
        (401, 403, 403, 404, 403, 404),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/joint/{request_id}/withdraw",
        "/api/v1/desks/r112/joint/1/withdraw",
        (401, 403, 403, 404, 403, 404),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/leave",
        "/api/v1/desks/r112/leave",
        (401, 403, 403, 409, 403, 409),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/refer",
        "/api/v1/desks/r112/refer",
        (401, 403, 403, 422, 403, 422),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/hold",
        "/api/v1/desks/r112/hold",
        (401, 403, 403, 422, 403, 422),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/release",
        "/api/v1/desks/r112/release",
        (401, 403, 403, 422, 403, 422),
    ),
    (
        "POST",
        "/api/v1/desks/{code}/visits/{visit_id}/case-conference",
        "/api/v1/desks/r112/visits/x/case-conference",
        (401, 403, 403, 422, 403, 422),
    ),
    (
        "PUT",
        "/api/v1/desks/{code}/visits/{visit_id}/shared-note",
        "/api/v1/desks/r112/visits/x/shared-note",
        (401, 403, 403, 422, 403, 422),
    ),
    # Devices have no session to list; staff see their own (tests/auth/test_sessions.py).
    ("GET", "/api/v1/auth/sessions", "/api/v1/auth/sessions", (401, 403, 403, 200, 200, 200)),
    (
        "POST",
        "/api/v1/admin/users/{username}/end-sessions",
        "/api/v1/admin/users/aa1/end-sessions",
        (401, 403, 403, 403, 403, 200),
    ),
    # Days, devices, staff and the config file from the browser (docs/api.md §11): the
    # center's admin only; the checks come first (no body: 422; unknown day, device or
    # user: 404). tests/admin checks what each does.
    (
        "GET",
        "/api/v1/admin/centers/{slug}/days",
        "/api/v1/admin/centers/lippe/days",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/days",
        "/api/v1/admin/centers/lippe/days",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "PUT",
        "/api/v1/admin/centers/{slug}/days/{day}",
        "/api/v1/admin/centers/lippe/days/2030-01-02",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/days/{day}/cancel",
        "/api/v1/admin/centers/lippe/days/2030-01-02/cancel",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/days/{day}/reinstate",
        "/api/v1/admin/centers/lippe/days/2030-01-02/reinstate",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/devices",
        "/api/v1/admin/centers/lippe/devices",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/devices",
        "/api/v1/admin/centers/lippe/devices",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/devices/{name}/pairing",
        "/api/v1/admin/centers/lippe/devices/nothing/pairing",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "DELETE",
        "/api/v1/admin/centers/{slug}/devices/{name}",
        "/api/v1/admin/centers/lippe/devices/nothing",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/users",
        "/api/v1/admin/centers/lippe/users",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/users",
        "/api/v1/admin/centers/lippe/users",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/users/{username}/password",
        "/api/v1/admin/centers/lippe/users/nobody/password",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/users/{username}/disable",
        "/api/v1/admin/centers/lippe/users/nobody/disable",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/config.yaml",
        "/api/v1/centers/lippe/config.yaml",
        (401, 403, 403, 403, 403, 200),
    ),
    # The public day list (the district's website links it): anyone.
    (
        "GET",
        "/api/v1/centers/{slug}/days",
        "/api/v1/centers/lippe/days",
        (200, 200, 200, 200, 200, 200),
    ),
    # The visitor card (a visit that does not exist: the checks before it are the point).
    (
        "GET",
        "/api/v1/desks/{code}/visits/{visit_id}",
        "/api/v1/desks/r112/visits/no-such-visit",
        (401, 403, 403, 404, 403, 404),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/visits/{visit_id}",
        "/api/v1/centers/lippe/visits/no-such-visit",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/audit",
        "/api/v1/centers/lippe/audit",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/audit.csv",
        "/api/v1/centers/lippe/audit.csv",
        (401, 403, 403, 403, 403, 200),
    ),
    # The display's spoken call: a display (or admin) gets past the checks to the query's
    # (422 without ticket, desk and lang); tests/announce checks the rest.
    (
        "GET",
        "/api/v1/centers/{slug}/announce.wav",
        "/api/v1/centers/lippe/announce.wav",
        (401, 403, 422, 403, 403, 422),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/referrals",
        "/api/v1/centers/lippe/referrals",
        (401, 403, 403, 403, 403, 200),
    ),
    # Statistics from the event log (docs/api.md §10): the center's admin (and its lead).
    (
        "GET",
        "/api/v1/centers/{slug}/stats",
        "/api/v1/centers/lippe/stats",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/stats.csv",
        "/api/v1/centers/lippe/stats.csv?table=days",
        (401, 403, 403, 403, 403, 200),
    ),
    # The live overview of the day (docs/api.md §10): the center's admin, and its lead.
    (
        "GET",
        "/api/v1/centers/{slug}/overview",
        "/api/v1/centers/lippe/overview",
        (401, 403, 403, 403, 403, 200),
    ),
    # Invitations (docs/api.md §13): the center's admin; the turnout also its lead; the
    # kiosk looks a letter's code up (404 while nobody is invited today; tests/invitations
    # checks 422 for an unknown code on a day with invitations).
    (
        "GET",
        "/api/v1/admin/centers/{slug}/invitations",
        "/api/v1/admin/centers/lippe/invitations",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/invitations",
        "/api/v1/admin/centers/lippe/invitations",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/invitations/upload",
        "/api/v1/admin/centers/lippe/invitations/upload",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/invitations/turnout",
        "/api/v1/admin/centers/lippe/invitations/turnout",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/invitations/letters.html",
        "/api/v1/admin/centers/lippe/invitations/letters.html",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/invitations/{invitation_id}/letter.html",
        "/api/v1/admin/centers/lippe/invitations/999999/letter.html",
        (401, 403, 403, 403, 403, 404),
    ),
    (
        "GET",
        "/api/v1/centers/{slug}/invitations/{code}",
        "/api/v1/centers/lippe/invitations/NOPE2345",
        (401, 404, 403, 403, 403, 404),
    ),
    # The what-if planner (docs/api.md §13): the center's admin and its lead (LEAD).
    (
        "GET",
        "/api/v1/admin/centers/{slug}/planner/days",
        "/api/v1/admin/centers/lippe/planner/days",
        (401, 403, 403, 403, 403, 200),
    ),
    (
        "POST",
        "/api/v1/admin/centers/{slug}/planner/runs",
        "/api/v1/admin/centers/lippe/planner/runs",
        (401, 403, 403, 403, 403, 422),
    ),
    (
        "GET",
        "/api/v1/admin/centers/{slug}/planner/runs/{run_id}",
        "/api/v1/admin/centers/lippe/planner/runs/nothing",
        (401, 403, 403, 403, 403, 404),
    ),
    # Devices have no session to end: their logout is a no-op.
    ("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", (401, 204, 204, 204, 204, 204)),
    # Operations (docs/api.md §9): probes are public and say nothing about anyone.
    ("GET", "/healthz", "/healthz", (200, 200, 200, 200, 200, 200)),
    ("GET", "/readyz", "/readyz", (200, 200, 200, 200, 200, 200)),
    # Only for WELCOME_METRICS_TOKEN (no caller's token opens it); unset here: 404 for all.
    ("GET", "/metrics", "/metrics", (404, 404, 404, 404, 404, 404)),
]

# (socket template, concrete path, opens per caller in CALLERS order)
SOCKETS: list[tuple[str, str, tuple[bool, ...]]] = [
    (
        "/ws/centers/{slug}/display",
        "/ws/centers/lippe/display",
        (False, False, True, False, False, True),
    ),
    ("/ws/desks/{code}", "/ws/desks/r112", (False, False, False, True, False, True)),
    (
        "/ws/centers/{slug}/overview",
        "/ws/centers/lippe/overview",
        (False, False, False, False, False, True),
    ),
]

# The read-only lead (`lead1`, role lead, app/demo/lippe.yaml) in its own mapping, so the
# rows above keep one column per caller in CALLERS. The rule for a route NOT listed here:
# the lead gets what `anonymous` gets where that is not 401 (a public route, or one
# nobody reaches), else 403. So a new route is closed to leads unless a line here opens
# it; tests/auth/test_authorisation.py runs every HTTP row with this rule.
LEAD: dict[tuple[str, str], int] = {
    ("GET", "/api/v1/auth/me"): 200,
    ("GET", "/api/v1/me/center"): 200,  # the administration pages' header
    ("GET", "/api/v1/auth/sessions"): 200,  # their own sessions
    ("POST", "/api/v1/auth/logout"): 204,
    ("GET", "/api/v1/centers/{slug}/overview"): 200,  # tickets and figures, no person
    ("GET", "/api/v1/centers/{slug}/stats"): 200,  # figures, never a person
    ("GET", "/api/v1/centers/{slug}/stats.csv"): 200,
    ("GET", "/api/v1/admin/centers/{slug}/invitations/turnout"): 200,  # counts only
    ("GET", "/api/v1/admin/centers/{slug}/planner/days"): 200,  # the planner: figures only
    ("POST", "/api/v1/admin/centers/{slug}/planner/runs"): 422,
    ("GET", "/api/v1/admin/centers/{slug}/planner/runs/{run_id}"): 404,
}
# Sockets a lead may open (unlisted: refused); tests/live/test_live.py runs them.
LEAD_SOCKETS: dict[str, bool] = {"/ws/centers/{slug}/overview": True}


def lead_expects(method: str, template: str, expected: tuple[int, ...]) -> int:
    """The lead's status for a row of HTTP (its `expected` in CALLERS order)."""
    if (method, template) in LEAD:
        return LEAD[(method, template)]
    anonymous = expected[CALLERS.index("anonymous")]
    return anonymous if anonymous != 401 else 403


def lead_opens(template: str) -> bool:
    return LEAD_SOCKETS.get(template, False)


# Endpoints outside /api/ that still need a row: the operations endpoints.
OPS_PATHS = ("/healthz", "/readyz", "/metrics")

# Routes whose credential is the request itself: the visitor's token in the path (tests/
# visits and tests/live check an unknown token is refused and a token opens only its own
# visit) and the password of a login (tests/auth: wrong passwords, throttling).
CREDENTIAL_ROUTES = {
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/visits/{token}"),
    ("POST", "/api/v1/visits/{token}/cancel"),
    ("WS", "/ws/visits/{visit_token}"),
    # The visit token or its short code in the body (tests/visits/test_phone_link.py).
    ("POST", "/api/v1/visits/phone-link"),
    ("POST", "/api/v1/visits/by-code"),
    # A device's one-time pairing code in the body (tests/admin/test_devices_users.py).
    ("POST", "/api/v1/devices/pair"),
}


def app_routes() -> set[tuple[str, str]]:
    """Every API route and socket of the app, as (method or WS, template)."""
    app = create_app(Settings(demo=True))
    found: set[tuple[str, str]] = set()

    def walk(routes: list[object]) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:  # FastAPI keeps an included router as one entry
                walk(included.routes)
                continue
            path = getattr(route, "path", "")
            if path.startswith("/ws/"):
                found.add(("WS", path))
            elif path.startswith("/api/") or path in OPS_PATHS:
                found.update((m, path) for m in getattr(route, "methods", ()) if m != "HEAD")

    walk(list(app.routes))
    return found
