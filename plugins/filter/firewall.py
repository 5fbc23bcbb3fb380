# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the firewall role. Each filter is documented in plugins/filter/<name>.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def firewall_sources(addresses, comment='', port=None):
    """firewall_allowed_sources entries admitting each address (a fleet's proxy or app hosts)."""
    out = []
    for address in addresses or []:
        entry = {'source': address if '/' in str(address) else '%s/%s' % (address, 128 if ':' in str(address) else 32)}
        if comment:
            entry['comment'] = comment
        if port is not None:
            entry['port'] = port
        out.append(entry)
    return out


class FilterModule(object):
    def filters(self):
        return {'firewall_sources': firewall_sources}
