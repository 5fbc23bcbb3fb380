# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of backup retention: thin wrappers over module_utils/backup_retention.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


def backup_config_check(settings, known_stacks=None, docker_root='/var/lib/docker'):
    """backup_config without failing: {'config': the configuration or None, 'error': '' or the message}."""
    try:
        return {'config': backup_config(settings, known_stacks, docker_root), 'error': ''}
    except AnsibleFilterError as exc:
        return {'config': None, 'error': exc.message}


def backup_report_line(result):
    """The human line of one stack's result in the job's last-run.json."""
    return _backup.report_line(result)


class FilterModule(object):
    def filters(self):
        return {
            'backup_retention_select': backup_retention_select,
            'backup_retention_check': backup_retention_check,
            'backup_config': backup_config,
            'backup_config_check': backup_config_check,
            'backup_report_line': backup_report_line,
        }
