"""Invitation codes: unguessable, yet typed by hand from a letter at the kiosk.

Eight characters from 31 that cannot be confused (no 0/O, 1/I/L): 31^8 ≈ 8.5·10^11
codes, drawn with `secrets`. Shown as ABCD-EFGH; read back ignoring case, spaces and
hyphens, so what a visitor types matches what the letter printed.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """The stored form of what someone typed: upper case, no separators."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def shown(code: str) -> str:
    """The code as the letter prints it: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code
