"""The applicant's pages: an organisation's applications, filling one in step by step, submitting
and withdrawing it, and the organisation's grants."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from sqlalchemy import select

from grants import permissions, services
from grants.forms import BasicsForm, BudgetForm, ContentForm, EmptyForm, ParticipantsForm, PartnersForm
from grants.models import Application, Grant
from grants.money import format_kronor_input, parse_kronor
from grants.views import bp
from grants.views.common import get_or_404, page_size, require
from organisations.permissions import represented_organisation_ids
from portal import clock
from portal.extensions import db
from portal.forms_util import apply_change, render_form, save_form


def _step_title(n: int) -> str:
    return {1: _("Basics"), 2: _("Aims, activities and method"), 3: _("Expected participants"),
            4: _("Period and budget"), 5: _("Partners and attachments"), 6: _("Review and submit")}[n]


@bp.get("/my/applications")
@login_required
def my_applications():
    ids = represented_organisation_ids(current_user)
    stmt = (select(Application).where(Application.organisation_id.in_(ids or [-1]))
            .order_by(Application.updated_at.desc(), Application.id.desc()))
    page = db.paginate(stmt, per_page=page_size(), error_out=False)
    return render_template("grants/my_applications.html", page=page)


def _load_own_application(application_id: int) -> Application:
    application = get_or_404(Application, application_id)
    require(permissions.can_act_for_application(current_user, application))
    return application


STEP_FORMS = {1: BasicsForm, 2: ContentForm, 3: ParticipantsForm, 4: BudgetForm, 5: PartnersForm}


def _fill_step_form(form, application: Application, step: int) -> None:
    if step == 1:
        form.title.data = application.title
    elif step == 2:
        for key in ("aims", "activities", "method", "target_group"):
            getattr(form, key).data = getattr(application, key)
    elif step == 3:
        for gender, bands in (application.expected_participants or {}).items():
            for band, value in bands.items():
                if hasattr(form, f"{gender}_{band}"):
                    getattr(form, f"{gender}_{band}").data = value
    elif step == 4:
        _fill_budget_form(form, application)
    elif step == 5:
        form.partners.data = application.partners


def _fill_budget_form(form, application: Application) -> None:
    form.period_start.data, form.period_end.data = application.period_start, application.period_end
    form.requested_amount.data = format_kronor_input(application.requested_amount) \
        if application.requested_amount else ""
    for row, line in zip(form.budget_rows, application.budget_lines):
        row.form.category.data = line.category
        row.form.amount.data = format_kronor_input(line.amount)
        row.form.own_funding.data = format_kronor_input(line.own_funding)
        row.form.other_funding.data = format_kronor_input(line.other_funding)


def _budget_values(form) -> dict:
    lines = []
    for row in form.budget_rows:
        if not (row.form.category.data or "").strip() and not (row.form.amount.data or "").strip():
            continue
        lines.append(services.BudgetLineInput(
            category=(row.form.category.data or "").strip() or pgettext("budget category", "Other"),
            amount=parse_kronor(row.form.amount.data, field="budget_rows"),
            own_funding=parse_kronor(row.form.own_funding.data, field="budget_rows", allow_empty=True),
            other_funding=parse_kronor(row.form.other_funding.data, field="budget_rows", allow_empty=True)))
    return {"period_start": form.period_start.data, "period_end": form.period_end.data, "budget_lines": lines,
            "requested_amount": parse_kronor(form.requested_amount.data, field="requested_amount")}


def _step_values(form, step: int) -> dict:
    if step == 1:
        return {"title": form.title.data}
    if step == 2:
        return {k: getattr(form, k).data for k in ("aims", "activities", "method", "target_group")}
    if step == 3:
        return {g: {b: getattr(form, f"{g}_{b}").data or 0 for b in services.AGE_BANDS} for g in services.GENDERS}
    if step == 4:
        return _budget_values(form)
    return {"partners": form.partners.data}


def _save_step(application: Application, form, step: int) -> None:
    """The step's values, and on step 5 the attachment uploaded with them."""
    services.save_step(db.session, application, step, _step_values(form, step), by=current_user, now=clock.now())
    if step == 5 and form.attachment.data:
        upload = form.attachment.data
        services.add_attachment(db.session, application, stream=upload.stream, original_name=upload.filename,
                                by=current_user, now=clock.now(), upload_dir=current_app.config["UPLOAD_DIR"],
                                max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)


@bp.route("/my/applications/<int:application_id>/step/<int:step>", methods=["GET", "POST"])
@login_required
def application_step(application_id: int, step: int):
    application = _load_own_application(application_id)
    if application.status not in services.EDITABLE_STATUSES:
        return redirect(url_for("grants.my_application", application_id=application.id))
    if step < 1 or step > 6:
        abort(404)
    if step == 6:
        return render_template("grants/application_review_submit.html", application=application,
                               form=EmptyForm(), totals=services.budget_totals(application),
                               missing=services.missing_parts(application), step=6, step_title=_step_title)
    form = STEP_FORMS[step]()
    if request.method == "GET":
        _fill_step_form(form, application, step)
    elif form.validate_on_submit() and save_form(form, lambda: _save_step(application, form, step),
                                                 _("The draft is saved.")):
        target = step if request.form.get("stay") else step + 1
        return redirect(url_for("grants.application_step", application_id=application.id, step=target))
    return render_form("grants/application_step.html", application=application, form=form, step=step,
                       step_title=_step_title, totals=services.budget_totals(application))


@bp.post("/my/applications/<int:application_id>/submit")
@login_required
def application_submit(application_id: int):
    application = _load_own_application(application_id)
    if apply_change(lambda: services.submit_application(db.session, application, by=current_user, now=clock.now()),
                    None) is None:
        return redirect(url_for("grants.application_step", application_id=application.id, step=6))
    return redirect(url_for("grants.my_application", application_id=application.id, receipt=1))


@bp.get("/my/applications/<int:application_id>")
@login_required
def my_application(application_id: int):
    application = _load_own_application(application_id)
    if application.status in services.EDITABLE_STATUSES and not application.reference:
        return redirect(url_for("grants.application_step", application_id=application.id,
                                step=application.last_step))
    return render_template("grants/my_application.html", application=application, form=EmptyForm(),
                           totals=services.budget_totals(application), receipt=request.args.get("receipt"),
                           can_withdraw=application.status in services.WITHDRAWABLE_STATUSES,
                           can_edit=application.status in services.EDITABLE_STATUSES)


@bp.post("/my/applications/<int:application_id>/withdraw")
@login_required
def application_withdraw(application_id: int):
    application = _load_own_application(application_id)
    apply_change(
        lambda: services.withdraw_application(db.session, application, by=current_user, now=clock.now()),
        _("The application is withdrawn."))
    return redirect(url_for("grants.my_applications"))


@bp.get("/my/grants")
@login_required
def my_grants():
    ids = represented_organisation_ids(current_user)
    stmt = select(Grant).where(Grant.organisation_id.in_(ids or [-1])).order_by(Grant.created_at.desc(),
                                                                                 Grant.id.desc())
    page = db.paginate(stmt, per_page=page_size(), error_out=False)
    return render_template("grants/grants.html", page=page, title=_("My grants"))
