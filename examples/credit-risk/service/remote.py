"""Deploy through a deployment service over HTTP (e2e.cue): asks
$MLC_URL/deploy to run the app image $MLC_APP_IMAGE, by digest, and
prints its answer once the release answers /healthz.
"""

import os
import urllib.request

if __name__ == "__main__":
    req = urllib.request.Request(os.environ["MLC_URL"] + "/deploy", data=os.environ["MLC_APP_IMAGE"].encode(), method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        print(r.read().decode().strip())
