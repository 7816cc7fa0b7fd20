"""monitoring package: see shared/DESIGN.md. Registers itself through init_app()."""


def init_app(app):
    from monitoring import models  # noqa: F401  (register the tables)
    from monitoring import insight

    insight.init_app(app)
