# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the nginx role's validate entry point (roles/nginx/tasks/validate.yml) beyond its
# argument spec: one message per broken rule, naming the full variable path and what is allowed in
# words; the first message is the one shown.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    did_you_mean, entries, matches, repeated, shown, text, to_int)

NAME_RE = r'^[a-z0-9][a-z0-9_-]*$'
SIZE_RE = r'^[0-9]+[kKmMgG]?$'
TIME_RE = r'^[0-9]+(ms|s|m|h|d)?$'
SERVER_NAME_RE = r'^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(\.\*)?$'
PATH_RE = r'^/[^\s;{}"\'#]*$'
PROXY_PASS_RE = r'^https?://[^\s;{}"\'#]+$'
UPSTREAM_SERVER_RE = r'^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}( +[a-z_]+(=[A-Za-z0-9.]+)?)*$'
ABS_PATH_RE = r'^/[^\s;{}"\'#$]*$'
ACCESS_LOG_RE = r'^/[^\s;{}]+$'
MIME_RE = r'^[a-z]+/[a-zA-Z0-9.+-]+$'
OPENSSL_NAME_RE = r'^[A-Za-z0-9_-]+$'
RESOLVER_RE = r'^[A-Za-z0-9.:\[\]-]+$'
RATE_RE = r'^[1-9][0-9]*r/[sm]$'
WORKER_PROCESSES_RE = r'^(auto|[1-9][0-9]*)$'
TLS_PROTOCOLS = ('TLSv1.2', 'TLSv1.3')
X_FRAME_OPTIONS = ('DENY', 'SAMEORIGIN', '')
REFERRER_POLICIES = ('no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin',
                     'same-origin', 'strict-origin', 'strict-origin-when-cross-origin', 'unsafe-url')
ACME_PATH = '/.well-known/acme-challenge/'
HSTS_PRELOAD_MIN_AGE = 31536000
DURATIONS = ('nginx_worker_shutdown_timeout', 'nginx_keepalive_timeout', 'nginx_proxy_connect_timeout',
             'nginx_proxy_read_timeout', 'nginx_proxy_send_timeout', 'nginx_websocket_timeout',
             'nginx_proxy_next_upstream_timeout')

NAME_WORDS = 'lower case letters, digits, _ and - (starting with a letter or digit)'
SIZE_WORDS = 'a size such as 10m, 512k or 1g (a whole number, optionally followed by k, m or g)'
TIME_WORDS = 'an nginx duration such as 60s, 500ms, 5m or 1h (a whole number, optionally followed by ms, s, m, h or d)'
PATH_WORDS = 'a path starting with / without spaces, quotes, \';\', \'{\', \'}\' or \'#\''
ABS_WORDS = 'an absolute path without spaces, quotes, \';\', \'{\', \'}\', \'#\' or \'$\', other than /'


def _bool(errors, where, value):
    if not isinstance(value, bool):
        errors.append('%s must be true or false, got %s' % (where, shown(value)))
        return False
    return True


def _list(errors, where, value):
    if not isinstance(value, list):
        errors.append('%s must be a list, got %s' % (where, shown(value)))
        return False
    return True


def _each(errors, where, values, pattern, words):
    for index, item in enumerate(values):
        if not matches(pattern, item):
            errors.append('%s[%d] must be %s, got %s' % (where, index, words, shown(item)))


def _settings(v):
    errors = []
    for name in DURATIONS:
        if not matches(TIME_RE, v[name]):
            errors.append('%s must be %s, got %s' % (name, TIME_WORDS, shown(v[name])))
    if not matches(SIZE_RE, v['nginx_client_max_body_size']):
        errors.append('nginx_client_max_body_size must be %s, got %s' % (SIZE_WORDS, shown(v['nginx_client_max_body_size'])))
    if not matches(WORKER_PROCESSES_RE, v['nginx_worker_processes']):
        errors.append('nginx_worker_processes must be auto or a whole number of at least 1, got %s'
                      % shown(v['nginx_worker_processes']))
    if to_int(v['nginx_worker_connections']) < 64:
        errors.append('nginx_worker_connections must be a whole number of at least 64, got %s'
                      % shown(v['nginx_worker_connections']))
    if to_int(v['nginx_worker_rlimit_nofile']) < to_int(v['nginx_worker_connections']):
        errors.append('nginx_worker_rlimit_nofile must be at least nginx_worker_connections (%s), got %s'
                      % (to_int(v['nginx_worker_connections']), shown(v['nginx_worker_rlimit_nofile'])))
    if to_int(v['nginx_proxy_next_upstream_tries']) < 0:
        errors.append('nginx_proxy_next_upstream_tries must be a whole number of at least 0 (0 means no limit), got %s'
                      % shown(v['nginx_proxy_next_upstream_tries']))
    # Logs
    if not matches(ACCESS_LOG_RE, v['nginx_access_log']):
        errors.append('nginx_access_log must be an absolute path without spaces, \';\', \'{\' or \'}\', got %s'
                      % shown(v['nginx_access_log']))
    log_format = text(v['nginx_log_format'])
    if len(log_format) == 0:
        errors.append('nginx_log_format must not be empty')
    elif '\n' in log_format:
        errors.append('nginx_log_format must be one line (no line break; YAML `>-` folds lines), got %s'
                      % shown(log_format))
    if _list(errors, 'nginx_gzip_types', v['nginx_gzip_types']):
        _each(errors, 'nginx_gzip_types', v['nginx_gzip_types'], MIME_RE, 'a MIME type such as application/json')
    return errors


