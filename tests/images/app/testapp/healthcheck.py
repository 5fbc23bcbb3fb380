"""app-healthcheck: exit 0 if GET /health on this container answers 200."""
import os
import sys
import urllib.error
import urllib.request


def main():
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health"
    try:
        with urllib.request.urlopen(url, timeout=float(os.environ.get("HEALTHCHECK_TIMEOUT", "3"))) as resp:
            body = resp.read().decode(errors="replace")
            print(body)
            return 0 if resp.status == 200 else 1
    except urllib.error.HTTPError as exc:
        print(f"{exc.code} {exc.read().decode(errors='replace')}", file=sys.stderr)
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
