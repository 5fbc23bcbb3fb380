# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of backup retention (plugins/module_utils/backup_retention.py), also run on hosts without Ansible."""

from __future__ import annotations

import ast
import datetime
import json
import pathlib
import random
import subprocess
import sys

import pytest

from ansible_collections.vmdeploy.backend.plugins.module_utils import backup_retention as br

ROOT = pathlib.Path(__file__).resolve().parents[4]
SOURCE = ROOT / 'plugins' / 'module_utils' / 'backup_retention.py'
UTC = datetime.timezone.utc
BERLIN = 'Europe/Berlin'


def _has_zone(name):
    try:
        br._zone(name)
    except br.RetentionError:
        return False
    return True


needs_berlin = pytest.mark.skipif(not _has_zone(BERLIN), reason='no IANA time zone database for Europe/Berlin')


def sid(year, month, day, hour=2, minute=15, second=0):
    return br.set_id(datetime.datetime(year, month, day, hour, minute, second, tzinfo=UTC))


def nightly(first, count, hour=2, minute=15):
    """count sets, one a night at hour:minute UTC from the date first on."""
    return [br.set_id(datetime.datetime(first.year, first.month, first.day, hour, minute, tzinfo=UTC)
                      + datetime.timedelta(days=i)) for i in range(count)]


def kept(result):
    return sorted(result['keep'])


# --- set ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize('dt, expected', [
    (datetime.datetime(2026, 11, 23, 2, 15, tzinfo=UTC), '20261123T021500Z'),
    (datetime.datetime(2026, 11, 23, 2, 15, 7, 999999, tzinfo=UTC), '20261123T021507Z'),
    (datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))), '20261122T230000Z'),
    (datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))), '20270101T010000Z'),
])
def test_set_id_is_the_utc_start_time(dt, expected):
    assert br.set_id(dt) == expected
    assert br.parse_set_id(expected) == dt.astimezone(UTC).replace(microsecond=0)


@needs_berlin
def test_set_id_converts_a_zoneinfo_time_to_utc():
    from zoneinfo import ZoneInfo
    assert br.set_id(datetime.datetime(2026, 7, 1, 3, 15, tzinfo=ZoneInfo(BERLIN))) == '20260701T011500Z'
    assert br.set_id(datetime.datetime(2026, 12, 1, 3, 15, tzinfo=ZoneInfo(BERLIN))) == '20261201T021500Z'


@pytest.mark.parametrize('value, message', [
    (datetime.datetime(2026, 11, 23, 2, 15), 'naive'),
    (datetime.date(2026, 11, 23), 'needs a datetime'),
    ('20261123T021500Z', 'needs a datetime'),
    (None, 'needs a datetime'),
])
def test_set_id_refuses_naive_datetimes_and_other_values(value, message):
    with pytest.raises(br.RetentionError, match=message):
        br.set_id(value)


def test_set_id_format_constant():
    assert br.SET_ID_FORMAT == '%Y%m%dT%H%M%SZ'
    dt = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert dt.strftime(br.SET_ID_FORMAT) == br.set_id(dt) == '20260102T030405Z'


def test_parse_set_id_returns_an_aware_utc_datetime():
    when = br.parse_set_id('20261123T021500Z')
    assert when == datetime.datetime(2026, 11, 23, 2, 15, tzinfo=UTC)
    assert when.utcoffset() == datetime.timedelta(0)
    assert br.parse_set_id('20280229T235959Z') == datetime.datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize('name', [
    '.partial-20261123T021500Z', 'latest', '20261399T000000Z', '20261301T000000Z', '20261100T000000Z',
    '20260229T000000Z', '20261123T240000Z', '20261123T026000Z', '20261123T021560Z', '00001123T021500Z',
    '20261123T021500', '20261123t021500Z', '20261123T021500z', '20261123 021500Z', '2026-11-23T02:15:00Z',
    '20261123T021500Z/', ' 20261123T021500Z', '20261123T021500Z\n', '20261123T0215000Z', '2026112T021500Z',
    '２０２６1123T021500Z', '', None, 20261123, b'20261123T021500Z',
])
def test_parse_set_id_rejects_everything_that_is_not_exactly_a_set_id(name):
    assert br.parse_set_id(name) is None


