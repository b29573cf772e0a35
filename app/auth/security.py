"""Password and token hashing."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
TOKEN_HASH_PREFIX = "sha256:"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Same work as a real check, so timing does not reveal unknown users.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_password_hash(value: str) -> bool:
    return value.startswith("$argon2")


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are long and random, so a fast hash suffices and allows lookup by hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign_session(token: str, key: bytes) -> str:
    """The staff session cookie's value: the token and an HMAC of it under the secret key."""
    return f"{token}.{_session_mac(token, key)}"


def unsign_session(value: str | None, key: bytes) -> str | None:
    """The token of a cookie this server signed; None for a missing, altered or foreign one.

    A cookie that fails the check never reaches the token lookup, and changing
    WELCOME_SECRET_KEY signs every browser out at once while bearer tokens keep working.
    """
    if not value:
        return None
    token, dot, mac = value.rpartition(".")
    if not dot or not token or not _same(mac, _session_mac(token, key)):
        return None
    return token


def csrf_token(token: str, key: bytes) -> str:
    """The anti-forgery token of a staff session: an HMAC of the session token.

    Bound to the session (a new login, a new token) and to this server's key; a page
    reads it from the login answer or the readable CSRF cookie and sends it back in
    `X-CSRF-Token`, which a cross-site form or a simple cross-site fetch cannot do.
    """
    return _mac(b"welcome-center csrf token\0", token, key)


def check_csrf(value: str | None, token: str, key: bytes) -> bool:
    return bool(value) and _same(value or "", csrf_token(token, key))


def _session_mac(token: str, key: bytes) -> str:
    # The purpose is part of the message, so a signature made for one use fits no other.
    return _mac(b"welcome-center session cookie\0", token, key)


def _same(given: str, expected: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged header).
    return hmac.compare_digest(given.encode(), expected.encode())


def _mac(purpose: bytes, token: str, key: bytes) -> str:
    digest = hmac.new(key, purpose + token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def normalise_token_hash(value: str) -> str:
    """Config may give `token_hash: sha256:<hex>` or the bare hex digest."""
    value = value.strip().lower()
    return value.removeprefix(TOKEN_HASH_PREFIX)


_DUMMY = _hasher.hash("welcome-center-dummy")
