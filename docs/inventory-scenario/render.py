# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write molecule.yml and sandbox-vars.yml of the inventory scenario (see README.md here).

One sandbox instance per host of a team's inventory, named like the host and in the same groups;
the inventory's group_vars/ linked, never copied or changed; the image archives of a directory
mounted read-only and loaded by the docker role. Nothing of the inventory's own connection settings
(hosts.yml's ansible_host, host_vars/) reaches the scenario: it only ever talks to its containers.

    python3 molecule/inventory/render.py INVENTORY_DIR [IMAGES_DIR]

Needs ansible-inventory (ansible-core) and PyYAML, both already there where molecule runs. With an
encrypted vault in group_vars/, set ANSIBLE_VAULT_PASSWORD_FILE as for the playbooks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
import tarfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SITE_GROUPS = ('firewall_hosts', 'docker_hosts', 'stack_hosts', 'proxy_hosts')
ARCHIVE_DIR = '/opt/vmdeploy-images'
# Every capability but SYS_RESOURCE: systemd and a nested Docker engine without --privileged.
CAPABILITIES = [
    'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH',
    'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE', 'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE',
    'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP',
    'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE',
    'SYS_RAWIO', 'SYS_TIME', 'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
]


def host_groups(inventory):
    """host -> sorted groups it belongs to (directly or through a parent), from ansible-inventory."""
    out = subprocess.run(['ansible-inventory', '-i', inventory, '--list', '--export'],
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    data = json.loads(out)
    parents = {}
    for group, body in data.items():
        if not isinstance(body, dict) or group == '_meta':
            continue
        for child in body.get('children', []):
            parents.setdefault(child, set()).add(group)
    members = {}

    def ancestors(group):
        found = set()
        for parent in parents.get(group, ()):
            found |= {parent} | ancestors(parent)
        return found

    for group, body in data.items():
        if not isinstance(body, dict) or group == '_meta':
            continue
        for host in body.get('hosts', []):
            groups = ({group} | ancestors(group)) - {'all', 'ungrouped'}
            members.setdefault(host, set()).update(groups)
    return dict((h, sorted(g)) for h, g in members.items())


def archive_images(images_dir):
    """docker_image_archives entries for the `docker save` archives of a directory."""
    entries = []
    for name in sorted(os.listdir(images_dir)):
        path = os.path.join(images_dir, name)
        if not (name.endswith('.tar') and os.path.isfile(path)):
            continue
        with tarfile.open(path) as archive:
            manifest = json.load(archive.extractfile('manifest.json'))
        for image in manifest:
            for tag in image.get('RepoTags') or []:
                entries.append({'name': tag, 'path': '%s/%s' % (ARCHIVE_DIR, name)})
    return entries


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    inventory = os.path.abspath(argv[1])
    images_dir = os.path.abspath(argv[2]) if len(argv) == 3 else None
    hosts = host_groups(inventory)
    targets = dict((h, g) for h, g in hosts.items() if set(g) & set(SITE_GROUPS))
    if not targets:
        sys.exit('%s: no host in any of %s' % (inventory, ', '.join(SITE_GROUPS)))
    volumes = ['/sys/fs/cgroup:/sys/fs/cgroup:rw', '/var/lib/docker']
    if images_dir:
        volumes.append('%s:%s:ro' % (images_dir, ARCHIVE_DIR))
    platforms = [{
        'name': host,
        'image': '${VMDEPLOY_SANDBOX_IMAGE:-vmdeploy-test/debian:12}',
        'pre_build_image': True,
        'command': '/lib/systemd/systemd',
        'stop_signal': 'SIGRTMIN+3',
        'cgroupns_mode': 'host',
        'security_opts': ['seccomp=unconfined', 'apparmor=unconfined'],
        'capabilities': CAPABILITIES,
        'tmpfs': ['/run', '/run/lock'],
        'volumes': volumes,
        'groups': groups,
    } for host, groups in sorted(targets.items())]
    links = {}
    if os.path.isdir(os.path.join(inventory, 'group_vars')):
        links['group_vars'] = os.path.join(inventory, 'group_vars')
    molecule = {
        'dependency': {'name': 'galaxy', 'enabled': False},
        'driver': {'name': 'docker'},
        'platforms': platforms,
        'provisioner': {
            'name': 'ansible',
            'inventory': {'links': links} if links else {},
            'options': {'diff': True, 'extra-vars': '@%s' % os.path.join(HERE, 'sandbox-vars.yml')},
            'config_options': {'defaults': {'interpreter_python': 'auto_silent', 'timeout': 60}},
            'playbooks': {'prepare': 'prepare.yml', 'converge': 'converge.yml',
                          'side_effect': 'side_effect.yml', 'verify': 'verify.yml'},
        },
        'verifier': {'name': 'ansible'},
        'scenario': {'test_sequence': ['destroy', 'syntax', 'create', 'prepare', 'converge', 'idempotence',
                                       'side_effect', 'verify', 'destroy']},
    }
    # Extra vars win over the inventory: the sandbox's own connection, no ACME server, the archives.
    sandbox = {'ansible_user': 'root', 'letsencrypt_enabled': False}
    if images_dir:
        sandbox['docker_image_archives'] = archive_images(images_dir)
        sandbox['stack_pull'] = 'never'
    header = '---\n# Written by render.py from %s: do not edit, run render.py again.\n' % inventory
    for name, data in (('molecule.yml', molecule), ('sandbox-vars.yml', sandbox)):
        with open(os.path.join(HERE, name), 'w') as handle:
            handle.write(header + yaml.safe_dump(data, default_flow_style=False, sort_keys=False, width=120))
    print('%d instance(s): %s' % (len(platforms), ', '.join(p['name'] for p in platforms)))


if __name__ == '__main__':
    main(sys.argv)
