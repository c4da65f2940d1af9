"""Benchmark: case status read, case submission and complaint submission under load, next to a bare Django hello
view in the same run.

Budgets (docs/performance.md), measured with gunicorn on PostgreSQL and wrk on the same machine:
- case status read (citizen, authenticated): >= 50% of hello's requests/s; p99 < 100 ms at 32 connections;
- case and complaint submission with audit + outbox: >= 10% of hello's requests/s; p99 < 250 ms;
- one web worker < 150 MB RSS under load.
Prints one JSON object. Needs Debian's wrk (installed when missing, as root).

    uv run python bench/load.py [--seconds 15] [--connections 32] [--citizens 12000]
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import BENCH_AUDIT_KEY, ROOT, machine, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_load")
PORT = int(os.environ.get("BENCH_PORT", "18765"))
# The data is prepared in this process and served by gunicorn: both must use the same field key.
BENCH_SECRET_KEY = "kotalive-bench-secret-" + "x" * 40  # noqa: S105 (a throwaway benchmark database)
BENCH_FIELD_KEY = "kotalive-bench-field-key"  # noqa: S105
os.environ["KOTALIVE_FIELD_KEY"] = BENCH_FIELD_KEY
SERVICE = "penduduk-nonpermanen"  # open to citizens outside the registry: every bench citizen may apply once

LUA_SUBMIT = r"""
local bodies, tokens, args_path = {}, {}, "/api/v1/cases"
local thread_id, counter, stride = 0, 0, 1
function setup(thread)
  thread:set("id", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end
function init(args)
  thread_id = id
  stride = tonumber(args[2])
  if args[3] then args_path = args[3] end
  for line in io.lines(args[1]) do
    local token, body = line:match("([^\t]+)\t(.+)")
    tokens[#tokens + 1] = token
    bodies[#bodies + 1] = body
  end
end
function request()
  local i = (counter * stride + thread_id) % #tokens + 1
  counter = counter + 1
  return wrk.format("POST", args_path, {["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/json"}, bodies[i])
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def citizens_with_tokens(citizens: int) -> tuple[list[Any], list[str]]:
    """`citizens` verified citizens (outside the registry), each with an API token; demo data first."""
    from django.core.management import call_command
    from django.utils import timezone

    from kotalive.accounts.models import ApiToken, CitizenProfile, User
    from kotalive.core import crypto

    call_command("migrate", verbosity=0)
    call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    now = timezone.now()
    password = User()
    password.set_password(secrets.token_urlsafe(16))
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench{i}",
                full_name=f"Warga Uji {i}",
                kind=User.CITIZEN,
                phone_verified_at=now,
                phone=f"+62899{i:08d}",
                password=password.password,
            )
            for i in range(citizens)
        ]
    )
    CitizenProfile.objects.bulk_create(
        [
            CitizenProfile(
                user=u,
                nik_index=crypto.blind_index(f"32010115019{i:05d}"),
                nik_encrypted=crypto.encrypt(f"32010115019{i:05d}"),
                birth_date=dt.date(1990, 1, 15),
            )
            for i, u in enumerate(users)
        ]
    )
    raw_tokens = [f"klv_bench_{secrets.token_urlsafe(24)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u,
                prefix=t[:12],
                token_hash=hashlib.sha256(t.encode()).hexdigest(),
                expires_at=now + dt.timedelta(days=1),
            )
            for u, t in zip(users, raw_tokens, strict=True)
        ]
    )
    return users, raw_tokens


