"""Events eligibility announces to the packages above it (grants connects to them)."""
from blinker import Namespace

_signals = Namespace()

# send(sender=None, session=..., organisation=..., case=..., conduct_on=..., by=..., now=...)
# Receivers change their own data in the caller's transaction and must raise to abort it.
organisation_withdrawn = _signals.signal("organisation-withdrawn")

# send(sender=None, session=..., finding=..., by=..., now=...): a coordinator confirmed a finding (any
# category). Grants stops every payment to the organisation at once (grants.payment_stop).
finding_confirmed = _signals.signal("finding-confirmed")

# send(sender=None, session=..., finding=..., by=..., now=...): a confirmed finding was lifted (its case
# closed without withdrawal, or the organisation reinstated). Grants resumes what it stopped for it.
finding_lifted = _signals.signal("finding-lifted")
