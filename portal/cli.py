"""Command line: `flask users ...`, `flask demo seed`, `flask outbox send`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal import clock
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Committee, Role

users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--committee", "committee_name", default=None, help="Committee name, for officers and decision makers.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(email: str, name: str, role: str, committee_name: str | None, password: str) -> None:
    """Create a user with one role."""
    from portal.admin.services import create_user

    committee_id = None
    if committee_name:
        committee = db.session.scalar(select(Committee).where(Committee.name == committee_name))
        if committee is None:
            raise click.ClickException(f"No committee named {committee_name!r}.")
        committee_id = committee.id
    try:
        user = create_user(db.session, email=email, name=name, password=password, by=None,
                           now=clock.now(), roles=[(Role(role), committee_id)])
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message)
    db.session.commit()
    click.echo(f"Created {user.email} ({role}).")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Create demo committees, users and data. Running it again changes nothing."""
    from portal.demo import DemoRefused, run_seeders

    try:
        done = run_seeders(current_app, db.session, clock.now())
    except DemoRefused as refused:
        raise click.ClickException(str(refused))
    click.echo("Demo data in place: " + ", ".join(done))


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver queued e-mail through SMTP (needs MAIL_SERVER)."""
    from portal.outbox import send_pending, transport_from_config

    transport = transport_from_config(current_app.config)
    if transport is None:
        click.echo("MAIL_SERVER is not set: messages stay in the outbox (Administration > Outbox).")
        return
    result = send_pending(db.session, transport, clock.now())
    click.echo(f"Sent {result['sent']}, failed {result['failed']}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
