# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection tarball: what ships, its license, and its declared dependencies."""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]

# What a user of the collection gets. Anything else at the top level of the tarball is a file of
# the checkout that galaxy.yml's build_ignore should leave out.
SHIPPED_TOP_LEVEL = {
    'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'CHANGELOG.rst', 'bindep.txt',
    'changelogs', 'docs', 'inventories', 'meta', 'playbooks', 'plugins', 'roles',
}
# Files for developing and testing the collection, wherever they are.
DEV_NAMES = {
    '.ansible-lint', '.ansible-lint-ignore', '.yamllint', 'ansible.cfg', 'pytest.ini', 'Makefile', 'requirements.yml',
    'requirements.txt', '.gitignore', '.git', '.venv', '.cache', '.ci', '.config', 'tests',
    'molecule', 'bench', 'sandbox',
}
# Names under `ansible.` that are ansible-core itself, not collections.
CORE = {'ansible.builtin', 'ansible.legacy', 'ansible.module_utils', 'ansible.errors', 'ansible.plugins',
        'ansible.parsing', 'ansible.template'}
FQCN = re.compile(r'\b((?:community|ansible|containers|kubernetes|amazon|cisco)\.[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*\b')


def _galaxy():
    return yaml.safe_load((ROOT / 'galaxy.yml').read_text())


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    galaxy = shutil.which('ansible-galaxy', path=str(pathlib.Path(sys.executable).parent)) or shutil.which('ansible-galaxy')
    assert galaxy, 'ansible-galaxy not found (tests/harness/venv installs it)'
    out = tmp_path_factory.mktemp('build')
    result = subprocess.run([galaxy, 'collection', 'build', '--output-path', str(out), str(ROOT)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = out.glob('vmdeploy-backend-*.tar.gz')
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile('MANIFEST.json'))
        return {'names': tar.getnames(), 'manifest': manifest}


def test_tarball_ships_no_dev_files(tarball):
    names = tarball['names']
    top = {name.split('/')[0] for name in names}
    assert top <= SHIPPED_TOP_LEVEL, 'unexpected in the tarball: %s' % sorted(top - SHIPPED_TOP_LEVEL)
    dev = sorted(n for n in names if set(n.split('/')) & DEV_NAMES)
    assert not dev, 'dev files in the tarball: %s' % dev
    # The collection itself is there.
    for needed in ('LICENSE', 'README.md', 'bindep.txt', 'meta/runtime.yml', 'meta/execution-environment.yml',
                   'playbooks/site.yml', 'roles/stack/tasks/main.yml', 'plugins/filter/stack.py'):
        assert needed in names


def test_license_file_is_the_declared_license(tarball):
    assert tarball['manifest']['collection_info']['license'] == ['GPL-3.0-or-later']
    text = (ROOT / 'LICENSE').read_text()
    assert 'GNU GENERAL PUBLIC LICENSE' in text and 'Version 3, 29 June 2007' in text


def test_no_placeholder_addresses():
    galaxy = _galaxy()
    for key in ('repository', 'documentation', 'homepage', 'issues'):
        value = galaxy.get(key)
        assert value is None or not re.search(r'\.(invalid|example|test)\b|example\.(com|org)', value), (key, value)


def _used_collections():
    used = set()
    for base in ('roles', 'playbooks', 'plugins'):
        for path in (ROOT / base).rglob('*'):
            if path.is_file() and path.suffix in ('.yml', '.yaml', '.py', '.j2'):
                for line in path.read_text().splitlines():
                    if line.lstrip().startswith(('import ', 'from ')):  # Python imports name core packages
                        continue
                    used.update(m.group(1) for m in FQCN.finditer(line) if m.group(1) not in CORE)
    return used


def test_dependencies_are_exactly_the_collections_used():
    declared = set(_galaxy()['dependencies'])
    assert _used_collections() == declared
    listed = {c['name'] for c in yaml.safe_load((ROOT / 'requirements.yml').read_text())['collections']}
    assert listed == declared, 'requirements.yml and galaxy.yml disagree'
