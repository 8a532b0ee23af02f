"""The migrations build exactly the schema the models describe, and seed the reference data."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import Category, Region, Role, Theme

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def schema_drift(app: Flask) -> list:
    """What `flask db migrate` would write now: alembic's comparison, with the project's options."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    options = app.extensions["migrate"].configure_args
    with (
        db.engine.connect() as connection,
        EnvironmentContext(config, ScriptDirectory.from_config(config)) as environment,
    ):
        environment.configure(connection=connection, target_metadata=db.metadata, **options)
        return compare_metadata(environment.get_context(), db.metadata)


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    return heads[0]


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def test_migrations_match_the_models_and_go_down_and_up(empty_database_url: str) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            assert current_revision() == head_revision()
            assert schema_drift(app) == []

            downgrade(revision="base")
            assert current_revision() is None
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()

            upgrade()
            assert schema_drift(app) == []
            assert db.session.scalar(select(Region.slug).where(Region.position == 7)) == (
                "marrakech-safi"
            )
        finally:
            db.session.remove()
            db.engine.dispose()


def test_reference_data_is_seeded(session) -> None:
    regions = session.scalars(select(Region).order_by(Region.position)).all()
    assert len(regions) == 12
    assert [r.position for r in regions] == list(range(1, 13))
    assert regions[0].name_fr == "Tanger-Tétouan-Al Hoceïma"
    assert regions[6].slug == "marrakech-safi" and regions[6].name_ar == "مراكش آسفي"
    assert regions[11].name_fr == "Dakhla-Oued Ed-Dahab"
    for region in regions:
        assert region.name_fr and region.name_en and region.code
        assert all(unicodedata.bidirectional(ch) in ("AL", "WS") for ch in region.name_ar), (
            region.slug
        )
    assert len({r.code for r in regions}) == 12 and len({r.slug for r in regions}) == 12
    assert [r.iso_code for r in regions] == [f"MA-{n:02d}" for n in range(1, 13)]

    categories = session.scalars(select(Category.code).order_by(Category.position)).all()
    assert categories == [
        "hebergement",
        "agence_voyages",
        "transport_touristique",
        "restauration",
        "crt",
        "guide",
        "animation_loisirs",
        "institution",
        "autre",
    ]
    themes = session.scalars(select(Theme).order_by(Theme.position)).all()
    assert [t.code for t in themes] == [
        "promotion-marketing",
        "connectivite-aerienne",
        "formation-rh",
        "infrastructures",
        "digitalisation",
        "financement-investissement",
        "reglementation",
        "diversification-offre",
        "evenementiel",
        "durabilite",
        "autre",
    ]
    assert not any(t.retired for t in themes)
    for row in [*themes, *session.scalars(select(Category)).all()]:
        assert row.name_fr and row.name_ar and row.name_en
        assert row.name_for("ar") == row.name_ar and row.name_for("xx") == row.name_fr


def test_the_role_column_accepts_every_role_and_nothing_else(session) -> None:
    # The role is a VARCHAR under a CHECK constraint on both backends (not a native enum):
    # a new role needs a migration of that constraint, which this test proves was written.
    insert = text(
        "INSERT INTO users (email, name, role, active, session_version, created_at)"
        " VALUES (:email, '', :role, :active, 0, CURRENT_TIMESTAMP)"
    )
    for role in Role:
        session.execute(
            insert, {"email": f"{role.value}@example.ma", "role": role.value, "active": True}
        )
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(insert, {"email": "x@example.ma", "role": "minister", "active": True})
        session.commit()
    session.rollback()
