"""The QR's seal: Base45 as RFC 9285 writes it, COSE_Sign1 that another library (pycose) verifies, and no
tampering that goes unnoticed."""

import zlib

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pycose.keys import OKPKey
from pycose.messages import Sign1Message

from kotalive.core.masking import mask_name
from kotalive.documents.seal import PREFIX, SealError, base45_decode, base45_encode, cose_message, seal, seal_open

CLAIMS = {
    "id": "5f0c2a4e-8a6b-4d2e-9f57-0d4c1b2a3e4f",
    "n": "AKTA-KELAHIRAN/20261205/1-1",
    "t": "akta-kelahiran",
    "a": "DISDUKCAPIL",
    "d": "2026-12-05",
    "s": "BA** SA*****",
    "h": bytes(range(32)),
}


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0"), (b"", "")],
)
def test_base45_matches_the_rfc_examples(raw: bytes, encoded: str) -> None:
    assert base45_encode(raw) == encoded
    assert base45_decode(encoded) == raw


@pytest.mark.parametrize("bad", ["GGW", "A", "AB:;", "aa"])
def test_base45_refuses_what_is_not_base45(bad: str) -> None:
    with pytest.raises(SealError):
        base45_decode(bad)


def test_a_seal_verifies_with_pycose_and_with_its_own_reader() -> None:
    key = Ed25519PrivateKey.generate()
    text = seal(CLAIMS, key=key, kid="seal-test")

    assert text.startswith(PREFIX)
    opened = seal_open(text)
    assert opened.kid == "seal-test"
    assert opened.claims == CLAIMS
    assert opened.verifies_with(key.public_key())
    assert not opened.verifies_with(Ed25519PrivateKey.generate().public_key())

    message = Sign1Message.decode(cose_message(text))
    raw_public = key.public_key().public_bytes_raw()
    message.key = OKPKey(crv="ED25519", x=raw_public)
    assert message.verify_signature()
    assert cbor2.loads(message.payload or b"") == CLAIMS


def test_a_changed_claim_breaks_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    message = cbor2.loads(cose_message(seal(CLAIMS, key=key, kid="k")))
    protected, unprotected, payload, signature = message.value
    forged_claims = {**cbor2.loads(payload), "s": "SOMEONE ELSE"}
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(forged_claims), signature]))
    text = PREFIX + base45_encode(zlib.compress(forged))

    opened = seal_open(text)
    assert opened.claims["s"] == "SOMEONE ELSE"
    assert not opened.verifies_with(key.public_key())


@pytest.mark.parametrize("bad", ["", "HC1:ABC", "KL1:", "KL1:%%%", PREFIX + base45_encode(b"not zlib")])
def test_what_is_not_a_seal_is_refused_by_name(bad: str) -> None:
    with pytest.raises(SealError):
        seal_open(bad)


def test_names_are_masked_word_by_word() -> None:
    assert mask_name("BAYU SANTOSO") == "BA** SA*****"
    assert mask_name("ANI BIN ALI") == "A** B** A**"
    assert "SANTOSO" not in mask_name("BUDI SANTOSO")
