"""The desk screen's catalogue (app/web/staff/i18n/<lang>.js): German and English complete."""

from __future__ import annotations

import re
from pathlib import Path

STAFF = Path(__file__).resolve().parents[2] / "app" / "web" / "staff"


def keys(lang: str) -> set[str]:
    text = (STAFF / "i18n" / f"{lang}.js").read_text()
    body = text.split("export default {", 1)[1]
    return set(re.findall(r"^  (\w+):", body, re.M))


def test_german_and_english_have_every_string() -> None:
    assert {p.stem for p in (STAFF / "i18n").glob("*.js")} == {"de", "en"}
    assert keys("de") == keys("en"), keys("de") ^ keys("en")
    for lang in ("de", "en"):
        assert 'export const REVIEW = "' in (STAFF / "i18n" / f"{lang}.js").read_text()


def test_every_key_the_pages_use_is_in_the_catalogue() -> None:
    defined = keys("de")
    used: set[str] = set()
    for path in STAFF.glob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*["'](\w+)["']""", path.read_text()))
    used |= set(
        re.findall(r'data-i18n(?:-label|-title)?="(\w+)"', (STAFF / "index.html").read_text())
    )
    assert used - defined == set()


def test_no_screen_text_outside_the_catalogue() -> None:
    # German words in the modules would stay German on the English screen.
    for path in STAFF.glob("*.js"):
        code = re.sub(r"//.*|/\*.*?\*/", "", path.read_text(), flags=re.S)
        assert not re.search(r"[äöüßÄÖÜ]", code), path.name
