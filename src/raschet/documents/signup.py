"""The personal account's sign-up code of an account, printed on its payment document.

The code is an HMAC of the account number under the installation's key, so it cannot be guessed
from the number, needs no table, and is the same on every document of the account. The key is
``RASCHET_SIGNUP_KEY`` when set (keep it for the life of the installation: changing it changes every
printed code), else one derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

DIGITS = 10


def _key() -> bytes:
    own = getattr(settings, "RASCHET_SIGNUP_KEY", "")
    if own:
        return own.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"raschet-portal-signup", hashlib.sha256).digest()


def signup_code(account_number: str) -> str:
    """Ten digits shown as ``12345-67890``."""
    digest = hmac.new(_key(), account_number.strip().encode("utf-8"), hashlib.sha256).digest()
    digits = str(int.from_bytes(digest[:8], "big") % 10**DIGITS).zfill(DIGITS)
    return f"{digits[:5]}-{digits[5:]}"


def code_matches(account_number: str, typed: str) -> bool:
    """Whether ``typed`` is the account's code (spaces and dashes ignored), in constant time."""
    plain = "".join(ch for ch in typed or "" if ch.isdigit())
    return hmac.compare_digest(plain, signup_code(account_number).replace("-", ""))
