#!/usr/bin/env python3
"""Same-draw cross-check: replays a long dump (e.g. --steps 250 = the full 25 epochs) in PyTorch
from the TS initial weights, data and batch order, and compares the fit (train error in
inference mode) and the loss curve. Tells whether a TS round's failure to fit is a property
of the draw (init/data/order) or of the implementation.

  /usr/bin/python3 bench/equivalence/replay_round.py bench/equivalence/dump-wasm-s1-k250.json [...]
"""
import json, sys

import numpy as np
import torch

from check import bn_modules, run, to_torch, build  # noqa: F401

torch.set_num_threads(1)


def train_error(dump, r, dtype):
    model, params = build(dump, dtype)
    with torch.no_grad():
        for p, f in zip(params, r["final"]):
            p.copy_(torch.from_numpy(f).to(dtype))
        for j, m in enumerate(bn_modules(model)):
            m.running_mean.copy_(torch.from_numpy(r["state"][2 * j]).to(dtype))
            m.running_var.copy_(torch.from_numpy(r["state"][2 * j + 1]).to(dtype))
    model.eval()
    x = torch.tensor(dump["train"]["input"], dtype=dtype).reshape(-1, 2, 14, 14)
    with torch.no_grad():
        p = torch.softmax(model(x)[0], 1)[:, 1].double().numpy()
    return 100.0 * np.mean((p > 0.5).astype(int) != np.asarray(dump["train"]["target"]))


for path in sys.argv[1:]:
    dump = json.load(open(path))
    K = dump["steps"]
    y = np.asarray(dump["train"]["target"])
    e_ts = 100.0 * np.mean((np.asarray(dump["evalProbabilities"]) > 0.5).astype(int) != y)
    print(f"\n=== {path}: seed {dump['seed']}, {dump['backend']}, {K} steps")
    rows = {"TS": dump["losses"]}
    errs = {"TS": e_ts}
    for name, dtype in (("torch32", torch.float32), ("torch64", torch.float64)):
        r = run(dump, dtype, K)
        rows[name] = r["losses"]
        errs[name] = train_error(dump, r, dtype)
    marks = [0, 9, 29, 49, 99, 149, 199, K - 1]
    print("  step " + " ".join(f"{m + 1:>9d}" for m in marks if m < K))
    for name, ls in rows.items():
        print(f"  {name:8s}" + " ".join(f"{ls[m]:9.4f}" for m in marks if m < K))
    print("  train error (inference mode) after K steps: " + ", ".join(f"{k} {v:.1f}%" for k, v in errs.items()))
