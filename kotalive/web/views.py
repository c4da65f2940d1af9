"""Citizen portal and back-office shell. Views are thin: they call one service or selector and render."""

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.accounts import services
from kotalive.accounts.models import User
from kotalive.accounts.selectors import profile_for
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import (
    agency_get,
    agency_list,
    agency_staff_roles,
    user_agencies,
    user_may_manage_staff,
    user_staff_roles,
)
from kotalive.agencies.services import staff_member_add, staff_role_revoke
from kotalive.cases.bundle_selectors import bundle_offers_open
from kotalive.cases.models import Case
from kotalive.cases.selectors import (
    agency_queues,
    case_drafts_of_citizen,
    cases_assigned_to,
    cases_late_or_at_risk,
    cases_to_rate,
    citizen_open_cases,
    revision_requests,
    visited_states,
)
from kotalive.catalogue.models import localised
from kotalive.catalogue.services import may_edit_services
from kotalive.complaints.models import OPEN_CATEGORY_LIST as COMPLAINT_OPEN_CATEGORIES
from kotalive.complaints.presenters import category_name, report_state_labels
from kotalive.complaints.selectors import (
    agency_report_queues,
    complaint_handling_finished,
    complaint_rating,
    reports_for_home,
    triage_summary,
)
from kotalive.coordination.presenters import kind_label
from kotalive.coordination.selectors import coordination_waiting_for
from kotalive.core import crypto
from kotalive.core.errors import DomainError, TooManyAttempts, ValidationFailed
from kotalive.core.ratelimit import client_address
from kotalive.documents.selectors import documents_of
from kotalive.events.console import integration_health
from kotalive.notifications.models import DevOutboxMessage
from kotalive.regions.selectors import region_get
from kotalive.registry.mediation import may_manage_agreements
from kotalive.web.access import AccessRefused, refuse, signed_in_user, staff_user
from kotalive.web.confirm import confirmation_page, confirmed
from kotalive.web.forms import (
    ResetConfirmForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
    StaffMemberForm,
    VerifyForm,
)
from kotalive.web.labels import document_titles
from kotalive.web.steps import application_steps
from kotalive.workflow.definitions import AWAITING_AGENCY, AWAITING_CITIZEN, IN_PROGRESS, SUBMITTED
from kotalive.workflow.labels import category_label, sla_label, state_label

LOGIN_BACKEND = "kotalive.accounts.backends.LoginBackend"


def _apply_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: each reason beside its field, the rest at the top."""
    if isinstance(exc, ValidationFailed):
        for name, reasons in exc.errors.items():
            for reason in reasons:
                form.add_error(name if name in form.fields else None, reason)
        return
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _run(form: forms.Form, action: Callable[[], Any]) -> Any:
    """Call a service; on refusal put its reasons on the form and remember the HTTP status for the answer."""
    try:
        return action()
    except DomainError as exc:
        _apply_errors(form, exc)
        form.error_status = exc.status  # type: ignore[attr-defined]
        return None


def _posted(request: HttpRequest) -> Any:
    """The submitted fields of a POST (even an empty one, so its form shows what is missing), None otherwise."""
    return request.POST if request.method == "POST" else None


def _status(form: forms.Form) -> int:
    return getattr(form, "error_status", 422 if form.errors else 200)


def home(request: HttpRequest) -> HttpResponse:
    """The city's front page; for a signed-in citizen, their own home page: what needs them now first."""
    user = request.user
    if isinstance(user, User) and user.kind == User.CITIZEN:
        return render(request, "web/home.html", {"citizen": _citizen_home(user)})
    agencies = list(agency_list())
    groups = [
        (_("Service providers"), [a for a in agencies if a.role == Agency.SERVICE_PROVIDER]),
        (_("Complaint handlers"), [a for a in agencies if a.role == Agency.COMPLAINT_HANDLER]),
        (_("Kecamatan offices"), [a for a in agencies if a.role == Agency.KECAMATAN_OFFICE]),
        (_("Platform operator"), [a for a in agencies if a.role == Agency.OPERATOR]),
    ]
    region = region_get(code=settings.KOTALIVE_REGION_CODE)
    return render(request, "web/home.html", {"groups": groups, "region": region})


