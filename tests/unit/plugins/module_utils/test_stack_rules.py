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
DEFAULTS['stack_publish_address'] = '127.0.0.1'   # the template's value with nginx on the host
DEFAULTS['stack_release_batch'] = 1


def check(**changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values, HOST)


def test_defaults_pass():
    assert check() == []


def test_no_proxy_host_passes():
    assert check(stack_proxy_hosts=[]) == []


@pytest.mark.parametrize('changes, expected', [
    ({'stack_proxy_hosts': HOST}, "stack_proxy_hosts must be a list of inventory host names"),
    ({'stack_proxy_hosts': [HOST, 'edge-1.example.com']},
     "stack_publish_address must be the private address of %s that the proxy hosts (edge-1.example.com) reach, "
     "not 127.0.0.1: set it in its host_vars" % HOST),
    ({'stack_publish_address': '0.0.0.0'}, "stack_publish_address must be the IPv4 address the apps of %s are published on" % HOST),
    ({'stack_publish_address': 'app-1.internal'}, "never 0.0.0.0), got 'app-1.internal'"),
    ({'stack_release_batch': 0}, 'stack_release_batch must be a whole number of at least 1 (how many app hosts release at once), got 0'),
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


def test_a_proxy_on_another_host_passes_with_a_private_address():
    assert check(stack_proxy_hosts=['edge-1.example.com'], stack_publish_address='192.168.213.12') == []


GROUPS = {'data_hosts': ['db-1'], 'stack_hosts': ['app-1', 'app-2'], 'proxy_hosts': ['edge-1']}


@pytest.mark.parametrize('data_host, host, addresses, expected', [
    ('db-1', 'app-1', {'db-1': '192.168.213.14'}, None),
    ('db-1', 'db-1', {}, None),
    ('db-2', 'app-1', {}, "stack_projects[shop].data_host must be a host of the group data_hosts (its play runs the data "
                          "services), got 'db-2'"),
    ('app-2', 'app-1', {}, "stack_projects[shop].data_host must be a host of the group data_hosts"),
    ('db-1', 'app-1', {'db-1': 'db-1'}, "stack_projects[shop].data_host: the app hosts reach db-1 at its stack_publish_address, "
                                        "which must be its private IPv4 address (set it in its host_vars), got 'db-1'"),
    ('db-1', 'app-1', {'db-1': '127.0.0.1'}, "which must be its private IPv4 address"),
])
def test_placement_rules(data_host, host, addresses, expected):
    errors = r.placement_errors([{'name': 'shop', 'data_host': data_host}], host, GROUPS, addresses)
    if expected is None:
        assert errors == []
    else:
        assert errors and expected in errors[0], errors


def test_a_data_host_that_is_also_an_app_host_is_refused():
    groups = dict(GROUPS, data_hosts=['db-1', 'app-2'])
    errors = r.placement_errors([{'name': 'shop', 'data_host': 'app-2'}], 'app-1', groups, {'app-2': '192.168.213.13'})
    assert errors == ['stack_projects[shop].data_host: app-2 is also in stack_hosts; a data host runs the data services only, '
                      'so it must not be an app host']


def test_a_proxy_host_is_a_host_of_the_inventory():
    values = dict(DEFAULTS, stack_proxy_hosts=['edge-9.example.com'], stack_publish_address='192.168.213.12')
    assert r.errors(values, HOST, [HOST, 'edge-1.example.com']) == [
        "stack_proxy_hosts[0] must be a host of the inventory (its nginx gets the upstreams), got 'edge-9.example.com'"]
    assert r.errors(dict(values, stack_proxy_hosts=['edge-1.example.com']), HOST, [HOST, 'edge-1.example.com']) == []
