import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[3]


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-c", "import django; django.setup()"], **env)


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "KOTALIVE_DEMO",
            "SECRET_KEY",
            "KOTALIVE_FIELD_KEY",
            "KOTALIVE_AUDIT_SIGNING_KEY",
            "KOTALIVE_AUDIT_PUBLIC_KEY",
        }
    }
    return subprocess.run(
        command,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_demo_mode_refuses_to_start_when_debug_is_off() -> None:
    done = _start(DEBUG="0", KOTALIVE_DEMO="1", SECRET_KEY="x" * 50, KOTALIVE_FIELD_KEY="y" * 40)

    assert done.returncode != 0
    assert "KOTALIVE_DEMO=1 is refused when DEBUG is off" in done.stderr


def test_production_refuses_to_start_with_the_demo_secrets() -> None:
    done = _start(DEBUG="0")

    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def _audit_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_production_starts_with_real_secrets() -> None:
    done = _start(
        DEBUG="0", SECRET_KEY="s" * 50, KOTALIVE_FIELD_KEY="f" * 40, KOTALIVE_AUDIT_SIGNING_KEY=_audit_key_pem()
    )

    assert done.returncode == 0, done.stderr


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_a_web_process_needs_only_the_public_key_and_the_worker_refuses_without_the_private_one(
    tmp_path: Path,
) -> None:
    database = tmp_path / "empty.db"
    database.touch()  # the worker's system checks connect; the key check is what is refused here
    real = {
        "DEBUG": "0",
        "SECRET_KEY": "s" * 50,
        "KOTALIVE_FIELD_KEY": "f" * 40,
        "DATABASE_URL": f"sqlite:///{database}",
    }
    public = _public_pem(_audit_key_pem())

    web = _start(**real, KOTALIVE_AUDIT_PUBLIC_KEY=public)
    worker = _run([sys.executable, "-m", "config.manage", "worker", "--once"], **real, KOTALIVE_AUDIT_PUBLIC_KEY=public)

    assert web.returncode == 0, web.stderr
    assert worker.returncode != 0
    assert "KOTALIVE_AUDIT_SIGNING_KEY is not set" in worker.stderr


def test_keys_that_are_not_a_pair_are_refused() -> None:
    done = _start(
        DEBUG="0",
        SECRET_KEY="s" * 50,
        KOTALIVE_FIELD_KEY="f" * 40,
        KOTALIVE_AUDIT_SIGNING_KEY=_audit_key_pem(),
        KOTALIVE_AUDIT_PUBLIC_KEY=_public_pem(_audit_key_pem()),
    )

    assert done.returncode != 0
    assert "is not the public key of" in done.stderr


def test_production_refuses_to_start_without_the_audit_signing_key() -> None:
    done = _start(DEBUG="0", SECRET_KEY="s" * 50, KOTALIVE_FIELD_KEY="f" * 40)

    assert done.returncode != 0
    assert "KOTALIVE_AUDIT_SIGNING_KEY" in done.stderr


def test_an_audit_signing_key_that_is_not_ed25519_is_a_clear_error() -> None:
    done = _start(DEBUG="0", SECRET_KEY="s" * 50, KOTALIVE_FIELD_KEY="f" * 40, KOTALIVE_AUDIT_SIGNING_KEY="nonsense")

    assert done.returncode != 0
    assert "KOTALIVE_AUDIT_SIGNING_KEY" in done.stderr


def test_a_bad_boolean_is_a_clear_error() -> None:
    done = _start(DEBUG="maybe")

    assert "DEBUG='maybe' is not a boolean" in done.stderr
