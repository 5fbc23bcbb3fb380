# SPDX-License-Identifier: GPL-3.0-or-later
"""Every filter has documentation of its own (plugins/filter/<name>.yml) that matches its code,
and ansible-doc shows it."""
import importlib
import inspect
import json
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[4]
FILTER_DIR = ROOT / 'plugins' / 'filter'


def _filters():
    found = {}
    for path in sorted(FILTER_DIR.glob('*.py')):
        if path.name == '__init__.py':
            continue
        module = importlib.import_module('ansible_collections.vmdeploy.backend.plugins.filter.' + path.stem)
        for name, func in module.FilterModule().filters().items():
            assert name not in found, '%s is exported by two files' % name
            found[name] = func
    return found


FILTERS = _filters()
DOCS = dict((path.stem, yaml.safe_load(path.read_text())) for path in sorted(FILTER_DIR.glob('*.yml')))


def test_every_filter_has_its_own_documentation_file():
    assert set(FILTERS), 'no filters found'
    missing = sorted(set(FILTERS) - set(DOCS))
    orphans = sorted(set(DOCS) - set(FILTERS))
    assert not missing, 'filters without plugins/filter/<name>.yml: %s' % missing
    assert not orphans, 'documentation of filters that do not exist: %s' % orphans


def test_python_files_carry_no_documentation():
    # ansible-doc shows a .py file's DOCUMENTATION for every filter of that file, not the .yml.
    for path in FILTER_DIR.glob('*.py'):
        assert 'DOCUMENTATION' not in path.read_text(), path.name


@pytest.mark.parametrize('name', sorted(FILTERS))
def test_documentation_matches_the_filter(name):
    doc = DOCS.get(name)
    assert doc is not None, 'plugins/filter/%s.yml is missing' % name
    assert set(doc) == {'DOCUMENTATION', 'EXAMPLES', 'RETURN'}
    spec = doc['DOCUMENTATION']
    assert spec['name'] == name
    assert spec['short_description'] and spec['description']
    assert 'vmdeploy.backend.' + name in doc['EXAMPLES']
    assert '_value' in doc['RETURN']
    options = dict(spec['options'])
    assert '_input' in options and options.pop('_input').get('required') is True

    params = list(inspect.signature(FILTERS[name]).parameters.values())[1:]
    assert sorted(options) == sorted(p.name for p in params), 'documented options differ from the arguments'
    if params:
        assert [s.strip() for s in spec['positional'].split(',')] == [p.name for p in params]
    for param in params:
        option = options[param.name]
        if param.default is inspect.Parameter.empty:
            assert option.get('required') is True, '%s is required' % param.name
        else:
            assert not option.get('required'), '%s has a default' % param.name
            assert option.get('default') == param.default, '%s defaults to %r' % (param.name, param.default)


def test_ansible_doc_shows_each_filters_own_text(collections_root):
    ansible_doc = shutil.which('ansible-doc', path=str(pathlib.Path(sys.executable).parent)) or shutil.which('ansible-doc')
    assert ansible_doc, 'ansible-doc not found'
    names = ['vmdeploy.backend.' + n for n in sorted(FILTERS)]
    result = subprocess.run([ansible_doc, '-t', 'filter', '--json'] + names, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert sorted(shown) == names
    for fqcn, data in shown.items():
        name = fqcn.rsplit('.', 1)[1]
        assert data['doc']['name'] == name
        assert data['doc']['short_description'] == DOCS[name]['DOCUMENTATION']['short_description']
