"""Programmes (bidragsutlysningar): creating, editing and publishing a call, when it is open,
the scheduler's closing of ended calls, and how much of its budget is left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants.models import Criterion, Grant, Programme, ProgrammeStatus, ReviewScore
from grants.permissions import can_manage_programmes
from portal import audit
from portal.errors import DomainError, PermissionDenied
from portal.models import User

PROGRAMME_FIELDS = ("title", "description", "action_area", "target_groups", "districts", "budget", "max_per_grant",
                    "opens_on", "closes_on", "reporting_rhythm")


@dataclass
class CriterionInput:
    name: str
    weight: int
    description: str = ""


def _check_programme(values: dict, criteria: list[CriterionInput]) -> None:
    if not (values.get("title") or "").strip():
        raise DomainError(_("Enter a title."), field="title")
    if values["opens_on"] is None or values["closes_on"] is None:
        raise DomainError(_("Enter the opening and closing dates."), field="closes_on")
    if values["closes_on"] < values["opens_on"]:
        raise DomainError(_("The programme cannot close before it opens."), field="closes_on")
    if values["budget"] <= 0:
        raise DomainError(_("The budget must be more than zero."), field="budget")
    if not 0 < values["max_per_grant"] <= values["budget"]:
        raise DomainError(_("The maximum per grant must be more than zero and at most the budget."),
                          field="max_per_grant")
    for c in criteria:
        if c.weight < 1:
            raise DomainError(_("Every criterion needs a weight of at least 1."), field="criteria")


def create_programme(session: Session, *, committee_id: int, values: dict, criteria: list[CriterionInput],
                     by: User, now: datetime) -> Programme:
    if not can_manage_programmes(by, committee_id):
        raise PermissionDenied(_("Only officers of the committee may create its programmes."))
    _check_programme(values, criteria)
    programme = Programme(committee_id=committee_id, created_by_id=by.id, created_at=now,
                          status=ProgrammeStatus.DRAFT.value, **{k: values[k] for k in PROGRAMME_FIELDS})
    programme.criteria = [Criterion(position=i, name=c.name, description=c.description, weight=c.weight)
                          for i, c in enumerate(criteria)]
    session.add(programme)
    session.flush()
    audit.record(session, actor=by, action="programme.created", obj=programme,
                 changes={k: values[k] for k in PROGRAMME_FIELDS}, now=now)
    return programme


def update_programme(session: Session, programme: Programme, *, values: dict, criteria: list[CriterionInput],
                     by: User, now: datetime) -> Programme:
    if not can_manage_programmes(by, programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may edit its programmes."))
    _check_programme(values, criteria)
    changes = audit.diff(programme, {k: values[k] for k in PROGRAMME_FIELDS})
    for key in PROGRAMME_FIELDS:
        setattr(programme, key, values[key])
    old = [(c.name, c.weight) for c in programme.criteria]
    new = [(c.name, c.weight) for c in criteria]
    if old != new:
        scored = session.scalar(select(func.count(ReviewScore.id)).join(Criterion)
                                .where(Criterion.programme_id == programme.id))
        if scored:
            raise DomainError(_("Criteria cannot change after reviewers have scored them."), field="criteria")
        programme.criteria = [Criterion(position=i, name=c.name, description=c.description, weight=c.weight)
                              for i, c in enumerate(criteria)]
        changes["criteria"] = [old, new]
    audit.record(session, actor=by, action="programme.updated", obj=programme, changes=changes, now=now)
    return programme


def publish_programme(session: Session, programme: Programme, *, by: User, now: datetime) -> Programme:
    if not can_manage_programmes(by, programme.committee_id):
        raise PermissionDenied(_("Only officers of the committee may publish its programmes."))
    if not programme.is_draft:
        raise DomainError(_("Only a draft programme can be published."))
    if not programme.criteria:
        raise DomainError(_("Add at least one assessment criterion before publishing."), field="criteria")
    programme.status = ProgrammeStatus.PUBLISHED.value
    programme.published_at = now
    audit.record(session, actor=by, action="programme.published", obj=programme, now=now)
    return programme


def close_ended_programmes(session: Session, now: datetime) -> dict:
    """The scheduler's "programme opening and closing" (DESIGN.md, Scheduler): a published programme
    whose closing date has passed becomes closed, audited, with no actor. A published programme
    opens on its opening date by the dates alone (Programme.is_open_on), so opening changes no state.
    Idempotent: a closed programme is no longer published, so a second run finds nothing."""
    ended = session.scalars(select(Programme).where(Programme.has_ended_on(now.date()))
                            .order_by(Programme.id)).all()
    for programme in ended:
        programme.status = ProgrammeStatus.CLOSED.value
        audit.record(session, actor=None, action="programme.closed", obj=programme,
                     changes={"status": [ProgrammeStatus.PUBLISHED.value, ProgrammeStatus.CLOSED.value],
                              "closes_on": programme.closes_on}, now=now)
    opened = session.scalar(select(func.count(Programme.id)).where(
        Programme.status == ProgrammeStatus.PUBLISHED.value, Programme.opens_on == now.date())) or 0
    return {"closed": len(ended), "opening_today": int(opened)}


def open_programmes_query(today: date, committee_id: int | None = None, action_area: str | None = None,
                          district: str | None = None):
    """The programmes open for applications today (Programme.is_open_on), soonest closing first,
    narrowed by committee, action area and a district they cover (Programme.covers_district): the
    one query behind the public list and the API's."""
    stmt = select(Programme).where(Programme.is_open_on(today)).order_by(Programme.closes_on, Programme.id)
    if committee_id:
        stmt = stmt.where(Programme.committee_id == committee_id)
    if action_area:
        stmt = stmt.where(Programme.action_area == action_area)
    if district:
        stmt = stmt.where(Programme.covers_district(district))
    return stmt


def remaining_budget(session: Session, programme: Programme) -> int:
    granted = session.scalar(select(func.coalesce(func.sum(Grant.amount), 0))
                             .where(Grant.programme_id == programme.id)) or 0
    return programme.budget - int(granted)
