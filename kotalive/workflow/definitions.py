"""Workflow definitions are data: states with a canonical category, and transitions with roles and rules.

A definition document looks like `workflow/data/dukcapil-standard.json`:
    {"initial": "submitted",
     "states": [{"code": "submitted", "category": "submitted", "label": {"id": "...", "en": "..."},
                 "sla_working_days": 1}, ...],
     "transitions": [{"action": "verify", "from": ["submitted"], "to": "processing", "roles": ["verifier"],
                      "reason_required": false, "document_required": false, "guard": null, "event": "verified",
                      "label": {"id": "...", "en": "..."}}, ...]}
`validate_definition` checks it before it is saved, so a running case never meets a broken definition.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

DRAFT, SUBMITTED, IN_PROGRESS, AWAITING_CITIZEN, AWAITING_AGENCY, COMPLETED, REJECTED, CANCELLED = (
    "draft",
    "submitted",
    "in_progress",
    "awaiting_citizen",
    "awaiting_agency",
    "completed",
    "rejected",
    "cancelled",
)
CATEGORIES = (DRAFT, SUBMITTED, IN_PROGRESS, AWAITING_CITIZEN, AWAITING_AGENCY, COMPLETED, REJECTED, CANCELLED)
TERMINAL = frozenset({COMPLETED, REJECTED, CANCELLED})
# The three words citizens see everywhere, whatever the agency calls its states.
PUBLIC_STATUS = {
    DRAFT: "draf",
    SUBMITTED: "menunggu",
    IN_PROGRESS: "proses",
    AWAITING_CITIZEN: "proses",
    AWAITING_AGENCY: "proses",
    COMPLETED: "selesai",
    REJECTED: "selesai",
    CANCELLED: "selesai",
}
WAITING_STATE = "awaiting_agency"  # the kernel's state for a subject that waits on another agency's answer
WAITING_LABEL = {"id": "Menunggu jawaban instansi lain", "en": "Waiting for another agency"}
APPLICANT = "applicant"  # the citizen who filed; the other roles are agency staff roles
GUARDS = frozenset({"documents_complete"})
# The transition effects the engine knows (what each does: kotalive/workflow/effects.py).
HOLDER_EFFECTS = frozenset(
    {"holder_leave", "holder_take", "holder_clear", "holder_again", "holder_accept", "helpers_add", "helpers_release"}
)
CLOCK_EFFECTS = frozenset({"clock_start", "clock_stop", "clock_pause", "clock_resume"})
EFFECTS = HOLDER_EFFECTS | CLOCK_EFFECTS
# Effects a subject kind adds (`kind_effect`, from its AppConfig.ready()): what only that kind knows how to do, such
# as issuing an application's output document (`output_issue`), declared in the definition like the engine's own.
# Each runs after the step is recorded, in the transaction: function(subject, effect, actor=..., step=...).
KIND_EFFECTS: dict[str, Callable[..., object]] = {}


def kind_effect(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register the function that carries out effect `name` for the subjects whose definitions declare it."""

    def register(function: Callable[..., object]) -> Callable[..., object]:
        if name in EFFECTS:
            raise RuntimeError(f"effect {name!r} is the engine's own")
        KIND_EFFECTS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    reason_required: bool
    document_required: bool
    guard: str | None
    event: str
    label: dict[str, str]
    effects: tuple[dict[str, Any], ...] = ()  # what the move does besides the state (workflow.effects)

    def has(self, effect: str) -> bool:
        return any(e["effect"] == effect for e in self.effects)

    def has_holder_effect(self) -> bool:
        return any(e["effect"] in HOLDER_EFFECTS for e in self.effects)


@dataclass(frozen=True)
class State:
    code: str
    category: str
    label: dict[str, str]
    sla_working_days: int | None
    public_status: str  # the word citizens see: the category's unless the definition names another
    # {"days": n, "action": a, "name": event field}: the system takes `a` when the subject sat here n days.
    timeout: dict[str, Any] | None = None


