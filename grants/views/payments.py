"""Grants and their money: the staff's grant list, a grant's page, releasing, paying and
cancelling tranches, and repayment claims."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload

from grants import payments, permissions
from grants.forms import ClaimConfirmForm, ClaimForm, ClaimWaiveForm, EmptyForm
from grants.models import Application, FollowUpPlan, Grant, GrantStatus, PaymentStop, RepaymentClaim, Tranche
from grants.money import parse_kronor
from grants.views import bp
from grants.views.common import get_or_404, page_size, require
from organisations.models import Organisation
from portal import clock
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.forms_util import apply_change, flash_form_errors
from portal.models import User


@bp.get("/staff/grants")
@login_required
def grants():
    ids = staff_committee_ids(current_user)
    require(bool(ids) or current_user.is_coordinator)
    stmt = select(Grant).order_by(Grant.created_at.desc(), Grant.id.desc())
    if not current_user.is_coordinator:
        stmt = stmt.where(Grant.committee_id.in_(ids))
    page = db.paginate(stmt, per_page=page_size(), error_out=False)
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
    require(permissions.can_view_grant(current_user, grant))
    # Why no money moves now (eligibility.money_gate), in plain words, and the stop-payment letters.
    money_stopped = payments.money_stopped_now(grant) if grant.status == GrantStatus.ACTIVE.value else None
    stops = []
    if any(t.stopped_at for t in grant.tranches):  # only a grant whose payments were ever stopped has letters
        stops = db.session.scalars(select(PaymentStop).where(PaymentStop.grant_id == grant.id)
                                   .order_by(PaymentStop.stopped_at, PaymentStop.id)).all()
    return render_template("grants/grant_detail.html", grant=grant, plan=grant.application.plan, form=EmptyForm(),
                           claim_form=ClaimForm(), can_manage=permissions.can_manage_grant(current_user, grant),
                           confirm_form=ClaimConfirmForm(), waive_form=ClaimWaiveForm(), today=clock.today(),
                           money_stopped=money_stopped, payment_stops=stops)


@bp.get("/grants/<int:grant_id>/payment-stops/<int:stop_id>/letter")
@login_required
def payment_stop_letter(grant_id: int, stop_id: int):
    """The stop-payment letter (grants.payment_stop), for whoever may see the grant."""
    stop = get_or_404(PaymentStop, stop_id)
    if stop.grant_id != grant_id or not stop.letter_pdf:
        abort(404)
    require(permissions.can_view_grant(current_user, stop.grant))
    return Response(stop.letter_pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="utbetalningsstopp-{stop.grant.application.reference}.pdf"'})


# ------------------------------------------------------------------ tranches

def _tranche_action(tranche_id: int, action):
    tranche = get_or_404(Tranche, tranche_id)
    require(permissions.can_manage_grant(current_user, tranche.grant))
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


# ------------------------------------------------------------------ repayment claims

@bp.post("/grants/<int:grant_id>/claims")
@login_required
def claim_new(grant_id: int):
    grant = get_or_404(Grant, grant_id)
    require(permissions.can_manage_grant(current_user, grant))
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
    claim = get_or_404(RepaymentClaim, claim_id)
    require(permissions.can_manage_grant(current_user, claim.grant))
    form = form_class()
    if form.validate_on_submit():
        apply_change(lambda: action(claim, form), done)
    else:
        flash_form_errors(form)
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
