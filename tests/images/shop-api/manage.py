"""Stand-in for Django's manage.py: `migrate` runs the test app's migration (app-migrate)."""
import os
import sys

if sys.argv[1:2] != ["migrate"]:
    sys.exit("manage.py stand-in: only `migrate` is known (got %s)" % " ".join(sys.argv[1:]))
os.execvp("app-migrate", ["app-migrate"])