DESTRUCTIVE_CATEGORIES = frozenset({"rejected", "cancelled"})

SUBJECTS = (
    "case",
    "complaint",
    "coordination",
    "bundle",
)  # what a definition runs on; its events are <subject>.<event>


class Definition:
    """A parsed, validated definition document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.initial: str = document["initial"]
        self.subject: str = document.get("subject", "case")
        self.states = {
            s["code"]: State(
                s["code"],
                s["category"],
                s.get("label", {}),
                s.get("sla_working_days"),
                s.get("public_status") or PUBLIC_STATUS[s["category"]],
                s.get("timeout"),
            )
            for s in document["states"]
        }
        # Every kind may wait on another agency (a blocking coordination request): the kernel's own state, added
        # unless the definition names it (workflow.waiting moves a subject in and back out).
        self.states.setdefault(
            WAITING_STATE,
            State(WAITING_STATE, AWAITING_AGENCY, dict(WAITING_LABEL), None, PUBLIC_STATUS[AWAITING_AGENCY]),
        )
        self.transitions = [
            Transition(
                action=t["action"],
                sources=tuple(t["from"]),
                target=t["to"],
                roles=frozenset(t.get("roles", [])),
                reason_required=bool(t.get("reason_required")),
                document_required=bool(t.get("document_required")),
                guard=t.get("guard"),
                event=t.get("event") or t["action"],
                label=t.get("label", {}),
                effects=tuple(t.get("effects") or ()),
            )
            for t in document["transitions"]
        ]
        # The subject's first clock, when the definition sets it (a report's 3 working days in the Live Room);
        # otherwise the kind sets it (an application's from its service).
        self.sla_working_days: int | None = document.get("sla_working_days")

    def timeouts(self) -> dict[str, dict[str, Any]]:
        """{state: its timeout} for the states that have one."""
        return {code: s.timeout for code, s in self.states.items() if s.timeout}

    def category(self, state: str) -> str:
        return self.states[state].category

    def find(self, *, action: str, state: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action and state in t.sources), None)

    def available(self, *, state: str, roles: set[str]) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources and t.roles & roles]

    def destructive(self, transition: Transition) -> bool:
        """Whether a move ends the subject against its purpose: to a rejected or cancelled state (a rejection, a
        cancellation, a report merged into another). Pages show it as the lesser action and ask for confirmation."""
        return self.states[transition.target].category in DESTRUCTIVE_CATEGORIES


def validate_effects(action: str, effects: Any) -> list[str]:
    """Every reason the effects of transition `action` cannot run."""
    if effects is None:
        return []
    if not isinstance(effects, list):
        return [_("transition %(action)s: effects must be a list") % {"action": action}]
    errors: list[str] = []
    for effect in effects:
        name = effect.get("effect") if isinstance(effect, dict) else None
        if name not in EFFECTS and name not in KIND_EFFECTS:
            errors.append(_("transition %(action)s has unknown effect %(effect)s") % {"action": action, "effect": name})
            continue
        if name == "clock_start":
            days = effect.get("working_days")
            same = days == "same"  # a new clock as long as the subject's own (after a pause for the asker)
            if not same and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
                errors.append(
                    _("transition %(action)s: clock_start needs working_days, a whole number of 0 or more")
                    % {"action": action}
                )
    return errors


def validate_definition(document: Any) -> list[str]:
    """Every reason the document cannot run; empty when it can."""
    if not isinstance(document, dict):
        return [_("the definition must be a JSON object")]
    errors: list[str] = []
    states = document.get("states")
    transitions = document.get("transitions")
    if not isinstance(states, list) or not states:
        return [_("states must be a non-empty list")]
    if not isinstance(transitions, list):
        return [_("transitions must be a list")]
    if document.get("subject", "case") not in SUBJECTS:
        errors.append(_("subject must be one of %(all)s") % {"all": ", ".join(SUBJECTS)})
    codes: dict[str, str] = {}
    for state in states:
        code, category = state.get("code"), state.get("category")
        if not code:
            errors.append(_("a state has no code"))
            continue
        if code in codes:
            errors.append(_("state %(code)s is defined twice") % {"code": code})
        if category not in CATEGORIES:
            errors.append(
                _("state %(code)s has category %(category)s, not one of %(all)s")
                % {"code": code, "category": category, "all": ", ".join(CATEGORIES)}
            )
        sla = state.get("sla_working_days")
        if sla is not None and (not isinstance(sla, int) or sla < 0):
            errors.append(_("state %(code)s: sla_working_days must be a whole number of 0 or more") % {"code": code})
        public = state.get("public_status")
        if public is not None and public not in set(PUBLIC_STATUS.values()):
            errors.append(
                _("state %(code)s: public_status must be one of %(all)s")
                % {"code": code, "all": ", ".join(sorted(set(PUBLIC_STATUS.values())))}
            )
        codes[code] = category
    initial = document.get("initial")
    if initial not in codes:
        errors.append(_("the initial state %(code)s is not defined") % {"code": initial})
    if not any(category in TERMINAL for category in codes.values()):
        errors.append(_("no terminal state (completed, rejected or cancelled)"))
    graph: dict[str, set[str]] = {code: set() for code in codes}
    seen_actions: set[tuple[str, str]] = set()
    for position, t in enumerate(transitions, start=1):
        action = t.get("action") or f"#{position}"
        if not t.get("roles"):
            errors.append(_("transition %(action)s has no role that may take it") % {"action": action})
        if t.get("to") not in codes:
            errors.append(
                _("transition %(action)s goes to unknown state %(state)s") % {"action": action, "state": t.get("to")}
            )
        errors.extend(validate_effects(action, t.get("effects")))
        if t.get("guard") and t["guard"] not in GUARDS:
            errors.append(
                _("transition %(action)s has unknown guard %(guard)s") % {"action": action, "guard": t["guard"]}
            )
        for source in t.get("from") or []:
            if source not in codes:
                errors.append(
                    _("transition %(action)s starts from unknown state %(state)s") % {"action": action, "state": source}
                )
                continue
            if codes[source] in TERMINAL:
                errors.append(
                    _("transition %(action)s leaves terminal state %(state)s") % {"action": action, "state": source}
                )
            if (action, source) in seen_actions:
                errors.append(
                    _("action %(action)s is defined twice from state %(state)s") % {"action": action, "state": source}
                )
            seen_actions.add((action, source))
            if t.get("to") in codes:
                graph[source].add(t["to"])
        if not t.get("from"):
            errors.append(_("transition %(action)s starts from no state") % {"action": action})
    if initial in codes:
        reached, queue = {initial}, deque([initial])
        while queue:
            for nxt in graph[queue.popleft()] - reached:
                reached.add(nxt)
                queue.append(nxt)
        for code in codes:
            if code not in reached:
                errors.append(_("state %(code)s cannot be reached from the initial state") % {"code": code})
    for state in states:
        timeout = state.get("timeout")
        if timeout is None or not state.get("code"):
            continue
        days, action = (timeout.get("days"), timeout.get("action")) if isinstance(timeout, dict) else (None, None)
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            errors.append(
                _("state %(code)s: the timeout needs days, a whole number of 1 or more") % {"code": state["code"]}
            )
        if not any(
            t.get("action") == action and state["code"] in (t.get("from") or []) and "system" in (t.get("roles") or [])
            for t in transitions
        ):
            errors.append(
                _("state %(code)s: the timeout action %(action)s is not a transition the system may take from it")
                % {"code": state["code"], "action": action}
            )
    for code, category in codes.items():
        if category not in TERMINAL and not graph[code]:
            errors.append(_("state %(code)s is not terminal but has no way out") % {"code": code})
    return errors
