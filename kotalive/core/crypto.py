"""Field encryption at rest and keyed blind indexes for confidential identifiers (NIK).

The NIK is stored twice: AES-GCM ciphertext (to show it to those who may see it) and an HMAC-SHA256 blind index
(to find a row by NIK without decrypting every row). Both keys derive from KOTALIVE_FIELD_KEY with HKDF, so one
secret is configured and the two uses never share a key. See docs/adr/0003-nik-encryption-and-blind-index.md.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_KEY_VERSION = "v1"


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kotalive-field-keys", info=purpose).derive(
        settings.FIELD_ENCRYPTION_KEY.encode()
    )


@functools.cache
def _keys() -> tuple[AESGCM, bytes]:
    return AESGCM(_derive(b"encryption")), _derive(b"blind-index")


def blind_index(value: str) -> str:
    """A stable, keyed digest of `value` (32 hex characters) for equality look-ups."""
    _, index_key = _keys()
    return hmac.new(index_key, value.encode(), hashlib.sha256).hexdigest()[:32]


def encrypt(value: str) -> str:
    aead, _ = _keys()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, value.encode(), None)
    return f"{_KEY_VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != _KEY_VERSION:
        raise ValueError(f"unknown field-key version {version!r}")
    raw = base64.urlsafe_b64decode(payload)
    aead, _ = _keys()
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def reset_key_cache() -> None:
    """Forget derived keys (tests that change KOTALIVE_FIELD_KEY call this)."""
    _keys.cache_clear()