# --- policy ----------------------------------------------------------------------------------


def test_check_policy_returns_the_normalized_policy():
    assert br.check_policy(7, 4, 6) == {'daily': 7, 'weekly': 4, 'monthly': 6}
    assert br.check_policy(0, 0, 1) == {'daily': 0, 'weekly': 0, 'monthly': 1}


@pytest.mark.parametrize('args, message', [
    ((0, 0, 0), 'backup_retention.daily, backup_retention.weekly and backup_retention.monthly are all 0: '
                'that would delete every backup set'),
    ((-1, 4, 6), 'backup_retention.daily must be an integer >= 0 (number of sets to keep), got -1'),
    ((7, -4, 6), 'backup_retention.weekly must be an integer >= 0 (number of sets to keep), got -4'),
    ((7, 4, True), 'backup_retention.monthly must be an integer >= 0 (number of sets to keep), got True'),
    ((False, 4, 6), 'backup_retention.daily must be an integer >= 0 (number of sets to keep), got False'),
    (('7', 4, 6), "backup_retention.daily must be an integer >= 0 (number of sets to keep), got '7'"),
    ((7, 4.0, 6), 'backup_retention.weekly must be an integer >= 0 (number of sets to keep), got 4.0'),
    ((7, 4, None), 'backup_retention.monthly must be an integer >= 0 (number of sets to keep), got None'),
])
def test_check_policy_errors_name_the_variable(args, message):
    with pytest.raises(br.RetentionError) as exc:
        br.check_policy(*args)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_check_policy_uses_where():
    with pytest.raises(br.RetentionError, match=r'^backup_stacks\[shop\]\.retention\.weekly must be'):
        br.check_policy(7, 'x', 6, where='backup_stacks[shop].retention')
    with pytest.raises(br.RetentionError, match=r'retention\.daily, retention\.weekly and retention\.monthly are all 0'):
        br.check_policy(0, 0, 0, where='retention')


def test_select_checks_the_policy():
    with pytest.raises(br.RetentionError, match='would delete every backup set'):
        br.select([sid(2026, 11, 23)], 0, 0, 0)
    with pytest.raises(br.RetentionError, match='backup_retention.daily must be an integer'):
        br.select([sid(2026, 11, 23)], True, 0, 0)


# --- select: rules ---------------------------------------------------------------------------


def test_empty_input():
    assert br.select([], 7, 4, 6) == {'keep': {}, 'prune': [], 'ignored': []}
    assert br.select(None, 7, 4, 6) == {'keep': {}, 'prune': [], 'ignored': []}


def test_same_day_sets_only_the_newest_of_each_day_is_kept_by_daily():
    names = [sid(2026, 11, 23, 2, 15), sid(2026, 11, 23, 10, 0), sid(2026, 11, 23, 23, 59, 59),
             sid(2026, 11, 22, 2, 15), sid(2026, 11, 22, 14, 0), sid(2026, 11, 21, 2, 15)]
    result = br.select(names, 2, 0, 0)
    assert result['keep'] == {
        '20261123T235959Z': ['newest', 'daily 2026-11-23'],
        '20261122T140000Z': ['daily 2026-11-22'],
    }
    assert result['prune'] == ['20261121T021500Z', '20261122T021500Z', '20261123T021500Z', '20261123T100000Z']
    assert result['ignored'] == []


def test_daily_1_keeps_exactly_the_newest():
    names = nightly(datetime.date(2026, 11, 1), 23) + [sid(2026, 11, 23, 12, 0)]
    result = br.select(names, 1, 0, 0)
    assert result['keep'] == {'20261123T120000Z': ['newest', 'daily 2026-11-23']}
    assert len(result['prune']) == 23
    assert result['prune'][0] == '20261101T021500Z' and result['prune'][-1] == '20261123T021500Z'


