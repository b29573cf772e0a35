"""Static checks of the front ends: local assets only, shared module copies in sync."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = [
    ROOT / "kiosk",
    ROOT / "display",
    ROOT / "app" / "web" / "staff",
    ROOT / "app" / "web" / "static",
]


def front_end_files() -> list[Path]:
    return [
        p
        for folder in FRONT_ENDS
        for p in sorted(folder.rglob("*"))
        if p.suffix in {".html", ".js", ".css"}
    ]


def test_every_asset_is_local() -> None:
    # Kiosks may have no internet: no CDN, no web fonts, no external scripts.
    remote = re.compile(
        r"""(src|href)\s*=\s*["']\s*(https?:)?//"""  # <script src>, <link href>
        r"""|url\(\s*["']?(https?:)?//"""  # CSS url(), @import url()
        r"""|@import\s+["'](https?:)?//"""
        r"""|import\s*\(?\s*["'](https?:)?//"""  # JS modules from elsewhere
        r"""|from\s+["'](https?:)?//"""
    )
    offenders = [
        str(p.relative_to(ROOT)) for p in front_end_files() if remote.search(p.read_text())
    ]
    assert offenders == []


def test_the_live_module_is_shared_not_copied() -> None:
    users = [ROOT / "kiosk" / "visit.js", ROOT / "display" / "display.js"]
    users.append(ROOT / "app" / "web" / "staff" / "staff.js")
    for path in users:
        assert 'from "/static/live.js"' in path.read_text(), path
    assert not any((folder / "live.js").exists() for folder in FRONT_ENDS[:3])


def test_every_ui_language_has_every_kiosk_string() -> None:
    text = (ROOT / "kiosk" / "i18n.js").read_text()
    blocks = re.split(r"\n  (\w\w): \{\n", text.split("export const STRINGS = {", 1)[1])
    languages = dict(zip(blocks[1::2], blocks[2::2], strict=False))
    assert set(languages) >= {"de", "en", "ar", "uk", "ru", "tr", "fa", "ro"}
    keys = {lang: set(re.findall(r"^    (\w+):", body, re.M)) for lang, body in languages.items()}
    missing = {lang: sorted(keys["en"] - k) for lang, k in keys.items() if keys["en"] - k}
    assert missing == {}
