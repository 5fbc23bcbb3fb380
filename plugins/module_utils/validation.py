# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# Pure rules of the validation play (playbooks/validate.yml) and of every role's validate entry
# point: a role's variables against the options of its argument spec (meta/argument_specs.yml,
# the one spec) with messages that name the full path by name, image references, and the checks
# across roles and hosts. Each function returns messages, the first being the one shown; no
# message quotes a value of an option marked no_log.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

#: distribution/reference grammar (the one Docker uses), piece by piece.
_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
_COMPONENT_RE = re.compile('^' + _COMPONENT + '$')
_DOMAIN_RE = re.compile(r'^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*'
                        r'|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$')
_TAG_RE = re.compile(r'^[\w][\w.-]{0,127}$')
_DIGEST_RE = re.compile(r'^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$')
_NAME_MAX = 255

_TRUE = ('y', 'yes', 'on', '1', 'true', 't')
_FALSE = ('n', 'no', 'off', '0', 'false', 'f')


def did_you_mean(key, allowed, cutoff=0.6):
    """' (did you mean `x`?)' for the closest allowed key, or ''."""
    close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1, cutoff=cutoff)
    return ' (did you mean `%s`?)' % close[0] if close else ''


def unknown_key_message(where, keys, allowed):
    """The message for the unknown keys of a mapping: each with the closest valid key, then the valid ones."""
    if isinstance(keys, str):
        keys = [keys]
    return ('%s: unknown key(s) %s; allowed: %s'
            % (where, ', '.join('%s%s' % (k, did_you_mean(k, allowed)) for k in sorted(keys, key=str)),
               ', '.join(sorted(str(a) for a in allowed))))


def _shown(value, secret):
    if secret:
        return 'a value not shown (the option is secret)'
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + '...'


def shown(value):
    """A value as a message quotes it: JSON-like and short (never call it on a secret)."""
    return _shown(value, False)


def text(value):
    """A value as Jinja's `string` filter and `match` test see it."""
    if value is None:
        return 'None'
    return value if isinstance(value, str) else str(value)


def matches(pattern, value):
    """Jinja's `value is match(pattern)`: re.match on the value as text."""
    return re.match(pattern, text(value)) is not None