def test_gaps_do_not_count_as_days():
    # one set every other day: daily=7 keeps 7 sets spanning 13 days
    names = [br.set_id(datetime.datetime(2026, 11, 23, 2, 15, tzinfo=UTC) - datetime.timedelta(days=2 * i))
             for i in range(10)]
    result = br.select(names, 7, 0, 0)
    assert kept(result) == ['20261111T021500Z', '20261113T021500Z', '20261115T021500Z', '20261117T021500Z',
                            '20261119T021500Z', '20261121T021500Z', '20261123T021500Z']
    assert result['prune'] == ['20261105T021500Z', '20261107T021500Z', '20261109T021500Z']


def test_a_long_gap_keeps_old_sets():
    # the job did not run for two months: the last 3 sets are still kept by daily=3
    names = [sid(2026, 9, 1), sid(2026, 9, 2), sid(2026, 9, 3), sid(2026, 9, 4), sid(2026, 11, 23)]
    result = br.select(names, 3, 0, 0)
    assert kept(result) == ['20260903T021500Z', '20260904T021500Z', '20261123T021500Z']
    assert result['prune'] == ['20260901T021500Z', '20260902T021500Z']


def test_weekly_uses_iso_weeks_across_the_year_boundary():
    # 2026 starts on a Thursday, so it has an ISO week 53: Mon 2026-12-28 .. Sun 2027-01-03;
    # 2027-W01 starts on Mon 2027-01-04.
    assert datetime.date(2026, 12, 28).isocalendar()[:2] == (2026, 53)
    assert datetime.date(2027, 1, 3).isocalendar()[:2] == (2026, 53)
    assert datetime.date(2027, 1, 4).isocalendar()[:2] == (2027, 1)
    names = [sid(2026, 12, 20), sid(2026, 12, 27), sid(2026, 12, 28), sid(2026, 12, 31), sid(2027, 1, 1),
             sid(2027, 1, 3), sid(2027, 1, 4), sid(2027, 1, 5)]
    result = br.select(names, 0, 3, 0)
    assert result['keep'] == {
        '20270105T021500Z': ['newest', 'weekly 2027-W01'],
        '20270103T021500Z': ['weekly 2026-W53'],
        '20261227T021500Z': ['weekly 2026-W52'],
    }
    assert result['prune'] == ['20261220T021500Z', '20261228T021500Z', '20261231T021500Z', '20270101T021500Z',
                               '20270104T021500Z']


def test_weekly_and_monthly_at_the_year_boundary_disagree_on_the_year():
    # 2027-01-03 belongs to ISO week 2026-W53 but to month 2027-01
    result = br.select([sid(2026, 12, 31), sid(2027, 1, 3)], 0, 2, 2)
    assert result['keep'] == {
        '20270103T021500Z': ['newest', 'weekly 2026-W53', 'monthly 2027-01'],
        '20261231T021500Z': ['monthly 2026-12'],
    }
    assert result['prune'] == []


def test_monthly_keeps_the_newest_set_of_each_month_and_skips_empty_months():
    names = [sid(2026, 1, 31), sid(2026, 2, 1), sid(2026, 2, 28), sid(2026, 3, 15), sid(2026, 5, 1)]
    result = br.select(names, 0, 0, 3)
    assert result['keep'] == {
        '20260501T021500Z': ['newest', 'monthly 2026-05'],
        '20260315T021500Z': ['monthly 2026-03'],
        '20260228T021500Z': ['monthly 2026-02'],
    }
    assert result['prune'] == ['20260131T021500Z', '20260201T021500Z']


