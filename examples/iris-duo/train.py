"""Trains the model named on the command line (bayes or centroid) and
writes it to $MLC_MODEL_DIR/model.json."""

import json
import os
import sys

import model


def main():
    train, _ = model.load()
    m = model.fit(sys.argv[1], train)
    os.makedirs(os.environ["MLC_MODEL_DIR"], exist_ok=True)
    with open(os.path.join(os.environ["MLC_MODEL_DIR"], "model.json"), "w") as f:
        json.dump(m, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"trained {sys.argv[1]} on {len(train)} rows")


if __name__ == "__main__":
    main()
