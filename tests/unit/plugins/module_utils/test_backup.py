# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the backup role and job (plugins/module_utils/backup.py), and the job's CLI."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from ansible_collections.vmdeploy.backend.plugins.module_utils import backup as bk
from ansible_collections.vmdeploy.backend.plugins.module_utils import backup_retention as br

ROOT = pathlib.Path(__file__).resolve().parents[4]
JOB = ROOT / 'roles' / 'backup' / 'files' / 'vmdeploy-backup'


def settings(**over):
    base = {
        'root': '/var/backups/vmdeploy', 'stack_root': '/opt/vmdeploy/stacks', 'stacks': ['shop'],
        'environment': 'production', 'state_dir': '/var/lib/vmdeploy/backup', 'config_dir': '/etc/vmdeploy/backup',
        'log_dir': '/var/log/vmdeploy', 'timezone': 'UTC', 'retention_daily': 7, 'retention_weekly': 4,
        'retention_monthly': 6, 'zstd_level': 3, 'zstd_threads': 0, 'randomized_delay': '30m', 'timeout': '6h',
        'ping_start_url': '', 'ping_success_url': '', 'ping_failure_url': '', 'on_failure_command': '',
        'restic_enabled': False, 'restic_repository': '', 'restic_password': '', 'restic_env': {},
        'restic_keep_daily': 7, 'restic_keep_weekly': 8, 'restic_keep_monthly': 12,
        'restic_check_read_data_subset': '',
    }
    base.update(over)
    return base


def build(**over):
    known = over.pop('known', ['shop', 'notes'])
    docker_root = over.pop('docker_root', '/var/lib/docker')
    return bk.build_config(settings(**over), known, docker_root, retention_check=br.check_policy)


# --- build_config / bad input -------------------------------------------------------------------

def test_build_config_defaults():
    cfg = build()
    assert cfg['root'] == '/var/backups/vmdeploy'
    assert cfg['log_file'] == '/var/log/vmdeploy/backup.log'
    assert cfg['retention'] == {'daily': 7, 'weekly': 4, 'monthly': 6}
    assert cfg['stacks'] == [{'name': 'shop', 'postgres': True, 'volumes': None, 'exclude_volumes': [],
                              'stop_services': []}]
    assert cfg['restic'] == {'enabled': False, 'repository': '', 'password_file': '/etc/vmdeploy/backup/restic.password',
                             'env_file': '/etc/vmdeploy/backup/restic.env', 'keep': {'daily': 7, 'weekly': 8, 'monthly': 12},
                             'read_data_subset': ''}
    assert 'password' not in json.dumps(cfg).replace('password_file', '').replace('restic.password', '')


def test_config_holds_no_secret():
    cfg = build(restic_enabled=True, restic_repository='/srv/restic', restic_password='Zq8v!x2LmR7pT4wN9cB6',
                ping_failure_url='https://hc-ping.com/0f5e-secret-token/fail')
    text = json.dumps(cfg)
    assert 'Zq8v!x2LmR7pT4wN9cB6' not in text
    assert 'secret-token' not in text


