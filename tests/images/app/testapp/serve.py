"""Container entry point: uvicorn in this process (PID 1).

uvicorn installs SIGTERM/SIGINT handlers: it stops accepting connections,
lets in-flight requests finish (at most GRACEFUL_TIMEOUT seconds, default 10)
and exits 0.
"""
import os

import uvicorn


def main():
    uvicorn.run(
        "testapp.main:app",
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8000")),
        timeout_graceful_shutdown=int(os.environ.get("GRACEFUL_TIMEOUT", "10")),
        log_level=os.environ.get("LOG_LEVEL", "info"),
    )


if __name__ == "__main__":
    main()
