"""The yardstick of bench/submit_ratio.py: a bare Flask-SQLAlchemy app inserting 1 submission
and 4 items per POST, and nothing else (no validation, idempotency, tallies or audit).

Env:
  DB_PATH     sqlite file path
  JOURNAL     delete | wal          (PRAGMA journal_mode)
  SYNC        full | normal         (PRAGMA synchronous)
  TIMEOUT_S   pysqlite connect timeout in seconds (= sqlite busy timeout); python default is 5.0
  SET_PRAGMAS 1 to issue PRAGMAs on connect, 0 to leave SQLite/pysqlite defaults untouched
  READ_FIRST  1: the endpoint runs a SELECT (region lookup count) before inserting
"""

import datetime as dt
import os

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

DB_PATH = os.environ.get("DB_PATH", "./c.db")
JOURNAL = os.environ.get("JOURNAL", "delete")
SYNC = os.environ.get("SYNC", "full")
TIMEOUT_S = float(os.environ.get("TIMEOUT_S", "5"))
SET_PRAGMAS = os.environ.get("SET_PRAGMAS", "0") == "1"
READ_FIRST = os.environ.get("READ_FIRST", "0") == "1"
NOOP = os.environ.get("NOOP", "0") == "1"  # parse JSON, no DB work: Flask+gunicorn ceiling

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{DB_PATH}"
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": TIMEOUT_S}}
db = SQLAlchemy(app)


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_conn, _rec):
    if not SET_PRAGMAS:
        return
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA journal_mode={JOURNAL}")
    cur.execute(f"PRAGMA synchronous={SYNC}")
    cur.execute(f"PRAGMA busy_timeout={int(TIMEOUT_S * 1000)}")
    cur.close()


class Submission(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, default=dt.datetime.utcnow, nullable=False)
    region = db.Column(db.String(64), nullable=False, index=True)
    province = db.Column(db.String(64))
    organisation = db.Column(db.String(128))
    role = db.Column(db.String(64))
    sector = db.Column(db.String(64))
    email = db.Column(db.String(128))
    phone = db.Column(db.String(32))
    years_exp = db.Column(db.Integer)
    staff_count = db.Column(db.Integer)
    language = db.Column(db.String(8))
    items = db.relationship("Item", backref="submission", lazy="select")


class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    submission_id = db.Column(
        db.Integer, db.ForeignKey("submission.id"), nullable=False, index=True
    )
    kind = db.Column(db.String(16), nullable=False)  # need / opportunity / challenge / proposal
    text = db.Column(db.Text, nullable=False)


KINDS = ("need", "opportunity", "challenge", "proposal")


@app.get("/health")
def health():
    return "ok"


@app.post("/submit")
def submit():
    d = request.get_json(force=True)
    if NOOP:
        return jsonify(id=len(d)), 201
    if READ_FIRST:
        # typical "validate / dedupe" read before the write
        db.session.execute(
            select(func.count(Submission.id)).where(Submission.email == d.get("email"))
        ).scalar()
    s = Submission(
        region=d["region"],
        province=d.get("province"),
        organisation=d.get("organisation"),
        role=d.get("role"),
        sector=d.get("sector"),
        email=d.get("email"),
        phone=d.get("phone"),
        years_exp=d.get("years_exp"),
        staff_count=d.get("staff_count"),
        language=d.get("language"),
    )
    for k in KINDS:
        s.items.append(Item(kind=k, text=d[k]))
    db.session.add(s)
    db.session.commit()
    return jsonify(id=s.id), 201


def init_db():
    with app.app_context():
        db.drop_all()
        db.create_all()
        with db.engine.connect() as c:
            c.exec_driver_sql(f"PRAGMA journal_mode={JOURNAL}")


if __name__ == "__main__":
    init_db()
    print("initialised", DB_PATH, JOURNAL)