@pytest.mark.parametrize('over, message', [
    ({'stacks': ['nope']}, 'backup_stacks: unknown stack nope; the stacks of this host are: notes, shop'),
    ({'stacks': ['shop'], 'known': []}, 'none (stack_projects is empty)'),
    ({'stacks': 'shop'}, 'backup_stacks must be a list'),
    ({'stacks': ['shop', {'name': 'shop'}]}, 'listed twice'),
    ({'stacks': [{'name': 'shop', 'colour': 1}]}, 'unknown key(s) colour'),
    ({'stacks': [{'name': 'shop', 'postgres': 'yes'}]}, 'backup_stacks[shop].postgres must be true or false'),
    ({'stacks': [{'name': 'shop', 'volumes': ['a'], 'exclude_volumes': ['b']}]}, 'not both'),
    ({'stacks': [{'name': 'shop', 'volumes': 'qdrant'}]}, 'backup_stacks[shop].volumes must be a list'),
    ({'retention_daily': 0, 'retention_weekly': 0, 'retention_monthly': 0},
     'backup_retention_daily, backup_retention_weekly and backup_retention_monthly are all 0'),
    ({'retention_daily': -1}, 'backup_retention_daily must be an integer >= 0'),
    ({'root': '/var/lib/docker/volumes/shop_data/_data'}, "inside Docker's data root /var/lib/docker"),
    ({'root': '/srv/docker/volumes/x', 'docker_root': '/srv/docker'}, "inside Docker's data root /srv/docker"),
    ({'root': '/var'}, 'must be a directory of its own'),
    ({'root': 'backups'}, 'backup_root must be an absolute path'),
    ({'root': '/var/backups/../lib/docker'}, 'without spaces or dot segments'),
    ({'root': '/opt/vmdeploy/stacks/shop/backups'}, "and the stacks' directory /opt/vmdeploy/stacks"),
    ({'restic_enabled': True, 'restic_repository': '/srv/restic'}, 'backup_restic_password is empty'),
    ({'restic_enabled': True, 'restic_password': 'x' * 20}, 'backup_restic_repository is empty'),
    ({'restic_enabled': True, 'restic_repository': '/r', 'restic_password': 'changeme'}, 'placeholder'),
    ({'restic_enabled': True, 'restic_repository': '/r', 'restic_password': 'short'}, 'shorter than 16'),
    ({'restic_enabled': True, 'restic_repository': '/r', 'restic_password': 'replace with: openssl rand -hex 32'},
     'placeholder'),
    ({'restic_enabled': True, 'restic_repository': '/r', 'restic_password': 'your-restic-password-here'}, 'placeholder'),
    ({'restic_enabled': 'yes'}, 'backup_restic_enabled must be true or false'),
    ({'restic_enabled': True, 'restic_repository': '/r', 'restic_password': 'x' * 20, 'restic_keep_daily': 0,
      'restic_keep_weekly': 0, 'restic_keep_monthly': 0}, 'backup_restic_keep_daily'),
    ({'restic_env': {'lower': 'x'}}, 'backup_restic_env must map'),
    ({'restic_check_read_data_subset': 'lots'}, 'backup_restic_check_read_data_subset'),
    ({'ping_start_url': 'ftp://x'}, 'backup_ping_start_url must be an http(s) URL'),
    ({'randomized_delay': 'soon'}, 'backup_randomized_delay must be a systemd time span'),
    ({'timezone': 'Mars/Olympus Mons'}, 'backup_timezone must be UTC or an IANA name'),
    ({'zstd_level': 25}, 'backup_zstd_level must be an integer from 1 to 19'),
    ({'zstd_threads': True}, 'backup_zstd_threads must be an integer'),
    ({'log_dir': '/var'}, 'backup_log_dir'),
])
def test_bad_input_names_the_variable(over, message):
    with pytest.raises((bk.BackupError, br.RetentionError)) as err:
        build(**over)
    assert message in str(err.value)


def test_staging_accepts_a_short_restic_password():
    cfg = build(environment='staging', restic_enabled=True, restic_repository='/r', restic_password='short')
    assert cfg['restic']['enabled'] is True


def test_unknown_stacks_are_not_checked_when_the_host_list_is_unknown():
    assert build(stacks=['anything'], known=None)['stacks'][0]['name'] == 'anything'


@pytest.mark.parametrize('value', ['30m', '6h', '1h 30min', 'infinity', '90s', '2d'])
def test_durations(value):
    assert bk.check_duration(value, 'x') == value


# --- checksums and manifests ----------------------------------------------------------------------

def test_sha256sums_round_trip():
    files = [{'path': 'volumes/b.tar.zst', 'sha256': 'b' * 64}, {'path': 'postgres/a.dump.zst', 'sha256': 'a' * 64}]
    text = bk.sha256sums(files)
    assert text.splitlines()[0] == 'a' * 64 + '  postgres/a.dump.zst'
    assert bk.parse_sha256sums(text) == {'postgres/a.dump.zst': 'a' * 64, 'volumes/b.tar.zst': 'b' * 64}


def test_sha256sums_is_what_sha256sum_checks(tmp_path):
    (tmp_path / 'postgres').mkdir()
    (tmp_path / 'postgres' / 'app.dump.zst').write_bytes(b'dump')
    digest = subprocess.run(['sha256sum', 'postgres/app.dump.zst'], cwd=tmp_path, capture_output=True, text=True,
                            check=True).stdout.split()[0]
    (tmp_path / 'SHA256SUMS').write_text(bk.sha256sums([{'path': 'postgres/app.dump.zst', 'sha256': digest}]))
    assert subprocess.run(['sha256sum', '-c', '--quiet', 'SHA256SUMS'], cwd=tmp_path, check=False).returncode == 0


def test_malformed_sha256sums():
    with pytest.raises(bk.BackupError, match='line 2 is malformed'):
        bk.parse_sha256sums('%s  a\nnonsense\n' % ('0' * 64))


