"""Loading a region data pack (kotalive.regions.pack): every file is read and checked first, every problem named
with its file and line, and only a pack without problems is loaded, all of it in one transaction or nothing.

The checks are the ones the loaders would stop at, plus the pack's own consistency: each agency's region is one of
the pack's regions, each service's agency, each complaint category's default agency and each agreement's agencies
are the pack's agencies, routing rules name a kecamatan or kelurahan of the region, and the boundaries describe the
pack's regions. A life-event bundle names services by their published form, so its full check runs inside the
transaction once the pack's services are published (a bundle that cannot run rolls everything back)."""

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.agencies.services import agencies_load
from kotalive.cases.bundles import bundle_kind_problems, bundle_kinds_load
from kotalive.catalogue.models import Service
from kotalive.catalogue.services import catalogue_load, service_entry_problems, workflow_reference_codes
from kotalive.complaints.reference import complaints_load
from kotalive.coordination.models import KINDS as AGREEMENT_KINDS
from kotalive.coordination.services import coordination_load
from kotalive.core.audit import audit_record
from kotalive.core.errors import ValidationFailed
from kotalive.core.located_json import LocatedJSON, json_load_located
from kotalive.regions.codes import (
    DESA,
    KABUPATEN,
    KECAMATAN,
    KELURAHAN,
    KOTA,
    RegionCode,
    RegionCodeError,
    parse_region_code,
)
from kotalive.regions.models import Region
from kotalive.regions.pack import FILE_KINDS, MANIFEST, REQUIRED_FILES, RegionPack, region_pack_from_manifest
from kotalive.regions.services import LoadResult, regions_load_csv
from kotalive.workflow.models import WorkflowDefinition

BOUNDARY_GEOMETRIES = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class PackProblem:
    file: str  # as the manifest names it (pack.json for the manifest itself)
    line: int
    reason: str  # a full sentence in the active language

    def __str__(self) -> str:
        return _("%(file)s, line %(line)s: %(reason)s") % {"file": self.file, "line": self.line, "reason": self.reason}


