"""Pages for follow-up: deadlines, reports, evaluations, the experience bank, job runs.

Each handler loads the objects, checks access on them, calls a service, then commits or rolls back."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.models import BudgetLine, Grant
from monitoring import evaluations as evaluation_services
from monitoring import experiences as experience_services
from monitoring import reports as report_services
from monitoring.forms import (ACTION_AREA_LABELS, GENDER_LABELS, MILESTONE_KIND_LABELS, RECOMMENDATION_LABELS,
                              REPORT_STATUS_LABELS, AttachmentForm, EmptyForm, EvaluationForm, ExperienceEditForm,
                              ExperienceSearchForm, PublishForm, ReturnForm, report_form_class)
from monitoring.models import (Evaluation, EvaluationStatus, Experience, GranteeReport, JobRun, ReportAttachment,
                               ReportStatus)
from monitoring.permissions import (can_complete_evaluation, can_curate_experiences, can_edit_report,
                                    can_review_report, can_search_experiences, can_view_evaluation, can_view_report)
from monitoring.queries import plan_for_grant
from organisations.models import Document
from organisations.permissions import represented_organisation_ids
from portal import clock
from portal.auth.permissions import is_committee_staff, role_required, staff_committee_ids
from portal.extensions import db
from portal.formatting import translated
from portal.errors import PermissionDenied
from portal.forms_util import apply_change, choices, flash_form_errors, render_form, save_form
from portal.models import Committee, Role
from portal.pagination import paginate_rows

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@bp.context_processor
def labels():
    return {"status_labels": REPORT_STATUS_LABELS, "kind_labels": MILESTONE_KIND_LABELS,
            "recommendation_labels": RECOMMENDATION_LABELS, "area_labels": ACTION_AREA_LABELS,
            "gender_labels": GENDER_LABELS, "genders": report_services.GENDERS,
            "age_bands": report_services.AGE_BANDS, "participant_field": report_services.participant_field}


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


# --- deadlines and reports ---------------------------------------------------------------------

@bp.get("/deadlines")
@login_required
def deadlines():
    """All of the user's organisations' report deadlines on one page."""
    org_ids = represented_organisation_ids(current_user)
    rows = report_services.deadlines_for_organisations(db.session, org_ids, clock.today())
    return render_template("monitoring/deadlines.html", rows=rows, today=clock.today())


def _load_grant_milestone(grant_id: int, milestone_id: int):
    grant = db.session.get(Grant, grant_id) or abort(404)
    if not can_view_report(current_user, grant):
        abort(403)
    milestone = report_services.milestone_of_grant(db.session, grant, milestone_id) or abort(404)
    return grant, milestone


def _report_form(grant, plan, report, formdata=None):
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.application_id == grant.application_id)
                               .order_by(BudgetLine.id)).all()
    form_class = report_form_class(plan.indicators, lines)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    if formdata is None and report is not None:
        form.activities.data = report.activities
        for gender in report_services.GENDERS:
            for band in report_services.AGE_BANDS:
                getattr(form, report_services.participant_field(gender, band)).data = \
                    (report.participants or {}).get(gender, {}).get(band, 0)
        for value in report.indicator_values:
            if hasattr(form, f"ind_{value.indicator_id}"):
                getattr(form, f"ind_{value.indicator_id}").data = format(value.value.normalize(), "f")
                for gender in report_services.GENDERS:
                    field = getattr(form, f"ind_{value.indicator_id}_{gender}", None)
                    part = getattr(value, f"value_{gender}")
                    if field is not None and part is not None:
                        field.data = format(part.normalize(), "f")
        for spent in report.spending:
            field = getattr(form, f"spend_{spent.budget_line_id}", None)
            if field is not None:
                field.data = f"{spent.amount // 100},{spent.amount % 100:02d}"
    return form, lines


def _report_input(form, plan, lines) -> report_services.ReportInput:
    participants = {g: {b: getattr(form, report_services.participant_field(g, b)).data or 0
                        for b in report_services.AGE_BANDS} for g in report_services.GENDERS}
    indicators = {}
    for indicator in plan.indicators:
        given = {"value": getattr(form, f"ind_{indicator.id}").data}
        if indicator.by_gender:
            given.update({g: getattr(form, f"ind_{indicator.id}_{g}").data for g in report_services.GENDERS})
        indicators[indicator.id] = given
    spending = {line.id: getattr(form, f"spend_{line.id}").data for line in lines}
    return report_services.ReportInput(activities=form.activities.data or "", participants=participants,
                                       indicators=indicators, spending=spending)


def _attachments(report):
    if report is None:
        return []
    return db.session.scalars(select(Document).join(ReportAttachment, ReportAttachment.document_id == Document.id)
                              .where(ReportAttachment.report_id == report.id).order_by(Document.id)).all()


@bp.route("/grants/<int:grant_id>/milestones/<int:milestone_id>/report", methods=["GET", "POST"])
@login_required
def report_edit(grant_id: int, milestone_id: int):
    grant, milestone = _load_grant_milestone(grant_id, milestone_id)
    report = report_services.report_for(db.session, grant, milestone)
    refusal = report_services.editing_refusal(grant, report, current_user)
    if refusal is not None:
        if report is not None:  # handed in: the page shows it
            return redirect(url_for("monitoring.report_view", report_id=report.id))
        if isinstance(refusal, PermissionDenied):
            abort(404 if can_view_report(current_user, grant) else 403)
        flash(refusal.message, "error")  # e.g. the grant is withdrawn: no report is taken
        return redirect(url_for("monitoring.deadlines"))
    plan = plan_for_grant(db.session, grant)
    form, lines = _report_form(grant, plan, report, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        submit = bool(form.submit.data)
        saved = save_form(form, lambda: report_services.save_report(
            db.session, grant, milestone, _report_input(form, plan, lines), by=current_user, now=clock.now(),
            submit=submit),
            _("The report is submitted to the committee.") if submit else _("The draft is saved."))
        if saved and submit:
            return redirect(url_for("monitoring.report_view", report_id=saved.value.id))
        if saved:
            return redirect(url_for("monitoring.report_edit", grant_id=grant.id, milestone_id=milestone.id))
    return render_form("monitoring/report_form.html", grant=grant, milestone=milestone, plan=plan,
                       report=report, form=form, lines=lines, attachment_form=AttachmentForm(),
                       attachments=_attachments(report))


@bp.post("/reports/<int:report_id>/attachments")
@login_required
def report_attach(report_id: int):
    report = db.session.get(GranteeReport, report_id) or abort(404)
    if not can_edit_report(current_user, report.grant):
        abort(403)
    form = AttachmentForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose a file to attach."), "error")
    else:
        apply_change(
            lambda: report_services.add_attachment(
                        db.session, report, stream=upload.stream, original_name=upload.filename, by=current_user,
                        now=clock.now(), upload_dir=current_app.config["UPLOAD_DIR"],
                        max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024),
            _("The attachment is added."))
    return redirect(url_for("monitoring.report_edit", grant_id=report.grant_id, milestone_id=report.milestone_id))


def _load_report(report_id: int) -> GranteeReport:
    report = db.session.get(GranteeReport, report_id) or abort(404)
    if not can_view_report(current_user, report.grant):
        abort(403)
    return report


@bp.get("/reports/<int:report_id>")
@login_required
def report_view(report_id: int):
    report = _load_report(report_id)
    plan = plan_for_grant(db.session, report.grant)
    return render_template("monitoring/report_view.html", report=report, grant=report.grant, plan=plan,
                           indicators={i.id: i for i in plan.indicators}, attachments=_attachments(report),
                           can_review=report_services.may_review(current_user, report),
                           can_edit=report_services.may_edit(current_user, report.grant, report),
                           approve_form=EmptyForm(prefix="approve"), return_form=ReturnForm(prefix="return"))


@bp.post("/reports/<int:report_id>/approve")
@login_required
def report_approve(report_id: int):
    report = _load_report(report_id)
    if not can_review_report(current_user, report.grant):
        abort(403)
    if not EmptyForm(prefix="approve").validate_on_submit():
        abort(400)
    apply_change(
        lambda: report_services.approve_report(db.session, report, by=current_user, now=clock.now()),
        _("The report is approved."))
    return redirect(url_for("monitoring.report_view", report_id=report.id))


@bp.post("/reports/<int:report_id>/return")
@login_required
def report_return(report_id: int):
    report = _load_report(report_id)
    if not can_review_report(current_user, report.grant):
        abort(403)
    form = ReturnForm(prefix="return")
    if form.validate_on_submit() and save_form(
            form, lambda: report_services.return_report(db.session, report, form.comment.data, by=current_user,
                                                        now=clock.now()),
            _("The report is returned to the organisation.")):
        return redirect(url_for("monitoring.report_view", report_id=report.id))
    plan = plan_for_grant(db.session, report.grant)
    return render_form("monitoring/report_view.html", report=report, grant=report.grant, plan=plan,
                       indicators={i.id: i for i in plan.indicators}, attachments=_attachments(report),
                       can_review=report_services.may_review(current_user, report), can_edit=False,
                       approve_form=EmptyForm(prefix="approve"), return_form=form)


@bp.get("/reports")
@role_required(Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
def reports():
    """Reports of the user's committees (every committee for coordinators), newest first."""
    status = request.args.get("status", ReportStatus.SUBMITTED.value)
    stmt = (select(GranteeReport).join(Grant, GranteeReport.grant_id == Grant.id)
            .options(joinedload(GranteeReport.grant))
            .order_by(GranteeReport.submitted_at.desc(), GranteeReport.id.desc()))
    if not current_user.is_coordinator:
        stmt = stmt.where(Grant.committee_id.in_(staff_committee_ids(current_user)))
    if status in REPORT_STATUS_LABELS:
        stmt = stmt.where(GranteeReport.status == status)
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("monitoring/reports.html", page=page, status=status)


