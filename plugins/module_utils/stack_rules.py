# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the stack role's host settings (roles/stack/tasks/validate.yml) beyond its argument
# spec and the stack definitions (stack.py): one message per broken rule, naming the variable; the
# first message is the one shown.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    matches, shown, text, to_int)

LOG_MAX_SIZE_RE = r'^[0-9]+[kmg]$'
ROOT_RE = r'^/[^ ]+$'
SYSTEM_DIRS = ('/', '/etc', '/var', '/opt', '/usr', '/root', '/home')
DOCKER_DATA_ROOT = '/var/lib/docker'


def _ipv4(value):
    try:
        return ipaddress.IPv4Address(text(value))
    except ValueError:
        return None


def placement_errors(projects, host, groups, addresses):
    """Messages for the fleet layout of the stacks (stack_projects as given, after stack_errors passed):
    a data host is a host of its own in data_hosts, with an address the app hosts reach.

    groups: the inventory's groups; addresses: {host: publish address} of the data hosts.
    """
    out = []
    data_hosts = list(groups.get('data_hosts') or [])
    app_hosts = list(groups.get('stack_hosts') or [])
    for project in projects if isinstance(projects, list) else []:
        data_host = project.get('data_host') if isinstance(project, dict) else None
        if not data_host:
            continue
        where = 'stack_projects[%s].data_host' % project.get('name')
        if data_host not in data_hosts:
            out.append('%s must be a host of the group data_hosts (its play runs the data services), got %s'
                       % (where, shown(data_host)))
        elif data_host in app_hosts:
            out.append('%s: %s is also in stack_hosts; a data host runs the data services only, so it must not be an app host'
                       % (where, data_host))
        elif data_host != host:
            ip = _ipv4(addresses.get(data_host))
            if ip is None or ip.is_unspecified or ip.is_loopback:
                out.append('%s: the app hosts reach %s at its stack_publish_address, which must be its private IPv4 '
                           'address (set it in its host_vars), got %s' % (where, data_host, shown(addresses.get(data_host))))
    return out


def errors(values, host, known_hosts=None):
    """Messages for the stack role's host settings (values: {name: value}, defaults included) of host.

    known_hosts: the inventory's hosts (groups['all']), when known: a proxy host must be one of them.
    """
    out = []
    proxy_hosts = values['stack_proxy_hosts']
    address = values.get('stack_publish_address', '127.0.0.1')
    if not isinstance(proxy_hosts, (list, tuple)) or not all(isinstance(p, str) and p for p in proxy_hosts):
        out.append('stack_proxy_hosts must be a list of inventory host names (the hosts whose nginx routes to the apps '
                   'of %s), got %s' % (host, shown(proxy_hosts)))
        proxy_hosts = []
    for index, proxy in enumerate(proxy_hosts):
        if known_hosts is not None and proxy != host and proxy not in known_hosts:
            out.append('stack_proxy_hosts[%d] must be a host of the inventory (its nginx gets the upstreams), got %s'
                       % (index, shown(proxy)))
    ip = _ipv4(address)
    if ip is None or ip.is_unspecified:
        out.append('stack_publish_address must be the IPv4 address the apps of %s are published on: 127.0.0.1 when nginx '
                   'runs on the host itself, else its private address that the proxy hosts reach (never 0.0.0.0), got %s'
                   % (host, shown(address)))
    elif ip.is_loopback and [p for p in proxy_hosts if p != host]:
        out.append('stack_publish_address must be the private address of %s that the proxy hosts (%s) reach, not %s: '
                   'set it in its host_vars' % (host, ', '.join(p for p in proxy_hosts if p != host), address))
    batch = values.get('stack_release_batch', 1)
    if isinstance(batch, bool) or to_int(batch) < 1:
        out.append('stack_release_batch must be a whole number of at least 1 (how many app hosts release at once), got %s'
                   % shown(batch))
    if not matches(LOG_MAX_SIZE_RE, values['stack_log_max_size']):
        out.append('stack_log_max_size must look like 10m, 500k or 1g (a whole number followed by k, m or g), got %s'
                   % shown(values['stack_log_max_size']))
    if to_int(values['stack_log_max_file']) < 1:
        out.append('stack_log_max_file must be a whole number of at least 1, got %s' % shown(values['stack_log_max_file']))
    root = values['stack_root']
    if not matches(ROOT_RE, root):
        out.append('stack_root must be an absolute path without spaces such as /opt/vmdeploy/stacks, got %s' % shown(root))
    elif root in SYSTEM_DIRS:
        out.append('stack_root must be a directory of its own such as /opt/vmdeploy/stacks, not %s' % shown(root))
    elif text(root).startswith(DOCKER_DATA_ROOT):
        out.append("stack_root must be outside Docker's data root (%s), got %s" % (DOCKER_DATA_ROOT, shown(root)))
    return out
