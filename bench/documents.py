"""Benchmark: output documents. How many documents one worker process renders, seals and signs per second (the
three stages timed apart), and how many verification requests per second the web serves next to a bare hello view
(gunicorn, PostgreSQL, wrk on the same machine).

    uv run python bench/documents.py [--documents 60] [--seconds 10] [--connections 32]

Prints one JSON object (docs/performance.md).
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_documents")

from common import BENCH_AUDIT_KEY, ROOT, machine, percentiles, setup_django  # noqa: E402
from load import (  # noqa: E402  (the same server and yardstick as bench/load.py)
    BENCH_FIELD_KEY,
    BENCH_SECRET_KEY,
    ensure_wrk,
    gunicorn_serving,
    measure,
)

URL = os.environ["BENCH_DATABASE_URL"]


def prepare(count: int) -> list[Any]:
    from django.core.management import call_command

    from kotalive.accounts.models import User
    from kotalive.agencies.models import Agency
    from kotalive.documents.services import document_issue

    call_command("migrate", verbosity=0)
    # The page is served with DEBUG off, from collected static files and their manifest.
    environment = {
        **os.environ,
        "DEBUG": "0",
        "KOTALIVE_DEMO": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "KOTALIVE_FIELD_KEY": BENCH_FIELD_KEY,
        "KOTALIVE_AUDIT_SIGNING_KEY": BENCH_AUDIT_KEY,
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    holder = User.objects.get(username="warga1")
    agency = Agency.objects.get(code="DISDUKCAPIL")
    rows = [("Nama anak", "Bayu Santoso"), ("Jenis kelamin", "Laki-laki"), ("Tanggal lahir anak", "20 November 2026")]
    values = {
        "child_name": "Bayu Santoso",
        "child_sex": "Laki-laki",
        "child_birth_date": "20 November 2026",
        "child_birth_place": "Tangerang",
        "birth_order": "1",
        "father_name": "Budi Santoso",
        "mother_name": "Siti Rahmawati",
    }
    return [
        document_issue(
            kind="akta-kelahiran",
            title="Akta kelahiran",
            agency=agency,
            holder=holder,
            subject_ref=f"BENCH-{i}",
            subject_name="Bayu Santoso",
            rows=rows,
            values=values,
            number=f"BENCH/{i:06d}",
        )
        for i in range(count)
    ]


def sign_stages(documents: list[Any]) -> dict[str, Any]:
    """Sign each document as the worker does, timing rendering, sealing + QR, and the PAdES signature apart."""
    from kotalive.documents import render, services, signing
    from kotalive.documents.render import render_pdf, stamp_qr
    from kotalive.documents.signing import signing_service

    stages: dict[str, list[float]] = {"render": [], "stamp": [], "sign": []}
    original = (render.render_pdf, render.stamp_qr, signing.signing_service)

    def timed(name: str, function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[name].append((time.perf_counter() - started) * 1000)

        return run

    class TimedSigner:
        def sign(self, *args: Any, **kwargs: Any) -> Any:
            return timed("sign", signing_service().sign)(*args, **kwargs)

    # document_sign imports these when it runs: replacing them in their modules times each stage.
    render.render_pdf, render.stamp_qr = timed("render", render_pdf), timed("stamp", stamp_qr)
    signing.signing_service = TimedSigner  # type: ignore[assignment]
    try:
        services.document_sign(documents[0])  # the first one creates the keys and warms the fonts: not counted
        for values in stages.values():
            values.clear()
        started = time.perf_counter()
        for document in documents[1:]:
            services.document_sign(document)
        elapsed = time.perf_counter() - started
    finally:
        render.render_pdf, render.stamp_qr, signing.signing_service = original
    signed = len(documents) - 1
    return {
        "documents": signed,
        "documents_per_second": round(signed / elapsed, 1),
        "ms_per_document": round(elapsed * 1000 / signed, 1),
        "stages_ms_p50": {name: round(statistics.median(values), 1) for name, values in stages.items()},
        "stages_ms": {name: percentiles(values) for name, values in stages.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    wrk = ensure_wrk()
    setup_django(URL, fresh=True)
    documents = prepare(args.documents + 1)
    signing = sign_stages(documents)
    document_id = str(documents[1].pk)
    with gunicorn_serving() as (server, base):
        common = [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
        runs = {
            "hello": common + [f"{base}/bench/hello"],
            "verification_api": common + [f"{base}/api/v1/documents/{document_id}/verification"],
            "verification_page": common + [f"{base}/v/{document_id}"],
            "key_list": common + [f"{base}/.well-known/kotalive-keys.json"],
        }
        results, rss = measure(runs, server, args.seconds)
    print(
        json.dumps(
            {
                "benchmark": "documents",
                "machine": machine(),
                "database": "postgresql",
                "signing_one_process": signing,
                "server": "gunicorn --workers 2 --threads 4 (gthread)",
                "seconds": args.seconds,
                "connections": args.connections,
                "verification": results,
                "worker_rss_mb_max": rss,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
