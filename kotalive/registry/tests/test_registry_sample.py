import csv
import io

import pytest
from django.core.management import call_command

from kotalive.accounts.models import User
from kotalive.demo.data import BUDI, DEWI, SITI
from kotalive.registry.services import registry_seed_synthetic


@pytest.mark.django_db
def test_unregistered_sample_lists_adults_without_an_account(personas: dict[str, User]) -> None:
    registry_seed_synthetic(actor=None, people=200, seed=4, region_code="36.71")
    out = io.StringIO()

    call_command("registry-sample", unregistered=True, count=500, stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    niks = {row["nik"] for row in rows}
    assert rows
    assert set(rows[0]) == {"nik", "name", "birth_date"}
    assert not niks & {BUDI.nik, SITI.nik, DEWI.nik}  # warga1, warga2 and warga3 have accounts


@pytest.mark.django_db
def test_the_whole_sample_includes_registered_people_too(personas: dict[str, User]) -> None:
    out = io.StringIO()

    call_command("registry-sample", count=10, stdout=out)

    assert BUDI.nik in out.getvalue()
