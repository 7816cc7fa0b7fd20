from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.api.tokens import MAX_DAYS


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What the token is for, e.g. \"finance system\"."))
    days = IntegerField(_l("Valid for (days)"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)],
                        description=_l("Leave empty for a token that is valid until you revoke it."))


class RevokeForm(FlaskForm):
    """Only the CSRF token."""
