from django.db import models
from django.utils.translation import gettext_lazy as _

from kotalive.regions import codes


class Region(models.Model):
    """A Kemendagri administrative region. The code is the identity: it never changes for a region."""

    LEVELS = [
        (codes.PROVINCE, _("province")),
        (codes.KABUPATEN, _("kabupaten")),
        (codes.KOTA, _("kota")),
        (codes.KECAMATAN, _("kecamatan")),
        (codes.KELURAHAN, _("kelurahan")),
        (codes.DESA, _("desa")),
    ]

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    level = models.CharField(max_length=10, choices=LEVELS)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
