# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the nginx role: thin wrappers over module_utils/nginx_upstream.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_upstream_conf
short_description: Text of an nginx upstream file
version_added: 0.2.0
description:
  - Returns C(upstream NAME { server ...; keepalive N; }) for the nginx role's C(upstream) entry
    point, or fails with a message naming the variable that is wrong.
positional: servers, keepalive
options:
  _input:
    description: Upstream name.
    type: str
    required: true
  servers:
    description: Servers, each C(address) (host:port), C(weight), C(backup), C(max_fails), C(fail_timeout).
    type: list
    elements: dict
    required: true
  keepalive:
    description: Idle keepalive connections per worker (0 turns them off).
    type: int
    default: 16
author: vmdeploy.backend maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Render an upstream
  ansible.builtin.set_fact:
    conf: "{{ 'shop_api' | vmdeploy.backend.nginx_upstream_conf([{'address': '10.192.31.65:8000'}]) }}"
"""

RETURN = r"""
_value:
  description: The file's text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.module_utils import nginx_upstream as _upstream


def nginx_upstream_conf(name, servers, keepalive=16):
    try:
        return _upstream.upstream_conf(name, servers, keepalive)
    except _upstream.UpstreamError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'nginx_upstream_conf': nginx_upstream_conf}
