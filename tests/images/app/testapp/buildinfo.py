"""Version and variant baked into the image at build time.

/opt/app/build-info.json is written by the Dockerfile from the APP_VERSION and
APP_VARIANT build args; the environment variables are only a fallback (for
running the code outside the image), so a compose file that happens to set
APP_VERSION cannot make an image lie about what it is.
"""
import json
import os

BUILD_INFO = os.environ.get("APP_BUILD_INFO", "/opt/app/build-info.json")


def _load():
    try:
        with open(BUILD_INFO, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        data = {}
    version = data.get("version") or os.environ.get("APP_VERSION") or "dev"
    variant = data.get("variant") or os.environ.get("APP_VARIANT") or "normal"
    return str(version), str(variant)


VERSION, VARIANT = _load()