def _citizen_home(user: User) -> dict[str, Any]:
    """What the citizen's home page shows: what needs them now (revision requests, applications and reports to
    rate, reports to confirm or complete, life-event offers), then their open applications, open reports, drafts
    and latest documents. A fixed number of queries, whatever the number of items (test_home_pages pins it)."""
    cases = citizen_open_cases(user=user)
    asked = revision_requests(cases)
    visited = visited_states(cases)
    needs: list[dict[str, Any]] = []
    applications = []
    for case in cases:
        label = state_label(case)
        if case.pk in asked and case.applicant_id == user.pk:
            documents = [case.service_version.requirement(code) for code in asked[case.pk].requirements]
            needs.append(
                {
                    "kind": "revision",
                    "case": case,
                    "state_label": label,
                    "reason": asked[case.pk].reason,
                    "documents": [localised(d["name"]) for d in documents if d],
                }
            )
        steps = application_steps(case, visited=visited.get(case.pk))
        applications.append({"case": case, "state_label": label, "steps": steps})
    needs += [{"kind": "rate_case", "case": case} for case in cases_to_rate(user=user)]
    reports = []
    for report in reports_for_home(user=user):
        label = state_label(report)
        finished = complaint_handling_finished(report)
        if report.state_category == AWAITING_CITIZEN:
            needs.append({"kind": "confirm" if finished else "returned", "report": report, "state_label": label})
        elif finished and complaint_rating(report) is None:
            needs.append({"kind": "rate", "report": report, "state_label": label})
        if report.state_category in COMPLAINT_OPEN_CATEGORIES:
            reports.append({"report": report, "state_label": label, "category": category_name(report.category)})
    return {
        "needs": needs,
        "offers": bundle_offers_open(user=user),
        "applications": applications,
        "reports": reports,
        "drafts": list(case_drafts_of_citizen(user=user)[:20]),
        "documents": document_titles(documents_of(user)[:5]),
    }


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = _run(
            form,
            lambda: services.citizen_register(
                nik=data["nik"],
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                password=data["password"],
                email=data["email"] or None,
                phone=data["phone"] or None,
                address=client_address(request),
            ),
        )
        if result is not None:
            login(request, result.user, backend=LOGIN_BACKEND)
            if result.registry_verified:
                messages.success(request, _("Welcome! Your identity is confirmed by the population registry."))
            else:
                messages.info(
                    request,
                    _(
                        "Welcome! Your NIK is not in this city's registry yet: you can send "
                        "complaints, but services that need registry data are closed to you."
                    ),
                )
            return redirect("web:verify")
    return render(request, "web/signup.html", {"form": form}, status=_status(form))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@require_http_methods(["GET", "POST"])
@never_cache
def signin(request: HttpRequest) -> HttpResponse:
    """Sign in: a citizen in one step; a staff member whose role needs a second factor is asked for the code next.
    Between the two steps the login and the password (encrypted) wait in the session for PENDING_SECONDS, never in
    the page; the second step takes them out whatever its answer."""
    second_step = "totp" in request.POST
    pending = _pending_sign_in(request) if second_step else None
    if second_step and pending is None:  # too late, or no first step: start again
        form = SignInForm({})
        form.full_clean()
        form.errors.clear()  # not the fields' "required": the one sentence below says what to do
        form.add_error(None, _("Your sign-in took too long. Enter your login and password again."))
        return render(request, "web/signin.html", {"form": form, "next": _safe_next(request)}, status=422)
    form = SignInForm(_posted(request), ask_code=second_step)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, **(pending or {})}
        try:
            user = services.sign_in_check(
                login=data["login"],
                password=data["password"],
                totp=data.get("totp") or None,
                address=client_address(request),
            )
        except DomainError as exc:
            if exc.code == "totp_required" and not form.ask_code:  # the second step, not an error
                request.session[PENDING_SIGN_IN] = {
                    "login": data["login"],
                    "password": crypto.encrypt(data["password"]),
                    "until": time.time() + PENDING_SECONDS,
                }
                form = SignInForm(ask_code=True)
                return render(request, "web/signin.html", {"form": form, "next": _safe_next(request)})
            if form.ask_code and exc.code == "sign_in_failed":  # the password or the code: both asked again
                form = SignInForm({"login": data["login"]})
                form.full_clean()
                form.errors.pop("password", None)
                exc = DomainError(_("The password or the code is wrong. Enter them again."), code=exc.code)
            _apply_errors(form, exc)
            form.error_status = exc.status  # type: ignore[attr-defined]
            form.locked_out = isinstance(exc, TooManyAttempts)  # type: ignore[attr-defined]
            user = None
        if user is not None:
            login(request, user, backend=LOGIN_BACKEND)
            default = "web:backoffice" if user.kind == user.STAFF else "web:home"
            return redirect(_safe_next(request) or reverse(default))
    return render(request, "web/signin.html", {"form": form, "next": _safe_next(request)}, status=_status(form))


