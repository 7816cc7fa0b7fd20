"""The register of organisations as committee staff search it: only the columns the list shows, its
districts and declaration validity read for the page's rows in the page's own query."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, exists, func, or_, select

from organisations.models import DeclarationSignature, DeclarationText, Organisation, OrganisationDistrict

DISTRICT_SEPARATOR = "\x1f"  # joins a row's districts in SQL; no district name holds it


@dataclass(frozen=True)
class RegisterEntry:
    id: int
    name: str
    org_number: str
    status: str
    district_names: list[str]  # sorted, as Organisation.district_names
    declaration_valid: bool


def valid_declaration_clause(organisation_id, now: datetime) -> ColumnElement[bool]:
    """A signature of the current declaration text that has not expired (false while no text exists).
    The current text is a subquery, so the register needs no query of its own to find it."""
    current_text_id = select(DeclarationText.id).order_by(DeclarationText.version.desc()).limit(1).scalar_subquery()
    return exists().where(DeclarationSignature.organisation_id == organisation_id,
                          DeclarationSignature.text_id == current_text_id, DeclarationSignature.expires_at > now)


def register_search(*, q: str, district: str, status: str, declaration: str, now: datetime) -> Select:
    """The organisations matching the register's filters (`status` a known status or ""), by name."""
    stmt = select(Organisation.id, Organisation.name, Organisation.org_number, Organisation.status).order_by(
        Organisation.name, Organisation.id)
    if q:
        digits = q.replace("-", "").replace(" ", "")
        conditions = [func.lower(Organisation.name).like(f"%{q.lower()}%")]
        if digits.isdigit():
            conditions.append(Organisation.org_number.like(f"{digits}%"))
        stmt = stmt.where(or_(*conditions))
    if district:
        stmt = stmt.where(exists().where(OrganisationDistrict.organisation_id == Organisation.id,
                                         OrganisationDistrict.district == district))
    if status:
        stmt = stmt.where(Organisation.status == status)
    if declaration == "valid":
        stmt = stmt.where(valid_declaration_clause(Organisation.id, now))
    elif declaration == "invalid":
        stmt = stmt.where(~valid_declaration_clause(Organisation.id, now))
    return stmt


def district_names_column(organisation_id) -> ColumnElement[str | None]:
    """The organisation's districts in one string, for a list's own query; read it with `split_district_names`."""
    return (select(func.aggregate_strings(OrganisationDistrict.district, DISTRICT_SEPARATOR))
            .where(OrganisationDistrict.organisation_id == organisation_id).scalar_subquery())


def split_district_names(joined: str | None) -> list[str]:
    """Sorted, as Organisation.district_names."""
    return sorted(joined.split(DISTRICT_SEPARATOR)) if joined else []


def with_districts_and_declaration(now: datetime):
    """For the page's rows only: their districts and whether their declaration is valid."""
    def per_row(page: Subquery) -> Select:
        return select(page, district_names_column(page.c.id).label("districts"),
                      valid_declaration_clause(page.c.id, now).label("declaration_valid")).order_by(
            page.c.name, page.c.id)
    return per_row


def register_entry(row) -> RegisterEntry:
    return RegisterEntry(id=row.id, name=row.name, org_number=row.org_number, status=row.status,
                         district_names=split_district_names(row.districts),
                         declaration_valid=bool(row.declaration_valid))
