"""Loopback deployment service of the e2e (docs/e2e.md), standing in for a
cluster: POST /ENV/deploy with an app image reference pulls that image
with mlc and runs its /app/app.py on a free loopback port; other requests to
/ENV/... go to the app running there. POST /webhook records alerts. Every
deployment and alert is appended to STATE/deployments.jsonl and
STATE/webhooks.jsonl for the e2e's assertions.

    python3 deploy_server.py STATE MLC_BIN   # prints "ready HOST:PORT"
"""

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

STATE, MLC = sys.argv[1], sys.argv[2]
apps = {}  # environment -> (process, port)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record(name, entry):
    with open(os.path.join(STATE, name), "a") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")


def deploy(env, image):
    release = os.path.join(STATE, env)
    shutil.rmtree(release + ".new", ignore_errors=True)
    subprocess.run([MLC, "pull", image, release + ".new"], check=True, stdout=sys.stderr)
    release_app = os.path.join(release, "app")  # the image's workdir
    if env in apps:
        apps[env][0].terminate()
        apps[env][0].wait()
    shutil.rmtree(release, ignore_errors=True)
    os.rename(release + ".new", release)
    port = free_port()
    proc = subprocess.Popen([sys.executable, os.path.join(release_app, "app.py"), str(port)], cwd=release_app)
    apps[env] = (proc, port)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise RuntimeError(f"{env}: the app did not answer /healthz")
    record("deployments.jsonl", {"environment": env, "image": image})


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        parts = self.path.strip("/").split("/", 1)
        if parts == ["webhook"]:
            record("webhooks.jsonl", {"body": self.body().decode(errors="replace")})
            return self.answer(200, b"ok\n")
        if len(parts) == 2 and parts[1] == "deploy":
            image = self.body().decode().strip()
            try:
                deploy(parts[0], image)
            except Exception as e:  # report any failure to the deploy step
                return self.answer(500, f"deploy failed: {e}\n".encode())
            return self.answer(200, f"deployed {image} to {parts[0]}\n".encode())
        self.forward(parts, self.body())

    def do_GET(self):
        self.forward(self.path.strip("/").split("/", 1), None)

    def forward(self, parts, data):
        if len(parts) != 2 or parts[0] not in apps:
            return self.answer(404, b"no such deployment\n")
        req = urllib.request.Request(f"http://127.0.0.1:{apps[parts[0]][1]}/{parts[1]}", data=data,
                                     headers={"Content-Type": self.headers.get("Content-Type", "")})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                self.answer(r.status, r.read(), r.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as e:
            self.answer(e.code, e.read())

    def log_message(self, *args):
        pass


def stop(*_):
    for proc, _ in apps.values():
        proc.terminate()
    sys.exit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"ready 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
