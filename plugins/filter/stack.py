# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the stack role: thin wrappers over module_utils/stack.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: stack_normalize
short_description: Check a stack definition and fill in its defaults
version_added: 0.1.0
description:
  - Returns the entry of C(stack_projects) with every default filled in, or fails with a
    message naming the variable that is wrong. The other filters of this file
    (C(stack_compose), C(stack_plan), C(stack_release_steps), C(stack_secret_names),
    C(stack_weak_secret), C(stack_slot_ports), C(stack_slot_services), ...) serve the stack role.
positional: slot_port_offset
options:
  _input:
    description: One entry of C(stack_projects).
    type: dict
    required: true
  slot_port_offset:
    description: Distance between the host ports of the blue and the green slot.
    type: int
    default: 100
author: vmdeploy.backend maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check a stack
  ansible.builtin.set_fact:
    project: "{{ stack_projects[0] | vmdeploy.backend.stack_normalize }}"
"""

RETURN = r"""
_value:
  description: The stack definition with defaults.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.module_utils import stack as _stack


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _stack.StackError as exc:
            raise AnsibleFilterError(str(exc))
    run.__name__ = func.__name__
    return run


def _slot_ports(app, slot, slot_port_offset=100):
    return _stack.slot_ports(app, slot, slot_port_offset)


class FilterModule(object):
    def filters(self):
        return {
            'stack_normalize': _wrap(_stack.normalize_project),
            'stack_normalize_all': _wrap(_stack.normalize_projects),
            'stack_weak_secrets': _stack.weak_secrets,
            'stack_compose': _wrap(_stack.compose_project),
            'stack_plan': _wrap(_stack.plan_releases),
            'stack_serving_slots': _stack.serving_slots,
            'stack_state_entries': _stack.state_entries,
            'stack_rollback_targets': _wrap(_stack.rollback_targets),
            'stack_secret_names': _wrap(_stack.secret_names),
            'stack_env_file': _wrap(_stack.env_file),
            'stack_weak_secret': _stack.weak_secret_reason,
            'stack_slot_ports': _slot_ports,
            'stack_slot_services': _stack.slot_services,
            'stack_slot_containers': _stack.slot_containers,
            'stack_gate_urls': _stack.gate_urls,
            'stack_before_services': _wrap(_stack.before_services),
            'stack_serving_upstreams': _wrap(_stack.serving_upstreams),
            'stack_release_steps': _wrap(_stack.release_steps),
        }