def _upstreams(upstreams):
    errors = []
    for name, item in entries(upstreams):
        where = 'nginx_upstreams[%s]' % name
        if not matches(NAME_RE, item.get('name')):
            errors.append('%s.name must be %s, got %s' % (where, NAME_WORDS, shown(item.get('name'))))
        servers = item.get('servers')
        if not isinstance(servers, list) or len(servers) == 0:
            errors.append('%s.servers must list at least one server such as 127.0.0.1:5678, got %s'
                          % (where, shown(servers)))
        else:
            for index, server in enumerate(servers):
                if not matches(UPSTREAM_SERVER_RE, server):
                    errors.append('%s.servers[%d] must be host:port such as 127.0.0.1:5678 or [::1]:5678, optionally '
                                  'followed by parameters such as max_fails=1 or backup, got %s'
                                  % (where, index, shown(server)))
        if to_int(item.get('keepalive', 16)) < 0:
            errors.append('%s.keepalive must be a whole number of at least 0, got %s' % (where, shown(item.get('keepalive'))))
    names = [u.get('name') for u in upstreams if isinstance(u, dict)] if isinstance(upstreams, list) else []
    for name in repeated(names):
        errors.append('nginx_upstreams[%s]: the name is used by more than one upstream; names must be unique' % name)
    return errors


def _sites(sites):
    errors = []
    for name, site in entries(sites):
        where = 'nginx_sites[%s]' % name
        if not matches(NAME_RE, site.get('name')):
            errors.append('%s.name must be %s, got %s' % (where, NAME_WORDS, shown(site.get('name'))))
        server_names = site.get('server_names', [])
        if not isinstance(server_names, list) or len(server_names) == 0:
            errors.append('%s.server_names must list at least one host name such as api.example.com, got %s'
                          % (where, shown(server_names)))
        else:
            _each(errors, where + '.server_names', server_names, SERVER_NAME_RE,
                  'a host name such as api.example.com, *.example.com or www.example.*')
        if to_int(site.get('listen', 80)) not in range(1, 65536):
            errors.append('%s.listen must be a port number between 1 and 65535, got %s' % (where, shown(site.get('listen'))))
        if not matches(SIZE_RE, site.get('client_max_body_size', '1m')):
            errors.append('%s.client_max_body_size must be %s, got %s'
                          % (where, SIZE_WORDS, shown(site.get('client_max_body_size'))))
        locations = site.get('locations', [])
        if not isinstance(locations, list) or len(locations) == 0:
            errors.append('%s.locations must list at least one location (e.g. path: /), got %s'
                          % (where, shown(locations)))
        else:
            for path in repeated([loc.get('path') if isinstance(loc, dict) else None for loc in locations]):
                errors.append('%s.locations[%s]: the path is used by more than one location of the site; '
                              'paths must be distinct' % (where, path))
        if 'health_path' in site and not matches(PATH_RE, site['health_path']):
            errors.append('%s.health_path must be %s, got %s' % (where, PATH_WORDS, shown(site['health_path'])))
    if isinstance(sites, list):
        valid = [s for s in sites if isinstance(s, dict)]
        for name in repeated([s.get('name') for s in valid]):
            errors.append('nginx_sites[%s]: the name is used by more than one site; site names must be unique' % name)
        server_names = []
        for site in valid:
            if isinstance(site.get('server_names'), list):
                server_names.extend(text(n).lower() for n in site['server_names'])
        for server_name in repeated(server_names):
            owners = []
            for site in valid:
                if isinstance(site.get('server_names'), list):
                    owners.extend([text(site.get('name'))] * [text(n).lower() for n in site['server_names']].count(server_name))
            errors.append('nginx_sites[%s].server_names: %s is listed %s; a server name may belong to one site only '
                          'and be listed once' % (owners[-1], server_name,
                                                  'twice in this site' if owners[-1] == owners[0]
                                                  else 'in nginx_sites[%s] too' % owners[0]))
    return errors