def test_rules_are_independent_and_reasons_add_up():
    names = nightly(datetime.date(2026, 10, 20), 35)   # 2026-10-20 .. 2026-11-23 (a Monday, W48)
    result = br.select(names, 2, 2, 2)
    assert result['keep'] == {
        '20261123T021500Z': ['newest', 'daily 2026-11-23', 'weekly 2026-W48', 'monthly 2026-11'],
        '20261122T021500Z': ['daily 2026-11-22', 'weekly 2026-W47'],
        '20261031T021500Z': ['monthly 2026-10'],
    }
    assert len(result['prune']) == 32


def test_large_realistic_series():
    # 90 nightly sets 2026-08-26 .. 2026-11-23 (6 in Aug, 30 in Sep, 31 in Oct, 23 in Nov), 7/4/6:
    #   daily 7:   Nov 23, 22, 21, 20, 19, 18, 17
    #   weekly 4:  Nov 23 (Mon, W48), Nov 22 (Sun, W47), Nov 15 (Sun, W46), Nov 8 (Sun, W45)
    #   monthly 6: Nov 23, Oct 31, Sep 30, Aug 31 (only four months have sets)
    #   union: 7 + Nov 15, Nov 8 + Oct 31, Sep 30, Aug 31 = 12 kept, 78 pruned
    names = nightly(datetime.date(2026, 8, 26), 90)
    assert names[0] == '20260826T021500Z' and names[-1] == '20261123T021500Z'
    result = br.select(names, 7, 4, 6)
    assert len(result['keep']) == 12
    assert len(result['prune']) == 78
    assert list(result['keep']) == [
        '20261123T021500Z', '20261122T021500Z', '20261121T021500Z', '20261120T021500Z', '20261119T021500Z',
        '20261118T021500Z', '20261117T021500Z', '20261115T021500Z', '20261108T021500Z', '20261031T021500Z',
        '20260930T021500Z', '20260831T021500Z',
    ]
    assert result['keep']['20261123T021500Z'] == ['newest', 'daily 2026-11-23', 'weekly 2026-W48', 'monthly 2026-11']
    assert result['keep']['20261122T021500Z'] == ['daily 2026-11-22', 'weekly 2026-W47']
    assert result['keep']['20261115T021500Z'] == ['weekly 2026-W46']
    assert result['keep']['20260831T021500Z'] == ['monthly 2026-08']
    assert result['prune'][0] == '20260826T021500Z' and result['prune'][-1] == '20261116T021500Z'
    assert result['prune'] == sorted(result['prune'])
    assert br.summary(result) == ('keep 12, prune 78 (20260826T021500Z, 20260827T021500Z, 20260828T021500Z, '
                                  '20260829T021500Z, 20260830T021500Z, ... 73 more), ignored 0')


@needs_berlin
def test_a_year_of_nightly_sets_in_berlin():
    # 365 sets 2026-01-01 .. 2026-12-31 at 23:30 UTC = 00:30 CET / 01:30 CEST on the NEXT local day:
    # local dates 2026-01-02 .. 2027-01-01 (Fri, ISO 2026-W53), 7/4/6:
    #   daily 7:   local Dec 26 .. Jan 1 (UTC names Dec 25 .. Dec 31)
    #   weekly 4:  W53 local Jan 1, W52 local Sun Dec 27 (both daily already), W51 local Dec 20, W50 local Dec 13
    #   monthly 6: 2027-01 local Jan 1, 2026-12 local Dec 31 (both daily already), Nov 30, Oct 31, Sep 30, Aug 31
    #   union: 7 + 2 + 4 = 13
    names = nightly(datetime.date(2026, 1, 1), 365, hour=23, minute=30)
    result = br.select(names, 7, 4, 6, tz=BERLIN)
    assert result['keep'] == {
        '20261231T233000Z': ['newest', 'daily 2027-01-01', 'weekly 2026-W53', 'monthly 2027-01'],
        '20261230T233000Z': ['daily 2026-12-31', 'monthly 2026-12'],
        '20261229T233000Z': ['daily 2026-12-30'],
        '20261228T233000Z': ['daily 2026-12-29'],
        '20261227T233000Z': ['daily 2026-12-28'],
        '20261226T233000Z': ['daily 2026-12-27', 'weekly 2026-W52'],
        '20261225T233000Z': ['daily 2026-12-26'],
        '20261219T233000Z': ['weekly 2026-W51'],
        '20261212T233000Z': ['weekly 2026-W50'],
        '20261129T233000Z': ['monthly 2026-11'],
        '20261030T233000Z': ['monthly 2026-10'],
        '20260929T233000Z': ['monthly 2026-09'],
        '20260830T233000Z': ['monthly 2026-08'],
    }
    assert len(result['prune']) == 365 - 13


