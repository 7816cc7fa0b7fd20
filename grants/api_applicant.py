"""Applications, grants, plans and deadlines for the applicant's own organisations in the JSON API."""
from __future__ import annotations
