# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# Pure functions behind the `stack` role: a stack definition from inventory is normalised
# and checked, then turned into a Compose project (services, healthchecks, start order,
# limits, fixed addresses on the stack network), into the names, ports and addresses of each
# release slot, and into the steps of one release flow shared by both strategies. The servers
# nginx should route to are handed over as data; nginx's files are the nginx role's.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import hashlib
import ipaddress
import json
import re

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    image_reference_error,
    unknown_key_message,
)

NAME_RE = re.compile(r'^[a-z][a-z0-9-]{0,30}$')
SECRET_RE = re.compile(r'^[a-z][a-z0-9_]{0,63}$')
SIZE_RE = re.compile(r'^[0-9]+(\.[0-9]+)?[kmgKMG]?$')
SLOTS = ('blue', 'green')
STRATEGIES = ('bluegreen', 'recreate')
#: Where stacks without a `subnet` get theirs: a /16 chosen from the stack name.
NETWORK_POOL = '10.192.0.0/10'
#: Addresses Docker hands out on a stack network (data services, workers): below every fixed
#: replica address (subnet + host port, host ports start at 1024).
DYNAMIC_RANGE_PREFIX = 22
#: Bumped when the rendering of app services changes, so that the change is released (gated).
RENDER_FORMAT = 2

#: Values that must never guard a production system (documented examples included).
PLACEHOLDERS = (
    'changeme', 'change-me', 'change_me', 'password', 'passw0rd', 'secret', 'example',
    'admin', 'root', 'postgres', 'default', 'test', 'todo', 'xxx', 'replace-me',
)
PLACEHOLDER_PREFIXES = ('your-', 'your_', 'your ', 'replace with', 'replace-with', 'changeme', 'example',
                        'generate-', 'generate_', 'generate with', 'insert-', 'insert ', 'put-', 'todo')
#: Words no real secret contains (documented defaults such as generate-with-openssl-rand-base64-32,
#: your-secret-key-here, super-secret-change-me).
PLACEHOLDER_WORDS = ('changeme', 'change-me', 'change_me', 'change-this', 'replace', 'example', 'placeholder',
                     'secret', 'password', 'generate', 'openssl', 'your-', 'your_', '-here', '_here')
MIN_SECRET_LENGTH = 32
#: Shortest length a third-party credential of fixed length may declare (secret_lengths).
MIN_DECLARED_LENGTH = 16

APP_DEFAULTS = {
    'command': None,
    'port': 8000,
    'host_port': None,
    'health_path': '/health',
    'replicas': 1,
    'cpus': None,
    'memory': None,
    'env': {},
    'secret_env': {},
    'volumes': [],
    'strategy': 'bluegreen',
    'migrate': None,
    'healthcheck': None,
    'drain_seconds': None,
    'stop_grace_period': '30s',
}
WORKER_DEFAULTS = {
    'command': None,
    'replicas': 1,
    'cpus': None,
    'memory': None,
    'env': {},
    'secret_env': {},
    'volumes': [],
    'healthcheck': None,
}
PRESET_DEFAULTS = {
    'postgres': {
        'enabled': False, 'image': 'postgres:16', 'database': 'app', 'user': 'app',
        'databases': [], 'pgvector': False, 'settings': {}, 'memory': None, 'cpus': None, 'host_port': 5432,
    },
    'redis': {'enabled': False, 'image': 'redis:7', 'appendonly': True, 'memory': None, 'cpus': None,
              'host_port': 6379},
    'qdrant': {'enabled': False, 'image': 'qdrant/qdrant:v1.12.5', 'memory': None, 'cpus': None, 'host_port': 6333},
    'n8n': {
        'enabled': False, 'image': 'n8nio/n8n:1.72.1', 'host_port': 5678, 'database': 'n8n',
        'env': {}, 'memory': None, 'cpus': None,
    },
}
#: secret name -> environment variable holding it in .env
PRESET_SECRETS = {
    'postgres': ('postgres_password', 'POSTGRES_PASSWORD'),
    'redis': ('redis_password', 'REDIS_PASSWORD'),
    'qdrant': ('qdrant_api_key', 'QDRANT_API_KEY'),
    'n8n': ('n8n_encryption_key', 'N8N_ENCRYPTION_KEY'),
}


#: passwords that also go into connection URLs, URL-encoded as <VAR>_URLENC in .env
URL_SECRETS = {'POSTGRES_PASSWORD': 'postgres', 'REDIS_PASSWORD': 'redis'}
#: The stateful presets a data host carries (data_host), with the port each listens on in its container.
DATA_PRESETS = {'postgres': 5432, 'redis': 6379, 'qdrant': 6333}
#: Where a stack's parts run on a host (place_projects): everything ('all', one host), the apps and
#: workers with the data services on the stack's data host ('apps'), or the data services only ('data').
PLACEMENTS = ('all', 'apps', 'data')


class StackError(ValueError):
    """A stack definition that cannot be deployed; the message names the variable."""


def _merge(defaults, given, where, extra=()):
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise StackError('%s must be a mapping, got %r' % (where, given))
    allowed = set(defaults) | set(extra)
    unknown = sorted(set(given) - allowed, key=str)
    if unknown:
        raise StackError(unknown_key_message(where, unknown, allowed))
    merged = copy.deepcopy(defaults)
    merged.update(copy.deepcopy(given))
    return merged


def _label(item, index):
    """An entry of apps or workers by its name when it has a valid one, else by its index."""
    name = item.get('name') if isinstance(item, dict) else None
    return name if isinstance(name, str) and NAME_RE.match(name) else str(index)


def _check_limits(item, where):
    if item.get('memory') is not None and not SIZE_RE.match(str(item['memory'])):
        raise StackError('%s.memory must look like 512m or 1g, got %r' % (where, item['memory']))
    if item.get('cpus') is not None:
        try:
            if float(item['cpus']) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            raise StackError('%s.cpus must be a positive number, got %r' % (where, item['cpus']))


def _check_healthcheck(spec, where):
    if spec is None or isinstance(spec, (str, list)):
        return
    if not isinstance(spec, dict) or 'test' not in spec:
        raise StackError('%s must be a command (string or list) or a mapping with test (and interval, '
                         'timeout, retries, start_period), got %r' % (where, spec))


def _check_env(env, where):
    if not isinstance(env, dict):
        raise StackError('%s must be a mapping of NAME: value' % where)
    for key in env:
        if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', str(key)):
            raise StackError('%s: %r is not a valid environment variable name' % (where, key))


