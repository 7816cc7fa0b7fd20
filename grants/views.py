"""Pages: load the objects, check access on them, call a service, commit or roll back, render."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload

from eligibility.explain import STATUS_LABELS as ELIGIBILITY_STATUS_LABELS
from eligibility.screening import is_valid_for_approval
from eligibility.services import latest_screenings, status_from
from grants import lists, payments, permissions, services
from grants.forms import (AssignForm, BudgetForm, BasicsForm, ClaimConfirmForm, ClaimForm, ClaimWaiveForm,
                          ConflictForm, ContentForm, DecisionForm, EmptyForm, ParticipantsForm, PartnersForm,
                          PlanForm, ProgrammeForm, ReturnForm, ReviewForm, StartApplicationForm)
from grants.labels import ACTION_AREAS, APPLICATION_STATUSES, MILESTONE_KINDS
from grants.models import (Application, ApplicationStatus, Decision, FollowUpPlan, Grant, Programme, RepaymentClaim,
                           Review, Tranche)
from grants.money import format_kronor_input, parse_kronor
from organisations.models import Organisation
from organisations.permissions import represented_organisation_ids
from portal import clock
from portal.auth.permissions import staff_committee_ids
from portal.errors import DomainError
from portal.extensions import db
from portal.formatting import translated
from portal.forms_util import apply_change, attach_error, choices
from portal.pagination import paginate_rows
from portal.models import Committee, Role, RoleGrant, User

bp = Blueprint("grants", __name__)

def _step_title(n: int) -> str:
    return {1: _("Basics"), 2: _("Aims, activities and method"), 3: _("Expected participants"),
            4: _("Period and budget"), 5: _("Partners and attachments"), 6: _("Review and submit")}[n]


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _max_days() -> int:
    return current_app.config["FINAL_REPORT_MAX_DAYS_AFTER_END"]


# ------------------------------------------------------------------ public programmes

def _districts_match(district: str):
    """districts is a JSON list; a text match keeps the filter portable across SQLite and
    PostgreSQL. JSON may store "å" as "\\u00e5", so both spellings are tried."""
    import json

    from sqlalchemy import String, cast, or_

    def like(text: str):
        escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        return cast(Programme.districts, String).ilike(f"%{escaped}%", escape="!")

    return or_(like(district), like(json.dumps(district)[1:-1]))


@bp.get("/programmes")
def open_programmes():
    today = clock.today()
    committee_id = request.args.get("committee", type=int)
    area = request.args.get("area") or None
    district = (request.args.get("district") or "").strip()
    stmt = services.open_programmes_query(today, committee_id, area if area in ACTION_AREAS else None)
    if district:
        stmt = stmt.where(_districts_match(district))
    # Open programmes are few: the page carries its total rather than counting in a query of its own.
    page = paginate_rows(db.session, lists.open_programme_rows(stmt), lambda row: row, per_page=_page_size(),
                         total_in_rows=True)
    committees = db.session.scalars(select(Committee).where(Committee.active.is_(True)).order_by(Committee.name))
    return render_template("grants/open_programmes.html", page=page, committees=committees.all(),
                           committee_id=committee_id, area=area, district=district,
                           area_labels=translated(ACTION_AREAS))  # once, not once per row


@bp.get("/programmes/<int:programme_id>")
def programme_public(programme_id: int):
    programme = _get(Programme, programme_id)
    if not services.is_open(programme, clock.today()) and not permissions.can_view_programme_admin(
            current_user, programme):
        abort(404)
    form = StartApplicationForm()
    organisations = []
    if current_user.is_authenticated:
        ids = represented_organisation_ids(current_user)
        organisations = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                           .order_by(Organisation.name)).all() if ids else []
        form.organisation_id.choices = choices([(o.id, o.name) for o in organisations])
    return render_template("grants/programme_public.html", programme=programme, form=form,
                           organisations=organisations, is_open=services.is_open(programme, clock.today()))


@bp.post("/programmes/<int:programme_id>/apply")
@login_required
def apply(programme_id: int):
    programme = _get(Programme, programme_id)
    form = StartApplicationForm()
    ids = represented_organisation_ids(current_user)
    form.organisation_id.choices = choices([(i, str(i)) for i in ids])
    if not form.validate_on_submit():
        abort(403 if not ids else 400)
    organisation = _get(Organisation, form.organisation_id.data)
    try:
        application = services.start_application(db.session, programme=programme, organisation=organisation,
                                                  by=current_user, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("grants.programme_public", programme_id=programme.id))
    db.session.commit()
    return redirect(url_for("grants.application_step", application_id=application.id, step=1))


# ------------------------------------------------------------------ officers: programmes

def _officer_committees():
    ids = current_user.committee_ids(Role.OFFICER)
    return db.session.scalars(select(Committee).where(Committee.id.in_(ids)).order_by(Committee.name)).all()


@bp.get("/staff/programmes")
@login_required
def programmes():
    ids = staff_committee_ids(current_user)
    _require(bool(ids))
    stmt = select(Programme).where(Programme.committee_id.in_(ids)).order_by(Programme.opens_on.desc(),
                                                                              Programme.id.desc())
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("grants/programmes.html", page=page,
                           can_create=bool(current_user.committee_ids(Role.OFFICER)))


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _programme_values(form: ProgrammeForm) -> tuple[dict, list]:
    values = {
        "title": form.title.data, "description": form.description.data or "", "action_area": form.action_area.data,
        "target_groups": _split(form.target_groups.data), "districts": _split(form.districts.data),
        "budget": parse_kronor(form.budget.data, field="budget"),
        "max_per_grant": parse_kronor(form.max_per_grant.data, field="max_per_grant"),
        "opens_on": form.opens_on.data, "closes_on": form.closes_on.data,
        "reporting_rhythm": form.reporting_rhythm.data,
    }
    criteria = [services.CriterionInput(row.form.name.data.strip(), row.form.weight.data or 1)
                for row in form.criteria_rows if (row.form.name.data or "").strip()]
    return values, criteria


@bp.route("/staff/programmes/new", methods=["GET", "POST"])
@login_required
def programme_new():
    committees = _officer_committees()
    _require(bool(committees))
    form = ProgrammeForm()
    form.committee_id.choices = choices([(c.id, c.name) for c in committees])
    if form.validate_on_submit():
        try:
            values, criteria = _programme_values(form)
            programme = services.create_programme(db.session, committee_id=form.committee_id.data, values=values,
                                                  criteria=criteria, by=current_user, now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The programme is saved as a draft."), "success")
            return redirect(url_for("grants.programme_edit", programme_id=programme.id))
    return render_template("grants/programme_form.html", form=form, programme=None)


@bp.route("/staff/programmes/<int:programme_id>", methods=["GET", "POST"])
@login_required
def programme_edit(programme_id: int):
    programme = _get(Programme, programme_id)
    _require(permissions.can_view_programme_admin(current_user, programme))
    can_edit = permissions.can_manage_programmes(current_user, programme.committee_id)
    if request.method == "GET":
        form = ProgrammeForm(obj=programme)
        form.budget.data = format_kronor_input(programme.budget)
        form.max_per_grant.data = format_kronor_input(programme.max_per_grant)
        form.target_groups.data = ", ".join(programme.target_groups or [])
        form.districts.data = ", ".join(programme.districts or [])
        for row, criterion in zip(form.criteria_rows, programme.criteria):
            row.form.name.data, row.form.weight.data = criterion.name, criterion.weight
    else:
        form = ProgrammeForm()
    form.committee_id.choices = choices([(programme.committee_id, programme.committee.name)])
    form.committee_id.data = programme.committee_id
    if request.method == "POST":
        _require(can_edit)
        if form.validate():
            try:
                values, criteria = _programme_values(form)
                services.update_programme(db.session, programme, values=values, criteria=criteria,
                                          by=current_user, now=clock.now())
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("The programme is saved."), "success")
                return redirect(url_for("grants.programme_edit", programme_id=programme.id))
    return render_template("grants/programme_form.html", form=form, programme=programme, can_edit=can_edit,
                           publish_form=EmptyForm())


@bp.post("/staff/programmes/<int:programme_id>/publish")
@login_required
def programme_publish(programme_id: int):
    programme = _get(Programme, programme_id)
    _require(permissions.can_manage_programmes(current_user, programme.committee_id))
    apply_change(
        lambda: services.publish_programme(db.session, programme, by=current_user, now=clock.now()),
        _("The programme is published."))
    return redirect(url_for("grants.programme_edit", programme_id=programme.id))


# ------------------------------------------------------------------ applicants

@bp.get("/my/applications")
@login_required
def my_applications():
    ids = represented_organisation_ids(current_user)
    stmt = (select(Application).where(Application.organisation_id.in_(ids or [-1]))
            .order_by(Application.updated_at.desc(), Application.id.desc()))
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("grants/my_applications.html", page=page)


def _load_own_application(application_id: int) -> Application:
    application = _get(Application, application_id)
    _require(permissions.can_act_for_application(current_user, application))
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
        form.period_start.data, form.period_end.data = application.period_start, application.period_end
        form.requested_amount.data = format_kronor_input(application.requested_amount) \
            if application.requested_amount else ""
        for row, line in zip(form.budget_rows, application.budget_lines):
            row.form.category.data = line.category
            row.form.amount.data = format_kronor_input(line.amount)
            row.form.own_funding.data = format_kronor_input(line.own_funding)
            row.form.other_funding.data = format_kronor_input(line.other_funding)
    elif step == 5:
        form.partners.data = application.partners


def _step_values(form, step: int) -> dict:
    if step == 1:
        return {"title": form.title.data}
    if step == 2:
        return {k: getattr(form, k).data for k in ("aims", "activities", "method", "target_group")}
    if step == 3:
        return {g: {b: getattr(form, f"{g}_{b}").data or 0 for b in services.AGE_BANDS} for g in services.GENDERS}
    if step == 4:
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
    return {"partners": form.partners.data}


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
    form_class = STEP_FORMS[step]
    form = form_class()
    if request.method == "GET":
        _fill_step_form(form, application, step)
    elif form.validate_on_submit():
        try:
            services.save_step(db.session, application, step, _step_values(form, step), by=current_user,
                               now=clock.now())
            if step == 5 and form.attachment.data:
                upload = form.attachment.data
                services.add_attachment(db.session, application, stream=upload.stream,
                                        original_name=upload.filename, by=current_user, now=clock.now(),
                                        upload_dir=current_app.config["UPLOAD_DIR"],
                                        max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The draft is saved."), "success")
            target = step if request.form.get("stay") else step + 1
            return redirect(url_for("grants.application_step", application_id=application.id, step=target))
    return render_template("grants/application_step.html", application=application, form=form, step=step,
                           step_title=_step_title, totals=services.budget_totals(application))


@bp.post("/my/applications/<int:application_id>/submit")
@login_required
def application_submit(application_id: int):
    application = _load_own_application(application_id)
    try:
        services.submit_application(db.session, application, by=current_user, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("grants.application_step", application_id=application.id, step=6))
    db.session.commit()
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
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("grants/grants.html", page=page, title=_("My grants"))


# ------------------------------------------------------------------ staff: applications

@bp.get("/staff/applications")
@login_required
def applications():
    ids = staff_committee_ids(current_user)
    _require(bool(ids) or current_user.is_coordinator)
    status = request.args.get("status")
    shown, counted = lists.staff_applications(None if current_user.is_coordinator else list(ids), status)
    page = paginate_rows(db.session, shown, lists.application_list_entry, per_page=_page_size(),
                         count_select=counted, per_row=lists.with_latest_screening)
    # Every row shows two labels: translated once here, not once per row (these override the context's).
    return render_template("grants/applications.html", page=page, status=status,
                           application_status_labels=translated(APPLICATION_STATUSES),
                           eligibility_status_labels=translated(ELIGIBILITY_STATUS_LABELS))


def _load_staff_application(application_id: int, statement: Select | None = None) -> Application:
    """The application for a staff page (404 for a draft), read by `statement` (its id bound as
    "id") where the page loads more with it."""
    application = (db.session.get(Application, application_id) if statement is None else
                   db.session.scalars(statement, {"id": application_id}).unique().first())
    if application is None:
        abort(404)
    _require(permissions.can_view_application_as_staff(current_user, application))
    if application.status == ApplicationStatus.DRAFT.value:
        abort(404)  # drafts belong to the applicant until submitted
    return application


def _committee_officers(committee_id: int) -> list:
    """(id, name) of the committee's officers, for a choice list."""
    return db.session.execute(select(User.id, User.name).join(RoleGrant).where(
        RoleGrant.role == Role.OFFICER.value, RoleGrant.committee_id == committee_id).order_by(User.name)).all()


