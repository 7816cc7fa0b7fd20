"""eligibility package: see shared/DESIGN.md. Registers itself through init_app()."""
