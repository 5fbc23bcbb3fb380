# SPDX-License-Identifier: GPL-3.0-or-later
"""The docker role's rules beyond its argument spec: the role's defaults pass, each broken rule gives
its own message naming the variable's full path."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import docker_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
DEFAULTS = dict((k, v) for k, v in yaml.safe_load((ROOT / 'roles' / 'docker' / 'defaults' / 'main.yml').read_text()).items()
                if k.startswith(('docker_daemon_', 'docker_ca_certificates', 'docker_image_archives')))
PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'


def check(**changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values)


def test_defaults_pass():
    assert check() == []


@pytest.mark.parametrize('changes', [
    {'docker_daemon_log_opts': {'max-size': '50m', 'max-file': '3'}},
    {'docker_daemon_options': {'log-opts': {'max-size': '1g', 'max-file': 2}}},
    {'docker_daemon_default_address_pools': [{'base': '10.210.0.0/16', 'size': 24}, {'base': '172.80.0.0/12', 'size': 30}]},
    {'docker_daemon_registry_mirrors': ['https://mirror.gcr.io', 'http://10.0.0.5:5000']},
    {'docker_ca_certificates': [{'name': 'corp-root', 'content': PEM}, {'name': 'other.ca', 'src': __file__}]},
    {'docker_image_archives': [{'name': 'acme/api:1.0', 'path': '/srv/images/api.tar'}, {'name': 'acme/web:1.0', 'src': __file__}]},
    {'docker_daemon_log_driver': 'journald', 'docker_daemon_log_max_size': 'big', 'docker_daemon_log_max_file': 0},
])
def test_valid_values_pass(changes):
    assert check(**changes) == []


@pytest.mark.parametrize('changes, expected', [
    ({'docker_daemon_log_max_size': '10M'}, "docker_daemon_log_max_size must look like 10m, 500k or 1g (a whole number followed by k, m or g), got '10M'"),
    ({'docker_daemon_log_max_file': 0}, 'docker_daemon_log_max_file must be a whole number of at least 1, got 0'),
    ({'docker_daemon_log_driver': 'local', 'docker_daemon_log_max_size': '10'}, 'docker_daemon_log_max_size must look like'),
    ({'docker_daemon_log_opts': ['max-size=10m']}, 'docker_daemon_log_opts must be a mapping of log option: value'),
    ({'docker_daemon_log_opts': {'max-size': '10 MB'}}, "docker_daemon_log_opts['max-size'] must look like 10m, 500k or 1g"),
    ({'docker_daemon_log_opts': {'max-file': '0'}}, "docker_daemon_log_opts['max-file'] must be a whole number of at least 1"),
    ({'docker_daemon_options': {'log-opts': {'max-size': '1gb'}}}, "docker_daemon_options['log-opts']['max-size'] must look like 10m"),
    ({'docker_daemon_options': {'log-opts': {'max-file': 'five'}}}, "docker_daemon_options['log-opts']['max-file'] must be a whole number"),
    ({'docker_daemon_default_address_pools': [{'base': '10.210.0.0', 'size': 24}]},
     "docker_daemon_default_address_pools[0].base must be an IPv4 network such as 10.210.0.0/16"),
    ({'docker_daemon_default_address_pools': [{'base': '10.300.0.0/16', 'size': 24}]},
     'docker_daemon_default_address_pools[0].base must be an IPv4 network'),
    ({'docker_daemon_default_address_pools': [{'base': '10.210.0.0/16', 'size': 24}, {'base': '10.211.0.0/16', 'size': 8}]},
     "docker_daemon_default_address_pools[1].size must be a prefix length between the base's (16) and 30, got 8"),
    ({'docker_daemon_default_address_pools': [{'base': '10.210.0.0/16', 'size': 31}]},
     "docker_daemon_default_address_pools[0].size must be a prefix length between the base's (16) and 30, got 31"),
    ({'docker_daemon_registry_mirrors': ['mirror.gcr.io']}, "docker_daemon_registry_mirrors[0] must be an http:// or https:// URL"),
    ({'docker_ca_certificates': [{'name': 'corp root', 'content': PEM}]}, "docker_ca_certificates[corp root].name must be letters"),
    ({'docker_ca_certificates': [{'name': 'corp'}]}, 'docker_ca_certificates[corp] needs exactly one of content'),
    ({'docker_ca_certificates': [{'name': 'corp', 'content': PEM, 'src': __file__}]}, 'got both'),
    ({'docker_ca_certificates': [{'name': 'corp', 'content': 'MIIB'}]}, 'docker_ca_certificates[corp].content must be a PEM certificate'),
    ({'docker_ca_certificates': [{'name': 'corp', 'src': '/nonexistent/ca.pem'}]},
     "docker_ca_certificates[corp].src must be an existing file on the controller, got '/nonexistent/ca.pem'"),
    ({'docker_image_archives': [{'name': 'Acme/API', 'path': '/srv/a.tar'}]}, 'docker_image_archives[Acme/API].name must be the image:tag'),
    ({'docker_image_archives': [{'name': 'acme/api:1'}]}, 'docker_image_archives[acme/api:1] needs exactly one of path'),
    ({'docker_image_archives': [{'name': 'acme/api:1', 'src': '/nonexistent/a.tar'}]},
     'docker_image_archives[acme/api:1].src must be an existing archive on the controller'),
])
def test_each_broken_rule_is_named_first(changes, expected):
    errors = check(**changes)
    assert errors, 'no message'
    assert expected in errors[0], errors
