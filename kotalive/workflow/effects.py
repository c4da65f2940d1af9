"""Transition effects: what a move does besides changing state, declared per transition in the workflow definition
(`"effects": [{"effect": "holder_take"}, {"effect": "clock_start", "working_days": 5}, ...]`) and applied by the
engine (workflow.services.transition), so services hold no `if action == ...` chains and a new kind reuses them.

Holder effects (the agency the subject is with; workflow.holders keeps each holder's stretch):
- `holder_leave` {"outcome"}: the lead agency's stretch ends (the event gets `seconds_at_agency`, `from_agency`;
  the agency left hears of this event);
- `holder_take`: the agency the caller names becomes the lead (`to_agency`); a new stretch starts;
- `holder_clear`: the platform operator holds the subject again (no agency);
- `holder_again`: the same lead agency works on it again (a new stretch, accepted at once);
- `holder_accept`: the lead agency acknowledges it (its stretch's accepted_at);
- `helpers_add`: the helper agencies the caller names start helping (they hear of this event);
- `helpers_release` {"outcome"}: every helper's stretch ends (they still hear of this event).
Clock effects (the subject's SLA clock, on working days; waiting for the citizen pauses it by its category):
- `clock_start` {"working_days"}: a new clock for the new holder ("same": as long as the subject's own clock);
- `clock_stop`: the clock ends now, met or missed (the subject goes on without one, e.g. awaiting a check);
- `clock_pause`, `clock_resume`: the clock stops counting while someone outside the holder is asked (an asking
  agency asked back), and counts again with the due date moved by the working days it was paused (waiting for
  the citizen pauses and resumes by the state's category, without an effect).
Entering a terminal state ends every holder's stretch (outcome "closed") without an effect saying so. A state may
declare a timeout (`"timeout": {"days": 10, "action": "close_unconfirmed", "name": "confirm_by"}`): entering it
sets the subject's timeout_at; the kernel's sweep takes the action for the system when it passes.
Kind effects (workflow.definitions.kind_effect): what a subject kind registers, such as `output_issue` (an
application's output document, kotalive/cases/outputs.py); they run last, after the step is recorded.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kotalive.workflow import holders
from kotalive.workflow.definitions import KIND_EFFECTS
from kotalive.workflow.models import Holding, WorkflowSubject
from kotalive.workflow.sla import sla_pause, sla_resume, sla_start, sla_stop


@dataclass
class Outcome:
    """What the holder effects produced: data for the step's event, and agencies that hear of it besides the
    subject's own audience (the agency it left, helpers just named or released)."""

    data: dict[str, Any] = field(default_factory=dict)
    also: set[str] = field(default_factory=set)


def holder_effects_apply(
    subject: WorkflowSubject,
    effects: list[dict[str, Any]],
    *,
    now: dt.datetime,
    reason: str,
    holder: Any = None,
    helpers: list[Any] | tuple[Any, ...] = (),
) -> Outcome:
    """Apply the holder effects in the order the definition lists them (before the step is written, so its event
    names the new holder). `holder` is the agency a `holder_take` hands to, `helpers` those `helpers_add` adds."""
    out = Outcome()
    for effect in effects:
        name = effect["effect"]
        if name == "holder_leave":
            previous = subject.holder_agency()
            seconds, _codes = holders.holding_close(
                subject, now=now, outcome=str(effect.get("outcome", "left")), reason=reason
            )
            out.data["seconds_at_agency"] = seconds
            out.data["from_agency"] = previous.code if previous is not None else None
            if previous is not None:
                out.also.add(previous.code)
        elif name == "holder_take":
            if holder is None:
                raise ValueError("holder_take needs the agency to hand to")
            subject.holder_agency_set(holder, now=now)
            holders.holding_open(subject, agency_id=holder.pk, now=now)
            out.data["to_agency"] = holder.code
        elif name == "holder_clear":
            subject.holder_agency_set(None, now=now)
        elif name == "holder_again":
            current = subject.holder_agency()
            if current is not None:
                holders.holding_open(subject, agency_id=current.pk, now=now, accepted=True)
        elif name == "holder_accept":
            holders.holding_accept(subject, now=now)
        elif name == "helpers_add":
            lead = subject.holder_agency()
            added = [h for h in helpers if lead is None or h.pk != lead.pk]
            for helper in added:
                holders.holding_open(subject, agency_id=helper.pk, now=now, role=Holding.SUPPORT)
            out.data["supports"] = [h.code for h in helpers]
            out.also |= {h.code for h in added}
        elif name == "helpers_release":
            _seconds, codes = holders.holding_close(
                subject, now=now, outcome=str(effect.get("outcome", "released")), role=Holding.SUPPORT
            )
            out.also |= codes
    return out


def clock_effects_apply(subject: WorkflowSubject, effects: list[dict[str, Any]], *, now: dt.datetime) -> None:
    """Apply the clock effects (after the state moved, so a new clock wins over the category's pause rule)."""
    for effect in effects:
        if effect["effect"] == "clock_start":
            days = effect["working_days"]
            sla_start(subject, now=now, working_days=subject.sla_working_days if days == "same" else int(days))
        elif effect["effect"] == "clock_stop":
            sla_stop(subject, now=now)
        elif effect["effect"] == "clock_pause":
            sla_pause(subject, now=now)
        elif effect["effect"] == "clock_resume":
            sla_resume(subject, now=now)


def kind_effects_apply(subject: WorkflowSubject, effects: list[dict[str, Any]], *, actor: Any, step: Any) -> None:
    """Run the kind effects the transition declares, in order (after its step is recorded, same transaction)."""
    for effect in effects:
        function = KIND_EFFECTS.get(effect["effect"])
        if function is not None:
            function(subject, effect, actor=actor, step=step)
