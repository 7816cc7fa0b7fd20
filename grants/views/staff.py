"""The staff's application pages: the list and one application's page with its handling buttons
(assign a reviewer, return for completion, run the screening), a reviewer's page, the follow-up
plan, the decision and its letter."""
from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, joinedload, selectinload

from eligibility.explain import STATUS_LABELS as ELIGIBILITY_STATUS_LABELS
from eligibility.permissions import can_screen_application, can_view_screening
from eligibility.screening import is_valid_for_approval
from eligibility.services import latest_screenings, status_from
from grants import lists, permissions, services
from grants.forms import AssignForm, ConflictForm, DecisionForm, EmptyForm, PlanForm, ReturnForm, ReviewForm
from grants.labels import APPLICATION_STATUSES, MILESTONE_KINDS
from grants.models import Application, Decision, FollowUpPlan, Review
from grants.money import format_kronor_input, parse_kronor
from grants.views import bp
from grants.views.common import (committee_officers, final_report_max_days, get_or_404, load_staff_application,
                                 page_size, require)
from organisations.models import Organisation
from portal import clock
from portal.auth.permissions import staff_committee_ids
from portal.errors import DomainError
from portal.extensions import db
from portal.formatting import translated
from portal.forms_util import apply_change, choices, render_form, save_form
from portal.models import User
from portal.numbers import NUMERIC_14_2, finite_decimal, whole_number
from portal.pagination import paginate_rows


# ------------------------------------------------------------------ applications

@bp.get("/staff/applications")
@login_required
def applications():
    ids = staff_committee_ids(current_user)
    require(bool(ids) or current_user.is_coordinator)
    status = request.args.get("status")
    shown, counted = lists.staff_applications(None if current_user.is_coordinator else list(ids), status)
    page = paginate_rows(db.session, shown, lists.application_list_entry, per_page=page_size(),
                         count_select=counted, per_row=lists.with_latest_screening)
    # Every row shows two labels: translated once here, not once per row (these override the context's).
    return render_template("grants/applications.html", page=page, status=status,
                           application_status_labels=translated(APPLICATION_STATUSES),
                           eligibility_status_labels=translated(ELIGIBILITY_STATUS_LABELS))


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


def _screening_openable(screening, application) -> bool:
    """For the eligibility badge: a link to the organisation's latest screening, answered without a
    query. Another application's screening is linked for coordinators only: its committee is not
    read here, and staff find it on the organisation's eligibility page among those they may open."""
    if screening is None:
        return False
    if screening.application_id in (None, application.id):
        return can_view_screening(current_user, screening, application)
    return current_user.is_coordinator


