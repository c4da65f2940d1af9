"""The audit log moves from the unkeyed in-transaction chain (ADR 0002) to sealing by the worker (ADR 0011).

Before the old chain's columns go, it is verified as `audit-verify` did: a break stops the migration (nothing
changes), since sealing a tampered log would sign the tampering as genuine. The old chain's head and length are
then kept as an audit entry of their own (`audit.chain_migrated`), which the worker seals and signs with the rest:
the old entries become unsealed and are sealed in id order. There is no way back (the old hashes are gone).
"""

import hashlib
import json

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GENESIS = "0" * 64


def _old_hash(entry, prev_hash):
    canonical = json.dumps(
        [prev_hash, entry.at.isoformat(), entry.actor_id, entry.actor_label, entry.action, entry.object_type,
         entry.object_id, entry.data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_and_record_the_old_chain(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    expected, count = GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected or _old_hash(entry, entry.prev_hash) != entry.hash:
            raise RuntimeError(
                f"The audit chain is broken at entry #{entry.id} (changed, removed or reordered before this upgrade). "
                "The audit log was left as it was. Restore the audit table from a backup you trust, then migrate again."
            )
        expected, count = entry.hash, count + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != expected:
        raise RuntimeError(
            f"The newest audit entries after #{count} are missing (the chain head points past them). The audit log "
            "was left as it was. Restore the audit table from a backup you trust, then migrate again."
        )
    if count:
        AuditEntry.objects.create(
            at=timezone.now(),
            actor_label="system",
            action="audit.chain_migrated",
            object_type="core.auditentry",
            data={"old_chain_entries": count, "old_chain_head": expected},
            prev_hash=expected,
            hash=hashlib.sha256(f"migrated {expected}".encode()).hexdigest(),
        )


def refuse(apps, schema_editor):
    raise RuntimeError("The audit log cannot go back to the unkeyed chain: the old hashes are gone (ADR 0011).")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_calendaroverride'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(verify_and_record_the_old_chain, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='AuditChainHead',
        ),
        migrations.RemoveField(
            model_name='auditentry',
            name='hash',
        ),
        migrations.RemoveField(
            model_name='auditentry',
            name='prev_hash',
        ),
        migrations.AddField(
            model_name='auditentry',
            name='chain_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='key_id',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='leaf_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='sealed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='signature',
            field=models.CharField(blank=True, max_length=128),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='audit_unsealed_idx'),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse),  # undone first: refuses before anything is undone
    ]
