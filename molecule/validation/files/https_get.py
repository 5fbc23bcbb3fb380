"""GET https://127.0.0.1<PATH> with SNI and Host set to NAME, the certificate not checked (the
site has nginx's self-signed placeholder). Prints the status code, then the body.

    python3 https_get.py NAME PATH
"""
import socket
import ssl
import sys

name, path = sys.argv[1], sys.argv[2]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", 443), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname=name) as tls:
        tls.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, name)).encode())
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
head, _sep, body = data.partition(b"\r\n\r\n")
print(head.split(b" ", 2)[1].decode())
print(body.decode(errors="replace"))