def to_int(value, default=0):
    """Jinja's `int` filter: a whole number, a number's whole part, or default (0)."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return default


def label(item, index, keys=('name', 'path', 'source')):
    """How an element of a list is named in a path: by its name (or path, source), else its index."""
    if isinstance(item, dict):
        for key in keys:
            if isinstance(item.get(key), (str, int)) and not isinstance(item.get(key), bool) and str(item[key]) != '':
                return str(item[key])
    return str(index)


def entries(value):
    """(label, entry) of a list of mappings; anything else is no entries (the argument spec refuses it)."""
    if not isinstance(value, list):
        return []
    return [(label(item, index), item if isinstance(item, dict) else {}) for index, item in enumerate(value)]


def repeated(values):
    """The values that occur more than once, in order of first repetition."""
    seen, out = set(), []
    for value in values:
        key = repr(value)
        if key in seen and value not in out:
            out.append(value)
        seen.add(key)
    return out


def _type_error(value, kind, elements=None):
    """Why value is not of the argument spec type kind (as Ansible converts), or None."""
    if kind in (None, 'raw'):
        return None
    if kind in ('str', 'path'):
        if isinstance(value, (dict, list)):
            return 'must be a string'
        return None
    if kind == 'bool':
        if isinstance(value, bool) or (isinstance(value, (str, int)) and str(value).lower() in _TRUE + _FALSE):
            return None
        return 'must be true or false'
    if kind == 'int':
        if isinstance(value, bool):
            return 'must be a whole number'
        if isinstance(value, int) or (isinstance(value, str) and re.match(r'^-?[0-9]+$', value.strip())):
            return None
        if isinstance(value, float) and value.is_integer():
            return None
        return 'must be a whole number'
    if kind == 'float':
        if isinstance(value, bool):
            return 'must be a number'
        try:
            float(value)
        except (TypeError, ValueError):
            return 'must be a number'
        return None
    if kind == 'dict':
        return None if isinstance(value, dict) else 'must be a mapping (key: value)'
    if kind == 'list':
        # Ansible also accepts a comma-separated string (and a scalar) for a list of strings.
        if isinstance(value, list) or (isinstance(value, (str, int, float)) and elements in (None, 'str', 'raw', 'path')):
            return None
        return 'must be a list'
    return None


def _label(item, index, options):
    """How an element of a list of mappings is named: by its name (or path, source) if it has one."""
    if isinstance(item, dict):
        for key in ('name', 'path', 'source'):
            if key in (options or {}) and isinstance(item.get(key), (str, int)) and str(item.get(key)) != '':
                return str(item[key])
    return str(index)


def _check_option(where, value, option, secret=False):
    secret = secret or bool(option.get('no_log'))
    kind = option.get('type', 'str')
    if value is None:
        return []
    problem = _type_error(value, kind, option.get('elements'))
    if problem:
        return ['%s %s, got %s' % (where, problem, _shown(value, secret))]
    choices = option.get('choices')
    if choices is not None and kind != 'list' and value not in choices and str(value) not in [str(c) for c in choices]:
        return ['%s must be one of %s, got %s'
                % (where, ', '.join('`%s`' % c for c in choices), _shown(value, secret))]
    if kind == 'list' and isinstance(value, list):
        elements = option.get('elements')
        sub = option.get('options')
        for index, item in enumerate(value):
            item_where = '%s[%s]' % (where, _label(item, index, sub))
            if elements:
                problem = _type_error(item, elements)
                if problem:
                    return ['%s %s, got %s' % (item_where, problem, _shown(item, secret))]
            if choices is not None and item not in choices:
                return ['%s must be one of %s, got %s'
                        % (item_where, ', '.join('`%s`' % c for c in choices), _shown(item, secret))]
            if sub and isinstance(item, dict):
                errors = _check_mapping(item_where, item, sub, secret)
                if errors:
                    return errors
    if kind == 'dict' and option.get('options') and isinstance(value, dict):
        return _check_mapping(where, value, option['options'], secret)
    return []


def _check_mapping(where, values, options, secret=False):
    unknown = [key for key in values if key not in options]
    if unknown:
        return [unknown_key_message(where, unknown, options)]
    for key, option in options.items():
        if option.get('required') and values.get(key) is None:
            return ['%s.%s is required: %s' % (where, key, _first_sentence(option.get('description')))]
    for key, option in options.items():
        if key in values:
            errors = _check_option('%s.%s' % (where, key), values[key], option, secret)
            if errors:
                return errors
    return []


def _first_sentence(description):
    if isinstance(description, list):
        description = ' '.join(str(d) for d in description)
    text = re.sub(r'[CIB]\(([^)]*)\)', r'\1', str(description or '')).strip()
    return text.split('. ')[0].rstrip('.') + '.' if text else 'see the role\'s README.'


def spec_errors(options, values):
    """Messages for the role variables in values against the options of an argument spec.

    options: argument_specs.<entry>.options; values: {variable: value} of the variables set.
    The first message is the one rule that failed first; a variable marked no_log is never quoted.
    """
    errors = []
    for name, option in sorted(options.items()):
        if name not in values:
            if option.get('required'):
                errors.append('%s is required: %s' % (name, _first_sentence(option.get('description'))))
            continue
        errors.extend(_check_option(name, values[name], option))
    return errors


def image_reference_error(ref):
    """Why ref is not an image reference ([registry/]name[:tag][@digest]), or None."""
    if not isinstance(ref, str) or not ref:
        return 'must be an image reference such as ghcr.io/acme/api:1.4.2'
    if ref != ref.strip() or any(c.isspace() for c in ref):
        return 'contains a space; an image reference is one word such as ghcr.io/acme/api:1.4.2'
    rest, digest = ref, None
    if '@' in rest:
        rest, digest = rest.split('@', 1)
        if not _DIGEST_RE.match(digest):
            return 'has a digest `%s` that is not algorithm:hex such as sha256:<64 hex digits>' % digest
    tag = None
    last = rest.rsplit('/', 1)[-1]
    if ':' in last:
        rest, tag = rest.rsplit(':', 1)
        if not _TAG_RE.match(tag):
            return ('has a tag `%s` that is not letters, digits, _, . and - (up to 128, not starting with . or -)'
                    % tag)
    parts = rest.split('/')
    if len(parts) > 1 and ('.' in parts[0] or ':' in parts[0] or parts[0] == 'localhost'):
        domain = parts.pop(0)
        if not _DOMAIN_RE.match(domain):
            return 'has a registry `%s` that is not a host name with an optional :port' % domain
    if not parts or not parts[0]:
        return 'has no repository name (e.g. acme/api)'
    for part in parts:
        if part != part.lower() and _COMPONENT_RE.match(part.lower()):
            return 'has a repository name with upper case letters (`%s`); repository names are lower case' % rest
        if not _COMPONENT_RE.match(part):
            return ('has a repository path component `%s` that is not lower case letters and digits, '
                    'separated by ., _, __ or -' % part)
    if len(rest) > _NAME_MAX:
        return 'has a name longer than %d characters' % _NAME_MAX
    return None


def upstream_errors(sites, static_upstreams, stack_upstreams):
    """An nginx location's upstream is one of nginx_upstreams or a `<stack>_<app>` of the fleet.

    stack_upstreams: {upstream name: 'host stack_projects[stack].apps[app]'} of every app of a stack
    host of the inventory; a static upstream must not take one of those names either.
    """
    errors = []
    static = [u.get('name') for u in static_upstreams or [] if isinstance(u, dict)]
    for name in static:
        if name in stack_upstreams:
            errors.append('nginx_upstreams[%s]: the name is the upstream a stack release writes for %s; '
                          'give the static upstream another name' % (name, stack_upstreams[name]))
    known = sorted(set(static) | set(stack_upstreams))
    for site in sites or []:
        if not isinstance(site, dict):
            continue
        for location in site.get('locations') or []:
            if not isinstance(location, dict) or location.get('upstream') in (None, ''):
                continue
            upstream = location['upstream']
            if upstream in static or upstream in stack_upstreams:
                continue
            errors.append(
                'nginx_sites[%s].locations[%s].upstream: `%s` is no upstream of this inventory%s; allowed: '
                'a name of nginx_upstreams or <stack>_<app> of an app in stack_projects of a stack host '
                '(known: %s)' % (site.get('name'), location.get('path'), upstream, did_you_mean(upstream, known, 0.8),
                                 ', '.join(known) or 'none'))
    return errors