# --- select: time zones and DST --------------------------------------------------------------


@needs_berlin
@pytest.mark.parametrize('earlier, later, same_local_day', [
    # spring forward, 2026-03-29 (CET +1 -> CEST +2 at 01:00 UTC)
    ('20260328T223000Z', '20260328T233000Z', False),  # 23:30 CET on the 28th | 00:30 CET on the 29th
    ('20260329T213000Z', '20260329T223000Z', False),  # 23:30 CEST on the 29th | 00:30 CEST on the 30th
    ('20260329T003000Z', '20260329T013000Z', True),   # 01:30 CET | 03:30 CEST, both on the 29th
    # fall back, 2026-10-25 (CEST +2 -> CET +1 at 01:00 UTC)
    ('20261024T215900Z', '20261024T221500Z', False),  # 23:59 CEST on the 24th | 00:15 CEST on the 25th
    ('20261025T003000Z', '20261025T013000Z', True),   # 02:30 CEST | 02:30 CET: same wall clock, both on the 25th
    ('20261025T013000Z', '20261025T023000Z', True),   # 02:30 CET | 03:30 CET
    ('20261025T223000Z', '20261025T233000Z', False),  # 23:30 CET on the 25th | 00:30 CET on the 26th
])
def test_daily_buckets_are_local_days_across_dst(earlier, later, same_local_day):
    result = br.select([earlier, later], 1, 0, 0, tz=BERLIN)
    assert list(result['keep']) == [later]
    result = br.select([earlier, later], 2, 0, 0, tz=BERLIN)
    assert result['prune'] == ([earlier] if same_local_day else [])
    # in UTC all these pairs share a date
    assert br.select([earlier, later], 2, 0, 0)['prune'] == [earlier]


@needs_berlin
@pytest.mark.parametrize('name, local_day', [
    ('20260328T223000Z', '2026-03-28'),   # 23:30 CET, before the spring change
    ('20260328T233000Z', '2026-03-29'),   # 00:30 CET
    ('20260329T213000Z', '2026-03-29'),   # 23:30 CEST: +2 now
    ('20260329T233000Z', '2026-03-30'),   # 01:30 CEST on the 30th
    ('20261024T215900Z', '2026-10-24'),   # 23:59 CEST
    ('20261025T003000Z', '2026-10-25'),   # 02:30 CEST (first 02:30)
    ('20261025T013000Z', '2026-10-25'),   # 02:30 CET (second 02:30)
    ('20261025T223000Z', '2026-10-25'),   # 23:30 CET: +1 now, a +2 mistake would say the 26th
    ('20261025T233000Z', '2026-10-26'),   # 00:30 CET
])
def test_the_daily_reason_names_the_local_day(name, local_day):
    assert br.select([name], 1, 0, 0, tz=BERLIN)['keep'] == {name: ['newest', 'daily ' + local_day]}


