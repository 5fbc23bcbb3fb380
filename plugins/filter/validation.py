# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the validation play and the roles' validate entry points: thin wrappers over
module_utils/validation.py and module_utils/stack.py. They return messages instead of failing, so
the task that shows the first one is an ansible.builtin.fail whose msg is the first line.

Each filter is documented in plugins/filter/<name>.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmdeploy.backend.plugins.module_utils import docker_rules as _docker
from ansible_collections.vmdeploy.backend.plugins.module_utils import firewall_rules as _firewall
from ansible_collections.vmdeploy.backend.plugins.module_utils import letsencrypt_rules as _letsencrypt
from ansible_collections.vmdeploy.backend.plugins.module_utils import logrotate_rules as _logrotate
from ansible_collections.vmdeploy.backend.plugins.module_utils import stack as _stack
from ansible_collections.vmdeploy.backend.plugins.module_utils import stack_rules as _stack_rules
from ansible_collections.vmdeploy.backend.plugins.module_utils import validation as _validation


def spec_errors(options, values):
    return _validation.spec_errors(options, dict((k, v) for k, v in values.items() if v is not None))


def image_reference_error(ref):
    return _validation.image_reference_error(ref)


def upstream_errors(sites, static_upstreams, stack_upstreams):
    return _validation.upstream_errors(sites, static_upstreams, stack_upstreams)


def stack_errors(projects, slot_port_offset=100, image_overrides=None, network_pool=_stack.NETWORK_POOL):
    return _stack.check_projects(projects, slot_port_offset, image_overrides, network_pool)


def stack_upstreams(hosts_projects):
    """hosts_projects: {host: stack_projects of that host} -> {<stack>_<app>: where}."""
    out = {}
    for host in sorted(hosts_projects):
        for name, where in _stack.upstreams_of(hosts_projects[host], host).items():
            out.setdefault(name, where)
    return out


def letsencrypt_errors(values, certs, le_directories):
    return _letsencrypt.errors(values, certs, le_directories)


def logrotate_errors(values, nginx_log_dir=_logrotate.NGINX_LOG_DIR):
    return _logrotate.errors(values, nginx_log_dir)


def firewall_errors(values):
    return _firewall.errors(values)


def docker_errors(values, log_rotating_drivers):
    return _docker.errors(values, log_rotating_drivers)


def stack_settings_errors(values, host, known_hosts=None):
    return _stack_rules.errors(values, host, known_hosts)


def stack_placement_errors(projects, host, groups, addresses):
    return _stack_rules.placement_errors(projects, host, groups, addresses)


class FilterModule(object):
    def filters(self):
        return {
            'spec_errors': spec_errors,
            'image_reference_error': image_reference_error,
            'upstream_errors': upstream_errors,
            'stack_errors': stack_errors,
            'stack_upstreams': stack_upstreams,
            'letsencrypt_errors': letsencrypt_errors,
            'logrotate_errors': logrotate_errors,
            'firewall_errors': firewall_errors,
            'docker_errors': docker_errors,
            'stack_settings_errors': stack_settings_errors,
            'stack_placement_errors': stack_placement_errors,
        }
