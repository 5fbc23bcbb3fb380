# SPDX-License-Identifier: GPL-3.0-or-later
"""The validation filters are thin wrappers: they return messages, never fail."""
from ansible_collections.vmdeploy.backend.plugins.filter.validation import FilterModule

FILTERS = FilterModule().filters()


def test_every_filter_is_there():
    assert set(FILTERS) == {'spec_errors', 'image_reference_error', 'upstream_errors', 'stack_errors', 'stack_upstreams',
                            'letsencrypt_errors', 'logrotate_errors', 'firewall_errors', 'docker_errors',
                            'stack_settings_errors', 'stack_placement_errors'}


def test_spec_errors_treat_none_as_not_set():
    options = {'x': {'type': 'int', 'required': True, 'description': 'A count.'}, 'y': {'type': 'int'}}
    assert FILTERS['spec_errors'](options, {'x': 1, 'y': None}) == []
    assert FILTERS['spec_errors'](options, {'x': None}) == ['x is required: A count.']


def test_stack_errors_return_instead_of_failing():
    assert FILTERS['stack_errors']([{'name': 'shop', 'apps': [{'name': 'api', 'image': 'acme/api:1', 'host_port': 8000}]}]) == []
    assert FILTERS['stack_errors']('shop') == ["stack_projects must be a list of stacks, got 'shop'"]


def test_stack_upstreams_of_several_hosts_keep_the_first_by_host_name():
    got = FILTERS['stack_upstreams']({
        'b-host': [{'name': 'shop', 'apps': [{'name': 'api'}]}],
        'a-host': [{'name': 'shop', 'apps': [{'name': 'api'}, {'name': 'admin'}]}],
        'c-host': None,
    })
    assert got == {'shop_api': 'a-host: stack_projects[shop].apps[api]', 'shop_admin': 'a-host: stack_projects[shop].apps[admin]'}


def test_upstream_and_image_filters():
    assert FILTERS['image_reference_error']('nginx:1.27') is None
    assert FILTERS['upstream_errors']([], [], {}) == []
