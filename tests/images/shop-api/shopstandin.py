"""The test app with the example's health path: GET /healthz/ answers like /health."""
import os

import uvicorn

from testapp.main import app, health

app.add_api_route("/healthz/", health, methods=["GET"])


def main():
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8000")),
        timeout_graceful_shutdown=int(os.environ.get("GRACEFUL_TIMEOUT", "10")),
        log_level=os.environ.get("LOG_LEVEL", "info"),
    )


if __name__ == "__main__":
    main()
