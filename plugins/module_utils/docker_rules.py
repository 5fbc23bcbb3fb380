# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the docker role's validate entry point (roles/docker/tasks/validate.yml) beyond its
# argument spec: one message per broken rule, naming the variable's full path; the first message is
# the one shown. Files named by src are looked up on the controller (relative to the working
# directory, as the `file` test does).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    entries, matches, shown, text, to_int)

LOG_ROTATING_DRIVERS = ('json-file', 'local')
MAX_SIZE_RE = r'^[0-9]+[kmg]$'
MAX_FILE_RE = r'^[1-9][0-9]*$'
POOL_BASE_RE = r'^([0-9]{1,3}\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$'
MIRROR_RE = r'^https?://[^/\s]+'
CA_NAME_RE = r'^[A-Za-z0-9][A-Za-z0-9._-]*$'
ARCHIVE_NAME_RE = r'^[a-z0-9][a-z0-9._/:-]*$'
MAX_POOL_SIZE = 30


def _log_opts(where, opts):
    if not isinstance(opts, dict):
        return ['%s must be a mapping of log option: value, got %s' % (where, shown(opts))]
    out = []
    if 'max-size' in opts and not matches(MAX_SIZE_RE, opts['max-size']):
        out.append("%s['max-size'] must look like 10m, 500k or 1g, as docker_daemon_log_max_size (a whole number "
                   "followed by k, m or g), got %s" % (where, shown(opts['max-size'])))
    if 'max-file' in opts and not matches(MAX_FILE_RE, opts['max-file']):
        out.append("%s['max-file'] must be a whole number of at least 1, as docker_daemon_log_max_file, got %s"
                   % (where, shown(opts['max-file'])))
    return out


def _pool(where, pool):
    base = pool.get('base')
    if not matches(POOL_BASE_RE, base) or max(int(o) for o in text(base).split('/')[0].split('.')) > 255:
        return ['%s.base must be an IPv4 network such as 10.210.0.0/16 (four numbers of 0 to 255 and a prefix length '
                'of 0 to 32), got %s' % (where, shown(base))]
    prefix = int(text(base).split('/')[1])
    size = to_int(pool.get('size'))
    if size < prefix or size > MAX_POOL_SIZE:
        return ['%s.size must be a prefix length between the base\'s (%d) and %d, got %s'
                % (where, prefix, MAX_POOL_SIZE, shown(pool.get('size')))]
    return []


def errors(values, log_rotating_drivers=LOG_ROTATING_DRIVERS):
    """Messages for the docker role's variables (values: {name: value} of the docker_daemon_*,
    docker_ca_certificates and docker_image_archives variables, defaults included);
    log_rotating_drivers: the log drivers that take max-size and max-file."""
    out = []
    if values['docker_daemon_log_driver'] in log_rotating_drivers:
        if not matches(MAX_SIZE_RE, values['docker_daemon_log_max_size']):
            out.append('docker_daemon_log_max_size must look like 10m, 500k or 1g (a whole number followed by k, m or g), '
                       'got %s' % shown(values['docker_daemon_log_max_size']))
        if to_int(values['docker_daemon_log_max_file']) < 1:
            out.append('docker_daemon_log_max_file must be a whole number of at least 1, got %s'
                       % shown(values['docker_daemon_log_max_file']))
    # Log options given in the other daemon variables reach daemon.json over the dedicated
    # variables: their values follow the same rules, never passed through unchecked.
    options = values['docker_daemon_options']
    out += _log_opts('docker_daemon_log_opts', values['docker_daemon_log_opts'])
    out += _log_opts("docker_daemon_options['log-opts']", options.get('log-opts', {}) if isinstance(options, dict) else {})
    for index, pool in enumerate(values['docker_daemon_default_address_pools']):
        out += _pool('docker_daemon_default_address_pools[%d]' % index, pool if isinstance(pool, dict) else {})
    for index, mirror in enumerate(values['docker_daemon_registry_mirrors']):
        if not matches(MIRROR_RE, mirror):
            out.append('docker_daemon_registry_mirrors[%d] must be an http:// or https:// URL such as '
                       'https://mirror.gcr.io, got %s' % (index, shown(mirror)))
    for label, cert in entries(values['docker_ca_certificates']):
        where = 'docker_ca_certificates[%s]' % label
        if not matches(CA_NAME_RE, cert.get('name')):
            out.append("%s.name must be letters, digits, '.', '_' and '-' (starting with a letter or digit), got %s"
                       % (where, shown(cert.get('name'))))
        if ('content' in cert) == ('src' in cert):
            out.append('%s needs exactly one of content (a PEM certificate) and src (a file on the controller), got %s'
                       % (where, 'both' if 'content' in cert else 'neither'))
        if 'content' in cert and 'BEGIN CERTIFICATE' not in text(cert['content']):
            out.append('%s.content must be a PEM certificate (-----BEGIN CERTIFICATE-----...)' % where)
        if 'src' in cert and not os.path.isfile(text(cert['src'])):
            out.append('%s.src must be an existing file on the controller, got %s' % (where, shown(cert['src'])))
    for label, archive in entries(values['docker_image_archives']):
        where = 'docker_image_archives[%s]' % label
        if not matches(ARCHIVE_NAME_RE, archive.get('name')):
            out.append('%s.name must be the image:tag the archive holds (lower case letters, digits and ._/:-), got %s'
                       % (where, shown(archive.get('name'))))
        if ('path' in archive) == ('src' in archive):
            out.append('%s needs exactly one of path (an archive on the host) and src (an archive on the controller), '
                       'got %s' % (where, 'both' if 'path' in archive else 'neither'))
        if 'src' in archive and not os.path.isfile(text(archive['src'])):
            out.append('%s.src must be an existing archive on the controller, got %s' % (where, shown(archive['src'])))
    return out