@needs_berlin
def test_the_fall_back_night_keeps_one_set_per_local_day():
    # hourly sets through the night Europe/Berlin leaves summer time
    names = ['20261024T213000Z', '20261024T223000Z', '20261025T003000Z', '20261025T013000Z', '20261025T023000Z',
             '20261025T223000Z', '20261025T233000Z']
    result = br.select(names, 10, 0, 0, tz=BERLIN)
    assert result['keep'] == {
        '20261025T233000Z': ['newest', 'daily 2026-10-26'],
        '20261025T223000Z': ['daily 2026-10-25'],
        '20261024T213000Z': ['daily 2026-10-24'],
    }
    assert result['prune'] == ['20261024T223000Z', '20261025T003000Z', '20261025T013000Z', '20261025T023000Z']


@needs_berlin
def test_weekly_and_monthly_buckets_are_local_too():
    # Sun 2026-11-29 23:30 UTC is Mon 2026-11-30 00:30 CET (W49); Mon 2026-11-30 23:30 UTC is Tue 2026-12-01 local
    names = ['20261129T223000Z', '20261129T233000Z', '20261130T233000Z']
    assert br.select(names, 0, 5, 5)['keep'] == {
        '20261130T233000Z': ['newest', 'weekly 2026-W49', 'monthly 2026-11'],
        '20261129T233000Z': ['weekly 2026-W48'],
    }
    assert br.select(names, 0, 5, 5, tz=BERLIN)['keep'] == {
        '20261130T233000Z': ['newest', 'weekly 2026-W49', 'monthly 2026-12'],
        '20261129T233000Z': ['monthly 2026-11'],
        '20261129T223000Z': ['weekly 2026-W48'],
    }


@pytest.mark.parametrize('tz', ['Mars/Olympus_Mons', '../../etc/passwd', '', None, 3])
def test_unknown_time_zones_are_refused(tz):
    with pytest.raises(br.RetentionError, match='backup_retention tz'):
        br.select([sid(2026, 11, 23)], 7, 4, 6, tz=tz)


def test_without_zoneinfo_only_utc_works(monkeypatch):
    monkeypatch.setattr(br, 'ZoneInfo', None)
    names = [sid(2026, 11, 22), sid(2026, 11, 23)]
    assert kept(br.select(names, 7, 4, 6)) == names
    with pytest.raises(br.RetentionError) as exc:
        br.select(names, 7, 4, 6, tz=BERLIN)
    assert str(exc.value) == ("backup_retention tz 'Europe/Berlin' needs the zoneinfo module (Python 3.9+); "
                              "only UTC works without it")


def test_a_tzinfo_object_is_accepted():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    names = ['20261122T213000Z', '20261122T223000Z']   # 23:30 and 00:30 at +02:00
    assert br.select(names, 2, 0, 0, tz=plus_two)['prune'] == []
    assert br.select(names, 2, 0, 0, tz=UTC)['prune'] == ['20261122T213000Z']


# --- select: protect, ignored names, duplicates, determinism ---------------------------------


def test_protected_sets_are_kept():
    names = nightly(datetime.date(2026, 11, 1), 23)
    result = br.select(names, 3, 0, 0, protect=['20261105T021500Z', '20261123T021500Z', '20251231T000000Z'])
    assert result['keep'] == {
        '20261123T021500Z': ['newest', 'protected', 'daily 2026-11-23'],
        '20261122T021500Z': ['daily 2026-11-22'],
        '20261121T021500Z': ['daily 2026-11-21'],
        '20261105T021500Z': ['protected'],
    }
    assert '20251231T000000Z' not in result['keep'] and '20251231T000000Z' not in result['prune']
    assert len(result['prune']) == 19


@pytest.mark.parametrize('protect', ['20261105T021500Z', ('20261105T021500Z',), {'20261105T021500Z'}])
def test_protect_takes_a_name_or_a_list(protect):
    names = nightly(datetime.date(2026, 11, 1), 10)
    assert br.select(names, 1, 0, 0, protect=protect)['keep']['20261105T021500Z'] == ['protected']


@pytest.mark.parametrize('protect', [None, (), []])
def test_protect_may_be_empty(protect):
    names = nightly(datetime.date(2026, 11, 1), 10)
    assert list(br.select(names, 1, 0, 0, protect=protect)['keep']) == ['20261110T021500Z']


