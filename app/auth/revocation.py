"""Any write to users, devices or staff sessions empties the cached callers
(app/auth/principal_cache.py): when the change is made and again when it commits.

Session events see every way the app changes them: rows flushed (a config load, a new
password or role, a device re-paired) and bulk statements (logout, ending sessions,
recording activity, a login's clean-up of dead sessions).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.auth.models import Device, StaffToken, User
from app.db import DATABASE_KEY, Database

WATCHED = (User, Device, StaffToken)
CHANGED_KEY = "auth_changed"


def _forget(session: Session) -> None:
    db = session.info.get(DATABASE_KEY)
    if isinstance(db, Database):
        db.caches.principals.forget_all()
        session.info[CHANGED_KEY] = True


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WATCHED):
            _forget(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if any(issubclass(m.class_, WATCHED) for m in state.all_mappers):
        _forget(state.session)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(CHANGED_KEY, False):
        _forget(session)
        session.info.pop(CHANGED_KEY, None)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(CHANGED_KEY, None)
