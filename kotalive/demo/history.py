"""A few months of synthetic history for the demo, so a fresh `make run` shows dashboards with something in them:
applications worked to their end, reports handed between agencies (some back and forth), reopened, rated, and
coordination requests answered. Every step goes through the real use cases (timeline, stretches, events, notes);
then each subject's own times are moved back by a random number of days into the last three months.

What is moved back: the subjects' dates, their timeline steps, holders' stretches, messages, ratings and
escalations. What keeps the time of seeding: the outbox events and the audit log (the audit chain is never
rewritten). The citizens are `sintetis-NN` accounts without a password; the demo banner says the data is synthetic.
"""

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.bundles import bundle_submit
from kotalive.cases.models import Case
from kotalive.cases.services import case_rate, case_submit, case_transition
from kotalive.cases.snapshots import case_snapshot_refresh
from kotalive.complaints.models import Category, Complaint
from kotalive.complaints.services import complaint_rate, complaint_submit, complaint_transition
from kotalive.coordination.models import CoordinationRequest
from kotalive.coordination.services import coordination_request, coordination_transition
from kotalive.core.models import Upload
from kotalive.dashboard.rollups import rollups_rebuild
from kotalive.regions.boundaries import kelurahan_points
from kotalive.workflow.models import Escalation, Holding, Message, Rating, WorkflowStep

CITIZENS = 48
SERVICE = "penduduk-nonpermanen"  # open to citizens outside the registry
PIN = (-6.1781, 106.6319)  # Kelurahan Sukasari, Kecamatan Tangerang
CATEGORIES = ["street-lights", "roads", "drainage-floods", "waste", "trees-parks", "traffic"]
OTHER_AGENCY = {"DISHUB": "PUPR", "PUPR": "DISHUB", "DLH": "PUPR"}  # "not ours": where a report goes on to
MARKER = "sintetis-01"


