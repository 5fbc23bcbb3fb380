# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run the module's main() end to end: a local HTTP server and a fake Docker CLI script."""

from __future__ import annotations

import contextlib
import json
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.vmdeploy.backend.plugins.modules import health_gate

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    @contextlib.contextmanager
    def patch_module_args(args=None):
        payload = json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()
        with mock.patch.object(basic, '_ANSIBLE_ARGS', payload):
            yield


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, msg, **kwargs):
    kwargs['msg'] = msg
    kwargs['failed'] = True
    raise FailJson(kwargs)


def run_module(args):
    """Run main() with the given arguments; return (failed, result)."""
    with patch_module_args(args), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json):
        try:
            health_gate.main()
        except ExitJson as exc:
            return False, exc.args[0]
        except FailJson as exc:
            return True, exc.args[0]
    raise AssertionError('main() returned without exit_json or fail_json')


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code, body = {
            '/ok': (200, b'{"status": "UP"}'),
            '/down': (503, b'maintenance'),
        }.get(self.path, (404, b'not found'))
        self.send_response(code)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope='module')
def http_server():
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


FAKE_DOCKER = r'''#!{python}
"""Stand-in for the Docker CLI: answers inspect and logs from containers.json next to it."""
import json
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'containers.json')) as f:
    containers = json.load(f)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'calls.log'), 'a') as f:
    f.write(' '.join(sys.argv[1:]) + '\n')

command, name = sys.argv[1], sys.argv[-1]
if name not in containers:
    sys.stderr.write('Error: No such container: %s\n' % name)
    sys.exit(1)
if command == 'inspect':
    print(json.dumps([containers[name]]))
elif command == 'logs':
    sys.stdout.write('2025-01-01T10:00:00.5Z starting %s\n' % name)
    sys.stderr.write('2025-01-01T10:00:01Z fatal: cannot read /etc/app.conf\n')
'''


def inspect_doc(status='running', health=None, exit_code=0):
    state = {'Status': status, 'Running': status == 'running', 'ExitCode': exit_code, 'Error': '',
             'OOMKilled': False, 'StartedAt': '2025-01-01T10:00:00Z', 'FinishedAt': '2025-01-01T10:00:02Z'}
    if health:
        state['Health'] = {'Status': health, 'FailingStreak': 0, 'Log': [
            {'Start': 's', 'End': 'e', 'ExitCode': 0 if health == 'healthy' else 1, 'Output': 'probe output'}]}
    return {'Id': 'abcdef0123456789', 'Name': '/c', 'RestartCount': 0, 'Config': {'Image': 'app:2'}, 'State': state}


class FakeDocker(object):
    def __init__(self, path, calls_log):
        self.path = path
        self.calls_log = calls_log

    def calls(self):
        return self.calls_log.read_text().splitlines() if self.calls_log.exists() else []