def test_check_files():
    manifest = [{'path': 'a', 'sha256': '1' * 64, 'size': 3}, {'path': 'b', 'sha256': '2' * 64, 'size': 4}]
    listed = {'a': '1' * 64, 'b': '2' * 64}
    good = {'a': {'sha256': '1' * 64, 'size': 3}, 'b': {'sha256': '2' * 64, 'size': 4}}
    assert bk.check_files(manifest, listed, good) == []
    bad = dict(good, b={'sha256': '3' * 64, 'size': 4}, c={'sha256': '4' * 64, 'size': 1})
    problems = bk.check_files(manifest, listed, bad)
    assert problems[0].startswith('b: sha256 333333333333 and 4 bytes now, the manifest says 222222222222')
    assert problems[1] == 'c: on disk or in SHA256SUMS but not in the manifest'
    assert bk.check_files(manifest, {'a': '1' * 64}, {'a': good['a']}) == [
        'b: SHA256SUMS and the manifest disagree', 'b: missing']


def test_compare_counts():
    assert bk.compare_counts({'public.a': 3}, {'public.a': 3}) == []
    assert bk.compare_counts({'public.a': 3, 'public.b': 1}, {'public.a': 2, 'public.c': 5}) == [
        'public.a: 3 rows in the manifest, 2 after restore',
        'public.b: 1 rows in the manifest, table missing after restore',
        'public.c: not in the manifest, 5 rows after restore',
    ]


def test_count_query_counts_in_one_statement():
    assert bk.COUNT_QUERY.count('SELECT') == 3
    assert "relkind = 'r'" in bk.COUNT_QUERY and 'query_to_xml' in bk.COUNT_QUERY
    assert "datname <> 'postgres'" in bk.DATABASES_QUERY


def test_db_names():
    assert bk.stack_db_names('analytics\napp\n\n') == ['analytics', 'app']


# --- volumes ---------------------------------------------------------------------------------

VOLUMES = [
    {'name': 'shop_pgdata', 'short': 'pgdata', 'containers': [{'name': 'shop-postgres-1', 'service': 'postgres'}]},
    {'name': 'shop_qdrant', 'short': 'qdrant', 'containers': [{'name': 'shop-qdrant-1', 'service': 'qdrant'}]},
    {'name': 'shop_uploads', 'short': 'uploads', 'containers': [
        {'name': 'shop-api-blue-2', 'service': 'api-blue'}, {'name': 'shop-api-blue-1', 'service': 'api-blue'}]},
]


def stack(**over):
    return dict({'name': 'shop', 'postgres': True, 'volumes': None, 'exclude_volumes': [], 'stop_services': []}, **over)


def test_volume_plan_skips_pgdata_and_pauses():
    plan = bk.volume_plan(VOLUMES, stack())
    assert [p['short'] for p in plan] == ['qdrant', 'uploads']
    assert plan[1] == {'name': 'shop_uploads', 'short': 'uploads', 'stop': [], 'pause': ['shop-api-blue-1', 'shop-api-blue-2'],
                       'file': 'volumes/uploads.tar.zst'}


def test_volume_plan_stop_services_and_choices():
    plan = bk.volume_plan(VOLUMES, stack(stop_services=['qdrant'], exclude_volumes=['uploads']))
    assert plan == [{'name': 'shop_qdrant', 'short': 'qdrant', 'stop': ['shop-qdrant-1'], 'pause': [],
                     'file': 'volumes/qdrant.tar.zst'}]
    assert [p['short'] for p in bk.volume_plan(VOLUMES, stack(postgres=False))] == ['pgdata', 'qdrant', 'uploads']
    assert [p['short'] for p in bk.volume_plan(VOLUMES, stack(volumes=['uploads']))] == ['uploads']


def test_volume_plan_unknown_volume():
    with pytest.raises(bk.BackupError, match=r'backup_stacks\[shop\].volumes: n8n not found; the stack has: pgdata, qdrant, uploads'):
        bk.volume_plan(VOLUMES, stack(volumes=['n8n']))


# --- sets, reports ----------------------------------------------------------------------------

def test_pick_set():
    names = ['20261120T021500Z', '.partial-20261123T021500Z', '20261122T021500Z', 'lost+found']
    assert bk.pick_set(names) == '20261122T021500Z'
    assert bk.pick_set(names, '20261120T021500Z') == '20261120T021500Z'
    with pytest.raises(bk.BackupError, match='no set 20261121T021500Z'):
        bk.pick_set(names, '20261121T021500Z')
    with pytest.raises(bk.BackupError, match='no backup set yet'):
        bk.pick_set(['.partial-20261123T021500Z'])


