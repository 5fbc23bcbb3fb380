# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall role's rules beyond its argument spec: the role's defaults pass, each broken rule
gives its own message naming the variable's full path."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import firewall_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / 'roles' / 'firewall' / 'defaults' / 'main.yml').read_text())


def check(**changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values)


def source(**changes):
    out = {'source': '10.0.0.0/24'}
    out.update(changes)
    return [out]


def test_defaults_pass():
    assert check() == []


@pytest.mark.parametrize('changes', [
    {'firewall_allowed_tcp_ports': [80, '8080', 65535], 'firewall_allowed_udp_ports': [53]},
    {'firewall_docker_allowed_ports': [8080, '8080/tcp', '5353/udp']},
    {'firewall_allowed_sources': source(port=5432, proto='tcp', comment='office (VPN)')},
    {'firewall_allowed_sources': [{'source': '203.0.113.7'}, {'source': '2001:db8::/64', 'port': None, 'comment': None}]},
    {'firewall_docker_enabled': False, 'firewall_docker_interfaces': []},
])
def test_valid_values_pass(changes):
    assert check(**changes) == []


@pytest.mark.parametrize('changes, expected', [
    ({'firewall_ssh_port': 0}, 'firewall_ssh_port must be a port number between 1 and 65535, got 0'),
    ({'firewall_allowed_tcp_ports': [80, 70000]}, 'firewall_allowed_tcp_ports[1] must be a port number between 1 and 65535, got 70000'),
    ({'firewall_allowed_udp_ports': ['dns']}, "firewall_allowed_udp_ports[0] must be a port number between 1 and 65535, got 'dns'"),
    ({'firewall_docker_allowed_ports': ['8080/sctp']}, "firewall_docker_allowed_ports[0] must be a published port between 1 and 65535"),
    ({'firewall_docker_allowed_ports': [0]}, 'firewall_docker_allowed_ports[0] must be a published port'),
    ({'firewall_docker_allowed_ports': ['99999']}, 'firewall_docker_allowed_ports[0] must be a published port'),
    ({'firewall_allowed_sources': source(source='10.0.0.256')}, 'firewall_allowed_sources[10.0.0.256].source must be an IPv4 or IPv6'),
    ({'firewall_allowed_sources': source(source='10.0.0.0/33')}, 'firewall_allowed_sources[10.0.0.0/33].source must be an IPv4 or IPv6'),
    ({'firewall_allowed_sources': source(source='2001:db8:::1')}, 'firewall_allowed_sources[2001:db8:::1].source must be an IPv4 or IPv6'),
    ({'firewall_allowed_sources': source(source='office.example.com')}, 'source must be an IPv4 or IPv6 address or network'),
    ({'firewall_allowed_sources': [{'source': 10}]}, 'firewall_allowed_sources[10].source must be an IPv4 or IPv6'),
    ({'firewall_allowed_sources': source(source='10.0.0.5/24')},
     'firewall_allowed_sources[10.0.0.5/24].source 10.0.0.5/24 has host bits set; write the network (10.0.0.0/24) '
     'or the single address (10.0.0.5/32)'),
    ({'firewall_allowed_sources': source(source='192.168.1.130/25')}, 'write the network (192.168.1.128/25)'),
    ({'firewall_allowed_sources': source(port=0)}, 'firewall_allowed_sources[10.0.0.0/24].port must be a port number between 1 and 65535, got 0'),
    ({'firewall_allowed_sources': source(proto='icmp')}, "firewall_allowed_sources[10.0.0.0/24].proto must be tcp or udp, got 'icmp'"),
    ({'firewall_allowed_sources': source(comment='office; drop')}, 'firewall_allowed_sources[10.0.0.0/24].comment must be up to 100'),
    ({'firewall_allowed_sources': source(comment='x' * 101)}, 'firewall_allowed_sources[10.0.0.0/24].comment must be up to 100'),
    ({'firewall_docker_interfaces': []}, 'firewall_docker_interfaces must list at least one interface name'),
    ({'firewall_docker_interfaces': ['docker0', 'a-very-long-bridge0']}, 'firewall_docker_interfaces[1] must be an interface name of at most 15'),
    ({'firewall_docker_interfaces': ['br-*x']}, 'firewall_docker_interfaces[0] must be an interface name'),
])
def test_each_broken_rule_is_named_first(changes, expected):
    errors = check(**changes)
    assert errors, 'no message'
    assert expected in errors[0], errors
