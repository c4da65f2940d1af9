"""Complaints 0012, run for real on the test database: the events written before followers were public-only people
named them as seeing the report whole, and their notices kept the reasons. After it, they are public-only on those
events and their notices hold no reason; the reporter's rows and notices, and the follower's own report, are left
as they were."""

import pytest

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import PIN, act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.models import EventAudience
from kotalive.events.tests.helpers import drain
from kotalive.notifications.models import Notification
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate

REASON = "Mohon lengkapi nomor tiang di depan rumah nomor 12."


@pytest.mark.django_db(transaction=True)  # the migration runs for real: no test transaction around it
@pytest.mark.usefixtures("app_only_notices")
def test_followers_of_earlier_events_become_public_only_and_lose_the_reasons(
    warga1: User, warga3: User, operator: User
) -> None:
    # Given Charlie following Alice's report, told of its return with the reason as before the fix
    _alice, filed = file_report(warga1)
    _charlie, duplicate = file_report(warga3, location={"lat": PIN["lat"] + 0.0003, "lon": PIN["lon"]})
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    act_ok(live_room, duplicate["tracking"], "merge", into=tracking, reason="Laporan sama")
    act_ok(live_room, tracking, "return_to_reporter", reason=REASON)
    drain()
    EventAudience.objects.filter(person=warga3).update(public_only=False)
    for notice in Notification.objects.filter(user=warga3, subject=tracking):
        notice.data = {key: value for key, value in notice.data.items() if key != "public_only"} | {"reason": REASON}
        notice.save(update_fields=["data"])
    latest = latest_migrations()

    # When the migration runs
    try:
        migrate([("complaints", "0011_citizen_unreachable")])
        migrate(latest)
    finally:
        migrate(latest)

    # Then Charlie is public-only on Alice's report's events and his notice of its return has no reason
    charlie = EventAudience.objects.filter(person=warga3)
    assert set(charlie.filter(event__subject=tracking).values_list("public_only", flat=True)) == {True}
    assert set(charlie.filter(event__subject=duplicate["tracking"]).values_list("public_only", flat=True)) == {False}
    notice = Notification.objects.get(user=warga3, subject=tracking, kind="complaint.returned_to_reporter")
    assert "reason" not in notice.data
    assert notice.data["public_only"] is True
    assert notice.data["to_state"] == "returned"
    # And Alice keeps her whole view and her reason
    assert not EventAudience.objects.filter(person=warga1, public_only=True).exists()
    mine = Notification.objects.get(user=warga1, subject=tracking, kind="complaint.returned_to_reporter")
    assert mine.data["reason"] == REASON
