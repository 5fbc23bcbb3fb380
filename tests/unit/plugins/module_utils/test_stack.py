# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the stack role (plugins/module_utils/stack.py) and the examples in docs/stack-examples/."""

from __future__ import annotations

import copy
import hashlib
import json
import pathlib
import re
import urllib.parse

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vmdeploy.backend.plugins.module_utils import stack

ROOT = pathlib.Path(__file__).resolve().parents[4]
EXAMPLES = ROOT / 'docs' / 'stack-examples'

#: Stands in for every vault value: 48 characters, 40+ distinct, no placeholder.
STRONG = 'Xk9fQ2vLr7TzW4mNb8HcJ3pYs6DgA1uEo5RiK0tVxZqBnM2w'
STRONG_2 = 'p7Hq2LmZ9xVb4KcT6wNr1JdY8sFg3QaE5uRk0tWiO2eXnB7m'
STRONG_3 = 'Rb3Nw8QeT5yUi1OpA6sDf9GhJ2kLz4XcV7bNm0QwE3rTy6Ui'
IMAGE = 'ghcr.io/acme/api:1.0.0'
VAR_RE = re.compile(r'\$\{([A-Za-z_][A-Za-z0-9_]*)(:\?[^}]*)?\}')


def app(**kwargs):
    item = {'name': 'api', 'image': IMAGE, 'host_port': 8000}
    item.update(kwargs)
    return item


def proj(**kwargs):
    item = {'name': 'shop', 'apps': [app()]}
    item.update(kwargs)
    return item


def norm(project=None, **kwargs):
    return stack.normalize_project(project if project is not None else proj(), **kwargs)


def full_project():
    """Every feature at once: two apps, both kinds of worker, all presets, secrets."""
    return norm(proj(
        env={'APP_ENV': 'production', 'FEATURE_X': True},
        apps=[
            app(replicas=2, cpus=0.5, memory='512m', secret_env={'API_KEY': 'stripe_key'},
                volumes=['uploads:/srv/uploads', '/etc/ssl/certs:/etc/ssl/certs:ro'], env={'APP_ENV': 'api', 'WORKERS': 4},
                command=['uvicorn', 'app:app']),
            app(name='admin', image='ghcr.io/acme/admin:2.0.0', host_port=8010, port=3000, health_path='/healthz'),
        ],
        workers=[
            {'name': 'worker', 'app': 'api', 'command': ['celery', 'worker'], 'replicas': 3, 'memory': '256m',
             'secret_env': {'SMTP_PASSWORD': 'smtp_password'}},
            {'name': 'beat', 'image': 'ghcr.io/acme/beat:1.0.0', 'volumes': ['./beat:/beat']},
        ],
        postgres={'enabled': True, 'image': 'postgres:15', 'settings': {'shared_buffers': '256MB', 'max_connections': 200},
                  'memory': '1g', 'cpus': 2},
        redis={'enabled': True, 'appendonly': False},
        qdrant={'enabled': True},
        n8n={'enabled': True, 'env': {'N8N_HOST': 'n8n.example.com', 'N8N_PROXY_HOPS': 1}},
        secrets={'postgres_password': STRONG, 'redis_password': STRONG_2, 'stripe_key': STRONG_3},
    ))


def blue(image=IMAGE, release='r1'):
    return {'slot': 'blue', 'image': image, 'release': release}


def green(image='ghcr.io/acme/api:2.0.0', release='r2'):
    return {'slot': 'green', 'image': image, 'release': release}


def referenced_vars(doc):
    return set(m.group(1) for m in VAR_RE.finditer(json.dumps(doc)))


def published_ports(doc):
    return [p for svc in doc['services'].values() for p in svc.get('ports', [])]


# --- normalize_project: defaults --------------------------------------------------------------


def test_normalize_fills_app_defaults():
    out = norm()
    assert out['name'] == 'shop'
    assert out['env'] == {} and out['secrets'] == {} and out['workers'] == [] and out['logging'] is None
    # The documented defaults, written out here (not read from the module's own constants).
    assert out['apps'][0] == {
        'name': 'api', 'image': IMAGE, 'host_port': 8000, 'port': 8000, 'replicas': 1,
        'strategy': 'bluegreen', 'health_path': '/health', 'healthcheck': None, 'command': None,
        'migrate': None, 'env': {}, 'secret_env': {}, 'volumes': [], 'cpus': None, 'memory': None,
        'stop_grace_period': '30s', 'drain_seconds': None,
    }


@pytest.mark.parametrize('preset, expected', [
    ('postgres', {'enabled': False, 'image': 'postgres:16', 'user': 'app', 'database': 'app', 'databases': [],
                  'pgvector': False, 'settings': {}, 'cpus': None, 'memory': None, 'host_port': 5432}),
    ('redis', {'enabled': False, 'image': 'redis:7', 'appendonly': True, 'cpus': None, 'memory': None,
               'host_port': 6379}),
    ('qdrant', {'enabled': False, 'image': 'qdrant/qdrant:v1.12.5', 'cpus': None, 'memory': None, 'host_port': 6333}),
    ('n8n', {'enabled': False, 'image': 'n8nio/n8n:1.72.1', 'database': 'n8n', 'host_port': 5678, 'env': {},
             'cpus': None, 'memory': None}),
])
def test_normalize_fills_preset_defaults(preset, expected):
    assert norm()[preset] == expected


def test_every_preset_has_its_defaults_tested():
    assert sorted(norm()) == sorted(['name', 'subnet', 'data_host', 'apps', 'workers', 'env', 'secrets', 'secret_lengths', 'logging',
                                     'postgres', 'redis', 'qdrant', 'n8n'])


def test_normalize_merges_enabled_presets_over_defaults():
    out = norm(proj(postgres={'enabled': True, 'database': 'shop'}, redis={'enabled': True}))
    assert out['postgres']['enabled'] is True
    assert out['postgres']['database'] == 'shop'
    assert out['postgres']['user'] == 'app' and out['postgres']['image'] == 'postgres:16'
    assert out['postgres']['databases'] == [] and out['postgres']['pgvector'] is False
    assert out['redis']['image'] == 'redis:7' and out['redis']['appendonly'] is True
    assert out['qdrant']['enabled'] is False


def test_normalize_fills_worker_defaults():
    out = norm(proj(workers=[{'name': 'worker', 'app': 'api'}]))
    assert out['workers'][0] == {
        'name': 'worker', 'app': 'api', 'command': None, 'replicas': 1, 'env': {}, 'secret_env': {},
        'volumes': [], 'cpus': None, 'memory': None, 'healthcheck': None,
    }


def test_normalize_does_not_change_its_input():
    given = proj(env={'A': '1'}, postgres={'enabled': True}, workers=[{'name': 'w', 'app': 'api'}])
    before = copy.deepcopy(given)
    out = norm(given)
    out['apps'][0]['env']['X'] = 'y'
    out['postgres']['databases'].append('more')
    assert given == before
    assert stack.PRESET_DEFAULTS['postgres']['databases'] == []
    assert stack.APP_DEFAULTS['env'] == {}


def test_normalize_accepts_the_argument_spec_form():
    """The role's argument spec validation fills absent keys with None."""
    spec = yaml.safe_load((ROOT / 'roles' / 'stack' / 'meta' / 'argument_specs.yml').read_text())
    validator = ArgumentSpecValidator({'stack_projects': spec['argument_specs']['main']['options']['stack_projects']})
    result = validator.validate({'stack_projects': [proj()]})
    assert result.error_messages == []
    given = result.validated_parameters['stack_projects'][0]
    assert given['workers'] is None and given['postgres'] is None
    out = norm(given)
    assert out['workers'] == [] and out['postgres']['enabled'] is False and out['env'] == {}


def test_normalize_keeps_extra_postgres_settings():
    out = norm(proj(postgres={'enabled': True, 'databases': ['analytics'], 'pgvector': True, 'image': 'pgvector/pgvector:pg16'}))
    assert out['postgres']['databases'] == ['analytics'] and out['postgres']['pgvector'] is True


# --- normalize_project: image overrides -------------------------------------------------------


def test_image_override_replaces_the_app_image():
    out = norm(proj(apps=[app(), app(name='web', host_port=8010)]),
               image_overrides={'shop': {'api': 'ghcr.io/acme/api:1.5.0'}, 'other': {'x': 'y:1'}})
    assert [a['image'] for a in out['apps']] == ['ghcr.io/acme/api:1.5.0', IMAGE]


def test_image_override_stands_in_for_a_missing_image():
    out = norm(proj(apps=[{'name': 'api', 'host_port': 8000}]), image_overrides={'shop': {'api': 'api:2'}})
    assert out['apps'][0]['image'] == 'api:2'


def test_empty_image_override_is_ignored():
    out = norm(image_overrides={'shop': {'api': ''}})
    assert out['apps'][0]['image'] == IMAGE


# --- normalize_project: every error path ------------------------------------------------------

W = 'stack_projects[shop]'
A = 'stack_projects[shop].apps[api]'

