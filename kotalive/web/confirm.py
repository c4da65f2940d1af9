"""A confirmation step before a destructive action (cancel, reject, revoke, merge, discard): the action's form posts
once, the page answers "are you sure?" with what will happen, and only the second post, carrying `confirmed`, acts.
Works without JavaScript; the fields the person typed (a reason) travel along unchanged."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kotalive.catalogue.models import localised
from kotalive.workflow.definitions import Definition

CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    """Whether this post is the answer "yes" of a confirmation page."""
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(
    request: HttpRequest, *, title: str, consequence: str, confirm_label: str, back_url: str
) -> HttpResponse:
    """The "are you sure?" page: `consequence` says what happens and whether it can be undone; its button posts the
    same fields again to the same address with `confirmed`; "No, go back" returns to `back_url` and changes nothing."""
    fields = [(name, value) for name, values in request.POST.lists() for value in values]
    fields = [(name, value) for name, value in fields if name not in ("csrfmiddlewaretoken", CONFIRMED)]
    context = {
        "title": title,
        "consequence": consequence,
        "confirm_label": confirm_label,
        "back_url": back_url,
        "fields": fields,
        "action_url": request.get_full_path(),
    }
    return render(request, "web/confirm.html", context)


def transition_confirmation(
    request: HttpRequest, *, definition: Definition, state: str, what: str, back_url: str
) -> HttpResponse | None:
    """The confirmation page when the posted workflow `action` is destructive (definition.destructive) and not yet
    confirmed; None when the action may go ahead (or is not destructive, or lacks its required reason: the service's
    refusal says so first). `what` names the subject ("application SIAK-...", "report LAKSA-...")."""
    transition = definition.find(action=request.POST.get("action", ""), state=state)
    if transition is None or not definition.destructive(transition) or confirmed(request):
        return None
    if transition.reason_required and not request.POST.get("reason", "").strip():
        return None
    action = localised(transition.label) or transition.action
    outcome = localised(definition.states[transition.target].label)
    return confirmation_page(
        request,
        title=_("%(action)s: are you sure?") % {"action": action},
        consequence=_("%(what)s will end as “%(outcome)s”. This cannot be undone.")
        % {"what": what, "outcome": outcome},
        confirm_label=_("Yes: %(action)s") % {"action": action},
        back_url=back_url,
    )


def destructive_last(actions: list[dict[str, Any]], *, definition: Definition, state: str) -> list[dict[str, Any]]:
    """A subject's moves as its page lists them (dicts with "action"), each marked `destructive` from the workflow
    definition: the ones that take it forward first, those that end it against its purpose (reject, merge, decline,
    withdraw, cancel) last, shown as the lesser button and confirmed before they act (transition_confirmation)."""

    def ends_it(action: str) -> bool:
        transition = definition.find(action=action, state=state)
        return transition is not None and definition.destructive(transition)

    marked = [{**a, "destructive": ends_it(a["action"])} for a in actions]
    return sorted(marked, key=lambda a: a["destructive"])
