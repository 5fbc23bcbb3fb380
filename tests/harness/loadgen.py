#!/usr/bin/env python3
"""Constant-rate (open-loop) HTTP load generator, standard library only (Python 3.9+).

Used to prove that a release behind nginx fails zero requests, and by the benchmark against a
naive `docker compose up -d`. The i-th GET starts at t0 + i/rate on a thread pool big enough
that slow answers never lower the rate; every request uses a fresh connection.

  loadgen.py --url URL [--host-header H] [--rate 50] [--duration S] [--until-file PATH]
             [--timeout 5] [--max-late 0.1] [--json-field version] [--out result.json] [--start-file PATH]

Stops when --duration elapses, when --until-file exists (either one first, if both are given),
or on SIGTERM/SIGINT; it always writes the result JSON (atomically) and a one-line summary.
A request fails if it raises (refused, reset, timeout) or its status is not 2xx.
--start-file is written once the first 2xx answer arrived. Exit 0 even with failures, 2 on
usage errors. All times in the result are seconds since t0 (when a request was started).
"""
import argparse
import collections
import datetime
import http.client
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

# One finished request; times are seconds relative to t0, latency in seconds.
Sample = collections.namedtuple("Sample", "scheduled started latency ok reason value")
MISSING = "(missing)"  # --json-field value of a 2xx answer that is not JSON or lacks the field
LATE_S = 0.1  # default of --max-late: a request that starts later than this after its slot is a schedule slip
TOP_REASONS = 10


# ---- statistics (pure functions) ------------------------------------------------------------

