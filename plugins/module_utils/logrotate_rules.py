# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the logrotate role's validate entry point (roles/logrotate/tasks/validate.yml)
# beyond its argument spec: one message per broken rule, naming the variable's full path; the first
# message is the one shown.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    entries, matches, repeated, shown, text, to_int)

FREQUENCIES = ('daily', 'weekly', 'monthly')
# An absolute path or glob, no whitespace, quotes, braces, '#' or backslash, not ending in '/'.
PATH_RE = r'^/[^\s"\'{}#\\]*[^\s"\'{}#\\/]$'
DIR_RE = r'^/[^\s"\'{}#\\*?\[\]]*[^\s"\'{}#\\*?\[\]/]$'
# logrotate's sizes: bytes, or k/K, M, G.
MAXSIZE_RE = r'^$|^[0-9]+[kKMG]?$'
SU_RE = r'^$|^[A-Za-z_][A-Za-z0-9_.-]*[$]? [A-Za-z_][A-Za-z0-9_.-]*$'
# journald's sizes: bytes, or K, M, G, T, P, E (base 1024).
JOURNALD_SIZE_RE = r'^[0-9]+(\.[0-9]+)?[KMGTPE]?$'
SYSTEM_DIRS = ('/var', '/var/log', '/etc', '/usr', '/srv', '/opt', '/tmp', '/root', '/home')
NGINX_LOG_DIR = '/var/log/nginx'


def _rotate(where, value):
    if not matches(r'^[0-9]+$', value) or to_int(value) < 1:
        return ['%s must be a whole number of at least 1 (rotated files kept), got %s' % (where, shown(value))]
    return []


def _frequency(where, value):
    if value not in FREQUENCIES:
        return ['%s must be one of %s, got %s' % (where, ', '.join(FREQUENCIES), shown(value))]
    return []


def errors(values, nginx_log_dir=NGINX_LOG_DIR):
    """Messages for the logrotate role's variables (values: {name: value}, defaults included);
    nginx_log_dir: the directory /etc/logrotate.d/nginx rotates."""
    out = []
    out += _rotate('logrotate_default_rotate', values['logrotate_default_rotate'])
    out += _frequency('logrotate_default_frequency', values['logrotate_default_frequency'])
    out += _rotate('logrotate_nginx_rotate', values['logrotate_nginx_rotate'])
    out += _frequency('logrotate_nginx_frequency', values['logrotate_nginx_frequency'])
    log_dir = values['logrotate_vmdeploy_log_dir']
    if not matches(DIR_RE, log_dir):
        out.append("logrotate_vmdeploy_log_dir must be an absolute directory such as /var/log/vmdeploy, without "
                   "wildcards, whitespace, quotes, braces, '#' or a trailing '/', got %s" % shown(log_dir))
    elif log_dir in SYSTEM_DIRS or log_dir == nginx_log_dir:
        out.append('logrotate_vmdeploy_log_dir must be a directory of its own such as /var/log/vmdeploy (its *.log are '
                   'rotated), not %s' % shown(log_dir))
    for label, item in entries(values['logrotate_paths']):
        where = 'logrotate_paths[%s]' % label
        path = item.get('path')
        if not isinstance(path, str):
            out.append('%s.path must be a string, an absolute file name or glob such as /srv/shop/logs/*.log, got %s'
                       % (where, shown(path)))
        elif not matches(PATH_RE, path):
            out.append("%s.path must be an absolute file name or glob such as /srv/shop/logs/*.log, without whitespace, "
                       "quotes, braces, '#', '\\' or a trailing '/', got %s" % (where, shown(path)))
        out += _rotate(where + '.rotate', item.get('rotate', values['logrotate_default_rotate']))
        out += _frequency(where + '.frequency', item.get('frequency', values['logrotate_default_frequency']))
        if not matches(MAXSIZE_RE, item.get('maxsize') or ''):
            out.append('%s.maxsize must be a size such as 100M (a whole number of bytes, optionally followed by k, M or G), '
                       'got %s' % (where, shown(item.get('maxsize'))))
        if not isinstance(item.get('copytruncate', True), bool):
            out.append('%s.copytruncate must be true or false, got %s' % (where, shown(item.get('copytruncate'))))
        if not matches(SU_RE, item.get('su') or ''):
            out.append('%s.su must be "user group" (two names, e.g. "www-data adm"), got %s' % (where, shown(item.get('su'))))
    paths = [item.get('path') for _name, item in entries(values['logrotate_paths'])]
    for path in repeated(paths):
        out.append('logrotate_paths[%s]: the path is listed more than once; logrotate refuses a second rule for a file'
                   % path)
    for path in paths:
        if text(path).startswith(text(log_dir) + '/'):
            out.append('logrotate_paths[%s]: the path is in logrotate_vmdeploy_log_dir (%s), whose *.log the role '
                       'rotates already' % (path, log_dir))
        if values['logrotate_nginx_manage'] and text(path).startswith(nginx_log_dir + '/'):
            out.append('logrotate_paths[%s]: the path is in %s, rotated by /etc/logrotate.d/nginx; set '
                       'logrotate_nginx_rotate and logrotate_nginx_frequency instead' % (path, nginx_log_dir))
    if not matches(JOURNALD_SIZE_RE, values['logrotate_journald_system_max_use']):
        out.append('logrotate_journald_system_max_use must be a size journald accepts, a number optionally followed by '
                   'K, M, G, T, P or E, such as 500M or 2G, got %s' % shown(values['logrotate_journald_system_max_use']))
    if len(text(values['logrotate_journald_max_retention_sec'])) == 0:
        out.append('logrotate_journald_max_retention_sec must be a time span such as 1month, or 0 to keep entries until '
                   'logrotate_journald_system_max_use is reached, got empty')
    return out
