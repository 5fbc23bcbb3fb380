# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the letsencrypt role's validate entry point (roles/letsencrypt/tasks/validate.yml)
# beyond its argument spec: one message per broken rule, naming the variable's full path; the first
# message is the one shown. The EAB HMAC key is secret: no message quotes it.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    matches, repeated, shown, text)

LE_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory'
LE_DIRECTORIES = (LE_PRODUCTION, 'https://acme-staging-v02.api.letsencrypt.org/directory')
DIRECTORY_RE = r'^https://[^\s/\'"]+(/[^\s\'"]*)?$'
CA_BUNDLE_RE = r'^/[^\s\'"]+$'
PATH_RE = r'^/[^\s;{}"\'#]+$'
NAME_RE = r'^[a-z0-9][a-z0-9._-]*$'
# A host name with at least two labels whose last one starts with a letter (no IP, no wildcard).
DOMAIN_RE = r'^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'
EMAIL_RE = r'^[^@\s]+@[^@\s]+\.[^@\s]+$'
PLACEHOLDER_EMAIL_RE = (r'^((you|your|yourname|your[._-](name|email|mail)|youremail|me|name|user|email|changeme'
                        r'|change[._-]me)@.*|.*@([^@]+\.)?example(\.[a-z]+)*|.*@.*\.(test|invalid|localhost|local|example))$')
# Names Let's Encrypt never issues for (RFC 2606/6761/6762 reserved top-level domains).
RESERVED_DOMAIN_RE = r'\.(test|example|invalid|localhost|local)$'
TIMESPAN_RE = r'^[0-9]+ ?(us|ms|s|sec|m|min|h|hr|d|w)?$'
SYSTEM_DIRS = ('', '/etc', '/var', '/usr', '/etc/letsencrypt')
MAX_DOMAINS = 100

PATH_WORDS = 'an absolute path without spaces, quotes, \';\', \'{\', \'}\' or \'#\''


def _domain_problem(domain):
    if '*' in text(domain):
        return ("is a wildcard: certbot's webroot (http-01) challenge cannot validate it (that needs DNS-01); "
                'list the host names instead')
    if re.match(r'^[0-9.]+$|.*:', text(domain)):
        return 'is an IP address: http-01 cannot validate it; use a host name'
    return 'must be a host name such as shop.example.com (lower case letters, digits and -, at least two labels)'


def _cert_where(cert):
    if cert.get('source') == 'nginx_sites':
        return 'nginx_sites[%s]' % cert.get('name'), 'server_names'
    return 'letsencrypt_certificates[%s]' % cert.get('name'), 'domains'


def _certificates(certs, directory, le_directories):
    errors = []
    for cert in certs:
        where, key = _cert_where(cert)
        domains = cert.get('domains') or []
        hint = (' (the nginx site may keep it as a server name if letsencrypt_certificates lists the certificates)'
                if cert.get('source') == 'nginx_sites' else '')
        if not matches(NAME_RE, cert.get('name')):
            errors.append('%s.name must be lower case letters, digits, ., _ and - (starting with a letter or digit), '
                          'got %s' % (where, shown(cert.get('name'))))
        if len(domains) == 0:
            errors.append('%s.%s must list at least one host name such as shop.example.com' % (where, key))
        if len(domains) > MAX_DOMAINS:
            errors.append('%s.%s must list at most %d host names (a certificate holds no more), got %d'
                          % (where, key, MAX_DOMAINS, len(domains)))
        for domain in repeated(domains):
            errors.append('%s.%s: %s is listed twice; the host names of a certificate must be distinct'
                          % (where, key, domain))
        for index, domain in enumerate(domains):
            if not matches(DOMAIN_RE, domain):
                errors.append('%s.%s[%d] %s, got %s%s' % (where, key, index, _domain_problem(domain), shown(domain),
                                                          hint if '*' in text(domain) else ''))
        if directory in le_directories:
            for index, domain in enumerate(domains):
                if re.search(RESERVED_DOMAIN_RE, text(domain)):
                    errors.append("%s.%s[%d]: Let's Encrypt does not issue for the reserved domain %s (.test, .example, "
                                  '.invalid, .localhost, .local); use another ACME server (letsencrypt_acme_directory) '
                                  'for tests' % (where, key, index, shown(domain)))
    return errors


