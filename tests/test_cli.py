"""Commands under `flask --app feedback_app`, through Flask's CLI runner, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import (
    FeedbackItem,
    Region,
    Role,
    StopStatus,
    Submission,
    TourStop,
    User,
)
from feedback_app.services.access import scope_for
from feedback_app.services.accounts.passwords import verify_password

PASSWORD = "un mot de passe assez long"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_stops_create_prints_the_code(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "stops",
            "create",
            "--region",
            "souss-massa",
            "--city",
            " Agadir ",
            "--date",
            "2025-01-24",
            "--venue",
            "Hôtel de ville",
            "--open",
        ]
    )
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    stop = session.scalars(select(TourStop).where(TourStop.code == code)).one()
    assert stop.status is StopStatus.OPEN
    assert stop.region.slug == "souss-massa" and stop.city == "Agadir"
    assert stop.date == dt.date(2025, 1, 24) and stop.venue == "Hôtel de ville"
    assert f"/f/{code}" in result.stderr

    result = runner.invoke(
        args=["stops", "create", "--region", "oriental", "--city", "Oujda", "--date", "2025-02-07"]
    )
    assert result.exit_code == 0, result.output
    planned = session.scalars(select(TourStop).where(TourStop.code == result.stdout.strip()))
    assert planned.one().status is StopStatus.PLANNED


def test_stops_create_refuses_bad_input_clearly(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["stops", "create", "--region", "atlantide", "--city", "X", "--date", "2025-01-10"]
    )
    assert result.exit_code != 0
    assert "region" in result.stderr and "Région inconnue" in result.stderr
    assert "Traceback" not in result.output

    result = runner.invoke(
        args=["stops", "create", "--region", "oriental", "--city", "Oujda", "--date", "10/01/2025"]
    )
    assert result.exit_code != 0 and "--date" in result.output

    result = runner.invoke(
        args=["stops", "create", "--region", "oriental", "--city", "  ", "--date", "2025-01-10"]
    )
    assert result.exit_code != 0 and "city" in result.stderr
    assert count(session, TourStop) == 0


def test_users_create_hashes_the_password_from_stdin(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Delegue.Souss@Example.MA",
            "--role",
            "delegate",
            "--region",
            "souss-massa",
            "--name",
            "Nadia Ouali",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert user.email == "delegue.souss@example.ma"
    assert user.role is Role.DELEGATE and [r.slug for r in user.regions] == ["souss-massa"]
    assert user.password_hash and PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "!")
    assert PASSWORD not in result.output

    result = runner.invoke(
        args=["users", "create", "hq@example.ma", "--role", "hq"], input=PASSWORD + "\r\n"
    )
    assert result.exit_code == 0, result.output
    hq = session.scalars(select(User).where(User.email == "hq@example.ma")).one()
    assert hq.role is Role.HQ and verify_password(hq.password_hash, PASSWORD)


def test_users_create_makes_observers_regional_or_national(app, session) -> None:
    runner = app.test_cli_runner()
    for email, regions in (("ministere@example.ma", []), ("crt@example.ma", ["souss-massa"])):
        args = ["users", "create", email, "--role", "observer"]
        args += [arg for slug in regions for arg in ("--region", slug)]
        result = runner.invoke(args=args, input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        assert f"created observer {email}" in result.output
        user = session.scalars(select(User).where(User.email == email)).one()
        assert user.role is Role.OBSERVER and [r.slug for r in user.regions] == regions
        # No region: the whole tour; a region: that region only.
        assert (scope_for(user).region_ids is None) is (not regions)
    hq = runner.invoke(
        args=["users", "create", "siege@example.ma", "--role", "hq", "--region", "souss-massa"],
        input=PASSWORD + "\n",
    )
    assert hq.exit_code == 0  # a region given to HQ is ignored: HQ covers every region
    assert session.scalars(select(User).where(User.email == "siege@example.ma")).one().regions == []


def test_users_create_refuses_short_passwords_and_duplicates(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "hq@example.ma", "--role", "hq"], input="court\n"
    )
    assert result.exit_code != 0 and "password" in result.stderr
    result = runner.invoke(args=["users", "create", "hq@example.ma", "--role", "hq"], input="")
    assert result.exit_code != 0 and "password" in result.stderr
    assert count(session, User) == 0

    assert (
        runner.invoke(
            args=["users", "create", "hq@example.ma", "--role", "hq"], input=PASSWORD
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=["users", "create", " HQ@Example.MA ", "--role", "hq"], input=PASSWORD
    )
    assert result.exit_code != 0
    assert "email" in result.stderr and "existe déjà" in result.stderr

    result = runner.invoke(
        args=["users", "create", "d@example.ma", "--role", "delegate"], input=PASSWORD
    )
    assert result.exit_code != 0 and "regions" in result.stderr
    result = runner.invoke(
        args=["users", "create", "d@example.ma", "--role", "delegate", "--region", "atlantide"],
        input=PASSWORD,
    )
    assert result.exit_code != 0 and "regions" in result.stderr
    assert count(session, User) == 1


@pytest.mark.slow
def test_demo_loads_a_living_tour_once(app, session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output

    stops = session.scalars(select(TourStop).order_by(TourStop.date)).all()
    assert len(stops) == 12
    assert {s.region_id for s in stops} == set(session.scalars(select(Region.id)).all())
    assert (stops[0].city, stops[0].date) == ("Marrakech", dt.date(2025, 1, 10))
    assert stops[0].region.slug == "marrakech-safi"
    statuses = {s.status for s in stops}
    assert StopStatus.OPEN in statuses and StopStatus.CLOSED in statuses

    submissions = count(session, Submission)
    items = count(session, FeedbackItem)
    assert 200 <= submissions <= 1000 and items >= submissions
    arabic = session.scalar(
        select(func.count()).select_from(Submission).where(Submission.language == "ar")
    )
    assert 0 < arabic < submissions / 2
    with_arabic_text = session.scalars(select(FeedbackItem.text)).all()
    assert any("\u0600" <= ch <= "\u06ff" for text in with_arabic_text for ch in text)
    categories = set(session.scalars(select(Submission.category_code)).all())
    assert len(categories) >= 6
    # Every submission belongs to a stop of its own region.
    mismatched = session.scalar(
        select(func.count())
        .select_from(Submission)
        .join(TourStop)
        .where(Submission.region_id != TourStop.region_id)
    )
    assert mismatched == 0
    for open_code in [s.code for s in stops if s.status is StopStatus.OPEN]:
        assert f"/f/{open_code}" in result.output

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    session.expire_all()
    assert count(session, TourStop) == 12
    assert count(session, Submission) == submissions
    assert count(session, FeedbackItem) == items


def test_db_upgrade_on_an_empty_database(empty_database_url: str) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            tables = set(inspect(db.engine).get_table_names())
            assert {
                "regions",
                "categories",
                "themes",
                "tour_stops",
                "submissions",
                "feedback_items",
                "users",
                "audit_events",
                "alembic_version",
            } <= tables
            assert db.session.scalar(select(func.count()).select_from(Region)) == 12
            # Running it again is harmless.
            assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
            assert db.session.scalar(select(func.count()).select_from(Region)) == 12
        finally:
            db.session.remove()
            db.engine.dispose()
