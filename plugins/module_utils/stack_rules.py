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

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    matches, shown, text, to_int)

LOG_MAX_SIZE_RE = r'^[0-9]+[kmg]$'
ROOT_RE = r'^/[^ ]+$'
SYSTEM_DIRS = ('/', '/etc', '/var', '/opt', '/usr', '/root', '/home')
DOCKER_DATA_ROOT = '/var/lib/docker'


def errors(values, host):
    """Messages for the stack role's host settings (values: {name: value}, defaults included) of host."""
    out = []
    proxy_hosts = values['stack_proxy_hosts']
    if not isinstance(proxy_hosts, (list, tuple)):
        out.append('stack_proxy_hosts must be a list of host names (today only %s itself), got %s' % (host, shown(proxy_hosts)))
    else:
        for index, proxy in enumerate(proxy_hosts):
            if proxy != host:
                out.append('stack_proxy_hosts[%d] must be %s itself: only the nginx of the stack host can reach its apps '
                           'today (the app ports are published on its 127.0.0.1 only), got %s' % (index, host, shown(proxy)))
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
