"""Persistence: models, sessions, migrations, queries and plan files."""
