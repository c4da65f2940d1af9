"""Loading regions. One transaction per file: a bad row anywhere loads nothing."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.core.audit import audit_record
from kotalive.core.errors import ValidationFailed
from kotalive.regions.codes import RegionCodeError, normalise_name, parse_region_code
from kotalive.regions.models import Region


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _read_rows(text: str) -> list[tuple[int, str, str]]:
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, str, str]] = []
    errors: dict[str, list[str]] = {}
    for line_no, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line_no == 1 and [c.strip().lower() for c in row[:2]] == ["code", "name"]:
            continue
        if len(row) != 2 or not row[1].strip():
            errors.setdefault(f"line {line_no}", []).append(_("expected two columns: code,name"))
            continue
        rows.append((line_no, row[0].strip(), row[1].strip()))
    if errors:
        raise ValidationFailed(errors)
    return rows


def regions_load_csv(*, actor: object, text: str) -> LoadResult:
    """Validate every row of a `code,name` CSV, then create or rename regions, all or nothing.

    A parent must exist already or come earlier or later in the same file.
    """
    rows = _read_rows(text)
    errors: dict[str, list[str]] = {}
    parsed = []
    seen: dict[str, int] = {}
    for line_no, code, name in rows:
        try:
            region_code = parse_region_code(code)
        except RegionCodeError as exc:
            errors.setdefault(f"line {line_no}", []).append(str(exc))
            continue
        if code in seen:
            errors.setdefault(f"line {line_no}", []).append(
                _("code %(code)s already appears on line %(line)s") % {"code": code, "line": seen[code]}
            )
            continue
        seen[code] = line_no
        parsed.append((line_no, region_code, name))
    in_file = set(seen)
    parent_codes = {rc.parent for _ln, rc, _nm in parsed if rc.parent and rc.parent not in in_file}
    existing_parents = set(Region.objects.filter(code__in=parent_codes).values_list("code", flat=True))
    for line_no, rc, _name in parsed:
        if rc.parent and rc.parent not in in_file and rc.parent not in existing_parents:
            errors.setdefault(f"line {line_no}", []).append(
                _("parent region %(parent)s of %(code)s is neither loaded nor in the file")
                % {"parent": rc.parent, "code": rc.code}
            )
    if errors:
        raise ValidationFailed(errors)

    created = updated = unchanged = 0
    with transaction.atomic():
        current = {r.code: r for r in Region.objects.filter(code__in=in_file)}
        # Parents before children: codes sort by depth when ordered by their number of parts.
        for _line, rc, name in sorted(parsed, key=lambda item: item[1].code.count(".")):
            region = current.get(rc.code)
            if region is None:
                Region.objects.create(
                    code=rc.code,
                    name=name,
                    search_name=normalise_name(name),
                    level=rc.level,
                    parent_id=rc.parent,
                )
                created += 1
            elif region.name != name:
                region.name, region.search_name = name, normalise_name(name)
                region.save(update_fields=["name", "search_name"])
                updated += 1
            else:
                unchanged += 1
        if created or updated:
            audit_record(
                actor=actor,
                action="regions.loaded",
                object_type="regions.region",
                data={"created": created, "updated": updated},
            )
    return LoadResult(created, updated, unchanged)
