"""Invitation letters as print-ready HTML: one A4 page per invitee, the invitee's
language beside German (right to left for Arabic and Persian), the code as text and as
a QR code for the kiosk's scanner. Styles come from /admin/letter.css: the CSP allows
no inline <style>, and the page needs no script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import segno

from app.centers.models import Center, Day
from app.invitations.codes import shown
from app.invitations.letter_text import REVIEW, RTL, to_bring, words
from app.invitations.models import Invitation
from app.invitations.service import window_of

# The letters' OpenAPI answer (routes may not spell Any).
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "print-ready letters (A4)"}
}


def qr(code: str) -> str:
    """The code alone: the kiosk's scanner types what it reads into the code field."""
    return segno.make(shown(code), error="m").svg_data_uri(scale=4, border=2, dark="#000")


def _date(day: Day) -> str:
    return day.date.strftime("%d.%m.%Y")


def _side(row: Invitation, language: str, day: Day, labels: Mapping[str, Mapping[str, str]]) -> str:
    w = words(language)
    window = window_of(row, day)
    direction = "rtl" if language in RTL else "ltr"
    needs = "".join(
        f"<li>{escape(labels.get(n, {}).get(language) or labels.get(n, {}).get('de') or n)}</li>"
        for n in row.needs
    )
    bring = "".join(f"<li>{escape(item)}</li>" for item in to_bring(list(row.needs), language))
    arrive = (
        f'<p class="window">{escape(w["window"].format(start=window.start, end=window.end))}</p>'
        if window
        else ""
    )
    review = ' data-review="true"' if language in REVIEW else ""
    return (
        f'<div class="side" lang="{escape(language)}" dir="{direction}"{review}>'
        f"<h2>{escape(w['title'])}</h2>"
        f"<p>{escape(w['greeting'])}</p>"
        f"<p>{escape(w['invited'].format(date=_date(day)))}</p>"
        f"{arrive}"
        f'<p class="kiosk">{escape(w["kiosk"])}</p>'
        f"<h3>{escape(w['concerns'])}</h3><ul>{needs}</ul>"
        f"<h3>{escape(w['bring'])}</h3><ul>{bring}</ul>"
        f"<p>{escape(w['closing'])}</p>"
        "</div>"
    )


def page(row: Invitation, center: Center, day: Day, labels: Mapping[str, Mapping[str, str]]) -> str:
    code = shown(row.code or "")
    window = window_of(row, day)
    place = escape(center.name) + (f"<br>{escape(day.site)}" if day.site else "")
    address = "".join(
        f"<span>{escape(line.strip())}</span>"
        for line in (row.name or "", *(row.address or "").split(","))
        if line.strip()
    )
    languages = [row.language] + (["de"] if row.language != "de" else [])
    sides = "".join(_side(row, lang, day, labels) for lang in languages)
    when = f"{window.start}–{window.end}" if window else ""
    return (
        '<section class="letter">'
        f'<header><p class="sender">{escape(center.name)}</p>'
        f'<p class="recipient">{address}</p></header>'
        '<div class="facts">'
        f'<img class="qr" src="{qr(row.code or "")}" alt="QR {escape(code)}"'
        ' width="132" height="132">'
        f'<dl><dt lang="de">Code</dt><dd class="code">{escape(code)}</dd>'
        f'<dt lang="de">Datum</dt><dd>{escape(_date(day))}</dd>'
        f'<dt lang="de">Ankunft</dt><dd class="arrival">{escape(when)}</dd>'
        f'<dt lang="de">Ort</dt><dd>{place}</dd></dl>'
        "</div>"
        f'<div class="sides">{sides}</div>'
        "</section>"
    )


def document(
    rows: Sequence[Invitation],
    center: Center,
    day: Day,
    labels: Mapping[str, Mapping[str, str]],
) -> str:
    body = "".join(page(r, center, day, labels) for r in rows if r.code)
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Einladungen {escape(_date(day))}</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/admin/letter.css">'
        f"</head><body>{body}</body></html>"
    )
