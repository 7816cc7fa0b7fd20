"""Pages of the organisation registry: each view loads the object, checks access on it, calls a
service, then commits or rolls back."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from organisations import services
from organisations.declarations import current_text, declaration_status
from organisations.documents import path_for
from organisations.forms import (ACCOUNT_TYPE_LABELS, BOARD_ROWS_EXTRA, DECLARATION_REASON_LABELS,
                                 DOCUMENT_KIND_LABELS, HISTORY_LABELS, LEGAL_FORM_LABELS, STATUS_LABELS, DeclarationTextForm,
                                 DocumentForm, EmptyForm, InviteForm, ProfileForm, RegisterOrganisationForm,
                                 SignDeclarationForm, SignupForm)
from organisations.models import DeclarationText, Document, JoinRequest, Organisation, Representative
from organisations.permissions import can_act_for_organisation, can_view_organisation
from organisations.register import register_entry, register_search, with_districts_and_declaration
from organisations.validation import format_org_number, format_payment_account
from portal import clock
from portal.auth.permissions import role_required
from portal.districts import city_districts
from portal.errors import DomainError
from portal.extensions import db
from portal.files import send_private_file
from portal.formatting import translated
from portal.forms_util import apply_change, choices, render_form, save_form
from portal.pagination import paginate_rows
from portal.models import AuditEvent, Role

bp = Blueprint("organisations", __name__)


@bp.app_template_filter("orgnr")
def _orgnr_filter(value):
    return format_org_number(value)


@bp.context_processor
def labels():
    return {"legal_form_labels": LEGAL_FORM_LABELS, "status_labels": STATUS_LABELS,
            "document_kind_labels": DOCUMENT_KIND_LABELS, "declaration_labels": DECLARATION_REASON_LABELS,
            "account_type_labels": ACCOUNT_TYPE_LABELS, "history_labels": HISTORY_LABELS, "format_payment_account": format_payment_account}


def _cfg(name):
    return current_app.config[name]


def allowed_districts() -> list[str]:
    return city_districts()


# --- Loading and access -----------------------------------------------------------------------

def load_viewable(organisation_id: int) -> Organisation:
    """404 for anyone who may not see the organisation: an applicant of another organisation
    does not even learn that it exists."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)
    return organisation


def load_actable(organisation_id: int) -> Organisation:
    """Only the organisation's own representatives change it; staff see it but get 403."""
    organisation = load_viewable(organisation_id)
    if not can_act_for_organisation(current_user, organisation):
        abort(403)
    return organisation


# --- Account: sign-up and confirmation --------------------------------------------------------

@bp.route("/account/register", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("organisations.mine"))
    form = SignupForm()
    # The same answer whether or not the address has an account (services.register_applicant), so
    # nobody is logged in here: the person confirms the address, then logs in.
    if form.validate_on_submit() and save_form(form, lambda: services.register_applicant(
            db.session, name=form.name.data, email=form.email.data, password=form.password.data,
            now=clock.now(), base_url=_cfg("BASE_URL"), locale=str(get_locale())),
            _("Thank you. We have sent an e-mail to %(email)s: open the link in it to confirm the address, "
              "then log in.", email=form.email.data.strip())):
        return redirect(url_for("auth.login", next=url_for("organisations.mine")))
    return render_form("organisations/signup.html", form=form)


@bp.get("/account/confirm/<token>")
def confirm(token: str):
    if not apply_change(lambda: services.confirm_email(db.session, token, now=clock.now()),
                        _("Your e-mail address is confirmed.")):
        return redirect(url_for("main.home"))
    return redirect(url_for("organisations.mine") if current_user.is_authenticated
                    else url_for("auth.login", next=url_for("organisations.mine")))


@bp.post("/account/confirm/resend")
@login_required
def resend_confirmation():
    services.send_confirmation(db.session, current_user, now=clock.now(), base_url=_cfg("BASE_URL"))
    db.session.commit()
    flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("organisations.mine"))


# --- The applicant's own organisations --------------------------------------------------------

