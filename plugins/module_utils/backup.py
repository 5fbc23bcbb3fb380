# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# Pure functions behind the `backup` role: the role's variables are checked and turned into the
# job's configuration, and the job on the host (roles/backup/files/vmdeploy-backup, which gets a
# copy of this file) builds manifests, checksum lists, row-count queries and report lines with
# them. Standard library only: the copy on the host runs without Ansible.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME_RE = re.compile(r'^[a-z][a-z0-9-]{0,30}$')
VOLUME_RE = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')
SERVICE_RE = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')
SHA256_RE = re.compile(r'^([0-9a-f]{64}) [ *](\S.*)$')
DURATION_RE = re.compile(r'^[0-9]+(us|ms|s|min|m|h|d|w)?( ?[0-9]+(us|ms|s|min|m|h|d|w)?)*$|^infinity$')
#: Directories a backup target must never be inside of (besides Docker's data root).
FORBIDDEN_ROOTS = ('/', '/etc', '/var', '/opt', '/usr', '/root', '/home', '/tmp', '/proc', '/sys', '/dev', '/run')
STACK_KEYS = ('name', 'postgres', 'volumes', 'exclude_volumes', 'stop_services')
MANIFEST_FORMAT = 1
PLACEHOLDERS = ('changeme', 'change-me', 'password', 'secret', 'example', 'restic', 'default', 'test')
#: Words no real password contains (documented defaults such as "replace with: openssl rand -hex 32").
PLACEHOLDER_WORDS = ('changeme', 'change-me', 'replace', 'example', 'placeholder', 'generate', 'openssl', 'your-',
                     'your_', '-here')


class BackupError(ValueError):
    """Backup settings that cannot work; the message names the variable."""


def _under(path, parent):
    parent = parent.rstrip('/') or '/'
    return path == parent or path.startswith(parent + '/')


def normalize_stacks(stacks, known=None, where='backup_stacks'):
    """backup_stacks (names or mappings) -> list of mappings with every key filled in.

    known: the stack names the host has (stack_projects), or None when they are not known here; or a
    mapping of each name to whether its stack runs PostgreSQL: then `postgres` defaults to that (a
    stack without PostgreSQL has its volumes backed up, no dump), and `postgres: true` for a stack
    without it is refused.
    """
    if not isinstance(stacks, list):
        raise BackupError('%s must be a list of stack names or mappings, got %r' % (where, stacks))
    out = []
    seen = set()
    for i, item in enumerate(stacks):
        if isinstance(item, str):
            item = {'name': item}
        if not isinstance(item, dict):
            raise BackupError('%s[%d] must be a stack name or a mapping, got %r' % (where, i, item))
        name = item.get('name')
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise BackupError('%s[%d].name %r must be the name of a stack (%s)' % (where, i, name, NAME_RE.pattern))
        at = '%s[%s]' % (where, name)
        unknown = sorted(set(item) - set(STACK_KEYS))
        if unknown:
            raise BackupError('%s: unknown key(s) %s; allowed: %s' % (at, ', '.join(unknown), ', '.join(STACK_KEYS)))
        if name in seen:
            raise BackupError('%s: the stack %s is listed twice' % (where, name))
        seen.add(name)
        if known is not None and name not in known:
            raise BackupError('%s: unknown stack %s; the stacks of this host are: %s'
                              % (where, name, ', '.join(sorted(known)) or 'none (stack_projects is empty)'))
        has_postgres = known.get(name, True) if isinstance(known, dict) else True
        entry = {
            'name': name,
            'postgres': item.get('postgres', has_postgres),
            'volumes': item.get('volumes'),
            'exclude_volumes': item.get('exclude_volumes') or [],
            'stop_services': item.get('stop_services') or [],
        }
        if not isinstance(entry['postgres'], bool):
            raise BackupError('%s.postgres must be true or false, got %r' % (at, entry['postgres']))
        if entry['postgres'] and not has_postgres:
            raise BackupError('%s.postgres is true, but stack_projects[%s] runs no PostgreSQL (postgres.enabled '
                              'is false): leave postgres out of %s, or set it to false' % (at, name, at))
        for key, pattern in (('volumes', VOLUME_RE), ('exclude_volumes', VOLUME_RE), ('stop_services', SERVICE_RE)):
            value = entry[key]
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) and pattern.match(v) for v in value):
                raise BackupError('%s.%s must be a list of names as Compose writes them (e.g. qdrant), got %r'
                                  % (at, key, value))
        if entry['volumes'] is not None and entry['exclude_volumes']:
            raise BackupError('%s: give volumes (only these) or exclude_volumes (all but these), not both' % at)
        out.append(entry)
    return out


