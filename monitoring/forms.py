"""Forms for reports, evaluations and the experience bank."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from grants.models import ActionArea
from monitoring.models import Recommendation
from monitoring.reports import AGE_BANDS, GENDERS, participant_field
from portal.forms_util import choices

GENDER_LABELS = {"women": _l("Women"), "men": _l("Men"), "other": _l("Other or not stated")}
RECOMMENDATION_LABELS = {
    Recommendation.CONTINUE.value: _l("Continue"),
    Recommendation.SCALE_UP.value: _l("Scale up"),
    Recommendation.CHANGE.value: _l("Change"),
    Recommendation.STOP.value: _l("Stop"),
}
ACTION_AREA_LABELS = {
    ActionArea.GENERAL.value: _l("General, democracy-promoting efforts"),
    ActionArea.TARGETED.value: _l("Targeted, preventive efforts"),
    ActionArea.INDIVIDUAL.value: _l("Individual interventions"),
}
REPORT_STATUS_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned for completion"),
    "approved": _l("Approved"),
}
MILESTONE_KIND_LABELS = {"interim": _l("Interim report"), "final": _l("Final report"),
                         "financial": _l("Financial report")}


class EmptyForm(FlaskForm):
    pass


class ReportForm(FlaskForm):
    activities = TextAreaField(_l("Activities carried out"), validators=[Length(max=20000)],
                               description=_l("What you did, where and how often. Do not name participants."))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit report"))


def report_form_class(indicators, budget_lines) -> type[ReportForm]:
    """The report form for one plan: a field per gender and age band, per indicator (by gender
    where counted so) and per budget line."""

    class PlanReportForm(ReportForm):
        pass

    for gender in GENDERS:
        for band in AGE_BANDS:
            setattr(PlanReportForm, participant_field(gender, band), IntegerField(
                _l("%(gender)s, %(band)s years", gender=GENDER_LABELS[gender], band=band),
                validators=[Optional(), NumberRange(min=0, message=_l("Enter a whole number."))], default=0))
    for indicator in indicators:
        setattr(PlanReportForm, f"ind_{indicator.id}", StringField(
            f"{indicator.name} ({indicator.unit})", description=_l("Target: %(target)s", target=indicator.target)))
        if indicator.by_gender:
            for gender in GENDERS:
                setattr(PlanReportForm, f"ind_{indicator.id}_{gender}", StringField(
                    _l("%(name)s: %(gender)s", name=indicator.name, gender=GENDER_LABELS[gender])))
    for line in budget_lines:
        setattr(PlanReportForm, f"spend_{line.id}", StringField(
            _l("Spent on %(category)s (kr)", category=line.category),
            description=_l("Budgeted %(amount)s kr. Write e.g. 1 234,50.", amount=f"{line.amount / 100:.2f}")))
    return PlanReportForm


class AttachmentForm(FlaskForm):
    file = FileField(_l("Attachment"), description=_l("PDF, image or office document."))


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What the organisation needs to complete"), validators=[Length(max=5000)])


class EvaluationForm(FlaskForm):
    rating = RadioField(_l("Overall rating of goal attainment"), coerce=int,
                        choices=choices([(i, str(i)) for i in range(1, 6)]),
                        validators=[DataRequired(_l("Choose a rating from 1 to 5."))],
                        description=_l("1 = goals not reached, 5 = goals fully reached."))
    what_worked = TextAreaField(_l("What worked"), validators=[Length(max=10000)])
    what_did_not = TextAreaField(_l("What did not work"), validators=[Length(max=10000)])
    lessons = TextAreaField(_l("Lessons"), validators=[Length(max=10000)])
    recommendation = RadioField(_l("Recommendation"), choices=choices(RECOMMENDATION_LABELS.items()),
                                validators=[DataRequired(_l("Choose a recommendation."))])
    share = BooleanField(_l("Share the lessons with every committee in the experience bank"))


class ExperienceSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words"), validators=[Optional()])
    action_area = SelectField(_l("Action area"), validators=[Optional()],
                              choices=choices([("", _l("All"))] + list(ACTION_AREA_LABELS.items())))
    target_group = StringField(_l("Target group"), validators=[Optional()])
    method = StringField(_l("Method"), validators=[Optional()])
    district = StringField(_l("District"), validators=[Optional()])
    committee_id = SelectField(_l("Committee"), coerce=int, validators=[Optional()])


class ExperienceEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=10000)])
    what_worked = TextAreaField(_l("What worked"), validators=[Length(max=10000)])
    what_did_not = TextAreaField(_l("What did not work"), validators=[Length(max=10000)])
    lessons = TextAreaField(_l("Lessons"), validators=[Length(max=10000)])


class PublishForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
