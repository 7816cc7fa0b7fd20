"""Texts the grants side of a withdrawal writes (end reasons, claims, committee mail). They live
here so that they are translated in eligibility's catalogue, beside the rest of the withdrawal."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _


def end_reason(case_id: int) -> str:
    return _("All support withdrawn (withdrawal case %(case)s).", case=case_id)


def claim_reason(paid_on: date, conduct_on: date) -> str:
    return _("Paid on %(paid)s, after the conduct on %(conduct)s.", paid=paid_on.isoformat(),
             conduct=conduct_on.isoformat())


def committee_subject(organisation_name: str) -> str:
    return _("All support to %(org)s is withdrawn", org=organisation_name)


def committee_body(organisation_name: str, committee_name: str, counts: dict) -> str:
    return _("All support to %(org)s has been withdrawn by a coordinator. In %(committee)s and the other "
             "committees: %(grants)s grants withdrawn, %(tranches)s unpaid tranches cancelled, "
             "%(applications)s open applications closed, %(claims)s repayment claims proposed.",
             org=organisation_name, committee=committee_name, **counts)