def errors(values, certs, le_directories=LE_DIRECTORIES):
    """Messages for the letsencrypt role's variables (values: {name: value}, defaults included).

    certs: the certificates the host gets ([{name, domains, source}], source letsencrypt_certificates or
    nginx_sites); le_directories: the ACME directories of Let's Encrypt (production first)."""
    out = []
    directory = values['letsencrypt_acme_directory']
    if not matches(DIRECTORY_RE, directory):
        out.append('letsencrypt_acme_directory must be an https:// URL such as %s, got %s' % (LE_PRODUCTION, shown(directory)))
    bundle = values['letsencrypt_acme_ca_bundle']
    if bundle != '' and not matches(CA_BUNDLE_RE, bundle):
        out.append('letsencrypt_acme_ca_bundle must be empty or an absolute path on the host without spaces or quotes, '
                   'got %s' % shown(bundle))
    kid, hmac = values['letsencrypt_eab_kid'], values['letsencrypt_eab_hmac_key']
    if (len(text(kid or '')) > 0) != (len(text(hmac or '')) > 0):
        out.append('%s is set but %s is empty: the external account binding needs both (or neither)'
                   % (('letsencrypt_eab_kid', 'letsencrypt_eab_hmac_key') if text(kid or '')
                      else ('letsencrypt_eab_hmac_key', 'letsencrypt_eab_kid')))
    email = values['letsencrypt_email']
    if certs:
        if email != '' and not matches(EMAIL_RE, email):
            out.append('letsencrypt_email must be an email address such as ops@your-company.com, got %s' % shown(email))
        elif directory == LE_PRODUCTION and (email == '' or matches(PLACEHOLDER_EMAIL_RE, text(email).lower())):
            out.append("letsencrypt_email: Let's Encrypt's production directory needs a real address that receives "
                       'expiry and incident mail, not %s (empty, a placeholder such as admin@example.com or you@..., '
                       'or an address at a reserved domain such as .test or .example)'
                       % ('empty' if email == '' else shown(email)))
    for name in ('letsencrypt_webroot', 'letsencrypt_tls_dir'):
        if not matches(PATH_RE, values[name]):
            out.append('%s must be %s, got %s' % (name, PATH_WORDS, shown(values[name])))
    webroot = re.sub('/+$', '', text(values['letsencrypt_webroot']))
    if webroot in SYSTEM_DIRS:
        out.append('letsencrypt_webroot must be a directory of its own, not %s' % shown(values['letsencrypt_webroot']))
    calendar = text(values['letsencrypt_renew_on_calendar'])
    if len(calendar) == 0:
        out.append('letsencrypt_renew_on_calendar must be a systemd calendar spec such as "*-*-* 00,12:00:00", got empty')
    elif '\n' in calendar:
        out.append('letsencrypt_renew_on_calendar must be one line (a systemd calendar spec such as "*-*-* 00,12:00:00"), '
                   'got %s' % shown(calendar))
    if not matches(TIMESPAN_RE, values['letsencrypt_renew_randomized_delay']):
        out.append('letsencrypt_renew_randomized_delay must be a time span such as 12h, 30min or 0 (a whole number, '
                   'optionally followed by us, ms, s, sec, m, min, h, hr, d or w), got %s'
                   % shown(values['letsencrypt_renew_randomized_delay']))
    hooks = values['letsencrypt_renew_hook']
    for index, hook in enumerate(hooks if isinstance(hooks, list) else [hooks]):
        if re.match('.*\n', text(hook)):
            out.append('letsencrypt_renew_hook[%d] must be a one-line command (no line break), got %s' % (index, shown(hook)))
    out.extend(_certificates(certs, directory, le_directories))
    if certs:
        where = certs[0].get('source', 'letsencrypt_certificates')
        for name in repeated([c.get('name') for c in certs]):
            out.append('%s[%s]: the name is used by more than one certificate; names must be unique' % (where, name))
        seen = {}
        for cert in certs:
            for domain in dict.fromkeys(cert.get('domains') or []):
                if domain in seen:
                    cert_where, key = _cert_where(cert)
                    out.append('%s.%s: %s belongs to %s too; a host name may belong to one certificate only'
                               % (cert_where, key, domain, _cert_where(seen[domain])[0]))
                else:
                    seen[domain] = cert
    return out
