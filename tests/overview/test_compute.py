"""The overview's arithmetic on plain inputs (app/overview/compute.py): no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.kinds import DeskState, StepStatus, VisitStatus
from app.overview.compute import AgencyIn, DeskIn, Inputs, StepIn, VisitIn, overview
from app.overview.schemas import DayHours

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=TZ)
HOURS = DayHours(opens=NOW.replace(hour=9), closes=NOW.replace(hour=15))


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def pending(agency: str = "abh", need: str = "residence", **kw: object) -> StepIn:
    return StepIn(
        need=need, agency=agency, status=StepStatus.PENDING, minutes=15, queued_at=ago(10), **kw
    )  # type: ignore[arg-type]


def desk(code: str, state: DeskState = DeskState.OPEN, agency: str = "abh") -> DeskIn:
    return DeskIn(
        code=code,
        room=code,
        room_labels={"de": code},
        agency=agency,
        state=state,
        state_changed_at=ago(30),
    )


def inputs(visits: list[VisitIn], desks: list[DeskIn], **kw: object) -> Inputs:
    base: dict[str, object] = {
        "slug": "t",
        "name": "T",
        "day": date(2026, 12, 1),
        "seq": 7,
        "now": NOW,
        "hours": HOURS,
        "desks": desks,
        "agencies": [
            AgencyIn(code="abh", name={"de": "ABH"}, present=True),
            AgencyIn(code="aa", name={"de": "AA"}, present=True),
        ],
        "visits": visits,
        **kw,
    }
    return Inputs(**base)  # type: ignore[arg-type]


def codes(data: Inputs) -> list[tuple[str, str | None, str]]:
    return [(a.code, a.desk, a.severity) for a in overview(data).alerts]


def test_an_idle_desk_is_a_notice_first_and_a_warning_after_three_minutes() -> None:
    visit = VisitIn(ticket="A001", status=VisitStatus.WAITING, steps=(pending(),))
    fresh = DeskIn(
        code="r1", room="r1", room_labels={}, agency="abh", state=DeskState.OPEN,
        state_changed_at=ago(30), last_event_at=ago(1),
    )  # fmt: skip
    assert codes(inputs([visit], [fresh])) == [("desk_idle", "r1", "info")]
    stale = DeskIn(
        code="r1", room="r1", room_labels={}, agency="abh", state=DeskState.OPEN,
        state_changed_at=ago(30), last_event_at=ago(3),
    )  # fmt: skip
    out = overview(inputs([visit], [stale]))
    assert [(a.code, a.severity, a.idle_minutes) for a in out.alerts] == [
        ("desk_idle", "warning", 3)
    ]


def test_nobody_callable_means_no_idle_alert() -> None:
    # Held ("comes back later"), at another desk now, or waiting for a `before` step.
    held = VisitIn(ticket="A001", status=VisitStatus.WAITING, steps=(pending(held=True),))
    elsewhere = VisitIn(
        ticket="A002",
        status=VisitStatus.IN_SERVICE,
        steps=(
            pending(),
            StepIn(
                need="work", agency="aa", status=StepStatus.IN_SERVICE, minutes=20,
                queued_at=ago(40), desk="r9", called_at=ago(12), started_at=ago(10),
            ),
        ),
    )  # fmt: skip
    blocked = VisitIn(
        ticket="A003",
        status=VisitStatus.WAITING,
        steps=(pending(need="work_permit"), pending(agency="aa", need="residence_aa")),
    )
    data = inputs(
        [held, elsewhere, blocked],
        [desk("r1"), desk("r9", agency="aa")],
        before={"residence_aa": frozenset({"work_permit"})},
    )
    out = overview(data)
    assert [a.code for a in out.alerts if a.desk == "r1"] == []
    abh = next(a for a in out.agencies if a.agency == "abh")
    assert (abh.waiting, abh.held) == (3, 1)
    # The held step waits too, but the longest wait counts those a desk could call.
    assert abh.longest_wait_minutes == 10
    r9 = next(d for d in out.desks if d.code == "r9")
    assert r9.serving is not None and (r9.serving.ticket, r9.serving.minutes) == ("A002", 10)


def test_a_queue_past_closing_names_the_desks_it_would_take() -> None:
    # Two hours of abh work, one open desk, an hour left: done around 16:00, closing 15:00.
    visits = [
        VisitIn(ticket=f"A{n:03d}", status=VisitStatus.WAITING, steps=(pending(),))
        for n in range(8)
    ]
    busy = VisitIn(
        ticket="A100",
        status=VisitStatus.IN_SERVICE,
        steps=(
            StepIn(
                need="residence", agency="abh", status=StepStatus.IN_SERVICE, minutes=15,
                queued_at=ago(30), desk="r1", called_at=ago(6), started_at=ago(5),
            ),
        ),
    )  # fmt: skip
    out = overview(inputs([*visits, busy], [desk("r1"), desk("r2", DeskState.CLOSED)]))
    past = [a for a in out.alerts if a.code == "queue_past_closing"]
    assert len(past) == 1
    alert = past[0]
    assert alert.open_desks == 1 and alert.desks_available == 1 and alert.waiting == 8
    assert 120 < (alert.work_minutes or 0) <= 135  # 8 × 15 plus what A100 still needs
    assert alert.clears_at is not None and alert.clears_at.minute % 5 == 0
    assert alert.clears_at > HOURS.closes and alert.closes == HOURS.closes
    assert alert.desks_needed == 3  # ~125 minutes of work in 60 minutes
    # A second open desk halves it, a third makes it.
    two = overview(inputs([*visits, busy], [desk("r1"), desk("r2")]))
    assert [a.desks_needed for a in two.alerts if a.code == "queue_past_closing"] == [3]


def test_leave_by_and_counts() -> None:
    in_29 = NOW + timedelta(minutes=29, seconds=59)
    soon = VisitIn(ticket="A001", status=VisitStatus.WAITING, steps=(pending(),), leave_by=in_29)
    late = VisitIn(ticket="A002", status=VisitStatus.WAITING, steps=(pending(),), leave_by=ago(5))
    in_31 = NOW + timedelta(minutes=31)
    far = VisitIn(ticket="A003", status=VisitStatus.WAITING, steps=(pending(),), leave_by=in_31)
    done = VisitIn(
        ticket="A004",
        status=VisitStatus.DONE,
        steps=(
            StepIn(
                need="residence", agency="abh", status=StepStatus.DONE, minutes=15,
                queued_at=ago(60),
            ),
        ),
        leave_by=NOW,
    )  # fmt: skip
    out = overview(inputs([soon, late, far, done], [desk("r1", DeskState.CLOSED)]))
    assert [(v.ticket, v.minutes_left) for v in out.leaving_soon] == [("A002", -5), ("A001", 29)]
    assert out.counts.waiting == 3 and out.counts.at_desk == 0
    # No desk open nor paused for abh: unstaffed, and no "past closing" guess without a desk.
    assert [(a.code, a.desks_available) for a in out.alerts] == [("agency_unstaffed", 1)]
