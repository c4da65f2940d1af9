import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from kotalive.accounts.models import User
from kotalive.core.audit import audit_record, audit_verify
from kotalive.core.models import AuditEntry


def _write_entries(count: int) -> list[AuditEntry]:
    entries = []
    for number in range(count):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=None,
                    action="test.happened",
                    object_type="test",
                    object_id=str(number),
                    data={"n": number, "name": "Budi"},
                )
            )
    return entries


@pytest.mark.django_db
def test_an_untouched_chain_verifies() -> None:
    _write_entries(5)

    call_command("audit-verify")

    assert audit_verify() == (5, None)


@pytest.mark.django_db
def test_a_row_changed_behind_the_application_s_back_is_named() -> None:
    entries = _write_entries(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET data = %s WHERE id = %s", ['{"n": 99, "name": "Budi"}', entries[2].id]
        )

    with pytest.raises(CommandError, match=f"broken at entry #{entries[2].id}"):
        call_command("audit-verify")


@pytest.mark.django_db
def test_a_removed_row_breaks_the_chain_at_the_next_one() -> None:
    entries = _write_entries(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].id])

    checked, broken = audit_verify()

    assert checked == 1
    assert broken is not None
    assert broken.entry_id == entries[2].id


@pytest.mark.django_db
def test_removing_the_newest_rows_is_noticed_through_the_chain_head() -> None:
    entries = _write_entries(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].id])

    _checked, broken = audit_verify()

    assert broken is not None
    assert "missing" in broken.reason


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
