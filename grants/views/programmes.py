"""Programme pages: the public list and page of open programmes, starting an application, and
the officers' pages to create, edit and publish a programme."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grants import lists, permissions, services
from grants.forms import EmptyForm, ProgrammeForm, StartApplicationForm
from grants.labels import ACTION_AREAS
from grants.models import Programme
from grants.money import format_kronor_input, parse_kronor
from grants.views import bp
from grants.views.common import get_or_404, page_size, require
from organisations.models import Organisation
from organisations.permissions import represented_organisation_ids
from portal import clock
from portal.auth.permissions import staff_committee_ids
from portal.extensions import db
from portal.formatting import translated
from portal.forms_util import apply_change, choices, render_form, save_form
from portal.districts import city_districts
from portal.models import Committee, Role
from portal.pagination import paginate_rows


# ------------------------------------------------------------------ public programmes

@bp.get("/programmes")
def open_programmes():
    today = clock.today()
    committee_id = request.args.get("committee", type=int)
    area = request.args.get("area") or None
    district = (request.args.get("district") or "").strip()
    stmt = services.open_programmes_query(today, committee_id, area if area in ACTION_AREAS else None, district)
    # Open programmes are few: the page carries its total rather than counting in a query of its own.
    page = paginate_rows(db.session, lists.open_programme_rows(stmt), lambda row: row, per_page=page_size(),
                         total_in_rows=True)
    committees = db.session.scalars(select(Committee).where(Committee.active.is_(True)).order_by(Committee.name))
    return render_template("grants/open_programmes.html", page=page, committees=committees.all(),
                           committee_id=committee_id, area=area, district=district, districts=city_districts(),
                           area_labels=translated(ACTION_AREAS))  # once, not once per row


@bp.get("/programmes/<int:programme_id>")
def programme_public(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    if not programme.is_open_on(clock.today()) and not permissions.can_view_programme_admin(
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
                           organisations=organisations, is_open=programme.is_open_on(clock.today()))


@bp.post("/programmes/<int:programme_id>/apply")
@login_required
def apply(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    form = StartApplicationForm()
    ids = represented_organisation_ids(current_user)
    form.organisation_id.choices = choices([(i, str(i)) for i in ids])
    if not form.validate_on_submit():
        abort(403 if not ids else 400)
    organisation = get_or_404(Organisation, form.organisation_id.data)
    started = apply_change(
        lambda: services.start_application(db.session, programme=programme, organisation=organisation,
                                           by=current_user, now=clock.now()),
        None)
    if started is None:
        return redirect(url_for("grants.programme_public", programme_id=programme.id))
    return redirect(url_for("grants.application_step", application_id=started.value.id, step=1))


# ------------------------------------------------------------------ officers: programmes

def _officer_committees():
    ids = current_user.committee_ids(Role.OFFICER)
    return db.session.scalars(select(Committee).where(Committee.id.in_(ids)).order_by(Committee.name)).all()


@bp.get("/staff/programmes")
@login_required
def programmes():
    ids = staff_committee_ids(current_user)
    require(bool(ids))
    stmt = select(Programme).where(Programme.committee_id.in_(ids)).order_by(Programme.opens_on.desc(),
                                                                              Programme.id.desc())
    page = db.paginate(stmt, per_page=page_size(), error_out=False)
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


def _create_programme(form: ProgrammeForm) -> Programme:
    values, criteria = _programme_values(form)
    return services.create_programme(db.session, committee_id=form.committee_id.data, values=values,
                                     criteria=criteria, by=current_user, now=clock.now())


def _update_programme(programme: Programme, form: ProgrammeForm) -> None:
    values, criteria = _programme_values(form)
    services.update_programme(db.session, programme, values=values, criteria=criteria, by=current_user,
                              now=clock.now())


@bp.route("/staff/programmes/new", methods=["GET", "POST"])
@login_required
def programme_new():
    committees = _officer_committees()
    require(bool(committees))
    form = ProgrammeForm()
    form.committee_id.choices = choices([(c.id, c.name) for c in committees])
    if form.validate_on_submit():
        saved = save_form(form, lambda: _create_programme(form), _("The programme is saved as a draft."))
        if saved:
            return redirect(url_for("grants.programme_edit", programme_id=saved.value.id))
    return render_form("grants/programme_form.html", form=form, programme=None)


def _programme_form(programme: Programme) -> ProgrammeForm:
    """The form with the user's input on a POST, else filled from the programme."""
    if request.method == "POST":
        form = ProgrammeForm()
    else:
        form = ProgrammeForm(obj=programme)
        form.budget.data = format_kronor_input(programme.budget)
        form.max_per_grant.data = format_kronor_input(programme.max_per_grant)
        form.target_groups.data = ", ".join(programme.target_groups or [])
        form.districts.data = ", ".join(programme.districts or [])
        for row, criterion in zip(form.criteria_rows, programme.criteria):
            row.form.name.data, row.form.weight.data = criterion.name, criterion.weight
    form.committee_id.choices = choices([(programme.committee_id, programme.committee.name)])
    form.committee_id.data = programme.committee_id
    return form


@bp.route("/staff/programmes/<int:programme_id>", methods=["GET", "POST"])
@login_required
def programme_edit(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    require(permissions.can_view_programme_admin(current_user, programme))
    can_edit = permissions.can_manage_programmes(current_user, programme.committee_id)
    form = _programme_form(programme)
    if request.method == "POST":
        require(can_edit)
        if form.validate() and save_form(form, lambda: _update_programme(programme, form),
                                         _("The programme is saved.")):
            return redirect(url_for("grants.programme_edit", programme_id=programme.id))
    return render_form("grants/programme_form.html", form=form, programme=programme, can_edit=can_edit,
                       publish_form=EmptyForm())


@bp.post("/staff/programmes/<int:programme_id>/publish")
@login_required
def programme_publish(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    require(permissions.can_manage_programmes(current_user, programme.committee_id))
    apply_change(
        lambda: services.publish_programme(db.session, programme, by=current_user, now=clock.now()),
        _("The programme is published."))
    return redirect(url_for("grants.programme_edit", programme_id=programme.id))
