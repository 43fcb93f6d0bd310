"""Report of `make e2e-github` (docs/e2e.md): one table per workflow run,
each job with its status and duration from act's --json log, checked
against what the workflow says (an `if: failure()` job is skipped, every
other job succeeds), plus the run's own assertions. The last line is
"e2e: N passed, M failed", one count per workflow run.

    python3 github_report.py WORK REGISTRY_ADDR
"""

import glob
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import yaml  # PyYAML: python3-yaml

WORK, REGISTRY = sys.argv[1], sys.argv[2]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path):
        try:
            out.append(json.loads(line))
        except ValueError:  # act's log holds a few lines that are not JSON
            pass
    return out


def job_results(log):
    """jobID -> (result, seconds) from act's --json log."""
    results, seconds = {}, {}
    for line in open(log):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        job = d.get("jobID")
        if not job:
            continue
        seconds[job] = seconds.get(job, 0) + d.get("executionTime", 0) / 1e9
        if "jobResult" in d:
            results[job] = d["jobResult"]
    return {j: (results.get(j, "skipped"), seconds.get(j, 0)) for j in set(results) | set(seconds)}


def expected(job, kind):
    cond = str(job.get("if", "")).strip()
    if cond == "failure()":
        return "skipped"
    # The service-only change reaches no model: data, code and training are skipped.
    if kind == "service" and "outputs.models_" in cond:
        return "skipped"
    return "success"


def catalog():
    with urllib.request.urlopen(f"http://{REGISTRY}/v2/_catalog?n=1000", timeout=10) as r:
        return json.load(r)["repositories"]


def installs(name, kind, wf):
    """Every job that ran and installs mlc's release ran the mlc it verified."""
    wanted = {jid for jid, j in wf["jobs"].items()
              if any("MLC_RELEASE_URL" in (s.get("env") or {}) for s in j.get("steps", []))}
    if not wanted:
        return []
    version = open(os.path.join(WORK, "version")).read().strip()
    ran, verified = set(), set()
    for d in read_jsonl(os.path.join(WORK, "logs", f"{name}.{kind}.json")):
        if d.get("jobID") in wanted and "jobResult" in d:
            ran.add(d["jobID"])
        if d.get("jobID") in wanted and d.get("msg", "").strip() == f"mlc version {version}":
            verified.add(d["jobID"])
    return [(f"the {len(ran)} jobs that ran installed the release they verified (mlc version {version})", bool(ran) and ran <= verified)]


def checks(name, kind, wf):
    """The run's assertions beyond job results: (description, ok)."""
    out = installs(name, kind, wf)
    text = yaml.safe_dump(wf)
    if kind == "ci" or kind.startswith("ci-"):
        out.append(("the pull-request workflow names no signing key", "secrets.COSIGN_" not in text))
        perms = [wf.get("permissions", {})] + [j.get("permissions") or {} for j in wf["jobs"].values()]
        out.append(("the pull-request workflow has no write scope", all(v != "write" for p in perms for v in p.values())))
        out.append(("the pull-request run was given no secrets", os.path.getsize(os.path.join(WORK, "no-secrets.env")) == 0))
    if kind in ("delivery", "retrain") or kind.startswith("delivery-"):
        repos = catalog()
        for role in ("dataset", "model"):
            out.append((f"a {role} of {name} is in the registry", any(r.startswith(f"e2e/{name}-{role}-") for r in repos)))
        out += lineage(name, wf)
        deploys = read_jsonl(os.path.join(WORK, "deploy", "deployments.jsonl"))
        envs = [j["environment"] for j in wf["jobs"].values() if j.get("environment")]
        if envs:
            last = {}
            for d in deploys:
                last[d["environment"]] = d["image"].split("@")[-1]
            out.append((f"every environment runs the app ({', '.join(envs)})", all(e in last for e in envs)))
            out.append(("production runs the digest staging smoke-tested", len({last.get(e) for e in envs}) == 1))
            # GitHub holds such a job for the environment's required reviewers;
            # act has no protection rules, so the e2e can only check the gate.
            gated = [j for j in wf["jobs"].values() if j.get("environment") == "production"]
            if gated:
                out.append(("the production deploy waits on environment production (reviewers on GitHub)", len(gated) == 1))
    if kind == "service":
        model = open(os.path.join(WORK, "service.model")).read().strip()
        rev = open(os.path.join(WORK, "service.revision")).read().strip()
        before = open(os.path.join(WORK, "service.production")).read().strip()
        out.append(("the service change registered no model", digest(model, rev) is None))
        out.append(("production still runs the model it ran before the change", bool(before) and digest(model, "production") == before))
        apps = [r for r in catalog() if r.startswith(f"e2e/{name}-app-")]
        out.append(("the service change built and deployed a new app image",
                    any(digest(r, rev) for r in apps) and any(digest(r, "production") == digest(r, rev) for r in apps)))
    if kind == "batch":
        out += batch_lineage(name)
    if kind == "monitor":
        retrains = open(os.path.join(WORK, "retrains")).read().split() if os.path.exists(os.path.join(WORK, "retrains")) else []
        out.append(("drift asked for a retraining run (gh workflow run)", name in retrains[::3]))
    return out