@bp.get("/my/organisations")
@login_required
def mine():
    organisations = db.session.scalars(
        select(Organisation).join(Representative, Representative.organisation_id == Organisation.id)
        .where(Representative.user_id == current_user.id).order_by(Organisation.name)).all()
    statuses = {o.id: declaration_status(db.session, o.id, clock.now()) for o in organisations}
    pending = db.session.scalars(select(JoinRequest).where(
        JoinRequest.user_id == current_user.id, JoinRequest.status == "pending")).all()
    return render_template("organisations/mine.html", organisations=organisations, statuses=statuses,
                           pending=pending, resend_form=EmptyForm())


def _profile_data(form) -> services.ProfileData:
    return services.ProfileData(
        name=form.name.data or "", legal_form=form.legal_form.data or "", street_address=form.street_address.data or "",
        postal_code=form.postal_code.data or "", city=form.city.data or "", contact_name=form.contact_name.data or "",
        email=form.email.data or "", phone=form.phone.data or "", website=form.website.data or "",
        payment_account_type=form.payment_account_type.data or None, payment_account=form.payment_account.data or "",
        founding_year=form.founding_year.data, members_women=form.members_women.data or 0,
        members_men=form.members_men.data or 0, members_other=form.members_other.data or 0,
        districts=list(form.districts.data or []),
        board=[services.BoardRow(row.form.name.data or "", row.form.role.data or "",
                                 bool(row.form.authorised_signatory.data)) for row in form.board],
    )


def _add_empty_board_rows(form, existing: int) -> None:
    form.districts.choices = choices((d, d) for d in allowed_districts())
    if request.method == "GET":
        while len(form.board.entries) < existing + BOARD_ROWS_EXTRA:
            form.board.append_entry()


@bp.route("/my/organisations/new", methods=["GET", "POST"])
@login_required
def register():
    if current_user.email_confirmed_at is None:
        flash(_("Confirm your e-mail address first: open the link in the e-mail we sent you."), "error")
        return redirect(url_for("organisations.mine"))
    form = RegisterOrganisationForm()
    _add_empty_board_rows(form, 0)
    if form.validate_on_submit():
        # The message depends on what happened (registered, or asked to join), so it is said here.
        saved = save_form(form, lambda: services.register_organisation(
            db.session, by=current_user, org_number=form.org_number.data, data=_profile_data(form),
            allowed_districts=allowed_districts(), now=clock.now(), base_url=_cfg("BASE_URL")))
        if saved:
            result = saved.value
            if result.join_request is not None:
                flash(_("This organisation is already registered. We have asked its representatives to approve you "
                        "as a representative; you get an e-mail when they have answered."), "info")
                return redirect(url_for("organisations.mine"))
            flash(_("The organisation is registered. Next: sign the democracy declaration and upload the statutes."),
                  "success")
            return redirect(url_for("organisations.show", organisation_id=result.organisation.id))
    return render_form("organisations/register.html", form=form)


# --- One organisation -------------------------------------------------------------------------

def _history(organisation: Organisation):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "organisation",
                                 AuditEvent.object_id == str(organisation.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(200)).all()


@bp.get("/organisations/<int:organisation_id>")
@login_required
def show(organisation_id: int):
    organisation = load_viewable(organisation_id)
    can_act = can_act_for_organisation(current_user, organisation)
    documents = db.session.scalars(select(Document).where(
        Document.organisation_id == organisation.id, Document.removed_at.is_(None))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())).all()
    join_requests = db.session.scalars(select(JoinRequest).where(
        JoinRequest.organisation_id == organisation.id, JoinRequest.status == "pending")).all() if can_act else []
    return render_template(
        "organisations/show.html", organisation=organisation, can_act=can_act, documents=documents,
        status=declaration_status(db.session, organisation.id, clock.now()), history=_history(organisation),
        join_requests=join_requests, invite_form=InviteForm(), document_form=DocumentForm(), button_form=EmptyForm())


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    organisation = load_actable(organisation_id)
    form = ProfileForm(obj=organisation if request.method == "GET" else None)
    if request.method == "GET":
        form.districts.data = organisation.district_names
        form.payment_account_type.data = organisation.payment_account_type or ""
        form.board.entries = []
        for member in organisation.board_members:
            form.board.append_entry({"name": member.name, "role": member.role,
                                     "authorised_signatory": member.authorised_signatory})
    _add_empty_board_rows(form, len(organisation.board_members))
    if form.validate_on_submit() and save_form(
            form, lambda: services.update_profile(db.session, organisation, by=current_user,
                                                  data=_profile_data(form), allowed_districts=allowed_districts(),
                                                  now=clock.now()),
            _("The profile is saved.")):
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_form("organisations/edit.html", form=form, organisation=organisation)


