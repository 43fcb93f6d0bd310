"""Local smoke test (local.cue): starts the release deployed in the
directory $MLC_URL names on a free loopback port, checks /healthz and one
prediction, and stops it.
"""

import importlib.util
import json
import os
import sys
import threading
import urllib.request


def main():
    url = os.environ["MLC_URL"]
    release = os.path.join(os.environ["MLC_SPEC_DIR"], url[len("file:"):])
    spec = importlib.util.spec_from_file_location("deployed_app", os.path.join(release, "app.py"))
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    server = app.make_server(app.load_model(os.path.join(release, "model")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
            assert r.status == 200, f"/healthz answered {r.status}"
        req = urllib.request.Request(base + "/predict", data=json.dumps({"age": 41, "income": 52000, "debt": 30000}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            p = json.load(r)["default_probability"]
        if not 0 <= p <= 1:
            sys.exit(f"smoke test: /predict answered probability {p}")
        print(f"smoke test of {os.environ.get('MLC_ENVIRONMENT', url)} passed: /healthz ok, /predict {p}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
