# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters of plugins/filter/stack.py: thin wrappers that turn StackError into AnsibleFilterError."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.vmdeploy.backend.plugins.filter.stack import FilterModule
from ansible_collections.vmdeploy.backend.plugins.module_utils import stack

FILTERS = FilterModule().filters()
GOOD = {'name': 'shop', 'apps': [{'name': 'api', 'image': 'ghcr.io/acme/api:1.0.0', 'host_port': 8000}]}
TWO_SECRETS_ONE_VAR = {'name': 'shop', 'apps': [{'name': 'api', 'image': 'x:1', 'host_port': 8000, 'secret_env': {'TOKEN': 'a'}}],
                       'workers': [{'name': 'w', 'image': 'x:1', 'secret_env': {'TOKEN': 'b'}}]}


def test_every_filter_is_there():
    expected = {
        'stack_normalize', 'stack_normalize_all', 'stack_weak_secrets', 'stack_compose', 'stack_plan',
        'stack_serving_slots', 'stack_state_entries', 'stack_rollback_targets', 'stack_secret_names',
        'stack_env_file', 'stack_weak_secret', 'stack_slot_ports', 'stack_slot_services', 'stack_slot_containers',
        'stack_gate_urls', 'stack_before_services', 'stack_serving_upstreams', 'stack_release_steps',
    }
    assert expected <= set(FILTERS), sorted(expected - set(FILTERS))
    assert all(callable(f) for f in FILTERS.values())


@pytest.mark.parametrize('project, message', [
    ({'name': 'shop', 'apps': [{'name': 'api', 'image': 'x:1'}]},
     'stack_projects[shop].apps[api].host_port (first port published on 127.0.0.1) is required'),
    ({'name': 'Shop'}, "stack_projects: name 'Shop' must match"),
    ({'name': 'shop', 'apps': [{'name': 'api', 'image': 'x:1', 'host_port': 8000, 'strategy': 'rolling'}]},
     "stack_projects[shop].apps[api].strategy must be one of bluegreen, recreate, got 'rolling'"),
    ({'name': 'shop', 'n8n': {'enabled': True}}, 'stack_projects[shop].n8n runs on PostgreSQL'),
])
def test_stack_normalize_raises_a_filter_error_with_the_message(project, message):
    with pytest.raises(AnsibleFilterError) as exc:
        FILTERS['stack_normalize'](project)
    assert message in str(exc.value)
    assert not isinstance(exc.value, stack.StackError)


def test_stack_normalize_passes_the_offset():
    project = {'name': 'shop', 'apps': [{'name': 'api', 'image': 'x:1', 'host_port': 8000, 'replicas': 2}]}
    with pytest.raises(AnsibleFilterError, match=r'port 8001 \(slot green\) is already used by api/blue'):
        FILTERS['stack_normalize'](project, 1)
    assert FILTERS['stack_normalize'](project, 100) == stack.normalize_project(project, 100)


def test_stack_normalize_returns_the_normalized_project():
    assert FILTERS['stack_normalize'](GOOD) == stack.normalize_project(GOOD)


@pytest.mark.parametrize('name, args, message', [
    ('stack_normalize_all', ([GOOD, GOOD],), 'the stack name shop is used twice'),
    ('stack_normalize_all', ([GOOD], 100, {'blog': {'api': 'x:2'}}), 'stack_image_overrides: no stack named blog'),
    ('stack_rollback_targets', ([], {}, 'previous'), 'no earlier successful release to go back to'),
    ('stack_rollback_targets', ([], {}, '20251101T100000Z'), 'stack_rollback_release: no successful release'),
    ('stack_normalize_all', ([{'name': 'a-b', 'apps': [{'name': 'c', 'image': 'x:1', 'host_port': 8000}]},
                              {'name': 'a', 'apps': [{'name': 'b-c', 'image': 'x:1', 'host_port': 9000}]}],),
     'clash with stack_projects[a-b].apps[c]'),
    ('stack_normalize_all', ([dict(GOOD, apps=[dict(GOOD['apps'][0], secret_env={'TOKEN_URLENC': 'token'})])],),
     'stack_projects[shop].apps[api].secret_env: TOKEN_URLENC is reserved'),
    ('stack_secret_names', (stack.normalize_project(TWO_SECRETS_ONE_VAR),), 'TOKEN already holds secret a, not b'),
    ('stack_env_file', (stack.normalize_project(TWO_SECRETS_ONE_VAR), {}), 'TOKEN already holds secret a, not b'),
])
def test_other_wrapped_filters_raise_filter_errors(name, args, message):
    with pytest.raises(AnsibleFilterError) as exc:
        FILTERS[name](*args)
    assert message in str(exc.value)


def test_wrappers_keep_the_function_names():
    assert FILTERS['stack_normalize'].__name__ == 'normalize_project'
    assert FILTERS['stack_compose'].__name__ == 'compose_project'


def test_slot_filters():
    app = stack.normalize_project(GOOD)['apps'][0]
    assert FILTERS['stack_slot_ports'](app, 'green') == [8100]
    assert FILTERS['stack_slot_ports'](app, 'green', 250) == [8250]
    assert FILTERS['stack_slot_services'](app, 'blue') == ['api-blue-1']
    assert FILTERS['stack_slot_containers']('shop', app, 'blue') == ['shop-api-blue-1-1']
    project = stack.normalize_project(dict(GOOD, subnet='10.231.0.0/16'))
    assert FILTERS['stack_gate_urls'](project, app, 'green', 250) == ['http://10.231.32.58:8000/health']
    assert FILTERS['stack_weak_secret']('changeme') == 'it is a placeholder'


def test_release_filters_chain_like_the_role():
    project = FILTERS['stack_normalize'](GOOD)
    plans = FILTERS['stack_plan'](project, {}, 'sum', 'r1')
    slots = FILTERS['stack_serving_slots'](plans, 'before')
    doc = FILTERS['stack_compose'](project, slots, None)
    assert sorted(doc['services']) == ['api-blue-1']
    state = {'apps': FILTERS['stack_state_entries'](plans)}
    assert [p['action'] for p in FILTERS['stack_plan'](project, state, 'sum', 'r2')] == ['steady']
    assert FILTERS['stack_secret_names'](project) == []
    assert FILTERS['stack_weak_secrets']([project]) == []


def test_secret_filters_give_the_names_and_the_env_file():
    project = FILTERS['stack_normalize']({
        'name': 'shop', 'postgres': {'enabled': True},
        'apps': [{'name': 'api', 'image': 'x:1', 'host_port': 8000, 'secret_env': {'API_KEY': 'stripe'}}],
    })
    names = FILTERS['stack_secret_names'](project)
    assert names == ['postgres_password', 'stripe']
    text = FILTERS['stack_env_file'](project, {'postgres_password': 'p/w+1@x', 'stripe': 'sk_1'})
    assert text == stack.env_file(project, {'postgres_password': 'p/w+1@x', 'stripe': 'sk_1'})
    assert text.splitlines()[1:] == ["API_KEY='sk_1'", "POSTGRES_PASSWORD='p/w+1@x'",
                                     "POSTGRES_PASSWORD_URLENC='p%2Fw%2B1%40x'"]
    assert FILTERS['stack_env_file'].__name__ == 'env_file'
