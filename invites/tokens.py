"""Invite tokens: 144 random bits, found by a keyed hash, shown again only by decrypting.

A database dump alone gives neither a working link (only hashes and ciphertexts are stored)
nor a way to test guesses offline (the hash is keyed with a secret from the settings).
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

TOKEN_BYTES = 18  # 144 bits; 24 characters in a link


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.INVITE_SECRET_KEY}".encode()).digest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hmac.new(_key("invite-lookup"), token.encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key("invite-cipher")))


def encrypt(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt(ciphertext: str) -> str | None:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def looks_like_token(value: str) -> bool:
    return 16 <= len(value or "") <= 64 and all(c.isalnum() or c in "-_" for c in value)
