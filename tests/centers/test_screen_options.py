"""center.announce and center.display: validated, stored, and what the display gets."""

from __future__ import annotations

import pytest

from app.centers.loader import ConfigError, parse_config
from tests.centers.test_config_loader import BASE

pytestmark = pytest.mark.anyio


def with_center(extra: str) -> str:
    head, rest = BASE.split("  municipalities:", 1)
    return head + extra + "  municipalities:" + rest


def test_defaults_speak_in_the_visitors_language_and_show_agencies() -> None:
    config = parse_config(BASE)
    assert config.center.screen() == {
        "announce": {"chime": True, "speak": True, "languages": "visitor"},
        "display": {"agency_names": True},
    }


def test_the_options_are_read() -> None:
    text = with_center(
        "  announce: {speak: false, languages: default}\n  display: {agency_names: false}\n"
    )
    screen = parse_config(text).center.screen()
    assert screen["announce"] == {"chime": True, "speak": False, "languages": "default"}
    assert screen["display"] == {"agency_names": False}


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("  announce: {languages: all}\n", "center.announce.languages"),
        ("  announce: {speak: maybe}\n", "center.announce.speak"),
        ("  announce: {volume: 3}\n", "center.announce.volume"),
        ("  display: {agency_names: 'no'}\n", "center.display.agency_names"),
    ],
)
def test_a_bad_option_is_refused_naming_key_and_line(extra: str, named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(with_center(extra))
    [problem] = refused.value.problems
    assert problem.startswith(f"<config>:6: {named}:"), problem
