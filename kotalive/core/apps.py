from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CoreConfig(AppConfig):
    name = "kotalive.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from kotalive.core import audit, jobs  # noqa: PLC0415 (apps are loaded now)

        # Within seconds of the commit, on every pass of the worker (docs/audit.md).
        jobs.continuous("audit.seal")(audit.audit_seal)

        try:  # a bad key fails at start, not at the worker's first seal
            audit.signing_key()
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"KOTALIVE_AUDIT_SIGNING_KEY is not a usable Ed25519 private key in PEM (PKCS#8): {exc}"
            ) from None
