"""Storage: models, engine and sessions, change log, migrations. Knows nothing of Qt."""

#: The newest migration this build knows. A test checks it equals Alembic's head, so the start-up check can
#: compare revisions without importing Alembic (which costs start-up time).
SCHEMA_HEAD = "0005"
