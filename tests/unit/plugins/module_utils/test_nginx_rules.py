# SPDX-License-Identifier: GPL-3.0-or-later
"""The nginx role's rules beyond its argument spec: the role's defaults pass, each broken rule gives
its own message naming the variable's full path."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import nginx_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / 'roles' / 'nginx' / 'defaults' / 'main.yml').read_text())
DEFAULTS['nginx_worker_rlimit_nofile'] = '8192'   # the template's value for 4096 connections

SITE = {'name': 'shop', 'server_names': ['shop.example.com'],
        'locations': [{'path': '/', 'upstream': 'shop_api'}, {'path': '/api', 'upstream': 'shop_api', 'rate_limit': 'api'}]}
LIMIT = {'name': 'api', 'rate': '10r/s'}


def values(**changes):
    out = copy.deepcopy(DEFAULTS)
    out['nginx_sites'] = [copy.deepcopy(SITE)]
    out['nginx_rate_limits'] = [dict(LIMIT)]
    out.update(changes)
    return out


def site(**changes):
    out = copy.deepcopy(SITE)
    out.update(changes)
    return out


def location(**changes):
    out = {'path': '/api', 'upstream': 'shop_api'}
    out.update(changes)
    return out


def test_defaults_pass():
    assert r.errors(DEFAULTS) == []


def test_a_site_with_a_rate_limit_passes():
    assert r.errors(values()) == []


@pytest.mark.parametrize('changes, expected', [
    ({'nginx_keepalive_timeout': '65 s'}, 'nginx_keepalive_timeout must be an nginx duration such as 60s'),
    ({'nginx_proxy_next_upstream_timeout': '1y'}, 'nginx_proxy_next_upstream_timeout must be an nginx duration'),
    ({'nginx_client_max_body_size': '10mb'}, "nginx_client_max_body_size must be a size such as 10m, 512k or 1g"),
    ({'nginx_worker_processes': 0}, 'nginx_worker_processes must be auto or a whole number of at least 1, got 0'),
    ({'nginx_worker_connections': 32}, 'nginx_worker_connections must be a whole number of at least 64, got 32'),
    ({'nginx_worker_rlimit_nofile': 1024}, 'nginx_worker_rlimit_nofile must be at least nginx_worker_connections (4096)'),
    ({'nginx_proxy_next_upstream_tries': -1}, 'nginx_proxy_next_upstream_tries must be a whole number of at least 0'),
    ({'nginx_access_log': 'access.log'}, 'nginx_access_log must be an absolute path'),
    ({'nginx_log_format': ''}, 'nginx_log_format must not be empty'),
    ({'nginx_log_format': 'a\nb'}, 'nginx_log_format must be one line'),
    ({'nginx_gzip_types': ['text/plain', 'JSON']}, "nginx_gzip_types[1] must be a MIME type such as application/json, got 'JSON'"),
    ({'nginx_upstreams': [{'name': 'Legacy', 'servers': ['127.0.0.1:80']}]}, 'nginx_upstreams[Legacy].name must be lower case'),
    ({'nginx_upstreams': [{'name': 'legacy', 'servers': []}]}, 'nginx_upstreams[legacy].servers must list at least one server'),
    ({'nginx_upstreams': [{'name': 'legacy', 'servers': ['127.0.0.1']}]}, 'nginx_upstreams[legacy].servers[0] must be host:port'),
    ({'nginx_upstreams': [{'name': 'legacy', 'servers': ['127.0.0.1:80'], 'keepalive': -1}]},
     'nginx_upstreams[legacy].keepalive must be a whole number of at least 0, got -1'),
    ({'nginx_upstreams': [{'name': 'legacy', 'servers': ['127.0.0.1:80']}, {'name': 'legacy', 'servers': ['127.0.0.1:81']}]},
     'nginx_upstreams[legacy]: the name is used by more than one upstream'),
    ({'nginx_sites': [site(name='Shop')]}, 'nginx_sites[Shop].name must be lower case letters'),
    ({'nginx_sites': [site(server_names=[])]}, 'nginx_sites[shop].server_names must list at least one host name'),
    ({'nginx_sites': [site(server_names=['shop example.com'])]}, 'nginx_sites[shop].server_names[0] must be a host name'),
    ({'nginx_sites': [site(listen=70000)]}, 'nginx_sites[shop].listen must be a port number between 1 and 65535, got 70000'),
    ({'nginx_sites': [site(client_max_body_size='1 m')]}, 'nginx_sites[shop].client_max_body_size must be a size'),
    ({'nginx_sites': [site(locations=[])]}, 'nginx_sites[shop].locations must list at least one location'),
    ({'nginx_sites': [site(locations=[location(path='/'), location(path='/')])]},
     'nginx_sites[shop].locations[/]: the path is used by more than one location'),
    ({'nginx_sites': [site(health_path='health')]}, "nginx_sites[shop].health_path must be a path starting with /"),
    ({'nginx_sites': [site(), site(server_names=['other.example.com'])]},
     'nginx_sites[shop]: the name is used by more than one site'),
    ({'nginx_sites': [site(), site(name='blog', server_names=['Shop.example.com'])]},
     'nginx_sites[blog].server_names: shop.example.com is listed in nginx_sites[shop] too'),
    ({'nginx_sites': [site(server_names=['a.example.com', 'a.example.com'])]},
     'nginx_sites[shop].server_names: a.example.com is listed twice in this site'),
    ({'nginx_sites': [site(locations=[location(path='/a b')])]}, 'nginx_sites[shop].locations[/a b].path must be a path'),
    ({'nginx_sites': [site(locations=[{'path': '/'}])]}, 'nginx_sites[shop].locations[/] needs exactly one of upstream'),
    ({'nginx_sites': [site(locations=[location(proxy_pass='http://x')])]}, 'got both'),
    ({'nginx_sites': [site(locations=[location(upstream='Shop.API')])]}, "nginx_sites[shop].locations[/api].upstream must be a name"),
    ({'nginx_sites': [site(locations=[{'path': '/', 'proxy_pass': 'ftp://x'}])]},
     'nginx_sites[shop].locations[/].proxy_pass must be an http:// or https:// URL'),
    ({'nginx_sites': [site(locations=[location(read_timeout='1 min')])]},
     'nginx_sites[shop].locations[/api].read_timeout must be an nginx duration'),
    ({'nginx_sites': [site(locations=[location(websocket='yes')])]},
     "nginx_sites[shop].locations[/api].websocket must be true or false, got 'yes'"),
    ({'nginx_sites': [site(locations=[location(access_log=None)])]},
     'nginx_sites[shop].locations[/api].access_log must be true or false, got None'),
    ({'nginx_tls_dir': 'tls'}, "nginx_tls_dir must be an absolute path"),
    ({'nginx_tls_dir': '/'}, "nginx_tls_dir must be an absolute path"),
    ({'nginx_tls_placeholder_days': 0}, 'nginx_tls_placeholder_days must be a whole number of at least 1, got 0'),
    ({'nginx_tls_protocols': []}, 'nginx_tls_protocols must list at least one of TLSv1.2 and TLSv1.3'),
    ({'nginx_tls_protocols': ['TLSv1.3', 'TLSv1.1']}, "nginx_tls_protocols[1] must be TLSv1.2 or TLSv1.3, got 'TLSv1.1'"),
    ({'nginx_tls_protocols': 'TLSv1.3'}, "nginx_tls_protocols must be a list, got 'TLSv1.3'"),
    ({'nginx_tls_ciphers': []}, 'nginx_tls_ciphers must list at least one'),
    ({'nginx_tls_ciphers': ['ECDHE-RSA-AES128-GCM-SHA256:HIGH']}, 'nginx_tls_ciphers[0] must be one of the OpenSSL cipher names'),
    ({'nginx_tls_ecdh_curves': []}, 'nginx_tls_ecdh_curves must list at least one'),
    ({'nginx_tls_ecdh_curves': ['X25519 ']}, 'nginx_tls_ecdh_curves[0] must be one of the OpenSSL curve names'),
    ({'nginx_tls_stapling': 'on'}, "nginx_tls_stapling must be true or false, got 'on'"),
    ({'nginx_http2': 1}, 'nginx_http2 must be true or false, got 1'),
    ({'nginx_tls_stapling': True}, 'nginx_tls_stapling_resolvers must list at least one DNS server address'),
    ({'nginx_tls_stapling_resolvers': ['127.0.0.53 valid=300s']}, 'nginx_tls_stapling_resolvers[0] must be a DNS server address'),
    ({'nginx_hsts_max_age': -1}, 'nginx_hsts_max_age must be a whole number of seconds of at least 0, got -1'),
    ({'nginx_hsts_include_subdomains': 'no'}, "nginx_hsts_include_subdomains must be true or false, got 'no'"),
    ({'nginx_hsts_preload': 'no'}, "nginx_hsts_preload must be true or false, got 'no'"),
    ({'nginx_hsts_preload': True}, 'nginx_hsts_preload needs nginx_hsts_include_subdomains: true'),
    ({'nginx_hsts_preload': True, 'nginx_hsts_include_subdomains': True, 'nginx_hsts_max_age': 86400},
     'nginx_hsts_preload needs nginx_hsts_max_age of at least 31536000 (one year), got 86400'),
    ({'nginx_x_frame_options': 'deny'}, "nginx_x_frame_options must be DENY, SAMEORIGIN or '' (no header), got 'deny'"),
    ({'nginx_referrer_policy': 'strict'}, "nginx_referrer_policy must be one of no-referrer"),
    ({'nginx_acme_webroot': '/var/lib/$acme'}, 'nginx_acme_webroot must be an absolute path'),
    ({'nginx_rate_limits': [{'name': 'API', 'rate': '10r/s'}]}, 'nginx_rate_limits[API].name must be lower case'),
    ({'nginx_rate_limits': [{'name': 'api', 'rate': '10/s'}]}, "nginx_rate_limits[api].rate must be requests per second or minute"),
    ({'nginx_rate_limits': [{'name': 'api'}]}, 'nginx_rate_limits[api].rate must be requests per second or minute'),
    ({'nginx_rate_limits': [{'name': 'api', 'rate': '1r/s', 'burst': -5}]}, 'nginx_rate_limits[api].burst must be a whole number'),
    ({'nginx_rate_limits': [{'name': 'api', 'rate': '1r/s', 'nodelay': 'yes'}]}, "nginx_rate_limits[api].nodelay must be true or false"),
    ({'nginx_rate_limits': [{'name': 'api', 'rate': '1r/s', 'zone_size': '10 MB'}]}, 'nginx_rate_limits[api].zone_size must be a size'),
    ({'nginx_rate_limits': [LIMIT, LIMIT]}, 'nginx_rate_limits[api]: the name is used by more than one entry'),
    ({'nginx_sites': [site(tls='yes')]}, "nginx_sites[shop].tls must be true or false, got 'yes'"),
    ({'nginx_sites': [site(x_frame_options='ALLOW')]}, "nginx_sites[shop].x_frame_options must be DENY, SAMEORIGIN or ''"),
    ({'nginx_sites': [site(tls=True), site(name='blog', server_names=['blog.example.com'], listen=443)]},
     'nginx_sites[blog].listen must not be 443: the sites with tls: true serve HTTPS there'),
    ({'nginx_sites': [site(locations=[location(rate_limit='apii')])]},
     "nginx_sites[shop].locations[/api].rate_limit must be the name of an entry of nginx_rate_limits (defined: api), "
     "got 'apii' (did you mean `api`?)"),
    ({'nginx_sites': [site(locations=[location(path='/.well-known/acme-challenge/')])]},
     'nginx_sites[shop].locations[/.well-known/acme-challenge/].path: /.well-known/acme-challenge/ is served by the role'),
])
def test_each_broken_rule_is_named_first(changes, expected):
    errors = r.errors(values(**changes))
    assert errors, 'no message'
    assert expected in errors[0], errors


def test_a_listen_443_without_tls_sites_passes():
    assert r.errors(values(nginx_sites=[site(listen=443)])) == []


def test_one_message_per_broken_rule():
    errors = r.errors(values(nginx_worker_connections=32, nginx_http2='yes'))
    assert len(errors) == 2
