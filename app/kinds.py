"""The states and kinds the whole product speaks of, one list each.

Pure: no I/O, no framework. `StrEnum` members compare equal to their strings, so the
database columns, the JSON on the wire and the pure routing core keep plain strings.
"""

from __future__ import annotations

from enum import StrEnum


class StepStatus(StrEnum):
    PENDING = "pending"
    CALLED = "called"
    IN_SERVICE = "in_service"
    DONE = "done"
    REFERRED = "referred"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class StepSource(StrEnum):
    CHECKIN = "checkin"
    REFERRAL = "referral"
    JOINT = "joint"  # joined a consultation for an agency the visitor had no need for


OPEN_STEP = frozenset({StepStatus.PENDING, StepStatus.CALLED, StepStatus.IN_SERVICE})
BUSY_STEP = frozenset({StepStatus.CALLED, StepStatus.IN_SERVICE})


class VisitStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    IN_SERVICE = "in_service"
    DONE = "done"
    CANCELLED = "cancelled"


class DeskState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class PrincipalKind(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    LEAD = "lead"  # a center's read-only manager: overview and statistics, no desk, no data
    KIOSK = "kiosk"
    DISPLAY = "display"


class ResidenceStatus(StrEnum):
    RECOGNISED = "recognised"  # recognised refugee (social code II)
    SUBSIDIARY = "subsidiary"  # subsidiary protection
    HUMANITARIAN = "humanitarian"  # humanitarian residence permit
    ASYLUM_PENDING = "asylum_pending"  # permission to reside pending the procedure
    TOLERATED = "tolerated"  # Duldung
    OPPORTUNITY = "opportunity"  # Chancen-Aufenthaltsrecht
    SKILLED_WORKER = "skilled_worker"
    STUDENT = "student"
    FAMILY = "family"
    EU = "eu"
    SETTLED = "settled"
    OTHER = "other"


class EventType(StrEnum):
    VISIT_CHECKED_IN = "visit.checked_in"
    VISIT_CALLED = "visit.called"
    VISIT_RECALLED = "visit.recalled"
    VISIT_STARTED = "visit.started"
    VISIT_STEP_DONE = "visit.step_done"
    VISIT_REQUEUED = "visit.requeued"
    VISIT_REFERRED = "visit.referred"
    VISIT_NO_SHOW = "visit.no_show"
    VISIT_DONE = "visit.done"
    VISIT_CANCELLED = "visit.cancelled"
    DESK_OPENED = "desk.opened"
    DESK_PAUSED = "desk.paused"
    DESK_CLOSED = "desk.closed"
    QUEUE_CHANGED = "queue.changed"
    VISIT_HELD = "visit.held"
    VISIT_RELEASED = "visit.released"
    VISIT_CASE_CONFERENCE = "visit.case_conference"
    VISIT_NOTE_SHARED = "visit.note_shared"
    JOINT_REQUESTED = "joint.requested"
    JOINT_ACCEPTED = "joint.accepted"
    JOINT_DECLINED = "joint.declined"
    JOINT_LAPSED = "joint.lapsed"
    JOINT_WITHDRAWN = "joint.withdrawn"
    JOINT_LEFT = "joint.left"
    CENTER_CONFIGURED = "center.configured"
    VISITS_PURGED = "visits.purged"
    INVITATIONS_CHANGED = "invitations.changed"


class PlannerRunStatus(StrEnum):
    """A what-if run of the planner (app/planner/runs.py)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JointStatus(StrEnum):
    """A request from the desk serving a visitor for another agency to join."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"  # the joining desk is in the consultation
    DECLINED = "declined"
    LAPSED = "lapsed"  # nobody answered in time
    WITHDRAWN = "withdrawn"  # the host took it back, or finished before an answer
    LEFT = "left"  # the joining desk left (or finished its step) before the host finished
    ENDED = "ended"  # the host finished with the joining desk still there


OPEN_JOINT = frozenset({JointStatus.REQUESTED, JointStatus.ACCEPTED})


class HoldReason(StrEnum):
    """Why a step waits without being callable ("comes back later")."""

    DOCUMENTS = "documents"  # documents missing: the visitor fetches them
    INTERPRETER = "interpreter"  # an interpreter is on the way
    BREAK = "break"  # the visitor needs a break (children, food, medicine)
    OTHER = "other"
