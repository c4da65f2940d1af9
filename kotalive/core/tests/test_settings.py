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


def _console(env_file: Path | str, *code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`kotalive shell -c CODE` as a person types it: the console entry point, which reads the .env file."""
    return _run(
        [sys.executable, "-m", "config.manage", "shell", "--no-imports", "-c", "; ".join(code)],
        KOTALIVE_ENV_FILE=str(env_file),
        **env,
    )


def test_the_console_reads_the_env_file_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        '# written by make run\nDEBUG=1\nexport KOTALIVE_DEMO=1\nKOTALIVE_PLATFORM_NAME="From the file"\n'
    )
    show = ("from django.conf import settings", "print(settings.DEBUG, settings.DEMO, settings.KOTALIVE_PLATFORM_NAME)")

    from_file = _console(env_file, *show)
    from_environment = _console(env_file, *show, KOTALIVE_PLATFORM_NAME="From the environment")

    assert from_file.stdout.strip() == "True True From the file", from_file.stderr
    assert from_environment.stdout.strip() == "True True From the environment", from_environment.stderr


def test_the_env_file_is_read_unless_kotalive_env_file_says_none(tmp_path: Path) -> None:
    """The console reads the project's .env by default (here a stand-in for it); KOTALIVE_ENV_FILE empty, as the
    test suite sets it (config/testenv.py), reads nothing, and a missing file is no error."""
    default = tmp_path / ".env"
    default.write_text("DEBUG=1\nKOTALIVE_PLATFORM_NAME=From the default file\n")
    console = (
        "import sys; from config import manage; "
        f"manage.DEFAULT_ENV_FILE = manage.Path({str(default)!r}); "
        "sys.argv = ['kotalive', 'shell', '--no-imports', '-c', "
        "'from django.conf import settings; print(settings.KOTALIVE_PLATFORM_NAME)']; manage.main()"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"KOTALIVE_ENV_FILE", "KOTALIVE_PLATFORM_NAME"}}

    def run(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", console],
            env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    by_default, none, missing = run(), run(KOTALIVE_ENV_FILE=""), run(KOTALIVE_ENV_FILE=str(tmp_path / "missing"))

    assert by_default.stdout.strip() == "From the default file", by_default.stderr
    assert none.stdout.strip() == "KotaLIVE", none.stderr
    assert missing.stdout.strip() == "KotaLIVE", missing.stderr


def test_a_malformed_env_file_names_its_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nthis is not a setting\n")

    done = _console(env_file, "print('started')")

    assert done.returncode != 0
    assert f"{env_file}, line 2: expected NAME=value" in done.stderr


def test_the_region_pack_must_have_a_manifest(tmp_path: Path) -> None:
    done = _start(DEBUG="1", KOTALIVE_REGION_PACK=str(tmp_path))

    assert done.returncode != 0
    assert "KOTALIVE_REGION_PACK" in done.stderr
    assert "pack.json cannot be read" in done.stderr


def test_a_region_code_that_is_not_the_packs_is_refused() -> None:
    done = _start(DEBUG="1", KOTALIVE_REGION_CODE="32.71")

    assert done.returncode != 0
    assert "KOTALIVE_REGION_CODE='32.71' is not the region of the pack" in done.stderr
