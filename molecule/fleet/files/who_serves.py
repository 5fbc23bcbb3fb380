"""Ask a site who serves it, many times, and print the answers counted, as JSON.

    python3 who_serves.py [--host-header NAME] [--count N] [--timeout SECONDS] URL

GETs URL N times one after the other, each on a fresh connection (so a proxy balancing
round-robin sends them to every server in turn), and prints
{"answers": {"NODE VERSION": count, ...}, "failed": n, "reasons": [...]} where NODE and VERSION
are the fields "node" and "version" of each 2xx JSON answer. Proves that the proxy spreads
requests over every app host and which release each one serves. Standard library only.
"""
import argparse
import collections
import http.client
import json
import sys
import urllib.parse


def ask(url, host_header, timeout):
    """Return ("NODE VERSION", None) for a 2xx JSON answer, (None, reason) otherwise."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Connection": "close"}
    if host_header:
        headers["Host"] = host_header
    try:
        conn = http.client.HTTPConnection(parts.netloc, timeout=timeout)
        try:
            conn.request("GET", parts.path or "/", headers=headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:100]
    if not 200 <= response.status < 300:
        return None, f"HTTP {response.status}"
    try:
        answer = json.loads(body)
        return f"{answer['node']} {answer['version']}", None
    except (ValueError, KeyError, TypeError):
        return None, "not a JSON answer with node and version"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host-header", help="Host header to send (the nginx server_name)")
    parser.add_argument("--count", type=int, default=20, help="requests to send (default 20)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    parser.add_argument("url")
    args = parser.parse_args(argv)
    answers, reasons = collections.Counter(), collections.Counter()
    for dummy in range(args.count):
        who, reason = ask(args.url, args.host_header, args.timeout)
        if who is None:
            reasons[reason] += 1
        else:
            answers[who] += 1
    json.dump({"answers": dict(sorted(answers.items())), "failed": sum(reasons.values()),
               "reasons": [{"reason": r, "count": c} for r, c in reasons.most_common()]}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
