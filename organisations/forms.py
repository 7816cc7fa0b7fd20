from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, Form, FieldList, FormField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from organisations.models import DocumentKind, LegalForm, OrganisationStatus
from portal.forms_util import choices
from portal.security import MIN_PASSWORD_LENGTH

LEGAL_FORM_LABELS = {
    LegalForm.NON_PROFIT_ASSOCIATION.value: _l("Non-profit association"),
    LegalForm.FOUNDATION.value: _l("Foundation"),
    LegalForm.RELIGIOUS_COMMUNITY.value: _l("Religious community"),
    LegalForm.ECONOMIC_ASSOCIATION.value: _l("Economic association"),
    LegalForm.OTHER.value: lazy_pgettext("legal form", "Other"),
}
STATUS_LABELS = {
    OrganisationStatus.ACTIVE.value: _l("Active"),
    OrganisationStatus.UNDER_NOTICE.value: _l("Under notice"),
    OrganisationStatus.BARRED.value: _l("Barred"),
}
DOCUMENT_KIND_LABELS = {
    DocumentKind.STATUTES.value: _l("Statutes"),
    DocumentKind.ANNUAL_REPORT.value: lazy_pgettext("document kind", "Annual report"),
    DocumentKind.ANNUAL_ACCOUNTS.value: _l("Annual accounts"),
    DocumentKind.AUDIT_REPORT.value: _l("Audit report"),
    DocumentKind.OTHER.value: _l("Other document"),
}
ACCOUNT_TYPE_LABELS = {"": _l("— no account yet —"), "bankgiro": _l("Bankgiro"), "plusgiro": _l("Plusgiro")}
DECLARATION_REASON_LABELS = {
    "valid": _l("Valid"),
    "missing": _l("Not signed"),
    "expired": _l("Expired"),
    "old_version": _l("Signed for an earlier version"),
    "no_text": _l("No declaration text published"),
}
HISTORY_LABELS = {
    "organisation.registered": _l("Organisation registered"),
    "organisation.updated": _l("Profile or board changed"),
    "organisation.join_requested": _l("Request to join as representative"),
    "representative.join_approved": _l("Request to join approved"),
    "representative.join_declined": _l("Request to join declined"),
    "representative.invited": _l("Representative invited"),
    "representative.added": _l("Representative added"),
    "representative.removed": _l("Representative removed"),
    "declaration.signed": _l("Democracy declaration signed"),
    "document.uploaded": _l("Document uploaded"),
}
BOARD_ROWS_EXTRA = 3


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address."))],
                       render_kw={"autocomplete": "username"},
                       description=_l("We send a link to this address to confirm it."))
    password = PasswordField(
        _l("Password"), render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(_l("Choose a password.")),
                    Length(min=MIN_PASSWORD_LENGTH, message=_l("The password must be at least %(min)d characters long."))],
        description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the password"), render_kw={"autocomplete": "new-password"},
                            validators=[EqualTo("password", _l("The passwords are not the same."))])


class BoardRowForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = StringField(_l("Role on the board"), validators=[Optional(), Length(max=100)])
    authorised_signatory = BooleanField(_l("Authorised to sign"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[DataRequired(_l("Enter the organisation's name.")),
                                                                  Length(max=200)])
    legal_form = SelectField(_l("Legal form"), choices=choices(LEGAL_FORM_LABELS.items()))
    street_address = StringField(_l("Street address"), validators=[Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=10)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    districts = SelectMultipleField(_l("Districts where the organisation works"), widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput(), validate_choice=False)
    contact_name = StringField(_l("Contact person"), validators=[Length(max=200)])
    email = EmailField(_l("E-mail address of the organisation"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    website = StringField(_l("Website"), validators=[Length(max=300)])
    payment_account_type = SelectField(_l("Payment account"), choices=choices(ACCOUNT_TYPE_LABELS.items()))
    payment_account = StringField(_l("Account number"), validators=[Length(max=20)],
                                  description=_l("Bankgiro 7–8 digits, plusgiro 2–8 digits."))
    founding_year = IntegerField(_l("Founding year"), validators=[Optional()],
                                 render_kw={"inputmode": "numeric"})
    members_women = IntegerField(_l("Members: women"), default=0, validators=[
        Optional(), NumberRange(min=0, message=_l("A number of members cannot be negative."))])
    members_men = IntegerField(_l("Members: men"), default=0, validators=[
        Optional(), NumberRange(min=0, message=_l("A number of members cannot be negative."))])
    members_other = IntegerField(_l("Members: other or not stated"), default=0, validators=[
        Optional(), NumberRange(min=0, message=_l("A number of members cannot be negative."))])
    board = FieldList(FormField(BoardRowForm), min_entries=1)


class RegisterOrganisationForm(ProfileForm):
    org_number = StringField(_l("Organisation number"), validators=[DataRequired(_l("Enter the organisation number."))],
                             description=_l("10 digits, like 802412-3450."))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address of the person to invite"),
                       validators=[DataRequired(_l("Enter an e-mail address."))])


class SignDeclarationForm(FlaskForm):
    board_member_id = SelectField(_l("I sign as"), coerce=int,
                                  description=_l("Only board members authorised to sign are listed."))
    confirm = BooleanField(_l("I confirm, on behalf of the organisation, the declaration above."))


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Kind of document"), choices=choices(
        [(k, v) for k, v in DOCUMENT_KIND_LABELS.items() if k != DocumentKind.OTHER.value]))
    year = IntegerField(_l("Year"), validators=[Optional()], description=_l("The year the document concerns."))
    file = FileField(_l("File"), description=_l("PDF, PNG, JPEG, OpenDocument or Office files."))


class DeclarationTextForm(FlaskForm):
    text_sv = TextAreaField(_l("Text in Swedish"), validators=[DataRequired(_l("Enter the Swedish text."))],
                            render_kw={"rows": 12})
    text_en = TextAreaField(_l("Text in English"), validators=[DataRequired(_l("Enter the English text."))],
                            render_kw={"rows": 12})


class EmptyForm(FlaskForm):
    """Only the CSRF token, for buttons that change state."""
