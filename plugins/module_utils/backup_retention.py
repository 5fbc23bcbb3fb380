# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# Pure functions behind backup retention: a backup set is a directory named by its UTC start
# time (YYYYMMDDTHHMMSSZ) under /var/backups/vmdeploy/<stack>/, and a grandfather-father-son
# policy (daily, weekly, monthly counts, as restic's --keep-daily/--keep-weekly/--keep-monthly)
# says which sets to keep and which to prune.
#
# This file is also copied verbatim onto managed hosts and imported there by a plain Python 3.9+
# script without Ansible: import nothing but the standard library here.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # Python < 3.9 (controller only): buckets in UTC still work
    ZoneInfo = None
    ZoneInfoNotFoundError = KeyError

#: strftime format of a backup set directory name (UTC start time)
SET_ID_FORMAT = '%Y%m%dT%H%M%SZ'
SET_ID_RE = re.compile(r'[0-9]{8}T[0-9]{6}Z')
UTC = datetime.timezone.utc
RULES = ('daily', 'weekly', 'monthly')
#: at most this many pruned names are spelled out by summary()
SUMMARY_NAMES = 5


class RetentionError(ValueError):
    """A retention policy or input that cannot be applied; the message names the variable."""


def set_id(dt):
    """Name of the backup set started at the aware datetime dt (converted to UTC, seconds precision)."""
    if not isinstance(dt, datetime.datetime):
        raise RetentionError('set_id needs a datetime, got %r' % (dt,))
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise RetentionError('set_id needs an aware datetime (with a time zone), got the naive %r' % (dt,))
    return dt.astimezone(UTC).strftime(SET_ID_FORMAT)


def parse_set_id(name):
    """Aware UTC datetime of a backup set name, or None when name is not exactly a set id."""
    if not isinstance(name, str) or not SET_ID_RE.fullmatch(name):
        return None
    try:
        return datetime.datetime(int(name[0:4]), int(name[4:6]), int(name[6:8]),
                                 int(name[9:11]), int(name[11:13]), int(name[13:15]), tzinfo=UTC)
    except ValueError:
        return None


def check_policy(daily, weekly, monthly, where='backup_retention', sep='.'):
    """Check the three counts of a retention policy; returns {'daily': n, 'weekly': n, 'monthly': n}.

    Messages name <where><sep><rule>: backup_retention.daily, or backup_retention_daily with sep='_'.
    """
    policy = {'daily': daily, 'weekly': weekly, 'monthly': monthly}
    for rule in RULES:
        value = policy[rule]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RetentionError('%s%s%s must be an integer >= 0 (number of sets to keep), got %r'
                                 % (where, sep, rule, value))
    if not any(policy.values()):
        raise RetentionError('%s%sdaily, %s%sweekly and %s%smonthly are all 0: that would delete every backup set; '
                             'keep at least one' % (where, sep, where, sep, where, sep))
    return policy


def _zone(tz):
    if isinstance(tz, datetime.tzinfo):
        return tz
    if tz == 'UTC':
        return UTC
    if not isinstance(tz, str) or not tz:
        raise RetentionError('backup_retention tz must be an IANA time zone name such as UTC or Europe/Berlin, '
                             'got %r' % (tz,))
    if ZoneInfo is None:
        raise RetentionError('backup_retention tz %r needs the zoneinfo module (Python 3.9+); '
                             'only UTC works without it' % (tz,))
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise RetentionError('backup_retention tz %r is not a known IANA time zone name '
                             '(such as UTC or Europe/Berlin)' % (tz,))


def _names(value, what):
    if value is None:
        return []
    if isinstance(value, str):
        raise RetentionError('backup_retention %s must be a list of set names, got the string %r' % (what, value))
    try:
        items = list(value)
    except TypeError:
        raise RetentionError('backup_retention %s must be a list of set names, got %r' % (what, value))
    for item in items:
        if not isinstance(item, str):
            raise RetentionError('backup_retention %s: every entry must be a name (string), got %r' % (what, item))
    return items


def _bucket(rule, local):
    if rule == 'daily':
        return '%04d-%02d-%02d' % (local.year, local.month, local.day)
    if rule == 'weekly':
        iso = local.isocalendar()
        return '%04d-W%02d' % (iso[0], iso[1])
    return '%04d-%02d' % (local.year, local.month)


def select(names, daily, weekly, monthly, tz='UTC', protect=()):
    """Split backup set names into the ones to keep and the ones to prune.

    Each rule (daily, weekly, monthly) walks the sets from newest to oldest and keeps the newest
    set of each distinct local day / ISO week / month of tz until it has kept that many; periods
    without a set do not count. The newest set and the names in protect (a name or a list) are
    always kept. Names that are not set ids are never pruned: they are returned as ignored.
    Returns {'keep': {name: [reasons]} (newest first), 'prune': [names] (oldest first),
    'ignored': [names] (sorted)}.
    """
    policy = check_policy(daily, weekly, monthly)
    zone = _zone(tz)
    if isinstance(protect, str):
        protect = [protect]
    protected = set(_names(protect, 'protect'))

    sets = {}
    ignored = set()
    for name in _names(names, 'names'):
        when = parse_set_id(name)
        if when is None:
            ignored.add(name)
        else:
            sets[name] = when
    ordered = sorted(sets, key=lambda name: (sets[name], name), reverse=True)

    reasons = dict((name, []) for name in ordered)
    if ordered:
        reasons[ordered[0]].append('newest')
    for name in ordered:
        if name in protected:
            reasons[name].append('protected')
    for rule in RULES:
        seen = set()
        for name in ordered:
            if len(seen) >= policy[rule]:
                break
            bucket = _bucket(rule, sets[name].astimezone(zone))
            if bucket not in seen:
                seen.add(bucket)
                reasons[name].append('%s %s' % (rule, bucket))

    return {
        'keep': dict((name, reasons[name]) for name in ordered if reasons[name]),
        'prune': [name for name in reversed(ordered) if not reasons[name]],
        'ignored': sorted(ignored),
    }


def summary(result):
    """One line for a log: 'keep 9, prune 3 (20261101T021500Z, ...), ignored 1'."""
    prune = list(result.get('prune') or [])
    text = 'keep %d, prune %d' % (len(result.get('keep') or {}), len(prune))
    if prune:
        shown = prune[:SUMMARY_NAMES]
        if len(prune) > len(shown):
            shown.append('... %d more' % (len(prune) - len(shown)))
        text += ' (%s)' % ', '.join(shown)
    return '%s, ignored %d' % (text, len(result.get('ignored') or []))