# --- evaluations -------------------------------------------------------------------------------

@bp.get("/evaluations")
@role_required(Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
def evaluations():
    status = request.args.get("status", EvaluationStatus.DUE.value)
    stmt = select(Evaluation).order_by(Evaluation.due_on, Evaluation.id)
    if not current_user.is_coordinator:
        stmt = stmt.where(Evaluation.committee_id.in_(staff_committee_ids(current_user)))
    if status in (EvaluationStatus.DUE.value, EvaluationStatus.COMPLETED.value):
        stmt = stmt.where(Evaluation.status == status)
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("monitoring/evaluations.html", page=page, status=status)


def _load_evaluation(evaluation_id: int) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id) or abort(404)
    if not can_view_evaluation(current_user, evaluation):
        abort(403)
    return evaluation


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@login_required
def evaluation(evaluation_id: int):
    evaluation = _load_evaluation(evaluation_id)
    may_complete = can_complete_evaluation(current_user, evaluation) and \
        evaluation.status == EvaluationStatus.DUE.value
    if request.method == "POST" and not may_complete:
        abort(403)
    form = EvaluationForm()
    if may_complete and form.validate_on_submit() and save_form(
            form, lambda: evaluation_services.complete_evaluation(
                db.session, evaluation, by=current_user, now=clock.now(), rating=form.rating.data,
                what_worked=form.what_worked.data or "", what_did_not=form.what_did_not.data or "",
                lessons=form.lessons.data or "", recommendation=form.recommendation.data, share=form.share.data),
            _("The evaluation is completed.")):
        return redirect(url_for("monitoring.evaluation", evaluation_id=evaluation.id))
    if evaluation.status == EvaluationStatus.COMPLETED.value:
        attainment, share = evaluation.attainment, evaluation.attainment_share
    else:
        attainment, share = evaluation_services.compute_attainment(db.session, evaluation.grant)
    return render_form("monitoring/evaluation.html", evaluation=evaluation, form=form, may_complete=may_complete,
                       attainment=attainment, attainment_share=share)