def _subnet(value, name, where, pool):
    """The stack's /16: the one given, or one of the pool chosen from the stack name."""
    if value is None:
        try:
            pool_net = ipaddress.ip_network(str(pool))
        except ValueError:
            raise StackError('stack_network_pool must be an IPv4 network such as 10.192.0.0/10, got %r' % (pool,))
        if pool_net.version != 4 or pool_net.prefixlen > 16:
            raise StackError('stack_network_pool must be an IPv4 network of /16 or larger, got %r' % (pool,))
        subnets = list(pool_net.subnets(new_prefix=16))
        index = int(hashlib.sha256(name.encode('utf-8')).hexdigest(), 16) % len(subnets)
        return str(subnets[index])
    try:
        net = ipaddress.ip_network(str(value))
    except ValueError:
        net = None
    if net is None or net.version != 4 or net.prefixlen != 16 or not net.is_private:
        raise StackError('%s.subnet must be a private IPv4 /16 such as 10.231.0.0/16 (each replica gets the '
                         'address subnet + its host port), got %r' % (where, value))
    return str(net)


def normalize_project(project, slot_port_offset=100, image_overrides=None, network_pool=NETWORK_POOL):
    """Fill defaults into one entry of stack_projects and check it; raises StackError.

    image_overrides ({stack: {app: image}}) replaces app images (deploy.yml, rollback.yml).
    """
    if not isinstance(project, dict):
        raise StackError('stack_projects: every entry must be a mapping, got %r' % (project,))
    name = project.get('name')
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise StackError('stack_projects: name %r must match %s' % (name, NAME_RE.pattern))
    where = 'stack_projects[%s]' % name
    allowed = {'name', 'apps', 'workers', 'env', 'secrets', 'secret_lengths', 'postgres', 'redis', 'qdrant', 'n8n',
               'logging', 'subnet', 'data_host'}
    unknown = sorted(set(project) - allowed, key=str)
    if unknown:
        raise StackError(unknown_key_message(where, unknown, allowed))
    out = {'name': name, 'env': copy.deepcopy(project.get('env') or {}),
           'secrets': copy.deepcopy(project.get('secrets') or {}), 'logging': project.get('logging'),
           'secret_lengths': _secret_lengths(project.get('secret_lengths'), where + '.secret_lengths')}
    if not isinstance(out['secrets'], dict):
        raise StackError('%s.secrets must be a mapping of secret name: value' % where)
    out['subnet'] = _subnet(project.get('subnet'), name, where, network_pool)
    out['data_host'] = project.get('data_host') or ''
    if not isinstance(out['data_host'], str):
        raise StackError('%s.data_host must be the inventory name of the host that runs the stack\'s data services '
                         '(PostgreSQL, Redis, Qdrant), or empty to run them beside the apps, got %r' % (where, out['data_host']))
    _check_env(out['env'], where + '.env')
    for preset, defaults in PRESET_DEFAULTS.items():
        out[preset] = _merge(defaults, project.get(preset), '%s.%s' % (where, preset))
        _check_limits(out[preset], '%s.%s' % (where, preset))
        if not isinstance(out[preset]['enabled'], bool):
            raise StackError('%s.%s.enabled must be true or false, got %r' % (where, preset, out[preset]['enabled']))
        if out[preset]['enabled']:
            _check_image(out[preset]['image'], '%s.%s.image' % (where, preset))
    _check_presets(out, where)
    _check_data_host(out, where)

    names = set()
    ports = {}
    out['apps'] = []
    for i, app in enumerate(project.get('apps') or []):
        app_where = '%s.apps[%s]' % (where, _label(app, i))
        app = _merge(APP_DEFAULTS, app, app_where, extra=('name', 'image'))
        if not isinstance(app.get('name'), str) or not NAME_RE.match(app['name']):
            raise StackError('%s.name %r must match %s' % (app_where, app.get('name'), NAME_RE.pattern))
        app_where = '%s.apps[%s]' % (where, app['name'])
        override = ((image_overrides or {}).get(name) or {}).get(app['name'])
        if override:
            app['image'] = override
        if not app.get('image') or not isinstance(app['image'], str):
            raise StackError('%s.image is required (e.g. ghcr.io/acme/api:1.4.2)' % app_where)
        _check_image(app['image'], app_where + '.image', override)
        if app['strategy'] not in STRATEGIES:
            raise StackError('%s.strategy must be one of %s, got %r' % (app_where, ', '.join(STRATEGIES), app['strategy']))
        if not isinstance(app['replicas'], int) or not 1 <= app['replicas'] <= 20:
            raise StackError('%s.replicas must be an integer from 1 to 20, got %r' % (app_where, app['replicas']))
        if app['strategy'] == 'recreate' and app['replicas'] != 1:
            raise StackError('%s: strategy recreate is for a service holding an exclusive lock on its data; '
                             'it runs one replica (got replicas=%d)' % (app_where, app['replicas']))
        if not isinstance(app['port'], int) or not 1 <= app['port'] <= 65535:
            raise StackError('%s.port must be the container port (1-65535), got %r' % (app_where, app['port']))
        if not isinstance(app['host_port'], int) or not 1024 <= app['host_port'] <= 65000 - slot_port_offset:
            raise StackError('%s.host_port (first port published on 127.0.0.1) is required, 1024-%d, got %r'
                             % (app_where, 65000 - slot_port_offset, app['host_port']))
        if not str(app['health_path']).startswith('/'):
            raise StackError('%s.health_path must start with /, got %r' % (app_where, app['health_path']))
        _check_env(app['env'], app_where + '.env')
        _check_env(app['secret_env'], app_where + '.secret_env')
        _check_limits(app, app_where)
        _check_healthcheck(app['healthcheck'], app_where + '.healthcheck')
        if app['name'] in names:
            raise StackError('%s: the name %s is used twice' % (where, app['name']))
        names.add(app['name'])
        for slot in SLOTS:
            for port in slot_ports(app, slot, slot_port_offset):
                if port in ports:
                    raise StackError('%s: port %d (slot %s) is already used by %s'
                                     % (app_where, port, slot, ports[port]))
                ports[port] = '%s/%s' % (app['name'], slot)
        out['apps'].append(app)
    if out['n8n']['enabled']:
        port = out['n8n']['host_port']
        if not isinstance(port, int) or not 1024 <= port <= 65535:
            raise StackError('%s.n8n.host_port must be a port from 1024 to 65535, got %r' % (where, port))
        if port in ports:
            raise StackError('%s.n8n.host_port %d is already used by %s' % (where, port, ports[port]))

    out['workers'] = []
    for i, worker in enumerate(project.get('workers') or []):
        w_where = '%s.workers[%s]' % (where, _label(worker, i))
        worker = _merge(WORKER_DEFAULTS, worker, w_where, extra=('name', 'image', 'app'))
        if not isinstance(worker.get('name'), str) or not NAME_RE.match(worker['name']):
            raise StackError('%s.name %r must match %s' % (w_where, worker.get('name'), NAME_RE.pattern))
        w_where = '%s.workers[%s]' % (where, worker['name'])
        if bool(worker.get('app')) == bool(worker.get('image')):
            raise StackError('%s needs exactly one of app (run that app\'s image with another command) or image' % w_where)
        if worker.get('image'):
            _check_image(worker['image'], w_where + '.image')
        if worker.get('app') and worker['app'] not in names:
            raise StackError('%s.app %r is not one of the stack\'s apps (%s)' % (w_where, worker['app'], ', '.join(sorted(names)) or 'none'))
        if worker['name'] in names or worker['name'] in PRESET_DEFAULTS:
            raise StackError('%s: the name %s is used twice' % (w_where, worker['name']))
        names.add(worker['name'])
        _check_env(worker['env'], w_where + '.env')
        _check_env(worker['secret_env'], w_where + '.secret_env')
        _check_limits(worker, w_where)
        _check_healthcheck(worker['healthcheck'], w_where + '.healthcheck')
        out['workers'].append(worker)
    if not out['apps'] and not out['workers'] and not any(out[p]['enabled'] for p in PRESET_DEFAULTS):
        raise StackError('%s has nothing to run: give apps, workers or enable a preset' % where)
    unknown = sorted(set(((image_overrides or {}).get(name) or {})) - set(a['name'] for a in out['apps']))
    if unknown:
        raise StackError('stack_image_overrides.%s: %s is not an app of the stack' % (name, ', '.join(unknown)))
    for secret, value in out['secrets'].items():
        if not isinstance(value, str) or "'" in value or '\n' in value:
            raise StackError("%s.secrets.%s must be a string without quotes (') or newlines" % (where, secret))
    return out


