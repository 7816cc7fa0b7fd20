"""Forms of the grants pages. Money fields are text (kronor) parsed to öre by grants.money."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, Form, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields import FieldList, FormField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from grants.labels import ACTION_AREAS, GENDERS, MILESTONE_KINDS, RECOMMENDATION_CHOICES, REPORTING_RHYTHMS
from grants.services import AGE_BANDS
from portal.forms_util import choices


class CriterionRow(Form):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=200)])
    weight = IntegerField(_l("Weight"), validators=[Optional(), NumberRange(min=1, max=100)])


class ProgrammeForm(FlaskForm):
    committee_id = SelectField(_l("Committee"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"))
    action_area = SelectField(_l("Action area"), choices=choices(ACTION_AREAS.items()))
    target_groups = StringField(_l("Target groups"), description=_l("Separate with commas."))
    districts = StringField(_l("Districts"), description=_l("Separate with commas."))
    budget = StringField(_l("Budget (kronor)"), validators=[DataRequired(_l("Enter the budget."))])
    max_per_grant = StringField(_l("Maximum per grant (kronor)"),
                                validators=[DataRequired(_l("Enter the maximum per grant."))])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter a date, like 2026-03-01."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(_l("Enter a date, like 2026-03-01."))])
    reporting_rhythm = SelectField(_l("Reporting rhythm"), choices=choices(REPORTING_RHYTHMS.items()))
    criteria_rows = FieldList(FormField(CriterionRow), min_entries=5, max_entries=20)


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that change state."""


class StartApplicationForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int)


class BasicsForm(FlaskForm):
    title = StringField(_l("Project title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])


class ContentForm(FlaskForm):
    aims = TextAreaField(_l("Aims"), validators=[DataRequired(_l("Describe the aims."))])
    activities = TextAreaField(_l("Activities"), validators=[DataRequired(_l("Describe the activities."))])
    method = StringField(_l("Method"), validators=[Length(max=200)])
    target_group = StringField(_l("Target group"), validators=[Length(max=200)])


def participants_form_class():
    attrs = {}
    for gender, gender_label in GENDERS.items():
        for band in AGE_BANDS:
            attrs[f"{gender}_{band}"] = IntegerField(
                _l("%(gender)s, age %(band)s", gender=gender_label, band=band),
                validators=[Optional(), NumberRange(min=0, max=100000)], default=0)
    return type("ParticipantsForm", (FlaskForm,), attrs)


ParticipantsForm = participants_form_class()


class BudgetRow(Form):
    category = StringField(_l("Category"), validators=[Optional(), Length(max=100)])
    amount = StringField(_l("Amount (kronor)"))
    own_funding = StringField(_l("Own funding (kronor)"))
    other_funding = StringField(_l("Other funding (kronor)"))


class BudgetForm(FlaskForm):
    period_start = DateField(_l("Period starts"), validators=[DataRequired(_l("Enter a date, like 2026-03-01."))])
    period_end = DateField(_l("Period ends"), validators=[DataRequired(_l("Enter a date, like 2026-03-01."))])
    budget_rows = FieldList(FormField(BudgetRow), min_entries=4, max_entries=30)
    requested_amount = StringField(_l("Requested amount (kronor)"),
                                   validators=[DataRequired(_l("Enter the amount you apply for."))])


class PartnersForm(FlaskForm):
    partners = TextAreaField(_l("Partners"))
    attachment = FileField(_l("Attachment"), description=_l("PDF, image or office document."))


class ReturnForm(FlaskForm):
    message = TextAreaField(_l("What should the applicant complete?"),
                            validators=[DataRequired(_l("Tell the applicant what to complete."))])


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int)


class ConflictForm(FlaskForm):
    has_conflict = SelectField(_l("Do you have a conflict of interest (jäv)?"),
                               choices=choices([("no", _l("No, I have no conflict of interest")),
                                                ("yes", _l("Yes, I have a conflict of interest"))]))
    conflict_reason = TextAreaField(_l("Describe the conflict"), validators=[Optional()])


class ReviewForm(FlaskForm):
    recommendation = SelectField(_l("Recommendation"), choices=choices(RECOMMENDATION_CHOICES.items()))
    comment = TextAreaField(_l("Overall comment"))


class IndicatorRow(Form):
    objective = StringField(_l("Objective"))
    name = StringField(_l("Indicator"))
    unit = StringField(_l("Unit"))
    baseline = StringField(_l("Baseline"))
    target = StringField(_l("Target"))
    by_gender = BooleanField(_l("Counted by gender"))


class MilestoneRow(Form):
    kind = SelectField(_l("Report"), choices=choices([("", "—")] + list(MILESTONE_KINDS.items())), validate_choice=False)
    due_on = DateField(_l("Due date"), validators=[Optional()])


class EvaluationRow(Form):
    due_on = DateField(_l("Evaluation date"), validators=[Optional()])


class PlanForm(FlaskForm):
    responsible_officer_id = SelectField(_l("Responsible officer"), coerce=int)
    indicator_rows = FieldList(FormField(IndicatorRow), min_entries=3, max_entries=20)
    milestone_rows = FieldList(FormField(MilestoneRow), min_entries=4, max_entries=20)
    evaluation_rows = FieldList(FormField(EvaluationRow), min_entries=2, max_entries=10)


class TrancheRow(Form):
    due_on = DateField(_l("Due date"), validators=[Optional()])
    amount = StringField(_l("Amount (kronor)"))
    condition = SelectField(_l("Condition"), choices=[], validate_choice=False)


class DecisionForm(FlaskForm):
    version = HiddenField()
    outcome = SelectField(_l("Decision"), choices=choices(RECOMMENDATION_CHOICES.items()))
    amount = StringField(_l("Amount granted (kronor)"), description=_l("For a partial approval."))
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(_l("Give the reasons for the decision."))])
    conditions = TextAreaField(_l("Conditions"))
    tranche_rows = FieldList(FormField(TrancheRow), min_entries=3, max_entries=12)


class ClaimForm(FlaskForm):
    amount = StringField(_l("Amount (kronor)"), validators=[DataRequired(_l("Enter an amount."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the claim."))])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class ClaimConfirmForm(FlaskForm):
    due_on = DateField(_l("Repay no later than"), validators=[Optional()])


class ClaimWaiveForm(FlaskForm):
    waiver_reason = TextAreaField(_l("Reason for waiving"), validators=[Optional(), Length(max=5000)])
