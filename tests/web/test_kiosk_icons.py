"""The kiosk's pictograms come from icons.css by data-icon: one rule per icon the kiosk
knows, each naming a file that exists, and no style attribute left in the kiosk's markup
(the pages' CSP allows no inline style)."""

from __future__ import annotations

import re
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def test_every_icon_has_its_rule_and_its_file() -> None:
    known = re.search(r"ICONS = new Set\(\[(.*?)\]\)", (KIOSK / "icons.js").read_text(), re.S)
    assert known is not None
    icons = set(re.findall(r'"([a-z0-9-]+)"', known.group(1)))
    rule = r'\.icon\[data-icon="([a-z0-9-]+)"\] \{ --icon: url\("/kiosk/icons/([a-z0-9-]+)\.svg"\)'
    rules = dict(re.findall(rule, (KIOSK / "icons.css").read_text()))
    assert set(rules) == icons
    for name, file in rules.items():
        assert name == file and (KIOSK / "icons" / f"{file}.svg").is_file(), name


def test_no_style_attribute_in_the_kiosk() -> None:
    for path in (*KIOSK.glob("*.html"), *KIOSK.glob("*.js")):
        assert not re.search(r"\sstyle=", path.read_text()), path.name
