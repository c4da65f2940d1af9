"""The append-only audit log: write an entry, seal entries into a signed hash chain, verify it.

Writing is off the hot path: `audit_record` is a plain insert inside the caller's transaction, so the entry commits
with the change it describes or not at all, and no writer waits for another (there is no shared chain row to lock,
docs/adr/0011). The worker's `audit_seal` takes committed entries in the order they became visible, gives each its
place `seq`, its leaf hash, the chain hash over the log up to it, and signs the checkpoint at that size with an
Ed25519 key that is not in the database. Whoever can write the database can recompute hashes but cannot sign, so
`audit_verify` names the first entry that was changed, removed or moved. docs/audit.md gives every byte, so an
auditor can check an export (`kotalive audit-export`) with standard tools.
"""

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kotalive.core.locks import advisory_xact_lock
from kotalive.core.models import AuditEntry

FORMAT = "kotalive.audit/v1"
GENESIS = bytes(32)
SEAL_LOCK = 0x61756474  # "audt": PostgreSQL advisory lock key of the sealer (only sealers take it)
UNSEALED_GRACE = dt.timedelta(minutes=1)
_SAFE_INT = 2**53  # numbers an RFC 8785 canonicaliser writes exactly; larger ones are kept as strings
# The demo key is derived from a public phrase: fine for a laptop, refused by settings when DEBUG is off.
_DEMO_KEY_SEED = hashlib.sha256(b"kotalive demo audit signing key: not for production").digest()


# --- keys -----------------------------------------------------------------------------------------------------


class NoSigningKey(RuntimeError):
    """This process has no audit signing key (only the worker needs one)."""


@cache
def _signing_key(pem: str, demo: bool) -> Ed25519PrivateKey:
    if not pem:
        if not demo:
            raise NoSigningKey("KOTALIVE_AUDIT_SIGNING_KEY is not set: only a process that has it seals the audit log")
        return Ed25519PrivateKey.from_private_bytes(_DEMO_KEY_SEED)
    key = serialization.load_pem_private_key(pem.encode(), password=None)  # ValueError when it is not PEM
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("KOTALIVE_AUDIT_SIGNING_KEY must be an Ed25519 private key (PEM, PKCS#8)")
    return key


@cache
def _public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())  # ValueError when it is not PEM
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("KOTALIVE_AUDIT_PUBLIC_KEY must be an Ed25519 public key (PEM)")
    return key


def _demo_allowed() -> bool:
    return bool(settings.AUDIT_DEMO_KEY_ALLOWED)


def signing_key() -> Ed25519PrivateKey:
    """The worker's key that signs checkpoints (the demo key with DEBUG on and no key configured)."""
    return _signing_key(settings.AUDIT_SIGNING_KEY, _demo_allowed())


def public_key() -> Ed25519PublicKey:
    """The key that verifies checkpoints: KOTALIVE_AUDIT_PUBLIC_KEY, else the signing key's."""
    if settings.AUDIT_PUBLIC_KEY:
        return _public_key(settings.AUDIT_PUBLIC_KEY)
    return signing_key().public_key()


