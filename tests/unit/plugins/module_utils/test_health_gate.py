# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.vmdeploy.backend.plugins.module_utils import health_gate as hg


def spec(**kwargs):
    """A normalized URL spec, the way normalize_url_specs returns it."""
    item = {'url': 'http://127.0.0.1/health'}
    item.update(kwargs)
    return hg.normalize_url_specs([item])[0]


def url_result(ok, target='http://127.0.0.1/health', status=200, error=None):
    return hg.make_result('url', target, ok, status=status, body='', error=error if not ok else None)


def container_result(ok, target='web', state='healthy', terminal=False, error=None):
    return hg.make_result('container', target, ok, state=state, error=error, terminal=terminal)


def inspect_doc(status='running', health=None, health_log=None, exit_code=0, **extra):
    state = {'Status': status, 'Running': status in ('running', 'restarting', 'paused'), 'ExitCode': exit_code,
             'Error': '', 'OOMKilled': False, 'StartedAt': '2025-01-01T10:00:00Z', 'FinishedAt': '0001-01-01T00:00:00Z'}
    if health is not None:
        state['Health'] = {'Status': health, 'FailingStreak': 2 if health == 'unhealthy' else 0,
                           'Log': health_log or []}
    doc = {'Id': '0123456789abcdef0123', 'Name': '/web', 'RestartCount': 1, 'Config': {'Image': 'app:1'},
           'State': state}
    doc.update(extra)
    return doc