def test_report_lines():
    ok = {'stack': 'shop', 'set': '20261123T021500Z', 'status': 'ok', 'size': 3 * 1024 * 1024, 'duration': 2.0,
          'databases': 2, 'volumes': 1, 'pruned': ['20261101T021500Z'], 'restic': 'snapshot 1a2b3c4d'}
    assert bk.report_line(ok) == ('shop 20261123T021500Z ok: 3.0 MiB in 2.0 s (1.5 MiB/s); 2 database(s), 1 volume(s); '
                                  'pruned 20261101T021500Z; restic snapshot 1a2b3c4d')
    bad = {'stack': 'shop', 'set': '20261123T021500Z', 'status': 'failed', 'duration': 0.4, 'error': 'disk full'}
    assert bk.report_line(bad) == 'shop 20261123T021500Z FAILED after 0.4 s: disk full'
    assert bk.human_size(512) == '512 B' and bk.human_size(1536) == '1.5 KiB'
    assert bk.throughput(10, 0) == 10000.0


# --- the job on the host ----------------------------------------------------------------------

def test_module_imports_nothing_from_ansible():
    tree = ast.parse((ROOT / 'plugins' / 'module_utils' / 'backup.py').read_text())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or '' for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith('ansible')]


@pytest.fixture
def job_env(tmp_path):
    """The job as the role installs it: its libraries under their host names, a config."""
    lib = tmp_path / 'lib'
    lib.mkdir()
    shutil.copy(ROOT / 'plugins' / 'module_utils' / 'backup.py', lib / 'vmdeploy_backup.py')
    shutil.copy(ROOT / 'plugins' / 'module_utils' / 'backup_retention.py', lib / 'vmdeploy_backup_retention.py')
    cfg = build()
    cfg.update(root=str(tmp_path / 'sets'), state_dir=str(tmp_path / 'state'), log_file=str(tmp_path / 'log' / 'backup.log'))
    (tmp_path / 'config.json').write_text(json.dumps(cfg))
    return dict(os.environ, VMDEPLOY_LIB=str(lib), VMDEPLOY_BACKUP_CONFIG=str(tmp_path / 'config.json'))


def run_job(env, *args):
    return subprocess.run([sys.executable, '-S', str(JOB)] + list(args), env=env, capture_output=True, text=True, check=False)


def test_job_help_runs_without_ansible(job_env):
    proc = run_job(job_env, '--help')
    assert proc.returncode == 0, proc.stderr
    for command in ('run', 'verify', 'restore', 'fetch', 'list', 'on-failure'):
        assert command in proc.stdout


def test_job_refuses_an_unknown_stack(job_env, tmp_path):
    proc = run_job(job_env, 'restore', '--stack', 'nope')
    assert proc.returncode == 1
    assert 'stack nope is not backed up on this host; backup_stacks has: shop' in proc.stdout
    assert 'restore FAILED' in (tmp_path / 'log' / 'backup.log').read_text()


def test_job_lists_sets(job_env, tmp_path):
    set_dir = tmp_path / 'sets' / 'shop' / '20261123T021500Z'
    set_dir.mkdir(parents=True)
    (tmp_path / 'sets' / 'shop' / '.partial-20261124T021500Z').mkdir()
    (set_dir / 'manifest.json').write_text(json.dumps({'kind': 'scheduled', 'size': 2048, 'volumes': {'uploads': {}},
                                                       'postgres': {'databases': {'app': {}}}}))
    proc = run_job(job_env, 'list')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ['shop', '20261123T021500Z', 'scheduled', '2.0', 'KiB', 'app,', 'uploads']


@pytest.mark.parametrize('rc, text', [(0, 'exit 0'), (1, 'exit 1'), (137, 'exit 137, killed by signal 9'),
                                      (-9, 'killed by signal 9')])
def test_job_describes_exit_codes(job_env, rc, text):
    sys.path.insert(0, job_env['VMDEPLOY_LIB'])
    try:
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader('vmdeploy_backup_job', str(JOB))
        spec = importlib.util.spec_from_loader('vmdeploy_backup_job', loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        assert module.describe_exit(rc) == text
    finally:
        sys.path.remove(job_env['VMDEPLOY_LIB'])


def test_a_stack_without_postgres_is_backed_up_without_a_dump_by_default():
    # docs/stack-examples/fastapi-sqlite-qdrant.yml: SQLite in a volume, Qdrant, no PostgreSQL.
    stacks = build(stacks=['shop', 'notes'], known={'shop': True, 'notes': False})['stacks']
    assert [(s['name'], s['postgres']) for s in stacks] == [('shop', True), ('notes', False)]


def test_postgres_true_for_a_stack_without_postgres_is_refused():
    with pytest.raises(bk.BackupError) as err:
        build(stacks=[{'name': 'notes', 'postgres': True}], known={'shop': True, 'notes': False})
    assert str(err.value).startswith('backup_stacks[notes].postgres is true, but stack_projects[notes] runs no PostgreSQL')


def test_a_names_list_keeps_dumping_by_default():
    assert build(stacks=['notes'], known=['shop', 'notes'])['stacks'][0]['postgres'] is True