def check_root(root, docker_root='/var/lib/docker', stack_root=None, where='backup_root'):
    """The directory sets are written to: absolute, dedicated, outside Docker's data and the stacks."""
    if not isinstance(root, str) or not re.match(r'^/[^\s]*$', root) or '/../' in root + '/' or '/./' in root + '/':
        raise BackupError('%s must be an absolute path without spaces or dot segments, got %r' % (where, root))
    root = root.rstrip('/') or '/'
    if root in FORBIDDEN_ROOTS:
        raise BackupError('%s must be a directory of its own (e.g. /var/backups/vmdeploy), not %s' % (where, root))
    for parent in filter(None, ['/var/lib/docker', docker_root]):
        if _under(root, parent):
            raise BackupError('%s %s is inside Docker\'s data root %s (a Docker volume or image layer): a backup '
                              'there is lost with the engine\'s data; choose e.g. /var/backups/vmdeploy'
                              % (where, root, parent))
    if stack_root and (_under(root, stack_root) or _under(stack_root, root)):
        raise BackupError('%s %s and the stacks\' directory %s must not contain each other' % (where, root, stack_root))
    return root


def check_restic(enabled, repository, password, environment='production', where='backup_restic'):
    """restic needs a repository and a password; production refuses a placeholder password."""
    if not isinstance(enabled, bool):
        raise BackupError('%s_enabled must be true or false, got %r' % (where, enabled))
    if not enabled:
        return
    if not isinstance(repository, str) or not repository.strip():
        raise BackupError('%s_enabled is true but %s_repository is empty (e.g. /srv/restic, sftp:user@host:/repo, '
                          's3:https://s3.example.net/bucket)' % (where, where))
    if not isinstance(password, str) or not password:
        raise BackupError('%s_enabled is true but %s_password is empty: put the repository password in vault '
                          '(without it the offsite copy cannot be decrypted by anyone, you included)' % (where, where))
    if '\n' in password:
        raise BackupError('%s_password must be one line' % where)
    low = password.lower()
    if environment == 'production' and (len(password) < 16 or low in PLACEHOLDERS
                                        or any(word in low for word in PLACEHOLDER_WORDS)):
        raise BackupError('%s_password is a placeholder or shorter than 16 characters; production needs a random '
                          'one from vault (e.g. openssl rand -base64 32)' % where)


def check_url(url, where):
    if url in (None, ''):
        return ''
    if not isinstance(url, str) or not re.match(r'^https?://[^\s/]+(/\S*)?$', url):
        raise BackupError('%s must be an http(s) URL or empty, got a value that is not' % where)
    return url


def check_duration(value, where):
    """A systemd time span (30m, 1h 30min, 6h, infinity)."""
    if not isinstance(value, str) or not DURATION_RE.match(value.strip()):
        raise BackupError('%s must be a systemd time span such as 30m, 2h or "1h 30min", got %r' % (where, value))
    return value.strip()


def stack_db_names(rows):
    """Database names from `SELECT datname ...` output, one per line, blank lines dropped."""
    return [line.strip() for line in rows.splitlines() if line.strip()]


#: One row: a JSON object {"schema.table": rows} for every ordinary table, counted in the
#: transaction's snapshot (query_to_xml runs in the same transaction as the dump's snapshot).
COUNT_QUERY = (
    "SELECT coalesce(json_object_agg(t.name, t.n ORDER BY t.name), '{}'::json) FROM ("
    "SELECT format('%I.%I', n.nspname, c.relname) AS name, "
    "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), "
    "false, true, '')))[1]::text::bigint AS n "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%') t"
)

DATABASES_QUERY = (
    "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
    "AND datname <> 'postgres' ORDER BY datname"
)


