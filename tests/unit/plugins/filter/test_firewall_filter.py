# SPDX-License-Identifier: GPL-3.0-or-later
"""firewall_sources: the entries a fleet's hosts admit each other with."""
from ansible_collections.vmdeploy.backend.plugins.filter.firewall import firewall_sources


def test_hosts_become_single_address_sources():
    assert firewall_sources(['192.168.213.11', 'fd00::5', '10.0.0.0/24'], 'proxy') == [
        {'source': '192.168.213.11/32', 'comment': 'proxy'},
        {'source': 'fd00::5/128', 'comment': 'proxy'},
        {'source': '10.0.0.0/24', 'comment': 'proxy'}]


def test_a_port_narrows_every_entry():
    assert firewall_sources(['192.168.213.12'], port=5432) == [{'source': '192.168.213.12/32', 'port': 5432}]
    assert firewall_sources(None) == []
