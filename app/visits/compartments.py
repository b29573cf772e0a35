"""Who sees what of a visitor: the compartments of docs/privacy.md (German social-data secrecy).

Pure: no FastAPI, no SQLAlchemy, no I/O. Everything staff see of a visit (the desk's
queue, its status, the desk socket's snapshot and events, the desk actions' answers,
the visitor card) passes through `redact_visit` (or `redact_event`) first.

The rule, per visit and per viewing agency:
- An agency is *involved* when the visit has or had a step for it (any status).
- Involved agencies always see what they need to serve: ticket, language, status,
  where the visitor is now, `leave_by`, the priority flags, and their own steps with
  their notes (and the referral reasons and holds on those steps).
- Only with the visitor's consent (`consent_share`) do involved agencies also see the
  answers (residence status, town, age, invitation code), the other agencies' steps and
  notes, the needs no present agency serves, and the shared note.
- An uninvolved agency sees what the waiting-room screen shows anyway (ticket,
  language, status, where the visitor is called to) and nothing else, consent or not:
  the visitor agreed to share with the agencies of their visit, not with every agency.
- Admins see everything; only the admin card route gives them that view, and every
  such read is audited. At a desk, an admin sees what that desk's agency sees.

`consent_share` itself is a processing flag, not an answer: every staff view carries
it (a desk must know whether it may write the shared note), the display never does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The visitor's personal answers at the kiosk: shared only with consent.
ANSWERS = ("residence_status", "municipality", "age", "invitation_code")
# What an involved agency needs to serve the visitor, with or without consent.
SERVING = ("leave_by", "priority")
# Other fields beyond the steps that name needs or hold free text about the visit.
SHARED_NOTE = "shared_note"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks: an agency (staff at one of its desks, or an admin at that desk), or an admin."""

    agency: str | None = None
    admin: bool = False

    @classmethod
    def of_agency(cls, agency: str) -> Viewer:
        return cls(agency=agency)


ADMIN = Viewer(admin=True)


@dataclass(frozen=True, slots=True)
class Sight:
    """What one viewer may see of one visit."""

    involved: bool  # ticket, language, status, current are always visible
    serving: bool  # leave_by, priority flags
    shared: bool  # answers, other agencies' steps and notes, unavailable needs, shared note
    agency: str | None

    def step(self, agency: str) -> bool:
        """Whether a step of this agency (with its note) is visible."""
        return self.shared or agency == self.agency


FULL = Sight(involved=True, serving=True, shared=True, agency=None)


def sight(viewer: Viewer, *, consent: bool, agencies: Iterable[str]) -> Sight:
    """What `viewer` may see of a visit with this consent and steps of these agencies."""
    if viewer.admin:
        return FULL
    involved = viewer.agency is not None and viewer.agency in set(agencies)
    return Sight(
        involved=involved, serving=involved, shared=involved and consent, agency=viewer.agency
    )


def agency_of(step: Any) -> str:
    """A step's agency, whether the step is a dict (event payload) or a model."""
    if isinstance(step, Mapping):
        return str(step.get("agency"))
    return str(step.agency)


def sight_of(visit: Mapping[str, Any], viewer: Viewer) -> Sight:
    steps = visit.get("steps") or []
    return sight(
        viewer,
        consent=bool(visit.get("consent_share")),
        agencies=(agency_of(s) for s in steps),
    )


def redact_visit(
    visit: Mapping[str, Any], viewer: Viewer
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A visit's fields as `viewer` may see them, and the personal fields it was shown.

    `visit` is a visit's fields (PublicVisit's, as attributes or as JSON); a missing
    `consent_share` counts as no consent. Hidden fields stay present, set to null (the
    steps and the unavailable needs filtered), so every response keeps its shape. The
    second value names the answers and notes actually shown (non-empty), for the audit.
    """
    seen = sight_of(visit, viewer)
    out = dict(visit)
    if "steps" in out:
        out["steps"] = [s for s in out["steps"] or [] if seen.step(agency_of(s))]
    if not seen.shared:
        for name in ANSWERS:
            if name in out:
                out[name] = None
        if UNAVAILABLE in out:
            out[UNAVAILABLE] = []
        if SHARED_NOTE in out:
            out[SHARED_NOTE] = None
    if not seen.serving:
        for name in SERVING:
            if name in out:
                out[name] = None
    shown = tuple(name for name in (*ANSWERS, SHARED_NOTE) if out.get(name) not in (None, ""))
    return out, shown


# Top-level keys of event data that name needs of an agency (desks/service and friends):
# a step done or requeued at the event's desk, the steps a referral added, the needs
# nobody present serves. A new event key naming needs or agencies' steps belongs here.
EVENT_NEEDS = "needs"
EVENT_ADDED = "added"


def redact_event(data: Mapping[str, Any], viewer: Viewer) -> dict[str, Any]:
    """An event's data as a desk of `viewer`'s agency may receive it.

    Event payloads never hold the answers (visits.views.event_visit), but they do hold
    every step of the visit; a visitor without consent shows each agency only its own.
    """
    visit = data.get("visit")
    if not isinstance(visit, Mapping):
        return dict(data)  # desk state, purge counts, config changes: nothing of a visitor
    seen = sight_of(visit, viewer)
    out = dict(data)
    out["visit"] = redact_visit(visit, viewer)[0]
    # What the viewer's own agency just did (a referral it made) it knows already.
    if not seen.shared and data.get("agency") != viewer.agency:
        if EVENT_NEEDS in out:
            out[EVENT_NEEDS] = []
        if isinstance(out.get(EVENT_ADDED), list):
            out[EVENT_ADDED] = [
                a
                for a in out[EVENT_ADDED]
                if isinstance(a, Mapping) and a.get("agency") == viewer.agency
            ]
        if UNAVAILABLE in out:
            out[UNAVAILABLE] = []
    return out


def offices(
    steps: Iterable[Any], *, open_statuses: Iterable[str], done_status: str
) -> tuple[list[str], list[str]]:
    """Which agencies of these (visible) steps are done, and which still lie ahead.

    Done: served (a step `done`) with nothing open left there; ahead: an open step.
    """
    open_set = set(open_statuses)
    done: list[str] = []
    ahead: list[str] = []
    for step in steps:
        agency = agency_of(step)
        status = step.get("status") if isinstance(step, Mapping) else step.status
        if status in open_set and agency not in ahead:
            ahead.append(agency)
        elif status == done_status and agency not in done:
            done.append(agency)
    return [a for a in done if a not in ahead], ahead
