"""A running server never creates a SQLite database, nor writes to a deleted one.

SQLite opens a missing file by creating an empty database, and a connection opened
before the file was removed goes on writing to the unlinked inode: both lose the day's
writes without an error. Here a connection opens the file read-write only if it exists
(`mode=rw`: atomic, unlike checking first), and a pooled connection whose file is gone
or replaced is discarded at checkout, so the next one fails to open: 503
(app/ops/faults.py) until the file is back. Only `welcome-center migrate` creates it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

_INODE = "welcome_sqlite_inode"


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def refuse_missing_file(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "do_connect")
    def _open_existing(
        _dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        path = str(cargs[0]) if cargs else str(cparams.get("database", ""))
        if not path or path == ":memory:" or path.startswith("file:"):
            return
        absolute = str(Path(path).absolute())
        if cargs:
            cargs[0] = f"file:{quote(absolute)}?mode=rw"
        else:
            cparams["database"] = f"file:{quote(absolute)}?mode=rw"
        cparams["uri"] = True
        record.info[_INODE] = (absolute, _identity(absolute))

    @event.listens_for(sync_engine, "checkout")
    def _still_there(_conn: Any, record: Any, _proxy: Any) -> None:
        opened = record.info.get(_INODE)
        if opened is None:
            return
        path, identity = opened
        if identity is None or _identity(path) != identity:
            # The pool discards this connection and opens a new one (which then fails
            # with "unable to open database file" while the file is missing).
            raise DisconnectionError(f"the database file changed or is gone: {path}")
