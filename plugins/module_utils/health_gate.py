# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Pure logic of the ``vmdeploy.backend.health_gate`` module.

Everything that does not need an ``AnsibleModule`` lives here so it can be unit
tested without a network or a Docker daemon: option validation, evaluation of
HTTP answers and ``docker inspect`` documents, the consecutive-success gate
loop (with injected probe, clock and sleep callables) and the diagnosis that is
returned when the gate fails.

Only the Python standard library is used (it runs on the target).
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from collections import deque
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.request import (
    HTTPRedirectHandler,
    HTTPSHandler,
    ProxyHandler,
    Request,
    build_opener,
)

from ansible.module_utils.parsing.convert_bool import boolean


DEFAULT_STATUS = (200,)
HTTP_METHODS = ('GET', 'HEAD')
URL_SPEC_KEYS = frozenset((
    'url', 'status', 'body_regex', 'json_field', 'json_value', 'host', 'method', 'validate_certs', 'headers',
))

# Size limits of what ends up in the return values.
BODY_EXCERPT_LIMIT = 512
MAX_BODY_BYTES = 1024 * 1024
HISTORY_SIZE = 5
HEALTH_LOG_ENTRIES = 3
HEALTH_OUTPUT_LIMIT = 512

# Container states that will not recover on their own (no restart pending).
TERMINAL_STATES = frozenset(('exited', 'dead'))

USER_AGENT = 'vmdeploy-health-gate'

REASON_PASSED = 'passed'
REASON_TIMEOUT = 'timeout'
REASON_CONTAINER_EXITED = 'container_exited'

_MISSING = object()


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def _truncate(text, limit):
    if text is None:
        return None
    if len(text) <= limit:
        return text
    return text[:limit]


def _safe_text(value):
    """Turn any value into text that can be JSON encoded (no lone surrogates)."""
    if value is None:
        return ''
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if not isinstance(value, str):
        value = str(value)
    return value.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')


def _to_int(value):
    """Integers and integer-looking strings to int; anything else (booleans too) to None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r'^\s*[0-9]+\s*$', value):
        return int(value)
    return None


def json_scalar_to_text(value):
    """Text form used to compare a JSON value with O(json_value).

    JSON spelling is used for non-strings, so a YAML ``true`` matches a JSON
    ``true`` and ``1`` matches both ``1`` and ``"1"``.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


# ---------------------------------------------------------------------------
# Option validation
# ---------------------------------------------------------------------------

def _normalize_status(value, path):
    if value is None:
        return list(DEFAULT_STATUS)
    if not isinstance(value, (list, tuple)):
        value = [value]
    if not value:
        raise ValueError('%s must be a non-empty list of HTTP status codes' % path)
    codes = []
    for item in value:
        code = _to_int(item)
        if code is None or not 100 <= code <= 599:
            raise ValueError('%s: status codes must be integers between 100 and 599, got %r' % (path, item))
        if code not in codes:
            codes.append(code)
    return codes


def _normalize_headers(value, path):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('%s must be a dictionary of header names to values' % path)
    headers = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError('%s: header names must be non-empty strings, got %r' % (path, name))
        if header_value is None or isinstance(header_value, (dict, list)):
            raise ValueError('%s.%s must be a string' % (path, name))
        headers[name.strip()] = json_scalar_to_text(header_value)
    return headers


