"""Pages: screening, findings, withdrawal cases and notices, rule-set versions. Each view loads
the objects, checks access on them, calls a service, then commits or rolls back."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from eligibility import explain, permissions, services
from eligibility.forms import (ACTOR_LABELS, CATEGORY_LABELS, SOURCE_LABELS, AssessForm, DecideForm, EmptyForm,
                               EvidenceForm, FindingForm, ReinstateForm, ReplyForm, ResolveForm, RuleSetForm)
from eligibility.models import (Finding, FindingAttachment, FindingStatus, RuleSet, Screening,
                                ScreeningResult, WithdrawalCase)
from eligibility.screening import RULES, fact_provider, screen
from organisations.documents import path_for
from organisations.models import Organisation
from portal import clock
from portal.errors import DomainError
from portal.extensions import db
from portal.files import send_private_file
from portal.forms_util import apply_change, render_form, save_form

bp = Blueprint("eligibility", __name__, url_prefix="/eligibility")



@bp.context_processor
def labels():
    from flask_babel import lazy_gettext as _l

    return {
        "explain": explain, "category_labels": CATEGORY_LABELS, "actor_labels": ACTOR_LABELS,
        "source_labels": SOURCE_LABELS, "rule_descriptions": explain.rule_description,
        "finding_status_labels": {"reported": _l("Reported"), "confirmed": _l("Confirmed"),
                                  "dismissed": _l("Dismissed")},
        "case_status_labels": {"open": _l("Open: notice given"), "withdrawn": _l("Support withdrawn"),
                               "closed": _l("Closed without withdrawal")},
    }


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _application(application_id: int):
    loader = fact_provider("application")
    application = loader(db.session, application_id) if loader else None
    if application is None:
        abort(404)
    return application


# ------------------------------------------------------------------ organisation overview and screening

@bp.get("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    org = _get(Organisation, organisation_id)
    if not current_user.is_staff:
        abort(403)
    screenings = db.session.scalars(select(Screening).where(Screening.organisation_id == org.id)
                                    .order_by(Screening.run_at.desc(), Screening.id.desc()).limit(20)).all()
    findings = [f for f in db.session.scalars(select(Finding).where(Finding.organisation_id == org.id)
                                              .order_by(Finding.created_at.desc())).all()
                if permissions.can_see_finding_status(current_user, f)]
    cases = db.session.scalars(select(WithdrawalCase).where(WithdrawalCase.organisation_id == org.id)
                               .order_by(WithdrawalCase.opened_at.desc())).all() if current_user.is_coordinator else []
    return render_template("eligibility/organisation.html", organisation=org, screenings=screenings,
                           openable=services.openable_screening_ids(db.session, current_user, screenings),
                           findings=findings, cases=cases, run_form=EmptyForm(), reinstate_form=ReinstateForm(),
                           can_screen=permissions.can_screen_organisation(current_user, org),
                           can_report=permissions.can_report_finding(current_user, org))


def _run(org, application, trigger_url_kwargs):
    if not EmptyForm().validate_on_submit():
        abort(400)
    screened = apply_change(lambda: screen(db.session, organisation=org, application=application, trigger="manual",
                                           by=current_user, now=clock.now()),
                            _("The screening is done."))
    if not screened:  # no rule set is published
        return redirect(url_for("eligibility.organisation", organisation_id=org.id))
    return redirect(url_for("eligibility.screening", screening_id=screened.value.id))


@bp.post("/organisations/<int:organisation_id>/screen")
@login_required
def screen_organisation(organisation_id: int):
    org = _get(Organisation, organisation_id)
    if not permissions.can_screen_organisation(current_user, org):
        abort(403)
    return _run(org, None, {})


@bp.post("/applications/<int:application_id>/screen")
@login_required
def screen_application(application_id: int):
    application = _application(application_id)
    if not permissions.can_screen_application(current_user, application):
        abort(403)
    return _run(application.organisation, application, {})


@bp.get("/screenings/<int:screening_id>")
@login_required
def screening(screening_id: int):
    item = _get(Screening, screening_id)
    application = _application(item.application_id) if item.application_id else None
    if not permissions.can_view_screening(current_user, item, application):
        abort(403)
    return render_template("eligibility/screening.html", screening=item, organisation=item.organisation,
                           application=application, resolve_form=ResolveForm(),
                           can_resolve=permissions.can_resolve_screening(current_user, item, application))


@bp.post("/screenings/<int:screening_id>/results/<int:result_id>/resolve")
@login_required
def resolve(screening_id: int, result_id: int):
    item = _get(Screening, screening_id)
    result = _get(ScreeningResult, result_id)
    application = _application(item.application_id) if item.application_id else None
    if result.screening_id != item.id:
        abort(404)
    if not permissions.can_resolve_screening(current_user, item, application):
        abort(403)
    form = ResolveForm()
    if form.validate_on_submit() and save_form(
            form, lambda: services.resolve_result(db.session, result, outcome=form.outcome.data,
                                                  reason=form.reason.data, by=current_user, now=clock.now()),
            _("Your assessment is saved.")):
        return redirect(url_for("eligibility.screening", screening_id=item.id))
    return render_form("eligibility/screening.html", screening=item, organisation=item.organisation,
                       application=application, resolve_form=form, failed_result_id=result.id, can_resolve=True)


# ------------------------------------------------------------------ findings

@bp.route("/organisations/<int:organisation_id>/findings/new", methods=["GET", "POST"])
@login_required
def finding_new(organisation_id: int):
    org = _get(Organisation, organisation_id)
    if not permissions.can_report_finding(current_user, org):
        abort(403)
    form = FindingForm()
    if form.validate_on_submit() and save_form(
            form, lambda: services.report_finding(
                db.session, organisation=org, conduct_on=form.conduct_on.data, category=form.category.data,
                actor_kind=form.actor_kind.data, actor_name=form.actor_name.data,
                source_category=form.source_category.data, evidence=form.evidence.data, by=current_user,
                reporting_committee_id=permissions.reporting_committee_for(current_user), now=clock.now(),
                evidence_files=_evidence_uploads(form.evidence_files.data), **_upload_limits()),
            _("The finding is reported. A coordinator assesses it.")):
        return redirect(url_for("eligibility.organisation", organisation_id=org.id))
    return render_form("eligibility/finding_new.html", organisation=org, form=form)


def _upload_limits() -> dict:
    return {"upload_dir": current_app.config["UPLOAD_DIR"],
            "max_bytes": current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024}


def _evidence_uploads(files) -> tuple:
    return tuple(services.EvidenceUpload(f.stream, f.filename) for f in (files or []) if f and f.filename)


@bp.post("/findings/<int:finding_id>/attachments")
@login_required
def finding_attach(finding_id: int):
    item = _get(Finding, finding_id)
    if not permissions.can_see_finding_details(current_user, item):
        abort(403)
    form = EvidenceForm()
    upload = form.file.data if form.validate_on_submit() else None
    if not upload or not upload.filename:
        flash(_("Choose a file."), "error")
        return redirect(url_for("eligibility.finding", finding_id=item.id))
    apply_change(
        lambda: services.add_finding_attachment(db.session, item,
                                                services.EvidenceUpload(upload.stream, upload.filename),
                                                by=current_user, now=clock.now(), **_upload_limits()),
        _("The evidence file is added."))
    return redirect(url_for("eligibility.finding", finding_id=item.id))


@bp.get("/findings/<int:finding_id>/attachments/<int:attachment_id>")
@login_required
def finding_attachment(finding_id: int, attachment_id: int):
    """Evidence is for coordinators only: the reporting committee follows the status, nothing more."""
    item = _get(Finding, finding_id)
    if not permissions.can_see_finding_details(current_user, item):
        abort(403)
    attachment = db.session.get(FindingAttachment, attachment_id)
    if attachment is None or attachment.finding_id != item.id:
        abort(404)
    return send_private_file(path_for(current_app.config["UPLOAD_DIR"], attachment.sha256),
                             mimetype=attachment.mime_type, name=attachment.original_name)


@bp.get("/findings")
@login_required
def findings():
    if not permissions.can_see_finding_details(current_user):
        abort(403)
    status = request.args.get("status") or FindingStatus.REPORTED.value
    stmt = select(Finding).order_by(Finding.created_at.desc(), Finding.id.desc())
    if status in {s.value for s in FindingStatus}:
        stmt = stmt.where(Finding.status == status)
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template("eligibility/findings.html", page=page, status=status)


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@login_required
def finding(finding_id: int):
    item = _get(Finding, finding_id)
    if not permissions.can_see_finding_details(current_user, item):
        abort(403)
    form = AssessForm()
    if request.method == "POST":
        if not permissions.can_assess_finding(current_user, item):
            abort(403)
        # The message depends on the outcome (a confirmed finding opens a case), so it is said here.
        assessed = form.validate_on_submit() and save_form(form, lambda: services.assess_finding(
            db.session, item, confirm=form.decision.data == "confirm", reason=form.reason.data, by=current_user,
            now=clock.now()))
        if assessed:
            opened_case = assessed.value
            if opened_case is not None:
                flash(_("The finding is confirmed and a withdrawal case is opened; the organisation "
                        "has received a notice."), "success")
                return redirect(url_for("eligibility.case", case_id=opened_case.id))
            flash(_("The assessment is saved."), "success")
            return redirect(url_for("eligibility.finding", finding_id=item.id))
    case = db.session.scalar(select(WithdrawalCase).where(WithdrawalCase.finding_id == item.id))
    return render_form("eligibility/finding.html", finding=item, form=form, case=case, evidence_form=EvidenceForm())


# ------------------------------------------------------------------ withdrawal cases and notices

@bp.get("/cases")
@login_required
def cases():
    if not permissions.can_decide_case(current_user):
        abort(403)
    stmt = select(WithdrawalCase).order_by(WithdrawalCase.opened_at.desc(), WithdrawalCase.id.desc())
    page = db.paginate(stmt, per_page=25, error_out=False)
    return render_template("eligibility/cases.html", page=page, now=clock.now())


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@login_required
def case(case_id: int):
    item = _get(WithdrawalCase, case_id)
    if not permissions.can_decide_case(current_user, item):
        abort(403)
    form = DecideForm()
    if form.validate_on_submit() and save_form(
            form, lambda: services.decide_case(db.session, item, withdraw=form.decision.data == "withdraw",
                                               reason=form.reason.data, by=current_user, now=clock.now()),
            _("The decision is saved.")):
        return redirect(url_for("eligibility.case", case_id=item.id))
    return render_form("eligibility/case.html", case=item, form=form, notice=services.notice_text(item),
                       now=clock.now())


@bp.route("/organisations/<int:organisation_id>/notice", methods=["GET", "POST"])
@login_required
def notice(organisation_id: int):
    org = _get(Organisation, organisation_id)
    item = db.session.scalar(select(WithdrawalCase).where(WithdrawalCase.organisation_id == org.id)
                             .order_by(WithdrawalCase.opened_at.desc()).limit(1))
    if item is None:
        abort(404)
    if not permissions.can_view_case(current_user, item):
        abort(403)
    form = ReplyForm()
    if request.method == "POST":
        if not permissions.can_reply_to_notice(current_user, item):
            abort(403)
        if form.validate_on_submit() and save_form(
                form, lambda: services.reply_to_notice(db.session, item, text=form.text.data, by=current_user,
                                                       now=clock.now()),
                _("Your reply is sent.")):
            return redirect(url_for("eligibility.notice", organisation_id=org.id))
    return render_form("eligibility/notice.html", organisation=org, case=item, form=form,
                       notice=services.notice_text(item), now=clock.now(),
                       can_reply=permissions.can_reply_to_notice(current_user, item))


@bp.post("/organisations/<int:organisation_id>/reinstate")
@login_required
def reinstate(organisation_id: int):
    org = _get(Organisation, organisation_id)
    if not permissions.can_decide_case(current_user):
        abort(403)
    form = ReinstateForm()
    if form.validate_on_submit():
        apply_change(
            lambda: services.reinstate(db.session, org, reason=form.reason.data, by=current_user, now=clock.now()),
            _("The organisation is reinstated. Withdrawn grants stay withdrawn."))
    else:
        flash(_("Write the reasons for reinstatement."), "error")
    return redirect(url_for("eligibility.organisation", organisation_id=org.id))


# ------------------------------------------------------------------ rule sets (admin)

def _rules_text(rules: list[dict]) -> str:
    return "\n".join(" ".join([r["id"], *(f"{k}={v}" for k, v in (r.get("params") or {}).items())]) for r in rules)


def _parse_rules(text: str) -> list[dict]:
    rules = []
    for line in (text or "").splitlines():
        parts = line.split()
        if not parts:
            continue
        params = {}
        for part in parts[1:]:
            key, _sep, value = part.partition("=")
            try:
                params[key] = int(value)
            except ValueError:
                raise DomainError(_("Write settings as name=number: %(part)s.", part=part), field="rules")
        rules.append({"id": parts[0], "params": params})
    return rules


@bp.get("/rule-sets")
@login_required
def rule_sets():
    if not permissions.can_manage_rule_sets(current_user):
        abort(403)
    rows = db.session.scalars(select(RuleSet).order_by(RuleSet.version.desc())).all()
    used = set(db.session.scalars(select(Screening.rule_set_id).distinct()))
    return render_template("eligibility/rule_sets.html", rule_sets=rows, used=used, rules=RULES)


@bp.route("/rule-sets/new", methods=["GET", "POST"])
@login_required
def rule_set_new():
    if not permissions.can_manage_rule_sets(current_user):
        abort(403)
    form = RuleSetForm()
    if request.method == "GET":
        latest = db.session.scalar(select(RuleSet).order_by(RuleSet.version.desc()).limit(1))
        if latest is not None:
            form.name.data, form.validity_days.data = latest.name, latest.validity_days
            form.rules.data = _rules_text(latest.rules)
    if form.validate_on_submit():
        # The new version's number is in the message, so it is said once the rule set is published.
        published = save_form(form, lambda: services.publish_rule_set(
            db.session, name=form.name.data, rules=_parse_rules(form.rules.data),
            validity_days=form.validity_days.data, by=current_user, now=clock.now()))
        if published:
            flash(_("Version %(v)s is published.", v=published.value.version), "success")
            return redirect(url_for("eligibility.rule_sets"))
    return render_form("eligibility/rule_set_new.html", form=form, rules=RULES)
