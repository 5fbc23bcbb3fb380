# -*- coding: utf-8 -*-
# Copyright (c) 2025, vmdeploy.backend contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make ``ansible_collections.vmdeploy.backend`` importable for plain ``pytest tests/unit``.

Collection code imports itself as ``ansible_collections.vmdeploy.backend...``.
When this checkout already lives at ``<root>/ansible_collections/vmdeploy/backend``
(ansible-test, or an installed collection), ``<root>`` is put on ``sys.path``.
Otherwise a temporary ``<tmp>/ansible_collections/vmdeploy/backend`` symlink
to this checkout is created (removed at exit) and ``<tmp>`` is put first on
``sys.path``, so this checkout wins over any other installed copy.

This runs when pytest loads the conftest, before any test module under
tests/unit is imported, so test modules can import collection code at module
level. ``COLLECTIONS_ROOT`` is also prepended to ``ANSIBLE_COLLECTIONS_PATH``
for tests that run ansible commands in a subprocess, and exposed through the
``collections_root`` fixture.

Test files with the same name in different directories (such as
plugins/modules/test_health_gate.py and plugins/module_utils/test_health_gate.py)
need an empty ``__init__.py`` in their directories and the ones above them up to
tests/unit, so pytest imports them under distinct package names.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

import pytest

NAMESPACE = 'vmdeploy'
NAME = 'backend'
PACKAGE = 'ansible_collections.%s.%s' % (NAMESPACE, NAME)

REPO_ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))


def _existing_collections_root(repo_root):
    """``<root>`` if the checkout already is ``<root>/ansible_collections/<namespace>/<name>``."""
    parts = os.path.normpath(repo_root).split(os.sep)
    if parts[-3:] == ['ansible_collections', NAMESPACE, NAME]:
        return os.sep.join(parts[:-3]) or os.sep
    return None


def _temporary_collections_root(repo_root):
    root = tempfile.mkdtemp(prefix='vmdeploy-backend-collections-')
    namespace_dir = os.path.join(root, 'ansible_collections', NAMESPACE)
    os.makedirs(namespace_dir)
    link = os.path.join(namespace_dir, NAME)
    os.symlink(repo_root, link, target_is_directory=True)

    def _cleanup():
        # Remove the link itself first so nothing can ever walk into the checkout.
        if os.path.islink(link):
            os.unlink(link)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(_cleanup)
    return root


def _forget_stale_imports():
    """Drop an already imported copy of this collection that does not come from this checkout."""
    module = sys.modules.get(PACKAGE)
    if module is None:
        return
    paths = [os.path.realpath(path) for path in getattr(module, '__path__', [])]
    if REPO_ROOT in paths:
        return
    for name in list(sys.modules):
        if name == PACKAGE or name.startswith(PACKAGE + '.'):
            del sys.modules[name]


def _setup():
    root = _existing_collections_root(REPO_ROOT)
    if root is None:
        root = _temporary_collections_root(REPO_ROOT)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    _forget_stale_imports()

    current = os.environ.get('ANSIBLE_COLLECTIONS_PATH')
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join([root] + ([current] if current else []))
    return root


def _root_on_sys_path():
    """A ``sys.path`` entry whose ``ansible_collections/<namespace>/<name>`` already is this checkout."""
    for entry in sys.path:
        candidate = os.path.join(entry or os.curdir, 'ansible_collections', NAMESPACE, NAME)
        if os.path.isdir(candidate) and os.path.realpath(candidate) == REPO_ROOT:
            return entry
    return None


# Reuse the setup when this file is imported twice in one process (e.g. under another module name).
COLLECTIONS_ROOT = _root_on_sys_path() or _setup()


@pytest.fixture(scope='session')
def collections_root():
    """Directory that contains ``ansible_collections/vmdeploy/backend`` (this checkout)."""
    return COLLECTIONS_ROOT
