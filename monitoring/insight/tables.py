"""The dashboard's figures as labelled tables: one structure for the page, the chart and the CSV.

Labels are translated here (the figures module stays free of presentation)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, pgettext
from sqlalchemy.orm import Session

from monitoring.insight import figures
from monitoring.insight.figures import Filters
from portal.csv_files import csv_writer

AREA_LABELS = {
    "general": _l("General, democracy-promoting"),
    "targeted": _l("Targeted, preventive"),
    "individual": _l("Individual interventions"),
}
STATUS_LABELS = {"active": lazy_pgettext("grant count", "Active"),
                 "completed": lazy_pgettext("grant count", "Completed"),
                 "withdrawn": lazy_pgettext("grant count", "Withdrawn")}
REPORT_LABELS = {
    "on_time": _l("On time"), "late": _l("Late"), "overdue": _l("Overdue (missing)"),
    "not_due": _l("Not yet due"),
}


@dataclass
class Column:
    title: str
    kind: str = "text"  # text / int / money / share / decimal


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    hint: str = ""
    chart_column: int | None = None  # which column the bar chart shows, if any
    total: int | None = None  # set when `rows` is only the first rows of `total`
    full_list: str | None = None  # the endpoint of the paged page with all `total` rows

    @property
    def chart_rows(self) -> list[tuple[str, int]]:
        if self.chart_column is None:
            return []
        return [(str(r[0]), r[self.chart_column] or 0) for r in self.rows]

    @property
    def chart_max(self) -> int:
        return max([v for _, v in self.chart_rows] or [0])


def _area(key: str) -> str:
    return str(AREA_LABELS.get(key, key))


def money_table(session: Session, f: Filters, group: str) -> Table:
    titles = {"committee": _("Money per committee"), "area": _("Money per action area"),
              "district": _("Money per district")}
    first = {"committee": _("Committee"), "area": _("Action area"), "district": _("District")}
    rows = figures.money(session, f, group)
    table = Table(
        name={"committee": "committees", "area": "areas", "district": "districts"}[group],
        title=titles[group],
        columns=[Column(first[group]), Column(_("Grants"), "int"), Column(_("Granted"), "money"),
                 Column(pgettext("amount", "Paid"), "money")],
        rows=[[_area(r["key"][0]) if group == "area" else r["key"][0], r["grants"], r["granted"], r["paid"]]
              for r in rows],
        chart_column=2,
    )
    if group == "district":
        table.hint = _("A grant counts in every district where its organisation works, so the rows may add up "
                       "to more than the total.")
    return table


def statuses_table(session: Session, f: Filters) -> Table:
    counts = figures.statuses(session, f)
    return Table("statuses", _("Grants by status"), [Column(_("Status")), Column(_("Grants"), "int")],
                 [[str(STATUS_LABELS[k]), n] for k, n in counts.items()], chart_column=1)


def reports_table(session: Session, f: Filters, today: date) -> Table:
    counts = figures.report_timeliness(session, f, today)
    return Table("reports", _("Reports on time and overdue"), [Column(_("Reports")), Column(_("Number"), "int")],
                 [[str(REPORT_LABELS[k]), n] for k, n in counts.items()], chart_column=1,
                 hint=_("On time: handed in on or before the due date. Overdue: still missing after it."))


def participants_table(session: Session, f: Filters) -> Table:
    total = figures.participants(session, f)[0]
    return Table("participants", _("Participants reached by gender"),
                 [Column(_("Gender")), Column(_("Participants"), "int")],
                 [[_("Women"), total["women"]], [_("Men"), total["men"]],
                  [_("Other or not stated"), total["other"]]], chart_column=1,
                 hint=_("From approved grantee reports."))


def evaluations_table(session: Session, f: Filters, group: str = "area") -> Table:
    rows = figures.evaluations(session, f, group)
    first = {"committee": _("Committee"), "area": _("Action area")}[group]
    return Table(
        "attainment" if group == "area" else "evaluations",
        _("Indicator attainment per action area") if group == "area" else _("Evaluations per committee"),
        [Column(first), Column(_("Evaluations"), "int"), Column(_("Mean attainment"), "share"),
         Column(_("Mean rating (1–5)"), "decimal")],
        [[_area(r["key"][0]) if group == "area" else r["key"][0], r["evaluations"], r["attainment"], r["rating"]]
         for r in rows],
        hint=_("Attainment is the mean share of the indicators' targets reached, from completed evaluations."),
    )


def ratings_table(session: Session, f: Filters) -> Table:
    counts = figures.ratings(session, f)
    return Table("ratings", _("Evaluation ratings"), [Column(_("Rating")), Column(_("Evaluations"), "int")],
                 [[str(r), n] for r, n in counts.items()], chart_column=1)


def partnerships_table(session: Session, f: Filters, limit: int | None = None, offset: int = 0) -> Table:
    """Every organisation funded by several committees (the CSV), or `limit` of them from `offset`,
    most committees first, with the total (the dashboard and the paged list: the rows grow with the data)."""
    if limit is None:
        rows, total = figures.partnerships(session, f), None
    else:
        rows, total = figures.partnerships_page(session, f, limit=limit, offset=offset), \
            figures.partnerships_count(session, f)
    return Table("partnerships", _("Organisations funded by several committees"),
                 [Column(_("Organisation")), Column(_("Committees"), "int"), Column(_("Which committees"))],
                 [[r["organisation"], len(r["committees"]), ", ".join(r["committees"])] for r in rows],
                 total=total)


def overlaps_table(session: Session, f: Filters) -> Table:
    rows = figures.overlaps(session, f)
    return Table("overlaps", _("Committees that fund the same organisations"),
                 [Column(_("Committee")), Column(_("Committee")), Column(_("Shared organisations"), "int")],
                 [[r["key"][0], r["key"][1], r["organisations"]] for r in rows])


TABLE_NAMES = ("committees", "areas", "districts", "statuses", "reports", "participants", "attainment",
               "evaluations", "ratings", "partnerships", "overlaps")


def build_table(session: Session, name: str, f: Filters, today: date) -> Table:
    builders = {
        "committees": lambda: money_table(session, f, "committee"),
        "areas": lambda: money_table(session, f, "area"),
        "districts": lambda: money_table(session, f, "district"),
        "statuses": lambda: statuses_table(session, f),
        "reports": lambda: reports_table(session, f, today),
        "participants": lambda: participants_table(session, f),
        "attainment": lambda: evaluations_table(session, f, "area"),
        "evaluations": lambda: evaluations_table(session, f, "committee"),
        "ratings": lambda: ratings_table(session, f),
        "partnerships": lambda: partnerships_table(session, f),
        "overlaps": lambda: overlaps_table(session, f),
    }
    return builders[name]()


# The dashboard shows the organisations funded by the most committees; the rest are on their own paged
# page and in the CSV.
DASHBOARD_PARTNERSHIPS = 20


def all_tables(session: Session, f: Filters, today: date) -> list[Table]:
    """The dashboard's tables: every figure, with the growing partnerships list cut to its first rows."""
    result = []
    for name in TABLE_NAMES:
        if name == "partnerships":
            table = partnerships_table(session, f, limit=DASHBOARD_PARTNERSHIPS)
            table.full_list = "insight.partnerships"
        else:
            table = build_table(session, name, f, today)
        result.append(table)
    return result


def csv_value(value, kind: str) -> str:
    """Excel in Swedish settings: decimal comma, no thousands separator, kronor for money."""
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value) / 100:.2f}".replace(".", ",")
    if kind == "share":
        return f"{Decimal(value) * 100:.1f}".replace(".", ",")
    if kind == "decimal":
        return str(value).replace(".", ",")
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads å, ä, ö) and semicolons, as Swedish Excel expects
    when the decimal separator is a comma. Money in kronor, shares in per cent."""
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n")
    headers = []
    for c in table.columns:
        suffix = {"money": " (kr)", "share": " (%)"}.get(c.kind, "")
        headers.append(f"{c.title}{suffix}")
    writer.writerow(headers)
    for row in table.rows:
        writer.writerow([csv_value(v, c.kind) for v, c in zip(row, table.columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
