"""Service minutes per need, learned from what desks actually took today.

Pure. The config's `minutes` is the prior; each observed service moves the estimate
towards the median of what was seen, weighted by how many were seen, so one very long
consultation (an interpreter, a complex case) barely moves it and a handful of
consistent ones take over. The server and the simulator feed the same class.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PRIOR_WEIGHT = 3.0  # the config's minutes count like this many observations
WINDOW = 40  # the most recent services kept per need: the day's pace, not last month's
MIN_MINUTES = 1.0
MAX_MINUTES = 240.0  # a desk left "in service" over lunch is not a consultation


def split(total: float, needs: Sequence[str], prior: Mapping[str, float]) -> dict[str, float]:
    """One consultation served several needs: share its minutes by their expected sizes."""
    weights = [max(prior.get(n, 15.0), MIN_MINUTES) for n in needs]
    whole = sum(weights)
    return {n: total * w / whole for n, w in zip(needs, weights, strict=True)}


@dataclass
class Learned:
    prior: Mapping[str, float]
    _recent: dict[str, list[float]] = field(default_factory=dict)
    _sorted: dict[str, list[float]] = field(default_factory=dict)
    observed: int = 0

    def observe(self, needs: Sequence[str], total_minutes: float) -> None:
        """A desk served `needs` together in `total_minutes`."""
        if not needs or not (MIN_MINUTES / 2 <= total_minutes <= MAX_MINUTES):
            return
        for need, minutes in split(total_minutes, needs, self.minutes_map()).items():
            self._add(need, minutes)
        self.observed += 1

    def _add(self, need: str, minutes: float) -> None:
        recent = self._recent.setdefault(need, [])
        ordered = self._sorted.setdefault(need, [])
        recent.append(minutes)
        insort(ordered, minutes)
        if len(recent) > WINDOW:
            ordered.remove(recent.pop(0))

    def minutes(self, need: str) -> float:
        prior = self.prior.get(need, 15.0)
        seen = self._sorted.get(need)
        if not seen:
            return prior
        n = len(seen)
        median = (seen[(n - 1) // 2] + seen[n // 2]) / 2
        return (PRIOR_WEIGHT * prior + n * median) / (PRIOR_WEIGHT + n)

    def minutes_map(self) -> dict[str, float]:
        return {need: self.minutes(need) for need in {*self.prior, *self._sorted}}