@pytest.fixture
def fake_docker(tmp_path):
    script = tmp_path / 'docker'
    script.write_text(FAKE_DOCKER.replace('{python}', sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (tmp_path / 'containers.json').write_text(json.dumps({
        'web': inspect_doc(health='healthy'),
        'plain': inspect_doc(),
        'crashed': inspect_doc(status='exited', exit_code=2),
    }))

    return FakeDocker(str(script), tmp_path / 'calls.log')


def test_healthy_url_and_containers(http_server, fake_docker):
    failed, result = run_module({
        'urls': [http_server + '/ok', {'url': http_server + '/ok', 'json_field': 'status', 'json_value': 'UP'}],
        'containers': ['web', 'plain'],
        'docker_cli': fake_docker.path,
        'successes': 2,
        'interval': 0.01,
        'timeout': 10,
    })
    assert failed is False, result
    assert result['changed'] is False and result['healthy'] is True
    assert result['attempts'] == 2
    assert [(r['kind'], r['target'], r['ok']) for r in result['last']] == [
        ('url', http_server + '/ok', True), ('url', http_server + '/ok', True),
        ('container', 'web', True), ('container', 'plain', True)]
    assert result['last'][2]['state'] == 'healthy' and result['last'][3]['state'] == 'running'
    assert result['msg'].startswith('Health gate passed: 2 consecutive successful round(s) after 2 attempt(s)')
    assert 'diagnosis' not in result
    assert fake_docker.calls().count('inspect --type container web') == 2


def test_runs_in_check_mode(http_server):
    failed, result = run_module({'urls': [http_server + '/ok'], 'successes': 1, '_ansible_check_mode': True})
    assert failed is False and result['healthy'] is True and result['changed'] is False


def test_http_failure_times_out_with_diagnosis(http_server):
    failed, result = run_module({
        'urls': [http_server + '/down'],
        'successes': 1,
        'interval': 0.05,
        'timeout': 0.2,
    })
    assert failed is True
    assert result['healthy'] is False and result['changed'] is False
    assert result['attempts'] >= 2
    assert result['msg'].startswith('Health gate failed (timed out) after')
    assert 'url %s/down: status 503 not in [200]' % http_server in result['msg']
    diagnosis = result['diagnosis']
    assert diagnosis['reason'] == 'timeout' and diagnosis['containers'] == {}
    assert diagnosis['failing'][0]['target'] == http_server + '/down'
    assert diagnosis['failing'][0]['history'][-1]['body'] == 'maintenance'
    json.dumps(result)


def test_exited_container_fails_fast_with_logs(fake_docker):
    failed, result = run_module({
        'containers': ['web', 'crashed'],
        'docker_cli': fake_docker.path,
        'timeout': 30,
        'interval': 5,
        'log_lines': 10,
    })
    assert failed is True
    assert result['attempts'] == 1 and result['elapsed'] < 5
    assert result['msg'].startswith('Health gate failed (a container exited) after 1 attempt(s)')
    assert 'container crashed: container is exited (exit code 2)' in result['msg']
    diagnosis = result['diagnosis']
    assert diagnosis['reason'] == 'container_exited'
    assert list(diagnosis['containers']) == ['crashed']
    crashed = diagnosis['containers']['crashed']
    assert crashed['status'] == 'exited' and crashed['exit_code'] == 2 and crashed['health_status'] is None
    assert crashed['logs'] == ['2025-01-01T10:00:00.5Z starting crashed',
                               '2025-01-01T10:00:01Z fatal: cannot read /etc/app.conf']
    assert 'logs --tail 10 --timestamps crashed' in fake_docker.calls()


def test_missing_container_is_reported(fake_docker):
    failed, result = run_module({
        'containers': ['ghost'], 'docker_cli': fake_docker.path, 'timeout': 0, 'log_lines': 5,
    })
    assert failed is True
    assert result['last'][0]['state'] == 'unknown'
    assert result['last'][0]['error'] == 'docker inspect failed: Error: No such container: ghost'
    assert result['diagnosis']['containers']['ghost'] == {
        'inspect_error': 'Error: No such container: ghost',
        'logs': [],
        'logs_error': 'Error: No such container: ghost',
    }


@pytest.mark.parametrize('args, message', [
    ({}, 'at least one of urls or containers must be given and non-empty'),
    ({'urls': [{'url': 'http://127.0.0.1/', 'status': [700]}]},
     'urls[0].status: status codes must be integers between 100 and 599, got 700'),
    ({'urls': [{'url': 'http://127.0.0.1/', 'json_value': 'UP'}]}, 'urls[0].json_value requires urls[0].json_field'),
    ({'urls': ['http://127.0.0.1/'], 'successes': 0}, 'successes must be at least 1, got 0'),
])
def test_invalid_options(args, message):
    failed, result = run_module(args)
    assert failed is True and result['msg'] == message


def test_missing_docker_cli(tmp_path):
    failed, result = run_module({'containers': ['web'], 'docker_cli': str(tmp_path / 'no-docker-here')})
    # get_bin_path(required=True) refuses before any container is inspected: the message names
    # the missing program, and no probe ran (no diagnosis, no answers).
    assert failed is True
    assert result['msg'].startswith('Failed to find required executable "%s"' % (tmp_path / 'no-docker-here'))
    assert 'diagnosis' not in result and 'answers' not in result