def compare_counts(expected, actual):
    """Differences between two {table: rows} maps, as readable lines (empty list = equal)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append('%s: %s rows in the manifest, table missing after restore' % (table, expected[table]))
        elif table not in expected:
            problems.append('%s: not in the manifest, %s rows after restore' % (table, actual[table]))
        elif int(expected[table]) != int(actual[table]):
            problems.append('%s: %s rows in the manifest, %s after restore' % (table, expected[table], actual[table]))
    return problems


def sha256sums(files):
    """SHA256SUMS text (sha256sum -c compatible) for [{'path': ..., 'sha256': ...}]."""
    return ''.join('%s  %s\n' % (f['sha256'], f['path']) for f in sorted(files, key=lambda f: f['path']))


def parse_sha256sums(text):
    """{path: sha256} from SHA256SUMS text; raises BackupError on a malformed line."""
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = SHA256_RE.match(line.strip())
        if not match:
            raise BackupError('SHA256SUMS line %d is malformed: %r' % (number, line))
        out[match.group(2)] = match.group(1)
    return out


def check_files(manifest_files, listed, actual):
    """Compare a manifest's file list, SHA256SUMS and the sums computed now; return problems."""
    problems = []
    expected = dict((f['path'], f) for f in manifest_files)
    for path in sorted(set(expected) | set(listed) | set(actual)):
        want = expected.get(path)
        if want is None:
            problems.append('%s: on disk or in SHA256SUMS but not in the manifest' % path)
            continue
        if listed.get(path) != want['sha256']:
            problems.append('%s: SHA256SUMS and the manifest disagree' % path)
        got = actual.get(path)
        if got is None:
            problems.append('%s: missing' % path)
        elif got['sha256'] != want['sha256'] or got['size'] != want['size']:
            problems.append('%s: sha256 %s and %d bytes now, the manifest says %s and %d bytes'
                            % (path, got['sha256'][:12], got['size'], want['sha256'][:12], want['size']))
    return problems


def human_size(n):
    n = float(n)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if n < 1024 or unit == 'TiB':
            return ('%d %s' % (n, unit)) if unit == 'B' else ('%.1f %s' % (n, unit))
        n /= 1024.0
    return '%d B' % n  # pragma: no cover


def throughput(size, seconds):
    """Bytes per second, never dividing by zero."""
    return float(size) / max(float(seconds), 0.001)


def report_line(result):
    """The line a human reads in the log and the journal for one stack's run."""
    if result.get('status') != 'ok':
        return '%s %s FAILED after %.1f s: %s' % (result['stack'], result.get('set') or '-',
                                                  result.get('duration', 0.0), result.get('error', 'unknown error'))
    parts = ['%s %s ok: %s in %.1f s (%s/s)' % (
        result['stack'], result['set'], human_size(result['size']), result['duration'],
        human_size(throughput(result['size'], result['duration'])))]
    parts.append('%d database(s), %d volume(s)' % (result.get('databases', 0), result.get('volumes', 0)))
    if result.get('pruned'):
        parts.append('pruned %s' % ', '.join(result['pruned']))
    if result.get('restic'):
        parts.append('restic %s' % result['restic'])
    return '; '.join(parts)


def volume_plan(volumes, stack):
    """Which of a stack's Compose volumes to archive, and how.

    volumes: [{'name': full volume name, 'short': compose name, 'containers': [{'name', 'service'}]}]
    stack: one normalized backup_stacks entry. pgdata is left out when PostgreSQL is dumped (a
    file copy of a running server is not a backup). Containers of services in stop_services are
    stopped, the others paused, while their volume is read.
    Raises BackupError when volumes names one the stack does not have.
    """
    by_short = dict((v['short'], v) for v in volumes)
    if stack['volumes'] is not None:
        missing = sorted(set(stack['volumes']) - set(by_short))
        if missing:
            raise BackupError('backup_stacks[%s].volumes: %s not found; the stack has: %s'
                              % (stack['name'], ', '.join(missing), ', '.join(sorted(by_short)) or 'no volumes'))
        chosen = [by_short[s] for s in stack['volumes']]
    else:
        skip = set(stack['exclude_volumes'])
        if stack['postgres']:
            skip.add('pgdata')
        chosen = [v for v in volumes if v['short'] not in skip]
    plan = []
    for vol in sorted(chosen, key=lambda v: v['short']):
        stop = sorted(c['name'] for c in vol['containers'] if c['service'] in stack['stop_services'])
        pause = sorted(c['name'] for c in vol['containers'] if c['service'] not in stack['stop_services'])
        plan.append({'name': vol['name'], 'short': vol['short'], 'stop': stop, 'pause': pause,
                     'file': 'volumes/%s.tar.zst' % vol['short']})
    return plan


