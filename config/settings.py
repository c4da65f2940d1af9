"""The one settings file. Everything that differs between a laptop and production comes from the environment.

See the configuration table in README.md. Integrations are off unless their `..._ENABLED` is set.
"""

import ipaddress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_region_pack,
    env_secret,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Demo mode loads demo accounts with a shared password and may use the built-in demo secrets.
DEMO = env_bool("KOTALIVE_DEMO", False)

_DEMO_SECRET_KEY = "kotalive-demo-secret-key-not-for-production-0123456789abcdef"  # noqa: S105 (demo only, refused below)
_DEMO_FIELD_KEY = "kotalive-demo-field-key-not-for-production"  # noqa: S105 (demo only, refused below)
SECRET_KEY = env_secret("SECRET_KEY") or ""
# Key for NIK encryption at rest and the keyed blind index used to look NIKs up (see docs/adr/0003).
FIELD_ENCRYPTION_KEY = env_secret("KOTALIVE_FIELD_KEY") or ""
if not DEBUG:
    if DEMO:
        raise ImproperlyConfigured("KOTALIVE_DEMO=1 is refused when DEBUG is off: demo accounts are not for production")
    if not SECRET_KEY or SECRET_KEY == _DEMO_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set to a real secret when DEBUG is off")
    if not FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY == _DEMO_FIELD_KEY:
        raise ImproperlyConfigured("KOTALIVE_FIELD_KEY (or KOTALIVE_FIELD_KEY_FILE) must be set when DEBUG is off")
    if not env_secret("KOTALIVE_AUDIT_SIGNING_KEY") and not env_secret("KOTALIVE_AUDIT_PUBLIC_KEY"):
        raise ImproperlyConfigured(
            "KOTALIVE_AUDIT_PUBLIC_KEY (web processes) or KOTALIVE_AUDIT_SIGNING_KEY (the worker), or their _FILE "
            "variants, must be set when DEBUG is off: the Ed25519 keys of the audit log's checkpoints (docs/audit.md)"
        )
