"""The append-only audit log: write an entry, verify the chain.

Services call `audit_record` inside their transaction, so the entry commits with the change it describes or not
at all. Each entry's hash covers its own fields and the previous entry's hash; changing, removing or reordering a
row breaks the chain at that row, which `audit_verify` names.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kotalive.core.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _entry_hash(
    *,
    prev_hash: str,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> str:
    canonical = json.dumps(
        [prev_hash, at, actor_id, actor_label, action, object_type, object_id, data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    """Append an entry for `action`. Must run inside the caller's transaction (it locks the chain head)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    label = actor_label or ((actor.get_username() or f"user#{actor_id}") if actor_id else "system")
    payload = json.loads(json.dumps(data or {}, default=str))  # the stored form is what gets hashed
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS})
    at = timezone.now()
    at_text = at.isoformat()
    digest = _entry_hash(
        prev_hash=head.last_hash,
        at=at_text,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=payload,
    )
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=payload,
        prev_hash=head.last_hash,
        hash=digest,
    )
    entry.save()
    head.last_hash = digest
    head.save(update_fields=["last_hash"])
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def _iter_entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def audit_verify() -> tuple[int, ChainBreak | None]:
    """Walk the chain in order. Returns (entries checked, the first break or None)."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    for entry in _iter_entries():
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.id, "its previous-hash does not match the entry before it")
        recomputed = _entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at.isoformat(),
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
        )
        if recomputed != entry.hash:
            return checked, ChainBreak(entry.id, "its content does not match its hash (changed after writing)")
        expected_prev = entry.hash
        last_id = entry.id
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != expected_prev:
        return checked, ChainBreak(
            last_id + 1, f"entries after #{last_id} are missing (the chain head points past them)"
        )
    return checked, None
