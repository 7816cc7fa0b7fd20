"""Applications, screenings, decisions, grants and tranches of the caller's committees in the JSON API,
and the finance system's released tranches."""
from __future__ import annotations
