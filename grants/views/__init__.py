"""Pages of grants, one module per audience. Every page loads its objects, checks access on them,
calls a service through `save_form` (a form) or `apply_change` (a button), and renders.

- `programmes`: the public programme list and page, starting an application, the officers'
  programme pages;
- `applicant`: an organisation's applications, their steps, submitting and withdrawing, its grants;
- `staff`: the staff's application list and page, assigning reviewers, returning, screening,
  reviews, the follow-up plan, the decision and its letter;
- `payments`: grants, their tranches and repayment claims.

Shared loaders and helpers are in `common`. The blueprint keeps the name "grants", so every
`url_for("grants.…")` and template is unchanged.
"""
from flask import Blueprint

bp = Blueprint("grants", __name__)

# Importing the modules registers their routes on `bp`.
from grants.views import applicant, payments, programmes, staff  # noqa: E402,F401
