"""`flask eligibility install-defaults`: the default rule set, version 1 (idempotent)."""
import click
from flask.cli import AppGroup

from portal import clock
from portal.extensions import db

eligibility_cli = AppGroup("eligibility", help="Eligibility rule sets.")


@eligibility_cli.command("install-defaults")
def install_defaults() -> None:
    """Install the default rule set (version 1) if it is not there. Running it again changes nothing."""
    from eligibility.services import ensure_default_rule_set

    rule_set = ensure_default_rule_set(db.session, clock.now())
    db.session.commit()
    click.echo(f"Rule set version {rule_set.version} is in place ({len(rule_set.rules)} rules).")