def keys_check() -> None:
    """Load the configured keys (ValueError or NoSigningKey when one is unusable) and check they are a pair."""
    verifying = public_key()
    if settings.AUDIT_SIGNING_KEY and settings.AUDIT_PUBLIC_KEY:
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        if signing_key().public_key().public_bytes(*raw) != verifying.public_bytes(*raw):
            raise ValueError("KOTALIVE_AUDIT_PUBLIC_KEY is not the public key of KOTALIVE_AUDIT_SIGNING_KEY")


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    return (
        (key or public_key())
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """The first 8 bytes (hex) of SHA-256 over the raw 32-byte public key."""
    raw = (key or public_key()).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- bytes (docs/audit.md) ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """The stored form of audit data: JSON values an RFC 8785 canonicaliser writes the same way in every language
    (fractions and very large numbers become strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if -_SAFE_INT <= value <= _SAFE_INT else str(value)
    return str(value)


def _sorted(value: Any) -> Any:
    # RFC 8785 orders object members by the UTF-16 code units of their names.
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=lambda k: k.encode("utf-16-be"))}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of the values audit entries hold (strings, safe integers, booleans, null)."""
    return json.dumps(_sorted(value), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def timestamp(moment: dt.datetime) -> str:
    """UTC, always six fraction digits: 2026-12-01T19:33:59.000123Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_bytes(
    *,
    seq: int,
    entry_id: int,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
) -> bytes:
    return canonical_json(
        [FORMAT, seq, entry_id, at, actor_id, actor_label, action, object_type, object_id, _plain(data)]
    )


def leaf_hash(entry_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + previous + leaf).digest()


def checkpoint_text(*, size: int, head: str, sealed_at: str, origin: str | None = None) -> str:
    """The signed text of the log at `size` entries: origin, size, head hash (hex), time, each ending in LF."""
    return f"{origin or settings.AUDIT_LOG_ORIGIN}\n{size}\n{head}\n{sealed_at}\n"


# --- writing --------------------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append an entry for `action`, inside the caller's transaction (a plain insert; the worker seals it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    label = actor_label or ((actor.get_username() or f"user#{actor_id}") if actor_id else "system")
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=_plain(data or {}),
    )
    entry.save()
    return entry


_SEAL_SQL = (
    f"UPDATE {AuditEntry._meta.db_table} "  # noqa: S608 (a table name, not input)
    "SET seq = %s, leaf_hash = %s, chain_hash = %s, sealed_at = %s, key_id = %s, signature = %s "
    "WHERE id = %s AND seq IS NULL"
)
_FIELDS = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "data")


def audit_seal(*, batch: int = 2000) -> int:
    """Seal up to `batch` committed entries, oldest first; returns how many. One sealer at a time (an advisory lock
    that no request takes); a sealer killed midway seals nothing (one transaction)."""
    key = signing_key()
    kid = key_id(key.public_key())
    with transaction.atomic():
        if not advisory_xact_lock(SEAL_LOCK, wait=False):
            return 0
        rows = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id").values(*_FIELDS)[:batch])
        if not rows:
            return 0
        last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "chain_hash").first()
        size: int = (last["seq"] or 0) if last else 0
        head = bytes.fromhex(last["chain_hash"]) if last else GENESIS
        now = timezone.now()
        sealed_at = timestamp(now)
        stamp = connection.ops.adapt_datetimefield_value(now)
        updates = []
        for row in rows:
            size += 1
            leaf = leaf_hash(
                leaf_bytes(
                    seq=size,
                    entry_id=row["id"],
                    at=timestamp(row["at"]),
                    actor_id=row["actor_id"],
                    actor_label=row["actor_label"],
                    action=row["action"],
                    object_type=row["object_type"],
                    object_id=row["object_id"],
                    data=row["data"],
                )
            )
            head = chain_hash(head, leaf)
            signature = key.sign(checkpoint_text(size=size, head=head.hex(), sealed_at=sealed_at).encode())
            updates.append((size, leaf.hex(), head.hex(), stamp, kid, signature.hex(), row["id"]))
        with connection.cursor() as cursor:
            cursor.executemany(_SEAL_SQL, updates)
    return len(rows)


# --- reading and verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    size: int
    head: str
    sealed_at: str
    key_id: str
    signature: str
    origin: str

    @property
    def text(self) -> str:
        return checkpoint_text(size=self.size, head=self.head, sealed_at=self.sealed_at, origin=self.origin)

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "head": self.head,
            "time": self.sealed_at,
            "text": self.text,
            "key_id": self.key_id,
            "signature": _base64_of_hex(self.signature),
            "public_key": public_key_pem(),
        }


def checkpoint_latest() -> Checkpoint | None:
    """The signed checkpoint of the newest sealed entry (auditors keep these to prove the log only grew)."""
    row = (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values("seq", "chain_hash", "sealed_at", "key_id", "signature")
        .first()
    )
    if row is None or row["seq"] is None or row["sealed_at"] is None:
        return None
    return Checkpoint(
        size=row["seq"],
        head=row["chain_hash"],
        sealed_at=timestamp(row["sealed_at"]),
        key_id=row["key_id"],
        signature=row["signature"],
        origin=settings.AUDIT_LOG_ORIGIN,
    )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class Verification:
    checked: int
    broken: ChainBreak | None
    unsealed_old: int  # entries written more than a minute ago and still not sealed
    head: str


def sealed_entries(*, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every sealed entry in log order, read in batches."""
    last = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq or 0


def entry_leaf(entry: AuditEntry) -> bytes:
    """The leaf hash of a sealed entry as its stored fields give it (docs/audit.md, sections 2 and 3)."""
    return leaf_hash(
        leaf_bytes(
            seq=entry.seq or 0,
            entry_id=entry.pk,
            at=timestamp(entry.at),
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
        )
    )


def _check(entry: AuditEntry, *, expected_seq: int, previous: bytes, key: Ed25519PublicKey) -> tuple[bytes, str]:
    """The entry's chain hash as recomputed, and what is wrong with it ("" when nothing)."""
    if entry.seq != expected_seq:
        return previous, f"the entry at place {expected_seq} of the log is missing (removed or moved)"
    leaf = entry_leaf(entry)
    if leaf.hex() != entry.leaf_hash:
        return previous, "its content does not match its leaf hash (changed after sealing)"
    head = chain_hash(previous, leaf)
    if head.hex() != entry.chain_hash:
        return head, "its chain hash does not follow from the entry before it"
    if entry.sealed_at is None:
        return head, "it has a place in the log but no sealing time"
    text = checkpoint_text(size=entry.seq, head=head.hex(), sealed_at=timestamp(entry.sealed_at))
    try:
        key.verify(bytes.fromhex(entry.signature), text.encode())
    except (InvalidSignature, ValueError):
        return head, "its checkpoint signature is not valid for the log's public key (rewritten or re-signed)"
    return head, ""


def audit_verify(*, key: Ed25519PublicKey | None = None, now: dt.datetime | None = None) -> Verification:
    """Walk the sealed log in order, recomputing every hash and checking every checkpoint signature; count the
    entries older than a minute that the worker has not sealed yet."""
    key = key or public_key()
    previous = GENESIS
    checked = 0
    broken = None
    for entry in sealed_entries():
        previous, problem = _check(entry, expected_seq=checked + 1, previous=previous, key=key)
        if problem:
            broken = ChainBreak(entry.pk, problem)
            break
        checked += 1
    old = (now or timezone.now()) - UNSEALED_GRACE
    unsealed_old = AuditEntry.objects.filter(seq__isnull=True, at__lt=old).count()
    return Verification(checked=checked, broken=broken, unsealed_old=unsealed_old, head=previous.hex())


def audit_extends(checkpoint: dict[str, Any]) -> str:
    """Check that the log still contains an earlier checkpoint an auditor kept ({"size", "head"}): "" when it
    does, else what is wrong (a log cut short or rewritten before that size)."""
    size, head = int(checkpoint["size"]), str(checkpoint["head"])
    row = AuditEntry.objects.filter(seq=size).values("chain_hash").first()
    if row is None:
        return f"the log has fewer than {size} sealed entries: entries were removed after the kept checkpoint"
    if row["chain_hash"] != head:
        return f"the log at size {size} no longer has the kept checkpoint's head hash: it was rewritten"
    return ""


def export_line(entry: AuditEntry) -> dict[str, Any]:
    """One entry of `kotalive audit-export` (docs/audit.md, "Export")."""
    return {
        "seq": entry.seq,
        "id": entry.pk,
        "at": timestamp(entry.at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": _plain(entry.data),  # exactly what was hashed
        "leaf_hash": entry.leaf_hash,
        "chain_hash": entry.chain_hash,
        "sealed_at": timestamp(entry.sealed_at) if entry.sealed_at else None,
        "key_id": entry.key_id,
        "signature": _base64_of_hex(entry.signature),
    }


def _base64_of_hex(text: str) -> str:
    """A stored signature for the export and the API; a value someone overwrote with non-hex text is shown as it
    is (verification then names that entry) rather than failing the whole answer."""
    try:
        return base64.b64encode(bytes.fromhex(text)).decode()
    except ValueError:
        return text