class RegionPackInvalid(Exception):
    """The pack has problems; nothing was loaded."""

    def __init__(self, problems: list[PackProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class RegionPackLoaded:
    pack: RegionPack
    regions: LoadResult
    agencies: int
    services: int
    bundles: int
    categories: int
    agreements: int


@dataclass
class _Checked:
    """A pack read and checked: its parsed files and what they define, and the problems found."""

    directory: Path
    problems: list[PackProblem] = field(default_factory=list)
    pack: RegionPack | None = None
    regions_text: str = ""
    regions: dict[str, RegionCode] = field(default_factory=dict)
    documents: dict[str, LocatedJSON] = field(default_factory=dict)
    agencies: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)

    def problem(self, kind: str, where: object, reason: str) -> None:
        """A problem of the file of `kind` at `where`: a line number, or an object of the file, whose line is looked
        up only now (a file without problems is never parsed for its lines)."""
        name = MANIFEST if kind == "manifest" else (self.pack.files[kind] if self.pack else kind)
        line = where if type(where) is int else self.line(kind, where)
        self.problems.append(PackProblem(name, line, reason))

    def document(self, kind: str) -> Any:
        located = self.documents.get(kind)
        return located.document if located is not None else None

    def line(self, kind: str, obj: object) -> int:
        located = self.documents.get(kind)
        return located.line(obj) if located is not None else 1


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _objects(checked: _Checked, kind: str, key: str) -> Iterator[dict[str, Any]]:
    """The objects of the list `key` of the file's top object; a problem for the list or an entry that is not one."""
    top = checked.document(kind)
    if not isinstance(top, dict) or not isinstance(top.get(key), list):
        checked.problem(
            kind,
            top if isinstance(top, dict) else 1,
            _("The file must be a JSON object with a list “%(key)s”.") % {"key": key},
        )
        return
    for position, entry in enumerate(top[key], start=1):
        if isinstance(entry, dict):
            yield entry
        else:
            checked.problem(
                kind,
                top if isinstance(top, dict) else 1,
                _("Entry %(position)s of “%(key)s” must be a JSON object.") % {"position": position, "key": key},
            )


def _read_manifest(checked: _Checked) -> None:
    directory = checked.directory
    if not directory.is_dir():
        checked.problem("manifest", 1, _("The pack directory %(directory)s does not exist.") % {"directory": directory})
        return
    located = _parse(checked, "manifest", directory / MANIFEST)
    if located is None:
        return
    manifest = located.document
    if not isinstance(manifest, dict):
        checked.problem("manifest", 1, _("The manifest must be a JSON object."))
        return
    line = located.line(manifest)
    region = manifest.get("region")
    try:
        level = parse_region_code(str(region)).level if _text(region) else None
    except RegionCodeError:
        level = None
    if level not in (KOTA, KABUPATEN):
        checked.problem(
            "manifest",
            line,
            _("The pack's region must be the code of a kota or kabupaten, such as 36.71, not %(region)s.")
            % {"region": json.dumps(region)},
        )
    if not _text(manifest.get("name")):
        checked.problem("manifest", line, _("The pack needs a name, such as “Kota Tangerang”."))
    if "platform_name" in manifest and not _text(manifest["platform_name"]):
        checked.problem("manifest", line, _("The platform name, when given, must be a non-empty text."))
    files = manifest.get("files")
    if not isinstance(files, dict):
        checked.problem("manifest", line, _("The manifest needs “files”: an object naming the pack's data files."))
        return
    files_line = located.line(files)
    for kind, name in files.items():
        if kind not in FILE_KINDS:
            checked.problem(
                "manifest",
                files_line,
                _("“%(kind)s” is not a kind of pack file; the kinds are %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(FILE_KINDS)},
            )
        elif not _text(name) or not _inside(directory, name):
            checked.problem(
                "manifest", files_line, _("The %(kind)s file must be named by a file inside the pack.") % {"kind": kind}
            )
        elif not (directory / name).is_file():
            checked.problem(
                "manifest",
                files_line,
                _("The %(kind)s file %(name)s is not in the pack.") % {"kind": kind, "name": name},
            )
    for kind in REQUIRED_FILES:
        if kind not in files:
            checked.problem("manifest", files_line, _("The pack has no %(kind)s file.") % {"kind": kind})
    notices = manifest.get("notices", [])
    if not isinstance(notices, list) or not all(_text(n) and _inside(directory, n) for n in notices):
        checked.problem("manifest", line, _("“notices” must list file names inside the pack."))
    else:
        for name in notices:
            if not (directory / name).is_file():
                checked.problem("manifest", line, _("The notice %(name)s is not in the pack.") % {"name": name})
    if not checked.problems:
        checked.pack = region_pack_from_manifest(directory.resolve(), manifest)


def _inside(directory: Path, name: Any) -> bool:
    return isinstance(name, str) and (directory / name).resolve().is_relative_to(directory.resolve())


def _parse(checked: _Checked, kind: str, path: Path) -> LocatedJSON | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        checked.problem(kind, 1, _("The file does not exist."))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        checked.problem(kind, 1, _("The file cannot be read as UTF-8 text: %(error)s.") % {"error": exc})
        return None
    try:
        located = json_load_located(text)
    except json.JSONDecodeError as exc:
        checked.problem(
            kind,
            exc.lineno,
            _("The file is not valid JSON: %(error)s at column %(column)s.") % {"error": exc.msg, "column": exc.colno},
        )
        return None
    if kind != "manifest":
        checked.documents[kind] = located
    return located


def _check_regions(checked: _Checked, pack: RegionPack) -> None:
    path = pack.path("regions")
    assert path is not None  # noqa: S101 (a required file, checked with the manifest)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        checked.problem("regions", 1, _("The file cannot be read as UTF-8 text: %(error)s.") % {"error": exc})
        return
    checked.regions_text = text
    lines: dict[str, int] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line_no == 1 and [c.strip().lower() for c in row[:2]] == ["code", "name"]:
            continue
        if len(row) != 2 or not row[1].strip():
            checked.problem("regions", line_no, _("A row must have two columns, the code and the name of a region."))
            continue
        code = row[0].strip()
        try:
            parsed = parse_region_code(code)
        except RegionCodeError as exc:
            checked.problem("regions", line_no, _("The code is refused: %(reason)s.") % {"reason": exc})
            continue
        if code in lines:
            checked.problem(
                "regions",
                line_no,
                _("The code %(code)s is already on line %(line)s.") % {"code": code, "line": lines[code]},
            )
            continue
        lines[code] = line_no
        checked.regions[code] = parsed
    orphans = {rc.parent for rc in checked.regions.values() if rc.parent and rc.parent not in checked.regions}
    loaded = set(Region.objects.filter(code__in=orphans).values_list("code", flat=True))
    for code, rc in checked.regions.items():
        if rc.parent and rc.parent not in checked.regions and rc.parent not in loaded:
            checked.problem(
                "regions",
                lines[code],
                _("The parent region %(parent)s of %(code)s is neither in this file nor loaded already.")
                % {"parent": rc.parent, "code": code},
            )
    if pack.region not in checked.regions:
        checked.problem(
            "regions", 1, _("The file does not list the pack's own region %(region)s.") % {"region": pack.region}
        )


def _in_region(pack: RegionPack, code: str) -> bool:
    return code == pack.region or code.startswith(pack.region + ".")


def _check_region_field(checked: _Checked, kind: str, document: Any, pack: RegionPack) -> None:
    """A file's own `region`, when it states one, is the pack's."""
    if isinstance(document, dict) and "region" in document and document["region"] != pack.region:
        checked.problem(
            kind,
            document,
            _("The file is for region %(found)s, but the pack is for %(region)s.")
            % {"found": json.dumps(document["region"]), "region": pack.region},
        )


def _check_boundaries(checked: _Checked, pack: RegionPack) -> None:
    top = checked.document("boundaries")
    if not isinstance(top, dict) or top.get("type") != "FeatureCollection" or not isinstance(top.get("features"), list):
        checked.problem(
            "boundaries", top if isinstance(top, dict) else 1, _("The file must be a GeoJSON FeatureCollection.")
        )
        return
    for feature in top["features"]:
        props = feature.get("properties") if isinstance(feature, dict) else None
        where = props if isinstance(props, dict) else feature
        if not isinstance(props, dict):
            checked.problem(
                "boundaries", where, _("A feature needs properties with its region's code, name and level.")
            )
            continue
        code = props.get("code")
        known = checked.regions.get(str(code))
        if known is None or not _in_region(pack, str(code)):
            checked.problem(
                "boundaries",
                where,
                _("The feature's code %(code)s is not a region of the pack's regions file within %(region)s.")
                % {"code": json.dumps(code), "region": pack.region},
            )
        elif props.get("level") != known.level:
            checked.problem(
                "boundaries",
                where,
                _("The feature %(code)s has level %(level)s, but its code is a %(expected)s.")
                % {"code": code, "level": json.dumps(props.get("level")), "expected": known.level},
            )
        if not _text(props.get("name")):
            checked.problem("boundaries", where, _("The feature %(code)s has no name.") % {"code": json.dumps(code)})
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in BOUNDARY_GEOMETRIES:
            checked.problem(
                "boundaries",
                where,
                _("The feature %(code)s needs a Polygon or MultiPolygon geometry.") % {"code": json.dumps(code)},
            )


def _check_agencies(checked: _Checked, pack: RegionPack) -> None:
    _check_region_field(checked, "agencies", checked.document("agencies"), pack)
    roles = {code for code, _label in Agency.ROLES}
    entries = list(_objects(checked, "agencies", "agencies"))
    # An agency belongs to one region: a pack does not take over another region's agency that has the same code.
    existing = Agency.objects.filter(code__in=[e.get("code") for e in entries if _text(e.get("code"))])
    elsewhere = {
        code: region
        for code, region in existing.values_list("code", "region_id")
        if not _in_region(pack, region) and region not in {e.get("region") for e in entries if e.get("code") == code}
    }
    for entry in entries:
        where = entry
        code = entry.get("code")
        if not _text(code) or not _text(entry.get("name")):
            checked.problem("agencies", where, _("An agency needs a code and a name."))
            continue
        if code in checked.agencies:
            checked.problem("agencies", where, _("The agency code %(code)s appears twice.") % {"code": code})
        checked.agencies.add(str(code))
        if code in elsewhere:
            checked.problem(
                "agencies",
                where,
                _("The agency code %(code)s is already an agency of region %(region)s on this platform.")
                % {"code": code, "region": elsewhere[code]},
            )
        if entry.get("role") not in roles:
            checked.problem(
                "agencies",
                where,
                _("The agency %(code)s has the role %(role)s; the roles are %(roles)s.")
                % {"code": code, "role": json.dumps(entry.get("role")), "roles": ", ".join(sorted(roles))},
            )
        if entry.get("region") not in checked.regions:
            checked.problem(
                "agencies",
                where,
                _("The agency %(code)s names the region %(region)s, which is not in the pack's regions file.")
                % {"code": code, "region": json.dumps(entry.get("region"))},
            )
        units = entry.get("units", [])
        unit_codes = [u.get("code") for u in units if isinstance(u, dict)] if isinstance(units, list) else []
        if (
            not isinstance(units, list)
            or len(unit_codes) != len(units)
            or not all(_text(c) and _text(u.get("name")) for c, u in zip(unit_codes, units, strict=True))
            or len(set(unit_codes)) != len(unit_codes)
        ):
            checked.problem(
                "agencies",
                where,
                _("The units of agency %(code)s must be a list of objects, each with its own code and a name.")
                % {"code": code},
            )


def _check_services(checked: _Checked, pack: RegionPack) -> None:
    _check_region_field(checked, "services", checked.document("services"), pack)
    workflows = workflow_reference_codes() | set(WorkflowDefinition.objects.values_list("code", flat=True))
    entries = list(_objects(checked, "services", "services"))
    owners = dict(
        Service.objects.filter(code__in=[e.get("code") for e in entries if _text(e.get("code"))]).values_list(
            "code", "agency__code"
        )
    )
    for entry in entries:
        where = entry
        code = entry.get("code")
        if not _text(code):
            checked.problem("services", where, _("A service needs a code."))
            continue
        if code in checked.services:
            checked.problem("services", where, _("The service code %(code)s appears twice.") % {"code": code})
        checked.services.add(str(code))
        agency = entry.get("agency")
        if agency not in checked.agencies:
            checked.problem(
                "services",
                where,
                _("The service %(code)s names the agency %(agency)s, which is not in the pack's agencies file.")
                % {"code": code, "agency": json.dumps(agency)},
            )
        elif code in owners and owners[code] != agency:
            checked.problem(
                "services",
                where,
                _("The service %(code)s already belongs to the agency %(owner)s on this platform.")
                % {"code": code, "owner": owners[code]},
            )
        if not _text(entry.get("category")):
            checked.problem("services", where, _("The service %(code)s needs a category.") % {"code": code})
        if entry.get("workflow") not in workflows:
            checked.problem(
                "services",
                where,
                _("The service %(code)s names the workflow %(workflow)s, which the platform does not have.")
                % {"code": code, "workflow": json.dumps(entry.get("workflow"))},
            )
        try:
            problems = service_entry_problems(entry)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            problems = {"?": [str(exc)]}
        for name, reasons in problems.items():
            for reason in reasons:
                checked.problem(
                    "services",
                    where,
                    _("The service %(code)s is refused: %(field)s %(reason)s.")
                    % {"code": code, "field": name, "reason": str(reason).rstrip(".")},
                )


def _check_bundles(checked: _Checked) -> None:
    known = checked.services | set(Service.objects.values_list("code", flat=True))
    codes: set[str] = set()
    for entry in _objects(checked, "bundles", "bundles"):
        where = entry
        code, name = entry.get("code"), entry.get("name")
        if not _text(code) or not isinstance(name, dict) or not (_text(name.get("id")) and _text(name.get("en"))):
            checked.problem(
                "bundles", where, _("A life-event bundle needs a code and a name in Indonesian and English (id, en).")
            )
            continue
        if code in codes:
            checked.problem("bundles", where, _("The bundle code %(code)s appears twice.") % {"code": code})
        codes.add(str(code))
        parts = entry.get("parts")
        for part in parts if isinstance(parts, list) else []:
            service = part.get("service") if isinstance(part, dict) else None
            if service not in known:
                checked.problem(
                    "bundles",
                    part,
                    _(
                        "The bundle %(code)s has a part for the service %(service)s, which is not in the pack's "
                        "services file."
                    )
                    % {"code": code, "service": json.dumps(service)},
                )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_complaints(checked: _Checked, pack: RegionPack) -> None:
    top = checked.document("complaints")
    _check_region_field(checked, "complaints", top, pack)
    if isinstance(top, dict):
        where = top
        if not _text(top.get("jurisdiction_id")):
            checked.problem(
                "complaints", where, _("The file needs a jurisdiction_id, the region's Open311 name (a domain name).")
            )
        bounds = top.get("bounds")
        sides = ("south", "west", "north", "east")
        if not isinstance(bounds, dict) or not all(_number(bounds.get(side)) for side in sides):
            checked.problem(
                "complaints", where, _("The file needs bounds: south, west, north and east of the region in degrees.")
            )
        elif not (bounds["south"] < bounds["north"] and bounds["west"] < bounds["east"]):
            checked.problem(
                "complaints",
                bounds,
                _("The bounds must have south below north and west below east."),
            )
    for entry in _objects(checked, "complaints", "categories"):
        where = entry
        code = entry.get("code")
        if not _text(code) or not _text(entry.get("name")):
            checked.problem("complaints", where, _("A complaint category needs a code and a name."))
            continue
        if code in checked.categories:
            checked.problem("complaints", where, _("The category code %(code)s appears twice.") % {"code": code})
        checked.categories.add(str(code))
        if entry.get("default_agency") not in checked.agencies:
            checked.problem(
                "complaints",
                where,
                _("The category %(code)s has the default agency %(agency)s, which is not in the pack's agencies file.")
                % {"code": code, "agency": json.dumps(entry.get("default_agency"))},
            )
        if not isinstance(entry.get("attributes", []), list):
            checked.problem(
                "complaints", where, _("The attributes of category %(code)s must be a list.") % {"code": code}
            )
    rules = top.get("routing_rules", []) if isinstance(top, dict) else []
    if not isinstance(rules, list):
        checked.problem("complaints", top, _("The routing rules must be a list."))
        return
    for rule in rules:
        if not isinstance(rule, dict):
            checked.problem("complaints", top, _("A routing rule must be a JSON object."))
            continue
        where = rule
        if rule.get("category") not in checked.categories:
            checked.problem(
                "complaints",
                where,
                _("The routing rule names the category %(category)s, which is not in this file.")
                % {"category": json.dumps(rule.get("category"))},
            )
        region = checked.regions.get(str(rule.get("region")))
        if region is None or region.level not in (KECAMATAN, KELURAHAN, DESA) or not _in_region(pack, region.code):
            checked.problem(
                "complaints",
                where,
                _("The routing rule names the region %(region)s, which is not a kecamatan or kelurahan of %(pack)s.")
                % {"region": json.dumps(rule.get("region")), "pack": pack.region},
            )
        if rule.get("agency") not in checked.agencies:
            checked.problem(
                "complaints",
                where,
                _("The routing rule names the agency %(agency)s, which is not in the pack's agencies file.")
                % {"agency": json.dumps(rule.get("agency"))},
            )


def _check_agreements(checked: _Checked, pack: RegionPack) -> None:
    _check_region_field(checked, "agreements", checked.document("agreements"), pack)
    for entry in _objects(checked, "agreements", "agreements"):
        where = entry
        for side in ("from", "to"):
            if entry.get(side) not in checked.agencies:
                checked.problem(
                    "agreements",
                    where,
                    _("The agreement names the agency %(agency)s, which is not in the pack's agencies file.")
                    % {"agency": json.dumps(entry.get(side))},
                )
        if entry.get("from") == entry.get("to"):
            checked.problem("agreements", where, _("An agreement is between two different agencies."))
        kinds = entry.get("kinds")
        if not isinstance(kinds, list) or not kinds or not set(kinds) <= set(AGREEMENT_KINDS):
            checked.problem(
                "agreements",
                where,
                _("The agreement's kinds must be one or more of %(kinds)s.") % {"kinds": ", ".join(AGREEMENT_KINDS)},
            )
        days = entry.get("max_working_days", 10)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            checked.problem(
                "agreements", where, _("The agreement's max_working_days must be a whole number from 1 to 60.")
            )


def region_pack_check(directory: Path) -> _Checked:
    """Read every file of the pack in `directory` and check it; the result's `problems` are empty when the pack
    may be loaded. Reads the database (loaded regions, workflows and services) but writes nothing."""
    checked = _Checked(directory=directory)
    _read_manifest(checked)
    pack = checked.pack
    if pack is None:
        return checked
    for kind in FILE_KINDS:
        path = pack.path(kind)
        if path is not None and kind != "regions":
            _parse(checked, kind, path)
    _check_regions(checked, pack)
    if "boundaries" in checked.documents:
        _check_boundaries(checked, pack)
    if "agencies" in checked.documents:
        _check_agencies(checked, pack)
    if "services" in checked.documents:
        _check_services(checked, pack)
    if "bundles" in checked.documents:
        _check_bundles(checked)
    if "complaints" in checked.documents:
        _check_complaints(checked, pack)
    if "agreements" in checked.documents:
        _check_agreements(checked, pack)
    return checked


def _refused(checked: _Checked, kind: str, exc: ValidationFailed) -> RegionPackInvalid:
    return RegionPackInvalid(
        [
            PackProblem(
                checked.pack.files[kind] if checked.pack else kind,
                1,
                _("Loading was refused: %(field)s %(reason)s.") % {"field": name, "reason": str(reason).rstrip(".")},
            )
            for name, reasons in exc.errors.items()
            for reason in reasons
        ]
    )


def region_pack_load(*, actor: User | None, directory: Path) -> RegionPackLoaded:
    """Check the pack in `directory`, then load its regions, agencies, the platform's workflows with the pack's
    services, its life-event bundles, complaint categories and routing rules, and cooperation agreements, in one
    transaction. Raises RegionPackInvalid naming every problem (file and line) and changes nothing when there is
    one. Idempotent: loading the same pack again changes nothing."""
    checked = region_pack_check(directory)
    if checked.problems:
        raise RegionPackInvalid(checked.problems)
    pack = checked.pack
    assert pack is not None  # noqa: S101 (no problems: the manifest was read)
    kind = "regions"
    try:
        with transaction.atomic():
            regions = regions_load_csv(actor=actor, text=checked.regions_text)
            kind = "agencies"
            agencies_load(actor=actor, document=checked.document("agencies"))
            kind = "services"
            services = catalogue_load(actor=actor, document=checked.document("services"))
            bundles = 0
            if "bundles" in checked.documents:
                kind = "bundles"
                _bundles_runnable(checked)
                bundles = bundle_kinds_load(document=checked.document("bundles"))
            kind = "complaints"
            categories = complaints_load(document=checked.document("complaints"))
            agreements = 0
            if "agreements" in checked.documents:
                kind = "agreements"
                agreements = coordination_load(document=checked.document("agreements"))
            # Who loaded which pack, and when: the apps' own entries say what each step changed.
            audit_record(
                actor=actor,
                action="regions.pack_loaded",
                object_type="regions.pack",
                object_id=pack.region,
                data={"name": pack.name, "directory": str(pack.directory), "files": pack.files},
            )
    except ValidationFailed as exc:
        raise _refused(checked, kind, exc) from None
    return RegionPackLoaded(
        pack=pack,
        regions=regions,
        agencies=len(checked.agencies),
        services=services,
        bundles=bundles,
        categories=categories,
        agreements=agreements,
    )


def _bundles_runnable(checked: _Checked) -> None:
    """Every bundle kind can run against the services just published (inside the load's transaction: a problem
    rolls the whole pack back)."""
    services = {s.code: s for s in Service.objects.select_related("current").filter(active=True)}
    problems = [
        PackProblem(
            checked.pack.files["bundles"] if checked.pack else "bundles",
            checked.line("bundles", entry),
            _("The life-event bundle %(code)s cannot run: %(reason)s.")
            % {"code": entry.get("code"), "reason": problem},
        )
        for entry in checked.document("bundles")["bundles"]
        for problem in bundle_kind_problems(entry, services)
    ]
    if problems:
        raise RegionPackInvalid(problems)


def loaded_summary(directory: Path, loaded: RegionPackLoaded) -> str:
    """One line saying what a pack holds (shared with `seed`)."""
    return _(
        "Region pack %(directory)s loaded: %(name)s (%(region)s). Regions: %(regions)s (%(created)s new, %(renamed)s "
        "renamed); agencies: %(agencies)s; services: %(services)s; life-event bundles: %(bundles)s; complaint "
        "categories: %(categories)s; cooperation agreements: %(agreements)s."
    ) % {
        "directory": directory,
        "name": loaded.pack.name,
        "region": loaded.pack.region,
        "regions": loaded.regions.created + loaded.regions.updated + loaded.regions.unchanged,
        "created": loaded.regions.created,
        "renamed": loaded.regions.updated,
        "agencies": loaded.agencies,
        "services": loaded.services,
        "bundles": loaded.bundles,
        "categories": loaded.categories,
        "agreements": loaded.agreements,
    }


def refused_report(directory: Path, exc: RegionPackInvalid) -> str:
    """Every problem of a refused pack, one a line, under a line saying nothing was loaded (shared with `seed`)."""
    head = _("Region pack %(directory)s was not loaded; nothing changed. Problems found: %(count)s.") % {
        "directory": directory,
        "count": len(exc.problems),
    }
    return "\n".join([head, *(f"  {problem}" for problem in exc.problems)])
