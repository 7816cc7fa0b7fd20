"""grants package: see shared/DESIGN.md. Registers itself through init_app()."""


def init_app(app):
    from grants import models  # noqa: F401  (register the tables)

    # Eligibility's facts and withdrawal signal (issue 5).
    from grants import eligibility_facts, withdrawal

    eligibility_facts.register(app)
    withdrawal.connect()
