"""Events written before event audiences existed name no person: give every case event its applicant, so the
citizen's event feed (which now reads audiences, kotalive/events/services.py) still shows their older events."""

from django.db import migrations


def add_applicants(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    OutboxEvent = apps.get_model("events", "OutboxEvent")
    EventAudience = apps.get_model("events", "EventAudience")
    applicants = dict(Case.objects.values_list("tracking", "applicant_id"))
    batch = []
    for event_id, subject in OutboxEvent.objects.filter(type__startswith="id.kotalive.case.").values_list(
        "id", "subject"
    ).iterator(chunk_size=5000):
        if subject in applicants:
            batch.append(EventAudience(event_id=event_id, person_id=applicants[subject]))
        if len(batch) >= 5000:
            EventAudience.objects.bulk_create(batch)
            batch = []
    EventAudience.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_uploads_move_to_core"),
        ("events", "0006_event_audiences"),
    ]

    operations = [migrations.RunPython(add_applicants, migrations.RunPython.noop)]
