"""Lists of programmes and applications: the columns each shows, with its badges, read in the page's own
query instead of building whole objects with every relationship the models load eagerly."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, Subquery, select

from eligibility.services import eligibility_kind, latest_screening_outcome
from grants.models import Application, ApplicationStatus, Programme
from organisations.models import Organisation
from portal.models import Committee


@dataclass(frozen=True)
class ApplicationListEntry:
    id: int
    reference: str | None
    title: str
    organisation_id: int
    organisation_name: str
    eligibility: str  # the badge's kind, as eligibility.services.eligibility_kind gives it
    committee_name: str
    requested_amount: int  # öre
    status: str


def _staff_filter(stmt: Select, committee_ids: list[int] | None, status: str | None) -> Select:
    stmt = stmt.where(Application.status != ApplicationStatus.DRAFT.value)  # drafts stay the applicant's
    if committee_ids is not None:
        stmt = stmt.where(Programme.committee_id.in_(committee_ids))
    if status:
        stmt = stmt.where(Application.status == status)
    return stmt


def staff_applications(committee_ids: list[int] | None, status: str | None) -> tuple[Select, Select]:
    """The submitted applications of these committees (None: every committee), newest first, as
    (the page's select, a select of the same applications for counting them)."""
    shown = (select(Application.id, Application.reference, Application.title, Application.organisation_id,
                    Organisation.name.label("organisation_name"), Organisation.status.label("organisation_status"),
                    Committee.name.label("committee_name"), Application.requested_amount, Application.status,
                    Application.submitted_at)
             .select_from(Application)
             .join(Programme, Application.programme_id == Programme.id)
             .join(Organisation, Application.organisation_id == Organisation.id)
             .join(Committee, Programme.committee_id == Committee.id)
             .order_by(Application.submitted_at.desc(), Application.id.desc()))
    counted = select(Application.id)
    if committee_ids is not None:  # the coordinator's count needs no programme
        counted = counted.join(Programme, Application.programme_id == Programme.id)
    return _staff_filter(shown, committee_ids, status), _staff_filter(counted, committee_ids, status)


def with_latest_screening(page: Subquery) -> Select:
    """The page's rows and each organisation's latest screening outcome, read for those rows only."""
    return select(page, latest_screening_outcome(page.c.organisation_id).label("latest_screening_outcome")).order_by(
        page.c.submitted_at.desc(), page.c.id.desc())


def application_list_entry(row) -> ApplicationListEntry:
    return ApplicationListEntry(
        id=row.id, reference=row.reference, title=row.title, organisation_id=row.organisation_id,
        organisation_name=row.organisation_name,
        eligibility=eligibility_kind(row.organisation_status, row.latest_screening_outcome),
        committee_name=row.committee_name, requested_amount=row.requested_amount, status=row.status)


def open_programme_rows(open_programmes: Select) -> Select:
    """The public list's columns of these programmes (a select of Programme), with the committee's name."""
    return (open_programmes.with_only_columns(
        Programme.id, Programme.title, Committee.name.label("committee_name"), Programme.action_area,
        Programme.districts, Programme.max_per_grant, Programme.closes_on)
        .join_from(Programme, Committee, Programme.committee_id == Committee.id))