ERRORS = [
    # the entry and its name
    ('not-a-mapping', 'shop', {}, 'stack_projects: every entry must be a mapping'),
    ('no-name', {'apps': [app()]}, {}, 'stack_projects: name None must match'),
    ('name-upper', proj(name='Shop'), {}, "stack_projects: name 'Shop' must match"),
    ('name-digit-first', proj(name='1shop'), {}, "name '1shop' must match"),
    ('name-underscore', proj(name='my_shop'), {}, "name 'my_shop' must match"),
    ('name-too-long', proj(name='s' * 32), {}, 'must match ^[a-z][a-z0-9-]{0,30}$'),
    ('name-not-str', proj(name=5), {}, 'name 5 must match'),
    ('unknown-stack-key', proj(volumes=['x:/x']), {}, W + ': unknown key(s) volumes; allowed: apps, data_host, env'),
    ('nothing-to-run', {'name': 'shop'}, {}, W + ' has nothing to run'),
    ('nothing-to-run-empty', proj(apps=[], workers=[]), {}, W + ' has nothing to run'),
    # presets
    ('preset-not-mapping', proj(postgres=True), {}, W + '.postgres must be a mapping, got True'),
    ('preset-unknown-key', proj(postgres={'enabled': True, 'version': 16}), {}, W + '.postgres: unknown key(s) version'),
    ('redis-unknown-key', proj(redis={'enabled': True, 'password': 'x'}), {}, W + '.redis: unknown key(s) password'),
    ('preset-memory', proj(redis={'enabled': True, 'memory': 'lots'}), {}, W + ".redis.memory must look like 512m or 1g, got 'lots'"),
    ('preset-cpus', proj(postgres={'enabled': True, 'cpus': 0}), {}, W + '.postgres.cpus must be a positive number, got 0'),
    ('n8n-without-postgres', proj(n8n={'enabled': True}), {},
     W + '.n8n runs on PostgreSQL: enable stack_projects[shop].postgres as well'),
    ('n8n-port-low', proj(n8n={'enabled': True, 'host_port': 80}, postgres={'enabled': True}), {},
     W + '.n8n.host_port must be a port from 1024 to 65535, got 80'),
    ('n8n-port-high', proj(n8n={'enabled': True, 'host_port': 65536}, postgres={'enabled': True}), {},
     W + '.n8n.host_port must be a port from 1024 to 65535, got 65536'),
    ('n8n-port-str', proj(n8n={'enabled': True, 'host_port': '5678'}, postgres={'enabled': True}), {},
     W + ".n8n.host_port must be a port from 1024 to 65535, got '5678'"),
    ('n8n-port-none', proj(n8n={'enabled': True, 'host_port': None}, postgres={'enabled': True}), {},
     W + '.n8n.host_port must be a port from 1024 to 65535, got None'),
    ('preset-enabled-str', proj(postgres={'enabled': 'yes'}), {}, W + ".postgres.enabled must be true or false, got 'yes'"),
    ('n8n-port-clash-blue', proj(n8n={'enabled': True, 'host_port': 8000}, postgres={'enabled': True}), {},
     W + '.n8n.host_port 8000 is already used by api/blue'),
    ('n8n-port-clash-green', proj(n8n={'enabled': True, 'host_port': 8100}, postgres={'enabled': True}), {},
     W + '.n8n.host_port 8100 is already used by api/green'),
    # stack env
    ('env-not-mapping', proj(env=['A=1']), {}, W + '.env must be a mapping of NAME: value'),
    ('env-bad-name', proj(env={'1X': 'a'}), {}, W + ".env: '1X' is not a valid environment variable name"),
    ('env-dash', proj(env={'MY-VAR': 'a'}), {}, W + ".env: 'MY-VAR' is not a valid environment variable name"),
    # apps
    ('app-not-mapping', proj(apps=['api']), {}, W + ".apps[0] must be a mapping, got 'api'"),
    ('app-unknown-key', proj(apps=[app(imag='x')]), {}, W + '.apps[api]: unknown key(s) imag (did you mean `image`?)'),
    ('app-no-name', proj(apps=[{'image': IMAGE, 'host_port': 8000}]), {}, W + '.apps[0].name None must match'),
    ('app-bad-name', proj(apps=[app(name='API')]), {}, W + ".apps[0].name 'API' must match"),
    ('app-no-image', proj(apps=[app(image=None)]), {}, A + '.image is required'),
    ('app-empty-image', proj(apps=[app(image='')]), {}, A + '.image is required'),
    ('app-image-not-str', proj(apps=[app(image=5)]), {}, A + '.image is required'),
    ('app-bad-strategy', proj(apps=[app(strategy='rolling')]), {}, A + ".strategy must be one of bluegreen, recreate, got 'rolling'"),
    ('app-replicas-0', proj(apps=[app(replicas=0)]), {}, A + '.replicas must be an integer from 1 to 20, got 0'),
    ('app-replicas-21', proj(apps=[app(replicas=21)]), {}, A + '.replicas must be an integer from 1 to 20, got 21'),
    ('app-replicas-str', proj(apps=[app(replicas='2')]), {}, A + ".replicas must be an integer from 1 to 20, got '2'"),
    ('recreate-replicas', proj(apps=[app(strategy='recreate', replicas=2)]), {}, A + ': strategy recreate is for a service'),
    ('app-port-0', proj(apps=[app(port=0)]), {}, A + '.port must be the container port (1-65535), got 0'),
    ('app-port-high', proj(apps=[app(port=70000)]), {}, A + '.port must be the container port (1-65535), got 70000'),
    ('app-port-str', proj(apps=[app(port='8000')]), {}, A + ".port must be the container port (1-65535), got '8000'"),
    ('app-no-host-port', proj(apps=[app(host_port=None)]), {}, A + '.host_port (first port published on 127.0.0.1) is required'),
    ('app-host-port-low', proj(apps=[app(host_port=80)]), {}, A + '.host_port (first port published on 127.0.0.1) is required, 1024-64900, got 80'),
    ('app-host-port-high', proj(apps=[app(host_port=64901)]), {}, A + '.host_port (first port published on 127.0.0.1) is required, 1024-64900'),
    ('app-host-port-offset', proj(apps=[app(host_port=64801)]), {'slot_port_offset': 200},
     A + '.host_port (first port published on 127.0.0.1) is required, 1024-64800'),
    ('app-host-port-str', proj(apps=[app(host_port='8000')]), {}, A + ".host_port (first port published on 127.0.0.1) is required, 1024-64900, got '8000'"),
    ('app-health-path', proj(apps=[app(health_path='health')]), {}, A + ".health_path must start with /, got 'health'"),
    ('app-env', proj(apps=[app(env={'A B': '1'})]), {}, A + ".env: 'A B' is not a valid environment variable name"),
    ('app-env-not-mapping', proj(apps=[app(env='A=1')]), {}, A + '.env must be a mapping of NAME: value'),
    ('app-secret-env', proj(apps=[app(secret_env={'api-key': 'k'})]), {}, A + ".secret_env: 'api-key' is not a valid environment variable name"),
    ('app-memory', proj(apps=[app(memory='512MB')]), {}, A + ".memory must look like 512m or 1g, got '512MB'"),
    ('app-memory-unit', proj(apps=[app(memory='1.5x')]), {}, A + ".memory must look like 512m or 1g, got '1.5x'"),
    ('app-cpus-zero', proj(apps=[app(cpus=0)]), {}, A + '.cpus must be a positive number, got 0'),
    ('app-cpus-negative', proj(apps=[app(cpus=-1)]), {}, A + '.cpus must be a positive number, got -1'),
    ('app-cpus-word', proj(apps=[app(cpus='two')]), {}, A + ".cpus must be a positive number, got 'two'"),
    ('app-twice', proj(apps=[app(), app(host_port=9000)]), {}, W + ': the name api is used twice'),
    # port collisions
    ('port-between-apps', proj(apps=[app(replicas=2), app(name='web', host_port=8001)]), {},
     'stack_projects[shop].apps[web]: port 8001 (slot blue) is already used by api/blue'),
    ('port-blue-on-green', proj(apps=[app(), app(name='web', host_port=8100)]), {},
     'stack_projects[shop].apps[web]: port 8100 (slot blue) is already used by api/green'),
    ('port-green-on-blue', proj(apps=[app(name='web', host_port=8100), app(host_port=8000)]), {},
     A + ': port 8100 (slot green) is already used by web/blue'),
    ('port-slots-overlap', proj(apps=[app(replicas=2)]), {'slot_port_offset': 1},
     A + ': port 8001 (slot green) is already used by api/blue'),
    ('port-offset-zero', proj(), {'slot_port_offset': 0}, A + ': port 8000 (slot green) is already used by api/blue'),
    # workers
    ('worker-not-mapping', proj(workers=['w']), {}, W + ".workers[0] must be a mapping, got 'w'"),
    ('worker-unknown-key', proj(workers=[{'name': 'w', 'app': 'api', 'port': 80}]), {}, W + '.workers[w]: unknown key(s) port'),
    ('worker-bad-name', proj(workers=[{'name': 'W', 'app': 'api'}]), {}, W + ".workers[0].name 'W' must match"),
    ('worker-both', proj(workers=[{'name': 'w', 'app': 'api', 'image': 'x:1'}]), {},
     W + '.workers[w] needs exactly one of app'),
    ('worker-neither', proj(workers=[{'name': 'w'}]), {}, W + '.workers[w] needs exactly one of app'),
    ('worker-unknown-app', proj(workers=[{'name': 'w', 'app': 'web'}]), {},
     W + ".workers[w].app 'web' is not one of the stack's apps (api)"),
    ('worker-unknown-app-no-apps', proj(apps=[], workers=[{'name': 'w', 'app': 'web'}]), {},
     W + ".workers[w].app 'web' is not one of the stack's apps (none)"),
    ('worker-named-like-app', proj(workers=[{'name': 'api', 'app': 'api'}]), {}, W + '.workers[api]: the name api is used twice'),
    ('worker-named-like-preset', proj(workers=[{'name': 'redis', 'image': 'x:1'}]), {}, W + '.workers[redis]: the name redis is used twice'),
    ('worker-twice', proj(workers=[{'name': 'w', 'app': 'api'}, {'name': 'w', 'image': 'x:1'}]), {},
     W + '.workers[w]: the name w is used twice'),
    ('worker-env', proj(workers=[{'name': 'w', 'app': 'api', 'env': {'1A': 'x'}}]), {}, W + ".workers[w].env: '1A' is not"),
    ('worker-secret-env', proj(workers=[{'name': 'w', 'app': 'api', 'secret_env': {'A.B': 'x'}}]), {},
     W + ".workers[w].secret_env: 'A.B' is not"),
    ('worker-memory', proj(workers=[{'name': 'w', 'app': 'api', 'memory': '1 GB'}]), {}, W + ".workers[w].memory must look like 512m"),
    ('worker-cpus', proj(workers=[{'name': 'w', 'app': 'api', 'cpus': 'x'}]), {}, W + ".workers[w].cpus must be a positive number"),
    # overrides and secrets
    ('override-unknown-app', proj(), {'image_overrides': {'shop': {'web': 'x:1'}}},
     'stack_image_overrides.shop: web is not an app of the stack'),
    ('secret-quote', proj(secrets={'api_key': "it's"}), {}, W + ".secrets.api_key must be a string without quotes (') or newlines"),
    ('secret-newline', proj(secrets={'api_key': 'a\nb'}), {}, W + '.secrets.api_key must be a string without quotes'),
    ('secret-not-str', proj(secrets={'api_key': 12345}), {}, W + '.secrets.api_key must be a string without quotes'),
    ('secret-none', proj(secrets={'api_key': None}), {}, W + '.secrets.api_key must be a string without quotes'),
]


