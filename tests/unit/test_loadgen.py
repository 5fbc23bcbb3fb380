# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/harness/loadgen.py: statistics helpers, and a short run against a local HTTP server."""
import http.server
import importlib.util
import json
import pathlib
import signal
import subprocess
import sys
import threading
import time

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "harness" / "loadgen.py"
_spec = importlib.util.spec_from_file_location("loadgen", SCRIPT)
loadgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loadgen)
Sample = loadgen.Sample


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert loadgen.percentile(values, 50) == 50
    assert loadgen.percentile(values, 99) == 99
    assert loadgen.percentile(values, 100) == 100
    assert loadgen.percentile([7], 99) == 7
    assert loadgen.percentile([3, 1, 2], 50) == 2
    assert loadgen.percentile([], 50) is None


def test_summarize_histogram_failures_and_summary():
    samples = [
        Sample(0.0, 0.0, 0.010, True, None, "v1"),
        Sample(0.1, 0.1, 0.020, True, None, "v1"),
        Sample(0.2, 0.2, 0.001, False, "HTTP 503", None),
        Sample(0.3, 0.3, 0.001, False, "ConnectionRefusedError: refused", None),
        Sample(0.4, 0.4, 0.002, False, "HTTP 503", None),
        Sample(0.5, 0.5, 0.030, True, None, "v2"),
        Sample(0.6, 0.9, 0.040, True, None, "v2"),  # started 300 ms late
    ]
    result = loadgen.summarize(samples, rate=10, json_field="version")
    assert (result["total"], result["ok"], result["failed"]) == (7, 4, 3)
    assert result["rate_achieved"] == 7.0  # 7 requests over 0.9 s + one 0.1 s slot
    assert result["latency_ms"] == {"p50": 20.0, "p95": 40.0, "p99": 40.0, "max": 40.0}
    assert result["failures"] == {"first_s": 0.2, "last_s": 0.4, "reasons": [
        {"reason": "HTTP 503", "count": 2},
        {"reason": "ConnectionRefusedError: refused", "count": 1}]}
    assert result["values"] == {"v1": {"count": 2, "first_s": 0.0, "last_s": 0.1},
                                "v2": {"count": 2, "first_s": 0.5, "last_s": 0.9}}
    assert result["schedule"]["late_count"] == 1 and result["schedule"]["slipped"]
    assert result["schedule"]["late_max_ms"] == 300.0 and result["schedule"]["max_late_ms"] == 100.0
    # With a tolerance of 310 ms the same run kept its schedule; with 290 ms it did not.
    assert not loadgen.summarize(samples, rate=10, max_late=0.31)["schedule"]["slipped"]
    assert loadgen.summarize(samples, rate=10, max_late=0.29)["schedule"]["late_count"] == 1
    assert loadgen.format_summary(result) == (
        'loadgen: 7 requests, 3 failed, rate 7.0/s, p99 40.0 ms, versions {"v1": 2, "v2": 2}')


def test_summarize_empty_and_without_json_field():
    result = loadgen.summarize([], rate=50)
    assert (result["total"], result["failed"], result["values"]) == (0, 0, {})
    assert result["latency_ms"]["p99"] is None and result["failures"]["first_s"] is None
    assert loadgen.format_summary(result) == "loadgen: 0 requests, 0 failed, rate 0.0/s, p99 - ms, versions {}"


def test_failure_reasons_keep_top_ten():
    samples = [Sample(i, i, 0.0, False, "E%d" % (i % 12), None) for i in range(24)]
    assert len(loadgen.failure_stats(samples)["reasons"]) == 10


def test_extract_field():
    assert loadgen.extract_field(b'{"version": "v2"}', "version") == "v2"
    assert loadgen.extract_field(b'{"app": {"build": 7}}', "app.build") == "7"
    assert loadgen.extract_field(b'{"other": 1}', "version") == loadgen.MISSING
    assert loadgen.extract_field(b"<html>", "version") == loadgen.MISSING


@pytest.fixture
def server():
    """JSON {"version": "v1"} for 1 s after the first request, 503 for 0.4 s, then v2."""
    state = {"first": None, "hosts": set()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            now = time.monotonic()
            state["first"] = state["first"] or now
            state["hosts"].add(self.headers.get("Host"))
            elapsed = now - state["first"]
            if 1.0 <= elapsed < 1.4:
                status, body = 503, b"unavailable"
            else:
                status, body = 200, json.dumps({"version": "v1" if elapsed < 1.0 else "v2"}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/version" % httpd.server_address[1], state
    httpd.shutdown()
    httpd.server_close()


def _cmd(url, out, *extra):
    return [sys.executable, str(SCRIPT), "--url", url, "--out", str(out), "--json-field", "version",
            "--host-header", "app.test"] + list(extra)


def test_run_against_local_server(server, tmp_path):
    url, state = server
    out, start = tmp_path / "result.json", tmp_path / "started"
    proc = subprocess.run(_cmd(url, out, "--rate", "20", "--duration", "2", "--start-file", str(start)),
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert start.exists()
    assert state["hosts"] == {"app.test"}
    assert result["stopped_by"] == "duration"
    assert result["total"] == 40  # 2 s at 20/s, on schedule
    assert result["ok"] + result["failed"] == result["total"]
    assert 4 <= result["failed"] <= 12  # ~0.4 s of 503 at 20/s
    assert result["failures"]["reasons"] == [{"reason": "HTTP 503", "count": result["failed"]}]
    assert 0.8 <= result["failures"]["first_s"] <= result["failures"]["last_s"] <= 1.8
    values = result["values"]
    assert set(values) == {"v1", "v2"}
    assert values["v1"]["count"] + values["v2"]["count"] == result["ok"]
    assert values["v1"]["last_s"] < result["failures"]["first_s"]
    assert result["failures"]["last_s"] < values["v2"]["first_s"]
    assert result["rate_achieved"] > 18 and not result["schedule"]["slipped"]
    assert proc.stdout.startswith("loadgen: 40 requests, %d failed, rate " % result["failed"])


def test_sigterm_still_writes_result(server, tmp_path):
    url = server[0]
    out, start = tmp_path / "result.json", tmp_path / "started"
    proc = subprocess.Popen(_cmd(url, out, "--rate", "20", "--start-file", str(start)),
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not start.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    stdout = proc.communicate(timeout=10)[0]
    assert proc.returncode == 0
    result = json.loads(out.read_text())
    assert result["stopped_by"] == "SIGTERM" and result["total"] >= 1
    assert stdout.startswith("loadgen: ")


def test_until_file_and_usage_errors(server, tmp_path):
    url = server[0]
    until = tmp_path / "stop"
    until.touch()
    proc = subprocess.run(_cmd(url, tmp_path / "r.json", "--until-file", str(until)),
                          capture_output=True, text=True, timeout=10, check=False)
    assert proc.returncode == 0 and json.loads((tmp_path / "r.json").read_text())["stopped_by"] == "until_file"
    for bad in (["--rate", "0"], ["--url", "ftp://x"], ["--bogus"]):
        proc = subprocess.run(_cmd(url, tmp_path / "x.json", *bad), capture_output=True, timeout=10, check=False)
        assert proc.returncode == 2
