# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters of plugins/filter/backup.py: thin wrappers that turn RetentionError into AnsibleFilterError."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.filter.backup import FilterModule
from ansible_collections.vmdeploy.backend.plugins.module_utils import backup_retention

FILTERS = FilterModule().filters()
NAMES = ['20261121T021500Z', '20261122T021500Z', '20261123T021500Z', 'latest']


def test_every_filter_is_there():
    assert set(FILTERS) == {'backup_retention_select', 'backup_retention_check', 'backup_config', 'backup_config_check',
                            'backup_report_line'}
    assert all(callable(f) for f in FILTERS.values())


def test_select_returns_what_module_utils_returns():
    assert FILTERS['backup_retention_select'](NAMES, 7, 4, 6) == backup_retention.select(NAMES, 7, 4, 6)
    assert FILTERS['backup_retention_select'](NAMES, 1, 0, 0) == {
        'keep': {'20261123T021500Z': ['newest', 'daily 2026-11-23']},
        'prune': ['20261121T021500Z', '20261122T021500Z'],
        'ignored': ['latest'],
    }


def test_select_passes_tz_and_protect():
    names = ['20261122T223000Z', '20261122T233000Z']   # 23:30 CET on the 22nd | 00:30 CET on the 23rd
    assert FILTERS['backup_retention_select'](names, 2, 0, 0)['prune'] == ['20261122T223000Z']
    result = FILTERS['backup_retention_select'](NAMES, 1, 0, 0, 'UTC', ['20261121T021500Z'])
    assert result['keep']['20261121T021500Z'] == ['protected']
    assert FILTERS['backup_retention_select'](NAMES, 1, 0, 0, protect=None)['prune'] == [
        '20261121T021500Z', '20261122T021500Z']


def test_select_passes_a_named_tz():
    # Only this needs the IANA database (tzdata): the asserts above run without it.
    names = ['20261122T223000Z', '20261122T233000Z']   # 23:30 CET on the 22nd | 00:30 CET on the 23rd
    try:
        backup_retention.select(names, 1, 0, 0, tz='Europe/Berlin')
    except backup_retention.RetentionError:
        pytest.skip('no IANA time zone database for Europe/Berlin')
    assert FILTERS['backup_retention_select'](names, 2, 0, 0, 'Europe/Berlin')['prune'] == []


@pytest.mark.parametrize('args, kwargs, message', [
    ((NAMES, 0, 0, 0), {}, 'backup_retention.daily, backup_retention.weekly and backup_retention.monthly are all 0'),
    ((NAMES, -1, 4, 6), {}, 'backup_retention.daily must be an integer >= 0'),
    ((NAMES, 7, True, 6), {}, 'backup_retention.weekly must be an integer >= 0'),
    ((NAMES, 7, 4, '6'), {}, "backup_retention.monthly must be an integer >= 0 (number of sets to keep), got '6'"),
    ((NAMES, 7, 4, 6), {'tz': 'Mars/Olympus_Mons'}, "backup_retention tz 'Mars/Olympus_Mons' is not a known"),
    (('20261123T021500Z', 7, 4, 6), {}, 'backup_retention names must be a list of set names'),
])
def test_select_raises_a_filter_error_with_the_message(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as exc:
        FILTERS['backup_retention_select'](*args, **kwargs)
    assert message in str(exc.value)
    assert not isinstance(exc.value, backup_retention.RetentionError)


def test_check_returns_the_normalized_policy():
    policy = {'daily': 7, 'weekly': 4, 'monthly': 6}
    assert FILTERS['backup_retention_check'](policy, 'backup_retention') == policy
    assert FILTERS['backup_retention_check']({'daily': 0, 'weekly': 0, 'monthly': 1}, 'x') == {
        'daily': 0, 'weekly': 0, 'monthly': 1}


@pytest.mark.parametrize('policy, message', [
    ({'daily': 0, 'weekly': 0, 'monthly': 0},
     'backup_stacks[shop].retention.daily, backup_stacks[shop].retention.weekly and '
     'backup_stacks[shop].retention.monthly are all 0: that would delete every backup set'),
    ({'daily': -1, 'weekly': 4, 'monthly': 6}, 'backup_stacks[shop].retention.daily must be an integer >= 0'),
    ({'daily': 7, 'weekly': False, 'monthly': 6}, 'backup_stacks[shop].retention.weekly must be an integer >= 0'),
    ({'daily': 7, 'weekly': 4, 'monthly': 'six'}, "backup_stacks[shop].retention.monthly must be an integer >= 0"),
    ({'daily': 7, 'monthly': 6}, 'backup_stacks[shop].retention.weekly is required'),
    ({}, 'backup_stacks[shop].retention.daily is required'),
    ([7, 4, 6], 'backup_stacks[shop].retention must be a mapping with daily, weekly and monthly, got [7, 4, 6]'),
    (None, 'backup_stacks[shop].retention must be a mapping'),
])
def test_check_raises_a_filter_error_naming_where(policy, message):
    with pytest.raises(AnsibleFilterError) as exc:
        FILTERS['backup_retention_check'](policy, 'backup_stacks[shop].retention')
    assert message in str(exc.value)
    assert not isinstance(exc.value, backup_retention.RetentionError)


def _settings(**over):
    from ansible_collections.vmdeploy.backend.tests.unit.plugins.module_utils.test_backup import settings
    return settings(**over)


def test_config_check_returns_the_message_instead_of_failing():
    good = FILTERS['backup_config_check'](_settings(), ['shop'])
    assert good['error'] == '' and good['config'] == FILTERS['backup_config'](_settings(), ['shop'])
    settings = _settings(restic_enabled=True, restic_repository='/srv/r', restic_password='changeme')
    bad = FILTERS['backup_config_check'](settings, ['shop'])
    assert bad['config'] is None
    assert bad['error'].startswith('backup_restic_password is a placeholder')
    assert 'changeme' not in bad['error']
