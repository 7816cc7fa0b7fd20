"""Applications, screenings, decisions, grants and tranches of the caller's committees in the JSON API,
and the finance system's released tranches.

Every endpoint is a thin door onto the same permission helpers and services as the staff pages
(grants.views): an object of another committee is not found (404), an action the caller's role on
that committee does not allow is forbidden (403), a refused rule is 422 and a stale write 409.

One module per area, each with its endpoints' JSON Schemas beside them; importing them here
registers their endpoints. The shared references and steps live in `common`."""
from __future__ import annotations

from grants.api_staff import applications, decisions, finance, grants, plans  # noqa: F401
# Other packages' staff endpoints share these references and bodies (monitoring.api_staff).
from grants.api_staff.common import EMPTY_BODY, ORGANISATION_REF, organisation_ref, text  # noqa: F401
