"""What the interop scripts share: a story that calls the gateway's JSON API
over HTTPS with Python `requests` and counts its checks.

Every script prints one `FAIL: …` line per failed check and, last,
`<label>: N passed, M failed` (what `InteropScript.run` in the Swift system
tests reads)."""
import threading

import requests


class Story:
    """Calls `base`, verifying it with the CA file `ca` on every request (a
    session's `verify` loses to REQUESTS_CA_BUNDLE from the environment), and
    counts checks; `expect` may be called from several threads."""

    def __init__(self, base, ca, label, timeout=60):
        self.base = base.rstrip("/")
        self.ca = ca
        self.label = label
        self.timeout = timeout
        self.http = requests.Session()
        self.passed = 0
        self.failures = []
        self.lock = threading.Lock()

    def call(self, verb, path, token=None, body=None, key=None, query=None, headers=None, cookies=None):
        """Sends one request; answers the response and its JSON document (`{"raw": text}` when it is not JSON)."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if key:
            all_headers["Idempotency-Key"] = key
        response = self.http.request(verb, self.base + path, json=body, params=query, headers=all_headers,
                                     timeout=self.timeout, verify=self.ca, cookies=cookies)
        try:
            document = response.json()
        except ValueError:
            document = {"raw": response.text}
        return response, document

    def expect(self, condition, message):
        """Counts a check; answers `condition`."""
        with self.lock:
            if condition:
                self.passed += 1
            else:
                self.failures.append(message)
        return condition

    def ok(self, label, verb, path, **kwargs):
        """A call the rest of the story needs: a 200 with a JSON body, else the story ends (`abort`)."""
        response, document = self.call(verb, path, **kwargs)
        if not self.expect(response.status_code == 200, f"{label}: {verb} {path} answered {response.status_code} {document}"):
            self.abort(label)
        self.expect(response.headers.get("content-type", "").startswith("application/json"), f"{label}: content-type")
        return document

    def refused(self, label, status, reason, verb, path, **kwargs):
        """A call that must be refused with `status` and problem `reason`, as an RFC 9457 problem document."""
        response, document = self.call(verb, path, **kwargs)
        self.expect(response.status_code == status and document.get("reason") == reason,
                    f"{label}: expected {status} {reason}, got {response.status_code} {document}")
        self.expect(response.headers.get("content-type", "").startswith("application/problem+json"),
                    f"{label}: a refusal is application/problem+json, got {response.headers.get('content-type')}")
        for field in ("type", "title", "status", "detail"):
            self.expect(field in document, f"{label}: problem document lacks {field}: {document}")
        return document

    def token(self, secret):
        """The token `POST /v1/auth/token` answers for `secret`."""
        return self.ok("token", "POST", "/v1/auth/token", body={"secret": secret})["token"]

    def abort(self, label):
        """Ends the story after a failed step the rest needs: reports and exits."""
        raise SystemExit(self.report())

    def report(self):
        """Prints the failures and the summary line; answers the exit status."""
        for failure in self.failures:
            print("FAIL:", failure, flush=True)
        print(f"{self.label}: {self.passed} passed, {len(self.failures)} failed", flush=True)
        return 0 if not self.failures else 1