def _check_image(image, where, override=None):
    problem = image_reference_error(image)
    if problem:
        raise StackError('%s %s (got %r)' % ('stack_image_overrides' if override else where, problem, image))


# PostgreSQL images known to come without the vector extension (an image of another name may have
# it built in: the stack role checks pg_available_extensions on the host before CREATE EXTENSION).
IMAGES_WITHOUT_PGVECTOR = ('postgres', 'library/postgres', 'docker.io/library/postgres', 'docker.io/postgres',
                           'bitnami/postgresql', 'docker.io/bitnami/postgresql')


def _repository(image):
    """The repository part of an image reference: no digest, no tag (a registry's port stays)."""
    name = str(image).split('@', 1)[0]
    last = name.rsplit('/', 1)[-1]
    if ':' in last:
        name = name[:len(name) - len(last)] + last.split(':', 1)[0]
    return name.lower()


#: environment of the n8n service that the preset owns (database connection, encryption key, port)
N8N_PRESET_ENV = ('DB_TYPE', 'DB_POSTGRESDB_HOST', 'DB_POSTGRESDB_PORT', 'DB_POSTGRESDB_DATABASE', 'DB_POSTGRESDB_USER',
                  'DB_POSTGRESDB_PASSWORD', 'N8N_ENCRYPTION_KEY', 'N8N_PORT')


def _check_presets(out, where):
    """Settings of the presets that cannot work together with their image."""
    postgres = out['postgres']
    if postgres['enabled'] and postgres['pgvector'] and _repository(postgres['image']) in IMAGES_WITHOUT_PGVECTOR:
        raise StackError('%s.postgres.pgvector needs an image with the vector extension, such as '
                         'pgvector/pgvector:pg16 (%s.postgres.image is %s, which has no pgvector)'
                         % (where, where, postgres['image']))
    if out['n8n']['enabled'] and not postgres['enabled']:
        raise StackError('%s.n8n runs on PostgreSQL: enable %s.postgres as well (enabled: true)' % (where, where))
    if out['n8n']['enabled'] and out['n8n']['database'] in [postgres['database']] + list(postgres['databases']):
        raise StackError('%s.n8n.database must be a database of its own: %s is also %s, and n8n\'s tables would mix '
                         'with the app\'s (the default is n8n)'
                         % (where, out['n8n']['database'],
                            '%s.postgres.database' % where if out['n8n']['database'] == postgres['database']
                            else 'in %s.postgres.databases' % where))
    owned = sorted(set(out['n8n']['env']) & set(N8N_PRESET_ENV))
    if out['n8n']['enabled'] and owned:
        raise StackError('%s.n8n.env must not set %s: the preset sets it from %s.postgres, %s.n8n and the stack\'s '
                         'secrets (n8n would lose its database or its encryption key)' % (where, owned[0], where, where))


def _check_data_host(out, where):
    """The data services' published ports, and what a stack with a data host must have."""
    for preset in DATA_PRESETS:
        port = out[preset]['host_port']
        if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
            raise StackError('%s.%s.host_port (the port it is published on, on its data host) must be a port from '
                             '1024 to 65535, got %r' % (where, preset, port))
    if not out['data_host']:
        return
    if not any(out[p]['enabled'] for p in DATA_PRESETS):
        raise StackError('%s.data_host is set, but the stack has no data service to run there: enable postgres, redis '
                         'or qdrant, or leave data_host out' % where)
    if out['n8n']['enabled']:
        raise StackError('%s.n8n runs beside its PostgreSQL: a stack with n8n keeps its data on its app host '
                         '(leave data_host out)' % where)


def _secret_lengths(value, where):
    """secret_lengths: name -> the fixed length of a third-party credential (e.g. an AWS key ID: 20)."""
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise StackError('%s must map secret names to their fixed length, e.g. {aws_access_key_id: 20}' % where)
    for name, length in value.items():
        if not isinstance(name, str) or not SECRET_RE.match(name):
            raise StackError('%s: %r is not a secret name (lower case letters, digits and _)' % (where, name))
        if isinstance(length, bool) or not isinstance(length, int) or not MIN_DECLARED_LENGTH <= length < MIN_SECRET_LENGTH:
            raise StackError('%s.%s must be the fixed length of a third-party credential, a whole number from %d '
                             'to %d (secrets of %d characters and more need no declaration), got %r'
                             % (where, name, MIN_DECLARED_LENGTH, MIN_SECRET_LENGTH - 1, MIN_SECRET_LENGTH, length))
    return dict(value)