@bp.get("/evaluations/<int:evaluation_id>.pdf")
@login_required
def evaluation_pdf(evaluation_id: int):
    from portal.pdf import render_pdf

    evaluation = _load_evaluation(evaluation_id)
    if evaluation.status == EvaluationStatus.COMPLETED.value:
        attainment, share = evaluation.attainment, evaluation.attainment_share
    else:
        attainment, share = evaluation_services.compute_attainment(db.session, evaluation.grant)
    pdf = render_pdf("monitoring/evaluation_pdf.html", evaluation=evaluation, attainment=attainment,
                     attainment_share=share, recommendation_labels=RECOMMENDATION_LABELS,
                     area_labels=ACTION_AREA_LABELS, gender_labels=GENDER_LABELS)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="utvardering-{evaluation.id}.pdf"'})


# --- experience bank ---------------------------------------------------------------------------

def _require_search():
    if not can_search_experiences(current_user):
        abort(403)


@bp.get("/experiences")
@login_required
def experiences():
    _require_search()
    form = ExperienceSearchForm(request.args)
    committees = db.session.scalars(select(Committee).order_by(Committee.name)).all()
    form.committee_id.choices = choices([(0, _("All"))] + [(c.id, c.name) for c in committees])
    form.validate()
    show_unpublished = can_curate_experiences(current_user) and request.args.get("unpublished") == "1"
    stmt = experience_services.search_statement(
        q=form.q.data or "", action_area=form.action_area.data or "", target_group=form.target_group.data or "",
        method=form.method.data or "", district=form.district.data or "",
        committee_id=form.committee_id.data or None if not form.committee_id.errors else None,
        include_unpublished=show_unpublished)
    shown, entry = experience_services.search_list(stmt, {c.id: c.name for c in committees})
    # A text search reads every matching row anyway, so the page carries its total: one query, not two.
    page = paginate_rows(db.session, shown, entry, per_page=_page_size(), total_in_rows=True)
    return render_template("monitoring/experiences.html", form=form, page=page, show_unpublished=show_unpublished,
                           can_curate=can_curate_experiences(current_user),
                           area_labels=translated(ACTION_AREA_LABELS))  # once, not once per row


