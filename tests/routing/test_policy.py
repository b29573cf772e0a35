"""The routing policy v1: candidates, `before`, score terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.routing.policy import DEFAULT_PARAMS, DeskView, StepView, VisitView, choose, rank

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BEFORE = {"residence": frozenset({"work"})}
ABH = DeskView(code="r1", agency="abh", languages=frozenset({"de", "ar"}))
AA = DeskView(code="r2", agency="aa", languages=frozenset({"de"}))


def visit(
    vid: str,
    *steps: tuple[str, str, str],
    at: datetime = T0,
    language: str = "de",
    **kw: object,
) -> VisitView:
    return VisitView(
        visit_id=vid,
        ticket=vid,
        checked_in_at=at,
        language=language,
        steps=tuple(
            StepView(step_id=i, need=n, agency=a, status=s, queued_at=at, minutes=15)
            for i, (n, a, s) in enumerate(steps)
        ),
        **kw,  # type: ignore[arg-type]
    )


def test_before_blocks_work_until_residence_is_done() -> None:
    v = visit("A001", ("residence", "abh", "pending"), ("work", "aa", "pending"))
    assert choose(AA, [v], now=T0, before=BEFORE) is None
    assert choose(ABH, [v], now=T0, before=BEFORE).visit.visit_id == "A001"
    done = visit("A001", ("residence", "abh", "done"), ("work", "aa", "pending"))
    assert choose(AA, [done], now=T0, before=BEFORE) is not None


def test_busy_visitors_are_never_candidates() -> None:
    v = visit("A001", ("counselling", "beratung", "called"), ("residence", "abh", "pending"))
    assert choose(ABH, [v], now=T0, before=BEFORE) is None
    # In service (staff pressed start) is busy too, not only called.
    v = visit("A001", ("counselling", "beratung", "in_service"), ("residence", "abh", "pending"))
    assert choose(ABH, [v], now=T0, before=BEFORE) is None
    assert rank(ABH, [v], now=T0, before=BEFORE) == []


def test_longer_wait_first_then_priority_then_deadline() -> None:
    old = visit("A001", ("residence", "abh", "pending"), at=T0)
    new = visit("A002", ("residence", "abh", "pending"), at=T0 + timedelta(minutes=5))
    now = T0 + timedelta(minutes=10)
    assert [c.visit.ticket for c in rank(ABH, [new, old], now=now, before=BEFORE)] == [
        "A001",
        "A002",
    ]
    family = visit(
        "A003", ("residence", "abh", "pending"), at=T0 + timedelta(minutes=5), children=True
    )
    assert choose(ABH, [old, family], now=now, before=BEFORE).visit.ticket == "A003"
    bus = visit(
        "A004",
        ("residence", "abh", "pending"),
        at=T0 + timedelta(minutes=8),
        leave_by=now + timedelta(minutes=30),
    )
    assert choose(ABH, [old, family, bus], now=now, before=BEFORE).visit.ticket == "A004"


def test_language_match_breaks_ties_only() -> None:
    de = visit("A001", ("residence", "abh", "pending"), language="tr")
    ar = visit("A002", ("residence", "abh", "pending"), language="ar")
    assert choose(ABH, [de, ar], now=T0, before=BEFORE).visit.ticket == "A002"
    older = visit(
        "A003", ("residence", "abh", "pending"), at=T0 - timedelta(minutes=2), language="tr"
    )
    assert choose(ABH, [ar, older], now=T0, before=BEFORE).visit.ticket == "A003"


def test_all_callable_steps_of_the_agency_are_served_together() -> None:
    v = visit("A001", ("residence", "abh", "pending"), ("work_permit", "abh", "pending"))
    cand = choose(ABH, [v], now=T0, before=BEFORE)
    assert cand is not None and {s.need for s in cand.steps} == {"residence", "work_permit"}


def test_a_long_wait_beats_short_work_and_deadlines() -> None:
    now = T0 + timedelta(minutes=100)
    long = visit(
        "A001",
        ("residence", "abh", "pending"),
        ("work_permit", "abh", "pending"),
        ("opportunity", "abh", "pending"),
        at=T0,
    )
    short = visit("A002", ("work_permit", "abh", "pending"), at=T0 + timedelta(minutes=60))
    bus = visit(
        "A003",
        ("residence", "abh", "pending"),
        at=T0 + timedelta(minutes=60),
        leave_by=now + timedelta(minutes=25),
    )
    cand = choose(ABH, [short, bus, long], now=now, before=BEFORE)
    assert cand is not None and cand.visit.ticket == "A001"
    assert "waited longest" in cand.reasons


def test_a_deadline_out_of_reach_gets_no_boost() -> None:
    now = T0 + timedelta(minutes=10)
    old = visit("A001", ("residence", "abh", "pending"), at=T0)
    gone = visit(
        "A002",
        ("residence", "abh", "pending"),
        at=T0 + timedelta(minutes=5),
        leave_by=now + timedelta(minutes=5),  # 15 minutes of service do not fit
    )
    assert choose(ABH, [old, gone], now=now, before=BEFORE).visit.ticket == "A001"


@st.composite
def rooms(draw: st.DrawFn) -> list[VisitView]:
    """Up to 30 visitors waiting at abh, any mix of waits, work, priorities and buses."""
    now = T0 + timedelta(minutes=300)
    out = []
    for i in range(draw(st.integers(1, 30))):
        queued = now - timedelta(minutes=draw(st.floats(0, 240)))
        needs = draw(st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True))
        steps = tuple(
            StepView(i * 10 + j, n, a, "pending", queued, draw(st.floats(5, 90)))
            for j, (n, a) in enumerate(needs)
        )
        leave = draw(st.none() | st.floats(1, 200))
        out.append(
            VisitView(
                visit_id=f"v{i}",
                ticket=f"A{i:03d}",
                checked_in_at=queued,
                language=draw(st.sampled_from(["de", "ar", "uk"])),
                steps=steps,
                leave_by=None if leave is None else now + timedelta(minutes=leave),
                children=draw(st.booleans()),
                accessibility=draw(st.booleans()),
            )
        )
    return out


NEEDS = [("work_permit", "abh"), ("opportunity", "abh"), ("work", "aa"), ("income", "jobcenter")]


@settings(max_examples=200, deadline=None)
@given(rooms())
def test_whoever_waited_past_the_fair_cut_off_is_called_before_anyone_else(
    visits: list[VisitView],
) -> None:
    """The explicit bound of the policy: past FAIR_AFTER minutes at an agency, no short
    work, bus, child or language match overtakes."""
    now = T0 + timedelta(minutes=300)
    ranked = rank(ABH, visits, now=now, before={})
    waited = [(now - min(s.queued_at for s in c.steps)).total_seconds() / 60 for c in ranked]
    over = [w > DEFAULT_PARAMS.fair_after for w in waited]
    # Every candidate over the cut-off comes before every candidate under it.
    why = list(zip(waited, [c.reasons for c in ranked], strict=True))
    assert over == sorted(over, reverse=True), why
    if any(over):
        assert "waited longest" in ranked[0].reasons