SECRET_KEY = SECRET_KEY or _DEMO_SECRET_KEY
# The Ed25519 private key (PEM, PKCS#8) that signs audit checkpoints: the worker's alone (it seals the log). Kept
# out of the database and out of the web processes on purpose: whoever can write the database, or takes over a web
# process, must not be able to re-sign a rewritten log (docs/audit.md). Web processes get the public key (PEM).
# Both empty with DEBUG on: the demo key.
AUDIT_SIGNING_KEY = env_secret("KOTALIVE_AUDIT_SIGNING_KEY") or ""
AUDIT_PUBLIC_KEY = env_secret("KOTALIVE_AUDIT_PUBLIC_KEY") or ""
AUDIT_DEMO_KEY_ALLOWED = DEBUG and not AUDIT_SIGNING_KEY and not AUDIT_PUBLIC_KEY  # decided at start
# The name of this log in its checkpoints (docs/audit.md), so a checkpoint of one deployment is never taken for
# another's.
AUDIT_LOG_ORIGIN = env_str("KOTALIVE_AUDIT_ORIGIN", "kotalive.tangerangkota.go.id/audit")
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or _DEMO_FIELD_KEY
DEMO_PASSWORD = env_str("KOTALIVE_DEMO_PASSWORD", "kotalive-demo")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' assets locally instead of from a CDN
    "kotalive.core",
    "kotalive.regions",
    "kotalive.accounts",
    "kotalive.agencies",
    "kotalive.registry",
    "kotalive.notifications",
    "kotalive.events",
    "kotalive.workflow",
    "kotalive.documents",
    "kotalive.catalogue",
    "kotalive.cases",
    "kotalive.complaints",
    "kotalive.coordination",
    "kotalive.dashboard",
    "kotalive.demo",
    "kotalive.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kotalive.core.middleware.ApiErrorsAsJson",  # every API error in the JSON error shape (404, 405, 413, 500)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kotalive.web.middleware.PagesNotFoundAsPages",  # the site's 404 page for a page's "not found", DEBUG or not
    "kotalive.agencies.idempotency.IdempotencyMiddleware",  # API writes with an Idempotency-Key header
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kotalive.web.context.platform",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", "sqlite:///var/kotalive.db"), base_dir=BASE_DIR),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL's inbox counts; SQLite, the embedded default, simply ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kotalive.accounts.backends.LoginBackend"]
LOGIN_URL = "web:signin"
LOGIN_REDIRECT_URL = "web:profile"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language, day-month-year (config/formats/<lang>/formats.py): {{ date }} reads 06-12-2026.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Jakarta"  # shown to people; stored in UTC (USE_TZ)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
MEDIA_ROOT = Path(env_str("KOTALIVE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))  # outside the web root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security baseline (OWASP ASVS L2): see docs/architecture.md#security.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

# Rate limits (docs/security.md#rate-limits), each `count/seconds`, counted in the database and shared by every
# process. Sign-in failures count per account, whichever of its logins was typed, and separately (far higher) per
# address; password-reset requests have buckets of their own and never lock sign-in.
KOTALIVE_RATE_SIGN_IN_FAILURES = env_rate("KOTALIVE_RATE_SIGN_IN_FAILURES", (5, 15 * 60))
KOTALIVE_RATE_SIGN_IN_ADDRESS_FAILURES = env_rate("KOTALIVE_RATE_SIGN_IN_ADDRESS_FAILURES", (100, 15 * 60))
KOTALIVE_RATE_RESET_REQUESTS = env_rate("KOTALIVE_RATE_RESET_REQUESTS", (3, 15 * 60))
KOTALIVE_RATE_RESET_ADDRESS_REQUESTS = env_rate("KOTALIVE_RATE_RESET_ADDRESS_REQUESTS", (30, 15 * 60))
KOTALIVE_RATE_REGISTER_FAILURES = env_rate("KOTALIVE_RATE_REGISTER_FAILURES", (5, 15 * 60))
KOTALIVE_RATE_REGISTER_ADDRESS_FAILURES = env_rate("KOTALIVE_RATE_REGISTER_ADDRESS_FAILURES", (50, 15 * 60))
KOTALIVE_RATE_CODE_RESENDS = env_rate("KOTALIVE_RATE_CODE_RESENDS", (5, 15 * 60))
# Per citizen: files uploaded, reports filed, messages posted, applications submitted.
KOTALIVE_RATE_UPLOADS = env_rate("KOTALIVE_RATE_UPLOADS", (20, 5 * 60))
KOTALIVE_RATE_COMPLAINTS = env_rate("KOTALIVE_RATE_COMPLAINTS", (10, 60 * 60))
KOTALIVE_RATE_MESSAGES = env_rate("KOTALIVE_RATE_MESSAGES", (30, 10 * 60))
KOTALIVE_RATE_APPLICATIONS = env_rate("KOTALIVE_RATE_APPLICATIONS", (20, 60 * 60))
# Where requests come through a reverse proxy: its addresses (or networks). Only through them is X-Forwarded-For
# believed; without this setting the client address is the connection's (REMOTE_ADDR).
KOTALIVE_TRUSTED_PROXIES = env_list("KOTALIVE_TRUSTED_PROXIES", [])
for _proxy in KOTALIVE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"KOTALIVE_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None
OTP_TTL_SECONDS = env_int("KOTALIVE_OTP_TTL_SECONDS", 10 * 60)
OTP_MAX_ATTEMPTS = env_int("KOTALIVE_OTP_MAX_ATTEMPTS", 5)
API_TOKEN_TTL_SECONDS = env_int("KOTALIVE_API_TOKEN_TTL_SECONDS", 60 * 60 * 24)
# How long a process may trust a token it verified without asking the database again (docs/adr/0007); 0 = never.
KOTALIVE_TOKEN_CACHE_SECONDS = env_int("KOTALIVE_TOKEN_CACHE_SECONDS", 15)
# Staff with operator or administrator roles must use TOTP outside demo mode.
STAFF_TOTP_REQUIRED = env_bool("KOTALIVE_STAFF_TOTP_REQUIRED", not DEMO)

# Where one-time codes go. "log" prints them and keeps them on the DEBUG-only outbox page; production sets a
# gateway (see docs/how-to/notification-channels.md).
NOTIFICATION_CHANNEL = env_str("KOTALIVE_NOTIFICATION_CHANNEL", "log")
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        # SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): where, and how long to wait.
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_secret("EMAIL_HOST_PASSWORD") or "",
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 10),
        }
        if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KotaLIVE <noreply@localhost>")

# The deployment: which region this city platform serves, as a region data pack (a directory with pack.json and the
# region's data files; docs/how-to/deploy-another-region.md). Kota Tangerang's, shipped in packs/, unless set. The
# region code and the platform's name come from the pack; KOTALIVE_PLATFORM_NAME overrides the name.
_REGION_PACK = env_region_pack("KOTALIVE_REGION_PACK", BASE_DIR / "packs" / "kota-tangerang", base_dir=BASE_DIR)
KOTALIVE_REGION_PACK: Path = _REGION_PACK[0]
_REGION_PACK_MANIFEST = _REGION_PACK[1]
KOTALIVE_REGION_CODE = str(_REGION_PACK_MANIFEST["region"])
if env_str("KOTALIVE_REGION_CODE", KOTALIVE_REGION_CODE) != KOTALIVE_REGION_CODE:
    raise ImproperlyConfigured(
        f"KOTALIVE_REGION_CODE={env_str('KOTALIVE_REGION_CODE', '')!r} is not the region of the pack "
        f"{KOTALIVE_REGION_PACK} ({KOTALIVE_REGION_CODE}): the region comes from KOTALIVE_REGION_PACK, unset the other"
    )
