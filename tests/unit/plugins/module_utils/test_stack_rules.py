# SPDX-License-Identifier: GPL-3.0-or-later
"""The stack role's host settings: the role's defaults pass, each broken rule gives its own message
naming the variable."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import stack_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
HOST = 'app-1.example.com'
DEFAULTS = dict((k, v) for k, v in yaml.safe_load((ROOT / 'roles' / 'stack' / 'defaults' / 'main.yml').read_text()).items()
                if k in ('stack_proxy_hosts', 'stack_log_max_size', 'stack_log_max_file', 'stack_root'))
DEFAULTS['stack_proxy_hosts'] = [HOST]   # the template's value


def check(**changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values, HOST)


def test_defaults_pass():
    assert check() == []


def test_no_proxy_host_passes():
    assert check(stack_proxy_hosts=[]) == []


@pytest.mark.parametrize('changes, expected', [
    ({'stack_proxy_hosts': HOST}, "stack_proxy_hosts must be a list of host names (today only %s itself)" % HOST),
    ({'stack_proxy_hosts': [HOST, 'edge-1.example.com']},
     "stack_proxy_hosts[1] must be %s itself: only the nginx of the stack host can reach its apps" % HOST),
    ({'stack_log_max_size': '10MB'}, "stack_log_max_size must look like 10m, 500k or 1g (a whole number followed by k, m or g), got '10MB'"),
    ({'stack_log_max_file': 0}, 'stack_log_max_file must be a whole number of at least 1, got 0'),
    ({'stack_root': 'stacks'}, "stack_root must be an absolute path without spaces"),
    ({'stack_root': '/opt/my stacks'}, "stack_root must be an absolute path without spaces"),
    ({'stack_root': '/opt'}, "stack_root must be a directory of its own such as /opt/vmdeploy/stacks, not '/opt'"),
    ({'stack_root': '/var/lib/docker/stacks'}, "stack_root must be outside Docker's data root (/var/lib/docker)"),
])
def test_each_broken_rule_is_named_first(changes, expected):
    errors = check(**changes)
    assert errors, 'no message'
    assert expected in errors[0], errors
