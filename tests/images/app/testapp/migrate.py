"""app-migrate: create the schema (idempotent). Exit 0 on success."""
import sys

import psycopg

from . import db
from .buildinfo import VARIANT, VERSION

LOCK_ID = 7428  # serialises concurrent app-migrate runs


def main():
    print(f"app-migrate: testapp {VERSION}: applying migrations", flush=True)
    if VARIANT == "badmigrate":
        print("app-migrate: ERROR: migration 0002_items_add_owner failed: "
              "column \"owner\" references missing table \"users\" "
              "(simulated failure of the 'badmigrate' test image)", file=sys.stderr)
        return 1
    if not db.url():
        print("app-migrate: ERROR: DATABASE_URL is not set", file=sys.stderr)
        return 2
    try:
        with db.connect() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
            existed = conn.execute(
                "SELECT to_regclass('public.items') IS NOT NULL").fetchone()[0]
            conn.execute(db.ITEMS_DDL)
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_ID,))
    except psycopg.Error as exc:
        print(f"app-migrate: ERROR: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    if existed:
        print("app-migrate: table items already exists, nothing to do")
    else:
        print("app-migrate: created table items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
