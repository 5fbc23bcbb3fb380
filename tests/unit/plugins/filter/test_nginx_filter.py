# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/filter/nginx.py: a thin wrapper that turns UpstreamError into AnsibleFilterError."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.filter.nginx import FilterModule

FILTERS = FilterModule().filters()


def test_upstream_filter_renders():
    text = FILTERS['nginx_upstream_conf']('shop_api', [{'address': '10.224.31.65:8000'}], 4)
    assert 'upstream shop_api {\n    server 10.224.31.65:8000 max_fails=1 fail_timeout=5s;\n    keepalive 4;\n}\n' in text


def test_upstream_filter_names_the_variable_on_bad_input():
    with pytest.raises(AnsibleFilterError, match=r'nginx_upstream_servers\[0\]\.address must be host:port'):
        FILTERS['nginx_upstream_conf']('shop_api', [{'address': 'nope'}])
