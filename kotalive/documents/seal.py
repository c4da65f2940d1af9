"""The QR's compact signed payload, the way the EU digital COVID certificates carry theirs: CBOR claims in a
COSE_Sign1 message (RFC 9052, EdDSA over Ed25519), compressed with zlib and written in Base45 (RFC 9285), behind a
prefix that names the format and its version. Pure functions: keys come in, bytes and text go out.

The claims (docs/documents.md): `id` document id, `n` number, `t` document type (the service code), `a` issuing
agency code, `d` issue date (ISO), `s` masked subject name, `h` SHA-256 of the rendered document (the PDF's first
revision: the QR and the signature are added after it, so the hash cannot cover them).
"""

import zlib
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "KL1:"  # KotaLIVE document seal, version 1
CLAIMS = ("id", "n", "t", "a", "d", "s", "h")
_COSE_SIGN1_TAG = 18
_ALG, _KID, _EDDSA = 1, 4, -8  # COSE header labels and the EdDSA algorithm id (RFC 9053)
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class SealError(ValueError):
    """The text is not a well-formed seal: not ours, damaged, or cut short."""


def base45_encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += [_B45[c], _B45[d], _B45[e]]
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += [_B45[c], _B45[d]]
    return "".join(out)


def base45_decode(text: str) -> bytes:
    values = [_B45.find(ch) for ch in text]
    if -1 in values or len(values) % 3 == 1:
        raise SealError("not Base45")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise SealError("not Base45")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise SealError("not Base45")
            out.append(n)
    return bytes(out)


def _to_be_signed(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def seal(claims: dict[str, Any], *, key: Ed25519PrivateKey, kid: str) -> str:
    """The QR text of `claims`, signed with `key` known as `kid` in the key list."""
    protected = cbor2.dumps({_ALG: _EDDSA, _KID: kid.encode()})
    payload = cbor2.dumps({name: claims[name] for name in CLAIMS})
    signature = key.sign(_to_be_signed(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(_COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45_encode(zlib.compress(message, 9))


@dataclass(frozen=True)
class Opened:
    """A seal taken apart: who says they signed it and what, not yet checked."""

    kid: str
    claims: dict[str, Any]
    protected: bytes
    payload: bytes
    signature: bytes

    def verifies_with(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(self.signature, _to_be_signed(self.protected, self.payload))
        except InvalidSignature:
            return False
        return True


def cose_message(text: str) -> bytes:
    """The COSE_Sign1 message (tagged CBOR) inside a seal's text."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise SealError("no seal prefix")
    try:
        return zlib.decompress(base45_decode(text[len(PREFIX) :]))
    except zlib.error as error:
        raise SealError("not compressed") from error


def seal_open(text: str) -> Opened:
    """Take a seal's text apart (its signature is checked by `Opened.verifies_with`)."""
    try:
        message = cbor2.loads(cose_message(text))
        if not isinstance(message, cbor2.CBORTag) or message.tag != _COSE_SIGN1_TAG:
            raise SealError("not a COSE_Sign1 message")
        protected, _unprotected, payload, signature = message.value
        header = cbor2.loads(protected)
        claims = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError) as error:
        raise SealError("not a COSE_Sign1 message") from error
    if header.get(_ALG) != _EDDSA or not isinstance(header.get(_KID), bytes) or not isinstance(claims, dict):
        raise SealError("not an EdDSA seal")
    return Opened(header[_KID].decode(errors="replace"), claims, protected, payload, signature)
