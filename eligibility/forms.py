from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms_util import choices

CATEGORY_LABELS = {
    "violence": _l("Uses violence, coercion or threats"),
    "incitement": _l("Incites, encourages or justifies violence, coercion or threats"),
    "discrimination": _l("Discriminates or violates others' equal worth"),
    "anti_democratic": _l("Otherwise acts against the democratic order"),
    "association": _l("Association with an actor acting in these ways"),
}
ACTOR_LABELS = {
    "organisation": _l("The organisation itself"),
    "board_member": _l("A board member"),
    "employee": _l("An employee"),
    "volunteer": _l("A volunteer acting for the organisation"),
}
SOURCE_LABELS = {
    "own_observation": _l("Own observation"),
    "media": _l("Media"),
    "police": _l("Police"),
    "other_authority": _l("Another authority"),
    "public_tip": _l("Tip from the public"),
    "other": _l("Other"),
}


class EmptyForm(FlaskForm):
    pass


class ResolveForm(FlaskForm):
    outcome = RadioField(_l("Your assessment"), choices=choices([("pass", _l("Met")), ("fail", _l("Not met"))]),
                         validators=[InputRequired(_l("Choose met or not met."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Write the reason for your assessment.")),
                                                      Length(max=5000)])


class FindingForm(FlaskForm):
    conduct_on = DateField(_l("Date of conduct"), validators=[InputRequired(_l("Give the date of the conduct."))])
    category = SelectField(_l("Category"))
    actor_kind = SelectField(_l("Who acted"))
    actor_name = StringField(_l("Name of the person"), validators=[Optional(), Length(max=200)],
                             description=_l("Required unless the organisation itself acted."))
    source_category = SelectField(_l("Source"))
    evidence = TextAreaField(_l("Evidence"), validators=[DataRequired(_l("Describe the evidence.")),
                                                          Length(max=20000)],
                             description=_l("What happened, where it is documented. Only coordinators read this."))
    evidence_files = MultipleFileField(
        _l("Evidence files"), description=_l("Optional: documents, pictures or screenshots (PDF, PNG, JPEG, "
                                             "OpenDocument or Office). Only coordinators can open them."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices(CATEGORY_LABELS.items())
        self.actor_kind.choices = choices(ACTOR_LABELS.items())
        self.source_category.choices = choices(SOURCE_LABELS.items())


class AssessForm(FlaskForm):
    decision = RadioField(_l("Assessment"), choices=choices([("confirm", _l("Confirm")), ("dismiss", _l("Dismiss"))]),
                          validators=[InputRequired(_l("Choose confirm or dismiss."))])
    reason = TextAreaField(_l("Reasons"), validators=[DataRequired(_l("Write the reasons for your assessment."))],
                           description=_l("When a finding of violence or incitement is confirmed, these reasons "
                                          "are the grounds in the notice to the organisation."))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=choices([("withdraw", _l("Withdraw all support")),
                                                           ("close", _l("Close without withdrawal"))]),
                          validators=[InputRequired(_l("Choose a decision."))])
    reason = TextAreaField(_l("Reasons"), validators=[DataRequired(_l("Write the reasons for the decision."))])


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your reply"), validators=[DataRequired(_l("Write your reply.")), Length(max=20000)])


class ReinstateForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for reinstatement"),
                           validators=[DataRequired(_l("Write the reasons for reinstatement."))])


class RuleSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    validity_days = IntegerField(_l("Validity of a screening (days)"),
                                 validators=[InputRequired(), NumberRange(min=1, max=365)])
    rules = TextAreaField(
        _l("Rules, in order"), validators=[DataRequired()], render_kw={"rows": 10},
        description=_l("One rule per line: its identifier, then settings as name=number, e.g. "
                       "\"no_confirmed_finding lookback_years=5\"."))


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence file"), description=_l("PDF, PNG, JPEG, OpenDocument or Office files."))
