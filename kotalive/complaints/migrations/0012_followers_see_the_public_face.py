"""Followers of a report see only its public face (security issue 13): the events written before events 0007 named
them among the people who see the report whole, and their notices kept the officers' reasons. Mark their audience
rows public-only (the feed then gives them the public keys of those events' data) and strip their notices down to
what a follower's notice holds now (kotalive/workflow/notices.py PUBLIC_NOTICE_FIELDS): no reason goes out on any
channel still owed. The reasons taken away are not put back when unapplied."""

from typing import Any

from django.db import migrations

PUBLIC_NOTICE_FIELDS = ("to_state", "state_category", "action", "what")  # frozen here: a migration's own copy


def followers_public_only(apps: Any, schema_editor: Any) -> None:
    follower_model = apps.get_model("complaints", "Follower")
    audience_model = apps.get_model("events", "EventAudience")
    notification_model = apps.get_model("notifications", "Notification")
    followers = follower_model.objects.values_list("complaint__tracking", "complaint__reporter_id", "user_id")
    for tracking, reporter_id, user_id in followers.iterator():
        if user_id == reporter_id:
            continue  # a reporter who also follows sees their report whole
        audience_model.objects.filter(event__subject=tracking, person_id=user_id).update(public_only=True)
        notices = notification_model.objects.filter(user_id=user_id, subject=tracking, kind__startswith="complaint.")
        for notice in notices.iterator():
            kept = {key: notice.data[key] for key in PUBLIC_NOTICE_FIELDS if key in notice.data}
            notice.data = {**kept, "public_only": True}
            notice.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_citizen_unreachable"),
        ("events", "0007_audience_public_only"),
        ("notifications", "0003_delivery_contract"),
    ]

    operations = [migrations.RunPython(followers_public_only, migrations.RunPython.noop)]
