"""The population registry, owned by DISDUKCAPIL. Other agencies never query these tables directly: they go
through the mediated look-ups in selectors (purpose, legal basis, access log)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from kotalive.core import crypto
from kotalive.registry.identity import FEMALE, MALE


class Family(models.Model):
    """A family card (Kartu Keluarga)."""

    kk_number = models.CharField(max_length=16, unique=True)
    address = models.CharField(max_length=200)
    rt = models.CharField(max_length=3)
    rw = models.CharField(max_length=3)
    kelurahan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return f"KK {self.kk_number[:4]}********{self.kk_number[-4:]}"


class Person(models.Model):
    SEXES = [(MALE, _("male")), (FEMALE, _("female"))]

    nik_index = models.CharField(max_length=32, unique=True, editable=False)  # keyed blind index (core.crypto)
    nik_encrypted = models.TextField(editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(max_length=150)
    birth_place = models.CharField(max_length=80)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=SEXES)
    religion = models.CharField(max_length=20)
    marital_status = models.CharField(max_length=20)
    relationship = models.CharField(max_length=30)  # hubungan dalam keluarga, as printed on the KK
    education = models.CharField(max_length=40)
    occupation = models.CharField(max_length=60)
    citizenship = models.CharField(max_length=3, default="WNI")
    father_name = models.CharField(max_length=150, blank=True)
    mother_name = models.CharField(max_length=150, blank=True)
    # Set when a death certificate is issued (registry.services.registry_death_record); the person stays on record.
    died_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["family", "birth_date"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def nik(self) -> str:
        return crypto.decrypt(self.nik_encrypted)

    def set_nik(self, nik: str) -> None:
        self.nik_index = crypto.blind_index(nik)
        self.nik_encrypted = crypto.encrypt(nik)

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


# The registry data a form may be pre-filled with (`x-prefill`) for the subject of an application; the values are
# read by registry.selectors.registry_values.
REGISTRY_FIELDS = (
    "full_name",
    "nik",
    "birth_place",
    "birth_date",
    "sex",
    "religion",
    "marital_status",
    "occupation",
    "education",
    "kk_number",
    "address",
    "kelurahan",
    "father_name",
    "mother_name",
    "head_name",
    "spouse_name",
)
# What another agency may receive through a mediated look-up: the person's own data, never the NIK it asked with
# nor other family members' names.
LOOKUP_FIELDS = [name for name in REGISTRY_FIELDS if name not in {"nik", "head_name", "spouse_name"}]


class DataSharingAgreement(models.Model):
    """DISDUKCAPIL's permission for another agency to look residents up for one purpose: which fields, on which
    legal basis, until when. A look-up without a live agreement is refused (the information-mediator role)."""

    provider = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="agreements_given")
    consumer = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="agreements_held")
    purpose = models.SlugField(max_length=60)  # the purpose code agency systems send
    purpose_name = models.CharField(max_length=200)
    purpose_name_en = models.CharField(max_length=200, blank=True)
    fields = models.JSONField(default=list)  # a subset of LOOKUP_FIELDS
    legal_basis = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consumer__code", "purpose"]
        constraints = [models.UniqueConstraint(fields=["consumer", "purpose"], name="agreement_purpose_unique")]

    def __str__(self) -> str:
        return f"{self.consumer.code}: {self.purpose}"

    def live_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class RegistryAccess(models.Model):
    """One use of a resident's registry data by someone other than the resident: an agency's look-up or a
    pre-filled form. The resident sees every row about them ("who used my data")."""

    LOOKUP, PREFILL = "lookup", "prefill"

    at = models.DateTimeField(auto_now_add=True)
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="accesses")
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)  # kept when the account is gone
    agency = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    purpose = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300)
    fields = models.JSONField(default=list)
    found = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"], name="registry_access_person_idx"),
            models.Index(fields=["actor", "-at"], name="registry_access_actor_idx"),
            models.Index(fields=["at"], name="registry_access_at_idx"),  # a day's count (the dashboards)
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.purpose} at {self.at:%Y-%m-%d %H:%M}"