def prepare(citizens: int, workdir: Path) -> tuple[str, str, Path, Path]:
    """Demo data, one case to read, and `citizens` verified citizens each with a token, two uploads for an
    application and a report to file."""
    from django.core.files.base import ContentFile
    from django.db import connection

    from kotalive.accounts.models import User
    from kotalive.accounts.services import api_token_issue
    from kotalive.cases.services import case_submit
    from kotalive.core.models import Upload

    users, raw_tokens = citizens_with_tokens(citizens)
    template = Upload(owner=users[0], kind="pdf", size=20, sha256="0" * 64)
    template.file.save("bench.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    uploads = Upload.objects.bulk_create(
        [Upload(owner=u, kind="pdf", size=20, sha256="0" * 64, file=template.file.name) for u in users for _ in (1, 2)]
    )
    lines = []
    for index, (user, token) in enumerate(zip(users, raw_tokens, strict=True)):
        ktp, stay = uploads[2 * index], uploads[2 * index + 1]
        body = {
            "service": SERVICE,
            "data": {
                "full_name": user.full_name,
                "stay_address": "Jl. Uji No. 1",
                "stay_until": "2027-06-30",
                "purpose": "bekerja",
            },
            "documents": {"ktp-el": str(ktp.pk), "bukti-tempat-tinggal": str(stay.pk)},
        }
        lines.append(f"{token}\t{json.dumps(body)}")
    bodies = workdir / "submit.tsv"
    bodies.write_text("\n".join(lines) + "\n")
    reader = User.objects.get(username="warga1")
    read_case = case_submit(
        actor=reader,
        service_code="kk-hilang",
        data={"full_name": "Budi Santoso", "kk_number": "3671051501209001", "lost_or_damaged": "hilang"},
        documents={
            "laporan-kehilangan": str(
                Upload.objects.create(owner=reader, kind="pdf", size=20, sha256="0" * 64, file=template.file.name).pk
            )
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from complaints_load import report_bodies  # noqa: PLC0415 (the two benchmarks share their bodies)

    return api_token_issue(user=reader).raw, read_case.tracking, bodies, report_bodies(raw_tokens, workdir)


def parse_wrk(output: str, seconds: float) -> dict[str, object]:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "requests": requests,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "latency_ms": {f"p{k}": round(ms(v), 2) for k, v in latency.items()},
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1))  # type: ignore[union-attr]
    return sizes


@contextlib.contextmanager
def gunicorn_serving() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """gunicorn (2 workers x 4 threads) on the benchmark database, served as production is: DEBUG off (no query
    log, no debug pages), real-looking secrets, the hello view on."""
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DEBUG": "0",
        "KOTALIVE_DEMO": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "KOTALIVE_FIELD_KEY": BENCH_FIELD_KEY,
        "KOTALIVE_AUDIT_SIGNING_KEY": BENCH_AUDIT_KEY,
        "KOTALIVE_BENCH_HELLO": "1",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}"]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--threads", "4", "--log-level", "warning"], cwd=ROOT, env=env
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)  # noqa: S310 (local URL)
                break
            except OSError:
                time.sleep(0.2)
        yield server, f"http://127.0.0.1:{PORT}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def measure(
    runs: dict[str, list[str]], server: subprocess.Popen[bytes], seconds: int
) -> tuple[dict[str, Any], list[float]]:
    """Each wrk run in turn; every result but hello gets its ratio to hello. Also the largest worker RSS seen."""
    results: dict[str, Any] = {}
    rss: list[float] = []
    for name, command in runs.items():
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results[name] = parse_wrk(output, seconds)
        rss = max(rss, worker_rss_mb(server.pid), key=lambda sizes: max(sizes, default=0))
    hello = results["hello"]["requests_per_second"]
    for name, result in results.items():
        if name != "hello":
            result["ratio_to_hello"] = round(result["requests_per_second"] / hello, 3)
    return results, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--citizens", type=int, default=12_000)
    args = parser.parse_args()
    wrk = ensure_wrk()
    setup_django(URL, fresh=True)
    workdir = Path(tempfile.mkdtemp(prefix="kotalive-bench-"))
    token, tracking, bodies, reports = prepare(args.citizens, workdir)
    lua = workdir / "submit.lua"
    lua.write_text(LUA_SUBMIT)
    with gunicorn_serving() as (server, base):
        common = [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
        runs = {
            "hello": common + [f"{base}/bench/hello"],
            "case_status_read": common + ["-H", f"Authorization: Bearer {token}", f"{base}/api/v1/cases/{tracking}"],
            "case_submission": common + ["-s", str(lua), f"{base}/", "--", str(bodies), "2"],
            "complaint_submission": common
            + ["-s", str(lua), f"{base}/", "--", str(reports), "2", "/api/v1/complaints"],
        }
        results, rss = measure(runs, server, args.seconds)
    print(
        json.dumps(
            {
                "benchmark": "load",
                "machine": machine(),
                "database": "postgresql",
                "server": "gunicorn --workers 2 --threads 4 (gthread)",
                "seconds": args.seconds,
                "connections": args.connections,
                "results": results,
                "worker_rss_mb_max": rss,
                "budgets": {
                    "case_status_read": ">= 0.50 of hello, p99 < 100 ms",
                    "case_submission": ">= 0.10 of hello, p99 < 250 ms",
                    "complaint_submission": ">= 0.10 of hello, p99 < 250 ms",
                    "worker_rss_mb": "< 150",
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
