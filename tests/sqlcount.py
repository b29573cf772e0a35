"""Count the SQL statements an engine executes during a block (SQLAlchemy's cursor events).

    with count_statements(h.db.engine) as sql:
        await h.client.post(...)
    assert sql.count == 6, sql.report()

Every statement that reaches a cursor through the engine counts, BEGIN included (the
driver's COMMIT does not: it is no statement). Connection setup (SQLite's pragmas on a
new connection) runs on the raw driver connection and is not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Statements:
    texts: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.texts)

    def touching(self, table: str) -> list[str]:
        """The statements naming `table` (FROM, JOIN, INTO, UPDATE)."""
        pattern = re.compile(rf"\b(FROM|JOIN|INTO|UPDATE)\s+\"?{re.escape(table)}\"?\b", re.I)
        return [t for t in self.texts if pattern.search(t)]

    def report(self) -> str:
        """One line per statement, shortened: for assertion messages."""
        return f"{self.count} statements:\n" + "\n".join(
            " ".join(t.split())[:160] for t in self.texts
        )


@contextmanager
def count_statements(engine: AsyncEngine | Engine) -> Iterator[Statements]:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    seen = Statements()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.texts.append(statement)

    event.listen(sync, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", record)
