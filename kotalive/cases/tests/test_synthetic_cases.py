import pytest
from django.core.management import call_command

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.core.calendar import local_date
from kotalive.core.models import NumberCounter

pytestmark = pytest.mark.django_db


def test_synthetic_cases_fill_inboxes_and_real_tracking_numbers_continue_after_them(warga1: User) -> None:
    call_command("seed-cases", count=300, seed=3)

    cases = Case.objects.filter(is_test=True)
    assert cases.count() == 300
    assert cases.filter(state_category="completed").exists()
    assert cases.exclude(state_category__in=["completed", "rejected", "cancelled"]).exists()
    assert len(set(cases.values_list("tracking", flat=True))) == 300
    _client, body = submit_birth_certificate(warga1)  # same day as some synthetic cases: no collision
    assert not Case.objects.filter(tracking=body["tracking"], is_test=True).exists()
    day = local_date(Case.objects.get(tracking=body["tracking"]).submitted_at)
    counter = NumberCounter.objects.get(series="DISDUKCAPIL", day=day)
    assert body["tracking"].endswith(f"{counter.last:05d}")


def test_the_open_categories_of_the_partial_indexes_match_the_workflow_vocabulary() -> None:
    from kotalive.cases.models import OPEN_CATEGORY_LIST
    from kotalive.workflow.definitions import CATEGORIES, TERMINAL

    assert sorted(OPEN_CATEGORY_LIST) == sorted(c for c in CATEGORIES if c not in TERMINAL and c != "draft")
