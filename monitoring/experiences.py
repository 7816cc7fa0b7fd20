"""The experience bank (erfarenheter): lessons shared by one committee, found by every other.

An experience holds only the evaluation's free texts (the officer is warned not to write personal
data there) and tags; the organisation is named only if it agreed
(Organisation.consents_to_name_in_experiences). Coordinators curate the wording and publication."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, load_only

from monitoring.models import Evaluation, Experience
from monitoring.permissions import can_curate_experiences
from portal import audit
from portal.errors import DomainError, PermissionDenied
from portal.models import Committee, User

CURATED_FIELDS = ("title", "summary", "what_worked", "what_did_not", "lessons")


def create_from_evaluation(session: Session, evaluation: Evaluation, *, by: User, now: datetime) -> Experience:
    """Share a completed evaluation. Idempotent: one experience per evaluation."""
    existing = session.scalar(select(Experience).where(Experience.evaluation_id == evaluation.id))
    if existing is not None:
        return existing
    grant = evaluation.grant
    application = grant.application
    programme = application.programme
    organisation = grant.organisation
    districts = programme.districts or organisation.district_names
    experience = Experience(
        evaluation_id=evaluation.id, title=application.title[:200], summary=evaluation.lessons,
        what_worked=evaluation.what_worked, what_did_not=evaluation.what_did_not, lessons=evaluation.lessons,
        recommendation=evaluation.recommendation, rating=evaluation.rating, action_area=programme.action_area,
        target_group=(application.target_group or "")[:200], method=(application.method or "")[:200],
        district=", ".join(districts)[:100], committee_id=grant.committee_id,
        organisation_id=organisation.id, organisation_named=bool(organisation.consents_to_name_in_experiences),
        published=True, created_at=now, updated_at=now, updated_by_id=by.id if by else None)
    session.add(experience)
    audit.record(session, actor=by, action="experience.shared", obj=experience,
                 changes={"evaluation_id": evaluation.id}, now=now)
    return experience


def search_statement(*, q: str = "", action_area: str = "", target_group: str = "", method: str = "",
                     district: str = "", committee_id: int | None = None,
                     include_unpublished: bool = False) -> Select:
    """The experience bank's search: words in the texts, plus tag filters. One statement, so the
    page's query count does not grow with the number of experiences."""
    stmt = select(Experience)
    if not include_unpublished:
        stmt = stmt.where(Experience.published.is_(True))
    for word in q.split():
        like = f"%{word}%"
        stmt = stmt.where(or_(Experience.title.ilike(like), Experience.summary.ilike(like),
                              Experience.what_worked.ilike(like), Experience.what_did_not.ilike(like),
                              Experience.lessons.ilike(like), Experience.method.ilike(like),
                              Experience.target_group.ilike(like)))
    if action_area:
        stmt = stmt.where(Experience.action_area == action_area)
    if target_group:
        stmt = stmt.where(Experience.target_group.ilike(f"%{target_group}%"))
    if method:
        stmt = stmt.where(Experience.method.ilike(f"%{method}%"))
    if district:
        stmt = stmt.where(Experience.district.ilike(f"%{district}%"))
    if committee_id:
        stmt = stmt.where(Experience.committee_id == committee_id)
    return stmt.order_by(Experience.created_at.desc(), Experience.id.desc())


@dataclass(frozen=True)
class ExperienceListEntry:
    """What the experience bank's result list shows of one experience."""

    id: int
    title: str
    published: bool
    action_area: str
    committee_name: str
    method: str
    target_group: str
    district: str
    summary: str


def search_list(search: Select, committee_names: dict[int, str]) -> tuple[Select, Callable[[Any], ExperienceListEntry]]:
    """The search's rows with only the columns the result list shows, and how to make an entry of one; the
    committee's name comes from `committee_names` (the page has them for its filter), not from a join."""
    columns = search.with_only_columns(
        Experience.id, Experience.title, Experience.published, Experience.action_area, Experience.committee_id,
        Experience.method, Experience.target_group, Experience.district, Experience.summary)

    def entry(row) -> ExperienceListEntry:
        return ExperienceListEntry(
            id=row.id, title=row.title, published=row.published, action_area=row.action_area,
            committee_name=committee_names[row.committee_id], method=row.method, target_group=row.target_group,
            district=row.district, summary=row.summary)
    return columns, entry


def _related_statement(by_method: bool, by_target_group: bool) -> Select:
    named_organisation = Experience.organisation_id == bindparam("organisation_id")
    conditions = [named_organisation & Experience.organisation_named.is_(True)]
    if by_method:
        conditions.append(Experience.method.ilike(bindparam("method")))
    if by_target_group:
        conditions.append(Experience.target_group.ilike(bindparam("target_group")))
    return (select(Experience).where(Experience.published.is_(True), or_(*conditions))
            # What the panel shows of each: not the long texts.
            .options(load_only(Experience.id, Experience.title, Experience.method, Experience.target_group,
                               Experience.rating, Experience.committee_id, Experience.created_at),
                     joinedload(Experience.committee).load_only(Committee.name))
            .order_by(Experience.created_at.desc(), Experience.id.desc()).limit(bindparam("limit")))


# Built once for each combination of tags: putting a statement together costs more than running it.
_RELATED = {(m, t): _related_statement(m, t) for m in (True, False) for t in (True, False)}


def related_experiences(session: Session, organisation_id: int, method: str, target_group: str,
                        limit: int = 5) -> list[Experience]:
    """Published experiences with the same (named) organisation, method or target group, newest first."""
    method, target_group = method.strip(), target_group.strip()
    return session.scalars(_RELATED[bool(method), bool(target_group)], {
        "organisation_id": organisation_id, "method": method, "target_group": target_group,
        "limit": limit}).all()


def curate(session: Session, experience: Experience, *, by: User, now: datetime, **values: str) -> Experience:
    """A coordinator edits the wording (for instance to remove anything personal). Audited."""
    if not can_curate_experiences(by):
        raise PermissionDenied(_("Only coordinators curate the experience bank."))
    cleaned = {k: (values.get(k) or "").strip() for k in CURATED_FIELDS}
    if not cleaned["title"]:
        raise DomainError(_("Enter a title."), field="title")
    if not cleaned["lessons"]:
        raise DomainError(_("Write down the lessons learned."), field="lessons")
    changes = audit.diff(experience, cleaned)
    if changes:
        for key, value in cleaned.items():
            setattr(experience, key, value)
        experience.updated_at = now
        experience.updated_by_id = by.id
        audit.record(session, actor=by, action="experience.edited", obj=experience, changes=changes, now=now)
    return experience


def set_published(session: Session, experience: Experience, published: bool, *, by: User, now: datetime,
                  reason: str = "") -> Experience:
    """Unpublish (hide from search) or republish an experience. Audited with the reason."""
    if not can_curate_experiences(by):
        raise PermissionDenied(_("Only coordinators curate the experience bank."))
    if experience.published != published:
        experience.published = published
        experience.updated_at = now
        experience.updated_by_id = by.id
        audit.record(session, actor=by, action="experience.published" if published else "experience.unpublished",
                     obj=experience, changes={"published": [not published, published]}, reason=reason or None,
                     now=now)
    return experience