def pick_set(names, wanted='latest'):
    """The set to restore or verify: the newest of names (set ids sort by time) or the one given."""
    names = sorted(n for n in names if re.match(r'^[0-9]{8}T[0-9]{6}Z$', n))
    if not names:
        raise BackupError('there is no backup set yet')
    if wanted in (None, '', 'latest'):
        return names[-1]
    if wanted not in names:
        raise BackupError('no set %s; the sets are: %s' % (wanted, ', '.join(names[-10:])))
    return wanted


def _int(value, where, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BackupError('%s must be an integer from %d to %d, got %r' % (where, low, high, value))
    return value


def build_config(settings, known_stacks=None, docker_root='/var/lib/docker', retention_check=None):
    """The job's config.json (without secrets) from the role's variables; raises BackupError.

    settings: the backup_* variables without the prefix (root, stacks, retention_daily, ...).
    retention_check: backup_retention.check_policy (passed in so this file imports nothing).
    """
    s = settings
    root = check_root(s['root'], docker_root, s['stack_root'])
    stacks = normalize_stacks(s['stacks'], known_stacks)
    policy = {'daily': s['retention_daily'], 'weekly': s['retention_weekly'], 'monthly': s['retention_monthly']}
    if retention_check is not None:
        policy = retention_check(policy['daily'], policy['weekly'], policy['monthly'], where='backup_retention', sep='_')
    restic_keep = {'daily': s['restic_keep_daily'], 'weekly': s['restic_keep_weekly'],
                   'monthly': s['restic_keep_monthly']}
    if retention_check is not None and s['restic_enabled']:
        restic_keep = retention_check(restic_keep['daily'], restic_keep['weekly'], restic_keep['monthly'],
                                      where='backup_restic_keep', sep='_')
    check_restic(s['restic_enabled'], s['restic_repository'], s['restic_password'], s['environment'])
    env = s.get('restic_env') or {}
    if not isinstance(env, dict) or not all(re.match(r'^[A-Z_][A-Z0-9_]*$', str(k)) and '\n' not in str(v)
                                            for k, v in env.items()):
        raise BackupError('backup_restic_env must map VARIABLE_NAMES to one-line values')
    subset = s.get('restic_check_read_data_subset') or ''
    if subset and not re.match(r'^([0-9]+(\.[0-9]+)?%|[0-9]+/[0-9]+|[0-9]+[KMGT]?)$', str(subset)):
        raise BackupError('backup_restic_check_read_data_subset must look like 10%%, 1/5 or 500M, got %r' % (subset,))
    for key in ('ping_start_url', 'ping_success_url', 'ping_failure_url'):
        check_url(s.get(key), 'backup_' + key)
    for key in ('randomized_delay', 'timeout'):
        check_duration(s[key], 'backup_' + key)
    if not isinstance(s['timezone'], str) or not re.match(r'^(UTC|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$', s['timezone']):
        raise BackupError('backup_timezone must be UTC or an IANA name such as Europe/Berlin, got %r' % (s['timezone'],))
    log_dir = s['log_dir']
    if not isinstance(log_dir, str) or not log_dir.startswith('/') or log_dir.rstrip('/') in FORBIDDEN_ROOTS:
        raise BackupError('backup_log_dir must be an absolute directory of its own, got %r' % (log_dir,))
    return {
        'root': root,
        'stack_root': s['stack_root'].rstrip('/'),
        'state_dir': s['state_dir'],
        'log_file': log_dir.rstrip('/') + '/backup.log',
        'timezone': s['timezone'],
        'retention': policy,
        'zstd_level': _int(s['zstd_level'], 'backup_zstd_level', 1, 19),
        'zstd_threads': _int(s['zstd_threads'], 'backup_zstd_threads', 0, 256),
        'stacks': stacks,
        'on_failure_command': s.get('on_failure_command') or '',
        'restic': {
            'enabled': s['restic_enabled'],
            'repository': s['restic_repository'] if s['restic_enabled'] else '',
            'password_file': s['config_dir'] + '/restic.password',
            'env_file': s['config_dir'] + '/restic.env',
            'keep': restic_keep,
            'read_data_subset': str(subset),
        },
    }