def _locations(sites, upstreams):
    errors = []
    upstream_names = [u.get('name') for u in upstreams if isinstance(u, dict)] if isinstance(upstreams, list) else []
    for site_name, site in entries(sites):
        for path, loc in entries(site.get('locations')):
            where = 'nginx_sites[%s].locations[%s]' % (site_name, path)
            if not matches(PATH_RE, loc.get('path')):
                errors.append('%s.path must be %s, got %s' % (where, PATH_WORDS, shown(loc.get('path'))))
            if ('upstream' in loc) == ('proxy_pass' in loc):
                errors.append('%s needs exactly one of upstream (an upstream name such as shop_api) and proxy_pass '
                              '(an http:// or https:// URL), %s' % (where, 'got both' if 'upstream' in loc else 'got neither'))
            if 'upstream' in loc and loc['upstream'] not in upstream_names and not matches(NAME_RE, loc['upstream']):
                errors.append('%s.upstream must be a name of nginx_upstreams or a stack upstream such as shop_api (%s), '
                              'got %s' % (where, NAME_WORDS, shown(loc['upstream'])))
            if 'proxy_pass' in loc and not matches(PROXY_PASS_RE, loc['proxy_pass']):
                errors.append('%s.proxy_pass must be an http:// or https:// URL without spaces, quotes, \';\', \'{\', '
                              '\'}\' or \'#\', got %s' % (where, shown(loc['proxy_pass'])))
            if 'read_timeout' in loc and not matches(TIME_RE, loc['read_timeout']):
                errors.append('%s.read_timeout must be %s, got %s' % (where, TIME_WORDS, shown(loc['read_timeout'])))
            _bool(errors, where + '.websocket', loc.get('websocket', False))
            _bool(errors, where + '.access_log', loc.get('access_log', True))
    return errors


def _location_refs(sites, rate_limits, acme_path):
    errors = []
    limit_names = [r.get('name') for r in rate_limits if isinstance(r, dict)] if isinstance(rate_limits, list) else []
    for site_name, site in entries(sites):
        for path, loc in entries(site.get('locations')):
            where = 'nginx_sites[%s].locations[%s]' % (site_name, path)
            if 'rate_limit' in loc and loc['rate_limit'] not in limit_names:
                errors.append('%s.rate_limit must be the name of an entry of nginx_rate_limits (defined: %s), got %s%s'
                              % (where, ', '.join(text(n) for n in limit_names) or 'none', shown(loc['rate_limit']),
                                 did_you_mean(loc['rate_limit'], [text(n) for n in limit_names])))
            if loc.get('path') == acme_path:
                errors.append('%s.path: %s is served by the role for ACME challenges; choose another path'
                              % (where, acme_path))
    return errors


def _tls(v):
    errors = []
    tls_dir = v['nginx_tls_dir']
    if not matches(ABS_PATH_RE, tls_dir) or len(text(tls_dir)) <= 1:
        errors.append('nginx_tls_dir must be %s, got %s' % (ABS_WORDS, shown(tls_dir)))
    if to_int(v['nginx_tls_placeholder_days']) < 1:
        errors.append('nginx_tls_placeholder_days must be a whole number of at least 1, got %s'
                      % shown(v['nginx_tls_placeholder_days']))
    protocols = v['nginx_tls_protocols']
    if _list(errors, 'nginx_tls_protocols', protocols):
        if not protocols:
            errors.append('nginx_tls_protocols must list at least one of TLSv1.2 and TLSv1.3')
        for index, protocol in enumerate(protocols):
            if protocol not in TLS_PROTOCOLS:
                errors.append('nginx_tls_protocols[%d] must be TLSv1.2 or TLSv1.3, got %s' % (index, shown(protocol)))
    for name, words in (('nginx_tls_ciphers', 'OpenSSL cipher names such as ECDHE-RSA-AES128-GCM-SHA256'),
                        ('nginx_tls_ecdh_curves', 'OpenSSL curve names such as X25519')):
        if _list(errors, name, v[name]):
            if not v[name]:
                errors.append('%s must list at least one of the %s' % (name, words))
            _each(errors, name, v[name], OPENSSL_NAME_RE, 'one of the %s (letters, digits, _ and -)' % words)
    stapling = _bool(errors, 'nginx_tls_stapling', v['nginx_tls_stapling'])
    _bool(errors, 'nginx_http2', v['nginx_http2'])
    resolvers = v['nginx_tls_stapling_resolvers']
    if _list(errors, 'nginx_tls_stapling_resolvers', resolvers):
        if stapling and v['nginx_tls_stapling'] and not resolvers:
            errors.append('nginx_tls_stapling_resolvers must list at least one DNS server address such as 127.0.0.53 '
                          'when nginx_tls_stapling is true')
        _each(errors, 'nginx_tls_stapling_resolvers', resolvers, RESOLVER_RE,
              'a DNS server address such as 127.0.0.53 or [::1]:53')
    return errors


