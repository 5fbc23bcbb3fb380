"""The example's API image played by the test app (see Dockerfile here).

    python -m shopstandin gunicorn [--bind HOST:PORT] [...]   the test app, with GET /healthz/, on PORT
    python -m shopstandin celery [...]                         an idle worker that exits on SIGTERM
"""
import os
import signal
import sys
import time

import uvicorn

from testapp.main import app, health

app.add_api_route("/healthz/", health, methods=["GET"])


def bind_port(args, default):
    """The port of gunicorn's --bind/-b HOST:PORT (the last one given), else default."""
    port = default
    for i, arg in enumerate(args):
        if arg in ("--bind", "-b") and i + 1 < len(args):
            port = args[i + 1].rsplit(":", 1)[-1]
        elif arg.startswith("--bind="):
            port = arg.split("=", 1)[1].rsplit(":", 1)[-1]
    return int(port)


def gunicorn(args):
    uvicorn.run(
        app,
        host="0.0.0.0",
        port=bind_port(args, os.environ.get("PORT", "8000")),
        timeout_graceful_shutdown=int(os.environ.get("GRACEFUL_TIMEOUT", "10")),
        log_level=os.environ.get("LOG_LEVEL", "info"),
    )


def celery(args):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("celery stand-in: an idle worker for: %s" % " ".join(args), flush=True)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    if sys.argv[1:2] == ["gunicorn"]:
        gunicorn(sys.argv[2:])
    elif sys.argv[1:2] == ["celery"]:
        celery(sys.argv[2:])
    else:
        sys.exit("usage: python -m shopstandin gunicorn|celery [ARGS]")
