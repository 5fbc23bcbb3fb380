#!/usr/bin/env python3
"""Open a WebSocket (RFC 6455) through a proxy, send one text frame, print the echo.

usage: ws_echo.py HOST PORT HOST_HEADER PATH MESSAGE [--tls]
Standard library only: it runs inside test instances.
"""
import base64
import os
import socket
import ssl
import struct
import sys


def frame(text):
    payload = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126]) + struct.pack('!H', n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError('closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


def main(host, port, host_header, path, message, tls=False):
    sock = socket.create_connection((host, int(port)), timeout=10)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock, server_hostname=host_header)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                  'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n' % (path, host_header, key)).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        head += read_exact(sock, 1)
    status = head.split(b'\r\n', 1)[0].decode()
    if ' 101 ' not in status + ' ':
        print('handshake failed: %s' % status)
        return 1
    sock.sendall(frame(message))
    b1, b2 = read_exact(sock, 2)
    n = b2 & 0x7F
    if n == 126:
        n = struct.unpack('!H', read_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack('!Q', read_exact(sock, 8))[0]
    print(read_exact(sock, n).decode())
    return 0


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--tls']
    sys.exit(main(*args, tls='--tls' in sys.argv))
