"""Reconciliation: ask an agency system which states it holds for the agency's open cases, report every drift, and
repair what is safe to repair.

The agency system answers `POST <reconcile_url>` with body `{"agency": "<code>", "cases": ["<tracking>", ...]}`
by `{"cases": [{"tracking": "...", "state": "...", "version": 3}, ...]}` (the state and version it last applied).

- missing: the system does not know an open case -> repaired: every event of the case is queued again to the
  agency's webhook subscriptions (receivers deduplicate by webhook-id, so re-sending is safe).
- behind: its version is older than KotaLIVE's -> repaired the same way.
- ahead or different: it claims a version or state KotaLIVE never had -> reported only: a person (or the system,
  through the API) must take the action, because guessing a transition is not safe.
- unknown: it reports a tracking number that is not an open case of the agency -> reported only.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.agencies.models import Agency
from kotalive.cases.models import Case
from kotalive.cases.selectors import OPEN_CATEGORIES
from kotalive.core.audit import audit_record
from kotalive.core.errors import ValidationFailed
from kotalive.core.httpclient import Client
from kotalive.core.ssrf import destination_vet
from kotalive.events.models import OutboxEvent, WebhookDelivery, WebhookSubscription, audience_agencies
from kotalive.events.queues import deliveries_enqueue, queue_lock

ANSWER_LIMIT = 1024 * 1024
PAGE_SIZE = 500


@dataclass
class Drift:
    tracking: str
    kind: str  # missing | behind | ahead | different | unknown
    ours: str
    theirs: str
    repaired: bool


@dataclass
class Report:
    agency: str
    checked: int = 0
    drifts: list[Drift] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "checked": self.checked, "drifts": [vars(d) for d in self.drifts]}


def _ask(url: str, agency: Agency, trackings: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    destination = destination_vet(url)  # the request connects to the addresses checked here
    body = json.dumps({"agency": agency.code, "cases": trackings}).encode()
    answer = Client().post(destination, body, {"content-type": "application/json"}, timeout, max_body=ANSWER_LIMIT)
    if answer.status != 200:
        raise ValidationFailed({"url": [_("the agency system answered HTTP %(status)s") % {"status": answer.status}]})
    try:
        cases = json.loads(answer.body)["cases"]
        return {str(c["tracking"]): c for c in cases}
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed({"url": [_("the agency system's answer is not the expected JSON")]}) from None


def _resend(case: Case, subscriptions: list[WebhookSubscription]) -> bool:
    events = list(OutboxEvent.objects.filter(subject=case.tracking, position__isnull=False).order_by("sequence"))
    if not subscriptions or not events:
        return False
    also = audience_agencies(events)
    with transaction.atomic():
        queue_lock()
        deliveries_enqueue(
            [
                WebhookDelivery(subscription=s, event=e, subject=e.subject, sequence=e.sequence)
                for s in subscriptions
                for e in events
                if s.wants(e, also.get(e.pk, frozenset()))
            ]
        )
    return True


def reconcile(*, agency: Agency, url: str, timeout: float = 30.0, repair: bool = True) -> Report:
    """Compare, report and (unless repair=False) repair. Cases are asked for in pages of PAGE_SIZE."""
    report = Report(agency=agency.code)
    subscriptions = list(
        WebhookSubscription.objects.filter(agency=agency, status=WebhookSubscription.ACTIVE).select_related("agency")
    )
    open_cases = list(
        Case.objects.filter(agency=agency, state_category__in=OPEN_CATEGORIES)
        .order_by("tracking")
        .only("tracking", "state", "version")
    )
    for start in range(0, max(len(open_cases), 1), PAGE_SIZE):
        page = open_cases[start : start + PAGE_SIZE]
        theirs = _ask(url, agency, [c.tracking for c in page], timeout) if page else {}
        report.checked += len(page)
        known = {c.tracking for c in page}
        for case in page:
            held = theirs.get(case.tracking)
            ours = f"{case.state} v{case.version}"
            if held is None:
                report.drifts.append(
                    Drift(case.tracking, "missing", ours, "-", repair and _resend(case, subscriptions))
                )
                continue
            version, state = int(held.get("version", 0)), str(held.get("state", ""))
            described = f"{state} v{version}"
            if version < case.version:
                report.drifts.append(
                    Drift(case.tracking, "behind", ours, described, repair and _resend(case, subscriptions))
                )
            elif version > case.version:
                report.drifts.append(Drift(case.tracking, "ahead", ours, described, False))
            elif state != case.state:
                report.drifts.append(Drift(case.tracking, "different", ours, described, False))
        for tracking in sorted(set(theirs) - known):
            report.drifts.append(Drift(tracking, "unknown", "-", str(theirs[tracking].get("state", "")), False))
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label="reconcile",
            action="integration.reconciled",
            obj=agency,
            data={"checked": report.checked, "drifts": len(report.drifts)},
        )
    return report
