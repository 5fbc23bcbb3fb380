# SPDX-License-Identifier: GPL-3.0-or-later
"""The letsencrypt role's rules beyond its argument spec: the role's defaults pass, each broken rule
gives its own message naming the variable's full path; the EAB HMAC key is never quoted."""
import copy
import pathlib

import pytest
import yaml

from ansible_collections.vmdeploy.backend.plugins.module_utils import letsencrypt_rules as r

ROOT = pathlib.Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / 'roles' / 'letsencrypt' / 'defaults' / 'main.yml').read_text())
# The templated defaults as they evaluate with the nginx role's defaults.
DEFAULTS.update(letsencrypt_acme_directory=r.LE_PRODUCTION, letsencrypt_webroot='/var/lib/vmdeploy/acme',
                letsencrypt_tls_dir='/etc/vmdeploy/tls', letsencrypt_email='ops@vmdeploy-check.org')
CERT = {'name': 'shop', 'domains': ['shop.example.com', 'www.shop.example.com'], 'source': 'letsencrypt_certificates'}
STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'


def check(certs=None, **changes):
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return r.errors(values, [CERT] if certs is None else certs, list(r.LE_DIRECTORIES))


def cert(**changes):
    out = copy.deepcopy(CERT)
    out.update(changes)
    return out


def test_defaults_pass_without_certificates():
    values = copy.deepcopy(DEFAULTS)
    values['letsencrypt_email'] = ''
    assert r.errors(values, [], list(r.LE_DIRECTORIES)) == []


def test_defaults_pass_with_a_certificate():
    assert check() == []


def test_reserved_domains_pass_on_another_acme_server():
    assert check([cert(domains=['shop.test'])], letsencrypt_acme_directory='https://pebble:14000/dir') == []


@pytest.mark.parametrize('certs, changes, expected', [
    (None, {'letsencrypt_acme_directory': 'http://acme.example.org/dir'}, 'letsencrypt_acme_directory must be an https:// URL'),
    (None, {'letsencrypt_acme_ca_bundle': 'ca.pem'}, "letsencrypt_acme_ca_bundle must be empty or an absolute path"),
    (None, {'letsencrypt_eab_kid': 'kid-1'}, 'letsencrypt_eab_kid is set but letsencrypt_eab_hmac_key is empty'),
    (None, {'letsencrypt_eab_hmac_key': 's3cr3t-hmac'}, 'letsencrypt_eab_hmac_key is set but letsencrypt_eab_kid is empty'),
    (None, {'letsencrypt_email': 'ops-at-example'}, "letsencrypt_email must be an email address such as"),
    (None, {'letsencrypt_email': ''}, "letsencrypt_email: Let's Encrypt's production directory needs a real address"),
    (None, {'letsencrypt_email': 'admin@example.com'}, "letsencrypt_email: Let's Encrypt's production directory"),
    (None, {'letsencrypt_email': 'You@company.org'}, "letsencrypt_email: Let's Encrypt's production directory"),
    (None, {'letsencrypt_webroot': 'acme'}, 'letsencrypt_webroot must be an absolute path'),
    (None, {'letsencrypt_tls_dir': '/etc/vmdeploy/tls dir'}, 'letsencrypt_tls_dir must be an absolute path'),
    (None, {'letsencrypt_webroot': '/var/'}, "letsencrypt_webroot must be a directory of its own, not '/var/'"),
    (None, {'letsencrypt_webroot': '/etc/letsencrypt/'}, 'letsencrypt_webroot must be a directory of its own'),
    (None, {'letsencrypt_renew_on_calendar': ''}, 'letsencrypt_renew_on_calendar must be a systemd calendar spec'),
    (None, {'letsencrypt_renew_on_calendar': 'daily\nweekly'}, 'letsencrypt_renew_on_calendar must be one line'),
    (None, {'letsencrypt_renew_randomized_delay': '12 hours'}, 'letsencrypt_renew_randomized_delay must be a time span'),
    (None, {'letsencrypt_renew_hook': ['true', 'a\nb']}, 'letsencrypt_renew_hook[1] must be a one-line command'),
    ([cert(name='Shop')], {}, 'letsencrypt_certificates[Shop].name must be lower case letters'),
    ([cert(domains=[])], {}, 'letsencrypt_certificates[shop].domains must list at least one host name'),
    ([cert(domains=['h%d.example.com' % i for i in range(101)])], {}, 'must list at most 100 host names'),
    ([cert(domains=['shop.example.com', 'shop.example.com'])], {}, 'letsencrypt_certificates[shop].domains: shop.example.com is listed twice'),
    ([cert(domains=['shop.example.com', '*.example.com'])], {}, "letsencrypt_certificates[shop].domains[1] is a wildcard"),
    ([cert(domains=['203.0.113.5'])], {}, 'letsencrypt_certificates[shop].domains[0] is an IP address'),
    ([cert(domains=['shop_1.example.com'])], {}, 'letsencrypt_certificates[shop].domains[0] must be a host name'),
    ([cert(domains=['localhost'])], {}, 'letsencrypt_certificates[shop].domains[0] must be a host name'),
    ([cert(domains=['shop.test'])], {'letsencrypt_acme_directory': STAGING},
     "letsencrypt_certificates[shop].domains[0]: Let's Encrypt does not issue for the reserved domain 'shop.test'"),
    ([cert(), cert(domains=['api.example.com'])], {}, 'letsencrypt_certificates[shop]: the name is used by more than one'),
    ([cert(), cert(name='www', domains=['www.shop.example.com'])], {},
     'letsencrypt_certificates[www].domains: www.shop.example.com belongs to letsencrypt_certificates[shop] too'),
    ([{'name': 'shop', 'domains': ['*.shop.example.com'], 'source': 'nginx_sites'}], {},
     'nginx_sites[shop].server_names[0] is a wildcard'),
])
def test_each_broken_rule_is_named_first(certs, changes, expected):
    errors = check(certs, **changes)
    assert errors, 'no message'
    assert expected in errors[0], errors


def test_no_email_rule_without_certificates():
    assert r.errors(dict(DEFAULTS, letsencrypt_email='not-an-email'), [], list(r.LE_DIRECTORIES)) == []


def test_the_hmac_key_is_never_quoted():
    errors = check(letsencrypt_eab_hmac_key='s3cr3t-hmac')
    assert errors and all('s3cr3t-hmac' not in e for e in errors)
