# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nginx role's upstream files (plugins/module_utils/nginx_upstream.py)."""

from __future__ import annotations

import pytest

from ansible_collections.vmdeploy.backend.plugins.module_utils import nginx_upstream as up


def test_upstream_conf_defaults():
    assert up.upstream_conf('shop_api', [{'address': '10.192.31.65:8000'}, '10.192.31.66:8000']) == (
        '# Managed by vmdeploy.backend.nginx (entry point upstream): rewritten by each release.\n'
        'upstream shop_api {\n'
        '    server 10.192.31.65:8000 max_fails=1 fail_timeout=5s;\n'
        '    server 10.192.31.66:8000 max_fails=1 fail_timeout=5s;\n'
        '    keepalive 16;\n'
        '}\n')


def test_upstream_conf_weight_backup_and_no_keepalive():
    text = up.upstream_conf('a', [{'address': 'app1.internal:80', 'weight': 3},
                                  {'address': '[fd00::5]:8080', 'backup': True, 'max_fails': 0, 'fail_timeout': '10s'}],
                            keepalive=0)
    assert '    server app1.internal:80 weight=3 max_fails=1 fail_timeout=5s;\n' in text
    assert '    server [fd00::5]:8080 max_fails=0 fail_timeout=10s backup;\n' in text
    assert 'keepalive' not in text


@pytest.mark.parametrize('name, servers, keepalive, message', [
    ('Shop', ['127.0.0.1:1'], 16, 'nginx_upstream_name must match'),
    ('a;b', ['127.0.0.1:1'], 16, 'nginx_upstream_name must match'),
    ('a', [], 16, 'nginx_upstream_servers must be a non-empty list'),
    ('a', None, 16, 'nginx_upstream_servers must be a non-empty list'),
    ('a', [{'address': '127.0.0.1'}], 16, 'nginx_upstream_servers[0].address must be host:port'),
    ('a', ['127.0.0.1:1', '127.0.0.1:70000'], 16, 'nginx_upstream_servers[1].address must be host:port'),
    ('a', [{'address': '1.2.3.4:5; evil'}], 16, 'nginx_upstream_servers[0].address must be host:port'),
    ('a', [{'address': '1.2.3.4:5', 'weight': 0}], 16, 'nginx_upstream_servers[0].weight must be an integer >= 1'),
    ('a', [{'address': '1.2.3.4:5', 'weight': True}], 16, 'nginx_upstream_servers[0].weight must be an integer'),
    ('a', [{'address': '1.2.3.4:5', 'backup': 'yes'}], 16, 'nginx_upstream_servers[0].backup must be true or false'),
    ('a', [{'address': '1.2.3.4:5', 'fail_timeout': '5 s'}], 16, 'nginx_upstream_servers[0].fail_timeout'),
    ('a', [{'address': '1.2.3.4:5', 'port': 1}], 16, 'nginx_upstream_servers[0]: unknown key(s) port'),
    ('a', [7], 16, 'nginx_upstream_servers[0] must be a mapping'),
    ('a', ['1.2.3.4:5', '1.2.3.4:5'], 16, 'nginx_upstream_servers: 1.2.3.4:5 is listed twice'),
    ('a', [{'address': '1.2.3.4:5', 'backup': True}], 16, 'at least one server must not be a backup'),
    ('a', ['1.2.3.4:5'], -1, 'nginx_upstream_keepalive must be an integer >= 0'),
], ids=['upper', 'semicolon', 'empty', 'none', 'no-port', 'port-range', 'injection', 'weight-0', 'weight-bool',
        'backup-str', 'fail-timeout', 'unknown-key', 'not-a-mapping', 'twice', 'only-backups', 'keepalive'])
def test_upstream_conf_refuses_bad_input_by_name(name, servers, keepalive, message):
    with pytest.raises(up.UpstreamError) as exc:
        up.upstream_conf(name, servers, keepalive)
    assert message in str(exc.value)


def test_an_upstream_of_parts_includes_them():
    assert up.upstream_conf('shop_api', None, 16, '/etc/nginx/vmdeploy/upstreams/shop_api.d') == (
        '# Managed by vmdeploy.backend.nginx (entry point upstream): rewritten by each release.\n'
        'upstream shop_api {\n'
        '    include /etc/nginx/vmdeploy/upstreams/shop_api.d/*.conf;\n'
        '    keepalive 16;\n'
        '}\n')


def test_a_part_holds_the_servers_of_one_app_host():
    assert up.part_conf([{'address': '192.168.213.12:8001'}], 'shop_api', 'app1') == (
        '# Managed by vmdeploy.backend.nginx (entry point upstream): the servers of app1 in upstream shop_api.\n'
        '    server 192.168.213.12:8001 max_fails=1 fail_timeout=5s;\n')


@pytest.mark.parametrize('part', ['', '../x', 'a b', None, 'a/b'])
def test_a_part_is_named_like_a_host(part):
    with pytest.raises(up.UpstreamError, match='nginx_upstream_part must be a host name'):
        up.part_conf(['127.0.0.1:1'], 'shop_api', part)
