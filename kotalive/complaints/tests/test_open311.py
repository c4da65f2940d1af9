"""Open311 GeoReport v2 checked with an existing client library, unmodified (`georeport` from PyPI, against a real
HTTP server), in JSON and XML. georeport does not file requests; filing is checked with the spec's form-encoded POST,
as the Ruby and Python Open311 clients send it."""

from typing import Any

import pytest
import requests
from georeport import GeoReport

from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import PIN, file_report

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "demo-open311-key"


def _post(base: str, fmt: str, **fields: Any) -> requests.Response:
    form = {
        "api_key": KEY,
        "jurisdiction_id": "tangerangkota.go.id",
        "service_code": "street-lights",
        "lat": str(PIN["lat"]),
        "long": str(PIN["lon"]),
        "description": "Lampu PJU mati di depan masjid, jalan gelap.",
        "first_name": "Ayu",
        "last_name": "Lestari",
        "email": "ayu@example.id",
        "attribute[pole_number]": "T-17",
        **fields,
    }
    return requests.post(f"{base}/requests.{fmt}", data=form, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_client_lists_services_posts_a_request_and_reads_it_back(live_server, personas, fmt):
    base = live_server.url + "/open311/v2"
    client = GeoReport(base, jurisdiction="tangerangkota.go.id", api_key=KEY, output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "street-lights" in codes
    assert "roads" in codes
    lights = next(s for s in services if s["service_code"] == "street-lights")
    assert str(lights["metadata"]).lower() == "true"
    definition = client.get_service_definition("street-lights")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    first = attributes[0] if isinstance(attributes, list) else attributes
    assert first["code"] == "pole_number"

    posted = _post(base, fmt)
    assert posted.status_code == 200, posted.content
    if fmt == "json":
        request_id = posted.json()[0]["service_request_id"]
        token = posted.json()[0]["token"]
    else:
        import xmltodict

        created = xmltodict.parse(posted.content)["service_requests"]["request"]
        request_id, token = created["service_request_id"], created["token"]
    complaint = Complaint.objects.get(tracking=request_id)
    assert complaint.source == "open311"
    assert complaint.attributes == {"pole_number": "T-17"}
    assert "Ayu" not in complaint.contact_encrypted  # the reporter's contact is kept encrypted

    read = client.get_service_request(request_id)
    assert read["service_request_id"] == request_id
    assert read["status"] == "open"
    assert read["service_code"] == "street-lights"
    assert "Ayu" not in str(read)
    listed = client.get_service_requests(service_code="street-lights", status="open")
    listed = listed if isinstance(listed, list) else [listed]
    assert request_id in [r["service_request_id"] for r in listed]
    by_token = requests.get(f"{base}/tokens/{token}.{fmt}", timeout=10)
    assert request_id in by_token.text


def test_errors_are_the_spec_s_list_and_change_nothing(live_server, personas):
    base = live_server.url + "/open311/v2"
    bad_key = _post(base, "json", api_key="wrong")
    assert bad_key.status_code == 403
    assert bad_key.json()[0]["code"] == 403
    no_place = _post(base, "json", lat="", long="")
    assert no_place.status_code == 400
    assert "location" in no_place.json()[0]["description"]
    outside = _post(base, "xml", lat="-6.9", long="107.6")
    assert outside.status_code == 400
    assert b"<errors><error><code>400</code>" in outside.content
    unknown = requests.get(f"{base}/requests/LAKSA-20260101-99999.json", timeout=10)
    assert unknown.status_code == 404
    other_city = requests.get(f"{base}/services.json", params={"jurisdiction_id": "bandung.go.id"}, timeout=10)
    assert other_city.status_code == 404
    assert Complaint.objects.count() == 0


def test_confidential_reports_stay_out_of_open311(live_server, personas, warga1):
    _client, visible = file_report(warga1)
    _client, hidden = file_report(warga1, confidential=True, title="Pungli di kantor kelurahan")
    base = live_server.url + "/open311/v2"
    listed = requests.get(f"{base}/requests.json", timeout=10).json()
    ids = {r["service_request_id"] for r in listed}
    assert visible["tracking"] in ids
    assert hidden["tracking"] not in ids
    assert requests.get(f"{base}/requests/{hidden['tracking']}.json", timeout=10).status_code == 404
    shown = next(r for r in listed if r["service_request_id"] == visible["tracking"])
    assert shown["description"] == ""  # the public does not read the citizen's words
    assert warga1.full_name not in str(listed)


def test_a_partner_over_its_requests_per_minute_is_told_when_to_retry(live_server, personas):
    from kotalive.agencies.models import ApiClient

    ApiClient.objects.filter(name="Mitra Open311 (demo)").update(requests_per_minute=1)
    base = live_server.url + "/open311/v2"
    assert _post(base, "json").status_code == 200

    refused = _post(base, "json", description="Lampu PJU kedua mati di gang sebelah masjid.")

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 120  # a sliding minute: at most two windows away
    assert Complaint.objects.count() == 1
