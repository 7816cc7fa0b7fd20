"""Coordinator dashboard, annual follow-up reports (coordinators), and the public open-data export."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from monitoring.insight import annual, figures, open_data, tables
from monitoring.insight.cache import data_version, figure_cache
from monitoring.insight.forms import AnnualReportForm, DashboardFilterForm
from monitoring.insight.models import AnnualReport
from monitoring.insight.permissions import (can_download_annual_report, can_generate_annual_report,
                                            can_view_dashboard)
from portal import clock
from portal.extensions import db
from portal.forms_util import render_form, save_form

bp = Blueprint("insight", __name__, url_prefix="/insight")
public_bp = Blueprint("open_data", __name__, url_prefix="/open-data")


PARTNERSHIPS_PER_PAGE = 50


@dataclass
class Page:
    """What the pagination macro reads, for a list that is not one entity per row."""
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _filter_form() -> DashboardFilterForm:
    form = DashboardFilterForm(request.args)
    form.fill_choices(figures.filter_options(db.session))
    return form


@bp.get("/")
@login_required
def dashboard():
    _require(can_view_dashboard(current_user))
    # Whole-city aggregates are costly and read far more often than the data changes: the page's body
    # (filter and figures) is kept per worker for one data version (monitoring.insight.cache), the day
    # (report timeliness), the language and the query string (which decides the filter and the links).
    today, query = clock.today(), request.args.to_dict()

    def render_body() -> Markup:
        form = _filter_form()
        return Markup(render_template("monitoring/insight/_dashboard_body.html", form=form, query=query,
                                      tables=tables.all_tables(db.session, form.filters(), today)))

    key = ("dashboard", today, str(get_locale()), tuple(sorted(query.items())))
    body = figure_cache().remember(data_version(db.session), key, render_body)
    return render_template("monitoring/insight/dashboard.html", body=body)


@bp.get("/partnerships")
@login_required
def partnerships():
    """Every organisation funded by several committees, a page at a time (the dashboard shows the first)."""
    _require(can_view_dashboard(current_user))
    form = _filter_form()
    page_number = request.args.get("page", 1, type=int)
    page_number = page_number if page_number and page_number > 0 else 1
    table = tables.partnerships_table(db.session, form.filters(), limit=PARTNERSHIPS_PER_PAGE,
                                      offset=(page_number - 1) * PARTNERSHIPS_PER_PAGE)
    page = Page(page_number, PARTNERSHIPS_PER_PAGE, table.total)
    query = {k: v for k, v in request.args.to_dict().items() if k != "page"}
    return render_template("monitoring/insight/partnerships.html", form=form, table=table, page=page, query=query)


@bp.get("/tables/<name>.csv")
@login_required
def table_csv(name: str):
    _require(can_view_dashboard(current_user))
    if name not in tables.TABLE_NAMES:
        abort(404)
    table = tables.build_table(db.session, name, _filter_form().filters(), clock.today())
    return Response(tables.to_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/annual-reports", methods=["GET", "POST"])
@login_required
def annual_reports():
    _require(can_download_annual_report(current_user))
    form = AnnualReportForm()
    if request.method == "GET" and form.year.data is None:
        form.year.data = clock.today().year - 1
    if form.validate_on_submit():
        _require(can_generate_annual_report(current_user))
        if save_form(form, lambda: annual.generate_annual_report(db.session, form.year.data, by=current_user,
                                                                 now=clock.now()),
                     _("The annual report for %(year)s is ready.", year=form.year.data)):
            return redirect(url_for("insight.annual_reports"))
    stored = db.session.execute(
        select(AnnualReport.year, AnnualReport.generated_at).order_by(AnnualReport.year.desc())).all()
    return render_form("monitoring/insight/annual_reports.html", form=form, stored=stored)


@bp.get("/annual-reports/<int:year>.pdf")
@login_required
def annual_report_pdf(year: int):
    _require(can_download_annual_report(current_user))
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.year == year))
    if report is None:
        abort(404)
    return Response(report.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="arsuppfoljning-{year}.pdf"'})


@public_bp.get("/")
def index():
    return render_template("monitoring/insight/open_data.html")


@public_bp.get("/360giving/grants.json")
def grants_json():
    return Response(open_data.streamed(open_data.stream_json), mimetype="application/json")


@public_bp.get("/360giving/grants.csv")
def grants_csv():
    return Response(open_data.streamed(open_data.stream_csv), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="grants-360giving.csv"'})