@bp.post("/organisations/<int:organisation_id>/representatives/invite")
@login_required
def invite(organisation_id: int):
    organisation = load_actable(organisation_id)
    form = InviteForm()
    if form.validate_on_submit():
        apply_change(
            lambda: services.invite_representative(db.session, organisation, email=form.email.data, by=current_user,
                                                   now=clock.now(), base_url=_cfg("BASE_URL"),
                                                   valid_days=_cfg("INVITATION_VALID_DAYS")),
            _("The invitation is sent to %(email)s.", email=form.email.data))
    else:
        flash(_("Enter a valid e-mail address, like name@example.se."), "error")
    return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#representatives")


@bp.post("/organisations/<int:organisation_id>/representatives/<int:representative_id>/remove")
@login_required
def remove_representative(organisation_id: int, representative_id: int):
    organisation = load_actable(organisation_id)
    representative = db.session.get(Representative, representative_id)
    if representative is None or representative.organisation_id != organisation.id:
        abort(404)
    removed = apply_change(
        lambda: services.remove_representative(db.session, organisation, representative_id, by=current_user,
                                               now=clock.now()),
        _("The representative is removed."))
    if removed and not can_act_for_organisation(current_user, organisation):
        return redirect(url_for("organisations.mine"))  # they removed themselves
    return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#representatives")


