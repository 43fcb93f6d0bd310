"""Trains the credit scorer on $MLC_DATA_CREDIT and writes $MLC_MODEL_DIR.

Hyperparameters come from $MLC_PARAMS (JSON, from pipeline.cue's params).
"""

import json
import os

import model


def main():
    params = json.loads(os.environ.get("MLC_PARAMS") or "{}")
    train, _ = model.split(model.load_rows(os.environ["MLC_DATA_CREDIT"]))
    fitted = model.fit(train, epochs=int(params.get("epochs", 200)), learning_rate=float(params.get("learning_rate", 0.1)))
    model.save(fitted, os.environ["MLC_MODEL_DIR"])
    print(f"trained on {len(train)} rows with {params}; weights {[round(w, 3) for w in fitted['weights']]}")


if __name__ == "__main__":
    main()
