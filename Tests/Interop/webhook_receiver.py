"""A webhook receiver for the system tests: verifies every delivery with the
Standard Webhooks reference package (`standardwebhooks` from PyPI) and records it.

    python3 webhook_receiver.py STATE_DIR

It listens on 127.0.0.1 (an ephemeral port, written to STATE_DIR/port once it
serves) and, for each POST, reads its settings from STATE_DIR afresh:
  secret       the endpoint's signing secret (`whsec_…`); a second line, if
               any, is another secret that must verify too (rotation)
  fail_until   a Unix time (float): answer 500 until then
It appends one JSON line per request to STATE_DIR/deliveries.jsonl:
  {"webhook_id", "webhook_timestamp", "verified", "status", "type", "data",
   "payload_id", "received_at", "error"}
and answers 204 when the delivery verifies (and is not failed on purpose),
400 when it does not.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

STATE = sys.argv[1]
LOCK = threading.Lock()


def read(name, default=""):
    try:
        with open(os.path.join(STATE, name)) as handle:
            return handle.read().strip()
    except FileNotFoundError:
        return default


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        record = {
            "webhook_id": headers.get("webhook-id", ""),
            "webhook_timestamp": headers.get("webhook-timestamp", ""),
            "received_at": time.time(),
            "verified": False,
            "error": "",
        }
        secrets = [line for line in read("secret").splitlines() if line.strip()]
        try:
            if not secrets:
                raise WebhookVerificationError("no secret configured")
            payloads = [Webhook(secret).verify(body, headers) for secret in secrets]
            record["verified"] = True
            payload = payloads[0]
            record["type"] = payload.get("type")
            record["data"] = payload.get("data")
            record["payload_id"] = payload.get("id")
            record["payload_timestamp"] = payload.get("timestamp")
        except Exception as error:  # any failure to verify is recorded, never raised
            record["error"] = f"{type(error).__name__}: {error}"
        fail_until = float(read("fail_until", "0") or "0")
        if not record["verified"]:
            status = 400
        elif time.time() < fail_until:
            status = 500
        else:
            status = 204
        record["status"] = status
        with LOCK:
            with open(os.path.join(STATE, "deliveries.jsonl"), "a") as out:
                out.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    with open(os.path.join(STATE, "port.tmp"), "w") as handle:
        handle.write(str(server.server_address[1]))
    os.rename(os.path.join(STATE, "port.tmp"), os.path.join(STATE, "port"))
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
