from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotalive.core import crypto
from kotalive.core.masking import mask_nik


class UserManager(BaseUserManager["User"]):
    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> "User":
        # Only for `kotalive createsuperuser` on a fresh install; everything else goes through services.
        user = self.model(username=username, kind=User.STAFF, is_staff=True, is_superuser=True, **extra)
        user.set_password(password)
        user.save()
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a citizen (warga) or a member of staff.

    Citizens sign in with NIK, e-mail or phone; staff with the username the administrator gave them. Demo
    citizens also have a username (warga1) so that demos and checks can name them.
    """

    CITIZEN, STAFF = "citizen", "staff"
    KINDS = [(CITIZEN, _("citizen")), (STAFF, _("staff"))]

    username = models.CharField(max_length=150, unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(max_length=10, choices=KINDS, default=CITIZEN)
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=16, unique=True, null=True, blank=True)  # E.164, +62...
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # may open Django's admin (platform administrators only)
    date_joined = models.DateTimeField(default=timezone.now)
    totp_secret_encrypted = models.TextField(blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second step of the last TOTP code accepted: a code is good once (accounts.services).
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.username or self.full_name

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.CITIZEN

    @property
    def has_verified_contact(self) -> bool:
        return bool(self.email_verified_at or self.phone_verified_at)


class CitizenProfile(models.Model):
    """The citizen's identity: NIK (encrypted, found by its blind index) and whether the registry confirmed it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen")
    nik_index = models.CharField(max_length=32, unique=True, editable=False)
    nik_encrypted = models.TextField(editable=False)
    birth_date = models.DateField()
    person = models.OneToOneField(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )
    registry_verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.masked_nik

    @property
    def nik(self) -> str:
        return crypto.decrypt(self.nik_encrypted)

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def registry_verified(self) -> bool:
        return self.registry_verified_at is not None


class OneTimeCode(models.Model):
    """A 6-digit code sent to a phone or an e-mail address. Stored only as a keyed hash."""

    VERIFY_EMAIL, VERIFY_PHONE, RESET_PASSWORD = "verify_email", "verify_phone", "reset_password"
    PURPOSES = [
        (VERIFY_EMAIL, "verify e-mail"),
        (VERIFY_PHONE, "verify phone"),
        (RESET_PASSWORD, "reset password"),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=20, choices=PURPOSES)
    destination = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} for user {self.user_id}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. The secret is shown once; only its SHA-256 is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12)  # visible part, to tell tokens apart in lists
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
