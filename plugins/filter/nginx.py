# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the nginx role: thin wrappers over module_utils/nginx_upstream.py and nginx_rules.py.

Each filter is documented in plugins/filter/<name>.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.module_utils import nginx_rules as _rules
from ansible_collections.vmdeploy.backend.plugins.module_utils import nginx_upstream as _upstream


def nginx_upstream_conf(name, servers, keepalive=16, parts_dir=None):
    try:
        return _upstream.upstream_conf(name, servers, keepalive, parts_dir)
    except _upstream.UpstreamError as exc:
        raise AnsibleFilterError(str(exc))


def nginx_upstream_part_conf(servers, name, part):
    try:
        return _upstream.part_conf(servers, name, part)
    except _upstream.UpstreamError as exc:
        raise AnsibleFilterError(str(exc))


def nginx_errors(values, acme_path=_rules.ACME_PATH):
    return _rules.errors(values, acme_path)


class FilterModule(object):
    def filters(self):
        return {'nginx_upstream_conf': nginx_upstream_conf, 'nginx_upstream_part_conf': nginx_upstream_part_conf,
                'nginx_errors': nginx_errors}
