"""Walk the issues' checks against a running KotaLIVE (`make run`), over HTTP, and print what happened.

    uv run python scripts/smoke.py [http://127.0.0.1:8000]

Registers a registry resident (from `kotalive registry-sample`), reads /me, lists services, applies for a birth
certificate with documents, works it to completion as DISDUKCAPIL staff, and checks the refusals (stale version 409,
another agency 404, invalid data 422). Then the synchronization checks: DISDUKCAPIL's administrator subscribes a
receiver started here, which must get the case's steps signed (verified with the standardwebhooks library) and in
order; the event feed pages through every event once; a registry look-up is refused without an agreement and, with
DINSOS's, returns only the agreed fields and shows in the resident's data-access list. Exits non-zero at the first
surprise.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A real 1x1 PNG (signature, IHDR, IDAT, IEND).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def call(
    method: str,
    path: str,
    body: object = None,
    token: str | None = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the URL given on the command line)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def expect(label: str, status: int, wanted: int, body: dict) -> dict:
    print(f"{'ok  ' if status == wanted else 'FAIL'} {label}: {status}")
    if status != wanted:
        print(json.dumps(body, indent=1)[:2000])
        sys.exit(1)
    return body


def token(login: str, password: str = "kotalive-demo") -> str:
    status, body = call("POST", "/api/v1/auth/token", {"login": login, "password": password})
    return expect(f"token for {login}", status, 200, body)["access_token"]


def upload(auth: str, content: bytes = PDF, name: str = "doc.pdf", kind: str = "application/pdf") -> str:
    boundary = uuid.uuid4().hex
    raw = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, body = call(
        "POST", "/api/v1/uploads", token=auth, raw=raw, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return expect("upload", status, 201, body)["id"]


BUDI_NIK = "3671051204859001"  # warga1 in the demo registry


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        body = self.rfile.read(int(self.headers["content-length"]))
        Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def start_receiver() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def main() -> None:
    expect("healthz", call("GET", "/healthz")[0], 200, {})
    sample = (
        subprocess.run(
            ["uv", "run", "kotalive", "registry-sample", "--unregistered", "--count", "1"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "DEBUG": "1"},
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    nik, name, born = sample.split(",")
    person = {
        "nik": nik,
        "full_name": name,
        "birth_date": born,
        "password": "smoke-test-2026!",
        "email": f"{nik}@example.id",
    }
    status, body = call("POST", "/api/v1/accounts/register", person)
    expect("register a registry resident", status, 201, body)
    status, body = call("POST", "/api/v1/accounts/register", person)
    expect("the same NIK again", status, 409, body)
    status, body = call("POST", "/api/v1/accounts/register", {**person, "nik": nik[:8] + "13" + nik[10:]})
    expect("a NIK with month 13", status, 422, body)
    citizen = token("warga1")
    status, me = call("GET", "/api/v1/me", token=citizen)
    expect("/me", status, 200, me)
    print("     masked NIK", me["nik"], "family", [m["full_name"] for m in me["family"]])
    status, services = call("GET", "/api/v1/services")
    expect(f"{len(services)} services", status, 200, {})
    status, service = call("GET", "/api/v1/services/akta-kelahiran")
    expect("akta-kelahiran with its JSON Schema", status, 200, service)
    data = {
        "child_name": "Bayu Santoso",
        "child_sex": "L",
        "child_birth_date": "2026-11-20",
        "child_birth_place": "Tangerang",
        "birth_facility": "rumah-sakit",
        "birth_order": 3,
        "father_name": "Budi Santoso",
        "mother_name": "Siti Rahmawati",
        "kk_number": "3671051501209001",
    }
    status, body = call(
        "POST", "/api/v1/cases", {"service": "akta-kelahiran", "data": {**data, "child_sex": "X"}}, token=citizen
    )
    expect("invalid data", status, 422, body)
    print("     fields:", [e["field"] for e in body["errors"]])
    documents = {code: upload(citizen) for code in ("surat-kelahiran", "buku-nikah", "kk")}
    status, case = call(
        "POST", "/api/v1/cases", {"service": "akta-kelahiran", "data": data, "documents": documents}, token=citizen
    )
    if status == 409:  # an earlier smoke run left one open: go on with that one
        print("     an open case exists already:", case["existing"]["tracking"])
        status, case = call("GET", f"/api/v1/cases/{case['existing']['tracking']}", token=citizen)
        expect("read the open case", status, 200, case)
    else:
        expect("submit", status, 201, case)
    tracking = case["tracking"]
    print("     tracking", tracking, "due", case["due_date"], "timeline", [t["action"] for t in case["timeline"]])
    verifier, head, dinsos = token("dukcapil.verifikator"), token("dukcapil.kadis"), token("dinsos.petugas")
    admin = token("dukcapil.admin")
    status, subscription = call(
        "POST", "/api/v1/webhooks/subscriptions", {"url": start_receiver(), "event_types": []}, token=admin
    )
    expect("dukcapil.admin subscribes a local receiver", status, 201, subscription)
    status, inbox = call("GET", "/api/v1/agency/cases?assigned=all", token=verifier)
    expect("agency inbox", status, 200, inbox)
    expect("dinsos cannot read it", call("GET", f"/api/v1/cases/{tracking}", token=dinsos)[0], 404, {})
    version = case["version"]
    for who, action in [
        (verifier, "start_verification"),
        (verifier, "verify"),
        (verifier, "submit_for_approval"),
        (head, "approve"),
    ]:
        if action not in [a["action"] for a in call("GET", f"/api/v1/cases/{tracking}", token=who)[1]["actions"]]:
            continue
        status, case = call(
            "POST", f"/api/v1/cases/{tracking}/transitions", {"action": action, "version": version}, token=who
        )
        expect(action, status, 200, case)
        stale = call("POST", f"/api/v1/cases/{tracking}/transitions", {"action": action, "version": version}, token=who)
        expect(f"{action} again with the old version", stale[0], 409, stale[1])
        version = case["version"]
    print("     final state", case["state"], case["public_status"], case["output"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(Receiver.received) < 4:
        time.sleep(0.2)
    events = [Webhook(subscription["secret"]).verify(body, headers) for headers, body in Receiver.received]
    steps = [(e["type"].removeprefix("id.kotalive.case."), e["sequence"]) for e in events if e["subject"] == tracking]
    print("     the receiver got, signed and verified:", steps)
    if len(steps) < 3 or [n for _t, n in steps] != sorted(n for _t, n in steps):
        print("FAIL signed deliveries in order")
        sys.exit(1)
    operator = token("kominfo.operator")
    seen, cursor = [], ""
    while True:
        status, page = call("GET", f"/api/v1/events?after={cursor}&limit=3", token=operator)
        expect(f"event feed after '{cursor}'", status, 200, page)
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    print(f"     the feed gave {len(seen)} events, {len(set(seen))} distinct")
    if len(seen) != len(set(seen)) or not {e["id"] for e in events} <= set(seen):
        print("FAIL feed exactly once")
        sys.exit(1)
    lookup = {"nik": BUDI_NIK, "purpose": "verifikasi-bansos"}
    refused = call("POST", "/api/v1/registry/lookup", lookup, token=verifier)
    expect("a look-up without an agreement", refused[0], 403, refused[1])
    status, found = call("POST", "/api/v1/registry/lookup", lookup, token=dinsos)
    expect("DINSOS looks Budi up for social aid", status, 200, found)
    print("     fields returned:", sorted(found["fields"]))
    status, accesses = call("GET", "/api/v1/me/data-access", token=citizen)
    expect("warga1 sees who used their data", status, 200, {})
    if not any(a["agency"] == "DINSOS" and a["purpose"] == "verifikasi-bansos" for a in accesses):
        print("FAIL the look-up is not in warga1's data-access list")
        sys.exit(1)
    status, due = call("GET", "/api/v1/calendar/due-date?start=2026-03-17&working_days=5")
    expect(f"due date {due.get('due_date')}", status, 200, due)
    if due["due_date"] != "2026-03-31":
        sys.exit(1)
    complaints(citizen, operator)
    open311()


def act(auth: str, tracking: str, action: str, **fields: object) -> dict:
    version = call("GET", f"/api/v1/complaints/{tracking}", token=auth)[1]["version"]
    status, body = call(
        "POST", f"/api/v1/complaints/{tracking}/transitions", {"action": action, "version": version, **fields}, auth
    )
    return expect(f"{action} {fields.get('agency') or ''}".strip(), status, 200, body)


def complaints(citizen: str, operator: str) -> None:
    """Issue 5's check: a street-light report with a photo, disposed, handed on, resolved, verified, confirmed."""
    photo = upload(citizen, PNG, "lampu.png", "image/png")
    report = {
        "kind": "complaint",
        "category": "street-lights",
        "title": "Lampu jalan mati",
        "description": "Tiga lampu PJU di depan sekolah mati sejak seminggu.",
        "location": {"lat": -6.1781, "lon": 106.6319},
        "kelurahan": "36.71.01.1001",
        "address": "Jl. Kisamaun",
        "anonymous": True,
        "photos": [photo],
    }
    status, filed = call("POST", "/api/v1/complaints", report, citizen)
    tracking = expect("warga1 files an anonymous street-light report with a photo", status, 201, filed)["tracking"]
    act(operator, tracking, "dispose", agency="PUPR")
    pupr, dishub = token("pupr.penghubung"), token("dishub.penghubung")
    seen = call("GET", f"/api/v1/complaints/{tracking}", token=pupr)[1]
    if seen["reporter"] is not None:
        print("FAIL the agency sees the anonymous reporter")
        sys.exit(1)
    act(pupr, tracking, "hand_off", agency="DISHUB", reason="PJU dikelola Dinas Perhubungan")
    act(dishub, tracking, "accept")
    act(dishub, tracking, "resolve", reason="Tiga lampu diganti")
    act(operator, tracking, "verify_completion")
    done = act(citizen, tracking, "confirm")
    print("     timeline:", [step["action"] for step in done["timeline"]])
    print("     time at agencies:", [(s["agency"], s["outcome"], s["seconds"]) for s in done["time_at_agencies"]])
    status, public = call("GET", "/api/v1/complaints/public")
    expect("public feed", status, 200, public)
    shown = [item for item in public["items"] if item["tracking"] == tracking]
    if not shown or "Budi" in json.dumps(public) or "title" in shown[0]:
        print("FAIL the public feed shows the report without personal data")
        sys.exit(1)


def open311() -> None:
    with urllib.request.urlopen(BASE + "/open311/v2/services.xml", timeout=30) as response:  # noqa: S310
        print("ok   Open311 services.xml:", response.status, len(response.read()), "bytes")
    form = urllib.parse.urlencode(
        {
            "api_key": "demo-open311-key",
            "jurisdiction_id": "tangerangkota.go.id",
            "service_code": "roads",
            "lat": "-6.2",
            "long": "106.65",
            "description": "Lubang besar di tengah jalan.",
        }
    ).encode()
    request = urllib.request.Request(BASE + "/open311/v2/requests.json", data=form, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        created = json.loads(response.read())[0]
    print("ok   Open311 request posted:", created["service_request_id"])
    path = f"/open311/v2/requests/{created['service_request_id']}.json"
    status, read = call("GET", path)
    expect("Open311 request read back", status, 200, {})


if __name__ == "__main__":
    main()