def normalize_projects(projects, slot_port_offset=100, image_overrides=None, network_pool=NETWORK_POOL):
    """normalize_project for every stack of a host, plus the checks across stacks."""
    if not isinstance(projects, list):
        raise StackError('stack_projects must be a list of stacks, got %r' % (projects,))
    out = [normalize_project(p, slot_port_offset, image_overrides, network_pool) for p in projects]

    for project in out:
        secret_env_vars(project)
    seen, ports = set(), {}
    for project in out:
        if project['name'] in seen:
            raise StackError('stack_projects: the stack name %s is used twice' % project['name'])
        seen.add(project['name'])
        used = [(port, a['name']) for a in project['apps'] for slot in SLOTS for port in slot_ports(a, slot, slot_port_offset)]
        if project['n8n']['enabled']:
            used.append((project['n8n']['host_port'], 'n8n'))
        for port, what in used:
            if port in ports and ports[port][0] != project['name']:
                raise StackError('stack_projects[%s]: port %d of %s is also used by stack %s'
                                 % (project['name'], port, what, ports[port][0]))
            ports[port] = (project['name'], what)
    joined = {}
    for project in out:
        for app in project['apps']:
            key = ('%s_%s' % (project['name'], app['name'])).replace('-', '_')
            if key in joined:
                raise StackError('stack_projects[%s].apps[%s]: its nginx upstream and container names (%s) '
                                 'clash with stack_projects[%s].apps[%s]; rename one of them'
                                 % (project['name'], app['name'], key, joined[key][0], joined[key][1]))
            joined[key] = (project['name'], app['name'])
    data_ports = {}
    for project in out:
        for preset in DATA_PRESETS:
            if not project['data_host'] or not project[preset]['enabled']:
                continue
            key = (project['data_host'], project[preset]['host_port'])
            if key in data_ports:
                raise StackError('stack_projects[%s].%s.host_port: port %d on data host %s is also used by %s; give one '
                                 'of them another host_port' % (project['name'], preset, key[1], key[0], data_ports[key]))
            data_ports[key] = 'stack_projects[%s].%s' % (project['name'], preset)
    subnets = {}
    for project in out:
        if project['subnet'] in subnets:
            raise StackError('stack_projects[%s].subnet: %s is also the network of stack %s; give one of them '
                             'another subnet (a private /16)' % (project['name'], project['subnet'], subnets[project['subnet']]))
        subnets[project['subnet']] = project['name']
    unknown = sorted(set(image_overrides or {}) - seen)
    if unknown:
        raise StackError('stack_image_overrides: no stack named %s' % ', '.join(unknown))
    return out


def place_projects(projects, host, publish_address='127.0.0.1', data_addresses=None, data_only=False):
    """What of each (normalised) stack runs on host, and where its ports are published.

    A stack with a data_host runs its data services there ('data': published on that host's
    publish_address, no apps) and its apps and workers everywhere else ('apps': they reach the data
    services at data_addresses[data_host]); a stack without one runs whole on the host ('all').
    """
    out = []
    for project in projects:
        placed = copy.deepcopy(project)
        placed['publish_address'] = publish_address
        placed['data_address'] = ''
        if not project['data_host']:
            placed['placement'] = 'all'
        elif project['data_host'] == host:
            placed['placement'] = 'data'
            placed['apps'], placed['workers'] = [], []
        else:
            placed['placement'] = 'apps'
            address = (data_addresses or {}).get(project['data_host'])
            if not address:
                raise StackError('stack_projects[%s].data_host: no address known for %s (set stack_publish_address '
                                 'in its host_vars)' % (project['name'], project['data_host']))
            placed['data_address'] = address
        if data_only and placed['placement'] != 'data':
            continue
        out.append(placed)
    return out


def data_here(project, preset):
    """Whether the preset's service runs on this host (it is enabled and the stack's data is here)."""
    return bool(project[preset]['enabled']) and (preset not in DATA_PRESETS or project.get('placement', 'all') != 'apps')


def check_projects(projects, slot_port_offset=100, image_overrides=None, network_pool=NETWORK_POOL):
    """The message of the first rule normalize_projects finds broken, as a list ([] when none)."""
    try:
        normalize_projects(projects, slot_port_offset, image_overrides, network_pool)
    except StackError as exc:
        return [str(exc)]
    return []


def upstreams_of(projects, host=None):
    """{<stack>_<app>: where it is defined} of the apps of stack_projects as given (not normalised)."""
    out = {}
    for project in projects if isinstance(projects, list) else []:
        if not isinstance(project, dict) or not isinstance(project.get('name'), str):
            continue
        for app in project.get('apps') or []:
            if isinstance(app, dict) and isinstance(app.get('name'), str):
                out[upstream_name(project['name'], app)] = '%sstack_projects[%s].apps[%s]' % (
                    '%s: ' % host if host else '', project['name'], app['name'])
    return out


def weak_secrets(projects):
    """'stack.secrets.name: reason' for every weak secret given in inventory (no values), then every
    pair of different secrets of a stack that hold the same value."""
    found = []
    for project in projects:
        lengths = project.get('secret_lengths') or {}
        weak = set()
        for secret, value in sorted(project['secrets'].items()):
            reason = weak_secret_reason(value, lengths.get(secret))
            if reason:
                weak.add(secret)
                found.append('stack_projects[%s].secrets.%s: %s' % (project['name'], secret, reason))
        for secret in sorted(set(lengths) - set(project['secrets'])):
            found.append('stack_projects[%s].secret_lengths.%s: a declared length is for a secret given in '
                         'secrets; %s is not there (a generated secret is always %d+ characters)'
                         % (project['name'], secret, secret, MIN_SECRET_LENGTH))
        seen = {}
        for secret, value in sorted(project['secrets'].items()):
            if secret in weak:
                continue
            if isinstance(value, str) and value and value in seen:
                found.append('stack_projects[%s].secrets.%s: it has the same value as secrets.%s; two secrets '
                             'must differ (one leaked must not open the other)' % (project['name'], secret, seen[value]))
            elif isinstance(value, str) and value:
                seen[value] = secret
    return found


def secret_env_vars(project):
    """Environment variable of .env -> the secret it holds, for every secret the stack needs."""
    env_vars = {}
    sources = []
    for preset, (secret, env) in PRESET_SECRETS.items():
        if project[preset]['enabled']:
            sources.append(('%s preset' % preset, env, secret))
    for kind in ('apps', 'workers'):
        for item in project[kind]:
            for env, secret in sorted(item['secret_env'].items()):
                sources.append(('%s[%s].secret_env' % (kind, item['name']), env, secret))
    for where, env, secret in sources:
        if not isinstance(secret, str) or not SECRET_RE.match(secret):
            raise StackError('stack_projects[%s].%s.%s: secret name %r must match %s'
                             % (project['name'], where, env, secret, SECRET_RE.pattern))
        if env.endswith('_URLENC'):
            raise StackError('stack_projects[%s].%s: %s is reserved (the stack writes URL-encoded copies '
                             'of passwords under *_URLENC)' % (project['name'], where, env))
        if env_vars.get(env, secret) != secret:
            raise StackError('stack_projects[%s].%s: %s already holds secret %s, not %s'
                             % (project['name'], where, env, env_vars[env], secret))
        env_vars[env] = secret
    return env_vars


def secret_names(project):
    """The names of every secret the stack needs, sorted."""
    return sorted(set(secret_env_vars(project).values()))