def _headers(v):
    errors = []
    if to_int(v['nginx_hsts_max_age']) < 0:
        errors.append('nginx_hsts_max_age must be a whole number of seconds of at least 0, got %s'
                      % shown(v['nginx_hsts_max_age']))
    subdomains = _bool(errors, 'nginx_hsts_include_subdomains', v['nginx_hsts_include_subdomains'])
    preload = _bool(errors, 'nginx_hsts_preload', v['nginx_hsts_preload'])
    if subdomains and preload and v['nginx_hsts_preload']:
        if not v['nginx_hsts_include_subdomains']:
            errors.append('nginx_hsts_preload needs nginx_hsts_include_subdomains: true (the preload list requires it)')
        elif to_int(v['nginx_hsts_max_age']) < HSTS_PRELOAD_MIN_AGE:
            errors.append('nginx_hsts_preload needs nginx_hsts_max_age of at least %d (one year), got %s'
                          % (HSTS_PRELOAD_MIN_AGE, shown(v['nginx_hsts_max_age'])))
    if v['nginx_x_frame_options'] not in X_FRAME_OPTIONS:
        errors.append("nginx_x_frame_options must be DENY, SAMEORIGIN or '' (no header), got %s"
                      % shown(v['nginx_x_frame_options']))
    if v['nginx_referrer_policy'] not in REFERRER_POLICIES + ('',):
        errors.append("nginx_referrer_policy must be one of %s or '' (no header), got %s"
                      % (', '.join(REFERRER_POLICIES), shown(v['nginx_referrer_policy'])))
    webroot = v['nginx_acme_webroot']
    if not matches(ABS_PATH_RE, webroot) or len(text(webroot)) <= 1:
        errors.append('nginx_acme_webroot must be %s, got %s' % (ABS_WORDS, shown(webroot)))
    return errors


def _rate_limits(rate_limits):
    errors = []
    for name, item in entries(rate_limits):
        where = 'nginx_rate_limits[%s]' % name
        if not matches(NAME_RE, item.get('name')):
            errors.append('%s.name must be %s, got %s' % (where, NAME_WORDS, shown(item.get('name'))))
        if not matches(RATE_RE, item.get('rate', '')):
            errors.append('%s.rate must be requests per second or minute such as 10r/s or 300r/m (at least 1), got %s'
                          % (where, shown(item.get('rate'))))
        if to_int(item.get('burst', 20)) < 0:
            errors.append('%s.burst must be a whole number of at least 0, got %s' % (where, shown(item.get('burst'))))
        _bool(errors, where + '.nodelay', item.get('nodelay', True))
        if not matches(SIZE_RE, item.get('zone_size', '10m')):
            errors.append('%s.zone_size must be %s, got %s' % (where, SIZE_WORDS, shown(item.get('zone_size'))))
    if isinstance(rate_limits, list):
        for name in repeated([r.get('name') for r in rate_limits if isinstance(r, dict)]):
            errors.append('nginx_rate_limits[%s]: the name is used by more than one entry; names must be unique' % name)
    return errors


def _site_tls(sites):
    errors = []
    valid = entries(sites)
    tls_sites = [s for _name, s in valid if s.get('tls')]
    for name, site in valid:
        where = 'nginx_sites[%s]' % name
        _bool(errors, where + '.tls', site.get('tls', False))
        if site.get('x_frame_options', '') not in X_FRAME_OPTIONS:
            errors.append("%s.x_frame_options must be DENY, SAMEORIGIN or '' (nginx_x_frame_options), got %s"
                          % (where, shown(site.get('x_frame_options'))))
        if tls_sites and to_int(site.get('listen', 80)) == 443:
            errors.append('%s.listen must not be 443: the sites with tls: true serve HTTPS there' % where)
    return errors


def errors(values, acme_path=ACME_PATH):
    """Messages for the nginx role's variables (values: {name: value}, defaults included), in the order
    of the checks: settings, upstreams, sites, locations, TLS, headers, rate limits, the sites' TLS and
    headers, the locations' rate limits and paths."""
    sites, upstreams, rate_limits = values['nginx_sites'], values['nginx_upstreams'], values['nginx_rate_limits']
    return (_settings(values) + _upstreams(upstreams) + _sites(sites) + _locations(sites, upstreams) + _tls(values)
            + _headers(values) + _rate_limits(rate_limits) + _site_tls(sites)
            + _location_refs(sites, rate_limits, acme_path))
