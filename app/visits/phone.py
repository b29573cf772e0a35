"""The visitor's phone link: the address, its QR code and a short code to type.

The link is built from `WELCOME_PUBLIC_URL` (the address visitors' phones reach), never
from the kiosk's own address. The visit token rides in the URL's fragment
(`/visit/#t=…&c=…`): browsers do not send a fragment to the server, so the token does not
land in the access log of the page request or in a proxy's log.

The short code is the ticket and a check of five characters, e.g. `A017-7KX4M`: an HMAC
of the visit token under the server's secret, so nothing new is stored, and the check
cannot be computed without the secret. Five characters from an alphabet of 31 (no 0/O,
1/I/L) are about 25 bits; with the limits of `CodeThrottle` a guesser who knows a ticket
from the waiting-room screen needs millions of tries for one visit.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import re
from urllib.parse import urlencode

import segno

from app.errors import TooManyRequests
from app.ops.ratelimit import SlidingWindow

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 characters a person cannot confuse
CHECK_LENGTH = 5
TICKET_RE = r"[A-Z]{1,3}[0-9]{1,5}"
CHECK_RE = rf"[A-HJKMNP-Z2-9]{{{CHECK_LENGTH}}}"
CODE_RE = re.compile(rf"^({TICKET_RE})({CHECK_RE})$")


def phone_url(public_url: str, token: str, center_slug: str) -> str:
    """The phone page for this visit, on the address phones reach."""
    base = public_url.strip().rstrip("/") or "http://127.0.0.1:8000"
    return f"{base}/visit/#{urlencode({'t': token, 'c': center_slug})}"


def typing_url(public_url: str) -> str:
    """Where a visitor without a camera app types the short code."""
    base = public_url.strip().rstrip("/") or "http://127.0.0.1:8000"
    return f"{base}/visit/"


def check_code(secret: bytes, token: str) -> str:
    digest = hmac.new(secret, b"phone-code:" + token.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CHECK_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def short_code(secret: bytes, ticket: str, token: str) -> str:
    return f"{ticket}-{check_code(secret, token)}"


def parse_code(typed: str) -> tuple[str, str] | None:
    """(ticket, check) from what a visitor typed: case, spaces and dashes do not matter."""
    parts = [p for p in re.split(r"[\s\-_.]+", typed.upper()) if p]
    if len(parts) == 2:  # typed with a separator: it says where the ticket ends
        ticket, check = parts
        ok = re.fullmatch(TICKET_RE, ticket) and re.fullmatch(CHECK_RE, check)
        return (ticket, check) if ok else None
    match = CODE_RE.match("".join(parts))
    return (match[1], match[2]) if match else None


def matches(secret: bytes, token: str, check: str) -> bool:
    return hmac.compare_digest(check_code(secret, token), check)


def qr_svg(url: str) -> str:
    """The URL as an SVG QR code (error correction M, a quiet zone of four modules)."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        xmldecl=False,
        svgns=True,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
        dark="black",
        light="white",
        title=None,
    )
    return out.getvalue().decode()


class CodeThrottle:
    """Guesses of short codes: per client address, and per ticket across all addresses.

    Each lookup takes its place *before* the code is checked (no await in between, so
    concurrent guesses cannot outrun the count) and gives it back when the code was
    right. In-process counters like the login throttle (app/auth/throttle.py): with
    several workers each keeps its own, which still caps guessing at workers x limit.
    """

    def __init__(self, per_client: str = "20/10 minutes", per_ticket: str = "30/hour") -> None:
        self._client = SlidingWindow(per_client)
        self._ticket = SlidingWindow(per_ticket)

    def begin(self, *, client: str, ticket: str | None) -> list[tuple[SlidingWindow, str]]:
        keys = [(self._client, f"ip:{client}")]
        if ticket:
            keys.append((self._ticket, f"ticket:{ticket}"))
        for window, key in keys:
            wait = window.wait(key)
            if wait > 0:
                raise TooManyRequests(
                    "too many wrong codes; try again later", retry_after=math.ceil(wait)
                )
        for window, key in keys:
            window.take(key)
        return keys

    def succeeded(self, taken: list[tuple[SlidingWindow, str]]) -> None:
        for window, key in taken:
            window.give_back(key)