def test_the_newest_set_is_always_kept_and_named_so():
    names = nightly(datetime.date(2026, 1, 1), 60)
    for policy in [(1, 0, 0), (0, 1, 0), (0, 0, 1), (3, 2, 1)]:
        result = br.select(names, *policy)
        assert result['keep']['20260301T021500Z'][0] == 'newest'
        assert list(result['keep'])[0] == '20260301T021500Z'


def test_names_that_are_not_set_ids_are_ignored_never_pruned():
    names = ['latest', '.partial-20261123T021500Z', '20261399T000000Z', 'lost+found', sid(2026, 11, 20),
             sid(2026, 11, 21), sid(2026, 11, 22)]
    result = br.select(names, 1, 0, 0, protect=['latest'])
    assert result['keep'] == {'20261122T021500Z': ['newest', 'daily 2026-11-22']}
    assert result['prune'] == ['20261120T021500Z', '20261121T021500Z']
    assert result['ignored'] == ['.partial-20261123T021500Z', '20261399T000000Z', 'latest', 'lost+found']


def test_only_ignored_names():
    assert br.select(['latest', 'tmp'], 7, 4, 6) == {'keep': {}, 'prune': [], 'ignored': ['latest', 'tmp']}


def test_duplicated_names_count_once():
    names = [sid(2026, 11, 21), sid(2026, 11, 22), sid(2026, 11, 22), sid(2026, 11, 21), 'latest', 'latest']
    result = br.select(names, 1, 0, 0)
    assert result == {'keep': {'20261122T021500Z': ['newest', 'daily 2026-11-22']},
                      'prune': ['20261121T021500Z'], 'ignored': ['latest']}


@pytest.mark.parametrize('names, message', [
    ('20261123T021500Z', 'names must be a list of set names, got the string'),
    (42, 'names must be a list of set names, got 42'),
    (['20261123T021500Z', None], 'names: every entry must be a name (string), got None'),
])
def test_names_must_be_a_list_of_strings(names, message):
    with pytest.raises(br.RetentionError) as exc:
        br.select(names, 7, 4, 6)
    assert message in str(exc.value)


def test_protect_must_be_names():
    with pytest.raises(br.RetentionError, match='protect: every entry must be a name'):
        br.select([sid(2026, 11, 23)], 7, 4, 6, protect=[1])


def test_the_output_is_deterministic_and_json_friendly():
    names = nightly(datetime.date(2026, 8, 26), 90) + ['latest', '.partial-x']
    expected = br.select(names, 7, 4, 6)
    rng = random.Random(4711)
    for dummy in range(20):
        shuffled = list(names)
        rng.shuffle(shuffled)
        result = br.select(shuffled, 7, 4, 6)
        assert result == expected
        assert list(result['keep']) == list(expected['keep'])
        assert json.dumps(result) == json.dumps(expected)
    assert list(expected['keep']) == sorted(expected['keep'], reverse=True)


def test_select_does_not_change_its_input():
    names = [sid(2026, 11, 23), sid(2026, 11, 21), 'latest']
    protect = ['20261121T021500Z']
    br.select(names, 1, 0, 0, protect=protect)
    assert names == ['20261123T021500Z', '20261121T021500Z', 'latest'] and protect == ['20261121T021500Z']


def _random_series(rng):
    start = datetime.datetime(2025, 12, 1, tzinfo=UTC)
    return sorted({br.set_id(start + datetime.timedelta(minutes=rng.randrange(0, 400 * 24 * 60)))
                   for dummy in range(rng.randrange(1, 300))})


@pytest.mark.parametrize('seed', range(8))
@pytest.mark.parametrize('policy', [(7, 4, 6), (1, 0, 0), (0, 0, 12), (14, 0, 3), (3, 8, 0)])
def test_selecting_again_on_the_kept_sets_prunes_nothing(seed, policy):
    rng = random.Random(seed)
    names = _random_series(rng)
    first = br.select(names, *policy)
    assert sorted(list(first['keep']) + first['prune']) == names
    second = br.select(list(first['keep']), *policy)
    assert second['prune'] == []
    assert second['keep'] == first['keep']


