from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class CoreConfig(AppConfig):
    name = "kotalive.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from kotalive.core import audit, jobs, ratelimit  # noqa: PLC0415 (apps are loaded now)

        # Within seconds of the commit, on every pass of the worker (docs/audit.md).
        jobs.continuous("audit.seal")(audit.audit_seal)
        # Rate-limit windows no estimate reads any more.
        jobs.periodic("core.rate-counters-prune")(ratelimit.rate_counters_prune)

        try:  # a bad key fails at start, not at the worker's first seal
            audit.keys_check()
        except (ValueError, audit.NoSigningKey) as exc:
            raise ImproperlyConfigured(
                f"the audit keys (KOTALIVE_AUDIT_SIGNING_KEY, KOTALIVE_AUDIT_PUBLIC_KEY) are not usable: {exc}"
            ) from None
