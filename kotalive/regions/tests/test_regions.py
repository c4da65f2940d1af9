from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from kotalive.core.errors import ValidationFailed
from kotalive.regions.codes import (
    DESA,
    KABUPATEN,
    KECAMATAN,
    KELURAHAN,
    KOTA,
    RegionCodeError,
    parse_region_code,
)
from kotalive.regions.models import Region
from kotalive.regions.selectors import region_find
from kotalive.regions.services import regions_load_csv


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("36.71", KOTA, "36"),
        ("36.03", KABUPATEN, "36"),
        ("36.71.05", KECAMATAN, "36.71"),
        ("36.71.05.1005", KELURAHAN, "36.71.05"),
        ("32.01.01.2001", DESA, "32.01.01"),
    ],
)
def test_a_code_tells_its_level_and_parent(code: str, level: str, parent: str) -> None:
    parsed = parse_region_code(code)

    assert (parsed.level, parsed.parent) == (level, parent)


@pytest.mark.parametrize("code", ["36.70", "99.01", "36.71.00", "36.71.05.3001", "3671", "36.71.5"])
def test_impossible_codes_are_refused(code: str) -> None:
    with pytest.raises(RegionCodeError):
        parse_region_code(code)


@pytest.mark.django_db
def test_kota_tangerang_ships_in_full(reference: None) -> None:
    assert Region.objects.filter(parent_id="36.71").count() == 13
    assert Region.objects.filter(code__startswith="36.71.", level=KELURAHAN).count() == 104
    assert set(Region.objects.filter(parent_id="36").values_list("code", flat=True)) == {
        "36.01",
        "36.02",
        "36.03",
        "36.04",
        "36.71",
        "36.72",
        "36.73",
        "36.74",
    }


@pytest.mark.django_db
def test_both_official_spellings_find_a_kelurahan(reference: None) -> None:
    assert region_find(parent="36.71.03", name="Batujaya") == region_find(parent="36.71.03", name="Batu Jaya")
    assert region_find(parent="36.71.03", name="BATU SARI") is not None


@pytest.mark.django_db
def test_loading_the_reference_again_changes_nothing(reference: None) -> None:
    before = Region.objects.count()

    call_command("seed")

    assert Region.objects.count() == before


@pytest.mark.django_db
def test_another_region_loads_from_a_csv(tmp_path: Path) -> None:
    csv_file = tmp_path / "bogor.csv"
    csv_file.write_text(
        "code,name\n32,Jawa Barat\n32.01,Kabupaten Bogor\n32.01.01,Cibinong\n"
        "32.01.01.1001,Pakansari\n32.01.01.2002,Sukahati\n"
    )

    call_command("load-regions", str(csv_file))

    assert Region.objects.get(code="32.01.01.2002").level == DESA
    assert Region.objects.get(code="32.01.01").parent_id == "32.01"


@pytest.mark.django_db
def test_a_bad_csv_loads_nothing_and_names_each_line(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("code,name\n32,Jawa Barat\n32.01,Kabupaten Bogor\n32.01.1,Typo\n33.01.01,Orphan\n")

    with pytest.raises(CommandError) as raised:
        call_command("load-regions", str(csv_file))

    message = str(raised.value)
    assert "line 4" in message
    assert "line 5" in message
    assert "33.01" in message
    assert not Region.objects.filter(code__startswith="32").exists()


@pytest.mark.django_db
def test_a_row_without_a_name_is_refused() -> None:
    with translation.override("en"), pytest.raises(ValidationFailed) as raised:
        regions_load_csv(actor=None, text="code,name\n36,\n")

    assert raised.value.errors == {"line 2": ["expected two columns: code,name"]}


@pytest.mark.django_db
def test_the_api_lists_the_13_kecamatan_of_the_kota(reference: None, client: Client) -> None:
    response = client.get("/api/v1/regions", {"parent": "36.71"})

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 13
    assert {"code": "36.71.05", "name": "Cipondoh", "level": "kecamatan", "parent": "36.71"} in body


@pytest.mark.django_db
def test_the_api_lists_the_10_kelurahan_of_cipondoh(reference: None, client: Client) -> None:
    body = client.get("/api/v1/regions", {"parent": "36.71.05"}).json()

    assert len(body) == 10
    assert all(item["code"].startswith("36.71.05.1") for item in body)
