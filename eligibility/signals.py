"""Events eligibility announces to the packages above it (grants connects to them)."""
from blinker import Namespace

_signals = Namespace()

# send(sender=None, session=..., organisation=..., case=..., conduct_on=..., by=..., now=...)
# Receivers change their own data in the caller's transaction and must raise to abort it.
organisation_withdrawn = _signals.signal("organisation-withdrawn")
