import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.accounts.services import api_token_issue
from kotalive.agencies.models import StaffRole
from kotalive.core import audit
from kotalive.core.audit import (
    audit_record,
    audit_seal,
    audit_verify,
    chain_hash,
    checkpoint_latest,
    checkpoint_text,
    entry_leaf,
    leaf_hash,
    public_key,
    timestamp,
)
from kotalive.core.models import AuditEntry

TABLE = AuditEntry._meta.db_table


def _write_entries(count: int, *, seal: bool = True) -> list[AuditEntry]:
    entries = []
    for number in range(count):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=None,
                    action="test.happened",
                    object_type="test",
                    object_id=str(number),
                    data={"n": number, "name": "Budi", "note": "café ☕"},
                )
            )
    if seal:
        audit_seal()
    return entries


def _rewrite(entry_id: int, *, data: dict, recompute_later: bool) -> None:
    """What someone with database access alone can do: change a row and, optionally, recompute every hash after
    it (everything but the signature, whose key is not in the database)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET data = %s WHERE id = %s", [json.dumps(data), entry_id])  # noqa: S608
    if not recompute_later:
        return
    previous = audit.GENESIS
    for entry in AuditEntry.objects.filter(seq__isnull=False).order_by("seq"):
        leaf = entry_leaf(entry)
        previous = chain_hash(previous, leaf)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET leaf_hash = %s, chain_hash = %s WHERE id = %s",  # noqa: S608
                [leaf.hex(), previous.hex(), entry.pk],
            )


@pytest.mark.django_db
def test_writing_an_entry_takes_no_shared_row_and_leaves_it_for_the_sealer() -> None:
    (entry,) = _write_entries(1, seal=False)

    entry.refresh_from_db()
    assert entry.seq is None
    assert entry.chain_hash == ""
    assert audit_seal() == 1
    entry.refresh_from_db()
    assert entry.seq == 1
    assert len(entry.chain_hash) == 64
    assert len(entry.signature) == 128


@pytest.mark.django_db
def test_an_untouched_log_verifies_and_its_checkpoint_signature_checks_with_the_public_key() -> None:
    _write_entries(5)

    call_command("audit-verify")
    result = audit_verify()
    checkpoint = checkpoint_latest()

    assert (result.checked, result.broken, result.unsealed_old) == (5, None, 0)
    assert checkpoint is not None
    assert checkpoint.size == 5
    assert checkpoint.head == result.head
    public_key().verify(bytes.fromhex(checkpoint.signature), checkpoint.text.encode())


@pytest.mark.django_db
def test_sealing_continues_the_chain_across_passes() -> None:
    _write_entries(3)
    _write_entries(2)

    assert audit_verify().checked == 5
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_a_plain_edit_is_named() -> None:
    entries = _write_entries(5)
    _rewrite(entries[2].pk, data={"n": 99, "name": "Budi"}, recompute_later=False)

    with pytest.raises(CommandError, match=f"broken at entry #{entries[2].pk}: its content"):
        call_command("audit-verify")


@pytest.mark.django_db
def test_an_edit_with_every_later_hash_recomputed_is_named_by_its_signature() -> None:
    entries = _write_entries(5)
    _rewrite(entries[2].pk, data={"n": 99, "name": "Budi"}, recompute_later=True)

    result = audit_verify()

    assert result.checked == 2
    assert result.broken is not None
    assert result.broken.entry_id == entries[2].pk
    assert "signature" in result.broken.reason


@pytest.mark.django_db
def test_a_removed_row_is_named_by_the_gap_it_leaves() -> None:
    entries = _write_entries(4)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])  # noqa: S608

    result = audit_verify()

    assert result.checked == 1
    assert result.broken is not None
    assert result.broken.entry_id == entries[2].pk
    assert "missing" in result.broken.reason


@pytest.mark.django_db
def test_two_entries_swapped_are_named() -> None:
    entries = _write_entries(4)
    first, second = entries[1].pk, entries[2].pk
    with connection.cursor() as cursor:  # swap their places in the log
        cursor.execute(f"UPDATE {TABLE} SET seq = 1000 WHERE id = %s", [first])  # noqa: S608
        cursor.execute(f"UPDATE {TABLE} SET seq = 2 WHERE id = %s", [second])  # noqa: S608
        cursor.execute(f"UPDATE {TABLE} SET seq = 3 WHERE id = %s", [first])  # noqa: S608

    result = audit_verify()

    assert result.broken is not None
    assert result.broken.entry_id == second


@pytest.mark.django_db
def test_a_log_re_signed_with_another_key_is_refused(settings, tmp_path: Path) -> None:
    _write_entries(3)
    forger = Ed25519PrivateKey.generate()
    rows = AuditEntry.objects.order_by("seq")
    with connection.cursor() as cursor:
        for entry in rows:
            assert entry.sealed_at is not None
            text = checkpoint_text(size=entry.seq or 0, head=entry.chain_hash, sealed_at=timestamp(entry.sealed_at))
            cursor.execute(
                f"UPDATE {TABLE} SET signature = %s WHERE id = %s",  # noqa: S608
                [forger.sign(text.encode()).hex(), entry.pk],
            )

    result = audit_verify()
    assert result.broken is not None
    assert result.broken.entry_id == rows[0].pk
    assert "signature" in result.broken.reason
    # Given the forger's public key instead, the same log checks: the signature is what binds it to the real key.
    forged_pem = tmp_path / "forged.pem"
    forged_pem.write_bytes(
        forger.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    call_command("audit-verify", "--public-key", str(forged_pem))


@pytest.mark.django_db
def test_removing_the_newest_entries_is_caught_against_a_checkpoint_kept_earlier(tmp_path: Path) -> None:
    entries = _write_entries(3)
    kept = checkpoint_latest()
    assert kept is not None
    saved = tmp_path / "checkpoint.json"
    saved.write_text(json.dumps(kept.as_dict()))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[-1].pk])  # noqa: S608

    call_command("audit-verify")  # what is left is a consistent, signed log ...
    with pytest.raises(CommandError, match="fewer than 3 sealed entries"):  # ... shorter than what an auditor saw
        call_command("audit-verify", "--checkpoint", str(saved))


@pytest.mark.django_db
def test_entries_left_unsealed_for_over_a_minute_are_reported() -> None:
    _write_entries(1, seal=False)

    assert audit_verify().unsealed_old == 0
    later = timezone.now() + dt.timedelta(minutes=2)
    assert audit_verify(now=later).unsealed_old == 1


@pytest.mark.django_db
def test_entries_cannot_be_edited_or_deleted_through_the_orm() -> None:
    (entry,) = _write_entries(1)

    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_an_entry_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="test.loose")


@pytest.mark.django_db
def test_an_entry_names_its_actor(warga1: User) -> None:
    with transaction.atomic():
        entry = audit_record(actor=warga1, action="test.by_person", obj=warga1)

    assert (entry.actor_id, entry.actor_label, entry.object_type) == (warga1.pk, "warga1", "accounts.user")


@pytest.mark.django_db
def test_the_export_lets_anyone_recompute_the_log(tmp_path: Path) -> None:
    _write_entries(3)
    out = tmp_path / "audit.jsonl"

    call_command("audit-export", "--out", str(out))

    header, *lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["checkpoint"]["size"] == 3
    assert len(lines) == 3
    previous = audit.GENESIS
    for line in lines:  # the recipe of docs/audit.md, with the standard library only
        body = json.dumps(
            [
                "kotalive.audit/v1",
                line["seq"],
                line["id"],
                line["at"],
                line["actor_id"],
                line["actor_label"],
                line["action"],
                line["object_type"],
                line["object_id"],
                line["data"],
            ],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        previous = chain_hash(previous, leaf_hash(body))
        assert previous.hex() == line["chain_hash"]
    latest = checkpoint_latest()
    assert latest is not None
    assert base64.b64decode(header["checkpoint"]["signature"]) == bytes.fromhex(latest.signature)


@pytest.mark.django_db
def test_the_checkpoint_is_for_auditors_and_the_platform_administrator(personas: dict, client: Client) -> None:
    _write_entries(2)
    auditor = personas["kominfo.operator"]
    StaffRole.objects.create(user=auditor, role=StaffRole.AUDITOR)

    def get(user: User) -> int:
        token = api_token_issue(user=user)
        return client.get("/api/v1/audit/checkpoint", headers={"Authorization": f"Bearer {token.raw}"}).status_code

    assert get(auditor) == 200
    assert get(personas["admin"]) == 200
    assert get(personas["dukcapil.kadis"]) == 403
    assert get(personas["warga1"]) == 403
    assert client.get("/api/v1/audit/checkpoint").status_code == 401
    published = client.get("/api/v1/audit/public-key").json()
    assert "BEGIN PUBLIC KEY" in published["public_key"]
