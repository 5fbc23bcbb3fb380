#!/usr/bin/env python3
"""Records every ping it gets, one line each: METHOD PATH BODY_BYTES FIRST_LINE_OF_BODY.

usage: vmd-ping-receiver PORT LOGFILE   (listens on 127.0.0.1 only)
"""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def _record(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        first = body.decode('utf-8', 'replace').split('\n')[0][:200]
        with open(sys.argv[2], 'a') as log:
            log.write('%s %s %d %s\n' % (self.command, self.path, len(body), first))
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'OK')

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, *args):
        pass


if __name__ == '__main__':
    HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