class FakeClock(object):
    """Time advances only through sleep() and an optional cost per clock read."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedProbe(object):
    """Returns results from a list, one per call; the last one repeats."""

    def __init__(self, results):
        self.results = list(results)
        self.calls = 0

    def __call__(self, argument):
        result = self.results[min(self.calls, len(self.results) - 1)]
        self.calls += 1
        return result


# ---------------------------------------------------------------------------
# Option validation
# ---------------------------------------------------------------------------

def test_plain_string_url_gets_defaults():
    assert hg.normalize_url_specs(['http://127.0.0.1:8080/healthz']) == [{
        'url': 'http://127.0.0.1:8080/healthz',
        'status': [200],
        'body_regex': None,
        'json_field': None,
        'json_value': None,
        'host': None,
        'method': 'GET',
        'validate_certs': True,
        'headers': {},
    }]


@pytest.mark.parametrize('item, key, expected', [
    ({'url': 'http://x/', 'status': 204}, 'status', [204]),
    ({'url': 'http://x/', 'status': [200, '204', 200]}, 'status', [200, 204]),
    ({'url': 'http://x/', 'method': 'head'}, 'method', 'HEAD'),
    ({'url': 'http://x/', 'validate_certs': 'no'}, 'validate_certs', False),
    ({'url': 'http://x/', 'json_field': 'a.b', 'json_value': True}, 'json_value', 'true'),
    ({'url': 'http://x/', 'json_field': 'a', 'json_value': 3}, 'json_value', '3'),
    ({'url': 'http://x/', 'json_field': 'a', 'json_value': 'UP'}, 'json_value', 'UP'),
    ({'url': 'http://x/', 'headers': {'X-Token': 12}}, 'headers', {'X-Token': '12'}),
    ({'url': ' https://x/ ', 'host': 'api.example.com'}, 'url', 'https://x/'),
])
def test_normalize_url_spec_values(item, key, expected):
    assert hg.normalize_url_specs([item])[0][key] == expected


@pytest.mark.parametrize('urls, message', [
    ('http://x/', 'urls must be a list'),
    ([42], 'urls[0] must be a URL string or a dictionary'),
    ([{}], 'urls[0].url is required'),
    ([{'url': ''}], 'urls[0].url is required'),
    (['http://ok/', 'ftp://x/'], 'urls[1].url must be an absolute http:// or https:// URL'),
    (['/health'], 'urls[0].url must be an absolute'),
    ([{'url': 'http://x/', 'status': 42}], 'urls[0].status: status codes must be integers between 100 and 599'),
    ([{'url': 'http://x/', 'status': [200, 600]}], 'urls[0].status: status codes must be integers between 100 and 599'),
    ([{'url': 'http://x/', 'status': ['abc']}], 'urls[0].status: status codes must be integers'),
    ([{'url': 'http://x/', 'status': [True]}], 'urls[0].status: status codes must be integers'),
    ([{'url': 'http://x/', 'status': []}], 'urls[0].status must be a non-empty list'),
    ([{'url': 'http://x/', 'json_value': 'UP'}], 'urls[0].json_value requires urls[0].json_field'),
    ([{'url': 'http://x/', 'json_field': 'a..b'}], 'urls[0].json_field must be a dotted path'),
    ([{'url': 'http://x/', 'body_regex': '('}], 'urls[0].body_regex is not a valid regular expression'),
    ([{'url': 'http://x/', 'method': 'POST'}], 'urls[0].method must be one of GET, HEAD'),
    ([{'url': 'http://x/', 'method': 'HEAD', 'body_regex': 'ok'}], 'cannot be used with method HEAD'),
    ([{'url': 'http://x/', 'method': 'HEAD', 'json_field': 'a'}], 'cannot be used with method HEAD'),
    ([{'url': 'http://x/', 'validate_certs': 'maybe'}], 'urls[0].validate_certs must be a boolean'),
    ([{'url': 'http://x/', 'headers': ['a']}], 'urls[0].headers must be a dictionary'),
    ([{'url': 'http://x/', 'headers': {'X-A': None}}], 'urls[0].headers.X-A must be a string'),
    ([{'url': 'http://x/', 'host': 'a', 'headers': {'host': 'b'}}], 'either as host or in headers'),
    ([{'url': 'http://x/', 'statuses': [200]}], 'urls[0]: unsupported key(s) statuses'),
])
def test_normalize_url_specs_errors(urls, message):
    with pytest.raises(ValueError) as excinfo:
        hg.normalize_url_specs(urls)
    assert message in str(excinfo.value)


def params(**overrides):
    base = {
        'urls': None, 'containers': None, 'successes': 3, 'timeout': 60.0, 'interval': 1.0, 'request_timeout': 5.0,
        'use_proxy': False, 'docker_cli': 'docker', 'log_lines': 30, 'fail_fast_on_exit': True,
    }
    base.update(overrides)
    return base


def test_validate_params_builds_checks_in_order():
    config = hg.validate_params(params(urls=['http://a/', {'url': 'http://b/'}], containers=['web', 'worker', 'web']))
    assert [(check['kind'], check['target']) for check in config['checks']] == [
        ('url', 'http://a/'), ('url', 'http://b/'), ('container', 'web'), ('container', 'worker')]
    assert config['containers'] == ['web', 'worker']
    assert config['successes'] == 3
    assert config['fail_fast_on_exit'] is True


@pytest.mark.parametrize('overrides, message', [
    ({}, 'at least one of urls or containers must be given'),
    ({'urls': [], 'containers': []}, 'at least one of urls or containers must be given'),
    ({'containers': ['']}, 'containers[0] must be a non-empty container name'),
    ({'containers': 'web'}, 'containers must be a list'),
    ({'containers': ['web'], 'successes': 0}, 'successes must be at least 1'),
    ({'containers': ['web'], 'successes': 1.5}, 'successes must be an integer'),
    ({'containers': ['web'], 'timeout': -1}, 'timeout must be at least 0'),
    ({'containers': ['web'], 'interval': -0.5}, 'interval must be at least 0'),
    ({'containers': ['web'], 'request_timeout': 0}, 'request_timeout must be greater than 0'),
    ({'containers': ['web'], 'log_lines': -1}, 'log_lines must be at least 0'),
    ({'containers': ['web'], 'timeout': 'soon'}, 'timeout must be a number'),
])
def test_validate_params_errors(overrides, message):
    with pytest.raises(ValueError) as excinfo:
        hg.validate_params(params(**overrides))
    assert message in str(excinfo.value)


# ---------------------------------------------------------------------------
# HTTP evaluation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('document, dotted, expected', [
    ({'status': 'UP'}, 'status', (True, 'UP')),
    ({'checks': {'db': {'status': 'UP'}}}, 'checks.db.status', (True, 'UP')),
    ({'items': [{'state': 'ok'}, {'state': 'bad'}]}, 'items.1.state', (True, 'bad')),
    ({'status': None}, 'status', (True, None)),
    ({'status': 'UP'}, 'missing', (False, None)),
    ({'checks': {'db': 'UP'}}, 'checks.db.status', (False, None)),
    ({'items': []}, 'items.0', (False, None)),
    ({'items': [1]}, 'items.x', (False, None)),
    (['a', 'b'], '1', (True, 'b')),
    ('text', 'a', (False, None)),
])
def test_extract_json_field(document, dotted, expected):
    assert hg.extract_json_field(document, dotted) == expected


@pytest.mark.parametrize('value, expected', [
    ('UP', 'UP'), (True, 'true'), (False, 'false'), (None, 'null'), (1, '1'), (1.5, '1.5'),
    ({'b': 1, 'a': [1, 2]}, '{"a":[1,2],"b":1}'),
])
def test_json_scalar_to_text(value, expected):
    assert hg.json_scalar_to_text(value) == expected


@pytest.mark.parametrize('spec_kwargs, status, body, ok, reason', [
    # status
    ({}, 200, 'ok', True, None),
    ({}, 503, 'down', False, 'status 503 not in [200]'),
    ({'status': [200, 204]}, 204, '', True, None),
    ({'status': [301]}, 301, '', True, None),
    ({}, None, '', False, 'no HTTP response'),
    # body regex
    ({'body_regex': 'ready'}, 200, 'service is ready\n', True, None),
    ({'body_regex': '^ready$'}, 200, 'not ready', False, "body does not match regex '^ready$'"),
    ({'body_regex': '(?i)READY'}, 200, 'ready', True, None),
    ({'body_regex': 'x'}, 200, None, False, "body does not match regex 'x'"),
    # status is checked before the body
    ({'body_regex': 'ready'}, 500, 'ready', False, 'status 500 not in [200]'),
    # json field
    ({'json_field': 'status', 'json_value': 'UP'}, 200, '{"status": "UP"}', True, None),
    ({'json_field': 'status', 'json_value': 'UP'}, 200, '{"status": "DOWN"}', False,
     "JSON field 'status' is 'DOWN', expected 'UP'"),
    ({'json_field': 'checks.db.status', 'json_value': 'UP'}, 200, '{"checks": {"db": {"status": "UP"}}}', True, None),
    ({'json_field': 'checks.db.status', 'json_value': 'UP'}, 200, '{"checks": {}}', False,
     "JSON field 'checks.db.status' not found"),
    ({'json_field': 'status'}, 200, '{"status": null}', True, None),
    ({'json_field': 'status'}, 200, '{"other": 1}', False, "JSON field 'status' not found"),
    ({'json_field': 'status', 'json_value': 'UP'}, 200, '<html>oops</html>', False,
     "body is not valid JSON (needed for json_field 'status')"),
    ({'json_field': 'status', 'json_value': 'UP'}, 200, '', False, "body is not valid JSON (needed for json_field 'status')"),
    ({'json_field': 'ready', 'json_value': True}, 200, '{"ready": true}', True, None),
    ({'json_field': 'ready', 'json_value': True}, 200, '{"ready": false}', False,
     "JSON field 'ready' is 'false', expected 'true'"),
    ({'json_field': 'replicas', 'json_value': 3}, 200, '{"replicas": 3}', True, None),
    ({'json_field': 'replicas', 'json_value': 3}, 200, '{"replicas": "3"}', True, None),
    # regex and json together
    ({'body_regex': 'UP', 'json_field': 'status', 'json_value': 'UP'}, 200, '{"status": "UP"}', True, None),
])
def test_evaluate_http_response(spec_kwargs, status, body, ok, reason):
    assert hg.evaluate_http_response(spec(**spec_kwargs), status, body) == (ok, reason)


@pytest.mark.parametrize('raw, ok, error', [
    ({'status': 200, 'body': 'fine', 'error': None, 'duration': 0.01}, True, None),
    ({'status': 503, 'body': 'busy', 'error': None, 'duration': 0.01}, False, 'status 503 not in [200]'),
    ({'status': None, 'body': '', 'error': 'connection failed: refused', 'duration': 0.01}, False,
     'connection failed: refused'),
])
def test_check_url_combines_probe_and_evaluation(raw, ok, error):
    calls = []

    def probe(spec_, request_timeout, use_proxy):
        calls.append((spec_['url'], request_timeout, use_proxy))
        return raw

    result = hg.check_url(spec(), 2.5, True, probe=probe)
    assert calls == [('http://127.0.0.1/health', 2.5, True)]
    assert result['kind'] == 'url' and result['target'] == 'http://127.0.0.1/health'
    assert (result['ok'], result['error'], result['status']) == (ok, error, raw['status'])
    assert result['state'] is None and result['terminal'] is False


def test_check_url_truncates_body():
    raw = {'status': 200, 'body': 'x' * 5000, 'error': None, 'duration': 0}
    result = hg.check_url(spec(), 1, probe=lambda spec_, request_timeout, use_proxy: raw)
    assert len(result['body']) == hg.BODY_EXCERPT_LIMIT


# ---------------------------------------------------------------------------
# Container evaluation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('doc, expected', [
    (inspect_doc(health='healthy'), (True, 'healthy', False)),
    (inspect_doc(health='unhealthy'), (False, 'unhealthy', False)),
    (inspect_doc(health='starting'), (False, 'starting', False)),
    (inspect_doc(), (True, 'running', False)),
    (inspect_doc(health='none'), (True, 'running', False)),
    (inspect_doc(status='exited', exit_code=1), (False, 'exited', True)),
    (inspect_doc(status='exited', health='unhealthy'), (False, 'exited', True)),
    (inspect_doc(status='dead'), (False, 'dead', True)),
    (inspect_doc(status='restarting', health='starting'), (False, 'restarting', False)),
    (inspect_doc(status='created'), (False, 'created', False)),
    (inspect_doc(status='paused', health='healthy'), (False, 'paused', False)),
    ({'State': {'Running': True}}, (True, 'running', False)),
    ({'State': {}}, (False, 'unknown', False)),
    ({}, (False, 'unknown', False)),
])
def test_evaluate_container_state(doc, expected):
    assert hg.evaluate_container_state(doc) == expected


@pytest.mark.parametrize('doc, ok, state, terminal, error', [
    (inspect_doc(health='healthy'), True, 'healthy', False, None),
    (inspect_doc(health='unhealthy', health_log=[{'Output': 'curl: (7) refused\n', 'ExitCode': 1}]), False,
     'unhealthy', False, 'health status is unhealthy (last check output: curl: (7) refused)'),
    (inspect_doc(health='starting'), False, 'starting', False, 'health status is starting'),
    (inspect_doc(status='exited', exit_code=137), False, 'exited', True, 'container is exited (exit code 137)'),
    (inspect_doc(status='restarting'), False, 'restarting', False, 'container is restarting'),
])
def test_check_container(doc, ok, state, terminal, error):
    result = hg.check_container('web', lambda name: (doc, None))
    assert (result['kind'], result['target']) == ('container', 'web')
    assert (result['ok'], result['state'], result['terminal'], result['error']) == (ok, state, terminal, error)
    assert result['status'] is None and result['body'] is None


def test_check_container_oom_and_error_in_message():
    doc = inspect_doc(status='exited', exit_code=137)
    doc['State'].update(OOMKilled=True, Error='boom')
    result = hg.check_container('web', lambda name: (doc, None))
    assert result['error'] == 'container is exited (exit code 137), OOM killed: boom'


def test_check_container_inspect_failure():
    result = hg.check_container('ghost', lambda name: (None, 'Error: No such container: ghost'))
    assert result['ok'] is False and result['state'] == 'unknown' and result['terminal'] is False
    assert result['error'] == 'docker inspect failed: Error: No such container: ghost'


def test_summarize_container_inspect():
    log = [{'Start': 's%d' % i, 'End': 'e%d' % i, 'ExitCode': 1, 'Output': 'out %d\n' % i} for i in range(5)]
    summary = hg.summarize_container_inspect(inspect_doc(health='unhealthy', health_log=log, exit_code=0))
    assert summary['id'] == '0123456789ab'
    assert summary['name'] == 'web'
    assert summary['image'] == 'app:1'
    assert summary['status'] == 'running'
    assert summary['health_status'] == 'unhealthy'
    assert summary['failing_streak'] == 2
    assert summary['restart_count'] == 1
    assert summary['error'] is None
    assert [entry['output'] for entry in summary['health_log']] == ['out 2', 'out 3', 'out 4']
    assert summary['health_log'][-1] == {'start': 's4', 'end': 'e4', 'exit_code': 1, 'output': 'out 4'}


def test_summarize_container_without_healthcheck():
    summary = hg.summarize_container_inspect(inspect_doc(status='exited', exit_code=3))
    assert summary['health_status'] is None and summary['health_log'] == [] and summary['exit_code'] == 3


@pytest.mark.parametrize('stdout, stderr, tail, expected', [
    ('', '', 5, []),
    ('2025-01-01T00:00:01Z a\n2025-01-01T00:00:03Z c\n', '2025-01-01T00:00:02Z b\n', 5,
     ['2025-01-01T00:00:01Z a', '2025-01-01T00:00:02Z b', '2025-01-01T00:00:03Z c']),
    # fractions of different lengths (Docker trims trailing zeros) still sort by time
    ('2025-01-01T00:00:00.12Z late\n', '2025-01-01T00:00:00.1Z early\n', 5,
     ['2025-01-01T00:00:00.1Z early', '2025-01-01T00:00:00.12Z late']),
    ('2025-01-01T00:00:01Z a\n2025-01-01T00:00:02Z b\n2025-01-01T00:00:03Z c\n', '', 2,
     ['2025-01-01T00:00:02Z b', '2025-01-01T00:00:03Z c']),
    ('2025-01-01T00:00:01Z a\n', '', 0, []),
    # a line without timestamp stays after its predecessor
    ('2025-01-01T00:00:01Z trace\n  at frame\n', '2025-01-01T00:00:02Z next\n', 5,
     ['2025-01-01T00:00:01Z trace', '  at frame', '2025-01-01T00:00:02Z next']),
])
def test_merge_log_streams(stdout, stderr, tail, expected):
    assert hg.merge_log_streams(stdout, stderr, tail) == expected


def test_docker_cli_inspect_and_logs():
    calls = []
    answers = {
        'inspect': (0, json.dumps([inspect_doc(health='healthy')]), ''),
        'logs': (0, '2025-01-01T00:00:01Z out\n', '2025-01-01T00:00:02Z err\n'),
    }

    def run_command(args):
        calls.append(args)
        return answers[args[1]]

    docker = hg.DockerCli(run_command, '/usr/bin/docker')
    data, error = docker.inspect('web')
    assert error is None and data['State']['Health']['Status'] == 'healthy'
    assert docker.logs('web', 10) == (['2025-01-01T00:00:01Z out', '2025-01-01T00:00:02Z err'], None)
    assert calls == [
        ['/usr/bin/docker', 'inspect', '--type', 'container', 'web'],
        ['/usr/bin/docker', 'logs', '--tail', '10', '--timestamps', 'web'],
    ]


@pytest.mark.parametrize('answer, error', [
    ((1, '', 'Error: No such container: web\n'), 'Error: No such container: web'),
    ((1, '', ''), 'docker inspect exited with 1'),
    ((0, 'not json', ''), 'could not parse the output of docker inspect'),
    ((0, '[]', ''), 'docker inspect returned no container'),
])
def test_docker_cli_inspect_errors(answer, error):
    assert hg.DockerCli(lambda args: answer).inspect('web') == (None, error)


def test_docker_cli_logs_error():
    docker = hg.DockerCli(lambda args: (1, '', 'Error response from daemon: logging driver does not support reading'))
    assert docker.logs('web', 5) == ([], 'Error response from daemon: logging driver does not support reading')


# ---------------------------------------------------------------------------
# Streak tracking and the gate loop
# ---------------------------------------------------------------------------

def test_gate_state_streak_resets_on_failure():
    checks = hg.build_checks([spec()], ['web'])
    gate = hg.GateState(checks, successes=3, history_size=2)
    rounds = [
        ([True, True], 1), ([True, True], 2), ([True, False], 0), ([True, True], 1), ([True, True], 2),
        ([True, True], 3),
    ]
    for oks, streak in rounds:
        gate.record([url_result(oks[0]), container_result(oks[1], state='healthy' if oks[1] else 'unhealthy')])
        assert gate.streak == streak
    assert gate.passed and gate.attempts == 6
    assert gate.passes == [6, 5] and gate.failures == [0, 1]
    # the history is bounded
    assert len(gate.history[0]) == 2 and len(gate.history[1]) == 2


def test_gate_state_rejects_wrong_number_of_results():
    gate = hg.GateState(hg.build_checks([spec()], []), successes=1)
    with pytest.raises(ValueError):
        gate.record([])


def gate_checks():
    return hg.build_checks([spec()], ['web'])


def test_run_gate_passes_after_consecutive_successes():
    fake = FakeClock()
    http = ScriptedProbe([url_result(False, status=503, error='status 503 not in [200]'), url_result(True),
                          url_result(True), url_result(True)])
    container = ScriptedProbe([container_result(True)])
    outcome = hg.run_gate(gate_checks(), http, container, clock=fake.clock, sleep=fake.sleep,
                          successes=3, timeout=60, interval=2)
    assert outcome['healthy'] is True and outcome['reason'] == 'passed'
    assert outcome['attempts'] == 4 and outcome['streak'] == 3
    assert fake.sleeps == [2, 2, 2]
    assert outcome['elapsed'] == 6.0
    assert [result['ok'] for result in outcome['last']] == [True, True]
    assert outcome['checks'][0]['failures'] == 1 and outcome['checks'][0]['passes'] == 3


def test_run_gate_streak_resets_when_a_check_flaps():
    fake = FakeClock()
    http = ScriptedProbe([url_result(True), url_result(True), url_result(False, error='x'), url_result(True),
                          url_result(True), url_result(True)])
    outcome = hg.run_gate(hg.build_checks([spec()], []), http, None, clock=fake.clock, sleep=fake.sleep,
                          successes=3, timeout=60, interval=1)
    assert outcome['healthy'] is True
    assert outcome['attempts'] == 6


def test_run_gate_single_success_needs_no_sleep():
    fake = FakeClock()
    outcome = hg.run_gate(gate_checks(), ScriptedProbe([url_result(True)]), ScriptedProbe([container_result(True)]),
                          clock=fake.clock, sleep=fake.sleep, successes=1, timeout=10, interval=1)
    assert outcome['healthy'] and outcome['attempts'] == 1 and fake.sleeps == []


def test_run_gate_times_out_with_fake_clock():
    fake = FakeClock()
    http = ScriptedProbe([url_result(False, status=503, error='status 503 not in [200]')])
    container = ScriptedProbe([container_result(True)])
    outcome = hg.run_gate(gate_checks(), http, container, clock=fake.clock, sleep=fake.sleep,
                          successes=3, timeout=10, interval=3)
    assert outcome['healthy'] is False and outcome['reason'] == 'timeout'
    # rounds at t=0, 3, 6, 9 and one at the deadline t=10 (the last sleep is cut short)
    assert fake.sleeps == [3, 3, 3, 1]
    assert outcome['attempts'] == 5
    assert outcome['elapsed'] == 10.0
    assert http.calls == 5 and container.calls == 5


def test_run_gate_timeout_zero_runs_one_round():
    fake = FakeClock()
    outcome = hg.run_gate(gate_checks(), ScriptedProbe([url_result(False, error='x')]),
                          ScriptedProbe([container_result(True)]), clock=fake.clock, sleep=fake.sleep,
                          successes=1, timeout=0, interval=1)
    assert outcome['attempts'] == 1 and outcome['reason'] == 'timeout' and fake.sleeps == []


def test_run_gate_counts_time_spent_probing():
    fake = FakeClock()

    def slow_probe(spec_):
        fake.now += 4  # each request takes 4 seconds
        return url_result(False, error='timed out after 4s')

    outcome = hg.run_gate(hg.build_checks([spec()], []), slow_probe, None, clock=fake.clock, sleep=fake.sleep,
                          successes=1, timeout=10, interval=1)
    # t=0..4 round, sleep 1, t=5..9 round, sleep 1, t=10..14 round, deadline passed
    assert outcome['attempts'] == 3 and outcome['reason'] == 'timeout'
    assert fake.sleeps == [1, 1]


def test_run_gate_fails_fast_on_exited_container():
    fake = FakeClock()
    container = ScriptedProbe([
        container_result(False, state='starting', error='health status is starting'),
        container_result(False, state='exited', terminal=True, error='container is exited (exit code 1)'),
    ])
    outcome = hg.run_gate(gate_checks(), ScriptedProbe([url_result(True)]), container, clock=fake.clock,
                          sleep=fake.sleep, successes=3, timeout=60, interval=1)
    assert outcome['healthy'] is False and outcome['reason'] == 'container_exited'
    assert outcome['attempts'] == 2 and fake.sleeps == [1]


def test_run_gate_waits_on_exited_container_without_fail_fast():
    fake = FakeClock()
    container = ScriptedProbe([container_result(False, state='exited', terminal=True, error='exited')])
    outcome = hg.run_gate(gate_checks(), ScriptedProbe([url_result(True)]), container, clock=fake.clock,
                          sleep=fake.sleep, successes=3, timeout=5, interval=1, fail_fast_on_exit=False)
    assert outcome['reason'] == 'timeout' and outcome['attempts'] == 6


def test_run_gate_turns_probe_exceptions_into_failures():
    fake = FakeClock()

    def broken(spec_):
        raise RuntimeError('boom')

    outcome = hg.run_gate(hg.build_checks([spec()], []), broken, None, clock=fake.clock, sleep=fake.sleep,
                          successes=1, timeout=0, interval=1)
    assert outcome['last'][0]['ok'] is False
    assert outcome['last'][0]['error'] == 'probe raised RuntimeError: boom'


@pytest.mark.parametrize('checks, successes, message', [
    ([], 3, 'at least one check is required'),
    ([{'kind': 'container', 'target': 'web'}], 0, 'successes must be at least 1'),
])
def test_run_gate_argument_errors(checks, successes, message):
    with pytest.raises(ValueError, match=message):
        hg.run_gate(checks, None, None, successes=successes)


# ---------------------------------------------------------------------------
# Diagnosis and messages
# ---------------------------------------------------------------------------

def failed_outcome(fail_fast=True):
    fake = FakeClock()
    http = ScriptedProbe([url_result(False, status=503, error='status 503 not in [200]')])
    container = ScriptedProbe([
        container_result(False, state='starting', error='health status is starting'),
        container_result(False, state='exited', terminal=True, error='container is exited (exit code 1)'),
    ])
    return hg.run_gate(gate_checks(), http, container, clock=fake.clock, sleep=fake.sleep, successes=2,
                       timeout=30, interval=1, fail_fast_on_exit=fail_fast)


def test_build_diagnosis_content():
    outcome = failed_outcome()
    inspected, logged = [], []

    def inspect(name):
        inspected.append(name)
        return inspect_doc(status='exited', exit_code=1, health='unhealthy',
                           health_log=[{'Start': 's', 'End': 'e', 'ExitCode': 1, 'Output': 'refused'}]), None

    def logs(name, tail):
        logged.append((name, tail))
        return ['2025-01-01T00:00:01Z panic: no config'], None

    diagnosis = hg.build_diagnosis(outcome, inspect, logs, log_lines=7)
    assert diagnosis['reason'] == 'container_exited'
    assert (diagnosis['attempts'], diagnosis['streak'], diagnosis['successes']) == (2, 0, 2)
    assert [(check['kind'], check['target']) for check in diagnosis['failing']] == [
        ('url', 'http://127.0.0.1/health'), ('container', 'web')]
    url_check = diagnosis['failing'][0]
    assert url_check['failures'] == 2 and url_check['passes'] == 0
    assert url_check['last_error'] == 'status 503 not in [200]'
    assert [result['status'] for result in url_check['history']] == [503, 503]
    assert diagnosis['failing'][1]['last_error'] == 'container is exited (exit code 1)'
    assert inspected == ['web'] and logged == [('web', 7)]
    web = diagnosis['containers']['web']
    assert web['status'] == 'exited' and web['exit_code'] == 1 and web['restart_count'] == 1
    assert web['health_status'] == 'unhealthy' and web['health_log'][0]['output'] == 'refused'
    assert web['logs'] == ['2025-01-01T00:00:01Z panic: no config']
    assert 'logs_error' not in web
    json.dumps(diagnosis)  # must be serializable as a module result


def test_build_diagnosis_records_docker_errors_and_skips_logs():
    outcome = failed_outcome()
    diagnosis = hg.build_diagnosis(outcome, lambda name: (None, 'Cannot connect to the Docker daemon'),
                                   lambda name, tail: ([], 'should not be called'), log_lines=0)
    assert diagnosis['containers'] == {'web': {'inspect_error': 'Cannot connect to the Docker daemon'}}


def test_build_diagnosis_logs_error():
    diagnosis = hg.build_diagnosis(failed_outcome(), lambda name: (inspect_doc(), None),
                                   lambda name, tail: ([], 'no such container'), log_lines=5)
    assert diagnosis['containers']['web']['logs'] == [] and diagnosis['containers']['web']['logs_error'] == \
        'no such container'


def test_build_diagnosis_when_last_round_passed():
    """Timed out while the streak was still building: report the checks that failed at all."""
    fake = FakeClock()
    http = ScriptedProbe([url_result(False, error='status 502 not in [200]'), url_result(True)])
    checks = hg.build_checks([spec(), spec(url='http://127.0.0.1/other')], [])
    other = ScriptedProbe([url_result(True, target='http://127.0.0.1/other')])

    def probe(spec_):
        return http(spec_) if spec_['url'].endswith('/health') else other(spec_)

    outcome = hg.run_gate(checks, probe, None, clock=fake.clock, sleep=fake.sleep, successes=5, timeout=2,
                          interval=1)
    assert outcome['healthy'] is False and outcome['streak'] == 2
    diagnosis = hg.build_diagnosis(outcome)
    assert [check['target'] for check in diagnosis['failing']] == ['http://127.0.0.1/health']
    assert diagnosis['failing'][0]['last_error'] == 'status 502 not in [200]'
    assert diagnosis['containers'] == {}
    message = hg.format_failure_message(outcome)
    assert 'not often enough in a row; failed earlier: http://127.0.0.1/health' in message


def test_format_failure_message():
    message = hg.format_failure_message(failed_outcome())
    assert message.startswith('Health gate failed (a container exited) after 2 attempt(s) in 1.0s; '
                              '0 of 2 consecutive successful rounds. Failing: ')
    assert 'url http://127.0.0.1/health: status 503 not in [200]' in message
    assert 'container web: container is exited (exit code 1)' in message
    assert 'timed out' in hg.format_failure_message(failed_outcome(fail_fast=False))


def test_format_success_message():
    fake = FakeClock()
    outcome = hg.run_gate(gate_checks(), ScriptedProbe([url_result(True)]), ScriptedProbe([container_result(True)]),
                          clock=fake.clock, sleep=fake.sleep, successes=2, timeout=10, interval=0.5)
    assert hg.format_success_message(outcome) == \
        'Health gate passed: 2 consecutive successful round(s) after 2 attempt(s) in 0.5s'


# ---------------------------------------------------------------------------
# The HTTP probe against a real local server
# ---------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    routes = {
        '/ok': (200, 'application/json', b'{"status": "UP"}'),
        '/down': (503, 'text/plain', b'maintenance'),
        '/redirect': (302, 'text/plain', b''),
        '/latin1': (200, 'text/plain; charset=iso-8859-1', u'caf\xe9'.encode('latin-1')),
    }

    def _answer(self, with_body):
        if self.path == '/echo-host':
            code, ctype, body = 200, 'text/plain', (self.headers.get('Host') or '').encode()
        elif self.path == '/slow':
            self.server.release.wait(5)
            code, ctype, body = 200, 'text/plain', b'late'
        else:
            code, ctype, body = self.routes.get(self.path, (404, 'text/plain', b'not found'))
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        if code == 302:
            self.send_header('Location', '/ok')
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope='module')
def http_server():
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    server.daemon_threads = True
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_probe_http_200(http_server):
    raw = hg.probe_http(spec(url=http_server + '/ok'), 5)
    assert raw['status'] == 200 and raw['body'] == '{"status": "UP"}' and raw['error'] is None
    assert raw['duration'] >= 0
    result = hg.check_url(spec(url=http_server + '/ok', json_field='status', json_value='UP'), 5)
    assert result['ok'] is True and result['status'] == 200


def test_probe_http_503_is_an_answer(http_server):
    raw = hg.probe_http(spec(url=http_server + '/down'), 5)
    assert raw == {'status': 503, 'body': 'maintenance', 'error': None, 'duration': raw['duration']}
    result = hg.check_url(spec(url=http_server + '/down'), 5)
    assert result['ok'] is False and result['error'] == 'status 503 not in [200]' and result['body'] == 'maintenance'
    assert hg.check_url(spec(url=http_server + '/down', status=[503]), 5)['ok'] is True


def test_probe_http_connection_refused():
    raw = hg.probe_http(spec(url='http://127.0.0.1:%d/' % _closed_port()), 5)
    assert raw['status'] is None and raw['body'] == ''
    assert raw['error'].startswith('connection failed:') and 'refused' in raw['error'].lower()


def test_probe_http_does_not_follow_redirects(http_server):
    assert hg.probe_http(spec(url=http_server + '/redirect'), 5)['status'] == 302


def test_probe_http_host_header_and_head(http_server):
    assert hg.probe_http(spec(url=http_server + '/echo-host', host='api.example.com'), 5)['body'] == 'api.example.com'
    raw = hg.probe_http(spec(url=http_server + '/ok', method='HEAD'), 5)
    assert raw['status'] == 200 and raw['body'] == ''


def test_probe_http_decodes_declared_charset(http_server):
    assert hg.probe_http(spec(url=http_server + '/latin1'), 5)['body'] == u'caf\xe9'


def test_probe_http_timeout(http_server):
    raw = hg.probe_http(spec(url=http_server + '/slow'), 0.3)
    assert raw['status'] is None and raw['error'] == 'timed out after 0.3s'