@bp.post("/organisations/<int:organisation_id>/join-requests/<int:join_id>/<answer>")
@login_required
def answer_join_request(organisation_id: int, join_id: int, answer: str):
    if answer not in ("approve", "decline"):
        abort(404)
    organisation = load_actable(organisation_id)
    join = db.session.get(JoinRequest, join_id)
    if join is None or join.organisation_id != organisation.id:
        abort(404)
    apply_change(
        lambda: services.decide_join_request(db.session, join, approve=answer == "approve", by=current_user,
                                             now=clock.now()),
        _("The request is approved.") if answer == "approve" else _("The request is declined."))
    return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#representatives")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        invitation_row = services.find_invitation(db.session, token, clock.now())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("main.home"))
    form = EmptyForm()
    if current_user.is_authenticated and form.validate_on_submit():
        # The organisation's name is in the message, so it is said once the change is saved.
        accepted = save_form(form, lambda: services.accept_invitation(db.session, token, by=current_user,
                                                                      now=clock.now()))
        if accepted:
            organisation = accepted.value
            flash(_("You now represent %(org)s.", org=organisation.name), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_form("organisations/invitation.html", invitation=invitation_row, form=form,
                       here=url_for("organisations.invitation", token=token))


# --- Democracy declaration --------------------------------------------------------------------

@bp.route("/organisations/<int:organisation_id>/declaration", methods=["GET", "POST"])
@login_required
def declaration(organisation_id: int):
    organisation = load_viewable(organisation_id)
    can_act = can_act_for_organisation(current_user, organisation)
    if request.method == "POST" and not can_act:
        abort(403)
    form = SignDeclarationForm()
    form.board_member_id.choices = choices(
        [(0, _("— choose —"))]
        + [(b.id, f"{b.name} ({b.role})") for b in organisation.board_members if b.authorised_signatory])
    if form.validate_on_submit() and save_form(
            form, lambda: services.sign_declaration(
                db.session, organisation, by=current_user, board_member_id=form.board_member_id.data,
                confirmed=form.confirm.data, now=clock.now(), valid_months=_cfg("DECLARATION_VALID_MONTHS")),
            _("The democracy declaration is signed.")):
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_form("organisations/declaration.html", organisation=organisation, form=form, can_act=can_act,
                       text=current_text(db.session) or _default_text(),
                       status=declaration_status(db.session, organisation.id, clock.now()))


def _default_text():
    """Shown until an admin publishes a text; signing publishes it as version 1."""
    from organisations.default_declaration import DECLARATION_EN, DECLARATION_SV

    return DeclarationText(version=1, text_sv=DECLARATION_SV, text_en=DECLARATION_EN)


# --- Documents --------------------------------------------------------------------------------

@bp.post("/organisations/<int:organisation_id>/documents")
@login_required
def upload(organisation_id: int):
    organisation = load_actable(organisation_id)
    form = DocumentForm()
    upload_file = form.file.data
    if form.validate_on_submit() and save_form(
            form, lambda: services.upload_document(
                db.session, organisation, by=current_user, kind=form.kind.data,
                stream=upload_file.stream if upload_file else None,
                original_name=upload_file.filename if upload_file else "", year=form.year.data,
                now=clock.now(), upload_dir=_cfg("UPLOAD_DIR"), max_bytes=_cfg("MAX_UPLOAD_MB") * 1024 * 1024),
            _("The document is uploaded.")):
        return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#documents")
    return render_show_with_form(organisation, form)


def render_show_with_form(organisation: Organisation, form: DocumentForm):
    documents = db.session.scalars(select(Document).where(
        Document.organisation_id == organisation.id, Document.removed_at.is_(None))
        .order_by(Document.uploaded_at.desc())).all()
    return render_form(
        "organisations/show.html", organisation=organisation, can_act=True, documents=documents,
        status=declaration_status(db.session, organisation.id, clock.now()), history=_history(organisation),
        join_requests=[], invite_form=InviteForm(formdata=None), document_form=form, button_form=EmptyForm())


@bp.get("/organisations/<int:organisation_id>/documents/<int:document_id>")
@login_required
def download(organisation_id: int, document_id: int):
    organisation = load_viewable(organisation_id)
    document = db.session.get(Document, document_id)
    if document is None or document.organisation_id != organisation.id or document.removed_at is not None:
        abort(404)
    return send_private_file(path_for(_cfg("UPLOAD_DIR"), document.sha256), mimetype=document.mime_type,
                             name=document.original_name)


# --- The register for committee staff -------------------------------------------------------

@bp.get("/organisations")
@role_required(Role.OFFICER, Role.DECISION_MAKER, Role.COORDINATOR)
def register_list():
    now = clock.now()
    q = (request.args.get("q") or "").strip()
    district = request.args.get("district") or ""
    status = request.args.get("status") or ""
    declaration_filter = request.args.get("declaration") or ""
    stmt = register_search(q=q, district=district, status=status if status in STATUS_LABELS else "",
                           declaration=declaration_filter, now=now)
    # The search reads every matching row anyway, so the page carries its total: one query, not two.
    page = paginate_rows(db.session, stmt, register_entry, per_page=_cfg("PAGE_SIZE"), total_in_rows=True,
                         per_row=with_districts_and_declaration(now))
    return render_template("organisations/register_list.html", page=page, q=q, district=district, status=status,
                           declaration=declaration_filter, districts=allowed_districts(),
                           status_labels=translated(STATUS_LABELS))  # once, not once per row


# --- Admin: declaration texts ---------------------------------------------------------------

@bp.route("/admin/declaration", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def declaration_texts():
    texts = db.session.scalars(select(DeclarationText).order_by(DeclarationText.version.desc())).all()
    form = DeclarationTextForm()
    if request.method == "GET" and texts:
        form.text_sv.data, form.text_en.data = texts[0].text_sv, texts[0].text_en
    if form.validate_on_submit():
        # The new version's number is in the message, so it is said once the text is published.
        published = save_form(form, lambda: services.publish_declaration_text(
            db.session, text_sv=form.text_sv.data, text_en=form.text_en.data, by=current_user, now=clock.now()))
        if published:
            flash(_("Version %(n)s of the declaration is published. Every organisation must sign it anew.",
                    n=published.value.version), "success")
            return redirect(url_for("organisations.declaration_texts"))
    return render_form("organisations/declaration_texts.html", texts=texts, form=form)