def _normalize_url_spec(item, index):
    path = 'urls[%d]' % index
    if isinstance(item, str):
        item = {'url': item}
    if not isinstance(item, dict):
        raise ValueError('%s must be a URL string or a dictionary with a url key, got %s' % (path, type(item).__name__))

    unknown = sorted(str(key) for key in item if key not in URL_SPEC_KEYS)
    if unknown:
        raise ValueError('%s: unsupported key(s) %s; supported keys are %s' % (
            path, ', '.join(unknown), ', '.join(sorted(URL_SPEC_KEYS))))

    url = item.get('url')
    if not isinstance(url, str) or not url.strip():
        raise ValueError('%s.url is required and must be a non-empty string' % path)
    url = url.strip()
    if not re.match(r'^https?://[^/?#]+', url, re.IGNORECASE):
        raise ValueError('%s.url must be an absolute http:// or https:// URL, got %r' % (path, url))

    method = item.get('method')
    method = 'GET' if method is None else str(method).upper()
    if method not in HTTP_METHODS:
        raise ValueError('%s.method must be one of %s, got %r' % (path, ', '.join(HTTP_METHODS), item.get('method')))

    body_regex = item.get('body_regex')
    if body_regex is not None:
        if not isinstance(body_regex, str):
            raise ValueError('%s.body_regex must be a string' % path)
        try:
            re.compile(body_regex)
        except re.error as exc:
            raise ValueError('%s.body_regex is not a valid regular expression: %s' % (path, exc))

    json_field = item.get('json_field')
    if json_field is not None:
        if not isinstance(json_field, str) or not json_field.strip() or '' in json_field.strip().split('.'):
            raise ValueError('%s.json_field must be a dotted path such as status or checks.db.status, got %r' % (
                path, json_field))
        json_field = json_field.strip()

    json_value = item.get('json_value')
    if json_value is not None:
        if json_field is None:
            raise ValueError('%s.json_value requires %s.json_field' % (path, path))
        json_value = json_scalar_to_text(json_value)

    if method == 'HEAD' and (body_regex is not None or json_field is not None):
        raise ValueError('%s: body_regex and json_field cannot be used with method HEAD (no body is returned)' % path)

    host = item.get('host')
    if host is not None:
        if not isinstance(host, str) or not host.strip():
            raise ValueError('%s.host must be a non-empty string' % path)
        host = host.strip()

    headers = _normalize_headers(item.get('headers'), '%s.headers' % path)
    if host is not None and any(name.lower() == 'host' for name in headers):
        raise ValueError('%s: give the Host header either as host or in headers, not both' % path)

    validate_certs = item.get('validate_certs')
    if validate_certs is None:
        validate_certs = True
    else:
        try:
            validate_certs = boolean(validate_certs, strict=True)
        except TypeError:
            raise ValueError('%s.validate_certs must be a boolean, got %r' % (path, validate_certs))

    return {
        'url': url,
        'status': _normalize_status(item.get('status'), '%s.status' % path),
        'body_regex': body_regex,
        'json_field': json_field,
        'json_value': json_value,
        'host': host,
        'method': method,
        'validate_certs': validate_certs,
        'headers': headers,
    }


def normalize_url_specs(urls):
    """Validate and normalize the O(urls) option.

    A plain string item stands for ``{url: item}``. Raises ValueError with a
    message that names the offending option.
    """
    if urls is None:
        return []
    if not isinstance(urls, (list, tuple)):
        raise ValueError('urls must be a list')
    return [_normalize_url_spec(item, index) for index, item in enumerate(urls)]


def normalize_containers(containers):
    """Validate the O(containers) option; drops duplicates, keeps order."""
    if containers is None:
        return []
    if not isinstance(containers, (list, tuple)):
        raise ValueError('containers must be a list')
    names = []
    for index, name in enumerate(containers):
        if not isinstance(name, str) or not name.strip():
            raise ValueError('containers[%d] must be a non-empty container name or ID' % index)
        name = name.strip()
        if name not in names:
            names.append(name)
    return names


def build_checks(url_specs, containers):
    """One check per URL spec and per container, in that order."""
    checks = [{'kind': 'url', 'target': spec['url'], 'spec': spec} for spec in url_specs]
    checks.extend({'kind': 'container', 'target': name} for name in containers)
    return checks


def _require_number(params, name, minimum, strict=False, integer=False):
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError('%s must be a number, got %r' % (name, value))
    if integer and int(value) != value:
        raise ValueError('%s must be an integer, got %r' % (name, value))
    if value < minimum or (strict and value == minimum):
        raise ValueError('%s must be %s %s, got %r' % (name, 'greater than' if strict else 'at least', minimum, value))
    return int(value) if integer else float(value)


def _bool_param(params, name, default):
    value = params.get(name)
    if value is None:
        return default
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise ValueError('%s must be a boolean, got %r' % (name, value))


def validate_params(params):
    """Validate the module parameters and return the gate configuration.

    Raises ValueError naming the option on any invalid value.
    """
    url_specs = normalize_url_specs(params.get('urls'))
    containers = normalize_containers(params.get('containers'))
    if not url_specs and not containers:
        raise ValueError('at least one of urls or containers must be given and non-empty')
    docker_cli = params.get('docker_cli') or 'docker'
    return {
        'checks': build_checks(url_specs, containers),
        'containers': containers,
        'successes': _require_number(params, 'successes', 1, integer=True),
        'timeout': _require_number(params, 'timeout', 0),
        'interval': _require_number(params, 'interval', 0),
        'request_timeout': _require_number(params, 'request_timeout', 0, strict=True),
        'log_lines': _require_number(params, 'log_lines', 0, integer=True),
        'fail_fast_on_exit': _bool_param(params, 'fail_fast_on_exit', True),
        'use_proxy': _bool_param(params, 'use_proxy', False),
        'docker_cli': docker_cli,
    }


