"""Database access: one short-lived psycopg connection per request/command."""
import os

import psycopg

ITEMS_DDL = """
CREATE TABLE IF NOT EXISTS items (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
)
"""


def url():
    """DATABASE_URL as a libpq URI, or None when unset.

    Also accepts SQLAlchemy-style schemes such as postgresql+psycopg://.
    """
    value = os.environ.get("DATABASE_URL", "").strip()
    if not value:
        return None
    scheme, sep, rest = value.partition("://")
    if sep and "+" in scheme:
        value = scheme.split("+", 1)[0] + sep + rest
    return value


def connect():
    timeout = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    return psycopg.connect(url(), connect_timeout=timeout, autocommit=True)


def ping():
    with connect() as conn:
        conn.execute("SELECT 1").fetchone()


def row_to_dict(row):
    return {"id": row[0], "name": row[1], "created_at": row[2]}


def insert_item(name):
    with connect() as conn:
        row = conn.execute(
            "INSERT INTO items (name) VALUES (%s) RETURNING id, name, created_at", (name,)
        ).fetchone()
    return row_to_dict(row)


def list_items():
    with connect() as conn:
        rows = conn.execute("SELECT id, name, created_at FROM items ORDER BY id").fetchall()
    return [row_to_dict(r) for r in rows]
