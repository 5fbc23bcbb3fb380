# SPDX-License-Identifier: GPL-3.0-or-later
"""The logrotate role's rules beyond its argument spec: the role's defaults pass, each broken rule
gives its own message naming the variable's full path."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import logrotate_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / 'roles' / 'logrotate' / 'defaults' / 'main.yml').read_text())
P = '/srv/shop/logs/*.log'


def check(**changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values)


def path(**changes):
    out = {'path': P}
    out.update(changes)
    return [out]


def test_defaults_pass():
    assert check() == []


def test_a_full_path_entry_passes():
    assert check(logrotate_paths=path(rotate=7, frequency='weekly', maxsize='100M', copytruncate=False,
                                      su='www-data adm', )) == []


def test_nginx_logs_may_be_listed_when_the_role_does_not_manage_nginx():
    assert check(logrotate_nginx_manage=False, logrotate_paths=path(path='/var/log/nginx/shop.log')) == []


@pytest.mark.parametrize('changes, expected', [
    ({'logrotate_default_rotate': 0}, 'logrotate_default_rotate must be a whole number of at least 1'),
    ({'logrotate_default_rotate': '7 days'}, "logrotate_default_rotate must be a whole number of at least 1 (rotated files kept), got '7 days'"),
    ({'logrotate_default_frequency': 'hourly'}, "logrotate_default_frequency must be one of daily, weekly, monthly, got 'hourly'"),
    ({'logrotate_nginx_rotate': -1}, 'logrotate_nginx_rotate must be a whole number of at least 1'),
    ({'logrotate_nginx_frequency': 'yearly'}, 'logrotate_nginx_frequency must be one of daily, weekly, monthly'),
    ({'logrotate_vmdeploy_log_dir': '/var/log/vmdeploy/'}, 'logrotate_vmdeploy_log_dir must be an absolute directory'),
    ({'logrotate_vmdeploy_log_dir': '/var/log/*'}, 'logrotate_vmdeploy_log_dir must be an absolute directory'),
    ({'logrotate_vmdeploy_log_dir': '/var/log'}, "logrotate_vmdeploy_log_dir must be a directory of its own such as /var/log/vmdeploy"),
    ({'logrotate_vmdeploy_log_dir': '/var/log/nginx'}, 'logrotate_vmdeploy_log_dir must be a directory of its own'),
    ({'logrotate_paths': [{'path': ['/a.log']}]}, "logrotate_paths[0].path must be a string"),
    ({'logrotate_paths': path(path='srv/app.log')}, 'logrotate_paths[srv/app.log].path must be an absolute file name or glob'),
    ({'logrotate_paths': path(path='/srv/logs/')}, 'logrotate_paths[/srv/logs/].path must be an absolute file name or glob'),
    ({'logrotate_paths': path(rotate=0)}, 'logrotate_paths[%s].rotate must be a whole number of at least 1 (rotated files kept), got 0' % P),
    ({'logrotate_paths': path(frequency='hourly')}, "logrotate_paths[%s].frequency must be one of daily, weekly, monthly" % P),
    ({'logrotate_paths': path(maxsize='100MB')}, "logrotate_paths[%s].maxsize must be a size such as 100M" % P),
    ({'logrotate_paths': path(copytruncate='yes')}, "logrotate_paths[%s].copytruncate must be true or false, got 'yes'" % P),
    ({'logrotate_paths': path(su='www-data')}, 'logrotate_paths[%s].su must be "user group"' % P),
    ({'logrotate_default_rotate': 0, 'logrotate_paths': path()}, 'logrotate_default_rotate must be'),
    ({'logrotate_paths': path() + path()}, 'logrotate_paths[%s]: the path is listed more than once' % P),
    ({'logrotate_paths': path(path='/var/log/vmdeploy/deploy.log')},
     'logrotate_paths[/var/log/vmdeploy/deploy.log]: the path is in logrotate_vmdeploy_log_dir (/var/log/vmdeploy)'),
    ({'logrotate_paths': path(path='/var/log/nginx/shop.log')},
     'logrotate_paths[/var/log/nginx/shop.log]: the path is in /var/log/nginx, rotated by /etc/logrotate.d/nginx'),
    ({'logrotate_journald_system_max_use': '500MB'}, "logrotate_journald_system_max_use must be a size journald accepts"),
    ({'logrotate_journald_max_retention_sec': ''}, 'logrotate_journald_max_retention_sec must be a time span'),
])
def test_each_broken_rule_is_named_first(changes, expected):
    errors = check(**changes)
    assert errors, 'no message'
    assert expected in errors[0], errors


def test_a_maxsize_and_su_left_empty_pass():
    assert check(logrotate_paths=path(maxsize=None, su='')) == []