@needs_berlin
def test_selecting_again_prunes_nothing_in_berlin_either():
    names = nightly(datetime.date(2026, 1, 1), 365, hour=23, minute=30) + nightly(datetime.date(2026, 3, 1), 300, hour=0, minute=45)
    first = br.select(names, 7, 4, 6, tz=BERLIN)
    second = br.select(list(first['keep']), 7, 4, 6, tz=BERLIN)
    assert second == {'keep': first['keep'], 'prune': [], 'ignored': []}


# --- summary ---------------------------------------------------------------------------------


@pytest.mark.parametrize('result, expected', [
    ({'keep': {}, 'prune': [], 'ignored': []}, 'keep 0, prune 0, ignored 0'),
    ({'keep': {'20261123T021500Z': ['newest']}, 'prune': [], 'ignored': ['latest']}, 'keep 1, prune 0, ignored 1'),
    ({'keep': dict((str(i), []) for i in range(9)), 'prune': ['20261101T021500Z', '20261102T021500Z', '20261103T021500Z'],
      'ignored': ['latest']},
     'keep 9, prune 3 (20261101T021500Z, 20261102T021500Z, 20261103T021500Z), ignored 1'),
    ({'keep': {'a': []}, 'prune': ['1', '2', '3', '4', '5'], 'ignored': []}, 'keep 1, prune 5 (1, 2, 3, 4, 5), ignored 0'),
    ({'keep': {'a': []}, 'prune': ['1', '2', '3', '4', '5', '6'], 'ignored': []},
     'keep 1, prune 6 (1, 2, 3, 4, 5, ... 1 more), ignored 0'),
])
def test_summary(result, expected):
    assert br.summary(result) == expected
    assert '\n' not in br.summary(result)


def test_summary_of_a_selection():
    result = br.select([sid(2026, 11, 21), sid(2026, 11, 22), sid(2026, 11, 23), 'latest'], 2, 0, 0)
    assert br.summary(result) == 'keep 2, prune 1 (20261121T021500Z), ignored 1'


# --- runs on hosts without Ansible -----------------------------------------------------------


def test_the_module_imports_only_the_standard_library():
    tree = ast.parse(SOURCE.read_text(encoding='utf-8'))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, 'no relative imports'
            modules.add(node.module)
    assert modules, 'the import scan found nothing'
    assert not [name for name in modules if name.split('.')[0] == 'ansible' or name.startswith('ansible_collections')]
    stdlib = getattr(sys, 'stdlib_module_names', None)
    if stdlib is not None:
        assert sorted(name for name in modules if name.split('.')[0] not in stdlib) == []


def test_the_module_runs_as_a_plain_file_without_ansible(tmp_path):
    # -S: no site-packages; importing ansible is made to fail on top of that
    script = (
        'import importlib.util, json, sys\n'
        'sys.modules["ansible"] = None\n'
        'sys.modules["ansible_collections"] = None\n'
        'spec = importlib.util.spec_from_file_location("backup_retention", sys.argv[1])\n'
        'mod = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(mod)\n'
        'result = mod.select(["20261122T021500Z", "20261123T021500Z", "latest"], 1, 0, 0)\n'
        'print(json.dumps([result, mod.summary(result)]))\n'
    )
    proc = subprocess.run([sys.executable, '-S', '-c', script, str(SOURCE)], capture_output=True, text=True,
                          check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    result, line = json.loads(proc.stdout)
    assert result == {'keep': {'20261123T021500Z': ['newest', 'daily 2026-11-23']},
                      'prune': ['20261122T021500Z'], 'ignored': ['latest']}
    assert line == 'keep 1, prune 1 (20261122T021500Z), ignored 1'