PENDING_SIGN_IN = "kotalive_pending_sign_in"
PENDING_SECONDS = 300  # the time a staff member has to type the authenticator code


def _pending_sign_in(request: HttpRequest) -> dict[str, str] | None:
    """The first step's login and password, taken out of the session; None when there is none or it is too old."""
    pending = request.session.pop(PENDING_SIGN_IN, None)
    if not isinstance(pending, dict) or float(pending.get("until", 0)) < time.time():
        return None
    return {"login": str(pending["login"]), "password": crypto.decrypt(str(pending["password"]))}


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("web:home")


def _unverified(user: User) -> list[tuple[str, str]]:
    """The contacts of `user` still to verify, phone first, as (channel, where the code went)."""
    found = []
    if user.phone and not user.phone_verified_at:
        found.append(("phone", user.phone))
    if user.email and not user.email_verified_at:
        found.append(("email", user.email))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Verify the contacts one at a time: the page asks for the code sent to the next unverified one."""
    user = signed_in_user(request)
    waiting = _unverified(user)
    if not waiting:
        messages.info(request, _("Every contact is already verified."))
        return redirect("web:profile")
    channel, destination = waiting[0]
    form = VerifyForm(_posted(request))
    if request.method == "POST" and "resend" in request.POST:
        sent = services.contact_codes_resend(user=user)
        messages.info(
            request,
            _("New codes sent to: %(list)s") % {"list": ", ".join(s["destination"] for s in sent)}
            if sent
            else _("Every contact is already verified."),
        )
        return redirect("web:verify")
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.contact_verify(user=user, channel=channel, code=form.cleaned_data["code"]))
        if done is not None:
            if len(waiting) > 1:
                messages.success(request, _("Thank you, your phone number is verified. Now your e-mail address."))
                return redirect("web:verify")
            messages.success(request, _("Thank you, your contact is verified."))
            return redirect("web:profile")
    context = {
        "form": form,
        "debug": settings.DEBUG,
        "channel": channel,
        "destination": destination,
        "step": len(_contacts(user)) - len(waiting) + 1,
        "steps": len(_contacts(user)),
    }
    return render(request, "web/verify.html", context, status=_status(form))


def _contacts(user: User) -> list[str]:
    return [c for c in (user.phone, user.email) if c]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "web/profile.html", {"profile": profile_for(user=signed_in_user(request))})


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        login_value = form.cleaned_data["login"]

        def request_code() -> bool:
            services.password_reset_request(login=login_value, address=client_address(request))
            return True

        if _run(form, request_code):
            messages.info(request, _("If an account exists for this login, a code was sent to its contact."))
            return redirect(reverse("web:password-reset-confirm") + "?" + urlencode({"login": login_value}))
    return render(request, "web/password_reset.html", {"form": form}, status=_status(form))


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = ResetConfirmForm(_posted(request), initial={"login": request.GET.get("login", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            form,
            lambda: services.password_reset_confirm(
                login=data["login"], code=data["code"], new_password=data["new_password"]
            ),
        ):
            messages.success(request, _("Your password is changed. Sign in with the new one."))
            return redirect("web:signin")
    return render(request, "web/password_reset_confirm.html", {"form": form}, status=_status(form))


# The officer's queue, counted by the open state categories, in this order.
QUEUE_CATEGORIES = (SUBMITTED, IN_PROGRESS, AWAITING_CITIZEN, AWAITING_AGENCY)
PLATFORM_STAFF = {StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN}


@login_required
def backoffice(request: HttpRequest) -> HttpResponse:
    """The back office's home page: for agency staff their queue with counts, what is late or at risk, what is
    assigned to them and the coordination requests waiting for their agency; for the Live Room's operators the
    triage queue and the health of the integrations; then the tools their roles open."""
    user = staff_user(request)
    roles = user_staff_roles(user=user)
    platform = {r.role for r in roles if r.agency_id is None}
    in_agency = any(r.agency_id is not None for r in roles)
    integration = bool(
        platform & {StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.AUDITOR}
        or any(r.role == StaffRole.AGENCY_ADMIN for r in roles)
    )
    context: dict[str, Any] = {
        "roles": roles,
        "agencies": user_agencies(user=user),
        "manages_calendar": bool(platform & PLATFORM_STAFF),
        "integration": integration,
        "agreements": may_manage_agreements(user),
        "live_room": bool(platform & PLATFORM_STAFF),
        "dashboard": bool(
            platform & {StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.LEADERSHIP, StaffRole.AUDITOR}
        ),
    }
    if in_agency:
        late_or_at_risk = cases_late_or_at_risk(user=user)
        waiting, requests = coordination_waiting_for(user=user)
        context["officer"] = {
            "queues": [
                {
                    "queue": q,
                    "rows": [(code, category_label(code), q.by_category.get(code, 0)) for code in QUEUE_CATEGORIES],
                }
                for q in agency_queues(user=user)
            ],
            "late": [
                (c, state_label(c), sla_label(c.sla_status, staff=True), c.sla_status == Case.BREACHED)
                for c in late_or_at_risk
            ],
            "assigned": [(c, state_label(c)) for c in cases_assigned_to(user=user)],
            "coordination_waiting": waiting,
            "coordination": [(r, state_label(r), kind_label(r.kind)) for r in requests],
        }
        report_queues = agency_report_queues(user=user)
        if report_queues:  # a liaison's or head's reports, beside the applications
            labels = report_state_labels()
            context["officer"]["reports"] = [
                {
                    "queue": q,
                    "rows": [(code, label, q.by_state[code]) for code, label in labels.items() if code in q.by_state],
                }
                for q in report_queues
            ]
    if platform:
        triage = triage_summary(user=user)
        health = integration_health(actor=user) if integration else None
        if triage is not None or health is not None:
            context["operator"] = {"triage": triage, "health": health}
    return render(request, "web/backoffice.html", context)


@login_required
def backoffice_agency(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if agency.code not in {a.code for a in user_agencies(user=user)}:
        refuse(page=_("The back office of %(agency)s") % {"agency": agency.code}, agency=agency)
    roles = [r for r in user_staff_roles(user=user) if r.agency_id == agency.pk]
    return render(
        request,
        "web/backoffice_agency.html",
        {
            "agency": agency,
            "roles": roles,
            "units": agency.units.all(),
            "manages_staff": user_may_manage_staff(user=user, agency=agency),
            "edits_services": may_edit_services(user=user, agency=agency),
            "heads": any(r.role == StaffRole.HEAD for r in roles),
        },
    )


def _managed_agency(request: HttpRequest, code: str) -> Agency:
    """The agency whose staff the signed-in administrator may manage; 404 when there is no such agency (and for a
    citizen), 403 for another member of staff, with who grants the role that opens the page."""
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if not user_may_manage_staff(user=user, agency=agency):
        refuse(
            page=_("The staff page of %(agency)s") % {"agency": agency.code},
            roles=[StaffRole.AGENCY_ADMIN, StaffRole.PLATFORM_ADMIN],
            agency=agency,
        )
    return agency


@login_required
@require_http_methods(["GET", "POST"])
def backoffice_staff(request: HttpRequest, code: str) -> HttpResponse:
    agency = _managed_agency(request, code)
    form = StaffMemberForm(_posted(request), roles=StaffRole.AGENCY_ROLES)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = _run(
            form,
            lambda: staff_member_add(
                actor=signed_in_user(request),
                agency=agency,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                email=data["email"] or None,
            ),
        )
        if created is not None:
            form = StaffMemberForm(roles=StaffRole.AGENCY_ROLES)
    context = {"agency": agency, "grants": agency_staff_roles(agency=agency), "form": form, "created": created}
    return render(request, "web/backoffice_staff.html", context, status=_status(form))


@login_required
@require_POST
def backoffice_staff_revoke(request: HttpRequest, code: str, grant_id: int) -> HttpResponse:
    """Revoke one role, after a confirmation page that names the person and the role."""
    agency = _managed_agency(request, code)
    grant = next((g for g in agency_staff_roles(agency=agency) if g.pk == grant_id), None)
    if grant is None:
        raise Http404
    back = reverse("web:backoffice-staff", kwargs={"code": agency.code})
    if not confirmed(request):
        names = {"role": grant.get_role_display(), "name": grant.user.full_name, "agency": agency.code}
        return confirmation_page(
            request,
            title=_("Revoke the role: are you sure?"),
            consequence=_(
                "%(name)s will no longer work as %(role)s in %(agency)s, from the next page they open. "
                "To give the role back, add it again."
            )
            % names,
            confirm_label=_("Yes: revoke the role"),
            back_url=back,
        )
    staff_role_revoke(actor=signed_in_user(request), grant=grant)
    messages.info(request, _("The role is revoked."))
    return redirect(back)


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def dev_outbox(request: HttpRequest) -> HttpResponse:
    """Messages the "log" channel kept (one-time codes), for development only: with DEBUG on, and only to a browser
    on this machine (the connection's own address, never a forwarded one), since every code of every account is
    on it."""
    proxied = "HTTP_X_FORWARDED_FOR" in request.META  # a proxy on this machine would make everyone look local
    if not settings.DEBUG or proxied or not _loopback(request.META.get("REMOTE_ADDR", "")):
        raise Http404
    return render(request, "web/dev_outbox.html", {"messages_sent": DevOutboxMessage.objects.all()[:50]})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page (config.urls.handler404): the site's header, what happened in a sentence, and ways on."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page (config.urls.handler403): that this person's roles do not open the page, which roles do, and
    whom to ask for one (an agency administrator of the agency; a platform administrator for platform roles)."""
    labels = dict(StaffRole.AGENCY_ROLES + StaffRole.PLATFORM_ROLES)
    refused = exception if isinstance(exception, AccessRefused) else None
    context: dict[str, Any] = {"page": refused.page if refused else "", "agency": refused.agency if refused else None}
    roles = refused.roles if refused else []
    context["roles"] = [str(labels.get(role, "")) for role in roles if role in labels]
    platform_only = bool(roles) and all(role in dict(StaffRole.PLATFORM_ROLES) for role in roles)
    context["ask_platform"] = platform_only
    context["admin_role"] = labels[StaffRole.PLATFORM_ADMIN if platform_only else StaffRole.AGENCY_ADMIN]
    user = request.user
    if not platform_only and isinstance(user, User) and user.kind == User.STAFF:
        # Whom to ask: the administrators of the page's agency, or else of the agencies the person works for.
        agencies = [refused.agency] if refused and refused.agency else []
        if not agencies:
            agencies = [r.agency for r in user_staff_roles(user=user) if r.agency is not None]
        admins = [
            g.user.full_name
            for agency in {a.pk: a for a in agencies}.values()
            for g in agency_staff_roles(agency=agency)
            if g.role == StaffRole.AGENCY_ADMIN
        ]
        context["admins"] = sorted(set(admins))[:5]
        context["admin_agencies"] = sorted({a.code for a in agencies})
    return render(request, "403.html", context, status=403)