# ---------------------------------------------------------------------------
# HTTP checks
# ---------------------------------------------------------------------------

def extract_json_field(obj, dotted):
    """Follow a dotted path (``a.b.0.c``) into decoded JSON.

    Dictionary keys are matched exactly; a purely numeric segment indexes a
    list. Returns ``(found, value)``.
    """
    current = obj
    for segment in dotted.split('.'):
        if isinstance(current, dict):
            if segment not in current:
                return False, None
            current = current[segment]
        elif isinstance(current, list):
            index = _to_int(segment)
            if index is None or index >= len(current):
                return False, None
            current = current[index]
        else:
            return False, None
    return True, current


def evaluate_http_response(spec, status, body):
    """Decide whether an HTTP answer satisfies a normalized URL spec.

    Returns ``(ok, reason)``; ``reason`` is ``None`` when ``ok`` is true.
    """
    if status is None:
        return False, 'no HTTP response'
    if status not in spec['status']:
        return False, 'status %d not in %s' % (status, spec['status'])
    body = body or ''
    if spec.get('body_regex') is not None and not re.search(spec['body_regex'], body):
        return False, 'body does not match regex %r' % spec['body_regex']
    json_field = spec.get('json_field')
    if json_field is not None:
        try:
            document = json.loads(body)
        except ValueError:
            return False, 'body is not valid JSON (needed for json_field %r)' % json_field
        found, value = extract_json_field(document, json_field)
        if not found:
            return False, 'JSON field %r not found' % json_field
        expected = spec.get('json_value')
        if expected is not None:
            actual = json_scalar_to_text(value)
            if actual != expected:
                return False, 'JSON field %r is %r, expected %r' % (json_field, _truncate(actual, 80), expected)
    return True, None


