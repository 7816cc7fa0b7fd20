"""The append-only audit log. `record()` adds the event to the caller's transaction, so the
event and the change it describes are committed, or rolled back, together.

Naming rule: every service takes the acting user as `by` (None when the system acts) and passes it
to `record(actor=by)`, whose `actor` is the stored event's field; an action is named
`<object>.<what happened, past tense>` (`tranche.cancelled`), with one name for one change wherever
it is made (tests/portal/test_audit_action_names.py reads the code to hold this)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.models import AuditEvent, User


class AuditLogIsAppendOnly(RuntimeError):
    pass


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    changes: dict | None = None,
    reason: str | None = None,
    now: datetime,
) -> AuditEvent:
    """Add an audit event for `obj` (or object_type/object_id) to the current transaction."""
    if obj is not None:
        if getattr(obj, "id", None) is None:
            session.flush()  # the object needs its id before we can point at it
        object_type = object_type or obj.__tablename__
        object_id = obj.id
    audit_event = AuditEvent(
        at=now,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type or "system",
        object_id=str(object_id) if object_id is not None else "",
        changes=_jsonable(changes) if changes else None,
        reason=reason,
    )
    session.add(audit_event)
    return audit_event


def diff(obj: Any, new_values: dict) -> dict:
    """The {field: [old, new]} of the values that really change; used before assigning them."""
    changes = {}
    for key, new in new_values.items():
        old = getattr(obj, key)
        if old != new:
            changes[key] = [old, new]
    return changes


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit events are never updated or deleted")