def _load_experience(experience_id: int) -> Experience:
    _require_search()
    experience = db.session.get(Experience, experience_id) or abort(404)
    if not experience.published and not can_curate_experiences(current_user):
        abort(404)
    return experience


@bp.get("/experiences/<int:experience_id>")
@login_required
def experience(experience_id: int):
    experience = _load_experience(experience_id)
    organisation = None
    if experience.organisation_named and experience.organisation_id:
        from organisations.models import Organisation

        organisation = db.session.get(Organisation, experience.organisation_id)
    return render_template("monitoring/experience.html", experience=experience, organisation=organisation,
                           can_curate=can_curate_experiences(current_user), publish_form=PublishForm())


@bp.route("/experiences/<int:experience_id>/edit", methods=["GET", "POST"])
@login_required
def experience_edit(experience_id: int):
    experience = _load_experience(experience_id)
    if not can_curate_experiences(current_user):
        abort(403)
    form = ExperienceEditForm(obj=experience)
    if form.validate_on_submit() and save_form(
            form, lambda: experience_services.curate(
                db.session, experience, by=current_user, now=clock.now(),
                **{k: getattr(form, k).data for k in experience_services.CURATED_FIELDS}),
            _("The experience is saved.")):
        return redirect(url_for("monitoring.experience", experience_id=experience.id))
    return render_form("monitoring/experience_edit.html", experience=experience, form=form)


@bp.post("/experiences/<int:experience_id>/publication")
@login_required
def experience_publication(experience_id: int):
    experience = _load_experience(experience_id)
    if not can_curate_experiences(current_user):
        abort(403)
    form = PublishForm()
    publish = request.form.get("publish") == "1"
    if form.validate_on_submit():
        apply_change(lambda: experience_services.set_published(db.session, experience, publish, by=current_user,
                                                               now=clock.now(), reason=form.reason.data or ""),
                     _("The experience is published.") if publish else _("The experience is unpublished."))
    else:
        flash_form_errors(form)
    return redirect(url_for("monitoring.experience", experience_id=experience.id))


# --- admin: job runs ---------------------------------------------------------------------------

@bp.get("/admin/jobs")
@role_required(Role.ADMIN)
def job_runs():
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    page = db.paginate(stmt, per_page=_page_size(), error_out=False)
    return render_template("monitoring/job_runs.html", page=page)


def application_panel(application):
    """Experiences beside an application under review: same (named) organisation, method or target
    group. One query."""
    from markupsafe import Markup

    if not (current_user.is_authenticated and can_search_experiences(current_user)):
        return Markup("")
    rows = experience_services.related_experiences(db.session, application.organisation_id,
                                                   application.method or "", application.target_group or "")
    return Markup(render_template("monitoring/_experience_panel.html", experiences=rows))


def earlier_reports_panel(application):
    """The organisation's reports for earlier grants, in every committee, beside an application
    under review. Everyone who may open the application sees each report's status (the city's
    committees share what they learn about a grantee, guidelines section 2); the report itself
    opens only for those who may read it (the granting committee and coordinators). One query."""
    from markupsafe import Markup

    if not (current_user.is_authenticated and current_user.is_staff):
        return Markup("")
    rows = report_services.earlier_reports(db.session, application.organisation_id, application.id, clock.today())
    readable = {row.committee_id for row in rows
                if current_user.is_coordinator or is_committee_staff(current_user, row.committee_id)}
    return Markup(render_template("monitoring/_earlier_reports_panel.html", rows=rows, readable=readable,
                                  report_status_labels=REPORT_STATUS_LABELS,
                                  report_kind_labels=MILESTONE_KIND_LABELS))
