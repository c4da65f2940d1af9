import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.core.audit import audit_verify
from kotalive.core.calendar import local_date
from kotalive.dashboard.city import city_performance
from kotalive.dashboard.handoffs import handoff_matrix
from kotalive.dashboard.public import public_figures
from kotalive.registry.models import Person

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return User.objects.count(), StaffRole.objects.count(), Person.objects.count(), Agency.objects.count()


def test_seeding_the_demo_twice_neither_fails_nor_duplicates() -> None:
    out = io.StringIO()
    call_command("seed", demo=True, stdout=out)
    first = _counts()

    call_command("seed", demo=True, stdout=io.StringIO())

    assert _counts() == first
    assert first[2] > 5000
    assert "warga1" in out.getvalue()
    assert "dukcapil.verifikator" in out.getvalue()
    assert audit_verify().broken is None
    # The synthetic history fills the dashboards of a fresh demo: figures, hand-offs (ping-pong too), IKM.
    today = local_date(timezone.now())
    start = today - dt.timedelta(days=89)
    figures = city_performance(start=start, end=today)["kinds"]
    assert figures["case"]["city"]["closed"] > 10
    assert figures["complaint"]["city"]["reopened"] > 0
    # The history waits at most six days for a first answer: moved back with the subject, not left at load time.
    for kind in ("case", "complaint"):
        assert 0 < figures[kind]["city"]["first_response_seconds"]["p90"] <= 7 * 86400
        assert all(row["agency"] for row in figures[kind]["agencies"])  # the Live Room's reports: the operator's
    pairs = handoff_matrix(start=start, end=today)["pairs"]
    assert any(p["ping_pong"] for p in pairs)
    assert any(p["requests"] for p in pairs)
    assert public_figures(start=start, end=today)["ikm"]


@override_settings(DEMO=False)
def test_demo_accounts_need_demo_mode() -> None:
    with pytest.raises(CommandError, match="KOTALIVE_DEMO=1"):
        call_command("seed", demo=True, stdout=io.StringIO())

    assert not User.objects.exists()
    assert Agency.objects.exists()  # reference data still loads
