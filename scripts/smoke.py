"""Walk the issues' checks against a running KotaLIVE (`make run`), over HTTP, and print what happened.

    uv run python scripts/smoke.py [http://127.0.0.1:8000]

Registers a registry resident (from `kotalive registry-sample`), reads /me, lists services, applies for a birth
certificate with documents, works it to completion as DISDUKCAPIL staff, and checks the refusals (stale version 409,
another agency 404, invalid data 422). Exits non-zero at the first surprise.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


def upload(auth: str) -> str:
    boundary = uuid.uuid4().hex
    raw = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="doc.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, body = call(
        "POST", "/api/v1/uploads", token=auth, raw=raw, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return expect("upload", status, 201, body)["id"]


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
    status, due = call("GET", "/api/v1/calendar/due-date?start=2026-03-17&working_days=5")
    expect(f"due date {due.get('due_date')}", status, 200, due)
    if due["due_date"] != "2026-03-31":
        sys.exit(1)


if __name__ == "__main__":
    main()
