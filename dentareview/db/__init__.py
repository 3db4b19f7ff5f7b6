"""Storage: SQLAlchemy models, engines and sessions, Alembic migrations, queries.

Schemas are made only by the migrations (`upgrade_database`), never by `create_all`.
"""
