# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure rules of the validation play: argument specs walked with named paths, image references,
nginx upstreams across the inventory."""
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import validation as v

ROOT = pathlib.Path(__file__).resolve().parents[4]


def spec_of(role):
    return yaml.safe_load((ROOT / 'roles' / role / 'meta' / 'argument_specs.yml').read_text())['argument_specs']['main']['options']


@pytest.mark.parametrize('key, allowed, expected', [
    ('replica', ['replicas', 'port'], ' (did you mean `replicas`?)'),
    ('imag', ['image', 'name'], ' (did you mean `image`?)'),
    ('zzz', ['image', 'name'], ''),
    ('upstreem', ['upstream', 'proxy_pass', 'path'], ' (did you mean `upstream`?)'),
])
def test_did_you_mean(key, allowed, expected):
    assert v.did_you_mean(key, allowed) == expected


def test_unknown_key_message_lists_every_unknown_key_with_its_suggestion():
    msg = v.unknown_key_message('stack_projects[shop].apps[api]', ['replica', 'zzz'], ['replicas', 'port'])
    assert msg == ('stack_projects[shop].apps[api]: unknown key(s) replica (did you mean `replicas`?), zzz; '
                   'allowed: port, replicas')


NGINX_OK = {'nginx_sites': [{'name': 'shop', 'server_names': ['shop.example.com'],
                             'locations': [{'path': '/', 'upstream': 'shop_api'}]}]}


@pytest.mark.parametrize('role, values, expected', [
    ('nginx', NGINX_OK, None),
    ('nginx', {'nginx_sites': [{'name': 'shop', 'server_names': ['a.example.com'],
                                'locations': [{'path': '/', 'upstreem': 'x'}]}]},
     'nginx_sites[shop].locations[/]: unknown key(s) upstreem (did you mean `upstream`?); allowed: '),
    ('nginx', {'nginx_sites': [{'name': 'shop', 'server_names': ['a.example.com'],
                                'locations': [{'path': '/', 'upstream': 'x'}], 'tls': 'maybe'}]},
     "nginx_sites[shop].tls must be true or false, got 'maybe'"),
    ('nginx', {'nginx_sites': [{'name': 'shop', 'server_names': ['a.example.com']}]},
     'nginx_sites[shop].locations is required: Prefix locations of the site (at least one, distinct paths).'),
    ('nginx', {'nginx_sites': [{'server_names': ['a.example.com'], 'locations': []}]},
     'nginx_sites[0].name is required'),
    ('nginx', {'nginx_worker_connections': 'lots'}, "nginx_worker_connections must be a whole number, got 'lots'"),
    ('nginx', {'nginx_x_frame_options': 'ALLOW'}, 'nginx_x_frame_options must be one of `DENY`, `SAMEORIGIN`, ``, got'),
    ('nginx', {'nginx_sites': {'name': 'shop'}}, 'nginx_sites must be a list'),
    ('stack', {'stack_projects': [{'name': 'shop', 'apps': {}}]}, 'stack_projects[shop].apps must be a list'),
    ('stack', {'stack_projects': [{'name': 'shop', 'appz': []}]},
     'stack_projects[shop]: unknown key(s) appz (did you mean `apps`?)'),
    ('stack', {'stack_pull': 'maybe'}, 'stack_pull must be one of `always`, `missing`, `never`, `policy`'),
    ('firewall', {'firewall_allowed_sources': [{'source': '10.0.0.0/8', 'prot': 'tcp'}]},
     'firewall_allowed_sources[10.0.0.0/8]: unknown key(s) prot (did you mean `proto`?)'),
    ('logrotate', {'logrotate_paths': [{'path': '/srv/x/*.log', 'rotate': 'many'}]},
     "logrotate_paths[/srv/x/*.log].rotate must be a whole number, got 'many'"),
    ('docker', {'docker_daemon_live_restore': 'perhaps'}, "docker_daemon_live_restore must be true or false"),
    ('docker', {'docker_daemon_log_max_file': '5', 'docker_daemon_live_restore': 'yes'}, None),
    ('backup', {'backup_retention_daily': 'x'}, "backup_retention_daily must be a whole number, got 'x'"),
    ('letsencrypt', {'letsencrypt_certificates': [{'name': 'shop', 'domain': ['a.example.com']}]},
     'letsencrypt_certificates[shop]: unknown key(s) domain (did you mean `domains`?)'),
])
def test_spec_errors_name_the_path_by_name(role, values, expected):
    errors = v.spec_errors(spec_of(role), values)
    if expected is None:
        assert errors == []
    else:
        assert errors and expected in errors[0], errors


def test_spec_errors_never_quote_a_secret_option():
    options = {'token': {'type': 'int', 'no_log': True}, 'items': {'type': 'list', 'elements': 'dict', 'no_log': True,
                                                                   'options': {'key': {'type': 'int'}}}}
    errors = v.spec_errors(options, {'token': 'hunter2-value', 'items': [{'key': 'sesame-value'}]})
    assert len(errors) == 2
    assert errors == ['items[0].key must be a whole number, got a value not shown (the option is secret)',
                      'token must be a whole number, got a value not shown (the option is secret)']
    assert 'hunter2' not in ' '.join(errors) and 'sesame' not in ' '.join(errors)


def test_spec_errors_report_a_missing_required_variable():
    assert v.spec_errors({'x': {'type': 'str', 'required': True, 'description': 'The X. More.'}}, {}) == [
        'x is required: The X.']


@pytest.mark.parametrize('ref', [
    'nginx', 'nginx:1.27', 'library/nginx:1.27-alpine', 'ghcr.io/acme/shop-api:2024.11.2',
    'registry.example.com:5000/team/app_x__y:v1', 'localhost/app:dev', 'localhost:5000/app',
    'pgvector/pgvector:pg16', 'vmdeploy-test/app:v1',
    'postgres:16@sha256:' + 'a' * 64, 'postgres@sha256:' + '0123456789abcdef' * 4,
    '[::1]:5000/app:1',
])
def test_valid_image_references(ref):
    assert v.image_reference_error(ref) is None


@pytest.mark.parametrize('ref, words', [
    ('ghcr.io/acme/api :1.0', 'contains a space'),
    (' nginx', 'contains a space'),
    ('ghcr.io/Acme/API:1.0', 'upper case letters'),
    ('Acme/api', 'upper case letters'),
    ('nginx:', 'has a tag ``'),
    ('nginx:-x', 'has a tag `-x`'),
    ('nginx:' + 'a' * 129, 'up to 128'),
    ('postgres@sha256:xyz', 'digest'),
    ('acme//api', 'path component ``'),
    ('acme/api-', 'path component `api-`'),
    ('', 'must be an image reference'),
    (None, 'must be an image reference'),
    ('bad_host!/api:1', 'path component `bad_host!`'),
    ('a.b-/api', 'registry `a.b-`'),
])
def test_invalid_image_references(ref, words):
    reason = v.image_reference_error(ref)
    assert reason and words in reason, reason


STACK_UPSTREAMS = {'shop_api': 'app-1: stack_projects[shop].apps[api]', 'shop_admin': 'app-1: stack_projects[shop].apps[admin]'}


def site(upstream, path='/'):
    return [{'name': 'shop', 'server_names': ['shop.example.com'], 'locations': [{'path': path, 'upstream': upstream}]}]


def test_upstreams_of_the_fleet_and_static_ones_pass():
    assert v.upstream_errors(site('shop_api'), [], STACK_UPSTREAMS) == []
    assert v.upstream_errors(site('legacy'), [{'name': 'legacy', 'servers': ['127.0.0.1:9000']}], STACK_UPSTREAMS) == []
    sites = [{'name': 'n8n', 'server_names': ['n.example.com'], 'locations': [{'path': '/', 'proxy_pass': 'http://127.0.0.1:5678'}]}]
    assert v.upstream_errors(sites, [], {}) == []


def test_an_upstream_no_stack_provides_is_refused_with_the_closest_name():
    errors = v.upstream_errors(site('shop_apii', '/api/'), [], STACK_UPSTREAMS)
    assert errors == [
        'nginx_sites[shop].locations[/api/].upstream: `shop_apii` is no upstream of this inventory (did you mean '
        '`shop_api`?); allowed: a name of nginx_upstreams or <stack>_<app> of an app in stack_projects of a stack '
        'host (known: shop_admin, shop_api)']


def test_a_name_that_is_not_close_gets_no_suggestion():
    errors = v.upstream_errors(site('blog_api'), [], STACK_UPSTREAMS)
    assert 'did you mean' not in errors[0] and '(known: shop_admin, shop_api)' in errors[0]


def test_without_stack_hosts_the_message_says_none_is_known():
    assert 'known: none' in v.upstream_errors(site('shop_api'), [], {})[0]


def test_a_static_upstream_must_not_take_a_stack_upstreams_name():
    errors = v.upstream_errors(site('shop_api'), [{'name': 'shop_api', 'servers': ['127.0.0.1:1']}], STACK_UPSTREAMS)
    assert errors == ['nginx_upstreams[shop_api]: the name is the upstream a stack release writes for '
                      'app-1: stack_projects[shop].apps[api]; give the static upstream another name']
