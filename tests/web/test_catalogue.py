"""The visitor-facing catalogue (app/web/static/i18n/<lang>.js): one format for kiosk,
phone page and display; every key in every language, the same placeholders, plural forms
where the language has them, a review note per language."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "app" / "web" / "static" / "i18n"
LANGUAGES = ["de", "en", "ar", "uk", "ru", "tr", "fa", "ro"]
# CLDR plural categories of cardinal numbers (what Intl.PluralRules returns).
PLURALS = {
    "de": {"one", "other"},
    "en": {"one", "other"},
    "ar": {"zero", "one", "two", "few", "many", "other"},
    "uk": {"one", "few", "many", "other"},
    "ru": {"one", "few", "many", "other"},
    "tr": {"one", "other"},
    "fa": {"one", "other"},
    "ro": {"one", "few", "other"},
}


def catalogue(lang: str) -> tuple[dict[str, Any], str]:
    text = (FOLDER / f"{lang}.js").read_text()
    body = text.split("export default {", 1)[1].rsplit("};", 1)[0]
    entries = {}
    for line in body.strip("\n").splitlines():
        match = re.match(r"^  (\w+): (.*),$", line)
        assert match, f"{lang}.js: not one `key: JSON value,` per line: {line!r}"
        entries[match[1]] = json.loads(match[2])
    review = re.search(r'^export const REVIEW = (".*");$', text, re.M)
    assert review, f"{lang}.js has no REVIEW note"
    return entries, json.loads(review[1])


def placeholders(value: Any) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", text)}


def test_every_key_in_every_language_with_the_same_placeholders() -> None:
    german, _ = catalogue("de")
    for lang in LANGUAGES:
        entries, _ = catalogue(lang)
        assert sorted(set(german) - set(entries)) == [], f"{lang} misses keys"
        assert sorted(set(entries) - set(german)) == [], f"{lang} has keys German lacks"
        for key, value in entries.items():
            assert value, (lang, key)
            want = placeholders(german[key])
            got = placeholders(value)
            # A plural form may spell the number out ("un minut", "دقيقتين").
            if isinstance(value, dict):
                assert got <= want, (lang, key)
            else:
                assert got == want, (lang, key, got, want)


def test_counted_strings_have_the_forms_of_each_language() -> None:
    for lang in LANGUAGES:
        entries, _ = catalogue(lang)
        for key, value in entries.items():
            if not isinstance(value, dict):
                continue
            assert "other" in value, (lang, key)
            assert set(value) <= PLURALS[lang], (lang, key, sorted(value))
            if lang in ("ar", "ro"):  # one form for every number would be wrong here
                assert set(value) == PLURALS[lang] or set(value) >= {"one", "few", "other"}
    ar, _ = catalogue("ar")
    assert "دقيقتين" in ar["wait"]["two"] and "دقائق" in ar["wait"]["few"]
    ro, _ = catalogue("ro")
    assert ro["wait"]["one"].endswith("un minut") and "de minute" in ro["wait"]["other"]
    for lang in ("de", "en"):
        entries, _ = catalogue(lang)
        assert "{min}" not in entries["wait"]["one"]  # never "about 1 minutes"


def test_the_review_findings_are_fixed() -> None:
    """A sample of shared/TRANSLATIONS.md: the wrong texts are gone."""
    wrong = {
        "tr": {"status_recognised": "Tanınmış mülteci", "st_no_show": "kaçırıldı"},
        "uk": {"status_tolerated": "Толерантне перебування (Duldung)"},
        "ar": {"status_tolerated": "إقامة متسامح بها (دولدونغ)", "skip": "تخطٍّ"},
        "fa": {"skip": "رد شدن", "st_no_show": "از دست رفت"},
        "ro": {"nextDate": "Din nou pe {date}", "st_no_show": "ratat"},
    }
    for lang, keys in wrong.items():
        entries, _ = catalogue(lang)
        for key, text in keys.items():
            assert entries[key] != text, (lang, key)


def test_languages_awaiting_review_say_so() -> None:
    for lang in ("ar", "uk", "ru", "tr", "fa", "ro"):
        _, review = catalogue(lang)
        assert "awaiting" in review, lang


def test_the_display_strings_live_in_the_catalogue() -> None:
    german, _ = catalogue("de")
    for key in ("dCall", "dSpeech", "dWatch", "dNowCalling", "dRecent", "dWaiting", "roomWord"):
        assert key in german