# What the application page shows, loaded with the application: people appear by name only (their
# roles are not read), the decision without its letter. Of the plan it shows only what is missing
# (services.plan_outline).
# Built once, like the page's other statements: putting it together costs more than running it.
_APPLICATION_PAGE = select(Application).where(Application.id == bindparam("id")).options(
    joinedload(Application.organisation).lazyload(Organisation.districts),
    selectinload(Application.reviews).options(joinedload(Review.reviewer).lazyload(User.role_grants),
                                              joinedload(Review.scores)),
    joinedload(Application.decision).options(defer(Decision.letter_pdf),
                                             joinedload(Decision.decided_by).lazyload(User.role_grants)),
    # A handful of budget lines and attachments per application: rows of the page's query, not queries of their own.
    joinedload(Application.budget_lines),
    joinedload(Application.attachments),
)


@bp.get("/staff/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    application = _load_staff_application(application_id, _APPLICATION_PAGE)
    committee_id = application.programme.committee_id
    screening, organisation_latest = latest_screenings(db.session, application.organisation_id, application.id)
    can_handle = permissions.can_handle_application(current_user, application)
    # Reviewers are assigned and applications returned only while the application is being reviewed.
    can_assign = can_handle and application.status in (ApplicationStatus.SUBMITTED.value,
                                                        ApplicationStatus.IN_REVIEW.value)
    assign_form = AssignForm()
    if can_assign:  # the officers are read only when the form is shown
        assign_form.reviewer_id.choices = choices([(u.id, u.name) for u in _committee_officers(committee_id)])
    panels = [fn(application) for fn in current_app.extensions.get("application_panels", [])]
    return render_template(
        "grants/application_detail.html", application=application, score=services.weighted_score(application),
        screening=screening, screening_is_valid=is_valid_for_approval(screening, clock.now()),
        organisation_eligibility=status_from(application.organisation, organisation_latest),
        earlier_grants=services.earlier_grants(db.session, application.organisation_id, application.id),
        assign_form=assign_form, return_form=ReturnForm(), form=EmptyForm(),
        panels=[p for p in panels if p], totals=services.budget_totals(application),
        can_handle=can_handle, can_assign=can_assign, can_decide=permissions.can_decide(current_user, application),
        plan_problems=services.outline_problems(services.plan_outline(db.session, application.id),
                                                application.period_end, _max_days()),
        my_review=next((r for r in application.reviews if r.reviewer_id == current_user.id), None))


@bp.post("/staff/applications/<int:application_id>/assign")
@login_required
def application_assign(application_id: int):
    application = _load_staff_application(application_id)
    _require(permissions.can_handle_application(current_user, application))
    form = AssignForm()
    form.reviewer_id.choices = choices([(u.id, u.name) for u in
                                        _committee_officers(application.programme.committee_id)])
    reviewer = db.session.get(User, form.reviewer_id.data) if form.validate_on_submit() else None
    if reviewer is None:
        flash(_("Choose an officer of the committee."), "error")
        return redirect(url_for("grants.application_detail", application_id=application.id))
    apply_change(
        lambda: services.assign_reviewer(db.session, application, reviewer=reviewer, by=current_user, now=clock.now()),
        _("The reviewer is assigned."))
    return redirect(url_for("grants.application_detail", application_id=application.id))


@bp.post("/staff/applications/<int:application_id>/return")
@login_required
def application_return(application_id: int):
    application = _load_staff_application(application_id)
    _require(permissions.can_handle_application(current_user, application))
    form = ReturnForm()
    apply_change(
        lambda: services.return_for_completion(db.session, application, message=form.message.data or "",
                                               by=current_user, now=clock.now()),
        _("The application is returned to the applicant."))
    return redirect(url_for("grants.application_detail", application_id=application.id))


@bp.post("/staff/applications/<int:application_id>/screen")
@login_required
def application_screen(application_id: int):
    application = _load_staff_application(application_id)
    _require(permissions.can_handle_application(current_user, application))
    apply_change(
        lambda: services.run_screening(db.session, application, by=current_user, now=clock.now()),
        _("The screening has run."))
    return redirect(url_for("grants.application_detail", application_id=application.id))


@bp.route("/staff/reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
def review(review_id: int):
    review = _get(Review, review_id)
    application = review.application
    _require(permissions.can_view_application_as_staff(current_user, application))
    is_mine = review.reviewer_id == current_user.id
    conflict_form, review_form = ConflictForm(prefix="conflict"), ReviewForm(prefix="review")
    criteria = application.programme.criteria
    if request.method == "POST":
        _require(is_mine)
        try:
            if review.has_conflict is None:
                if conflict_form.validate_on_submit():
                    services.declare_conflict(db.session, review, has_conflict=conflict_form.has_conflict.data == "yes",
                                              reason=conflict_form.conflict_reason.data or "", by=current_user,
                                              now=clock.now())
                else:
                    raise DomainError(_("Answer the question about conflict of interest."), field="has_conflict")
            else:
                scores = {}
                for c in criteria:
                    raw = request.form.get(f"score_{c.id}", "")
                    scores[c.id] = (int(raw) if raw.isdigit() else None, request.form.get(f"comment_{c.id}", ""))
                services.submit_review(db.session, review, scores=scores,
                                       recommendation=review_form.recommendation.data or "",
                                       comment=review_form.comment.data or "", by=current_user, now=clock.now())
        except DomainError as error:
            db.session.rollback()
            attach_error(conflict_form if review.has_conflict is None else review_form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("grants.review", review_id=review.id))
    return render_template("grants/review.html", review=review, application=application, criteria=criteria,
                           conflict_form=conflict_form, review_form=review_form, is_mine=is_mine,
                           submitted_scores=request.form)


@bp.post("/staff/applications/<int:application_id>/review-myself")
@login_required
def review_myself(application_id: int):
    application = _load_staff_application(application_id)
    _require(permissions.can_handle_application(current_user, application))
    try:
        review = services.assign_reviewer(db.session, application, reviewer=current_user, by=current_user,
                                          now=clock.now())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("grants.application_detail", application_id=application.id))
    db.session.commit()
    return redirect(url_for("grants.review", review_id=review.id))


def _decimal(text: str | None, field: str) -> Decimal:
    try:
        return Decimal((text or "0").replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise DomainError(_("Enter a number."), field=field) from None


@bp.route("/staff/applications/<int:application_id>/plan", methods=["GET", "POST"])
@login_required
def plan(application_id: int):
    application = _load_staff_application(application_id)
    can_edit = permissions.can_handle_application(current_user, application)
    form = PlanForm() if request.method == "POST" else PlanForm(formdata=None)
    officers = _committee_officers(application.programme.committee_id)
    form.responsible_officer_id.choices = choices([(0, _("— choose —"))] + [(u.id, u.name) for u in officers])
    plan = application.plan
    if request.method == "GET" and plan is not None:
        form.responsible_officer_id.data = plan.responsible_officer_id or 0
        for row, i in zip(form.indicator_rows, plan.indicators):
            f = row.form
            f.objective.data, f.name.data, f.unit.data = i.objective, i.name, i.unit
            f.baseline.data, f.target.data, f.by_gender.data = str(i.baseline), str(i.target), i.by_gender
        for row, m in zip(form.milestone_rows, plan.milestones):
            row.form.kind.data, row.form.due_on.data = m.kind, m.due_on
        for row, e in zip(form.evaluation_rows, plan.evaluation_points):
            row.form.due_on.data = e.due_on
    if request.method == "POST":
        _require(can_edit)
        if form.validate_on_submit():
            try:
                indicators = [services.IndicatorInput(
                    r.form.objective.data.strip(), r.form.name.data.strip(), (r.form.unit.data or "").strip(),
                    _decimal(r.form.baseline.data, "indicator_rows"), _decimal(r.form.target.data, "indicator_rows"),
                    bool(r.form.by_gender.data)) for r in form.indicator_rows if (r.form.name.data or "").strip()]
                milestones = [services.MilestoneInput(r.form.kind.data, r.form.due_on.data)
                              for r in form.milestone_rows if r.form.kind.data and r.form.due_on.data]
                evaluations = [r.form.due_on.data for r in form.evaluation_rows if r.form.due_on.data]
                services.save_plan(db.session, application, responsible_officer_id=form.responsible_officer_id.data,
                                   indicators=indicators, milestones=milestones, evaluation_dates=evaluations,
                                   by=current_user, now=clock.now())
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(_("The follow-up plan is saved."), "success")
                return redirect(url_for("grants.application_detail", application_id=application.id))
    return render_template("grants/plan.html", application=application, form=form, can_edit=can_edit,
                           problems=services.plan_problems(plan, application.period_end, _max_days()))


@bp.route("/staff/applications/<int:application_id>/decide", methods=["GET", "POST"])
@login_required
def decide(application_id: int):
    application = _load_staff_application(application_id)
    _require(permissions.can_decide(current_user, application))
    if application.decision is not None:
        flash(_("The application is already decided."), "info")
        return redirect(url_for("grants.application_detail", application_id=application.id))
    form = DecisionForm()
    milestones = application.plan.milestones if application.plan else []
    condition_choices = [("none", _("None"))] + [
        (f"m{m.id}", _("After the %(kind)s due %(date)s is approved", kind=MILESTONE_KINDS[m.kind],
                       date=m.due_on.isoformat())) for m in milestones]
    for row in form.tranche_rows:
        row.form.condition.choices = choices(condition_choices)
    if request.method == "GET":
        form.version.data = str(application.version)
        form.amount.data = format_kronor_input(application.requested_amount)
        form.tranche_rows[0].form.due_on.data = application.period_start
        form.tranche_rows[0].form.amount.data = format_kronor_input(application.requested_amount)
    elif form.validate_on_submit():
        try:
            tranches = []
            for row in form.tranche_rows:
                if not (row.form.amount.data or "").strip():
                    continue
                if row.form.due_on.data is None:
                    raise DomainError(_("Every tranche needs a due date."), field="tranche_rows")
                condition = row.form.condition.data or "none"
                tranches.append(services.TrancheInput(
                    row.form.due_on.data, parse_kronor(row.form.amount.data, field="tranche_rows"),
                    "none" if condition == "none" else "milestone_approved",
                    int(condition[1:]) if condition.startswith("m") else None))
            amount = parse_kronor(form.amount.data, field="amount", allow_empty=True) or None
            services.decide(db.session, application, outcome=form.outcome.data, amount=amount,
                            reasons=form.reasons.data, conditions=form.conditions.data or "",
                            tranches=tranches or None, expected_version=int(form.version.data or 0),
                            by=current_user, now=clock.now(), final_report_max_days=_max_days())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The decision is made and the letter is ready."), "success")
            return redirect(url_for("grants.application_detail", application_id=application.id))
    return render_template("grants/decide.html", application=application, form=form,
                           plan_problems=services.plan_problems(application.plan, application.period_end,
                                                                _max_days()),
                           remaining=services.remaining_budget(db.session, application.programme))


@bp.get("/applications/<int:application_id>/decision-letter.pdf")
@login_required
def decision_letter(application_id: int):
    application = _get(Application, application_id)
    _require(permissions.can_download_letter(current_user, application))
    if application.decision is None or not application.decision.letter_pdf:
        abort(404)
    return Response(application.decision.letter_pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="beslut-{application.reference}.pdf"'})


# ------------------------------------------------------------------ grants and tranches

@bp.get("/staff/grants")
@login_required
def grants():
    ids = staff_committee_ids(current_user)
    _require(bool(ids) or current_user.is_coordinator)
    stmt = select(Grant).order_by(Grant.created_at.desc(), Grant.id.desc())
    if not current_user.is_coordinator:
        stmt = stmt.where(Grant.committee_id.in_(ids))
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("grants/grants.html", page=page, title=_("Grants"), staff_view=True)


# What the grant page shows, loaded with the grant: the application's reference and plan (its
# officer by name only); not the application's own organisation and programme, nor the districts.
_GRANT_PAGE = select(Grant).where(Grant.id == bindparam("id")).options(
    joinedload(Grant.application).options(
        lazyload(Application.organisation), lazyload(Application.programme),
        joinedload(Application.plan).joinedload(FollowUpPlan.responsible_officer).lazyload(User.role_grants)),
    joinedload(Grant.organisation).lazyload(Organisation.districts),
    joinedload(Grant.tranches),  # a handful per grant: one row each, instead of a query of their own
)


@bp.get("/grants/<int:grant_id>")
@login_required
def grant_detail(grant_id: int):
    grant = db.session.scalars(_GRANT_PAGE, {"id": grant_id}).unique().first()
    if grant is None:
        abort(404)
    _require(permissions.can_view_grant(current_user, grant))
    return render_template("grants/grant_detail.html", grant=grant, plan=grant.application.plan, form=EmptyForm(),
                           claim_form=ClaimForm(), can_manage=permissions.can_manage_grant(current_user, grant),
                           confirm_form=ClaimConfirmForm(), waive_form=ClaimWaiveForm(), today=clock.today())


def _tranche_action(tranche_id: int, action):
    tranche = _get(Tranche, tranche_id)
    _require(permissions.can_manage_grant(current_user, tranche.grant))
    if not EmptyForm().validate_on_submit():
        abort(400)
    apply_change(
        lambda: action(db.session, tranche, by=current_user, now=clock.now()),
        _("The payment is updated."))
    return redirect(url_for("grants.grant_detail", grant_id=tranche.grant_id))


@bp.post("/tranches/<int:tranche_id>/release")
@login_required
def tranche_release(tranche_id: int):
    return _tranche_action(tranche_id, payments.release_tranche)


@bp.post("/tranches/<int:tranche_id>/paid")
@login_required
def tranche_paid(tranche_id: int):
    return _tranche_action(tranche_id, payments.mark_tranche_paid)


@bp.post("/tranches/<int:tranche_id>/cancel")
@login_required
def tranche_cancel(tranche_id: int):
    return _tranche_action(tranche_id, payments.cancel_tranche)


@bp.post("/grants/<int:grant_id>/claims")
@login_required
def claim_new(grant_id: int):
    grant = _get(Grant, grant_id)
    _require(permissions.can_manage_grant(current_user, grant))
    form = ClaimForm()
    if form.validate_on_submit():
        apply_change(
            lambda: payments.raise_repayment_claim(db.session, grant,
                                                   amount=parse_kronor(form.amount.data, field="amount"),
                                                   reason=form.reason.data, due_on=form.due_on.data, by=current_user,
                                                   now=clock.now()),
            _("The repayment claim is raised."))
    else:
        flash(_("Enter an amount and a reason."), "error")
    return redirect(url_for("grants.grant_detail", grant_id=grant.id))


def _claim_action(claim_id: int, form_class, action, done: str):
    claim = _get(RepaymentClaim, claim_id)
    _require(permissions.can_manage_grant(current_user, claim.grant))
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    apply_change(
        lambda: action(claim, form),
        done)
    return redirect(url_for("grants.grant_detail", grant_id=claim.grant_id))


@bp.post("/claims/<int:claim_id>/confirm")
@login_required
def claim_confirm(claim_id: int):
    return _claim_action(claim_id, ClaimConfirmForm, lambda claim, form: payments.confirm_repayment_claim(
        db.session, claim, due_on=form.due_on.data, by=current_user, now=clock.now()),
        _("The repayment claim is confirmed and sent to the organisation."))


@bp.post("/claims/<int:claim_id>/paid")
@login_required
def claim_paid(claim_id: int):
    return _claim_action(claim_id, EmptyForm, lambda claim, form: payments.mark_repayment_paid(
        db.session, claim, by=current_user, now=clock.now()), _("The claim is marked as repaid."))


@bp.post("/claims/<int:claim_id>/waive")
@login_required
def claim_waive(claim_id: int):
    return _claim_action(claim_id, ClaimWaiveForm, lambda claim, form: payments.waive_repayment_claim(
        db.session, claim, reason=form.waiver_reason.data or "", by=current_user, now=clock.now()),
        _("The claim is waived."))
