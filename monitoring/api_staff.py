"""Grantee reports of the caller's committees, experiences and the coordinator's dashboard figures
in the JSON API."""
from __future__ import annotations
