"""A real `kotalive worker` process keeps the dashboards current: a report filed while it runs reaches the day
rollups within seconds, long before the worker's minute-long --interval (the recount keeps its own pace)."""

import signal

import pytest
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import file_report
from kotalive.core.calendar import local_date
from kotalive.dashboard.models import RollupDirtyDay, SubjectDayRollup
from kotalive.events.tests.test_worker_processes import _start_worker, _wait_for

pytestmark = pytest.mark.django_db(transaction=True)  # the worker is another process: data must be committed


def test_a_running_worker_counts_a_new_report_within_seconds(warga1: User) -> None:
    worker = _start_worker()
    try:
        file_report(warga1)
        today = local_date(timezone.now())

        def counted() -> bool:
            rows = SubjectDayRollup.objects.filter(kind="complaint", day=today)
            return sum(r.submitted for r in rows) == 1 and not RollupDirtyDay.objects.exists()

        _wait_for(counted, 20)  # marked by the consumer, recounted by the 5-second job (the --interval is 60 s)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