@bp.get("/staff/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    application = load_staff_application(application_id, _APPLICATION_PAGE)
    committee_id = application.programme.committee_id
    screening, organisation_latest = latest_screenings(db.session, application.organisation_id, application.id)
    can_handle = permissions.can_handle_application(current_user, application)
    # Reviewers are assigned and applications returned only while the application is being reviewed.
    can_assign = can_handle and application.is_under_review
    assign_form = AssignForm()
    if can_assign:  # the officers are read only when the form is shown
        assign_form.reviewer_id.choices = choices([(u.id, u.name) for u in committee_officers(committee_id)])
    panels = [fn(application) for fn in current_app.extensions.get("application_panels", [])]
    return render_template(
        "grants/application_detail.html", application=application, score=services.weighted_score(application),
        screening=screening, screening_is_valid=is_valid_for_approval(screening, clock.now()),
        organisation_eligibility=status_from(application.organisation, organisation_latest),
        screening_openable=_screening_openable(organisation_latest, application),
        earlier_grants=services.earlier_grants(db.session, application.organisation_id, application.id),
        assign_form=assign_form, return_form=ReturnForm(), form=EmptyForm(),
        panels=[p for p in panels if p], totals=services.budget_totals(application),
        can_handle=can_handle, can_screen=can_screen_application(current_user, application), can_assign=can_assign,
        can_decide=services.may_decide(current_user, application),
        plan_problems=services.outline_problems(services.plan_outline(db.session, application.id),
                                                application.period_end, final_report_max_days()),
        my_review=next((r for r in application.reviews if r.reviewer_id == current_user.id), None))


@bp.post("/staff/applications/<int:application_id>/assign")
@login_required
def application_assign(application_id: int):
    application = load_staff_application(application_id)
    require(permissions.can_handle_application(current_user, application))
    form = AssignForm()
    form.reviewer_id.choices = choices([(u.id, u.name) for u in
                                        committee_officers(application.programme.committee_id)])
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
    application = load_staff_application(application_id)
    require(permissions.can_handle_application(current_user, application))
    form = ReturnForm()
    apply_change(
        lambda: services.return_for_completion(db.session, application, message=form.message.data or "",
                                               by=current_user, now=clock.now()),
        _("The application is returned to the applicant."))
    return redirect(url_for("grants.application_detail", application_id=application.id))


@bp.post("/staff/applications/<int:application_id>/screen")
@login_required
def application_screen(application_id: int):
    application = load_staff_application(application_id)
    require(can_screen_application(current_user, application))
    apply_change(
        lambda: services.run_screening(db.session, application, by=current_user, now=clock.now()),
        _("The screening has run."))
    return redirect(url_for("grants.application_detail", application_id=application.id))


# ------------------------------------------------------------------ reviews

def _declare_conflict(review: Review, form: ConflictForm) -> None:
    if not form.validate_on_submit():
        raise DomainError(_("Answer the question about conflict of interest."), field="has_conflict")
    services.declare_conflict(db.session, review, has_conflict=form.has_conflict.data == "yes",
                              reason=form.conflict_reason.data or "", by=current_user, now=clock.now())


def _submit_review(review: Review, form: ReviewForm, criteria) -> None:
    """The scores come as score_<criterion id> and comment_<criterion id>, beside the form's fields."""
    scores = {}
    for c in criteria:
        raw = request.form.get(f"score_{c.id}", "")
        # ASCII digits only: "²".isdigit() is true but int("²") fails, and "٣" is no score anyone typed.
        scores[c.id] = (whole_number(raw, 1000), request.form.get(f"comment_{c.id}", ""))
    services.submit_review(db.session, review, scores=scores, recommendation=form.recommendation.data or "",
                           comment=form.comment.data or "", by=current_user, now=clock.now())


@bp.route("/staff/reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
def review(review_id: int):
    review = get_or_404(Review, review_id)
    application = review.application
    require(permissions.can_view_application_as_staff(current_user, application))
    is_mine = review.reviewer_id == current_user.id
    conflict_form, review_form = ConflictForm(prefix="conflict"), ReviewForm(prefix="review")
    criteria = application.programme.criteria
    if request.method == "POST":
        require(is_mine)
        # The conflict of interest is declared first; only then can the reviewer score.
        if review.has_conflict is None:
            saved = save_form(conflict_form, lambda: _declare_conflict(review, conflict_form), _("Saved."))
        else:
            saved = save_form(review_form, lambda: _submit_review(review, review_form, criteria), _("Saved."))
        if saved:
            return redirect(url_for("grants.review", review_id=review.id))
    return render_form("grants/review.html", review=review, application=application, criteria=criteria,
                       conflict_form=conflict_form, review_form=review_form, is_mine=is_mine,
                       submitted_scores=request.form)


@bp.post("/staff/applications/<int:application_id>/review-myself")
@login_required
def review_myself(application_id: int):
    application = load_staff_application(application_id)
    require(permissions.can_handle_application(current_user, application))
    assigned = apply_change(
        lambda: services.assign_reviewer(db.session, application, reviewer=current_user, by=current_user,
                                         now=clock.now()),
        None)
    if assigned is None:
        return redirect(url_for("grants.application_detail", application_id=application.id))
    return redirect(url_for("grants.review", review_id=assigned.value.id))


# ------------------------------------------------------------------ the follow-up plan

def _decimal(text: str | None, field: str) -> Decimal:
    """An indicator's number: it goes to a Numeric(14, 2) column."""
    raw = (text or "0").replace(",", ".").replace(" ", "").replace("\u00a0", "")
    return finite_decimal(raw, NUMERIC_14_2, 2, field, _("Enter a number."))


def _fill_plan_form(form: PlanForm, plan: FollowUpPlan) -> None:
    form.responsible_officer_id.data = plan.responsible_officer_id or 0
    for row, i in zip(form.indicator_rows, plan.indicators):
        f = row.form
        f.objective.data, f.name.data, f.unit.data = i.objective, i.name, i.unit
        f.baseline.data, f.target.data, f.by_gender.data = str(i.baseline), str(i.target), i.by_gender
    for row, m in zip(form.milestone_rows, plan.milestones):
        row.form.kind.data, row.form.due_on.data = m.kind, m.due_on
    for row, e in zip(form.evaluation_rows, plan.evaluation_points):
        row.form.due_on.data = e.due_on


def _save_plan(application: Application, form: PlanForm) -> None:
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


@bp.route("/staff/applications/<int:application_id>/plan", methods=["GET", "POST"])
@login_required
def plan(application_id: int):
    application = load_staff_application(application_id)
    can_edit = permissions.can_handle_application(current_user, application)
    form = PlanForm() if request.method == "POST" else PlanForm(formdata=None)
    officers = committee_officers(application.programme.committee_id)
    form.responsible_officer_id.choices = choices([(0, _("— choose —"))] + [(u.id, u.name) for u in officers])
    plan = application.plan
    if request.method == "GET" and plan is not None:
        _fill_plan_form(form, plan)
    if request.method == "POST":
        require(can_edit)
        if form.validate_on_submit() and save_form(form, lambda: _save_plan(application, form),
                                                   _("The follow-up plan is saved.")):
            return redirect(url_for("grants.application_detail", application_id=application.id))
    return render_form("grants/plan.html", application=application, form=form, can_edit=can_edit,
                       problems=services.plan_problems(plan, application.period_end, final_report_max_days()))


# ------------------------------------------------------------------ the decision

def _decision_form(application: Application) -> DecisionForm:
    """The form with a condition choice per milestone of the plan; on a GET, filled with the
    application's version and its requested amount as one tranche at the period's start."""
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
    return form


def _tranches(form: DecisionForm) -> list:
    """The rows with an amount; a condition "m<id>" waits for that milestone's report."""
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
    return tranches


def _decide(application: Application, form: DecisionForm) -> None:
    tranches = _tranches(form)
    amount = parse_kronor(form.amount.data, field="amount", allow_empty=True) or None
    services.decide(db.session, application, outcome=form.outcome.data, amount=amount,
                    reasons=form.reasons.data, conditions=form.conditions.data or "",
                    tranches=tranches or None, expected_version=int(form.version.data or 0),
                    by=current_user, now=clock.now(), final_report_max_days=final_report_max_days())


@bp.route("/staff/applications/<int:application_id>/decide", methods=["GET", "POST"])
@login_required
def decide(application_id: int):
    application = load_staff_application(application_id)
    require(permissions.can_decide(current_user, application))
    if not services.awaits_decision(application):
        flash(_("The application is already decided.") if application.decision is not None
              else _("Only a submitted application can be decided."), "info")
        return redirect(url_for("grants.application_detail", application_id=application.id))
    form = _decision_form(application)
    if form.validate_on_submit() and save_form(form, lambda: _decide(application, form),
                                               _("The decision is made and the letter is ready.")):
        return redirect(url_for("grants.application_detail", application_id=application.id))
    return render_form("grants/decide.html", application=application, form=form,
                       plan_problems=services.plan_problems(application.plan, application.period_end,
                                                            final_report_max_days()),
                       remaining=services.remaining_budget(db.session, application.programme))


@bp.get("/applications/<int:application_id>/decision-letter.pdf")
@login_required
def decision_letter(application_id: int):
    application = get_or_404(Application, application_id)
    require(permissions.can_download_letter(current_user, application))
    if application.decision is None or not application.decision.letter_pdf:
        abort(404)
    return Response(application.decision.letter_pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="beslut-{application.reference}.pdf"'})
