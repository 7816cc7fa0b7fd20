from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms_util import choices
from portal.models import CommitteeKind, Role

ROLE_LABELS = {
    Role.APPLICANT.value: _l("Applicant"),
    Role.OFFICER.value: _l("Officer"),
    Role.DECISION_MAKER.value: _l("Decision maker"),
    Role.COORDINATOR.value: _l("Coordinator"),
    Role.ADMIN.value: _l("Administrator"),
}
COMMITTEE_KIND_LABELS = {
    CommitteeKind.DISTRICT.value: _l("District committee"),
    CommitteeKind.SPECIALIST.value: _l("Specialist committee"),
    CommitteeKind.HOUSING_COMPANY.value: _l("Municipal housing company"),
    CommitteeKind.EXECUTIVE_BOARD.value: _l("City executive board"),
}


class UserCreateForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter an e-mail address."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(_l("Enter a password."))],
                             description=_l("At least 10 characters. The user can change it after logging in."))
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    committee_id = SelectField(_l("Committee"), coerce=int, validators=[Optional()],
                               description=_l("Required for officers and decision makers."))


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    active = BooleanField(_l("Active (may log in)"))


class RoleGrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    committee_id = SelectField(_l("Committee"), coerce=int, validators=[Optional()],
                               description=_l("Required for officers and decision makers."))


class CommitteeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the committee's name.")), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(COMMITTEE_KIND_LABELS.items()))
    active = BooleanField(_l("Active"), default=True)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
