# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of backup retention: thin wrappers over module_utils/backup_retention.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: backup_retention_select
short_description: Choose which backup sets to keep and which to prune
version_added: 0.1.0
description:
  - Splits backup set names (directories named by their UTC start time, C(YYYYMMDDTHHMMSSZ)) by a
    grandfather-father-son policy, like restic's C(--keep-daily), C(--keep-weekly) and C(--keep-monthly);
    each rule keeps the newest set of that many distinct local days, ISO weeks and months of O(tz);
    days without a set do not count. The newest set and the names in O(protect) are always kept,
    names that are not set ids are never pruned. Fails with a message naming the variable that is
    wrong. C(backup_retention_check) of this file checks a policy C({daily, weekly, monthly}).
positional: daily, weekly, monthly, tz, protect
options:
  _input:
    description: Names of the directories found in the backup directory of a stack.
    type: list
    elements: str
    required: true
  daily:
    description: Number of days whose newest set is kept.
    type: int
    required: true
  weekly:
    description: Number of ISO weeks whose newest set is kept.
    type: int
    required: true
  monthly:
    description: Number of months whose newest set is kept.
    type: int
    required: true
  tz:
    description: IANA time zone whose local days, weeks and months are the buckets.
    type: str
    default: UTC
  protect:
    description: Set names that are always kept (the set just made, a set being restored).
    type: list
    elements: str
author: vmdeploy.backend maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Choose the backup sets to prune
  ansible.builtin.set_fact:
    backup_sets: "{{ found_sets | vmdeploy.backend.backup_retention_select(7, 4, 6, 'Europe/Berlin', [backup_set_new]) }}"
"""

RETURN = r"""
_value:
  description: C(keep) (name -> reasons, newest first), C(prune) (oldest first) and C(ignored) (sorted).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.module_utils import backup as _backup
from ansible_collections.vmdeploy.backend.plugins.module_utils.backup_retention import (
    RetentionError,
    check_policy,
    select,
)


def backup_retention_select(names, daily, weekly, monthly, tz='UTC', protect=None):
    try:
        return select(names, daily, weekly, monthly, tz=tz, protect=protect if protect is not None else ())
    except RetentionError as exc:
        raise AnsibleFilterError(str(exc))


def backup_retention_check(policy_dict, where='backup_retention'):
    if not isinstance(policy_dict, dict):
        raise AnsibleFilterError('%s must be a mapping with daily, weekly and monthly, got %r' % (where, policy_dict))
    for key in ('daily', 'weekly', 'monthly'):
        if key not in policy_dict:
            raise AnsibleFilterError('%s.%s is required (number of sets to keep, 0 for none)' % (where, key))
    try:
        return check_policy(policy_dict['daily'], policy_dict['weekly'], policy_dict['monthly'], where)
    except RetentionError as exc:
        raise AnsibleFilterError(str(exc))


def backup_config(settings, known_stacks=None, docker_root='/var/lib/docker'):
    """The backup job's config.json from the role's variables (see module_utils/backup.py)."""
    try:
        return _backup.build_config(settings, known_stacks, docker_root or '/var/lib/docker', retention_check=check_policy)
    except (_backup.BackupError, RetentionError) as exc:
        raise AnsibleFilterError(str(exc))


def backup_report_line(result):
    """The human line of one stack's result in the job's last-run.json."""
    return _backup.report_line(result)


class FilterModule(object):
    def filters(self):
        return {
            'backup_retention_select': backup_retention_select,
            'backup_retention_check': backup_retention_check,
            'backup_config': backup_config,
            'backup_report_line': backup_report_line,
        }