def env_file(project, values):
    """Text of the stack's .env: every secret variable, plus URL-encoded copies of the
    passwords that go into connection URLs. values maps secret name -> value."""
    try:
        from urllib.parse import quote
    except ImportError:  # pragma: no cover - Python 2
        from urllib import quote
    lines = ["# Managed by Ansible (vmdeploy.backend.stack): secrets of stack %s. Keep 0600." % project['name']]
    env_vars = secret_env_vars(project)
    for env in sorted(env_vars):
        value = values.get(env_vars[env], '')
        lines.append("%s='%s'" % (env, value))
        if env in URL_SECRETS:
            lines.append("%s_URLENC='%s'" % (env, quote(value, safe='')))
    return '\n'.join(lines) + '\n'


def weak_secret_reason(value, length=None):
    """Why a secret value is unfit for production, or None (never the value itself).

    length: the fixed length of a third-party credential declared in secret_lengths; without it
    a secret needs MIN_SECRET_LENGTH characters.
    """
    if value is None:
        return 'it is empty'
    text = str(value)
    low = text.strip().lower()
    if not low:
        return 'it is empty'
    if low in PLACEHOLDERS or any(low.startswith(p) for p in PLACEHOLDER_PREFIXES):
        return 'it is a placeholder'
    if any(word in low for word in PLACEHOLDER_WORDS):
        return 'it is a placeholder (it contains a word such as changeme, example, secret, generate or your-...-here)'
    if re.search(r'(.)\1{5,}', text):
        return 'it is a placeholder (the same character 6 times or more in a row)'
    for period in range(1, 9):
        if len(text) >= 2 * period and text == (text[:period] * (len(text) // period + 1))[:len(text)]:
            return 'it is a placeholder (a short pattern repeated)'
    if length is not None:
        if len(text) != length:
            return 'its declared length (secret_lengths) is %d characters, it has %d' % (length, len(text))
    elif len(text) < MIN_SECRET_LENGTH:
        return 'it is shorter than %d characters' % MIN_SECRET_LENGTH
    if len(set(text)) < min(8, len(text) // 2):
        return 'it has fewer than 8 distinct characters'
    return None


def slot_ports(app, slot, slot_port_offset=100):
    """Host ports (on 127.0.0.1) of the replicas of an app in one slot."""
    base = app['host_port'] + (slot_port_offset if slot == 'green' else 0)
    return [base + i for i in range(app['replicas'])]


def slot_services(app, slot):
    """Compose service names of an app's replicas in one slot."""
    return ['%s-%s-%d' % (app['name'], slot, i + 1) for i in range(app['replicas'])]


def other_slot(slot):
    return 'green' if slot == 'blue' else 'blue'


def slot_addresses(project, app, slot, slot_port_offset=100):
    """Fixed addresses of an app's replicas in one slot on the stack network: subnet + host port.

    Host ports are unique on the host, so the addresses are unique and never move while the
    inventory keeps the ports; nginx on the same host reaches them through the bridge, without
    the daemon's port publishing (which stops while the daemon restarts).
    """
    base = ipaddress.ip_network(project['subnet']).network_address
    return [str(base + port) for port in slot_ports(app, slot, slot_port_offset)]


def upstream_name(stack, app):
    """Name of the nginx upstream of an app: <stack>_<app>."""
    return ('%s_%s' % (stack, app['name'])).replace('-', '_')


def address_kind(proxy_host, app_host):
    """How a proxy host reaches an app host's replicas: 'container' (the fixed addresses on the
    stack network) on the same host, 'published' (host ports) from another host."""
    return 'container' if proxy_host == app_host else 'published'


def upstream_servers(project, app, slot, slot_port_offset=100, kind='container', host='127.0.0.1'):
    """Servers ({address}) of the upstream of an app serving from one slot, as a proxy of the
    given address kind reaches them."""
    if kind == 'container':
        return [{'address': '%s:%d' % (ip, app['port'])} for ip in slot_addresses(project, app, slot, slot_port_offset)]
    if kind == 'published':
        return [{'address': '%s:%d' % (host, port)} for port in slot_ports(app, slot, slot_port_offset)]
    raise StackError('unknown address kind %r' % (kind,))


def _limits(item):
    limits = {}
    if item.get('cpus') is not None:
        limits['cpus'] = str(item['cpus'])
    if item.get('memory') is not None:
        limits['memory'] = str(item['memory'])
    return {'resources': {'limits': limits}} if limits else None


def _healthy(names):
    return dict((n, {'condition': 'service_healthy'}) for n in names)


def _http_healthcheck(port, path):
    url = 'http://127.0.0.1:%d%s' % (port, path)
    probe = ("curl -fsS -o /dev/null {u} || wget -q -O /dev/null {u} || "
             "python3 -c \"import sys,urllib.request; sys.exit(urllib.request.urlopen('{u}', timeout=4).status != 200)\"").format(u=url)
    return {'test': ['CMD-SHELL', probe], 'interval': '3s', 'timeout': '5s', 'retries': 3, 'start_period': '30s'}


def _custom_healthcheck(spec):
    if spec is None:
        return None
    if isinstance(spec, (list, str)):
        spec = {'test': spec}
    test = spec['test']
    if isinstance(test, str):
        test = ['CMD-SHELL', test]
    out = {'test': test, 'interval': '5s', 'timeout': '5s', 'retries': 3, 'start_period': '30s'}
    out.update(dict((k, v) for k, v in spec.items() if k != 'test'))
    return out


def _data_services(project):
    """Service name -> definition for the enabled presets."""
    services = {}
    pg = project['postgres']
    if data_here(project, 'postgres'):
        command = ['postgres']
        for key, value in sorted(pg['settings'].items()):
            command += ['-c', '%s=%s' % (key, value)]
        services['postgres'] = {
            'image': pg['image'],
            'environment': {
                'POSTGRES_USER': pg['user'],
                'POSTGRES_DB': pg['database'],
                'POSTGRES_PASSWORD': '${POSTGRES_PASSWORD:?}',
            },
            'volumes': ['pgdata:/var/lib/postgresql/data'],
            'healthcheck': {
                'test': ['CMD-SHELL', 'pg_isready -q -h 127.0.0.1 -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"'],
                'interval': '5s', 'timeout': '5s', 'retries': 10, 'start_period': '30s',
            },
            'shm_size': '256m',
            'stop_grace_period': '60s',
        }
        if len(command) > 1:
            services['postgres']['command'] = command
    if data_here(project, 'redis'):
        rd = project['redis']
        args = 'redis-server --appendonly %s --requirepass "$$REDIS_PASSWORD"' % ('yes' if rd['appendonly'] else 'no')
        services['redis'] = {
            'image': rd['image'],
            'command': ['sh', '-c', 'exec ' + args],
            'environment': {'REDIS_PASSWORD': '${REDIS_PASSWORD:?}', 'REDISCLI_AUTH': '${REDIS_PASSWORD:?}'},
            'volumes': ['redis:/data'],
            'healthcheck': {'test': ['CMD-SHELL', 'redis-cli ping | grep -q PONG'],
                            'interval': '5s', 'timeout': '3s', 'retries': 10, 'start_period': '10s'},
        }
    if data_here(project, 'qdrant'):
        services['qdrant'] = {
            'image': project['qdrant']['image'],
            'environment': {'QDRANT__SERVICE__API_KEY': '${QDRANT_API_KEY:?}'},
            'volumes': ['qdrant:/qdrant/storage'],
            'healthcheck': {'test': ['CMD-SHELL', "bash -c ':> /dev/tcp/127.0.0.1/6333'"],
                            'interval': '5s', 'timeout': '3s', 'retries': 10, 'start_period': '10s'},
        }
    if project['n8n']['enabled']:
        n8n = project['n8n']
        env = {
            'DB_TYPE': 'postgresdb',
            'DB_POSTGRESDB_HOST': 'postgres',
            'DB_POSTGRESDB_PORT': '5432',
            'DB_POSTGRESDB_DATABASE': n8n['database'],
            'DB_POSTGRESDB_USER': pg['user'],
            'DB_POSTGRESDB_PASSWORD': '${POSTGRES_PASSWORD:?}',
            'N8N_ENCRYPTION_KEY': '${N8N_ENCRYPTION_KEY:?}',
            'N8N_PORT': '5678',
        }
        env.update(dict((k, str(v)) for k, v in n8n['env'].items()))
        services['n8n'] = {
            'image': n8n['image'],
            'environment': env,
            'ports': ['127.0.0.1:%d:5678' % n8n['host_port']],
            'volumes': ['n8n:/home/node/.n8n'],
            'depends_on': _healthy(['postgres']),
            'healthcheck': {'test': ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:5678/healthz'],
                            'interval': '10s', 'timeout': '5s', 'retries': 10, 'start_period': '60s'},
        }
    for preset in PRESET_DEFAULTS:
        if preset in services:
            deploy = _limits(project[preset])
            if deploy:
                services[preset]['deploy'] = deploy
            if preset in DATA_PRESETS and project.get('placement') == 'data':
                # The app hosts reach it on the data host's private address (the firewall admits them only).
                services[preset]['ports'] = ['%s:%d:%d' % (project['publish_address'], project[preset]['host_port'],
                                                           DATA_PRESETS[preset])]
    return services


def _shared_env(project):
    """Connection settings every app and worker gets for the enabled presets."""
    env = {}
    pg = project['postgres']
    remote = project.get('placement') == 'apps'

    def where(preset):
        if remote:
            return '%s:%d' % (project['data_address'], project[preset]['host_port'])
        return '%s:%d' % (preset, DATA_PRESETS[preset])

    if pg['enabled']:
        env['DATABASE_URL'] = 'postgresql://%s:${POSTGRES_PASSWORD_URLENC:?}@%s/%s' % (pg['user'], where('postgres'), pg['database'])
    if project['redis']['enabled']:
        env['REDIS_URL'] = 'redis://:${REDIS_PASSWORD_URLENC:?}@%s/0' % where('redis')
    if project['qdrant']['enabled']:
        env['QDRANT_URL'] = 'http://%s' % where('qdrant')
        env['QDRANT_API_KEY'] = '${QDRANT_API_KEY:?}'
    env.update(dict((k, str(v)) for k, v in project['env'].items()))
    return env


def _environment(project, item):
    env = _shared_env(project)
    env.update(dict((k, str(v)) for k, v in item['env'].items()))
    for var in item['secret_env']:
        env[var] = '${%s:?}' % var
    return dict(sorted(env.items()))


def _volume_names(items):
    names = set()
    for item in items:
        for vol in item.get('volumes') or []:
            source = str(vol).split(':', 1)[0]
            if source and not source.startswith(('/', '.', '~')):
                names.add(source)
    return names


def _app_deps(project):
    return _healthy([d for d in sorted(_data_services(project)) if d != 'n8n'])


def app_services(project, app, entry, slot_port_offset=100):
    """Compose services of an app's replicas in one slot ({slot, image, release}): published on
    the host's publish address (127.0.0.1 on one host, the private address a proxy on another host
    reaches) and at fixed addresses on the stack network."""
    services = {}
    ports = slot_ports(app, entry['slot'], slot_port_offset)
    addresses = slot_addresses(project, app, entry['slot'], slot_port_offset)
    app_deps = _app_deps(project)
    for name, port, address in zip(slot_services(app, entry['slot']), ports, addresses):
        svc = {
            'image': entry['image'],
            'environment': _environment(project, app),
            'ports': ['%s:%d:%d' % (project.get('publish_address', '127.0.0.1'), port, app['port'])],
            'networks': {'backend': {'ipv4_address': address}},
            'healthcheck': _custom_healthcheck(app['healthcheck']) or _http_healthcheck(app['port'], app['health_path']),
            'stop_grace_period': app['stop_grace_period'],
            'labels': {
                'vmdeploy.stack': project['name'],
                'vmdeploy.app': app['name'],
                'vmdeploy.slot': entry['slot'],
                'vmdeploy.release': str(entry.get('release', '')),
            },
        }
        if app['command']:
            svc['command'] = app['command']
        if app['volumes']:
            svc['volumes'] = list(app['volumes'])
        if app_deps:
            svc['depends_on'] = dict(app_deps)
        deploy = _limits(app)
        if deploy:
            svc['deploy'] = deploy
        services[name] = svc
    return services


def compose_project(project, slots, logging=None, slot_port_offset=100):
    """The Compose document of a stack.

    slots maps app name -> list of {'slot': blue|green, 'image': ..., 'release': ...} that must
    run (one entry in steady state, two during a release). An entry with 'services' (the
    definitions the slot was released with, kept in state.json) is rendered as it runs, so a
    serving slot is never changed by new settings; the others are rendered from the inventory.
    Workers follow the first entry of their app (the active release).
    """
    services = _data_services(project)
    for app in project['apps']:
        for entry in slots.get(app['name'], []):
            services.update(copy.deepcopy(entry.get('services')) or app_services(project, app, entry, slot_port_offset))
    apps = dict((a['name'], a) for a in project['apps'])
    for worker in project['workers']:
        if worker.get('app'):
            entries = slots.get(worker['app']) or []
            if not entries:
                continue
            image = entries[0]['image']
            base_env = _environment(project, apps[worker['app']])
        else:
            image = worker['image']
            base_env = _shared_env(project)
        env = dict(base_env)
        env.update(_environment(project, worker))
        svc = {
            'image': image,
            'environment': dict(sorted(env.items())),
            'healthcheck': _custom_healthcheck(worker['healthcheck']) or {
                'test': ['CMD-SHELL', 'kill -0 1'], 'interval': '5s', 'timeout': '3s', 'retries': 3},
            'labels': {'vmdeploy.stack': project['name'], 'vmdeploy.worker': worker['name']},
        }
        if worker['command']:
            svc['command'] = worker['command']
        if worker['volumes']:
            svc['volumes'] = list(worker['volumes'])
        if _app_deps(project):
            svc['depends_on'] = _app_deps(project)
        deploy = _limits(worker) or {}
        if worker['replicas'] != 1:
            deploy['replicas'] = worker['replicas']
        if deploy:
            svc['deploy'] = deploy
        services[worker['name']] = svc

    log_cfg = logging or {'driver': 'json-file', 'options': {'max-size': '10m', 'max-file': '5'}}
    for svc in services.values():
        svc.setdefault('restart', 'unless-stopped')
        svc['logging'] = copy.deepcopy(log_cfg)
        svc.setdefault('networks', ['backend'])
    volumes = _volume_names(list(services.values()))
    doc = {
        'name': project['name'],
        'services': dict(sorted(services.items())),
        'networks': {'backend': {
            'name': '%s_backend' % project['name'],
            'ipam': {'config': [{
                'subnet': project['subnet'],
                'ip_range': str(next(ipaddress.ip_network(project['subnet']).subnets(new_prefix=DYNAMIC_RANGE_PREFIX))),
                'gateway': str(ipaddress.ip_network(project['subnet']).network_address + 1),
            }]},
        }},
    }
    if volumes:
        doc['volumes'] = dict((v, {}) for v in sorted(volumes))
    return doc


def app_fingerprint(project, app, env_checksum=''):
    """A digest of everything that shapes an app's containers but its slot.

    A change of it (image, command, env, limits, the presets it talks to, the secrets in .env)
    is released through the app's strategy instead of recreating the serving containers.
    """
    presets = {}
    for preset in PRESET_DEFAULTS:
        if project[preset]['enabled']:
            presets[preset] = dict(project[preset])
            if preset in DATA_PRESETS and project.get('placement') != 'apps':
                del presets[preset]['host_port']   # published on a data host only
    shaped = {
        'format': RENDER_FORMAT,
        'subnet': project.get('subnet'),
        'app': app,
        'env': project['env'],
        'presets': presets,
        'env_checksum': env_checksum or '',
    }
    # Where the replicas are published and where the data services are (a fleet's hosts).
    if _published_on(project) != '127.0.0.1':
        shaped['publish_address'] = _published_on(project)
    if project.get('data_address'):
        shaped['data_address'] = project['data_address']
    return hashlib.sha256(json.dumps(shaped, sort_keys=True, default=str).encode('utf-8')).hexdigest()


def plan_releases(project, state, env_checksum='', release_id='', slot_port_offset=100):
    """What each app needs: its 'first' deploy, a 'release' (new image or settings) or 'steady'.

    state is the content of the stack's state.json ({'apps': {name: {slot, image, fingerprint,
    release, services}}}); every plan carries the serving entry ('from_*', with the service
    definitions it was released with) and the wanted one ('services' rendered from inventory).
    """
    plans = []
    current = (state or {}).get('apps', {})
    for app in project['apps']:
        cur = current.get(app['name'])
        fingerprint = app_fingerprint(project, app, env_checksum)
        slot_now = (cur or {}).get('slot', 'blue')
        plan = {'app': app['name'], 'strategy': app['strategy'], 'image': app['image'],
                'fingerprint': fingerprint, 'slot': slot_now, 'release': (cur or {}).get('release', ''),
                'from_slot': None, 'from_image': None, 'from_release': None, 'from_fingerprint': None,
                'from_services': None}
        if not cur:
            plan.update(action='first', release=release_id)
        elif cur.get('image') != app['image'] or cur.get('fingerprint') != fingerprint:
            plan.update(action='release', release=release_id,
                        slot=slot_now if app['strategy'] == 'recreate' else other_slot(slot_now),
                        from_slot=slot_now, from_image=cur.get('image'),
                        from_release=cur.get('release', ''), from_fingerprint=cur.get('fingerprint'),
                        from_services=cur.get('services'))
        else:
            plan['action'] = 'steady'
        entry = {'slot': plan['slot'], 'image': plan['image'], 'release': plan['release']}
        plan['services'] = app_services(project, app, entry, slot_port_offset)
        plans.append(plan)
    return plans


def _entry(plan, side='new'):
    if side == 'old':
        entry = {'slot': plan['from_slot'], 'image': plan['from_image'], 'release': plan['from_release']}
        if plan.get('from_services'):
            entry['services'] = plan['from_services']
        return entry
    return {'slot': plan['slot'], 'image': plan['image'], 'release': plan['release'], 'services': plan['services']}


def serving_slots(plans, phase='before'):
    """Slots to run: 'before' a release (what serves now, plus first deploys), 'during' it
    (old and new side by side) or 'after' it (only the new)."""
    slots = {}
    for plan in plans:
        if plan['action'] != 'release':
            slots[plan['app']] = [_entry(plan)]
        elif phase == 'before':
            slots[plan['app']] = [_entry(plan, 'old')]
        elif phase == 'during' and plan['strategy'] == 'bluegreen':
            slots[plan['app']] = [_entry(plan, 'old'), _entry(plan)]
        else:
            slots[plan['app']] = [_entry(plan)]
    return slots


def _state_entry(plan, side='new'):
    if side == 'old':
        entry = {'slot': plan['from_slot'], 'image': plan['from_image'],
                 'fingerprint': plan['from_fingerprint'], 'release': plan['from_release']}
        if plan.get('from_services'):
            entry['services'] = plan['from_services']
        return entry
    return {'slot': plan['slot'], 'image': plan['image'], 'fingerprint': plan['fingerprint'],
            'release': plan['release'], 'services': plan['services']}


def state_entries(plans):
    """The apps part of state.json before any release of this run (what serves now)."""
    return dict((plan['app'], _state_entry(plan, 'old' if plan['action'] == 'release' else 'new')) for plan in plans)


def before_services(project, plans, slot_port_offset=100):
    """Services brought up before the releases of a run: data services, workers and every app
    but the ones about to be released, whose serving containers are left exactly as they run
    (even a changed secret in .env must not recreate them before the new slot took over)."""
    doc = compose_project(project, serving_slots(plans, 'before'), None, slot_port_offset)
    held = set()
    apps = dict((a['name'], a) for a in project['apps'])
    for plan in plans:
        if plan['action'] == 'release':
            held.update(_old_services(apps[plan['app']], plan))
    return [name for name in doc['services'] if name not in held]


def serving_upstreams(project, plans, slot_port_offset=100, proxy_hosts=None, app_host=None):
    """Upstreams ({host, name, part, servers}) of the apps that are not released in this run (first
    deploys and steady ones), for each proxy host; a release switches its own app. Each app host
    owns its part of an upstream (part: its name), so app hosts switch one at a time."""
    apps = dict((a['name'], a) for a in project['apps'])
    out = []
    for plan in plans:
        if plan['action'] == 'release':
            continue
        app = apps[plan['app']]
        for host in proxy_hosts or ():
            out.append({'host': host, 'name': upstream_name(project['name'], app), 'part': app_host,
                        'servers': upstream_servers(project, app, plan['slot'], slot_port_offset,
                                                    address_kind(host, app_host), _published_on(project))})
    return out


def _published_on(project):
    return project.get('publish_address') or '127.0.0.1'


def _old_services(app, plan):
    """Service names of the serving slot as it runs (its replica count may differ from the new one)."""
    if plan.get('from_services'):
        return sorted(plan['from_services'])
    return slot_services(app, plan['from_slot'])


def _servers_of(services, kind):
    """Upstream servers of a slot from the service definitions it runs with."""
    out = []
    for name in sorted(services):
        host_ip, host_port, container_port = services[name]['ports'][0].split(':')
        if kind == 'container':
            out.append({'address': '%s:%s' % (services[name]['networks']['backend']['ipv4_address'], container_port)})
        else:
            out.append({'address': '%s:%s' % (host_ip, host_port)})
    return out


def release_steps(project, plan, slots, state_apps, slot_port_offset=100, drain_seconds=5,
                  proxy_hosts=None, app_host=None):
    """The data of one release in the one flow both strategies share: prepare (compose with
    the slots to run during the release), migrate, start, gate, switch, drain/retire, record.

    slots and state_apps are what serves now (serving_slots/state_entries, updated by the
    releases before this one); the result carries what serves after a success ('slots_after',
    'state_after') and what to put back on a failure ('abort_*').
    """
    apps = dict((a['name'], a) for a in project['apps'])
    app = apps[plan['app']]
    bluegreen = plan['strategy'] == 'bluegreen'
    old, new = _entry(plan, 'old'), _entry(plan)
    new_services = slot_services(app, plan['slot'])
    old_services = _old_services(app, plan)
    followers = [w['name'] for w in project['workers'] if w.get('app') == app['name']]
    during = dict(slots)
    during[app['name']] = [old, new] if bluegreen else [new]
    after = dict(slots)
    after[app['name']] = [new]
    state_after = dict(state_apps)
    state_after[app['name']] = _state_entry(plan)
    name = upstream_name(project['name'], app)

    def upstreams(slot, services=None, legacy=False):
        # services: the definitions the slot runs with (the old slot's replica count and ports);
        # legacy: a slot released before the fixed addresses, reachable on its published ports only.
        out = []
        for host in proxy_hosts or ():
            kind = 'published' if legacy else address_kind(host, app_host)
            servers = (_servers_of(services, kind) if services
                       else upstream_servers(project, app, slot, slot_port_offset, kind, _published_on(project)))
            out.append({'host': host, 'name': name, 'part': app_host, 'servers': servers})
        return out

    drain = app['drain_seconds'] if app['drain_seconds'] is not None else drain_seconds
    return {
        'app': app['name'],
        'strategy': plan['strategy'],
        'slots_during': during,
        'migrate_service': new_services[0] if app['migrate'] else None,
        'start_services': new_services,
        'gate_urls': gate_urls(project, app, plan['slot'], slot_port_offset),
        'gate_containers': slot_containers(project['name'], app, plan['slot']),
        # recreate replaces the containers at the same addresses: nginx already points at them.
        'switch': upstreams(plan['slot']) if bluegreen else [],
        'drain_seconds': drain if bluegreen else 0,
        'slots_after': after,
        'retire_services': new_services + followers,
        'state_after': state_after,
        'abort_slots': dict(slots),
        'abort_switch': (upstreams(plan['from_slot'], plan.get('from_services'), not plan.get('from_services'))
                         if bluegreen else []),
        'abort_services': old_services + followers,
        # blue/green never touched the serving containers; recreate must start the old version again.
        'abort_recreate': 'never' if bluegreen else 'auto',
    }


def fleet_of(name, hosts, projects_per_host, data_host='', host=''):
    """The app hosts that run stack `name` (in the order given, the inventory's) and its home:
    the host holding its deploy lock and generated secrets (its data host, else the first of them).

    projects_per_host: each host's stack_projects as given, in the order of hosts.
    """
    running = [h for h, projects in zip(hosts, projects_per_host)
               if any(isinstance(p, dict) and p.get('name') == name for p in projects or [])]
    if host and host not in running and host != data_host:
        running.append(host)
    return {'hosts': running, 'home': data_host or (running[0] if running else host)}


def fleet_roll(hosts, plans_per_host, app, batch=1):
    """How a release of one app rolls over the app hosts: the hosts that release it (in the
    order given, the inventory's), in batches of `batch` hosts, and the host that runs the
    migrations (the first, before any host switches).

    plans_per_host: each host's plans (plan_releases), in the order of hosts.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise StackError('stack_release_batch must be a whole number of at least 1, got %r' % (batch,))
    releasing = [host for host, plans in zip(hosts, plans_per_host)
                 if any(p['app'] == app and p['action'] == 'release' for p in plans or [])]
    return {'hosts': releasing,
            'batches': [releasing[i:i + batch] for i in range(0, len(releasing), batch)],
            'migrate_host': releasing[0] if releasing else None}


def gate_urls(project, app, slot, slot_port_offset=100):
    """Health URLs of an app's replicas in one slot, at the addresses nginx on the host uses."""
    return ['http://%s:%d%s' % (ip, app['port'], app['health_path'])
            for ip in slot_addresses(project, app, slot, slot_port_offset)]


def slot_containers(stack, app, slot):
    """Container names Compose gives an app's replicas in one slot."""
    return ['%s-%s-1' % (stack, service) for service in slot_services(app, slot)]


def rollback_targets(records, state, release='previous', app=None):
    """{app: image} to go back to, from the release records of a stack.

    release 'previous' takes, for every app (or the one named), the last successful release
    older than the one serving now; otherwise release is a release id and its successful
    record(s) give the images.
    """
    serving = (state or {}).get('apps', {})
    ok = sorted((r for r in records if r.get('result') == 'success'), key=lambda r: r['id'])
    apps = [app] if app else sorted(set(r['app'] for r in ok) | set(serving))
    targets = {}
    if release == 'previous':
        for name in apps:
            now = serving.get(name, {})
            older = [r for r in ok if r['app'] == name and r['id'] < now.get('release', '')
                     and r['image'] != now.get('image')]
            if older:
                targets[name] = older[-1]['image']
        if not targets:
            raise StackError('no earlier successful release to go back to%s' % (' for app %s' % app if app else ''))
        return targets
    chosen = [r for r in ok if r['id'] == release and (not app or r['app'] == app)]
    if not chosen:
        known = ', '.join(sorted(set(r['id'] for r in ok))[-10:]) or 'none'
        raise StackError('stack_rollback_release: no successful release %s%s; recent ones: %s'
                         % (release, ' of app %s' % app if app else '', known))
    return dict((r['app'], r['image']) for r in chosen)
