"""Open data: awarded grants in the 360Giving Data Standard (JSON and CSV).

Decisions (documented for publishers and the API developer):
- Every grant created by an approving decision is an award, so every Grant is listed, withdrawn
  ones included, with the amount awarded at the decision: the standard records awards, and a later
  withdrawal does not undo the award. Nothing says why or whether a grant was withdrawn: findings,
  notices and withdrawal reasons are confidential.
- No personal data: no contact persons, board members, e-mail addresses, applicants' free texts
  (aims, activities) or reports. Title is the project title; Description is built from the
  programme and action area.
- Identifier: OPEN_DATA_PREFIX + "grant-<id>" (a 360Giving publisher prefix, "360G-...").
- Recipient Org:Identifier: "SE-BLV-<organisation number>" (org-id.guide's list for Swedish
  organisation numbers, Bolagsverket).
- Funding Org: the granting committee, OPEN_DATA_PREFIX + "committee-<id>", since a committee
  has no registered identifier of its own.
- Amounts in SEK with two decimals (stored as öre); Award Date is the decision date.
- In the CSV, a text cell starting with =, +, -, @, |, %, a tab or a carriage return is written
  with a leading apostrophe, so no spreadsheet runs it as a formula (portal.csv_files).
The builder reads the grants in keyset-paginated batches, so no export holds every grant in memory.
"""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Iterator

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants.models import Application, Decision, Grant, Programme
from organisations.models import Organisation
from portal.csv_files import csv_writer
from portal.models import Committee

AREA_TEXT = {
    "general": "general, democracy-promoting efforts",
    "targeted": "targeted, preventive efforts",
    "individual": "individual interventions",
}

CSV_COLUMNS = [
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
    "Planned Dates:Start Date", "Planned Dates:End Date",
    "Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:City",
    "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Code", "Grant Programme:Title",
    "Last Modified", "Data Source",
]


def _amount(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(Decimal("0.01"))


def _select(since: date | None):
    stmt = (select(Grant.id, Grant.amount, Grant.period_start, Grant.period_end, Grant.created_at,
                   Application.title, Decision.decided_at, Organisation.org_number, Organisation.name,
                   Organisation.city, Committee.id, Committee.name, Programme.id, Programme.title,
                   Programme.action_area)
            .join(Application, Application.id == Grant.application_id)
            .join(Decision, Decision.id == Grant.decision_id)
            .join(Organisation, Organisation.id == Grant.organisation_id)
            .join(Committee, Committee.id == Grant.committee_id)
            .join(Programme, Programme.id == Grant.programme_id)
            .order_by(Grant.id))
    if since:
        stmt = stmt.where(Decision.decided_at >= since)
    return stmt


def _rows(session: Session, batch_size: int, since: date | None) -> Iterator:
    stmt = _select(since).limit(batch_size)
    last_id = 0
    while True:
        batch = session.execute(stmt.where(Grant.id > last_id)).all()
        yield from batch
        if len(batch) < batch_size:
            return
        last_id = batch[-1][0]


def _grant(row, prefix: str, data_source: str) -> dict:
    (grant_id, amount, start, end, created_at, title, decided_at, org_number, org_name, city, committee_id,
     committee_name, programme_id, programme_title, area) = row
    recipient = {"id": f"SE-BLV-{org_number}", "name": org_name}
    if city:
        recipient["addressLocality"] = city
    return {
        "id": f"{prefix}grant-{grant_id}",
        "title": title or programme_title,
        "description": f"Grant from {committee_name} under the programme \"{programme_title}\" "
                       f"({AREA_TEXT.get(area, area)}).",
        "currency": "SEK",
        "amountAwarded": _amount(amount),
        "awardDate": decided_at.date().isoformat(),
        "plannedDates": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": f"{prefix}committee-{committee_id}", "name": committee_name}],
        "grantProgramme": [{"code": f"{prefix}programme-{programme_id}", "title": programme_title}],
        "dataSource": data_source,
        "lastModified": created_at.isoformat(timespec="seconds"),
    }


def grants_360(session: Session, *, since: date | None = None, batch_size: int = 500, prefix: str | None = None,
               data_source: str | None = None) -> Iterator[dict]:
    """Yield each awarded grant as a 360Giving JSON grant object, oldest first. `prefix` and
    `data_source` default to the OPEN_DATA_PREFIX and BASE_URL settings (pass them when iterating
    outside the application context, as a streamed response does)."""
    prefix = prefix if prefix is not None else current_app.config["OPEN_DATA_PREFIX"]
    data_source = data_source if data_source is not None else current_app.config["BASE_URL"]
    for row in _rows(session, batch_size, since):
        yield _grant(row, prefix, data_source)


def grants_360_page(session: Session, *, page: int, per_page: int, since: date | None = None) -> tuple[int, list[dict]]:
    """One page of the same grant objects as grants_360 (for the JSON API), with the total count.
    Amounts are JSON numbers, as in the published file."""
    prefix, data_source = current_app.config["OPEN_DATA_PREFIX"], current_app.config["BASE_URL"]
    stmt = _select(since)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return total, [json_ready(_grant(row, prefix, data_source)) for row in rows]


def streamed(write, since: date | None = None) -> Iterator[str]:
    """Write the export while the response is sent. The generator runs after the request's
    context is gone, so it uses its own session on the engine and the settings read now."""
    from portal.extensions import db

    engine = db.engine
    prefix, source = current_app.config["OPEN_DATA_PREFIX"], current_app.config["BASE_URL"]

    def generate():
        with Session(engine) as session:
            yield from write(grants_360(session, since=since, prefix=prefix, data_source=source))

    return generate()


def _number(value: Decimal):
    # JSON has no decimal type; 360Giving expects a number. Whole kronor as an int, else two decimals.
    return int(value) if value == value.to_integral() else float(value)


def json_ready(grant: dict) -> dict:
    return {**grant, "amountAwarded": _number(grant["amountAwarded"])}


def stream_json(grants: Iterator[dict]) -> Iterator[str]:
    """The 360Giving JSON package {"grants": [...]}, written piece by piece."""
    yield '{"grants": ['
    first = True
    for grant in grants:
        grant = json_ready(grant)
        yield ("" if first else ",") + "\n" + json.dumps(grant, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _csv_row(grant: dict) -> list:
    return [
        grant["id"], grant["title"], grant["description"], grant["currency"], f'{grant["amountAwarded"]:.2f}',
        grant["awardDate"], grant["plannedDates"][0]["startDate"], grant["plannedDates"][0]["endDate"],
        grant["recipientOrganization"][0]["id"], grant["recipientOrganization"][0]["name"],
        grant["recipientOrganization"][0].get("addressLocality", ""),
        grant["fundingOrganization"][0]["id"], grant["fundingOrganization"][0]["name"],
        grant["grantProgramme"][0]["code"], grant["grantProgramme"][0]["title"],
        grant["lastModified"], grant["dataSource"],
    ]


def stream_csv(grants: Iterator[dict]) -> Iterator[str]:
    """The 360Giving CSV layout: comma-separated, UTF-8, the standard's column titles, amounts with
    a decimal point (open-data tools, not Excel, are its readers)."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for grant in grants:
        writer.writerow(_csv_row(grant))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()
