"""The staffcast API over HTTP, for the scripts in this folder (standard library only).

    from api_client import Api
    req = Api("http://127.0.0.1:8080", key)
    queue = req("POST", "/api/v1/queues", {...})          # parsed JSON
    body, seconds = req.timed("GET", "/api/v1/queues")    # and how long the call took

A call the server refuses ends the script with the method, path, status and body.
"""
import json
import sys
import time
import urllib.error
import urllib.request


class Api:
    def __init__(self, base, key, timeout=900):
        self.base, self.key, self.timeout = base, key, timeout

    def timed(self, method, path, body=None, ctype="application/json"):
        """(parsed JSON response, seconds the call took)."""
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        r = urllib.request.Request(self.base + path, data=data, method=method)
        r.add_header("Authorization", "Bearer " + self.key)
        if data is not None:
            r.add_header("content-type", ctype)
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(r, timeout=self.timeout) as resp:
                out = json.loads(resp.read())
        except urllib.error.HTTPError as e:
            sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")
        return out, time.perf_counter() - start

    def __call__(self, method, path, body=None, ctype="application/json"):
        return self.timed(method, path, body, ctype)[0]
