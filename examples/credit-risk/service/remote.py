"""Deploy and smoke test against a deployment service over HTTP (e2e.cue).

deploy: asks $MLC_URL/deploy to run the app image $MLC_APP_IMAGE (by
digest) and waits until it answers. smoke: checks $MLC_URL/healthz and one
prediction, as a user of the deployed service would.
"""

import json
import os
import sys
import urllib.request


def deploy(url):
    image = os.environ["MLC_APP_IMAGE"]
    req = urllib.request.Request(url + "/deploy", data=image.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        print(r.read().decode().strip())


def smoke(url):
    with urllib.request.urlopen(url + "/healthz", timeout=10) as r:
        assert r.status == 200, f"/healthz answered {r.status}"
    req = urllib.request.Request(url + "/predict", data=json.dumps({"age": 41, "income": 52000, "debt": 30000}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        p = json.load(r)["default_probability"]
    if not 0 <= p <= 1:
        sys.exit(f"smoke test: /predict answered probability {p}")
    print(f"smoke test of {url} passed: /healthz ok, /predict {p}")


if __name__ == "__main__":
    {"deploy": deploy, "smoke": smoke}[sys.argv[1]](os.environ["MLC_URL"])
