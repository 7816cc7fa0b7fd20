"""The dashboard's filter (GET, no CSRF: it changes nothing) and the annual report's year."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from monitoring.insight.figures import Filters
from monitoring.insight.tables import AREA_LABELS
from portal.forms_util import choices


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    year = SelectField(_l("Year"), choices=[], validators=[Optional()],
                       description=_l("Grants whose period overlaps the year."))
    committee = SelectField(_l("Committee"), choices=[], validators=[Optional()])
    area = SelectField(_l("Action area"), choices=[], validators=[Optional()])
    district = SelectField(_l("District"), choices=[], validators=[Optional()])

    def fill_choices(self, options: dict) -> None:
        everything = ("", _l("All"))
        self.year.choices = choices([everything] + [(str(y), str(y)) for y in options["years"]])
        self.committee.choices = choices([everything] + [(str(i), name) for i, name in options["committees"]])
        self.area.choices = choices([everything] + list(AREA_LABELS.items()))
        self.district.choices = choices([everything] + [(d, d) for d in options["districts"]])

    def filters(self) -> Filters:
        """The chosen filter; a value that is not among the choices is ignored."""
        def chosen(fld):
            values = {str(c.value) for c in fld.choices}
            return fld.data if fld.data and fld.data in values else None

        year, committee = chosen(self.year), chosen(self.committee)
        return Filters(year=int(year) if year else None, committee_id=int(committee) if committee else None,
                       action_area=chosen(self.area), district=chosen(self.district))


class AnnualReportForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(_l("Enter a year.")),
                                                NumberRange(2000, 2100, _l("Enter a year such as 2025."))])