def percentile(values, pct):
    """Nearest-rank percentile of `values` (0 < pct <= 100); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _r(value, ndigits=3):
    return None if value is None else round(value, ndigits)


def latency_stats(seconds):
    """p50/p95/p99/max in milliseconds of a list of latencies in seconds."""
    ms = [s * 1000.0 for s in seconds]
    stats = {"p%d" % p: _r(percentile(ms, p), 2) for p in (50, 95, 99)}
    stats["max"] = _r(max(ms), 2) if ms else None
    return stats


def value_histogram(samples):
    """{value: {count, first_s, last_s}} over successful samples, ordered by first answer."""
    hist = {}
    for s in sorted((s for s in samples if s.ok), key=lambda s: s.started):
        entry = hist.setdefault(s.value, {"count": 0, "first_s": _r(s.started), "last_s": None})
        entry["count"] += 1
        entry["last_s"] = _r(s.started)
    return hist


def failure_stats(samples, top=TOP_REASONS):
    failed = sorted((s for s in samples if not s.ok), key=lambda s: s.started)
    reasons = collections.Counter(s.reason for s in failed).most_common(top)
    return {
        "first_s": _r(failed[0].started) if failed else None,
        "last_s": _r(failed[-1].started) if failed else None,
        "reasons": [{"reason": reason, "count": count} for reason, count in reasons],
    }


def summarize(samples, rate, json_field=None, max_late=LATE_S):
    """Result dict (without run metadata) of a list of Samples issued at `rate` per second; a
    sample that started more than `max_late` seconds after its slot is late (a schedule slip)."""
    ok = [s for s in samples if s.ok]
    lateness = [max(0.0, s.started - s.scheduled) for s in samples]
    # Window from t0 to the start of the last request plus one slot: equals `rate` on schedule.
    span = (max(s.started for s in samples) + 1.0 / rate) if samples else 0.0
    result = {
        "total": len(samples),
        "ok": len(ok),
        "failed": len(samples) - len(ok),
        "rate_target": rate,
        "rate_achieved": _r(len(samples) / span, 2) if span else 0.0,
        "latency_ms": latency_stats([s.latency for s in ok]),
        "failures": failure_stats(samples),
        "schedule": {
            "late_p99_ms": _r(percentile(lateness, 99) * 1000.0, 2) if lateness else None,
            "late_max_ms": _r(max(lateness) * 1000.0, 2) if lateness else None,
            "max_late_ms": _r(max_late * 1000.0, 2),
            "late_count": sum(1 for late in lateness if late > max_late),
            "slipped": any(late > max_late for late in lateness),
        },
        "values": value_histogram(samples) if json_field else {},
    }
    return result


def format_summary(result):
    versions = {value: entry["count"] for value, entry in result["values"].items()}
    p99 = result["latency_ms"]["p99"]
    return "loadgen: %d requests, %d failed, rate %.1f/s, p99 %s ms, versions %s" % (
        result["total"], result["failed"], result["rate_achieved"],
        "-" if p99 is None else "%.1f" % p99, json.dumps(versions))


def extract_field(body, field):
    """Value of a (dotted) field in a JSON body, as a string; MISSING if absent or not JSON."""
    try:
        value = json.loads(body)
        for part in field.split("."):
            value = value[part]
    except (ValueError, KeyError, TypeError, IndexError):
        return MISSING
    return value if isinstance(value, str) else json.dumps(value)


def write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".loadgen-", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# ---- load generation ------------------------------------------------------------------------

class LoadGen:
    def __init__(self, args):
        self.args = args
        url = urllib.parse.urlsplit(args.url)
        self.conn_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        self.netloc = url.netloc
        self.path = (url.path or "/") + ("?" + url.query if url.query else "")
        self.headers = {"Connection": "close", "User-Agent": "vmdeploy-loadgen"}
        if args.host_header:
            self.headers["Host"] = args.host_header
        self.samples = []  # list.append is atomic in CPython
        self.stop = threading.Event()
        self.stopped_by = None
        self.started_lock = threading.Lock()
        self.start_file_written = False
        self.t0 = None

    def request(self, scheduled):
        started = time.monotonic() - self.t0
        ok, reason, value = False, None, None
        try:
            conn = self.conn_class(self.netloc, timeout=self.args.timeout)
            try:
                conn.request("GET", self.path, headers=self.headers)
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            ok = 200 <= response.status < 300
            if not ok:
                reason = "HTTP %d" % response.status
            elif self.args.json_field:
                value = extract_field(body, self.args.json_field)
        except Exception as exc:  # every exception is a failed request
            reason = ("%s: %s" % (type(exc).__name__, exc))[:100]
        latency = time.monotonic() - self.t0 - started
        self.samples.append(Sample(scheduled, started, latency, ok, reason, value))
        if ok and self.args.start_file and not self.start_file_written:
            with self.started_lock:
                if not self.start_file_written:
                    write_atomic(self.args.start_file, "%.3f\n" % started)
                    self.start_file_written = True

    def on_signal(self, signum, _frame):
        self.stopped_by = self.stopped_by or signal.Signals(signum).name
        self.stop.set()

    def run(self):
        args = self.args
        workers = int(args.rate * (args.timeout + 1)) + 8  # enough for every request in flight
        wall0, self.t0 = time.time(), time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            i = 0
            while not self.stop.is_set():
                slot = i / args.rate
                if args.duration is not None and slot >= args.duration:
                    self.stopped_by = "duration"
                    break
                if args.until_file and os.path.exists(args.until_file):
                    self.stopped_by = "until_file"
                    break
                wait = self.t0 + slot - time.monotonic()
                if wait > 0:
                    self.stop.wait(min(wait, 0.05))
                    continue
                pool.submit(self.request, slot)
                i += 1
            sending_s = time.monotonic() - self.t0
        result = {
            "url": args.url, "host_header": args.host_header, "timeout_s": args.timeout,
            "json_field": args.json_field, "started_at_epoch": round(wall0, 3),
            "started_at": datetime.datetime.fromtimestamp(wall0, datetime.timezone.utc).isoformat(),
            "stopped_by": self.stopped_by, "duration_s": round(sending_s, 3),
        }
        result.update(summarize(list(self.samples), args.rate, args.json_field, args.max_late))
        return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Constant-rate HTTP load generator.")
    parser.add_argument("--url", required=True, help="http(s)://host[:port]/path to GET")
    parser.add_argument("--host-header", help="Host header to send (e.g. the nginx server_name)")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (50)")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument("--until-file", help="stop once this file exists")
    parser.add_argument("--timeout", type=float, default=5.0, help="socket timeout in seconds (5)")
    parser.add_argument("--max-late", type=float, default=LATE_S,
                        help="a request started later than this after its slot is a schedule slip (%g s)" % LATE_S)
    parser.add_argument("--json-field", help="histogram this JSON field of 2xx answers")
    parser.add_argument("--out", default="result.json", help="result JSON (result.json)")
    parser.add_argument("--start-file", help="write this file once the first 2xx answer arrived")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.url).scheme not in ("http", "https"):
        parser.error("--url must start with http:// or https://")
    for name in ("rate", "duration", "timeout", "max_late"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            parser.error("--%s must be positive" % name)
    return args


def main(argv=None):
    args = parse_args(argv)  # exits 2 on usage errors
    gen = LoadGen(args)
    signal.signal(signal.SIGTERM, gen.on_signal)
    signal.signal(signal.SIGINT, gen.on_signal)
    result = gen.run()
    write_atomic(args.out, json.dumps(result, indent=2, sort_keys=True) + "\n")
    if result["schedule"]["slipped"]:
        print("loadgen: warning: schedule slipped, %d requests started >%s ms late (max %s ms)"
              % (result["schedule"]["late_count"], result["schedule"]["max_late_ms"], result["schedule"]["late_max_ms"]),
              file=sys.stderr)
    print(format_summary(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
