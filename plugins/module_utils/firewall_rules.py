# -*- coding: utf-8 -*-
# Copyright (c) vmdeploy.backend contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Private to the vmdeploy.backend collection: no compatibility promise for other users.
#
# The rules of the firewall role's validate entry point (roles/firewall/tasks/validate.yml) beyond
# its argument spec: one message per broken rule, naming the variable's full path; the first
# message is the one shown.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vmdeploy.backend.plugins.module_utils.validation import (
    entries, matches, shown, text, to_int)

IPV4_RE = (r'^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])'
           r'(/(3[0-2]|[12]?[0-9]))?$')
# IPv6 address or CIDR (no embedded IPv4 form); H stands for a group of 1-4 hex digits.
IPV6_RE = ('^((H:){7}H|(H:){1,7}:|(H:){1,6}:H|(H:){1,5}(:H){1,2}|(H:){1,4}(:H){1,3}|(H:){1,3}(:H){1,4}'
           '|(H:){1,2}(:H){1,5}|H:(:H){1,6}|:((:H){1,7}|:))(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?$').replace(
               'H', '[0-9a-fA-F]{1,4}')
DOCKER_PORT_RE = r'^[0-9]{1,5}(/(tcp|udp))?$'
INTERFACE_RE = r'^[A-Za-z0-9_.@-]{1,15}\*?$'
COMMENT_RE = r'^[A-Za-z0-9 _.,:/+@()-]{0,100}$'
PORTS = range(1, 65536)


def host_bits_set(source):
    """True when an IPv4 network (a.b.c.d/n) has bits set beyond its prefix (10.0.0.5/24)."""
    address, _sep, prefix = source.partition('/')
    octets = [int(o) for o in address.split('.')]
    number = octets[0] * 16777216 + octets[1] * 65536 + octets[2] * 256 + octets[3]
    return number % (2 ** (32 - int(prefix or 32))) != 0


def network_of(source):
    """The network of an IPv4 a.b.c.d/n: 10.0.0.5/24 -> 10.0.0.0/24."""
    address, _sep, prefix = source.partition('/')
    octets = [int(o) for o in address.split('.')]
    number = octets[0] * 16777216 + octets[1] * 65536 + octets[2] * 256 + octets[3]
    number -= number % (2 ** (32 - int(prefix or 32)))
    return '%d.%d.%d.%d/%s' % (number >> 24, (number >> 16) & 255, (number >> 8) & 255, number & 255, prefix or 32)


def errors(values):
    """Messages for the firewall role's variables (values: {name: value}, defaults included)."""
    out = []
    if to_int(values['firewall_ssh_port']) not in PORTS:
        out.append('firewall_ssh_port must be a port number between 1 and 65535, got %s' % shown(values['firewall_ssh_port']))
    for name in ('firewall_allowed_tcp_ports', 'firewall_allowed_udp_ports'):
        ports = values[name]
        for index, port in enumerate(ports if isinstance(ports, list) else [ports]):
            if to_int(port) not in PORTS:
                out.append('%s[%d] must be a port number between 1 and 65535, got %s' % (name, index, shown(port)))
    for index, port in enumerate(values['firewall_docker_allowed_ports']):
        if not matches(DOCKER_PORT_RE, port) or to_int(text(port).split('/')[0]) not in PORTS:
            out.append('firewall_docker_allowed_ports[%d] must be a published port between 1 and 65535, optionally '
                       'followed by /tcp or /udp (8080, "8080/tcp", "5353/udp"), got %s' % (index, shown(port)))
    for label, item in entries(values['firewall_allowed_sources']):
        where = 'firewall_allowed_sources[%s]' % label
        source = item.get('source')
        if not isinstance(source, str) or not (matches(IPV4_RE, source) or matches(IPV6_RE, source)):
            out.append('%s.source must be an IPv4 or IPv6 address or network such as 10.0.0.5, 10.0.0.0/24 or '
                       '2001:db8::/64, got %s' % (where, shown(source)))
        elif matches(IPV4_RE, source) and host_bits_set(source):
            out.append('%s.source %s has host bits set; write the network (%s) or the single address (%s/32)'
                       % (where, source, network_of(source), source.split('/')[0]))
        if item.get('port') is not None and to_int(item['port']) not in PORTS:
            out.append('%s.port must be a port number between 1 and 65535, got %s' % (where, shown(item['port'])))
        if item.get('proto', 'tcp') not in ('tcp', 'udp'):
            out.append('%s.proto must be tcp or udp, got %s' % (where, shown(item.get('proto'))))
        if item.get('comment') is not None and not matches(COMMENT_RE, item['comment']):
            out.append('%s.comment must be up to 100 letters, digits, spaces and _.,:/+@()-, got %s'
                       % (where, shown(item['comment'])))
    if values['firewall_docker_enabled']:
        interfaces = values['firewall_docker_interfaces']
        if not interfaces:
            out.append('firewall_docker_interfaces must list at least one interface name such as docker0 or br-* '
                       'while firewall_docker_enabled is true')
        for index, interface in enumerate(interfaces or []):
            if not matches(INTERFACE_RE, interface):
                out.append('firewall_docker_interfaces[%d] must be an interface name of at most 15 letters, digits and '
                           '_.@-, optionally ending in * as a wildcard, got %s' % (index, shown(interface)))
    return out