def lineage(name, wf):
    """The registered model's signed provenance names the dataset and code
    this run built (same digests as their tags at the run's revision)."""
    rev = subprocess.run(["git", "-C", os.path.join(WORK, "repos", name), "rev-parse", "HEAD"],
                         check=True, capture_output=True, text=True).stdout.strip()
    env = dict(os.environ, MLC_PLAIN_HTTP="true")
    mlc = os.path.join(WORK, "bin", "mlc")
    out = []
    for repo in catalog():
        if not repo.startswith(f"e2e/{name}-model-"):
            continue
        spec = glob.glob(os.path.join(WORK, "repos", name, "**", "cosign.pub"), recursive=True)[0]
        res = subprocess.run([mlc, "lineage", f"{REGISTRY}/{repo}:{rev}", "--key", spec, "--json"],
                             capture_output=True, text=True, env=env)
        ok = res.returncode == 0
        if ok:
            inputs = json.loads(res.stdout).get("inputs", [])
            for i in inputs:
                kind = i["role"]
                built = [r for r in catalog() if r.startswith(f"e2e/{name}-{kind}-")]
                digests = {digest(r, rev) for r in built}
                ok = ok and i["ref"].split("@")[-1] in digests
            ok = ok and "dataset" in {i["role"] for i in inputs}
        out.append((f"mlc lineage of {repo.split('/', 1)[1]} names the dataset and code this run built", ok))
    return out


def batch_lineage(name):
    """The predictions' signed provenance names the model production runs
    and the dataset this run versioned, by digest."""
    rev = subprocess.run(["git", "-C", os.path.join(WORK, "repos", name), "rev-parse", "HEAD"],
                         check=True, capture_output=True, text=True).stdout.strip()
    mlc = os.path.join(WORK, "bin", "mlc")
    spec = glob.glob(os.path.join(WORK, "repos", name, "**", "cosign.pub"), recursive=True)[0]
    out = []
    for repo in catalog():
        if not repo.startswith(f"e2e/{name}-predictions-"):
            continue
        res = subprocess.run([mlc, "lineage", f"{REGISTRY}/{repo}:{rev}", "--key", spec, "--json"],
                             capture_output=True, text=True, env=dict(os.environ, MLC_PLAIN_HTTP="true"))
        inputs = json.loads(res.stdout).get("inputs", []) if res.returncode == 0 else []
        got = {(i["role"], i["ref"].split("@")[-1]) for i in inputs}
        models = {digest(r, "production") for r in catalog() if r.startswith(f"e2e/{name}-model-")}
        data = {digest(r, rev) for r in catalog() if r.startswith(f"e2e/{name}-dataset-")}
        ok = any(role == "model" and d in models for role, d in got) and any(role == "dataset" and d in data for role, d in got)
        out.append((f"mlc lineage of {repo.split('/', 1)[1]} names the production model and the data scored", ok))
    if not out:
        out.append((f"predictions of {name} are in the registry", False))
    return out


def digest(repo, tag):
    accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"
    req = urllib.request.Request(f"http://{REGISTRY}/v2/{repo}/manifests/{tag}", method="HEAD", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.headers["Docker-Content-Digest"]
    except urllib.error.HTTPError:
        return None


def main():
    timings = {}
    for line in open(os.path.join(WORK, "timings", "runs")):
        run, rc, secs = line.split()
        timings[run] = (int(rc), float(secs))
    passed = failed = 0
    lines = ["# e2e: GitHub Actions under act v0.2.89 (host mode)", ""]
    for phase in open(os.path.join(WORK, "timings", "phases")):
        lines.append(f"- {phase.split()[0]}: {phase.split()[1]} s")
    for log in sorted(glob.glob(os.path.join(WORK, "logs", "*.json"))):
        run = os.path.basename(log)[: -len(".json")]
        name, kind = run.rsplit(".", 1)
        wf_kind = "delivery" if kind in ("retrain", "service") else kind
        wf = yaml.safe_load(open(os.path.join(WORK, "repos", name, ".github", "workflows", f"{name}-{wf_kind}.yml")))
        rc, secs = timings.get(run, (1, 0))
        results = job_results(log)
        ok = rc == 0
        lines += ["", f"## {name} {kind} ({name}-{wf_kind}.yml): act exit {rc}, {secs:.1f} s", "",
                  "| job | status | expected | duration |", "|---|---|---|---|"]
        for jid, job in wf["jobs"].items():
            status, dur = results.get(jid, ("skipped", 0))
            want = expected(job, kind)
            ok = ok and status == want
            lines.append(f"| {jid} | {status} | {want} | {dur:.1f} s |")
        for what, good in checks(name, kind, wf):
            ok = ok and good
            lines.append(f"| check: {what} | {'ok' if good else 'FAILED'} | ok | |")
        passed, failed = passed + ok, failed + (not ok)
    lines += ["", f"e2e: {passed} passed, {failed} failed"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
