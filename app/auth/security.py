"""Password and token hashing."""

from __future__ import annotations

import contextlib
import hashlib
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


def normalise_token_hash(value: str) -> str:
    """Config may give `token_hash: sha256:<hex>` or the bare hex digest."""
    value = value.strip().lower()
    return value.removeprefix(TOKEN_HASH_PREFIX)


_DUMMY = _hasher.hash("welcome-center-dummy")