KOTALIVE_PLATFORM_NAME = env_str(
    "KOTALIVE_PLATFORM_NAME", str(_REGION_PACK_MANIFEST.get("platform_name") or "KotaLIVE")
)
# CloudEvents `source` prefix of every event this deployment emits (a URI naming the deployment).
KOTALIVE_EVENT_SOURCE = env_str("KOTALIVE_EVENT_SOURCE", "https://kotalive.tangerangkota.go.id")
# Registry look-ups one person (or agency system) may make per minute (docs/how-to/registry-mediation.md).
KOTALIVE_REGISTRY_LOOKUPS_PER_MINUTE = env_int("KOTALIVE_REGISTRY_LOOKUPS_PER_MINUTE", 30)
# Webhooks (docs/how-to/webhooks.md). Hosts or networks a webhook may reach although they are internal (SSRF guard);
# demo mode allows loopback so a local receiver can be subscribed.
KOTALIVE_WEBHOOK_ALLOWED_HOSTS = env_list(
    "KOTALIVE_WEBHOOK_ALLOWED_HOSTS", ["127.0.0.0/8", "::1/128", "localhost"] if DEMO else []
)
KOTALIVE_WEBHOOK_TIMEOUT_SECONDS = env_int("KOTALIVE_WEBHOOK_TIMEOUT_SECONDS", 10)
# Requests a worker process sends at once (threads; each destination keeps its connections alive).
KOTALIVE_WEBHOOK_SENDERS = env_int("KOTALIVE_WEBHOOK_SENDERS", 16)
# How often an idle worker looks for new events (seconds); the commit-to-delivery lag is at least this.
KOTALIVE_WORKER_POLL_SECONDS = float(env_str("KOTALIVE_WORKER_POLL_SECONDS", "0.1"))
# Retries with exponential backoff and jitter: first retry after about RETRY_BASE seconds, then doubling up to
# RETRY_MAX, for RETRY_HOURS in all; then the delivery goes to the dead letters.
KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS = env_int("KOTALIVE_WEBHOOK_RETRY_BASE_SECONDS", 5)
KOTALIVE_WEBHOOK_RETRY_MAX_SECONDS = env_int("KOTALIVE_WEBHOOK_RETRY_MAX_SECONDS", 60 * 60)
KOTALIVE_WEBHOOK_RETRY_HOURS = env_int("KOTALIVE_WEBHOOK_RETRY_HOURS", 24)
# A subscription failing without a single success for this long is disabled and the operator alerted.
KOTALIVE_WEBHOOK_DISABLE_AFTER_HOURS = env_int("KOTALIVE_WEBHOOK_DISABLE_AFTER_HOURS", 72)
# After a secret rotation the old secret keeps signing (beside the new one) for this long.
KOTALIVE_WEBHOOK_SECRET_OVERLAP_HOURS = env_int("KOTALIVE_WEBHOOK_SECRET_OVERLAP_HOURS", 24)
# In-process event consumers (in-app notices, the SP4N-LAPOR! outbox; docs/events.md). A consumer that fails on an
# event tries it again after about RETRY_BASE seconds, doubling each time; after MAX_ATTEMPTS attempts the event is
# a dead letter of that consumer alone (integration console) and the consumer goes on with the next one.
KOTALIVE_CONSUMER_RETRY_BASE_SECONDS = env_int("KOTALIVE_CONSUMER_RETRY_BASE_SECONDS", 5)
KOTALIVE_CONSUMER_MAX_ATTEMPTS = env_int("KOTALIVE_CONSUMER_MAX_ATTEMPTS", 8)
# bench/load.py serves a bare "hello" view at /bench/hello to compare the real endpoints against.
KOTALIVE_BENCH_HELLO = env_bool("KOTALIVE_BENCH_HELLO", False)
# Largest upload accepted (bytes); a service's requirement may set a smaller limit.
KOTALIVE_UPLOAD_MAX_BYTES = env_int("KOTALIVE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Largest image accepted, in pixels (width x height as the file's headers declare them, read before anything decodes
# it; kotalive.core.uploads): a 2 MB PNG can declare 50,000 x 50,000 pixels, 10 GB for the officer's browser that
# shows it. 50 MP lets through phone photos (12 MP, 48-50 MP in full-resolution modes) and A4 scans at 600 dpi
# (35 MP); a JPEG beyond it rarely fits in KOTALIVE_UPLOAD_MAX_BYTES anyway. Showing 50 MP costs a viewer 200 MB.
KOTALIVE_UPLOAD_MAX_PIXELS = env_int("KOTALIVE_UPLOAD_MAX_PIXELS", 50_000_000)
if KOTALIVE_UPLOAD_MAX_PIXELS < 1:
    raise ImproperlyConfigured("KOTALIVE_UPLOAD_MAX_PIXELS must be at least 1")
# Complaints (LAKSA). The public map draws tiles from this URL template ({z}/{x}/{y}) when set; without it the map
# is the city's outline with the reports' points, which works offline. Its host is added to the CSP's img-src.
KOTALIVE_MAP_TILE_URL = env_str("KOTALIVE_MAP_TILE_URL", "")
if KOTALIVE_MAP_TILE_URL:
    _tiles = KOTALIVE_MAP_TILE_URL.split("/")
    SECURE_CSP["img-src"].append("/".join(_tiles[:3]))  # scheme://host of the tile server
# The Open311 key of the demo partner (created by `kotalive seed --demo`).
KOTALIVE_DEMO_OPEN311_KEY = env_str("KOTALIVE_DEMO_OPEN311_KEY", "demo-open311-key")
# Output documents (docs/documents.md). The public address printed in each document's QR code and verification
# link; the signing service of the certificate authority when set (otherwise the platform's own CA signs, for demos).
KOTALIVE_PUBLIC_URL = env_str("KOTALIVE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
KOTALIVE_SIGNING_URL = env_str("KOTALIVE_SIGNING_URL", "")
KOTALIVE_SIGNING_TOKEN = env_secret("KOTALIVE_SIGNING_TOKEN") or ""
KOTALIVE_SIGNING_TIMEOUT = env_int("KOTALIVE_SIGNING_TIMEOUT_SECONDS", 30)
# The offline verifier answers "cannot decide" when its key list or revocation list is older than this.
KOTALIVE_VERIFIER_MAX_AGE_HOURS = env_int("KOTALIVE_VERIFIER_MAX_AGE_HOURS", 24)
# Largest PDF anyone may upload to check it against the issued one.
KOTALIVE_VERIFY_UPLOAD_MAX_BYTES = env_int("KOTALIVE_VERIFY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Notifications (docs/how-to/notification-channels.md): SMS and WhatsApp gateways (a generic HTTP contract), the
# shared secret that signs requests to them and their delivery receipts, how long to wait for a receipt before the
# delivery counts as undetermined and the next channel is tried, and how often a temporary failure is tried again.
KOTALIVE_SMS_GATEWAY_URL = env_str("KOTALIVE_SMS_GATEWAY_URL", "")
KOTALIVE_WHATSAPP_GATEWAY_URL = env_str("KOTALIVE_WHATSAPP_GATEWAY_URL", "")
KOTALIVE_GATEWAY_TOKEN = env_secret("KOTALIVE_GATEWAY_TOKEN") or ""
KOTALIVE_GATEWAY_SECRET = env_secret("KOTALIVE_GATEWAY_SECRET") or ("demo-gateway-secret" if DEMO else "")
# The external channels tried, in order, for a person who never chose (their contacts permitting); empty: app only.
KOTALIVE_NOTIFY_DEFAULT_CHANNELS = env_list("KOTALIVE_NOTIFY_DEFAULT_CHANNELS", ["sms", "email"])
KOTALIVE_RECEIPT_TIMEOUT_SECONDS = env_int("KOTALIVE_RECEIPT_TIMEOUT_SECONDS", 15 * 60)
KOTALIVE_NOTIFY_TRIES = env_int("KOTALIVE_NOTIFY_TRIES", 3)
KOTALIVE_NOTIFY_TIMEOUT_SECONDS = env_int("KOTALIVE_NOTIFY_TIMEOUT_SECONDS", 10)
# The SP4N-LAPOR! bridge: off unless its URL and token are set (docs/how-to/lapor.md).
KOTALIVE_LAPOR_URL = env_str("KOTALIVE_LAPOR_URL", "")
KOTALIVE_LAPOR_TOKEN = env_secret("KOTALIVE_LAPOR_TOKEN") or ""
KOTALIVE_LAPOR_TIMEOUT_SECONDS = env_int("KOTALIVE_LAPOR_TIMEOUT_SECONDS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_nik": {"()": "kotalive.core.logging.MaskNikFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_nik"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and its font tools log every rendering step at INFO: only their warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
