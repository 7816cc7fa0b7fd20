"""The stack's ceiling: a minimal Flask + SQLAlchemy + Jinja page doing one indexed query
against the same database as the application, served the same way (gunicorn, 2 workers).

    DATABASE_URL=... gunicorn -w 2 -b 127.0.0.1:8001 bench.ceiling_app:app

Every key page's throughput is reported as a share of this page's.
"""
from __future__ import annotations

import itertools
import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import text

# The same database URL and SQLite pragmas (WAL, foreign keys) as the application.
from portal.config import PROJECT_ROOT, load_config

TEMPLATE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{{ org.name }}</title></head>
<body><main><h1>{{ org.name }}</h1><p>{{ org.org_number }}</p></main></body></html>
"""

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = load_config(
    os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")))["SQLALCHEMY_DATABASE_URI"]
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
app.jinja_loader = DictLoader({"page.html": TEMPLATE})
db = SQLAlchemy(app)
_ids = itertools.count(1)
_max_id: list[int] = []


@app.get("/ceiling")
def page():
    if not _max_id:
        _max_id.append(db.session.scalar(text("SELECT MAX(id) FROM organisation")) or 1)
    org_id = next(_ids) % _max_id[0] + 1
    # One query on an indexed column (the primary key).
    org = db.session.execute(text("SELECT name, org_number FROM organisation WHERE id = :id"),
                             {"id": org_id}).one()
    return render_template("page.html", org=org)
