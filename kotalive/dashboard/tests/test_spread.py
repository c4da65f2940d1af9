"""The median and p90 of durations, by the nearest-rank definition, whichever database computes them."""

import datetime as dt

import pytest
from django.utils import timezone

from kotalive.cases.models import Case
from kotalive.cases.synthetic import cases_seed_synthetic
from kotalive.dashboard.spread import durations_spread, percentile


@pytest.mark.usefixtures("personas")
def test_the_database_ranks_durations_as_the_formula_says() -> None:
    cases_seed_synthetic(count=7, seed=3)
    hours = [5, 1, 30, 2, 8, 13, 3]  # sorted: 1 2 3 5 8 13 30 -> median (rank 4) 5 h, p90 (rank 7) 30 h
    start = timezone.now() - dt.timedelta(days=10)
    for case, took in zip(Case.objects.order_by("pk"), hours, strict=True):
        Case.objects.filter(pk=case.pk).update(submitted_at=start, closed_at=start + dt.timedelta(hours=took))
    agency_of = dict(Case.objects.values_list("pk", "agency_id"))

    spread = durations_spread(Case.objects.all(), "submitted_at", "closed_at")

    assert spread["*"] == {"median": 5 * 3600, "p90": 30 * 3600, "n": 7}
    assert percentile([float(h) for h in hours], 0.5) == 5  # the same definition, written out in Python
    by_agency: dict[int, list[float]] = {}
    for case, took in zip(Case.objects.order_by("pk"), hours, strict=True):
        by_agency.setdefault(agency_of[case.pk], []).append(took * 3600.0)
    for agency_id, values in by_agency.items():
        assert spread[agency_id]["n"] == len(values)
        assert spread[agency_id]["median"] == percentile(values, 0.5)
        assert spread[agency_id]["p90"] == percentile(values, 0.9)
