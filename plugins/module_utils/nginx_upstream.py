# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The nginx role's upstream files: an upstream name and its servers (address, weight, backup)
# become one file in nginx's own format. Other roles hand over data through the role's
# `upstream` entry point and never see this format.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME_RE = re.compile(r'^[a-z0-9][a-z0-9_-]*$')
# host:port with an IPv4 address, a host name or a bracketed IPv6 address.
ADDRESS_RE = re.compile(r'^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$')
PART_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
TIME_RE = re.compile(r'^[0-9]+(ms|s|m|h)?$')
SERVER_DEFAULTS = {'weight': 1, 'backup': False, 'max_fails': 1, 'fail_timeout': '5s'}


class UpstreamError(ValueError):
    """Input the upstream entry point refuses; the message names the variable by full path."""


def _int(value, where, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise UpstreamError('%s must be an integer >= %d, got %r' % (where, low, value))
    return value


def normalize_servers(servers, where='nginx_upstream_servers'):
    """The servers with defaults filled in; raises UpstreamError naming the first bad value."""
    if not isinstance(servers, list) or not servers:
        raise UpstreamError('%s must be a non-empty list of servers ({address: host:port, weight, backup}), '
                            'got %r' % (where, servers))
    out = []
    for i, server in enumerate(servers):
        here = '%s[%d]' % (where, i)
        if isinstance(server, str):
            server = {'address': server}
        if not isinstance(server, dict):
            raise UpstreamError('%s must be a mapping with address (host:port), got %r' % (here, server))
        unknown = sorted(set(server) - set(SERVER_DEFAULTS) - {'address'})
        if unknown:
            raise UpstreamError('%s: unknown key(s) %s; allowed: address, %s'
                                % (here, ', '.join(unknown), ', '.join(sorted(SERVER_DEFAULTS))))
        item = dict(SERVER_DEFAULTS)
        item.update(server)
        match = ADDRESS_RE.match(str(item.get('address', '')))
        if not match or not 1 <= int(match.group(2)) <= 65535:
            raise UpstreamError('%s.address must be host:port (e.g. 10.192.31.65:8000 or [::1]:8000), got %r'
                                % (here, item.get('address')))
        _int(item['weight'], here + '.weight', 1)
        _int(item['max_fails'], here + '.max_fails', 0)
        if not isinstance(item['backup'], bool):
            raise UpstreamError('%s.backup must be true or false, got %r' % (here, item['backup']))
        if not TIME_RE.match(str(item['fail_timeout'])):
            raise UpstreamError('%s.fail_timeout must be a duration such as 5s, got %r' % (here, item['fail_timeout']))
        out.append(item)
    addresses = [s['address'] for s in out]
    twice = sorted(set(a for a in addresses if addresses.count(a) > 1))
    if twice:
        raise UpstreamError('%s: %s is listed twice' % (where, ', '.join(twice)))
    if all(s['backup'] for s in out):
        raise UpstreamError('%s: at least one server must not be a backup' % where)
    return out


def _server_line(server):
    words = ['server', server['address']]
    if server['weight'] != 1:
        words.append('weight=%d' % server['weight'])
    words.append('max_fails=%d' % server['max_fails'])
    words.append('fail_timeout=%s' % server['fail_timeout'])
    if server['backup']:
        words.append('backup')
    return '    %s;' % ' '.join(words)


def _check_name(name):
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise UpstreamError('nginx_upstream_name must match %s, got %r' % (NAME_RE.pattern, name))


def upstream_conf(name, servers, keepalive=16, parts_dir=None):
    """Text of the upstream file: `upstream NAME { server ...; keepalive N; }`.

    With parts_dir, the servers are the parts in that directory (one file per app host, each
    owned by the host it names: part_conf) and servers is not used.
    """
    _check_name(name)
    _int(keepalive, 'nginx_upstream_keepalive', 0)
    lines = ['# Managed by vmdeploy.backend.nginx (entry point upstream): rewritten by each release.',
             'upstream %s {' % name]
    if parts_dir:
        lines.append('    include %s/*.conf;' % parts_dir.rstrip('/'))
    else:
        lines.extend(_server_line(server) for server in normalize_servers(servers))
    if keepalive:
        lines.append('    keepalive %d;' % keepalive)
    lines.append('}')
    return '\n'.join(lines) + '\n'


def part_conf(servers, name, part):
    """Text of one part of an upstream: the servers one app host serves the upstream with."""
    _check_name(name)
    if not isinstance(part, str) or not PART_RE.match(part):
        raise UpstreamError('nginx_upstream_part must be a host name (letters, digits, . _ -), got %r' % (part,))
    lines = ['# Managed by vmdeploy.backend.nginx (entry point upstream): the servers of %s in upstream %s.'
             % (part, name)]
    lines.extend(_server_line(server) for server in normalize_servers(servers))
    return '\n'.join(lines) + '\n'