def _citizens() -> list[User]:
    users = []
    for n in range(1, CITIZENS + 1):
        user, _created = User.objects.get_or_create(
            username=f"sintetis-{n:02d}",
            defaults={
                "full_name": f"Warga Sintetis {n:02d}",
                "kind": User.CITIZEN,
                "phone": f"+62899100{n:05d}",
                "phone_verified_at": timezone.now(),
            },
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _pdfs(user: User, count: int) -> list[str]:
    made = []
    for _n in range(count):
        upload = Upload(owner=user, kind=Upload.PDF, size=15, sha256="0" * 64)
        upload.file.save("sintetis.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        made.append(str(upload.pk))
    return made


def _move(actor: User, tracking: str, action: str, **extra: Any) -> None:
    version = Case.objects.get(tracking=tracking).version
    case_transition(actor=actor, tracking=tracking, action=action, version=version, **extra)


def _report_move(actor: User | None, tracking: str, action: str, **extra: Any) -> None:
    version = Complaint.objects.get(tracking=tracking).version
    complaint_transition(actor=actor, tracking=tracking, action=action, version=version, **extra)


def _backdate(kind: str, model: Any, pk: int, days: float, fields: list[str]) -> None:
    shift = dt.timedelta(days=days)
    model.objects.filter(pk=pk).update(**{f: F(f) - shift for f in fields})
    WorkflowStep.objects.filter(subject_type=kind, subject_id=pk).update(at=F("at") - shift)
    Holding.objects.filter(subject_type=kind, subject_id=pk, accepted_at__isnull=False).update(
        accepted_at=F("accepted_at") - shift
    )
    Holding.objects.filter(subject_type=kind, subject_id=pk, left_at__isnull=False).update(left_at=F("left_at") - shift)
    Holding.objects.filter(subject_type=kind, subject_id=pk).update(received_at=F("received_at") - shift)
    Message.objects.filter(subject_type=kind, subject_id=pk).update(created_at=F("created_at") - shift)
    Rating.objects.filter(subject_type=kind, subject_id=pk).update(at=F("at") - shift)
    Escalation.objects.filter(subject_type=kind, subject_id=pk).update(at=F("at") - shift)


SUBJECT_TIMES = ["submitted_at", "started_at", "due_at", "state_entered_at"]
NULLABLE_TIMES = ["closed_at", "state_due_at", "timeout_at", "paused_at", "first_response_at"]


def _backdate_subject(
    kind: str, model: Any, pk: int, days: float, extra: tuple[str, ...] = (), waited: float = 0.0
) -> None:
    """Move the subject back by `days`, and its submission (with its clock) by `waited` days more: the time it took
    from filing to the first answer, so first-response and completion times and late finishes look like a city's."""
    row = model.objects.filter(pk=pk).values(*NULLABLE_TIMES, *extra).get()
    _backdate(kind, model, pk, days, SUBJECT_TIMES + [f for f in (*NULLABLE_TIMES, *extra) if row[f] is not None])
    if not waited:
        return
    earlier = dt.timedelta(days=waited)
    model.objects.filter(pk=pk).update(
        submitted_at=F("submitted_at") - earlier, started_at=F("started_at") - earlier, due_at=F("due_at") - earlier
    )
    WorkflowStep.objects.filter(subject_type=kind, subject_id=pk, action="submit").update(at=F("at") - earlier)
    first = Holding.objects.filter(subject_type=kind, subject_id=pk).order_by("received_at", "id").first()
    if first is not None and kind == "case":  # an application's agency held it from its filing
        Holding.objects.filter(pk=first.pk).update(received_at=F("received_at") - earlier)
    ended = model.objects.filter(pk=pk, closed_at__isnull=False, due_at__isnull=False)
    ended.filter(closed_at__gt=F("due_at")).update(sla_status="missed")
    ended.filter(closed_at__lte=F("due_at")).update(sla_status="met")


def demo_history_load(*, seed: int = 7) -> bool:
    """Load the history once (False when it is there already)."""
    if Case.objects.filter(applicant__username=MARKER).exists():  # loaded (a run that failed half-way goes again)
        return False
    rng = random.Random(seed)  # noqa: S311 (a reproducible demo, not a secret)
    staff: dict[str, User] = {str(u.username): u for u in User.objects.filter(kind=User.STAFF)}
    verifier, head = staff["dukcapil.verifikator"], staff["dukcapil.kadis"]
    operator = staff["kominfo.operator"]
    citizens = _citizens()
    for citizen in citizens:
        _application(rng, citizen, verifier, head, staff)
    for n, citizen in enumerate(citizens[:36]):
        _report(rng, citizen, operator, staff, CATEGORIES[n % len(CATEGORIES)])
    _life_event(staff)
    rollups_rebuild()  # the subjects were moved back after their events: count them on the days they now have
    return True


def _life_event(staff: dict[str, User]) -> None:
    """A birth filed by warga2 with the one form and worked to its end at DISDUKCAPIL and DINKES: the bundle page
    and the newborn on the family card show a whole life event (warga1 can still file one of their own)."""
    citizen = User.objects.filter(username="warga2").first()
    if citizen is None:
        return
    documents = dict(zip(("buku-nikah", "kk", "ktp-el"), _pdfs(citizen, 3), strict=True))
    data = {
        "child_name": "Citra Santoso",
        "child_sex": "P",
        "child_birth_date": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        "child_birth_place": "Tangerang",
        "birth_facility": "puskesmas",
        "birth_order": 3,
        "father_name": "Budi Santoso",
        "mother_name": "Siti Rahmawati",
        "kk_number": "3671051501209001",
        "faskes": "Puskesmas Cipondoh",
    }
    bundle = bundle_submit(actor=citizen, kind_code="kelahiran", data=data, documents=documents)
    finish = ["start_verification", "verify", "submit_for_approval", "approve"]
    officers = {"DISDUKCAPIL": (staff["dukcapil.verifikator"], staff["dukcapil.kadis"])}
    officers["DINKES"] = (staff["dinkes.petugas"], staff["dinkes.petugas"])
    while True:
        waiting = [c for c in Case.objects.filter(bundle=bundle) if c.state_category != "completed"]
        if not waiting:
            return
        for case in waiting:
            officer, approver = officers[case.agency.code]
            for action in finish:
                _move(approver if action == "approve" else officer, case.tracking, action)


def _application(rng: random.Random, citizen: User, verifier: User, head: User, staff: dict[str, User]) -> None:
    ktp, stay = _pdfs(citizen, 2)
    case = case_submit(
        actor=citizen,
        service_code=SERVICE,
        data={
            "full_name": citizen.full_name,
            "stay_address": "Jl. Sintetis No. 1",
            "stay_until": "2027-06-30",
            "purpose": rng.choice(["bekerja", "sekolah"]),
        },
        documents={"ktp-el": ktp, "bukti-tempat-tinggal": stay},
    )
    roll = rng.random()
    if roll > 0.15:
        _move(verifier, case.tracking, "start_verification")
    if 0.15 < roll < 0.30:  # DINSOS is asked for data while the case waits
        asked = coordination_request(
            actor=verifier, parent=case.tracking, to_agency="DINSOS", kind="provide_data",
            message="Mohon data DTKS untuk pemohon ini.", due_working_days=3,
        )  # fmt: skip
        coordination_transition(
            actor=staff["dinsos.petugas"], tracking=asked.tracking, action="answer", version=asked.version,
            reason="Tidak terdaftar di DTKS.",
        )  # fmt: skip
    if roll > 0.25:
        _move(verifier, case.tracking, "verify")
        _move(verifier, case.tracking, "submit_for_approval")
        if roll > 0.32:
            _move(head, case.tracking, "approve")
            if rng.random() < 0.6:
                scores = [rng.choice([3, 4, 4, 3, 2]) for _n in range(9)]
                case_rate(actor=citizen, tracking=case.tracking, scores=scores)
        else:
            _move(head, case.tracking, "reject", reason="Bukti tempat tinggal tidak sah.")
    days = rng.uniform(0.5, 2) if roll <= 0.32 else rng.uniform(3, 80)
    _backdate_subject("case", Case, case.pk, days, waited=rng.uniform(0.05, 3.5) if roll > 0.15 else 0.0)
    for request in CoordinationRequest.objects.filter(parent_kind="case", parent_id=case.pk):
        _backdate_subject("coordination", CoordinationRequest, request.pk, days)
    case_snapshot_refresh(case=Case.objects.get(pk=case.pk))  # the applicant's stored view shows the moved dates


def _report(rng: random.Random, citizen: User, operator: User, staff: dict[str, User], category: str) -> None:
    places = kelurahan_points(settings.KOTALIVE_REGION_CODE)
    code, lat, lon = rng.choice(places) if places else ("", PIN[0], PIN[1])
    report = complaint_submit(
        actor=citizen, kind="complaint", category=category, title="Laporan sintetis",
        description="Laporan sintetis untuk demo dasbor.", lat=lat, lon=lon, kelurahan=code,
    )  # fmt: skip
    tracking = report.tracking
    agency = Category.objects.get(code=category).default_agency.code
    roll = rng.random()
    if roll < 0.12:  # still with the Live Room
        _backdate_subject("complaint", Complaint, report.pk, rng.uniform(0.2, 2), ("updated_at",))
        return
    _report_move(operator, tracking, "dispose", agency=agency)
    holder = agency
    if roll < 0.35 and agency in OTHER_AGENCY:  # "not ours": on to another agency, sometimes back again
        other = OTHER_AGENCY[agency]
        _report_move(
            staff[f"{agency.lower()}.penghubung"], tracking, "hand_off", agency=other, reason="Bukan kewenangan kami."
        )
        holder = other
        if roll < 0.2:
            _report_move(
                staff[f"{other.lower()}.penghubung"], tracking, "hand_off", agency=agency, reason="Kembali: aset Anda."
            )
            holder = agency
    liaison = staff[f"{holder.lower()}.penghubung"]
    _report_move(liaison, tracking, "accept")
    if roll < 0.85:
        _report_move(liaison, tracking, "resolve", reason="Sudah ditangani.")
        _report_move(operator, tracking, "verify_completion")
        if roll < 0.5:  # "closed is not fixed"
            _report_move(citizen, tracking, "reopen", reason="Masih bermasalah.")
            _report_move(liaison, tracking, "resolve", reason="Ditangani ulang.")
            _report_move(operator, tracking, "verify_completion")
        _report_move(citizen, tracking, "confirm")
        if rng.random() < 0.5:
            complaint_rate(actor=citizen, tracking=tracking, score=rng.choice([3, 4, 5, 5, 2]))
    _backdate_subject(
        "complaint",
        Complaint,
        report.pk,
        rng.uniform(2, 80),
        ("updated_at", "agency_since"),
        waited=rng.uniform(0.1, 6),
    )
