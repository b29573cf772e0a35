"""Routes next to the static front ends: addresses that moved keep working."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse


async def old_phone_page(request: Request) -> RedirectResponse:
    """The phone page's former address, /kiosk/v.html: QR codes printed before still work.

    Registered before the /kiosk mount (routes match in order). 308 keeps the method and
    the query (`t`, the visit token, and `c`, the center).
    """
    query = request.url.query
    return RedirectResponse("/visit/" + (f"?{query}" if query else ""), status_code=308)
