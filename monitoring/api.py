"""Monitoring in the JSON API: endpoints by audience, each in a module of its own; importing them
here registers them."""
from __future__ import annotations

from monitoring import api_applicant, api_staff  # noqa: F401
from monitoring.insight import api as insight_api  # noqa: F401
