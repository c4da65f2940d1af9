"""A second region deploys from its own data pack (`kotalive load-region-pack DIR`), and a broken pack loads nothing
and says where it is broken. The second region is the shipped example pack (packs/example-tangerang-selatan/):
Kota Tangerang Selatan (36.74) cut down to two kecamatan, four kelurahan, one agency, one service and one complaint
category, with made-up kelurahan codes and shapes."""

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from kotalive.agencies.models import Agency
from kotalive.catalogue.models import Service
from kotalive.complaints.models import Category, RoutingRule
from kotalive.core.models import AuditEntry
from kotalive.regions.boundaries import boundary_features
from kotalive.regions.models import Region

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "packs" / "example-tangerang-selatan"  # the how-to's pack
REGIONS = (EXAMPLE / "regions.csv").read_text(encoding="utf-8")
BOUNDARIES = json.loads((EXAMPLE / "boundaries.geojson").read_text(encoding="utf-8"))
AGENCIES = json.loads((EXAMPLE / "agencies.json").read_text(encoding="utf-8"))
SERVICES = json.loads((EXAMPLE / "services.json").read_text(encoding="utf-8"))
COMPLAINTS = json.loads((EXAMPLE / "complaints.json").read_text(encoding="utf-8"))


def _write_pack(directory: Path, **replaced: str) -> Path:
    """The shipped example pack copied to `directory`; `replaced` gives a file's whole text instead (by file name)."""
    shutil.copytree(EXAMPLE, directory)
    for name, text in replaced.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_second_region_is_served_from_its_own_pack(tmp_path: Path, settings: Any, client: Client) -> None:
    """Given Kota Tangerang Selatan's pack, when it is loaded and configured, then the portal, the services and the
    complaint categories are the pack's, and the map is drawn from its boundaries."""
    pack = _write_pack(tmp_path / "kota-tangerang-selatan")
    settings.KOTALIVE_REGION_PACK = pack
    settings.KOTALIVE_REGION_CODE = "36.74"
    settings.KOTALIVE_PLATFORM_NAME = "Tangsel LIVE"
    out = io.StringIO()

    with translation.override("en"):
        call_command("load-region-pack", str(pack), stdout=out)

    assert "Kota Tangerang Selatan (36.74)" in out.getvalue()
    assert Region.objects.filter(parent_id="36.74").count() == 2
    portal = client.get("/")
    assert portal.status_code == 200
    page = portal.content.decode()
    assert "Kota Tangerang Selatan" in page
    assert "Tangsel LIVE" in page
    assert "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu" in page
    listing = client.get("/layanan/")
    assert listing.status_code == 200
    assert "Izin penyelenggaraan reklame" in listing.content.decode()
    assert [s["code"] for s in client.get("/api/v1/services").json()] == ["izin-reklame"]
    assert client.get("/layanan/izin-reklame/").status_code == 200
    categories = client.get("/api/v1/complaints/categories")
    assert categories.status_code == 200
    assert [(c["code"], c["default_agency"]) for c in categories.json()] == [("perizinan", "DPMPTSP")]
    open311 = client.get("/open311/v2/services.json", {"jurisdiction_id": "tangerangselatankota.go.id"})
    assert open311.status_code == 200
    assert [s["service_code"] for s in open311.json()] == ["perizinan"]
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "tangerangkota.go.id"}).status_code == 404
    assert RoutingRule.objects.get().region_id == "36.74.05"
    assert {f["properties"]["code"] for f in boundary_features("36.74")} >= {"36.74.01", "36.74.05.1002"}
    assert client.get("/laporan/publik/").status_code == 200


def test_loading_a_pack_again_changes_nothing(tmp_path: Path, settings: Any) -> None:
    pack = _write_pack(tmp_path / "kota-tangerang-selatan")
    settings.KOTALIVE_REGION_PACK = pack
    settings.KOTALIVE_REGION_CODE = "36.74"
    call_command("load-region-pack", str(pack), stdout=io.StringIO())
    before = (
        Region.objects.count(),
        Agency.objects.count(),
        Service.objects.get().current_id,
        Category.objects.count(),
    )

    call_command("load-region-pack", str(pack), stdout=io.StringIO())

    after = (Region.objects.count(), Agency.objects.count(), Service.objects.get().current_id, Category.objects.count())
    assert after == before
    assert AuditEntry.objects.filter(action="regions.pack_loaded", object_id="36.74").count() == 2


