"""A visitor-facing name missing in one of the center's languages: the load warns, naming
key, line and languages, and the visitor sees the default language's name."""

from __future__ import annotations

from pathlib import Path

from app.centers.loader import LoadReport, label_warnings, parse_config

DEMO = Path(__file__).resolve().parents[2] / "app" / "demo" / "lippe.yaml"

CONFIG = """\
center:
  slug: small
  name: Small center
  timezone: Europe/Berlin
  languages: [de, ar, uk]
agencies:
  - code: abh
    name: {de: Ausländerbehörde, ar: "دائرة الأجانب (Ausländerbehörde)"}
needs:
  - code: residence
    label: {de: Aufenthalt, ar: الإقامة, uk: Проживання}
    minutes: 10
    served_by: [{agency: abh}]
desks:
  - code: r1
    room: {de: Raum 1}
    agency: abh
"""


def test_missing_labels_are_warned_with_key_and_line() -> None:
    config = parse_config(CONFIG, "small.yaml")
    warnings = label_warnings(config)
    assert warnings == [
        "small.yaml:8: agencies[0].name: no label in uk; visitors reading those see the 'de' one",
        "small.yaml:16: desks[0].room: no label in ar, uk; visitors reading those see the 'de' one",
    ]
    report = LoadReport(slug="small", warnings=warnings)
    assert str(report).splitlines()[1].startswith("warning: small.yaml:8: agencies[0].name")


def test_the_demo_center_names_everything_in_all_eight_languages() -> None:
    config = parse_config(DEMO.read_text(), DEMO.name)
    assert label_warnings(config) == []
    assert len(config.center.languages) == 8
    for agency in config.agencies:
        for lang, name in agency.name.items():
            if lang != "de" and "Jobcenter" not in name[:9]:
                assert name.endswith(f"({agency.name['de'].split(' (')[0]})"), (lang, name)
