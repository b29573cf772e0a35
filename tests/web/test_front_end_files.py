"""Static checks of the front ends: local assets only, one shared kit, no copies of it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "app" / "web" / "static"
PAGES = {  # each page the app serves, with the folder it is served from
    "kiosk": ROOT / "kiosk" / "index.html",
    "visit": ROOT / "visit" / "index.html",
    "display": ROOT / "display" / "index.html",
    "staff": ROOT / "app" / "web" / "staff" / "index.html",
    "days": ROOT / "app" / "web" / "public" / "days" / "index.html",
    "pair": ROOT / "app" / "web" / "public" / "pair" / "index.html",
}
FRONT_ENDS = [page.parent for page in PAGES.values()] + [KIT]
LIVE_PAGES = {"visit", "display", "staff"}  # follow a WebSocket


def front_end_files(*suffixes: str) -> list[Path]:
    wanted = set(suffixes) or {".html", ".js", ".css"}
    return [p for folder in FRONT_ENDS for p in sorted(folder.rglob("*")) if p.suffix in wanted]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_asset_is_local() -> None:
    # Kiosks may have no internet: no CDN, no web fonts, no external scripts.
    remote = re.compile(
        r"""(src|href)\s*=\s*["']\s*(https?:)?//"""  # <script src>, <link href>
        r"""|url\(\s*["']?(https?:)?//"""  # CSS url(), @import url()
        r"""|@import\s+["'](https?:)?//"""
        r"""|import\s*\(?\s*["'](https?:)?//"""  # JS modules from elsewhere
        r"""|from\s+["'](https?:)?//"""
    )
    offenders = [rel(p) for p in front_end_files() if remote.search(p.read_text())]
    assert offenders == []


# ---------------------------------------------------------------- one kit, no copies


def test_only_the_kit_escapes_html() -> None:
    # One esc() (app/web/static/html.js); a page with its own copy drifts from it.
    own = re.compile(r"\bfunction\s+esc\b|\b(const|let|var)\s+esc\s*=|\besc\s*:\s*(\(|function)")
    offenders = [rel(p) for p in front_end_files(".js") if own.search(p.read_text())]
    assert offenders == [rel(KIT / "html.js")]


def test_only_the_kit_talks_http() -> None:
    # One API client (app/web/static/api.js) with timeouts and problem+json; pages call it.
    raw = re.compile(r"\bfetch\s*\(|\bXMLHttpRequest\b|\bclass\s+\w*(Http|Api)Error\b")
    offenders = [rel(p) for p in front_end_files(".js") if raw.search(p.read_text())]
    assert offenders == [rel(KIT / "api.js")]


def test_only_the_kit_opens_sockets() -> None:
    # One live connection (app/web/static/live.js): resume, snapshot, polling, offline.
    offenders = [rel(p) for p in front_end_files(".js") if "new WebSocket(" in p.read_text()]
    assert offenders == [rel(KIT / "live.js")]


COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(rgba?|hsla?)\(")


def test_colours_are_tokens_defined_once() -> None:
    # Colour literals live in tokens.css only, each once; pages name them var(--…).
    tokens = KIT / "tokens.css"
    literals = [m.group(0).lower() for m in COLOUR.finditer(tokens.read_text())]
    assert literals, "tokens.css defines the colours"
    repeated = sorted({c for c in literals if literals.count(c) > 1})
    assert repeated == []
    elsewhere = {
        rel(p): sorted({m.group(0) for m in COLOUR.finditer(p.read_text())})
        for p in front_end_files(".css", ".html")
        if p != tokens and COLOUR.search(p.read_text())
    }
    assert elsewhere == {}


def test_every_css_token_used_is_defined() -> None:
    tokens = (KIT / "tokens.css").read_text()
    defined = set(re.findall(r"(--[\w-]+)\s*:", tokens))
    for css in front_end_files(".css"):
        text = css.read_text()
        local = set(re.findall(r"(--[\w-]+)\s*:", text))
        used = set(re.findall(r"var\(\s*(--[\w-]+)", text))
        assert used - defined - local == set(), rel(css)


def module_graph(entry: Path, folder: Path) -> dict[Path, str]:
    """An entry module and every module it imports (local paths and /static/…)."""
    seen: dict[Path, str] = {}
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        text = path.read_text()
        seen[path] = text
        for target in re.findall(r"""(?:from|import)\s*["']([^"']+\.js)["']""", text):
            if target.startswith("/static/"):
                todo.append(KIT / target.removeprefix("/static/"))
            elif target.startswith("/"):
                todo.append(ROOT / target.lstrip("/"))  # e.g. /kiosk/… (a served folder)
            else:
                todo.append((path.parent / target).resolve())
    return seen


def test_every_page_loads_the_kit() -> None:
    for name, html in PAGES.items():
        text = html.read_text()
        styles = re.findall(r"""<link[^>]+rel="stylesheet"[^>]+href="([^"]+)\"""", text)
        scripts = re.findall(r"""<script[^>]+type="module"[^>]+src="([^"]+)\"""", text)
        assert styles and scripts, name
        for href in styles:
            css = (html.parent / href).read_text()
            first = re.sub(r"/\*.*?\*/", "", css, flags=re.S).lstrip()
            assert first.startswith('@import url("/static/tokens.css");'), (name, href)
        modules: dict[Path, str] = {}
        for src in scripts:
            modules |= module_graph((html.parent / src).resolve(), html.parent)
        loaded = {p.name for p in modules if p.parent == KIT}
        kit = {"html.js", "api.js"} | ({"live.js"} if name in LIVE_PAGES else set())
        assert kit <= loaded, (name, sorted(loaded))


def test_no_front_end_matches_english_server_text() -> None:
    # Problems carry a machine-readable `code` ("day_closed", "desk_busy", …): pages
    # match it, never the English detail, title or message, whose wording may change.
    english = re.compile(
        r"/[^/\n]*[a-z]{4,}[^/\n]*/[a-z]*\.test\(\s*[\w.?]*(detail|message|title)"
        r"|(detail|message|title)\)?\??\.(includes|match|startsWith|endsWith|search)\("
        r"|/[^/\n]*consultation day[^/\n]*/"  # how the kiosk once found a closed day
    )
    offenders = [rel(p) for p in front_end_files(".js") if english.search(p.read_text())]
    assert offenders == []


def test_the_residence_statuses_come_from_the_server() -> None:
    # GET today lists them (residence_statuses); the front ends keep labels, not a list.
    for path in front_end_files(".js"):
        text = path.read_text()
        assert "RESIDENCE_STATUSES" not in text, rel(path)
        assert not re.search(r"""\[\s*"recognised",\s*"subsidiary",""", text), rel(path)
    kiosk = (ROOT / "kiosk" / "app.js").read_text()
    assert "residence_statuses" in kiosk


def test_the_phone_page_has_its_own_folder() -> None:
    assert not (ROOT / "kiosk" / "v.html").exists()
    assert not any((ROOT / "kiosk").glob("visit.*"))
    # The server builds the phone link (WELCOME_PUBLIC_URL, /visit/): the kiosk asks it.
    assert "/api/v1/visits/phone-link" in (ROOT / "kiosk" / "api.js").read_text()
    assert not (ROOT / "kiosk" / "qr.js").exists()  # no QR encoder of our own
    for path in front_end_files(".js", ".html"):
        assert not re.search(r"v\.html[\"'?]", path.read_text()), rel(path)


def test_every_ui_language_has_every_kiosk_string() -> None:
    # One file per language (app/web/static/i18n/<lang>.js); tests/web/test_catalogue.py
    # checks keys, placeholders and plural forms in depth.
    files = {p.stem: p.read_text() for p in sorted((KIT / "i18n").glob("*.js"))}
    assert set(files) >= {"de", "en", "ar", "uk", "ru", "tr", "fa", "ro"}
    keys = {lang: set(re.findall(r"^  (\w+):", body, re.M)) for lang, body in files.items()}
    missing = {lang: sorted(keys["en"] - k) for lang, k in keys.items() if keys["en"] - k}
    assert missing == {}
