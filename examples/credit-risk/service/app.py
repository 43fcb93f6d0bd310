"""The credit-risk scoring service.

GET /healthz answers "ok" once the model is loaded; POST /predict takes an
applicant as JSON ({"age": 41, "income": 52000, "debt": 9000}) and answers
{"default_probability": 0.12}. The model is model/model.json next to this
file (the image build puts the registered model there).

    python app.py [PORT]
"""

import json
import math
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")


def load_model(model_dir=MODEL_DIR):
    for root, _, files in os.walk(model_dir):
        if "model.json" in files:
            with open(os.path.join(root, "model.json")) as f:
                return json.load(f)
    raise FileNotFoundError(f"no model.json under {model_dir}")


def default_probability(model, applicant):
    values = dict(applicant)
    income = float(values["income"])
    values["debt_to_income"] = float(values["debt"]) / income if income > 0 else 0.0
    logit = model["bias"] + sum(
        weight * (float(values[name]) - mean) / std
        for name, mean, std, weight in zip(model["features"], model["means"], model["stds"], model["weights"])
    )
    return 1 / (1 + math.exp(-max(-60.0, min(60.0, logit))))


def make_server(model, port=0, host=None):
    """An HTTP server for model on host:port (0: any free port). The host
    is $HOST, else loopback: the image sets HOST=0.0.0.0 (pipeline.cue),
    a local run keeps the app on loopback."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                self._reply(200, "ok\n", "text/plain")
            else:
                self._reply(404, "not found\n", "text/plain")

        def do_POST(self):
            if self.path != "/predict":
                self._reply(404, "not found\n", "text/plain")
                return
            try:
                applicant = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                p = default_probability(model, applicant)
            except (ValueError, KeyError, TypeError) as e:
                self._reply(400, json.dumps({"error": str(e)}) + "\n", "application/json")
                return
            self._reply(200, json.dumps({"default_probability": round(p, 6)}) + "\n", "application/json")

        def _reply(self, status, body, content_type):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer((host or os.environ.get("HOST", "127.0.0.1"), port), Handler)


if __name__ == "__main__":
    server = make_server(load_model(), int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
    print(f"serving on http://{server.server_address[0]}:{server.server_address[1]}", flush=True)
    server.serve_forever()
