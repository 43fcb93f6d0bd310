"""Local deployment (local.cue): unpacks the app image $MLC_APP_IMAGE (by
digest, with mlc pull) and installs its /app, the app and its model, into
the directory $MLC_URL names ("file:PATH", relative to the spec directory).

The new release is assembled next to the old one and swapped in with a
rename, so a failed deploy leaves the running release as it was.
"""

import json
import os
import shutil
import subprocess
import sys

# WORKDIR is where mlc package puts the app's files (the spec's
# apps.api.image.workdir).
WORKDIR = "app"


def target_dir():
    url = os.environ["MLC_URL"]
    if not url.startswith("file:"):
        sys.exit(f"deploy.py deploys to a directory: MLC_URL must be file:PATH, not {url}")
    return os.path.join(os.environ["MLC_SPEC_DIR"], url[len("file:"):])


def main():
    target = target_dir()
    staging = target + ".new"
    shutil.rmtree(staging, ignore_errors=True)
    rootfs = target + ".rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    subprocess.run(["mlc", "pull", os.environ["MLC_APP_IMAGE"], rootfs], check=True)
    os.rename(os.path.join(rootfs, WORKDIR), staging)
    shutil.rmtree(rootfs)
    release = {k: os.environ.get(v, "") for k, v in
               [("environment", "MLC_ENVIRONMENT"), ("image", "MLC_APP_IMAGE"), ("model", "MLC_MODEL"), ("revision", "MLC_REVISION")]}
    with open(os.path.join(staging, "release.json"), "w") as f:
        json.dump(release, f, indent=2, sort_keys=True)
        f.write("\n")
    old = target + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(target):
        os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    print(f"deployed {release['image']} to {target}")


if __name__ == "__main__":
    main()