class _NoRedirectHandler(HTTPRedirectHandler):
    """Report 3xx answers as they are instead of following them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _build_opener(validate_certs, use_proxy):
    handlers = [_NoRedirectHandler()]
    if not use_proxy:
        handlers.append(ProxyHandler({}))
    if validate_certs:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    handlers.append(HTTPSHandler(context=context))
    return build_opener(*handlers)


def _describe_error(exc, request_timeout):
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return 'timed out after %gs' % request_timeout
    if isinstance(reason, ssl.SSLError):
        return 'TLS error: %s' % _safe_text(reason)
    if isinstance(reason, OSError):
        return 'connection failed: %s' % _safe_text(reason)
    text = _safe_text(reason) or type(reason).__name__
    return '%s: %s' % (type(exc).__name__, text)


def _decode_body(raw, headers):
    charset = None
    if headers is not None:
        try:
            charset = headers.get_content_charset()
        except AttributeError:
            charset = None
    try:
        return raw.decode(charset or 'utf-8', 'replace')
    except LookupError:
        return raw.decode('utf-8', 'replace')


def probe_http(spec, request_timeout, use_proxy=False, max_body=MAX_BODY_BYTES, clock=time.monotonic):
    """Send one request for a normalized URL spec.

    4xx/5xx (and 3xx, redirects are not followed) answers are returned with
    their status; connection errors and timeouts come back as ``error``.
    Returns a dict with ``status``, ``body`` (at most ``max_body`` bytes,
    decoded), ``error`` and ``duration``.
    """
    start = clock()
    status = None
    body = ''
    error = None
    headers = {'User-Agent': USER_AGENT}
    headers.update(spec.get('headers') or {})
    if spec.get('host'):
        headers['Host'] = spec['host']
    try:
        opener = _build_opener(spec.get('validate_certs', True), use_proxy)
        request = Request(spec['url'], headers=headers, method=spec.get('method') or 'GET')
        try:
            response = opener.open(request, timeout=request_timeout)
        except HTTPError as exc:
            response = exc
        try:
            status = response.getcode()
            body = _decode_body(response.read(max_body) or b'', response.headers)
        finally:
            response.close()
    except (URLError, HTTPException, OSError, ValueError) as exc:
        error = _describe_error(exc, request_timeout)
    return {
        'status': status,
        'body': body,
        'error': error,
        'duration': round(clock() - start, 3),
    }


def make_result(kind, target, ok, status=None, state=None, body=None, error=None, duration=0.0, terminal=False):
    """A per-check result as returned in RV(last) and the diagnosis history."""
    return {
        'kind': kind,
        'target': target,
        'ok': bool(ok),
        'status': status,
        'state': state,
        'body': _truncate(body, BODY_EXCERPT_LIMIT),
        'error': error,
        'duration': round(duration or 0.0, 3),
        'terminal': bool(terminal),
    }


def check_url(spec, request_timeout, use_proxy=False, probe=probe_http):
    """Probe one URL spec and evaluate the answer into a check result."""
    raw = probe(spec, request_timeout, use_proxy)
    if raw.get('error'):
        ok, reason = False, raw['error']
    else:
        ok, reason = evaluate_http_response(spec, raw.get('status'), raw.get('body'))
    return make_result('url', spec['url'], ok, status=raw.get('status'), body=raw.get('body'),
                       error=reason, duration=raw.get('duration'))


# ---------------------------------------------------------------------------
# Container checks
# ---------------------------------------------------------------------------

def _last_health_output(inspect_json):
    health = ((inspect_json or {}).get('State') or {}).get('Health') or {}
    log = health.get('Log') or []
    if not log or not isinstance(log[-1], dict):
        return None
    output = _safe_text(log[-1].get('Output')).strip()
    return output or None


def evaluate_container_state(inspect_json):
    """Evaluate one ``docker inspect`` document.

    Returns ``(ok, state, terminal)``: a running container is ok when its
    health is ``healthy`` or when it has no health check; any other status is
    failing, and ``exited``/``dead`` are terminal (the container will not come
    back without intervention).
    """
    state = (inspect_json or {}).get('State') or {}
    status = (state.get('Status') or '').lower()
    if not status:
        status = 'running' if state.get('Running') else 'unknown'
    health_status = ((state.get('Health') or {}).get('Status') or '').lower()
    if status == 'running':
        if health_status and health_status != 'none':
            return health_status == 'healthy', health_status, False
        return True, 'running', False
    return False, status, status in TERMINAL_STATES


def _container_error(state, inspect_json):
    container_state = (inspect_json or {}).get('State') or {}
    if state in ('unhealthy', 'starting'):
        message = 'health status is %s' % state
        output = _last_health_output(inspect_json)
        if output:
            message += ' (last check output: %s)' % _truncate(output, 200)
        return message
    if state in TERMINAL_STATES:
        message = 'container is %s (exit code %s)' % (state, container_state.get('ExitCode'))
        if container_state.get('OOMKilled'):
            message += ', OOM killed'
        if container_state.get('Error'):
            message += ': %s' % _safe_text(container_state['Error'])
        return message
    return 'container is %s' % state


def check_container(name, inspect_container, clock=time.monotonic):
    """Inspect one container and evaluate it into a check result.

    ``inspect_container(name)`` returns ``(inspect_json, error)``.
    """
    start = clock()
    data, error = inspect_container(name)
    duration = clock() - start
    if data is None:
        return make_result('container', name, False, state='unknown',
                           error='docker inspect failed: %s' % (error or 'no data'), duration=duration)
    ok, state, terminal = evaluate_container_state(data)
    return make_result('container', name, ok, state=state, error=None if ok else _container_error(state, data),
                       duration=duration, terminal=terminal and not ok)


def summarize_container_inspect(inspect_json, health_log_entries=HEALTH_LOG_ENTRIES):
    """The parts of ``docker inspect`` that explain why a container is not healthy."""
    data = inspect_json or {}
    state = data.get('State') or {}
    health = state.get('Health') or {}
    log = [entry for entry in (health.get('Log') or []) if isinstance(entry, dict)]
    entries = log[-health_log_entries:] if health_log_entries > 0 else []
    return {
        'id': (data.get('Id') or '')[:12] or None,
        'name': (data.get('Name') or '').lstrip('/') or None,
        'image': (data.get('Config') or {}).get('Image'),
        'status': state.get('Status'),
        'running': state.get('Running'),
        'health_status': health.get('Status'),
        'failing_streak': health.get('FailingStreak'),
        'health_log': [
            {
                'start': entry.get('Start'),
                'end': entry.get('End'),
                'exit_code': entry.get('ExitCode'),
                'output': _truncate(_safe_text(entry.get('Output')).strip(), HEALTH_OUTPUT_LIMIT),
            }
            for entry in entries
        ],
        'exit_code': state.get('ExitCode'),
        'error': state.get('Error') or None,
        'oom_killed': state.get('OOMKilled'),
        'restart_count': data.get('RestartCount'),
        'started_at': state.get('StartedAt'),
        'finished_at': state.get('FinishedAt'),
    }


_TIMESTAMP_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?(?:\s|$)')


def _timestamp_key(line):
    match = _TIMESTAMP_RE.match(line)
    if not match:
        return None
    return match.group(1) + '.' + (match.group(2) or '').ljust(9, '0')[:9]


def merge_log_streams(stdout, stderr, tail):
    """Merge the stdout and stderr of ``docker logs --timestamps`` by time, keep the last ``tail`` lines.

    Lines without a timestamp stay after the line before them.
    """
    if tail <= 0:
        return []
    keyed = []
    order = 0
    for stream in (stdout, stderr):
        previous = ''
        for line in _safe_text(stream).splitlines():
            key = _timestamp_key(line)
            if key is None:
                key = previous
            previous = key
            keyed.append((key, order, line))
            order += 1
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [line for dummy, dummy2, line in keyed[-tail:]]


class DockerCli(object):
    """Read-only access to containers through the Docker CLI.

    ``run_command(args)`` must return ``(rc, stdout, stderr)`` like
    ``AnsibleModule.run_command``.
    """

    def __init__(self, run_command, docker_cli='docker'):
        self._run_command = run_command
        self.docker_cli = docker_cli

    def inspect(self, name):
        """Returns ``(inspect_json, error)``."""
        rc, out, err = self._run_command([self.docker_cli, 'inspect', '--type', 'container', name])
        if rc != 0:
            return None, _safe_text(err or out).strip() or 'docker inspect exited with %d' % rc
        try:
            data = json.loads(out)
        except ValueError:
            return None, 'could not parse the output of docker inspect'
        if isinstance(data, list):
            data = data[0] if data else None
        if not isinstance(data, dict):
            return None, 'docker inspect returned no container'
        return data, None

    def logs(self, name, tail):
        """Returns ``(lines, error)`` with the last ``tail`` lines of both output streams."""
        rc, out, err = self._run_command([self.docker_cli, 'logs', '--tail', str(int(tail)), '--timestamps', name])
        if rc != 0:
            return [], _safe_text(err or out).strip() or 'docker logs exited with %d' % rc
        return merge_log_streams(out, err, tail), None


# ---------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------

class GateState(object):
    """Counts consecutive rounds in which every check passed and keeps a bounded history per check."""

    def __init__(self, checks, successes, history_size=HISTORY_SIZE):
        self.checks = checks
        self.successes = successes
        self.streak = 0
        self.attempts = 0
        self.last = []
        self.passes = [0] * len(checks)
        self.failures = [0] * len(checks)
        self.history = [deque(maxlen=max(1, history_size)) for dummy in checks]

    def record(self, results):
        """Record one round (one result per check, same order). Returns whether all checks passed."""
        if len(results) != len(self.checks):
            raise ValueError('expected %d results, got %d' % (len(self.checks), len(results)))
        self.attempts += 1
        all_ok = bool(results) and all(result['ok'] for result in results)
        self.streak = self.streak + 1 if all_ok else 0
        for index, result in enumerate(results):
            self.history[index].append(result)
            if result['ok']:
                self.passes[index] += 1
            else:
                self.failures[index] += 1
        self.last = list(results)
        return all_ok

    @property
    def passed(self):
        return self.streak >= self.successes

    def failing(self):
        return [result for result in self.last if not result['ok']]

    def terminal_failures(self):
        return [result for result in self.last if not result['ok'] and result.get('terminal')]

    def outcome(self, reason, elapsed):
        return {
            'healthy': self.passed,
            'reason': reason,
            'attempts': self.attempts,
            'elapsed': round(elapsed, 3),
            'streak': self.streak,
            'successes': self.successes,
            'last': list(self.last),
            'checks': [
                {
                    'kind': check['kind'],
                    'target': check['target'],
                    'passes': self.passes[index],
                    'failures': self.failures[index],
                    'history': list(self.history[index]),
                }
                for index, check in enumerate(self.checks)
            ],
        }


def _safe_probe(probe, argument, kind, target, clock):
    start = clock()
    try:
        return probe(argument)
    except Exception as exc:  # pylint: disable=broad-except
        return make_result(kind, target, False, error='probe raised %s: %s' % (type(exc).__name__, _safe_text(exc)),
                           duration=clock() - start)


def run_gate(checks, probe_http, probe_container, clock=time.monotonic, sleep=time.sleep,
             successes=3, timeout=60.0, interval=1.0, fail_fast_on_exit=True, history_size=HISTORY_SIZE):
    """Probe all checks in rounds until ``successes`` consecutive rounds pass.

    ``probe_http(spec)`` and ``probe_container(name)`` return check results
    (see make_result). Stops with reason ``passed``, ``timeout`` (no round
    is started once ``timeout`` seconds have elapsed; the last sleep is cut
    short so one round runs at the deadline) or ``container_exited`` (when
    ``fail_fast_on_exit`` and a container is in a terminal state).
    """
    if not checks:
        raise ValueError('at least one check is required')
    if successes < 1:
        raise ValueError('successes must be at least 1')
    gate = GateState(checks, successes, history_size)
    start = clock()
    while True:
        results = []
        for check in checks:
            if check['kind'] == 'url':
                results.append(_safe_probe(probe_http, check['spec'], 'url', check['target'], clock))
            else:
                results.append(_safe_probe(probe_container, check['target'], 'container', check['target'], clock))
        gate.record(results)
        if gate.passed:
            reason = REASON_PASSED
            break
        if fail_fast_on_exit and gate.terminal_failures():
            reason = REASON_CONTAINER_EXITED
            break
        remaining = timeout - (clock() - start)
        if remaining <= 0:
            reason = REASON_TIMEOUT
            break
        sleep(min(interval, remaining))
    return gate.outcome(reason, clock() - start)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def _failing_checks(outcome):
    """Checks failing in the last round; if none (the streak was still building), those that failed at all."""
    failing = [check for check in outcome['checks'] if check['history'] and not check['history'][-1]['ok']]
    if not failing:
        failing = [check for check in outcome['checks'] if check['failures']]
    return failing


def build_diagnosis(outcome, inspect_container=None, container_logs=None, log_lines=30):
    """Explain a failed gate.

    ``inspect_container(name) -> (inspect_json, error)`` and
    ``container_logs(name, tail) -> (lines, error)`` are called for each
    failing container (a fresh look at its state and logs).
    """
    failing = _failing_checks(outcome)
    diagnosis = {
        'reason': outcome['reason'],
        'attempts': outcome['attempts'],
        'elapsed': outcome['elapsed'],
        'streak': outcome['streak'],
        'successes': outcome['successes'],
        'failing': [
            {
                'kind': check['kind'],
                'target': check['target'],
                'passes': check['passes'],
                'failures': check['failures'],
                'last_error': next((result['error'] for result in reversed(check['history']) if not result['ok']),
                                   None),
                'history': check['history'],
            }
            for check in failing
        ],
        'containers': {},
    }
    for check in failing:
        if check['kind'] != 'container':
            continue
        name = check['target']
        info = {}
        if inspect_container is not None:
            data, error = inspect_container(name)
            if data is None:
                info['inspect_error'] = error
            else:
                info.update(summarize_container_inspect(data))
        if container_logs is not None and log_lines > 0:
            lines, error = container_logs(name, log_lines)
            info['logs'] = lines
            if error:
                info['logs_error'] = error
        diagnosis['containers'][name] = info
    return diagnosis


def _describe_result(result):
    detail = result.get('error') or (result.get('state') if result['kind'] == 'container' else 'failed')
    return '%s %s: %s' % (result['kind'], result['target'], detail)


def format_success_message(outcome):
    return 'Health gate passed: %d consecutive successful round(s) after %d attempt(s) in %.1fs' % (
        outcome['successes'], outcome['attempts'], outcome['elapsed'])


def format_failure_message(outcome):
    if outcome['reason'] == REASON_CONTAINER_EXITED:
        why = 'a container exited'
    else:
        why = 'timed out'
    message = 'Health gate failed (%s) after %d attempt(s) in %.1fs; %d of %d consecutive successful rounds' % (
        why, outcome['attempts'], outcome['elapsed'], outcome['streak'], outcome['successes'])
    failing = [result for result in outcome['last'] if not result['ok']]
    if failing:
        message += '. Failing: ' + '; '.join(_describe_result(result) for result in failing)
    else:
        flapping = [check['target'] for check in outcome['checks'] if check['failures']]
        if flapping:
            message += '. All checks passed in the last round but not often enough in a row; failed earlier: %s' % (
                ', '.join(flapping))
    return message