def test_a_broken_pack_loads_nothing_and_names_each_file_and_line(tmp_path: Path) -> None:
    """Given a pack whose complaints file is not JSON at line 3 and whose service names an agency the pack does not
    have, when it is loaded, then nothing is written and each problem names its file and line."""
    services = json.loads(json.dumps(SERVICES))
    services["services"][0]["agency"] = "DINKES"
    services_text = json.dumps(services, indent=1)
    broken_complaints = '{\n "region": "36.74",\n "jurisdiction_id" "tangerangselatankota.go.id"\n}\n'
    pack = _write_pack(tmp_path / "broken", **{"services.json": services_text, "complaints.json": broken_complaints})

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("load-region-pack", str(pack), stdout=io.StringIO())

    message = str(raised.value)
    assert "nothing changed" in message
    assert "complaints.json, line 3: The file is not valid JSON" in message
    service_line = _line_of(services_text, '"code": "izin-reklame"') - 1  # the object's "{" is the line above
    assert (
        f'services.json, line {service_line}: The service izin-reklame names the agency "DINKES", which is not in '
        "the pack's agencies file." in message
    )
    assert not Region.objects.exists()
    assert not Agency.objects.exists()
    assert not Service.objects.exists()


def test_codes_that_do_not_fit_together_are_each_named(tmp_path: Path) -> None:
    """A region row with a bad code, an agency of an unknown region, a category routed to an unknown agency and a
    kelurahan outside the pack's regions: each problem is reported on its own line, and nothing loads."""
    agencies = json.loads(json.dumps(AGENCIES))
    agencies["agencies"][0]["region"] = "36.99"
    complaints = json.loads(json.dumps(COMPLAINTS))
    complaints["routing_rules"][0]["region"] = "36.74.07"
    boundaries = json.loads(json.dumps(BOUNDARIES))
    boundaries["features"][2]["properties"]["code"] = "36.74.01.1009"
    agencies_text, complaints_text = json.dumps(agencies, indent=1), json.dumps(complaints, indent=1)
    pack = _write_pack(
        tmp_path / "mismatched",
        **{
            "regions.csv": REGIONS + "36.74.05.103,Typo\n",
            "agencies.json": agencies_text,
            "complaints.json": complaints_text,
            "boundaries.geojson": json.dumps(boundaries),
        },
    )

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("load-region-pack", str(pack), stdout=io.StringIO())

    message = str(raised.value)
    assert "regions.csv, line 10: The code is refused" in message
    assert (
        f'agencies.json, line {_line_of(agencies_text, "  {")}: The agency DPMPTSP names the region "36.99"' in message
    )
    rule_line = _line_of(complaints_text, '"category": "perizinan",\n   "region"') - 1
    assert f'complaints.json, line {rule_line}: The routing rule names the region "36.74.07"' in message
    assert 'boundaries.geojson, line 1: The feature\'s code "36.74.01.1009"' in message
    assert not Region.objects.exists()


def test_a_pack_without_its_required_files_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    pack = tmp_path / "empty"
    pack.mkdir()
    (pack / "pack.json").write_text('{\n "region": "36.74",\n "name": "Kota Tangerang Selatan",\n "files": {}\n}\n')

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("load-region-pack", str(pack), stdout=io.StringIO())

    assert "pack.json, line 4: The pack has no regions file." in str(raised.value)
    assert "pack.json, line 4: The pack has no complaints file." in str(raised.value)


def test_seed_loads_the_configured_pack(tmp_path: Path, settings: Any) -> None:
    settings.KOTALIVE_REGION_PACK = _write_pack(tmp_path / "kota-tangerang-selatan")
    settings.KOTALIVE_REGION_CODE = "36.74"

    call_command("seed", stdout=io.StringIO())

    assert list(Agency.objects.values_list("code", flat=True)) == ["DPMPTSP"]
    assert Region.objects.filter(code="36.71").exists() is False


def test_the_shipped_pack_is_kota_tangerang(reference: None) -> None:
    assert Region.objects.filter(parent_id="36.71").count() == 13
    assert Service.objects.filter(agency__code="DISDUKCAPIL").count() > 10
    assert Category.objects.filter(code="street-lights", default_agency__code="DISHUB").exists()


def test_a_pack_does_not_take_over_another_regions_agency(reference: None, tmp_path: Path) -> None:
    """Kota Tangerang's DPMPTSP is loaded; a pack for Tangerang Selatan with an agency of the same code is refused."""
    pack = _write_pack(tmp_path / "kota-tangerang-selatan")

    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("load-region-pack", str(pack), stdout=io.StringIO())

    assert "The agency code DPMPTSP is already an agency of region 36.71 on this platform." in str(raised.value)
    assert Agency.objects.get(code="DPMPTSP").region_id == "36.71"
    assert not Region.objects.filter(code="36.74.01").exists()
