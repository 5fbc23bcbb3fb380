#!/usr/bin/env python3
"""Probe TCP ports of a host from a peer and print what a firewall lets through, as JSON.

    firewall_probe.py [--timeout SECONDS] HOST PORT...

prints {"PORT": "open" | "closed" | "filtered", ...}: "open" when a connection is accepted,
"closed" when the host answers with a reset (nothing listens, or a reject rule), "filtered"
when no answer comes within the timeout or an ICMP error says the host cannot be reached
(a drop or an ICMP reject rule). Ports are probed in parallel, so the whole run takes about one
timeout. Standard library only: it runs on any instance with Python 3.
"""
import argparse
import concurrent.futures
import errno
import json
import socket
import sys

# ICMP errors a reject rule or a router may send back instead of a TCP reset.
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM}


def probe(host, port, timeout):
    """Return "open", "closed" or "filtered" for one TCP port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except (TimeoutError, socket.timeout):
        return "filtered"
    except OSError as exc:
        if exc.errno in _UNREACHABLE:
            return "filtered"
        raise


def _port(text):
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port between 1 and 65535")
    return port


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for each port (default 2)")
    parser.add_argument("host")
    parser.add_argument("ports", nargs="+", type=_port, metavar="PORT")
    args = parser.parse_args(argv)
    try:
        socket.getaddrinfo(args.host, None)
    except socket.gaierror as exc:
        parser.error(f"cannot resolve {args.host}: {exc}")
    ports = list(dict.fromkeys(args.ports))
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(32, len(ports))) as pool:
        states = pool.map(lambda p: probe(args.host, p, args.timeout), ports)
        result = {str(port): state for port, state in zip(ports, states)}
    json.dump(result, sys.stdout, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
