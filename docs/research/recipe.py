#!/usr/bin/env python3
"""Final recipe for digit-pairs (see REPORT.md): one digit CNN per round trained on the
2000 labelled digits of the 1000 training pairs, comparison read analytically from the
two softmaxes.  Self-contained except for the reference data loading (load_pools/round_data
from bench/reference/torch_study.py).

  nice -n 19 /usr/bin/python3 docs/research/recipe.py --seeds 0,1,2,3,4
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "reference"))
from torch_study import load_pools, round_data  # noqa: E402

# ---------------------------------------------------------------- recipe constants
EPOCHS, BATCH, LR = 160, 64, 4e-3          # Adam(0.9, 0.999, 1e-8), cosine lr 4e-3 -> 0 per step
LABEL_SMOOTHING = 0.1
ROT_DEG, SCALE, TRANS_PX = 10.0, 0.10, 1.0  # affine jitter, uniform in +-range
TTA_SHIFTS = [(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)]  # (dy, dx) 1-px shifts, probs averaged


def make_model():
    """14x14x1 -> conv5x5(32) BN ReLU maxpool2 -> 7x7x32 -> conv3x3(64) BN ReLU maxpool2
    -> 3x3x64 (row/col 7 dropped) -> flatten 576 -> FC 128 BN ReLU -> FC 10 (logits)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(576, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 10))


# ---------------------------------------------------------------- augmentation
def bilinear_affine(x, bg, gen):
    """x: (N,1,14,14) standardised digits; bg = standardised value of a 0 pixel.
    Per digit: theta ~ U(-10,10) deg, s ~ U(0.9,1.1), tx,ty ~ U(-1,1) px.
    Output pixel (i=row, j=col) samples the input at
        xs = ( cos*(j-6.5) - sin*(i-6.5)) / s + 6.5 + tx
        ys = ( sin*(j-6.5) + cos*(i-6.5)) / s + 6.5 + ty
    bilinearly on (x - bg), corners outside the 14x14 image count as 0, then + bg."""
    n = x.shape[0]
    u = lambda a: (torch.rand(n, generator=gen) * 2 - 1) * a
    th, s, tx, ty = u(ROT_DEG) * math.pi / 180, 1 + u(SCALE), u(TRANS_PX), u(TRANS_PX)
    c, sn = torch.cos(th)[:, None, None], torch.sin(th)[:, None, None]
    s, tx, ty = s[:, None, None], tx[:, None, None], ty[:, None, None]
    ii, jj = torch.meshgrid(torch.arange(14.) - 6.5, torch.arange(14.) - 6.5, indexing="ij")
    xs = (c * jj - sn * ii) / s + 6.5 + tx
    ys = (sn * jj + c * ii) / s + 6.5 + ty
    x0, y0 = torch.floor(xs), torch.floor(ys)
    fx, fy = xs - x0, ys - y0
    img = (x - bg)[:, 0]
    flat = img.reshape(n, -1)
    out = torch.zeros_like(img)
    for dy, dx, w in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx), (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = (y0 + dy).long(), (x0 + dx).long()
        ok = (yy >= 0) & (yy < 14) & (xx >= 0) & (xx < 14)
        v = torch.gather(flat, 1, (yy.clamp(0, 13) * 14 + xx.clamp(0, 13)).reshape(n, -1)).reshape(n, 14, 14)
        out = out + w * v * ok
    return out[:, None] + bg


def shift(x, bg, dy, dx):
    """Integer shift with background fill: out[i,j] = x[i-dy, j-dx]."""
    z = F.pad(x - bg, (1, 1, 1, 1))
    return z[:, :, 1 - dy:15 - dy, 1 - dx:15 - dx] + bg


# ---------------------------------------------------------------- train / predict
def train(digits, labels, bg, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 7)
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    n = len(digits)
    total, step = EPOCHS * math.ceil(n / BATCH), 0
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(n, generator=gen)
        for b in range(0, n, BATCH):                    # 31 batches of 64 + one of 16
            i = perm[b:b + BATCH]
            for g in opt.param_groups:
                g["lr"] = LR * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = F.cross_entropy(model(bilinear_affine(digits[i], bg, gen)), labels[i],
                                   label_smoothing=LABEL_SMOOTHING)
            opt.zero_grad(); loss.backward(); opt.step(); step += 1
    return model


@torch.no_grad()
def digit_probs(model, x, bg):
    model.eval()                                        # BN running statistics
    return sum(F.softmax(model(shift(x, bg, dy, dx)), 1) for dy, dx in TTA_SHIFTS) / len(TTA_SHIFTS)


def p_leq(pa, pb):
    """P(a <= b) = sum_{i<=j} pa_i pb_j."""
    return (pa * pb.flip(1).cumsum(1).flip(1)).sum(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--json")
    ap.add_argument("--epochs", type=int, default=160, help="fallback: fewer epochs (cosine over them)")
    a = ap.parse_args()
    global EPOCHS
    EPOCHS = a.epochs
    torch.set_num_threads(1)
    pools = load_pools()
    rounds = []
    for seed in map(int, a.seeds.split(",")):
        (xtr, _, ctr), (xte, tte, cte) = round_data(pools, 1000, seed)
        raw = pools["train"][0][np.random.default_rng([seed, 0]).permutation(len(pools["train"][0]))[:2000]]
        bg = float(-raw.mean() / raw.std())            # standardised value of a 0 pixel
        digits, labels = xtr.reshape(-1, 1, 14, 14), ctr.reshape(-1)   # 2000 labelled digits
        t0, w0 = time.process_time(), time.time()
        model = train(digits, labels, bg, seed)
        pa, pb = digit_probs(model, xte[:, :1], bg), digit_probs(model, xte[:, 1:], bg)
        pred = (p_leq(pa, pb) > 0.5).long()
        cpu, wall = time.process_time() - t0, time.time() - w0
        r = dict(seed=seed, test_cmp_err=100 * float((pred != tte).float().mean()),
                 test_digit_err=50 * float((pa.argmax(1) != cte[:, 0]).float().mean() + (pb.argmax(1) != cte[:, 1]).float().mean()),
                 train_digit_err=100 * float((digit_probs(model, digits, bg).argmax(1) != labels).float().mean()),
                 cpu_s=cpu, wall_s=wall)
        rounds.append(r)
        print(json.dumps(r), flush=True)
    ce = np.array([r["test_cmp_err"] for r in rounds]); de = np.array([r["test_digit_err"] for r in rounds])
    summ = dict(rounds=rounds, cmp_mean=ce.mean(), cmp_std=ce.std(ddof=1) if len(ce) > 1 else 0.0,
                digit_mean=de.mean(), digit_std=de.std(ddof=1) if len(de) > 1 else 0.0,
                cpu_mean=float(np.mean([r["cpu_s"] for r in rounds])))
    print("SUMMARY", json.dumps({k: v for k, v in summ.items() if k != "rounds"}), flush=True)
    if a.json:
        json.dump(summ, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
