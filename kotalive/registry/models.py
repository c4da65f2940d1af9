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
