"""hello-py: the same service as hello-api, in Python's standard library only."""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
            content_type = "text/plain"
        else:
            body = json.dumps(
                {
                    "message": "Hello from hello-py",
                    "release": os.environ.get("SLIPWAY_RELEASE"),
                    "replica": os.environ.get("SLIPWAY_REPLICA"),
                }
            ).encode()
            content_type = "application/json"
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"{self.command} {self.path}", flush=True)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: (server.server_close(), sys.exit(0)))
    print(f"hello-py listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
