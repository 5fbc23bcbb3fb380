# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment check of tests/harness/sanity.

    check_ee.py TARBALL WORKDIR

Runs ``ansible-builder create`` on tests/ee/execution-environment.yml with the built TARBALL and
checks the build context; then installs the tarball with the dependency collections the harness
unpacked (.cache/collections) and runs the context's own introspect script on them, as the image
build would, to check the requirements the collection adds: system packages for the controller
only (bindep.txt, host packages under the ``target`` profile), no Python package at all.
Prints what it found; exits non-zero on the first failed expectation.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import yaml
from bindep.depends import Depends

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOLS = pathlib.Path(sys.executable).parent
DEPENDENCIES = ('community/docker', 'community/crypto', 'community/library_inventory_filtering_v1')
OURS = '# from collection vmdeploy.backend'


def expect(condition, message):
    if not condition:
        raise SystemExit('FAIL: ' + message)
    print('ok: ' + message)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode:
        raise SystemExit('FAIL: %s\n%s%s' % (' '.join(map(str, cmd)), result.stdout, result.stderr))
    return result.stdout


def build_context(tarball, work):
    definition = work / 'ee'
    shutil.copytree(REPO / 'tests' / 'ee', definition)
    shutil.copy(tarball, definition / 'vmdeploy-backend.tar.gz')
    context = work / 'context'
    run([TOOLS / 'ansible-builder', 'create', '-f', definition / 'execution-environment.yml', '-c', context])
    build = context / '_build'
    containerfile = (context / 'Dockerfile').read_text()
    expect('ansible-core==2.19.14' in containerfile, 'the image installs the pinned ansible-core')
    expect((build / 'collections' / 'vmdeploy-backend.tar.gz').is_file(), 'the collection tarball is in the context')
    reqs = yaml.safe_load((build / 'requirements.yml').read_text())
    expect([c['name'] for c in reqs['collections']] == ['/build/collections/vmdeploy-backend.tar.gz'],
           'the galaxy requirements name the tarball where the build copies it')
    expect('COPY _build /build' in containerfile, 'the build copies _build to /build')
    return build / 'scripts' / 'introspect.py'


def introspect(tarball, introspect_script, work):
    collections = work / 'collections'
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections))
    run(['ansible-galaxy', 'collection', 'install', '--no-deps', '-p', collections, tarball], env=env)
    for dep in DEPENDENCIES:
        shutil.copytree(REPO / '.cache' / 'collections' / 'ansible_collections' / dep,
                        collections / 'ansible_collections' / dep)
    found = yaml.safe_load(run([sys.executable, introspect_script, 'introspect', collections]))
    python = [line for line in found['python'] if line.endswith(OURS)]
    system = [line[:-len(OURS)].strip() for line in found['system'] if line.endswith(OURS)]
    print('python requirements of the dependencies: %s' % ', '.join(found['python']))
    expect(python == [], 'vmdeploy.backend adds no Python requirement (got %s)' % python)
    expect(system != [], 'vmdeploy.backend adds its system requirements (%s)' % system)
    # bindep entries as the build's assemble script selects them (default profile) on Debian.
    depends = Depends('\n'.join(system) + '\n')
    platform = ['platform:dpkg', 'platform:debian']
    controller = [r[0] for r in depends.active_rules(['default'] + platform)]
    hosts = [r[0] for r in depends.active_rules(['target'] + platform)]
    expect(controller == ['openssh-client'], 'the image gets only openssh-client from it (got %s)' % controller)
    expect({'python3-requests', 'python3-cryptography'} <= set(hosts), 'host packages stay under the target profile')


def main(tarball, work):
    tarball, work = pathlib.Path(tarball).resolve(), pathlib.Path(work)
    introspect(tarball, build_context(tarball, work), work)


if __name__ == '__main__':
    main(*sys.argv[1:])
