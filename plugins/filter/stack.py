# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the stack role: thin wrappers over module_utils/stack.py.

Each filter is documented in plugins/filter/<name>.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.module_utils import stack as _stack


def _wrap(func):
    @functools.wraps(func)  # keeps the signature the documentation test compares with
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _stack.StackError as exc:
            raise AnsibleFilterError(str(exc))
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
            'stack_place': _wrap(_stack.place_projects),
            'stack_roll': _wrap(_stack.fleet_roll),
            'stack_fleet': _wrap(_stack.fleet_of),
        }