@pytest.mark.parametrize('project, kwargs, message', [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_normalize_errors_name_the_variable(project, kwargs, message):
    with pytest.raises(stack.StackError) as exc:
        stack.normalize_project(project, **kwargs)
    assert message in str(exc.value)


def test_stack_error_is_a_value_error():
    assert issubclass(stack.StackError, ValueError)


@pytest.mark.parametrize('name', ['a', 'shop', 'my-shop-2', 'a' + 'b' * 30])
def test_normalize_accepts_good_names(name):
    assert norm(proj(name=name))['name'] == name


@pytest.mark.parametrize('offset, host_port', [(100, 1024), (100, 64900), (200, 64800)])
def test_normalize_accepts_host_port_bounds(offset, host_port):
    assert norm(proj(apps=[app(host_port=host_port)]), slot_port_offset=offset)['apps'][0]['host_port'] == host_port


@pytest.mark.parametrize('memory', ['512m', '1g', '1.5g', '256M', '1048576', '64k'])
def test_normalize_accepts_memory(memory):
    assert norm(proj(apps=[app(memory=memory)]))['apps'][0]['memory'] == memory


@pytest.mark.parametrize('cpus', [0.25, 1, '1.5', 2])
def test_normalize_accepts_cpus(cpus):
    assert norm(proj(apps=[app(cpus=cpus)]))['apps'][0]['cpus'] == cpus


def test_normalize_accepts_a_stack_of_presets_only():
    out = norm({'name': 'db', 'postgres': {'enabled': True}})
    assert out['apps'] == [] and out['postgres']['enabled']


def test_normalize_accepts_a_stack_of_workers_only():
    out = norm({'name': 'jobs', 'workers': [{'name': 'cron', 'image': 'ghcr.io/acme/cron:1'}]})
    assert [w['name'] for w in out['workers']] == ['cron']


def test_recreate_with_one_replica_is_fine():
    assert norm(proj(apps=[app(strategy='recreate')]))['apps'][0]['strategy'] == 'recreate'


@pytest.mark.parametrize('project, key', [
    (proj(postgres={'enabled': True, 'name': 'shop'}), 'name'),
    (proj(redis={'enabled': True, 'app': 'api'}), 'app'),
    (proj(qdrant={'enabled': True, 'image': 'qdrant/qdrant:v1', 'name': 'q'}), 'name'),
    (proj(n8n={'enabled': True, 'app': 'api'}, postgres={'enabled': True}), 'app'),
    (proj(apps=[app(app='web')]), 'app'),
], ids=['postgres-name', 'redis-app', 'qdrant-name', 'n8n-app', 'app-app'])
def test_keys_not_meant_for_a_mapping_are_refused(project, key):
    with pytest.raises(stack.StackError, match=r'unknown key\(s\) %s; allowed: ' % key):
        stack.normalize_project(project)


def test_each_mapping_allows_its_own_name_keys():
    """apps take name and image, workers name, image or app, presets neither."""
    out = norm(proj(workers=[{'name': 'w', 'app': 'api'}, {'name': 'cron', 'image': 'x:1'}]))
    assert out['apps'][0]['name'] == 'api' and out['apps'][0]['image'] == IMAGE
    assert [(w['name'], w.get('app'), w.get('image')) for w in out['workers']] == [('w', 'api', None), ('cron', None, 'x:1')]
    for preset in stack.PRESET_DEFAULTS:
        assert 'name' not in out[preset] and 'app' not in out[preset], preset
    with pytest.raises(stack.StackError) as exc:
        norm(proj(postgres={'enabled': True, 'name': 'shop'}))
    assert 'allowed: cpus, database, databases, enabled, host_port, image, memory, pgvector, settings, user' in str(exc.value)


@pytest.mark.parametrize('enabled', ['yes', 'true', 1, 0, None, []])
def test_preset_enabled_must_be_a_bool(enabled):
    with pytest.raises(stack.StackError) as exc:
        norm(proj(redis={'enabled': enabled}))
    assert W + '.redis.enabled must be true or false, got %r' % (enabled,) in str(exc.value)


@pytest.mark.parametrize('project, where', [
    (proj(apps=[app(healthcheck={'interval': '10s'})]), A + '.healthcheck'),
    (proj(apps=[app(healthcheck=5)]), A + '.healthcheck'),
    (proj(workers=[{'name': 'w', 'app': 'api', 'healthcheck': {'retries': 3}}]), W + '.workers[w].healthcheck'),
], ids=['app-mapping-without-test', 'app-number', 'worker-mapping-without-test'])
def test_healthcheck_without_test_is_refused(project, where):
    with pytest.raises(stack.StackError) as exc:
        stack.normalize_project(project)
    assert str(exc.value).startswith(where + ' must be a command (string or list) or a mapping with test')


#: base64 output (openssl rand -base64) holds / + =; @ # ? end the userinfo of a URL.
RESERVED = 'Ab3/dE6+gH9@jK2#mN5?pQ8/sT1+vW4=yZ7/bC0+eF3@hI6='


def env_lines(text):
    """VAR -> value of a .env written by env_file (every value single-quoted)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)='([^'\n]*)'$", line)
        assert match, line
        assert match.group(1) not in out, 'defined twice: %s' % match.group(1)
        out[match.group(1)] = match.group(2)
    return out


@pytest.mark.parametrize('secret, var, url', [
    ('postgres_password', 'POSTGRES_PASSWORD', 'DATABASE_URL'),
    ('redis_password', 'REDIS_PASSWORD', 'REDIS_URL'),
])
def test_url_secrets_with_reserved_characters_are_encoded(secret, var, url):
    """A password with URL-reserved characters is accepted: .env carries it as is and
    percent-encoded as <VAR>_URLENC, which is what the connection URLs interpolate."""
    project = stack.normalize_projects([proj(postgres={'enabled': True}, redis={'enabled': True},
                                             secrets={secret: RESERVED})])[0]
    values = {'postgres_password': STRONG, 'redis_password': STRONG_2}
    values[secret] = RESERVED
    env = env_lines(stack.env_file(project, values))
    assert env[var] == RESERVED
    encoded = env[var + '_URLENC']
    assert re.match(r'^[A-Za-z0-9._~%-]+$', encoded), encoded
    assert urllib.parse.unquote(encoded) == RESERVED
    assert encoded == 'Ab3%2FdE6%2BgH9%40jK2%23mN5%3FpQ8%2FsT1%2BvW4%3DyZ7%2FbC0%2BeF3%40hI6%3D'
    doc = stack.compose_project(project, {'api': [blue()]})
    # the compose document references only variables the .env defines
    assert referenced_vars(doc) <= set(env)
    # the URL, as Compose interpolates it, gives back the password
    template = doc['services']['api-blue-1']['environment'][url]
    assert '${%s_URLENC:?}' % var in template
    rendered = VAR_RE.sub(lambda m: env[m.group(1)], template)
    parsed = urllib.parse.urlsplit(rendered)
    assert urllib.parse.unquote(parsed.password) == RESERVED
    assert parsed.hostname == ('postgres' if var == 'POSTGRES_PASSWORD' else 'redis')
    assert parsed.port == (5432 if var == 'POSTGRES_PASSWORD' else 6379)


# --- normalize_projects -----------------------------------------------------------------------


def two_stacks(**blog):
    other = {'name': 'blog', 'apps': [app(host_port=9000)]}
    other.update(blog)
    return [proj(), other]


def test_normalize_projects_normalizes_each():
    out = stack.normalize_projects(two_stacks())
    assert [p['name'] for p in out] == ['shop', 'blog']
    assert out[1]['apps'][0]['strategy'] == 'bluegreen'


def test_normalize_projects_empty():
    assert stack.normalize_projects([]) == []


def test_normalize_projects_applies_overrides_per_stack():
    out = stack.normalize_projects(two_stacks(), image_overrides={'blog': {'api': 'blog:2'}})
    assert [p['apps'][0]['image'] for p in out] == [IMAGE, 'blog:2']


PROJECTS_ERRORS = [
    ('not-a-list', {'name': 'shop'}, {}, 'stack_projects must be a list of stacks'),
    ('duplicate-name', two_stacks(name='shop'), {}, 'stack_projects: the stack name shop is used twice'),
    ('port-clash-blue', two_stacks(apps=[app(host_port=8000)]), {},
     'stack_projects[blog]: port 8000 of api is also used by stack shop'),
    ('port-clash-green', two_stacks(apps=[app(name='web', host_port=8100)]), {},
     'stack_projects[blog]: port 8100 of web is also used by stack shop'),
    ('port-clash-replica', two_stacks(apps=[app(name='web', host_port=7999, replicas=2)]), {},
     'stack_projects[blog]: port 8000 of web is also used by stack shop'),
    ('port-clash-offset', two_stacks(apps=[app(host_port=8200)]), {'slot_port_offset': 200},
     'stack_projects[blog]: port 8200 of api is also used by stack shop'),
    ('n8n-clash', [proj(n8n={'enabled': True}, postgres={'enabled': True}),
                   {'name': 'blog', 'n8n': {'enabled': True}, 'postgres': {'enabled': True}}], {},
     'stack_projects[blog]: port 5678 of n8n is also used by stack shop'),
    ('n8n-on-app-port', [proj(), {'name': 'blog', 'n8n': {'enabled': True, 'host_port': 8100}, 'postgres': {'enabled': True}}], {},
     'stack_projects[blog]: port 8100 of n8n is also used by stack shop'),
    ('unknown-override-stack', two_stacks(), {'image_overrides': {'nope': {'api': 'x:1'}}},
     'stack_image_overrides: no stack named nope'),
    ('error-inside-a-stack', two_stacks(apps=[app(host_port=None)]), {}, 'stack_projects[blog].apps[api].host_port'),
]


@pytest.mark.parametrize('projects, kwargs, message', [e[1:] for e in PROJECTS_ERRORS], ids=[e[0] for e in PROJECTS_ERRORS])
def test_normalize_projects_errors(projects, kwargs, message):
    with pytest.raises(stack.StackError) as exc:
        stack.normalize_projects(projects, **kwargs)
    assert message in str(exc.value)


def test_normalize_projects_port_offset_is_honoured():
    # blog's blue port 8100 is free when green slots sit 200 above.
    out = stack.normalize_projects(two_stacks(apps=[app(host_port=8100)]), slot_port_offset=200)
    assert len(out) == 2


def test_normalize_projects_refuses_colliding_joined_names():
    """Stack a-b with app c and stack a with app b-c would share the upstream a_b_c and the
    container names a-b-c-blue-1-1."""
    with pytest.raises(stack.StackError) as exc:
        stack.normalize_projects([{'name': 'a-b', 'apps': [app(name='c')]},
                                  {'name': 'a', 'apps': [app(name='b-c', host_port=9000)]}])
    assert str(exc.value) == ('stack_projects[a].apps[b-c]: its nginx upstream and container names (a_b_c) clash with '
                              'stack_projects[a-b].apps[c]; rename one of them')


def test_normalize_projects_accepts_joined_names_that_differ():
    out = stack.normalize_projects([{'name': 'a-b', 'apps': [app(name='c')]},
                                    {'name': 'a', 'apps': [app(name='bc', host_port=9000)]},
                                    {'name': 'ab', 'apps': [app(name='c', host_port=9200)]}])
    assert [(p['name'], p['apps'][0]['name']) for p in out] == [('a-b', 'c'), ('a', 'bc'), ('ab', 'c')]


# --- weak secrets -----------------------------------------------------------------------------

SHORT = 'it is shorter than %d characters' % stack.MIN_SECRET_LENGTH
RUN = 'it is a placeholder (the same character 6 times or more in a row)'
REPEATED = 'it is a placeholder (a short pattern repeated)'
WORD = 'it is a placeholder (it contains a word such as changeme, example, secret, generate or your-...-here)'


@pytest.mark.parametrize('value, reason', [
    (None, 'it is empty'),
    ('', 'it is empty'),
    ('   ', 'it is empty'),
    ('changeme', 'it is a placeholder'),
    ('CHANGEME', 'it is a placeholder'),
    (' password ', 'it is a placeholder'),
    ('postgres', 'it is a placeholder'),
    ('secret', 'it is a placeholder'),
    ('xxx', 'it is a placeholder'),
    ('your-api-key-goes-here-and-it-is-long-enough-to-pass', 'it is a placeholder'),
    ('your_token_here_0123456789_0123456789', 'it is a placeholder'),
    ('Your-Password', 'it is a placeholder'),
    ('replace with a strong random value (openssl rand -base64 48)', 'it is a placeholder'),
    ('changeme-but-very-long-0123456789abcdefghijklmnop', 'it is a placeholder'),
    ('example-secret-0123456789abcdefghijklmnopqrstuv', 'it is a placeholder'),
    ('hunter2', SHORT),
    ('Xk9fQ2vLr7TzW4mNb8HcJ3pYs6DgA1u', SHORT),    # 31 characters
    (12345, SHORT),
    ('a' * 48, RUN),
    ('abcdefg' * 7, REPEATED),
    ('0123456789abcdef0123456789abcdeF', None),    # 32 characters, 17 distinct
    ('abcdefgh' * 4, REPEATED),                    # 32 characters, 8 distinct, but a pattern
    ('Xk9fQ2vLr7TzW4mNb8HcJ3pYsaaaaaaa1uEo5RiK', RUN),
    ('abcdefgh12345678abcdefgh12345679', None),    # almost a pattern: not one
    ('aabbaabbccaabbccaabbaaccbbaaccbb', 'it has fewer than 8 distinct characters'),
    ('generate-with-openssl-rand-base64-32', 'it is a placeholder'),
    ('my-super-secret-jwt-key-0123456789abcdefghij', WORD),
    ('api-key-goes-here-0123456789abcdefghijklmnop', WORD),
    ('Xk9fQ2vLr7TzW4mNb8HcJ3pYs6DgA1uEo5Ri-EXAMPLE', WORD),
    (STRONG, None),
])
def test_weak_secret_reason(value, reason):
    assert stack.weak_secret_reason(value) == reason


def test_strong_constant_is_48_characters():
    assert len(STRONG) == len(STRONG_2) == len(STRONG_3) == 48


def test_weak_secrets_names_but_never_shows_the_values():
    secrets = {'postgres_password': 'changeme', 'api_key': STRONG, 'jwt': 'hunter2hunter2', 'zz': 'z' * 40}
    projects = stack.normalize_projects([proj(secrets=secrets), {'name': 'blog', 'apps': [app(host_port=9000)]}])
    found = stack.weak_secrets(projects)
    assert found == [
        'stack_projects[shop].secrets.jwt: ' + REPEATED,
        'stack_projects[shop].secrets.postgres_password: it is a placeholder',
        'stack_projects[shop].secrets.zz: ' + RUN,
    ]
    text = '\n'.join(found)
    for value in secrets.values():
        assert value not in text


def test_weak_secrets_none():
    assert stack.weak_secrets(stack.normalize_projects([proj(secrets={'a': STRONG})])) == []


# --- secret names, secret_env_vars and env_file ----------------------------------------------


@pytest.mark.parametrize('presets, expected', [
    ({}, {}),
    ({'postgres': {'enabled': True}}, {'POSTGRES_PASSWORD': 'postgres_password'}),
    ({'redis': {'enabled': True}}, {'REDIS_PASSWORD': 'redis_password'}),
    ({'qdrant': {'enabled': True}}, {'QDRANT_API_KEY': 'qdrant_api_key'}),
    ({'postgres': {'enabled': True}, 'n8n': {'enabled': True}},
     {'POSTGRES_PASSWORD': 'postgres_password', 'N8N_ENCRYPTION_KEY': 'n8n_encryption_key'}),
    ({'postgres': {'enabled': False, 'image': 'postgres:15'}}, {}),
], ids=['none', 'postgres', 'redis', 'qdrant', 'postgres-n8n', 'disabled'])
def test_secret_names_of_presets(presets, expected):
    project = norm(proj(**presets))
    assert stack.secret_env_vars(project) == expected
    assert stack.secret_names(project) == sorted(expected.values())


def test_secret_names_of_apps_and_workers():
    project = norm(proj(
        apps=[app(secret_env={'STRIPE_KEY': 'stripe', 'JWT_SECRET': 'jwt'})],
        workers=[{'name': 'w', 'app': 'api', 'secret_env': {'SMTP_PASSWORD': 'smtp', 'STRIPE_KEY': 'stripe'}}],
        redis={'enabled': True},
    ))
    assert stack.secret_env_vars(project) == {'REDIS_PASSWORD': 'redis_password', 'STRIPE_KEY': 'stripe',
                                              'JWT_SECRET': 'jwt', 'SMTP_PASSWORD': 'smtp'}
    assert stack.secret_names(project) == ['jwt', 'redis_password', 'smtp', 'stripe']


def test_secret_names_list_each_secret_once():
    """One secret under several variables (a preset one included) is one name."""
    project = norm(proj(
        postgres={'enabled': True},
        apps=[app(secret_env={'DB_PASSWORD': 'postgres_password', 'API_KEY': 'stripe'})],
        workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'STRIPE_KEY': 'stripe', 'PGPASSWORD': 'postgres_password'}}],
    ))
    assert stack.secret_env_vars(project) == {'POSTGRES_PASSWORD': 'postgres_password', 'DB_PASSWORD': 'postgres_password',
                                              'API_KEY': 'stripe', 'STRIPE_KEY': 'stripe', 'PGPASSWORD': 'postgres_password'}
    assert stack.secret_names(project) == ['postgres_password', 'stripe']


@pytest.mark.parametrize('name', ['a', 'stripe_key', 'k2', 'a' * 64])
def test_secret_names_that_are_fine(name):
    assert stack.secret_names(norm(proj(apps=[app(secret_env={'KEY': name})]))) == [name]


SECRET_ERRORS = [
    ('two-secrets-one-var', proj(apps=[app(secret_env={'TOKEN': 'a'})], workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'TOKEN': 'b'}}]),
     W + '.workers[w].secret_env: TOKEN already holds secret a, not b'),
    ('preset-var-other-secret', proj(postgres={'enabled': True}, apps=[app(secret_env={'POSTGRES_PASSWORD': 'db'})]),
     W + '.apps[api].secret_env: POSTGRES_PASSWORD already holds secret postgres_password, not db'),
    ('preset-var-of-qdrant', proj(qdrant={'enabled': True}, workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'QDRANT_API_KEY': 'key'}}]),
     W + '.workers[w].secret_env: QDRANT_API_KEY already holds secret qdrant_api_key, not key'),
    ('secret-name-upper', proj(apps=[app(secret_env={'API_KEY': 'Stripe'})]),
     W + ".apps[api].secret_env.API_KEY: secret name 'Stripe' must match ^[a-z][a-z0-9_]{0,63}$"),
    ('secret-name-dash', proj(apps=[app(secret_env={'API_KEY': 'stripe-key'})]),
     W + ".apps[api].secret_env.API_KEY: secret name 'stripe-key' must match"),
    ('secret-name-path', proj(workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'API_KEY': '../etc/passwd'}}]),
     W + ".workers[w].secret_env.API_KEY: secret name '../etc/passwd' must match"),
    ('secret-name-digit-first', proj(apps=[app(secret_env={'API_KEY': '1key'})]), "secret name '1key' must match"),
    ('secret-name-too-long', proj(apps=[app(secret_env={'API_KEY': 'a' * 65})]), "secret name '%s' must match" % ('a' * 65)),
    ('secret-name-empty', proj(apps=[app(secret_env={'API_KEY': ''})]), "secret name '' must match"),
    ('secret-name-none', proj(apps=[app(secret_env={'API_KEY': None})]), 'secret name None must match'),
    ('secret-name-number', proj(apps=[app(secret_env={'API_KEY': 5})]), 'secret name 5 must match'),
    ('urlenc-reserved', proj(apps=[app(secret_env={'POSTGRES_PASSWORD_URLENC': 'pw'})]),
     W + '.apps[api].secret_env: POSTGRES_PASSWORD_URLENC is reserved'),
    ('urlenc-reserved-any', proj(workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'TOKEN_URLENC': 'token'}}]),
     W + '.workers[w].secret_env: TOKEN_URLENC is reserved'),
]


@pytest.mark.parametrize('project, message', [e[1:] for e in SECRET_ERRORS], ids=[e[0] for e in SECRET_ERRORS])
def test_secret_env_vars_errors(project, message):
    """secret_env_vars, secret_names and env_file refuse the stack; normalize_projects does too,
    before anything changes on the host."""
    normalized = stack.normalize_project(project)
    for call in (lambda: stack.secret_env_vars(normalized), lambda: stack.secret_names(normalized),
                 lambda: stack.env_file(normalized, {}), lambda: stack.normalize_projects([project])):
        with pytest.raises(stack.StackError) as exc:
            call()
        assert message in str(exc.value)


def test_normalize_projects_checks_the_secrets_of_every_stack():
    with pytest.raises(stack.StackError, match=re.escape('stack_projects[blog].apps[api].secret_env: TOKEN_URLENC is reserved')):
        stack.normalize_projects(two_stacks(apps=[app(host_port=9000, secret_env={'TOKEN_URLENC': 'token'})]))


def test_env_file():
    project = norm(proj(
        postgres={'enabled': True}, redis={'enabled': True}, qdrant={'enabled': True}, n8n={'enabled': True},
        apps=[app(secret_env={'API_KEY': 'stripe', 'DB_PASSWORD': 'postgres_password'})],
        workers=[{'name': 'w', 'app': 'api', 'secret_env': {'STRIPE_KEY': 'stripe'}}],
    ))
    values = {'postgres_password': 'pg-pw', 'redis_password': 'redis pw', 'qdrant_api_key': 'q-key',
              'n8n_encryption_key': 'n8n-key', 'stripe': 'sk_live_1', 'unused': 'never-written'}
    assert stack.env_file(project, values) == (
        "# Managed by Ansible (vmdeploy.backend.stack): secrets of stack shop. Keep 0600.\n"
        "API_KEY='sk_live_1'\n"
        "DB_PASSWORD='pg-pw'\n"
        "N8N_ENCRYPTION_KEY='n8n-key'\n"
        "POSTGRES_PASSWORD='pg-pw'\n"
        "POSTGRES_PASSWORD_URLENC='pg-pw'\n"
        "QDRANT_API_KEY='q-key'\n"
        "REDIS_PASSWORD='redis pw'\n"
        "REDIS_PASSWORD_URLENC='redis%20pw'\n"
        "STRIPE_KEY='sk_live_1'\n"
    )


def test_env_file_of_a_stack_without_secrets():
    assert stack.env_file(norm(), {'x': STRONG}) == (
        '# Managed by Ansible (vmdeploy.backend.stack): secrets of stack shop. Keep 0600.\n')


def test_env_file_encodes_only_the_url_passwords():
    """Only POSTGRES_PASSWORD and REDIS_PASSWORD go into URLs; other variables get no _URLENC copy,
    even when they hold the same secret."""
    project = norm(proj(postgres={'enabled': True}, qdrant={'enabled': True},
                        apps=[app(secret_env={'DB_PASSWORD': 'postgres_password'})]))
    env = env_lines(stack.env_file(project, {'postgres_password': RESERVED, 'qdrant_api_key': RESERVED}))
    assert sorted(env) == ['DB_PASSWORD', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD_URLENC', 'QDRANT_API_KEY']
    assert env['DB_PASSWORD'] == env['POSTGRES_PASSWORD'] == env['QDRANT_API_KEY'] == RESERVED
    assert urllib.parse.unquote(env['POSTGRES_PASSWORD_URLENC']) == RESERVED


@pytest.mark.parametrize('project', [
    proj(postgres={'enabled': True}, apps=[app(secret_env={'DB_PASSWORD': 'postgres_password'})]),
    proj(apps=[app(secret_env={'API_KEY': 'stripe'})], workers=[{'name': 'w', 'app': 'api', 'secret_env': {'STRIPE_KEY': 'stripe'}}]),
    proj(redis={'enabled': True}, workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'CACHE_PASSWORD': 'redis_password'}}]),
], ids=['preset-secret-renamed', 'one-secret-two-names', 'redis-secret-renamed-in-image-worker'])
def test_every_variable_compose_needs_is_in_env_once(project):
    project = stack.normalize_projects([project])[0]
    values = dict((name, STRONG) for name in stack.secret_names(project))
    env = env_lines(stack.env_file(project, values))     # env_lines asserts each variable is defined once
    assert set(stack.secret_env_vars(project)) <= set(env)
    assert referenced_vars(stack.compose_project(project, {'api': [blue()]})) <= set(env)
    assert all(value == STRONG for var, value in env.items() if not var.endswith('_URLENC'))


def test_two_secrets_under_one_variable_are_refused():
    project = proj(apps=[app(secret_env={'TOKEN': 'a'})], workers=[{'name': 'w', 'image': 'x:1', 'secret_env': {'TOKEN': 'b'}}])
    with pytest.raises(stack.StackError, match='TOKEN already holds secret a, not b'):
        stack.normalize_projects([project])


# --- slots ------------------------------------------------------------------------------------


@pytest.mark.parametrize('host_port, replicas, slot, offset, expected', [
    (8000, 1, 'blue', 100, [8000]),
    (8000, 1, 'green', 100, [8100]),
    (8000, 3, 'blue', 100, [8000, 8001, 8002]),
    (8000, 3, 'green', 100, [8100, 8101, 8102]),
    (8000, 2, 'green', 1000, [9000, 9001]),
    (8000, 2, 'blue', 1000, [8000, 8001]),
])
def test_slot_ports(host_port, replicas, slot, offset, expected):
    assert stack.slot_ports({'host_port': host_port, 'replicas': replicas}, slot, offset) == expected


def test_slot_ports_default_offset():
    assert stack.slot_ports({'host_port': 8000, 'replicas': 1}, 'green') == [8100]


@pytest.mark.parametrize('name, replicas, slot, expected', [
    ('api', 1, 'blue', ['api-blue-1']),
    ('api', 2, 'green', ['api-green-1', 'api-green-2']),
    ('my-api', 3, 'blue', ['my-api-blue-1', 'my-api-blue-2', 'my-api-blue-3']),
])
def test_slot_services_and_containers(name, replicas, slot, expected):
    item = {'name': name, 'replicas': replicas}
    assert stack.slot_services(item, slot) == expected
    assert stack.slot_containers('shop', item, slot) == ['shop-%s-1' % s for s in expected]


@pytest.mark.parametrize('slot, offset, expected', [
    ('blue', 100, ['http://10.231.31.64:8000/healthz', 'http://10.231.31.65:8000/healthz']),
    ('green', 100, ['http://10.231.31.164:8000/healthz', 'http://10.231.31.165:8000/healthz']),
    ('green', 500, ['http://10.231.33.52:8000/healthz', 'http://10.231.33.53:8000/healthz']),
])
def test_gate_urls(slot, offset, expected):
    """The gate probes the replicas where nginx reaches them: subnet + host port, container port."""
    project = norm(proj(apps=[app(replicas=2, health_path='/healthz')], subnet='10.231.0.0/16'))
    assert stack.gate_urls(project, project['apps'][0], slot, offset) == expected


@pytest.mark.parametrize('slot, other', [('blue', 'green'), ('green', 'blue')])
def test_other_slot(slot, other):
    assert stack.other_slot(slot) == other


# --- compose_project --------------------------------------------------------------------------


@pytest.fixture(name='doc')
def fixture_doc():
    return stack.compose_project(full_project(), {'api': [blue()], 'admin': [blue('ghcr.io/acme/admin:2.0.0')]})


DATA = ('n8n', 'postgres', 'qdrant', 'redis')


def test_compose_service_set(doc):
    assert doc['name'] == 'shop'
    assert sorted(doc['services']) == ['admin-blue-1', 'api-blue-1', 'api-blue-2', 'beat', 'n8n', 'postgres', 'qdrant',
                                       'redis', 'worker']


def test_compose_healthcheck_on_every_service(doc):
    for name, svc in doc['services'].items():
        check = svc.get('healthcheck')
        assert check and check['test'], name
        assert check['test'][0] in ('CMD', 'CMD-SHELL'), name
        assert 'interval' in check and 'retries' in check, name


def test_compose_app_healthcheck_probes_the_health_path(doc):
    assert 'http://127.0.0.1:8000/health' in doc['services']['api-blue-1']['healthcheck']['test'][1]
    assert 'http://127.0.0.1:3000/healthz' in doc['services']['admin-blue-1']['healthcheck']['test'][1]


def test_compose_depends_on_healthy_data_services(doc):
    wanted = {'postgres': {'condition': 'service_healthy'}, 'redis': {'condition': 'service_healthy'},
              'qdrant': {'condition': 'service_healthy'}}
    for name in ('api-blue-1', 'api-blue-2', 'admin-blue-1', 'worker', 'beat'):
        assert doc['services'][name]['depends_on'] == wanted, name
    assert doc['services']['n8n']['depends_on'] == {'postgres': {'condition': 'service_healthy'}}
    for name in ('postgres', 'redis', 'qdrant'):
        assert 'depends_on' not in doc['services'][name]


def test_compose_data_services_publish_no_ports(doc):
    for name in ('postgres', 'redis', 'qdrant', 'worker', 'beat'):
        assert 'ports' not in doc['services'][name], name
    assert doc['services']['n8n']['ports'] == ['127.0.0.1:5678:5678']


def test_compose_app_ports_on_loopback_only(doc):
    assert doc['services']['api-blue-1']['ports'] == ['127.0.0.1:8000:8000']
    assert doc['services']['api-blue-2']['ports'] == ['127.0.0.1:8001:8000']
    assert doc['services']['admin-blue-1']['ports'] == ['127.0.0.1:8010:3000']
    ports = published_ports(doc)
    assert ports and all(p.startswith('127.0.0.1:') for p in ports)
    assert len(ports) == len(set(p.rsplit(':', 1)[0] for p in ports))


def test_compose_never_contains_a_secret_value(doc):
    text = json.dumps(doc)
    for value in (STRONG, STRONG_2, STRONG_3):
        assert value not in text


def test_compose_interpolates_secrets_from_env(doc):
    svc = doc['services']
    assert svc['postgres']['environment']['POSTGRES_PASSWORD'] == '${POSTGRES_PASSWORD:?}'
    assert svc['redis']['environment']['REDIS_PASSWORD'] == '${REDIS_PASSWORD:?}'
    assert svc['qdrant']['environment']['QDRANT__SERVICE__API_KEY'] == '${QDRANT_API_KEY:?}'
    assert svc['n8n']['environment']['N8N_ENCRYPTION_KEY'] == '${N8N_ENCRYPTION_KEY:?}'
    assert svc['n8n']['environment']['DB_POSTGRESDB_PASSWORD'] == '${POSTGRES_PASSWORD:?}'
    env = svc['api-blue-1']['environment']
    assert env['API_KEY'] == '${API_KEY:?}'
    assert env['DATABASE_URL'] == 'postgresql://app:${POSTGRES_PASSWORD_URLENC:?}@postgres:5432/app'
    assert env['REDIS_URL'] == 'redis://:${REDIS_PASSWORD_URLENC:?}@redis:6379/0'
    assert svc['worker']['environment']['DATABASE_URL'] == env['DATABASE_URL']
    assert svc['beat']['environment']['REDIS_URL'] == env['REDIS_URL']
    assert env['QDRANT_URL'] == 'http://qdrant:6333' and env['QDRANT_API_KEY'] == '${QDRANT_API_KEY:?}'
    assert svc['worker']['environment']['SMTP_PASSWORD'] == '${SMTP_PASSWORD:?}'
    assert svc['worker']['environment']['API_KEY'] == '${API_KEY:?}'       # the app's environment too
    assert 'API_KEY' not in svc['beat']['environment']                    # an image worker: shared env only
    # every interpolation is required (:?) and is a variable .env defines
    assert all(m.group(2) == ':?' for m in VAR_RE.finditer(json.dumps(doc)))
    project = full_project()
    defined = set(env_lines(stack.env_file(project, project['secrets'])))
    assert referenced_vars(doc) == defined
    assert defined == set(stack.secret_env_vars(project)) | {'POSTGRES_PASSWORD_URLENC', 'REDIS_PASSWORD_URLENC'}


def test_compose_environment_values(doc):
    env = doc['services']['api-blue-1']['environment']
    assert env['APP_ENV'] == 'api'              # the app's env wins over the stack's
    assert env['WORKERS'] == '4' and env['FEATURE_X'] == 'True'
    assert list(env) == sorted(env)
    assert doc['services']['admin-blue-1']['environment']['APP_ENV'] == 'production'
    assert doc['services']['n8n']['environment']['N8N_PROXY_HOPS'] == '1'
    assert doc['services']['n8n']['environment']['DB_POSTGRESDB_DATABASE'] == 'n8n'


def test_compose_limits(doc):
    svc = doc['services']
    assert svc['api-blue-1']['deploy'] == {'resources': {'limits': {'cpus': '0.5', 'memory': '512m'}}}
    assert svc['postgres']['deploy'] == {'resources': {'limits': {'cpus': '2', 'memory': '1g'}}}
    assert svc['worker']['deploy'] == {'resources': {'limits': {'memory': '256m'}}, 'replicas': 3}
    for name in ('admin-blue-1', 'redis', 'qdrant', 'n8n', 'beat'):
        assert 'deploy' not in svc[name], name


def test_compose_worker_replicas_without_limits():
    project = norm(proj(workers=[{'name': 'w', 'app': 'api', 'replicas': 4}]))
    assert stack.compose_project(project, {'api': [blue()]})['services']['w']['deploy'] == {'replicas': 4}


def test_compose_logging_restart_and_network_on_every_service(doc):
    subnet = stack.normalize_project(proj())['subnet']
    assert doc['networks'] == {'backend': {'name': 'shop_backend', 'ipam': {'config': [{
        'subnet': subnet, 'ip_range': subnet.replace('/16', '/22'), 'gateway': subnet.replace('.0/16', '.1')}]}}}
    for name, svc in doc['services'].items():
        assert svc['logging'] == {'driver': 'json-file', 'options': {'max-size': '10m', 'max-file': '5'}}, name
        if name.startswith(('api-', 'admin-')):
            assert list(svc['networks']) == ['backend'], name
        else:
            assert svc['networks'] == ['backend'], name
        assert svc['restart'] == 'unless-stopped', name


def test_compose_logging_from_the_role():
    log = {'driver': 'json-file', 'options': {'max-size': '50m', 'max-file': '3'}}
    doc = stack.compose_project(full_project(), {'api': [blue()]}, log)
    assert all(svc['logging'] == log for svc in doc['services'].values())
    doc['services']['postgres']['logging']['options']['max-size'] = '1k'
    assert doc['services']['redis']['logging']['options']['max-size'] == '50m'


def test_compose_volumes(doc):
    assert doc['volumes'] == {'n8n': {}, 'pgdata': {}, 'qdrant': {}, 'redis': {}, 'uploads': {}}
    assert doc['services']['postgres']['volumes'] == ['pgdata:/var/lib/postgresql/data']
    assert doc['services']['api-blue-1']['volumes'] == ['uploads:/srv/uploads', '/etc/ssl/certs:/etc/ssl/certs:ro']
    assert doc['services']['beat']['volumes'] == ['./beat:/beat']


def test_compose_without_volumes_declares_none():
    doc = stack.compose_project(norm(), {'api': [blue()]})
    assert 'volumes' not in doc
    assert sorted(doc['services']) == ['api-blue-1']
    assert 'depends_on' not in doc['services']['api-blue-1']


def test_compose_labels_command_and_grace(doc):
    svc = doc['services']['api-blue-1']
    assert svc['labels'] == {'vmdeploy.stack': 'shop', 'vmdeploy.app': 'api', 'vmdeploy.slot': 'blue', 'vmdeploy.release': 'r1'}
    assert svc['command'] == ['uvicorn', 'app:app'] and svc['stop_grace_period'] == '30s'
    assert 'command' not in doc['services']['admin-blue-1']
    assert doc['services']['worker']['labels'] == {'vmdeploy.stack': 'shop', 'vmdeploy.worker': 'worker'}
    assert doc['services']['worker']['command'] == ['celery', 'worker']


def test_compose_preset_details(doc):
    svc = doc['services']
    assert svc['postgres']['image'] == 'postgres:15'
    assert svc['postgres']['command'] == ['postgres', '-c', 'max_connections=200', '-c', 'shared_buffers=256MB']
    assert svc['postgres']['environment'] == {'POSTGRES_USER': 'app', 'POSTGRES_DB': 'app', 'POSTGRES_PASSWORD': '${POSTGRES_PASSWORD:?}'}
    assert '--appendonly no' in svc['redis']['command'][2]
    assert svc['redis']['command'][2].startswith('exec redis-server')
    assert svc['qdrant']['image'] == stack.PRESET_DEFAULTS['qdrant']['image']
    assert svc['n8n']['image'] == stack.PRESET_DEFAULTS['n8n']['image']


def test_compose_postgres_without_settings_has_no_command():
    doc = stack.compose_project(norm({'name': 'db', 'postgres': {'enabled': True}}), {})
    assert sorted(doc['services']) == ['postgres']
    assert 'command' not in doc['services']['postgres']
    assert doc['volumes'] == {'pgdata': {}}


def test_compose_two_slots_side_by_side():
    project = full_project()
    doc = stack.compose_project(project, {'api': [blue(), green()], 'admin': [blue('ghcr.io/acme/admin:2.0.0')]})
    svc = doc['services']
    assert {'api-blue-1', 'api-blue-2', 'api-green-1', 'api-green-2'} <= set(svc)
    assert [svc['api-blue-%d' % i]['image'] for i in (1, 2)] == [IMAGE, IMAGE]
    assert [svc['api-green-%d' % i]['image'] for i in (1, 2)] == ['ghcr.io/acme/api:2.0.0'] * 2
    assert svc['api-blue-1']['ports'] == ['127.0.0.1:8000:8000'] and svc['api-green-2']['ports'] == ['127.0.0.1:8101:8000']
    assert svc['api-green-1']['labels']['vmdeploy.slot'] == 'green' and svc['api-green-1']['labels']['vmdeploy.release'] == 'r2'
    assert svc['worker']['image'] == IMAGE          # workers follow the first (serving) entry
    ports = published_ports(doc)
    assert len(ports) == len(set(ports))


def test_compose_only_the_new_slot_after_a_switch():
    doc = stack.compose_project(full_project(), {'api': [green()]})
    assert 'api-blue-1' not in doc['services'] and 'api-green-1' in doc['services']
    assert 'admin-blue-1' not in doc['services']      # no entry: not rendered
    assert doc['services']['worker']['image'] == 'ghcr.io/acme/api:2.0.0'


def test_compose_worker_of_an_app_without_slot_is_left_out():
    doc = stack.compose_project(full_project(), {})
    assert 'worker' not in doc['services'] and 'beat' in doc['services']


@pytest.mark.parametrize('spec, expected', [
    ('curl -f http://127.0.0.1:8000/ok', {'test': ['CMD-SHELL', 'curl -f http://127.0.0.1:8000/ok'], 'interval': '5s',
                                          'timeout': '5s', 'retries': 3, 'start_period': '30s'}),
    (['CMD', '/bin/health'], {'test': ['CMD', '/bin/health'], 'interval': '5s', 'timeout': '5s', 'retries': 3,
                              'start_period': '30s'}),
    ({'test': 'true', 'interval': '1s', 'retries': 9}, {'test': ['CMD-SHELL', 'true'], 'interval': '1s', 'timeout': '5s',
                                                        'retries': 9, 'start_period': '30s'}),
])
def test_compose_custom_healthchecks(spec, expected):
    project = norm(proj(apps=[app(healthcheck=spec)], workers=[{'name': 'w', 'app': 'api', 'healthcheck': spec}]))
    doc = stack.compose_project(project, {'api': [blue()]})
    assert doc['services']['api-blue-1']['healthcheck'] == expected
    assert doc['services']['w']['healthcheck'] == expected


def test_compose_worker_default_healthcheck(doc):
    assert doc['services']['worker']['healthcheck']['test'] == ['CMD-SHELL', 'kill -0 1']


@pytest.mark.parametrize('offset', [100, 200, 1000])
def test_compose_green_ports_follow_the_slot_port_offset(offset):
    project = stack.normalize_project(proj(apps=[app(), app(name='web', host_port=8050, replicas=2)]), slot_port_offset=offset)
    web = project['apps'][1]
    doc = stack.compose_project(project, {'api': [green(release='r2')], 'web': [blue(), green()]}, None, offset)
    gate_ip = stack.gate_urls(project, project['apps'][0], 'green', offset)[0].split('/')[2].split(':')[0]
    assert doc['services']['api-green-1']['networks'] == {'backend': {'ipv4_address': gate_ip}}
    assert doc['services']['api-green-1']['ports'] == ['127.0.0.1:%d:8000' % (8000 + offset)]
    for slot in ('blue', 'green'):
        assert [doc['services'][s]['ports'] for s in stack.slot_services(web, slot)] == \
            [['127.0.0.1:%d:8000' % p] for p in stack.slot_ports(web, slot, offset)]


def test_compose_slot_port_offset_defaults_to_100():
    doc = stack.compose_project(norm(), {'api': [green()]})
    assert doc['services']['api-green-1']['ports'] == ['127.0.0.1:8100:8000']
    assert stack.compose_project(norm(), {'api': [green()]}, None, 100) == doc


# --- app_fingerprint --------------------------------------------------------------------------


def _fp(project, env_checksum='abc'):
    return stack.app_fingerprint(project, project['apps'][0], env_checksum)


def _mutate(path, value):
    def run(project):
        target = project
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return project
    return run


@pytest.mark.parametrize('change, checksum, differs', [
    (_mutate(('apps', 0, 'image'), 'ghcr.io/acme/api:1.0.1'), 'abc', True),
    (_mutate(('apps', 0, 'env'), {'LOG_LEVEL': 'debug'}), 'abc', True),
    (_mutate(('apps', 0, 'memory'), '1g'), 'abc', True),
    (_mutate(('apps', 0, 'command'), ['run']), 'abc', True),
    (_mutate(('env',), {'TZ': 'UTC'}), 'abc', True),
    (_mutate(('redis', 'enabled'), True), 'abc', True),
    (_mutate(('postgres', 'image'), 'postgres:17'), 'abc', True),   # postgres is enabled in the base
    (lambda p: p, 'def', True),                                       # .env changed (a secret)
    (lambda p: p, 'abc', False),
    (_mutate(('secrets',), {'x': STRONG}), 'abc', False),            # values reach the app only through .env
    (_mutate(('qdrant', 'image'), 'qdrant/qdrant:v9'), 'abc', False),  # a disabled preset
    (_mutate(('workers',), [{'name': 'w', 'image': 'x:1'}]), 'abc', False),
    (_mutate(('apps', 1, 'image'), 'web:2'), 'abc', False),          # another app
    (_mutate(('logging',), {'driver': 'local'}), 'abc', False),
], ids=['image', 'app-env', 'memory', 'command', 'stack-env', 'preset-enabled', 'enabled-preset-image', 'env-checksum',
        'nothing', 'secret-values', 'disabled-preset', 'workers', 'other-app', 'logging'])
def test_app_fingerprint(change, checksum, differs):
    base = norm(proj(apps=[app(), app(name='web', host_port=8010)], postgres={'enabled': True}))
    before = _fp(base)
    after = _fp(change(copy.deepcopy(base)), checksum)
    assert (before != after) is differs
    assert re.match(r'^[0-9a-f]{64}$', after)


def test_app_fingerprint_empty_checksum_is_stable():
    project = norm()
    assert stack.app_fingerprint(project, project['apps'][0]) == stack.app_fingerprint(project, project['apps'][0], None)


# --- plan_releases / serving_slots / state_entries --------------------------------------------


def state_of(project, slot='blue', image=IMAGE, release='r1', checksum='sum', **per_app):
    apps = {}
    for item in project['apps']:
        apps[item['name']] = {'slot': slot, 'image': image, 'release': release,
                              'fingerprint': stack.app_fingerprint(project, item, checksum)}
        apps[item['name']].update(per_app.get(item['name'], {}))
    return {'stack': project['name'], 'apps': apps}


@pytest.mark.parametrize('state', [None, {}, {'apps': {}}])
def test_plan_first(state):
    project = norm()
    plan = stack.plan_releases(project, state, 'sum', 'r9')[0]
    services = plan.pop('services')
    assert plan == {'app': 'api', 'strategy': 'bluegreen', 'image': IMAGE, 'fingerprint': _fp(project, 'sum'),
                    'slot': 'blue', 'release': 'r9', 'action': 'first', 'from_slot': None, 'from_image': None,
                    'from_release': None, 'from_fingerprint': None, 'from_services': None}
    assert services == stack.app_services(project, project['apps'][0], {'slot': 'blue', 'image': IMAGE, 'release': 'r9'})


@pytest.mark.parametrize('strategy, serving', [('bluegreen', 'blue'), ('bluegreen', 'green'), ('recreate', 'blue'),
                                               ('recreate', 'green')])
def test_plan_steady(strategy, serving):
    project = norm(proj(apps=[app(strategy=strategy)]))
    plan = stack.plan_releases(project, state_of(project, slot=serving), 'sum', 'r9')[0]
    assert plan['action'] == 'steady'
    assert plan['slot'] == serving and plan['release'] == 'r1' and plan['from_slot'] is None


@pytest.mark.parametrize('strategy, serving, new_slot', [
    ('bluegreen', 'blue', 'green'),
    ('bluegreen', 'green', 'blue'),
    ('recreate', 'blue', 'blue'),
    ('recreate', 'green', 'green'),
])
def test_plan_release_new_image(strategy, serving, new_slot):
    project = norm(proj(apps=[app(strategy=strategy, image='ghcr.io/acme/api:2.0.0')]))
    state = state_of(project, slot=serving, image=IMAGE)
    plan = stack.plan_releases(project, state, 'sum', 'r9')[0]
    assert plan['action'] == 'release'
    assert plan['slot'] == new_slot and plan['image'] == 'ghcr.io/acme/api:2.0.0' and plan['release'] == 'r9'
    assert plan['from_slot'] == serving and plan['from_image'] == IMAGE and plan['from_release'] == 'r1'
    assert plan['from_fingerprint'] == state['apps']['api']['fingerprint']
    assert plan['fingerprint'] == _fp(project, 'sum')


def test_plan_release_on_settings_change_only():
    project = norm()
    state = state_of(project, checksum='old-env')
    plan = stack.plan_releases(project, state, 'new-env', 'r9')[0]
    assert plan['action'] == 'release' and plan['image'] == plan['from_image'] == IMAGE
    assert plan['slot'] == 'green'


def test_plan_several_apps():
    project = norm(proj(apps=[app(), app(name='web', host_port=8010, image='web:2'), app(name='new', host_port=8020)]))
    state = state_of(project, web={'image': 'web:1', 'slot': 'green'})
    del state['apps']['new']
    plans = stack.plan_releases(project, state, 'sum', 'r9')
    assert [(p['app'], p['action'], p['slot']) for p in plans] == [('api', 'steady', 'blue'), ('web', 'release', 'blue'),
                                                                   ('new', 'first', 'blue')]


def test_plan_recreate_reports_the_slot_that_serves():
    """A recreate app serving on green (e.g. after a switch from bluegreen) is released in place on green."""
    project = norm(proj(apps=[app(strategy='recreate', image='ghcr.io/acme/api:2.0.0')]))
    plans = stack.plan_releases(project, state_of(project, slot='green'), 'sum', 'r9')
    plan = plans[0]
    assert plan['action'] == 'release'
    assert plan['from_slot'] == 'green' and plan['slot'] == 'green'
    assert _bare(stack.serving_slots(plans, 'before')) == {'api': [{'slot': 'green', 'image': IMAGE, 'release': 'r1'}]}
    assert _bare(stack.serving_slots(plans, 'during')) == {'api': [{'slot': 'green', 'image': 'ghcr.io/acme/api:2.0.0', 'release': 'r9'}]}
    assert stack.serving_slots(plans, 'after') == stack.serving_slots(plans, 'during')
    assert stack.state_entries(plans)['api']['slot'] == 'green'


def test_plan_recreate_without_slot_in_state_serves_on_blue():
    project = norm(proj(apps=[app(strategy='recreate', image='ghcr.io/acme/api:2.0.0')]))
    state = state_of(project)
    del state['apps']['api']['slot']
    plan = stack.plan_releases(project, state, 'sum', 'r9')[0]
    assert plan['from_slot'] == 'blue' and plan['slot'] == 'blue'


def _plans():
    project = norm(proj(apps=[
        app(image='api:2'),                                              # bluegreen release blue -> green
        app(name='db-ui', host_port=8010, strategy='recreate', image='ui:2'),   # recreate release
        app(name='web', host_port=8020),                                 # steady on green
        app(name='new', host_port=8030),                                 # first
    ]))
    state = state_of(project, image=IMAGE, api={'image': 'api:1'}, **{'db-ui': {'image': 'ui:1'}})
    state['apps']['web']['slot'] = 'green'
    del state['apps']['new']
    return stack.plan_releases(project, state, 'sum', 'r9')


@pytest.mark.parametrize('phase, expected', [
    ('before', {
        'api': [{'slot': 'blue', 'image': 'api:1', 'release': 'r1'}],
        'db-ui': [{'slot': 'blue', 'image': 'ui:1', 'release': 'r1'}],
        'web': [{'slot': 'green', 'image': IMAGE, 'release': 'r1'}],
        'new': [{'slot': 'blue', 'image': IMAGE, 'release': 'r9'}],
    }),
    ('during', {
        'api': [{'slot': 'blue', 'image': 'api:1', 'release': 'r1'}, {'slot': 'green', 'image': 'api:2', 'release': 'r9'}],
        'db-ui': [{'slot': 'blue', 'image': 'ui:2', 'release': 'r9'}],
        'web': [{'slot': 'green', 'image': IMAGE, 'release': 'r1'}],
        'new': [{'slot': 'blue', 'image': IMAGE, 'release': 'r9'}],
    }),
    ('after', {
        'api': [{'slot': 'green', 'image': 'api:2', 'release': 'r9'}],
        'db-ui': [{'slot': 'blue', 'image': 'ui:2', 'release': 'r9'}],
        'web': [{'slot': 'green', 'image': IMAGE, 'release': 'r1'}],
        'new': [{'slot': 'blue', 'image': IMAGE, 'release': 'r9'}],
    }),
])
def test_serving_slots(phase, expected):
    plans = _plans()
    assert [p['action'] for p in plans] == ['release', 'release', 'steady', 'first']
    assert _bare(stack.serving_slots(plans, phase)) == expected


def _bare(slots):
    """Slots or state entries without the service definitions they carry."""
    return dict((k, [dict((x, y) for x, y in e.items() if x != 'services') for e in v] if isinstance(v, list)
                 else dict((x, y) for x, y in v.items() if x != 'services')) for k, v in slots.items())


def test_serving_slots_default_phase_is_before():
    plans = _plans()
    assert stack.serving_slots(plans) == stack.serving_slots(plans, 'before')


def test_state_entries_keep_what_serves_now():
    plans = _plans()
    entries = _bare(stack.state_entries(plans))
    by_app = dict((p['app'], p) for p in plans)
    assert entries['api'] == {'slot': 'blue', 'image': 'api:1', 'fingerprint': by_app['api']['from_fingerprint'], 'release': 'r1'}
    assert entries['db-ui'] == {'slot': 'blue', 'image': 'ui:1', 'fingerprint': by_app['db-ui']['from_fingerprint'], 'release': 'r1'}
    assert entries['web'] == {'slot': 'green', 'image': IMAGE, 'fingerprint': by_app['web']['fingerprint'], 'release': 'r1'}
    assert entries['new'] == {'slot': 'blue', 'image': IMAGE, 'fingerprint': by_app['new']['fingerprint'], 'release': 'r9'}


def test_state_entries_round_trip_to_steady():
    """After the first deploy, the recorded state plans every app as steady."""
    project = norm(proj(apps=[app(), app(name='web', host_port=8010, strategy='recreate')]))
    state = {'apps': stack.state_entries(stack.plan_releases(project, {}, 'sum', 'r1'))}
    assert [p['action'] for p in stack.plan_releases(project, state, 'sum', 'r2')] == ['steady', 'steady']


def test_slot_flips_on_each_release():
    project = norm()
    state, slots = {}, []
    for i, image in enumerate(['api:1', 'api:2', 'api:3', 'api:4']):
        project['apps'][0]['image'] = image
        plan = stack.plan_releases(project, state, 'sum', 'r%d' % i)[0]
        slots.append(plan['slot'])
        state = {'apps': {'api': {'slot': plan['slot'], 'image': plan['image'], 'fingerprint': plan['fingerprint'],
                                  'release': plan['release']}}}
    assert slots == ['blue', 'green', 'blue', 'green']


# --- addresses, upstream servers, the release flow's steps ------------------------------------


def _subnet_project(**kwargs):
    return norm(proj(subnet='10.231.0.0/16', **kwargs))


def test_default_subnet_is_a_stable_16_of_the_pool():
    one, two = norm()['subnet'], norm()['subnet']
    assert one == two and one.endswith('.0.0/16') and one.startswith('10.')
    assert norm(network_pool='10.200.0.0/15')['subnet'] in ('10.200.0.0/16', '10.201.0.0/16')


@pytest.mark.parametrize('subnet', ['10.231.0.0/24', '8.8.0.0/16', 'fd00::/64', 'nope', '10.231.1.0/16'])
def test_subnet_must_be_a_private_16(subnet):
    with pytest.raises(stack.StackError) as exc:
        norm(proj(subnet=subnet))
    assert 'stack_projects[shop].subnet must be a private IPv4 /16' in str(exc.value)


@pytest.mark.parametrize('pool', ['10.0.0.0/24', 'x'])
def test_bad_network_pool(pool):
    with pytest.raises(stack.StackError, match='stack_network_pool must be'):
        norm(network_pool=pool)


def test_two_stacks_on_one_subnet_are_refused():
    with pytest.raises(stack.StackError) as exc:
        stack.normalize_projects([proj(subnet='10.231.0.0/16'),
                                  proj(name='blog', subnet='10.231.0.0/16', apps=[app(host_port=9000)])])
    assert str(exc.value).startswith('stack_projects[blog].subnet: 10.231.0.0/16 is also the network of stack shop')


def test_slot_addresses_are_subnet_plus_host_port():
    project = _subnet_project(apps=[app(replicas=2)])
    assert stack.slot_addresses(project, project['apps'][0], 'blue') == ['10.231.31.64', '10.231.31.65']
    assert stack.slot_addresses(project, project['apps'][0], 'green', 200) == ['10.231.32.8', '10.231.32.9']


@pytest.mark.parametrize('kind, expected', [
    ('container', [{'address': '10.231.31.164:3000'}, {'address': '10.231.31.165:3000'}]),
    ('published', [{'address': '127.0.0.1:8100'}, {'address': '127.0.0.1:8101'}]),
])
def test_upstream_servers_by_address_kind(kind, expected):
    project = _subnet_project(apps=[app(replicas=2, port=3000)])
    assert stack.upstream_servers(project, project['apps'][0], 'green', 100, kind) == expected


def test_unknown_address_kind():
    project = _subnet_project()
    with pytest.raises(stack.StackError):
        stack.upstream_servers(project, project['apps'][0], 'blue', 100, 'dns')


@pytest.mark.parametrize('proxy, host, kind', [('web1', 'web1', 'container'), ('edge1', 'app1', 'published')])
def test_address_kind(proxy, host, kind):
    assert stack.address_kind(proxy, host) == kind


def test_upstream_name():
    assert stack.upstream_name('my-shop', {'name': 'api-v2'}) == 'my_shop_api_v2'


def test_compose_dynamic_range_stays_below_the_fixed_addresses():
    project = _subnet_project()
    net = stack.compose_project(project, {'api': [blue()]})['networks']['backend']
    assert net['ipam']['config'] == [{'subnet': '10.231.0.0/16', 'ip_range': '10.231.0.0/22', 'gateway': '10.231.0.1'}]
    # host ports start at 1024: every fixed address is above 10.231.3.255
    low = _subnet_project(apps=[app(host_port=1024)])
    assert stack.slot_addresses(low, low['apps'][0], 'blue') == ['10.231.4.0']


def _released(change, strategy='bluegreen'):
    """Plans of a stack whose app api (serving on blue) gets `change`, with the state of before."""
    before = _subnet_project(apps=[app(strategy=strategy, replicas=2 if strategy == 'bluegreen' else 1, memory='256m')],
                             workers=[{'name': 'worker', 'app': 'api'}])
    state = {'apps': stack.state_entries(stack.plan_releases(before, {}, 'sum', 'r1'))}
    after = copy.deepcopy(before)
    after['apps'][0].update(change)
    plans = stack.plan_releases(after, state, 'sum', 'r2')
    return before, after, state, plans


@pytest.mark.parametrize('change', [{'env': {'FEATURE_FLAG': 'on'}}, {'memory': '512m'}, {'cpus': 0.5},
                                    {'replicas': 3}, {'command': ['serve', '--fast']},
                                    {'volumes': ['data:/data']}, {'image': 'ghcr.io/acme/api:2.0.0'}],
                         ids=['env', 'memory', 'cpus', 'replicas', 'command', 'volumes', 'image'])
def test_every_change_is_a_release_that_leaves_the_serving_slot_as_it_runs(change):
    before, after, state, plans = _released(change)
    assert plans[0]['action'] == 'release' and plans[0]['slot'] == 'green'
    running = stack.compose_project(before, {'api': [blue()]})['services']
    for phase in ('before', 'during'):
        doc = stack.compose_project(after, stack.serving_slots(plans, phase))
        for name in ('api-blue-1', 'api-blue-2'):
            assert doc['services'][name] == running[name], (phase, name)
    # the serving containers are not even brought up before the switch
    assert not set(stack.before_services(after, plans)) & {'api-blue-1', 'api-blue-2'}
    assert 'worker' in stack.before_services(after, plans)
    green_svcs = stack.compose_project(after, stack.serving_slots(plans, 'after'))['services']
    key, value = list(change.items())[0]
    if key == 'replicas':
        assert sorted(n for n in green_svcs if n.startswith('api-')) == ['api-green-1', 'api-green-2', 'api-green-3']
    elif key == 'env':
        assert green_svcs['api-green-1']['environment']['FEATURE_FLAG'] == 'on'


def test_a_legacy_state_without_services_renders_from_inventory():
    before, after, state, plans = _released({'env': {'A': '1'}})
    for entry in state['apps'].values():
        del entry['services']
    plans = stack.plan_releases(after, state, 'sum', 'r2')
    doc = stack.compose_project(after, stack.serving_slots(plans, 'before'))
    assert doc['services']['api-blue-1']['environment'] == {'A': '1'}
    steps = stack.release_steps(after, plans[0], stack.serving_slots(plans), stack.state_entries(plans),
                                proxy_hosts=['h1'], app_host='h1')
    # a slot released before the fixed addresses is reached on its published ports
    assert steps['abort_switch'] == [{'host': 'h1', 'name': 'shop_api', 'part': 'h1',
                                      'servers': [{'address': '127.0.0.1:8000'}, {'address': '127.0.0.1:8001'}]}]


def test_release_steps_bluegreen():
    before, after, state, plans = _released({'env': {'FEATURE_FLAG': 'on'}})
    slots, entries = stack.serving_slots(plans), stack.state_entries(plans)
    steps = stack.release_steps(after, plans[0], slots, entries, 100, 7, ['h1'], 'h1')
    assert _bare(steps['slots_during']) == {'api': [{'slot': 'blue', 'image': IMAGE, 'release': 'r1'},
                                                    {'slot': 'green', 'image': IMAGE, 'release': 'r2'}]}
    assert steps['slots_during']['api'][0]['services'] == state['apps']['api']['services']
    assert steps['start_services'] == ['api-green-1', 'api-green-2']
    assert steps['migrate_service'] is None
    assert steps['gate_urls'] == ['http://10.231.31.164:8000/health', 'http://10.231.31.165:8000/health']
    assert steps['gate_containers'] == ['shop-api-green-1-1', 'shop-api-green-2-1']
    assert steps['switch'] == [{'host': 'h1', 'name': 'shop_api', 'part': 'h1',
                                'servers': [{'address': '10.231.31.164:8000'}, {'address': '10.231.31.165:8000'}]}]
    assert steps['abort_switch'] == [{'host': 'h1', 'name': 'shop_api', 'part': 'h1',
                                      'servers': [{'address': '10.231.31.64:8000'}, {'address': '10.231.31.65:8000'}]}]
    assert steps['drain_seconds'] == 7
    assert _bare(steps['slots_after']) == {'api': [{'slot': 'green', 'image': IMAGE, 'release': 'r2'}]}
    assert steps['retire_services'] == ['api-green-1', 'api-green-2', 'worker']
    assert steps['state_after']['api']['slot'] == 'green' and steps['state_after']['api']['release'] == 'r2'
    assert steps['state_after']['api']['fingerprint'] == plans[0]['fingerprint']
    assert steps['abort_slots'] == slots
    assert steps['abort_services'] == ['api-blue-1', 'api-blue-2', 'worker']
    assert steps['abort_recreate'] == 'never'
    # inputs are not changed
    assert _bare(slots) == {'api': [{'slot': 'blue', 'image': IMAGE, 'release': 'r1'}]}


@pytest.mark.parametrize('replicas', [1, 3])
def test_release_steps_put_back_the_old_slot_as_it_runs_when_replicas_change(replicas):
    """The serving slot had 2 replicas: the abort names its 2 services and servers, whatever the new count."""
    before, after, state, plans = _released({'replicas': replicas})
    steps = stack.release_steps(after, plans[0], stack.serving_slots(plans), stack.state_entries(plans), 100, 7,
                                ['h1'], 'h1')
    assert steps['abort_services'] == ['api-blue-1', 'api-blue-2', 'worker']
    assert steps['abort_switch'][0]['servers'] == [{'address': '10.231.31.64:8000'}, {'address': '10.231.31.65:8000'}]
    held = {'api-blue-1', 'api-blue-2'}
    assert not held & set(stack.before_services(after, plans))


def test_release_steps_recreate():
    before, after, state, plans = _released({'env': {'FEATURE_FLAG': 'on'}}, strategy='recreate')
    steps = stack.release_steps(after, plans[0], stack.serving_slots(plans), stack.state_entries(plans), 100, 7,
                                ['h1'], 'h1')
    assert _bare(steps['slots_during']) == {'api': [{'slot': 'blue', 'image': IMAGE, 'release': 'r2'}]}
    assert steps['switch'] == [] and steps['abort_switch'] == [] and steps['drain_seconds'] == 0
    assert steps['start_services'] == ['api-blue-1']
    assert steps['abort_recreate'] == 'auto'


def test_release_steps_app_drain_and_migration_win():
    before, after, state, plans = _released({'drain_seconds': 1, 'migrate': 'app-migrate'})
    steps = stack.release_steps(after, plans[0], stack.serving_slots(plans), stack.state_entries(plans), 100, 7)
    assert steps['drain_seconds'] == 1 and steps['migrate_service'] == 'api-green-1'
    assert steps['switch'] == []  # no proxy hosts


def test_serving_upstreams_leave_released_apps_to_their_release():
    project = _subnet_project(apps=[app(), app(name='web', host_port=8010)])
    state = {'apps': stack.state_entries(stack.plan_releases(project, {}, 'sum', 'r1'))}
    project['apps'][0]['image'] = 'api:2'
    plans = stack.plan_releases(project, state, 'sum', 'r2')
    assert stack.serving_upstreams(project, plans, 100, ['h1'], 'h1') == [
        {'host': 'h1', 'name': 'shop_web', 'part': 'h1', 'servers': [{'address': '10.231.31.74:8000'}]}]


# --- rollback_targets -------------------------------------------------------------------------


def rec(release, name, image, result='success'):
    return {'id': release, 'app': name, 'image': image, 'result': result}


def serving(**apps):
    return {'apps': dict((name, {'image': image, 'release': release}) for name, (image, release) in apps.items())}


R1, R2, R3, R4 = '20251101T100000Z', '20251102T100000Z', '20251103T100000Z', '20251104T100000Z'

ROLLBACKS = [
    ('previous', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2')], serving(api=('api:2', R2)), 'previous', None,
     {'api': 'api:1'}),
    ('records-unsorted', [rec(R3, 'api', 'api:3'), rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2')],
     serving(api=('api:3', R3)), 'previous', None, {'api': 'api:2'}),
    ('skips-failed', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2', 'failed'), rec(R3, 'api', 'api:3')],
     serving(api=('api:3', R3)), 'previous', None, {'api': 'api:1'}),
    ('skips-same-image', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2'), rec(R3, 'api', 'api:2')],
     serving(api=('api:2', R3)), 'previous', None, {'api': 'api:1'}),
    ('skips-newer', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2'), rec(R3, 'api', 'api:3')],
     serving(api=('api:2', R2)), 'previous', None, {'api': 'api:1'}),
    ('several-apps', [rec(R1, 'api', 'api:1'), rec(R1, 'web', 'web:1'), rec(R2, 'api', 'api:2'), rec(R3, 'web', 'web:2')],
     serving(api=('api:2', R2), web=('web:2', R3)), 'previous', None, {'api': 'api:1', 'web': 'web:1'}),
    ('only-apps-with-history', [rec(R1, 'api', 'api:1'), rec(R1, 'web', 'web:1'), rec(R2, 'api', 'api:2')],
     serving(api=('api:2', R2), web=('web:1', R1)), 'previous', None, {'api': 'api:1'}),
    ('app-filter', [rec(R1, 'api', 'api:1'), rec(R1, 'web', 'web:1'), rec(R2, 'api', 'api:2'), rec(R3, 'web', 'web:2')],
     serving(api=('api:2', R2), web=('web:2', R3)), 'previous', 'web', {'web': 'web:1'}),
    ('named', [rec(R1, 'api', 'api:1'), rec(R1, 'web', 'web:1'), rec(R2, 'api', 'api:2')],
     serving(api=('api:2', R2), web=('web:1', R1)), R1, None, {'api': 'api:1', 'web': 'web:1'}),
    ('named-newer', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2')], serving(api=('api:1', R1)), R2, None,
     {'api': 'api:2'}),
    ('named-app-filter', [rec(R1, 'api', 'api:1'), rec(R1, 'web', 'web:1')], serving(api=('api:2', R2)), R1, 'api',
     {'api': 'api:1'}),
]


@pytest.mark.parametrize('records, state, release, only, expected', [r[1:] for r in ROLLBACKS], ids=[r[0] for r in ROLLBACKS])
def test_rollback_targets(records, state, release, only, expected):
    assert stack.rollback_targets(records, state, release, only) == expected


ROLLBACK_ERRORS = [
    ('nothing-earlier', [rec(R1, 'api', 'api:1')], serving(api=('api:1', R1)), 'previous', None,
     'no earlier successful release to go back to'),
    ('earlier-only-failed', [rec(R1, 'api', 'api:0', 'failed'), rec(R2, 'api', 'api:1')], serving(api=('api:1', R2)),
     'previous', None, 'no earlier successful release to go back to'),
    ('no-records', [], serving(api=('api:1', R1)), 'previous', None, 'no earlier successful release to go back to'),
    ('no-state', [rec(R1, 'api', 'api:1')], None, 'previous', None, 'no earlier successful release to go back to'),
    ('nothing-earlier-for-app', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2'), rec(R1, 'web', 'web:1')],
     serving(api=('api:2', R2), web=('web:1', R1)), 'previous', 'web',
     'no earlier successful release to go back to for app web'),
    ('unknown-release', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2')], serving(api=('api:2', R2)), 'nope', None,
     'stack_rollback_release: no successful release nope; recent ones: %s, %s' % (R1, R2)),
    ('failed-release', [rec(R1, 'api', 'api:1'), rec(R2, 'api', 'api:2', 'failed')], serving(api=('api:1', R1)), R2,
     None, 'stack_rollback_release: no successful release %s; recent ones: %s' % (R2, R1)),
    ('release-of-other-app', [rec(R1, 'web', 'web:1')], serving(web=('web:1', R1)), R1, 'api',
     'stack_rollback_release: no successful release %s of app api; recent ones: %s' % (R1, R1)),
    ('no-records-named', [], {}, R1, None, 'recent ones: none'),
]


@pytest.mark.parametrize('records, state, release, only, message', [r[1:] for r in ROLLBACK_ERRORS],
                         ids=[r[0] for r in ROLLBACK_ERRORS])
def test_rollback_target_errors(records, state, release, only, message):
    with pytest.raises(stack.StackError) as exc:
        stack.rollback_targets(records, state, release, only)
    assert message in str(exc.value)


def test_rollback_lists_at_most_ten_recent_releases():
    records = [rec('2025110%dT%02d0000Z' % (1 + i // 10, i % 10), 'api', 'api:%d' % i) for i in range(15)]
    with pytest.raises(stack.StackError) as exc:
        stack.rollback_targets(records, {}, 'nope')
    listed = str(exc.value).split('recent ones: ')[1].split(', ')
    assert listed == sorted(r['id'] for r in records)[-10:]


# --- the five backend shapes in docs/stack-examples/ -------------------------------------------

SHAPES = {
    'fastapi-postgres-n8n': {'api-blue-1', 'postgres', 'n8n'},
    'fastapi-postgres-qdrant': {'api-blue-1', 'postgres', 'qdrant'},
    'fastapi-sqlite-qdrant': {'api-blue-1', 'qdrant'},
    'node-pgvector-redis-worker': {'api-blue-1', 'api-blue-2', 'worker', 'postgres', 'redis'},
    'gunicorn-postgres-redis': {'api-blue-1', 'api-blue-2', 'postgres', 'redis'},
}


def _devault(value, found):
    """Replace every templated string by a strong constant, noting the template."""
    if isinstance(value, dict):
        return dict((k, _devault(v, found)) for k, v in value.items())
    if isinstance(value, list):
        return [_devault(v, found) for v in value]
    if isinstance(value, str) and '{{' in value:
        found.append(value)
        # a strong value of its own per vault variable: two secrets must differ
        return hashlib.sha256(value.encode()).hexdigest()[:40] + STRONG[:8]
    return value


def load_example(shape):
    raw = yaml.safe_load((EXAMPLES / ('%s.yml' % shape)).read_text())
    templates = []
    return _devault(raw, templates), templates


def test_examples_are_exactly_the_five_shapes():
    assert sorted(p.stem for p in EXAMPLES.glob('*.yml')) == sorted(SHAPES)
    assert not list(EXAMPLES.glob('*.yaml'))


@pytest.fixture(name='example', params=sorted(SHAPES))
def fixture_example(request):
    data, templates = load_example(request.param)
    projects = stack.normalize_projects(data['stack_projects'])
    return {'shape': request.param, 'data': data, 'templates': templates, 'projects': projects}


def _slots(project, both=False):
    slots = {}
    for item in project['apps']:
        slots[item['name']] = [blue(item['image'])]
        if both and item['strategy'] == 'bluegreen':
            slots[item['name']].append(green(item['image'] + '-next'))
    return slots


def test_example_renders_the_promised_services(example):
    assert set(example['data']) <= {'stack_projects', 'nginx_sites', 'stack_environment'}
    assert 'stack_projects' in example['data'] and 'nginx_sites' in example['data']
    assert len(example['projects']) == 1
    project = example['projects'][0]
    doc = stack.compose_project(project, _slots(project))
    assert set(doc['services']) == SHAPES[example['shape']]
    for name, svc in doc['services'].items():
        assert svc['healthcheck']['test'], name
    assert all(p.startswith('127.0.0.1:') for p in published_ports(doc))
    assert STRONG not in json.dumps(doc)
    env = env_lines(stack.env_file(project, project['secrets']))
    assert referenced_vars(doc) <= set(env)
    assert all(env.values()), 'a variable of .env is empty'


def test_example_renders_both_slots_without_port_clash(example):
    project = example['projects'][0]
    doc = stack.compose_project(project, _slots(project, both=True))
    ports = published_ports(doc)
    assert len(ports) == len(set(ports))
    for item in project['apps']:
        if item['strategy'] == 'bluegreen':
            assert set(stack.slot_services(item, 'green')) <= set(doc['services'])


def test_example_secrets_come_from_vault(example):
    project = example['projects'][0]
    assert example['templates'], 'no vault reference'
    assert all(re.match(r'^\{\{ vault_[a-z0-9_]+ \}\}$', t) for t in example['templates'])
    # every secret the stack needs is given from vault: nothing is left to generation
    assert stack.secret_names(project) == sorted(project['secrets'])
    assert stack.weak_secrets(example['projects']) == []
    assert example['data'].get('stack_environment', 'production') == 'production'


def test_example_sites_point_at_the_stack(example):
    project = example['projects'][0]
    upstreams = set('%s_%s' % (project['name'].replace('-', '_'), a['name'].replace('-', '_')) for a in project['apps'])
    used = set()
    for site in example['data']['nginx_sites']:
        for loc in site['locations']:
            if 'upstream' in loc:
                assert loc['upstream'] in upstreams, loc
                used.add(loc['upstream'])
            else:
                assert project['n8n']['enabled'], loc
                assert loc['proxy_pass'] == 'http://127.0.0.1:%d' % project['n8n']['host_port']
    assert used == upstreams


@pytest.mark.parametrize('role, variables', [('stack', ('stack_projects', 'stack_environment')), ('nginx', ('nginx_sites',))])
def test_example_passes_the_argument_specs(example, role, variables):
    spec = yaml.safe_load((ROOT / 'roles' / role / 'meta' / 'argument_specs.yml').read_text())
    options = spec['argument_specs']['main']['options']
    given = dict((v, example['data'][v]) for v in variables if v in example['data'])
    result = ArgumentSpecValidator(dict((v, options[v]) for v in variables)).validate(given)
    assert result.error_messages == []


def test_example_shape_details():
    def only(shape):
        data = load_example(shape)[0]
        return stack.normalize_projects(data['stack_projects'])[0]

    crm = only('fastapi-postgres-n8n')
    assert crm['postgres']['image'] == 'postgres:15' and crm['n8n']['enabled']
    search = only('fastapi-postgres-qdrant')
    assert search['postgres']['enabled'] and search['qdrant']['enabled']
    notes = only('fastapi-sqlite-qdrant')
    assert notes['apps'][0]['strategy'] == 'recreate' and notes['apps'][0]['replicas'] == 1
    assert not notes['postgres']['enabled'] and notes['qdrant']['enabled']
    doc = stack.compose_project(notes, _slots(notes))
    assert doc['services']['api-blue-1']['environment']['DATABASE_URL'].startswith('sqlite:////')
    volume = notes['apps'][0]['volumes'][0].split(':')[0]
    assert volume in doc['volumes']
    chat = only('node-pgvector-redis-worker')
    assert chat['postgres']['image'] == 'pgvector/pgvector:pg16' and chat['postgres']['pgvector'] is True
    assert chat['apps'][0]['migrate'] == 'npx prisma migrate deploy' and chat['apps'][0]['replicas'] == 2
    assert chat['workers'][0]['app'] == 'api' and chat['redis']['enabled']
    shop = only('gunicorn-postgres-redis')
    assert shop['postgres']['image'] == 'postgres:15' and shop['redis']['enabled']
    api = shop['apps'][0]
    assert api['replicas'] == 2 and api['cpus'] and api['memory'] and api['command'][0] == 'gunicorn'
    doc = stack.compose_project(shop, _slots(shop))
    assert doc['services']['api-blue-2']['deploy']['resources']['limits'] == {'cpus': str(api['cpus']), 'memory': api['memory']}


def test_readme_shows_every_example():
    readme = (ROOT / 'roles' / 'stack' / 'README.md').read_text()
    for shape in SHAPES:
        assert (EXAMPLES / ('%s.yml' % shape)).read_text() in readme, shape


# --- issue 14: secrets, images, presets, names ------------------------------------------------------

def test_two_secrets_with_the_same_value_are_refused_without_showing_it():
    secrets = {'secret_key': STRONG, 'jwt_secret_key': STRONG, 'postgres_password': STRONG_2}
    found = stack.weak_secrets(stack.normalize_projects([proj(secrets=secrets)]))
    assert found == ['stack_projects[shop].secrets.secret_key: it has the same value as secrets.jwt_secret_key; '
                     'two secrets must differ (one leaked must not open the other)']
    assert STRONG not in found[0]


def test_equal_placeholders_are_reported_once_as_placeholders():
    found = stack.weak_secrets(stack.normalize_projects([proj(secrets={'a': 'changeme', 'b': 'changeme'})]))
    assert found == ['stack_projects[shop].secrets.a: it is a placeholder', 'stack_projects[shop].secrets.b: it is a placeholder']


@pytest.mark.parametrize('lengths, value, reason', [
    ({'aws_key_id': 20}, 'AKIAIOSFODNN7QWERTZU', None),
    ({'aws_key_id': 20}, 'AKIAIOSFODNN7QWERTZ', 'its declared length (secret_lengths) is 20 characters, it has 19'),
    ({}, 'AKIAIOSFODNN7QWERTZU', SHORT),
])
def test_a_third_party_credential_may_declare_its_fixed_length(lengths, value, reason):
    project = stack.normalize_projects([proj(secrets={'aws_key_id': value}, secret_lengths=lengths)])
    found = stack.weak_secrets(project)
    assert found == ([] if reason is None else ['stack_projects[shop].secrets.aws_key_id: ' + reason])


@pytest.mark.parametrize('lengths, words', [
    ({'aws_key_id': 8}, 'a whole number from 16 to 31'),
    ({'aws_key_id': 40}, 'need no declaration'),
    ({'aws_key_id': True}, 'a whole number from 16 to 31'),
    ({'AWS': 20}, "'AWS' is not a secret name"),
    (['aws_key_id'], 'must map secret names to their fixed length'),
])
def test_secret_lengths_are_checked(lengths, words):
    with pytest.raises(stack.StackError, match=re.escape(words)):
        stack.normalize_projects([proj(secret_lengths=lengths)])


def test_a_declared_length_needs_its_secret():
    found = stack.weak_secrets(stack.normalize_projects([proj(secret_lengths={'aws_key_id': 20})]))
    assert found == ['stack_projects[shop].secret_lengths.aws_key_id: a declared length is for a secret given in '
                     'secrets; aws_key_id is not there (a generated secret is always 32+ characters)']


@pytest.mark.parametrize('kind, project, words', [
    ('app', proj(apps=[app(image='ghcr.io/acme/api :1')]), W + '.apps[api].image contains a space'),
    ('app', proj(apps=[app(image='ghcr.io/Acme/api:1')]), W + '.apps[api].image has a repository name with upper case'),
    ('worker', proj(workers=[{'name': 'w', 'image': 'acme/w:1 '}]), W + '.workers[w].image contains a space'),
    ('preset', proj(redis={'enabled': True, 'image': 'Redis:7'}), W + '.redis.image has a repository name with upper'),
    ('pgvector', proj(postgres={'enabled': True, 'pgvector': True}),
     W + '.postgres.pgvector needs an image with the vector extension, such as pgvector/pgvector:pg16'),
])
def test_images_and_presets_are_checked_at_validation_time(kind, project, words):
    with pytest.raises(stack.StackError, match=re.escape(words)):
        stack.normalize_projects([project])


def test_an_image_override_is_checked_and_named_as_such():
    with pytest.raises(stack.StackError, match=re.escape("stack_image_overrides contains a space")):
        stack.normalize_projects([proj()], image_overrides={'shop': {'api': 'acme/api 2'}})


def test_pgvector_with_its_image_passes():
    out = stack.normalize_projects([proj(postgres={'enabled': True, 'pgvector': True, 'image': 'pgvector/pgvector:pg16'})])
    assert out[0]['postgres']['pgvector'] is True


def test_check_projects_returns_the_first_message():
    assert stack.check_projects([proj()]) == []
    assert stack.check_projects([proj(apps=[app(replica=2)])]) == [
        W + '.apps[api]: unknown key(s) replica (did you mean `replicas`?); allowed: ' + ', '.join(sorted(
            set(stack.APP_DEFAULTS) | {'name', 'image'}))]


def test_upstreams_of_name_every_app_by_host():
    projects = [proj(), {'name': 'blog-x', 'apps': [app(name='web-ui', host_port=9000)]}, 'junk', {'apps': []}]
    assert stack.upstreams_of(projects, 'app-1') == {
        'shop_api': 'app-1: stack_projects[shop].apps[api]',
        'blog_x_web_ui': 'app-1: stack_projects[blog-x].apps[web-ui]'}
    assert stack.upstreams_of(None) == {}


@pytest.mark.parametrize('image', ['postgres:16', 'postgres', 'docker.io/library/postgres:17-alpine',
                                   'bitnami/postgresql:16@sha256:' + 'a' * 64])
def test_pgvector_on_a_known_image_without_it_is_refused(image):
    with pytest.raises(stack.StackError, match=re.escape('.postgres.pgvector needs an image with the vector extension')):
        stack.normalize_projects([proj(postgres={'enabled': True, 'pgvector': True, 'image': image})])


@pytest.mark.parametrize('image', ['ghcr.io/acme/postgres-ai:16', 'registry.local:5000/db/pg:16', 'tensorchord/pgvecto-rs:pg16'])
def test_pgvector_on_another_image_is_left_to_the_host_check(image):
    # Such an image may have vector built in; the role checks pg_available_extensions before CREATE EXTENSION.
    out = stack.normalize_projects([proj(postgres={'enabled': True, 'pgvector': True, 'image': image})])
    assert out[0]['postgres']['image'] == image


@pytest.mark.parametrize('image, repository', [
    ('postgres:16', 'postgres'), ('registry.local:5000/db/pg:16', 'registry.local:5000/db/pg'),
    ('registry.local:5000/db/pg', 'registry.local:5000/db/pg'), ('pg@sha256:' + 'b' * 64, 'pg'),
])
def test_repository_of_an_image(image, repository):
    assert stack._repository(image) == repository


@pytest.mark.parametrize('postgres, n8n, words', [
    ({'enabled': True, 'database': 'app'}, {'enabled': True, 'database': 'app'},
     W + '.n8n.database must be a database of its own: app is also ' + W + '.postgres.database'),
    ({'enabled': True, 'databases': ['flows']}, {'enabled': True, 'database': 'flows'},
     W + '.n8n.database must be a database of its own: flows is also in ' + W + '.postgres.databases'),
    ({'enabled': True}, {'enabled': True, 'env': {'DB_POSTGRESDB_DATABASE': 'other', 'GENERIC_TIMEZONE': 'UTC'}},
     W + '.n8n.env must not set DB_POSTGRESDB_DATABASE: the preset sets it'),
])
def test_n8n_settings_that_cannot_work_with_the_preset_are_refused(postgres, n8n, words):
    with pytest.raises(stack.StackError, match=re.escape(words)):
        stack.normalize_projects([proj(postgres=postgres, n8n=n8n)])


def test_n8n_with_its_own_database_and_env_passes():
    out = stack.normalize_projects([proj(postgres={'enabled': True}, n8n={'enabled': True, 'env': {'GENERIC_TIMEZONE': 'UTC'}})])
    assert out[0]['n8n']['database'] == 'n8n'


# --- A fleet: data hosts, published addresses, upstream parts, rolls -----------------------------

def fleet_project(**kwargs):
    return norm(proj(data_host='db1', postgres={'enabled': True}, redis={'enabled': True}, **kwargs))


def test_a_data_host_runs_the_data_services_published_on_its_address():
    [placed] = stack.place_projects([fleet_project()], 'db1', '192.168.213.14', {'db1': '192.168.213.14'})
    assert placed['placement'] == 'data' and placed['apps'] == [] and placed['workers'] == []
    doc = stack.compose_project(placed, {})
    assert sorted(doc['services']) == ['postgres', 'redis']
    assert doc['services']['postgres']['ports'] == ['192.168.213.14:5432:5432']
    assert doc['services']['redis']['ports'] == ['192.168.213.14:6379:6379']


def test_an_app_host_runs_the_apps_against_the_data_host():
    [placed] = stack.place_projects([fleet_project()], 'app1', '192.168.213.12', {'db1': '192.168.213.14'})
    assert placed['placement'] == 'apps'
    plan = stack.plan_releases(placed, {}, '', 'r1')
    doc = stack.compose_project(placed, stack.serving_slots(plan))
    assert sorted(doc['services']) == ['api-blue-1']
    api = doc['services']['api-blue-1']
    assert api['ports'] == ['192.168.213.12:8000:8000']
    assert 'depends_on' not in api
    assert api['environment']['DATABASE_URL'] == 'postgresql://app:${POSTGRES_PASSWORD_URLENC:?}@192.168.213.14:5432/app'
    assert api['environment']['REDIS_URL'] == 'redis://:${REDIS_PASSWORD_URLENC:?}@192.168.213.14:6379/0'


def test_a_stack_without_data_host_is_placed_whole_and_unchanged():
    project = norm(proj(postgres={'enabled': True}))
    [placed] = stack.place_projects([project], 'h1')
    assert placed['placement'] == 'all'
    plan = stack.plan_releases(placed, {}, '', 'r1')
    assert stack.compose_project(placed, stack.serving_slots(plan)) == stack.compose_project(project, stack.serving_slots(plan))
    assert stack.app_fingerprint(placed, placed['apps'][0]) == stack.app_fingerprint(project, project['apps'][0])


def test_a_data_host_keeps_its_own_stacks_only():
    other = norm(proj(name='blog', apps=[app(host_port=9000)]))
    placed = stack.place_projects([fleet_project(), other], 'db1', '192.168.213.14', {'db1': '192.168.213.14'}, True)
    assert [p['name'] for p in placed] == ['shop']


def test_an_app_host_needs_the_address_of_the_data_host():
    with pytest.raises(stack.StackError, match=r'stack_projects\[shop\].data_host: no address known for db1'):
        stack.place_projects([fleet_project()], 'app1', '192.168.213.12', {})


@pytest.mark.parametrize('changes, message', [
    ({'data_host': 'db1'}, W + '.data_host is set, but the stack has no data service to run there'),
    ({'data_host': 'db1', 'postgres': {'enabled': True}, 'n8n': {'enabled': True}}, W + '.n8n runs beside its PostgreSQL'),
    ({'data_host': ['db1']}, W + '.data_host must be the inventory name of the host'),
    ({'postgres': {'enabled': True, 'host_port': 80}}, W + '.postgres.host_port (the port it is published on, on its data host)'),
])
def test_data_host_rules(changes, message):
    with pytest.raises(stack.StackError) as exc:
        norm(proj(**changes))
    assert message in str(exc.value)


def test_two_stacks_on_one_data_host_need_their_own_ports():
    a = proj(data_host='db1', postgres={'enabled': True})
    b = proj(name='blog', data_host='db1', postgres={'enabled': True}, apps=[app(host_port=9000)])
    with pytest.raises(stack.StackError, match=r'stack_projects\[blog\].postgres.host_port: port 5432 on data host db1'):
        stack.normalize_projects([a, b])
    b['postgres']['host_port'] = 5433
    assert len(stack.normalize_projects([a, b])) == 2


def test_a_proxy_on_another_host_gets_this_hosts_part_at_its_published_ports():
    [placed] = stack.place_projects([fleet_project(apps=[app(replicas=2)])], 'app1', '192.168.213.12',
                                    {'db1': '192.168.213.14'})
    plans = stack.plan_releases(placed, {}, '', 'r1')
    assert stack.serving_upstreams(placed, plans, 100, ['edge'], 'app1') == [
        {'host': 'edge', 'name': 'shop_api', 'part': 'app1',
         'servers': [{'address': '192.168.213.12:8000'}, {'address': '192.168.213.12:8001'}]}]
    state = {'apps': {'api': dict(stack.state_entries(plans)['api'])}}
    placed['apps'][0]['image'] = 'ghcr.io/acme/api:1.1.0'
    [plan] = stack.plan_releases(placed, state, '', 'r2')
    steps = stack.release_steps(placed, plan, stack.serving_slots([plan]), state['apps'], 100, 5, ['edge'], 'app1')
    assert steps['switch'] == [{'host': 'edge', 'name': 'shop_api', 'part': 'app1',
                                'servers': [{'address': '192.168.213.12:8100'}, {'address': '192.168.213.12:8101'}]}]
    assert steps['abort_switch'][0]['servers'] == [{'address': '192.168.213.12:8000'}, {'address': '192.168.213.12:8001'}]


def test_a_roll_goes_over_the_releasing_hosts_in_batches():
    release = [{'app': 'api', 'action': 'release'}]
    steady = [{'app': 'api', 'action': 'steady'}]
    roll = stack.fleet_roll(['a1', 'a2', 'a3', 'a4'], [release, steady, release, release], 'api', 2)
    assert roll == {'hosts': ['a1', 'a3', 'a4'], 'batches': [['a1', 'a3'], ['a4']], 'migrate_host': 'a1'}
    assert stack.fleet_roll(['a1'], [steady], 'api') == {'hosts': [], 'batches': [], 'migrate_host': None}
    with pytest.raises(stack.StackError, match='stack_release_batch must be a whole number of at least 1'):
        stack.fleet_roll(['a1'], [release], 'api', 0)


def test_the_home_of_a_stack_is_its_data_host_else_its_first_app_host():
    shop, blog = [{'name': 'shop'}], [{'name': 'blog'}]
    assert stack.fleet_of('shop', ['a1', 'a2', 'a3'], [blog, shop, shop], '', 'a3') == {'hosts': ['a2', 'a3'], 'home': 'a2'}
    assert stack.fleet_of('shop', ['a1', 'a2'], [shop, shop], 'db1', 'db1') == {'hosts': ['a1', 'a2'], 'home': 'db1'}
    assert stack.fleet_of('shop', [], [], '', 'solo') == {'hosts': ['solo'], 'home': 'solo'}
