"""Digit-tower experiments: train a digit classifier on the 2000 training digits of a round,
compare pairs analytically from the softmaxes.  Validation = train-pool digits NOT in the
round's training pairs (disjoint from the test pool); test = the round's 1000 test pairs."""
import argparse, json, time, math
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from common import get_round, cmp_from_probs, count_flops, pools


# ------------------------------------------------------------ architectures
def conv_bn(i, o, k=3):
    return [nn.Conv2d(i, o, k, padding=k // 2), nn.BatchNorm2d(o), nn.ReLU()]

def make_arch(name, drop=0.0):
    if name == "A":      # c16 c32 p c64 p fc128
        L = conv_bn(1, 16) + conv_bn(16, 32) + [nn.MaxPool2d(2)] + conv_bn(32, 64) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(576, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(drop), nn.Linear(128, 10)]
    elif name == "B":    # c32k5 p c64 p fc128
        L = conv_bn(1, 32, 5) + [nn.MaxPool2d(2)] + conv_bn(32, 64) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(576, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(drop), nn.Linear(128, 10)]
    elif name == "C":    # c32 c32 p c64 c64 p fc128
        L = conv_bn(1, 32) + conv_bn(32, 32) + [nn.MaxPool2d(2)] + conv_bn(32, 64) + conv_bn(64, 64) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(576, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(drop), nn.Linear(128, 10)]
    elif name == "D":    # c16k5 p c32 p fc64 (tiny)
        L = conv_bn(1, 16, 5) + [nn.MaxPool2d(2)] + conv_bn(16, 32) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(288, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(drop), nn.Linear(64, 10)]
    elif name == "E":    # c32 p c64 c64 p fc128
        L = conv_bn(1, 32) + [nn.MaxPool2d(2)] + conv_bn(32, 64) + conv_bn(64, 64) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(576, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(drop), nn.Linear(128, 10)]
    elif name.startswith("Q:"):  # Q:c1:k1:c2:k2:fc  -> conv(c1,k1) pool conv(c2,k2) fc (7x7 flatten)
        c1, k1, c2, k2, fc = map(int, name.split(":")[1:])
        L = conv_bn(1, c1, k1) + [nn.MaxPool2d(2)] + conv_bn(c1, c2, k2)
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(49 * c2, fc), nn.BatchNorm1d(fc), nn.ReLU(), nn.Dropout(drop), nn.Linear(fc, 10)]
    elif name.startswith("P:"):  # P:c1:k1:c2:k2:fc  -> conv(c1,k1) pool conv(c2,k2) pool fc
        c1, k1, c2, k2, fc = map(int, name.split(":")[1:])
        L = conv_bn(1, c1, k1) + [nn.MaxPool2d(2)] + conv_bn(c1, c2, k2) + [nn.MaxPool2d(2)]
        L += [nn.Flatten(), nn.Dropout(drop), nn.Linear(9 * c2, fc), nn.BatchNorm1d(fc), nn.ReLU(), nn.Dropout(drop), nn.Linear(fc, 10)]
    else:
        raise ValueError(name)
    return nn.Sequential(*L)


# ------------------------------------------------------------ augmentation
def thickness(x, bg, b, gen):
    """Random stroke thickness: blend with 3x3 grey dilation (beta>0) or erosion (beta<0),
    beta ~ U(-b, b), in background-subtracted space."""
    z = x - bg
    dil = F.max_pool2d(z, 3, 1, 1)
    ero = -F.max_pool2d(-z, 3, 1, 1)
    beta = ((torch.rand(len(x), generator=gen) * 2 - 1) * b).view(-1, 1, 1, 1)
    out = torch.where(beta > 0, z + beta * (dil - z), z + (-beta) * (ero - z))
    return out + bg


def gauss_kernel(sigma):
    r = int(math.ceil(2 * sigma))
    k = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * sigma ** 2))
    return k / k.sum(), r


def elastic_field(n, alpha, sigma, gen):
    """Simard-style displacement field in pixels: U(-1,1) noise, separable Gaussian blur
    (zero padded), times alpha. Returns (n,14,14,2) (dx, dy)."""
    d = torch.rand(n * 2, 1, 14, 14, generator=gen) * 2 - 1
    k, r = gauss_kernel(sigma)
    d = F.conv2d(F.pad(d, (r, r, 0, 0)), k.view(1, 1, 1, -1))
    d = F.conv2d(F.pad(d, (0, 0, r, r)), k.view(1, 1, -1, 1))
    return (d * alpha).view(n, 2, 14, 14).permute(0, 2, 3, 1)


def random_affine(x, bg, rot=0.0, scale=0.0, shear=0.0, trans=0.0, int_shift=0, gen=None, ealpha=0.0, esigma=2.0):
    """x: (N,1,14,14) standardised; bg: background value. Affine about the image centre,
    bilinear sampling, outside = background. rot/shear in degrees, scale fraction, trans px."""
    n = x.shape[0]
    if int_shift:
        x = x - bg
        out = torch.zeros_like(x)
        s = torch.randint(-int_shift, int_shift + 1, (n, 2), generator=gen)
        xp = F.pad(x, (int_shift,) * 4)
        for i in range(n):
            dy, dx = int(s[i, 0]), int(s[i, 1])
            out[i] = xp[i, :, int_shift + dy:int_shift + dy + 14, int_shift + dx:int_shift + dx + 14]
        return out + bg
    if rot == 0 and scale == 0 and shear == 0 and trans == 0 and ealpha == 0:
        return x
    u = lambda a: (torch.rand(n, generator=gen) * 2 - 1) * a
    th = u(rot) * math.pi / 180
    sh = u(shear) * math.pi / 180
    sc = 1 + u(scale)
    tx, ty = u(trans), u(trans)
    # source = M @ (dest - c) + c + t  (output pixel samples input at source)
    c, s_ = torch.cos(th), torch.sin(th)
    m00 = c / sc; m01 = (-s_ + c * torch.tan(sh)) / sc
    m10 = s_ / sc; m11 = (c + s_ * torch.tan(sh)) / sc
    theta = torch.stack([torch.stack([m00, m01, tx * 2 / 14], 1),
                         torch.stack([m10, m11, ty * 2 / 14], 1)], 1)
    grid = F.affine_grid(theta, (n, 1, 14, 14), align_corners=False)
    if ealpha > 0:
        grid = grid + elastic_field(n, ealpha, esigma, gen) * (2 / 14)
    return F.grid_sample(x - bg, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + bg


# ------------------------------------------------------------ train / eval
def train_model(a, digits, labels, bg, seed, member):
    torch.manual_seed(1000 * seed + member)
    gen = torch.Generator().manual_seed(1000 * seed + member + 7)
    model = make_arch(a.arch, a.drop)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=0)
    n = len(digits)
    steps_per_epoch = math.ceil(n / a.batch)
    total = steps_per_epoch * a.epochs
    step = 0
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        for b in range(0, n, a.batch):
            i = perm[b:b + a.batch]
            if a.sched == "cos":
                lr = a.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            elif a.sched == "step":
                lr = a.lr * (0.1 if step >= 0.75 * total else 1.0)
            else:
                lr = a.lr
            for g in opt.param_groups:
                g["lr"] = lr
            x = digits[i]
            if a.thick > 0:
                x = thickness(x, bg, a.thick, gen)
            x = random_affine(x, bg, a.rot, a.scale, a.shear, a.trans, a.ishift, gen, a.ealpha, a.esigma)
            out = model(x)
            loss = F.cross_entropy(out, labels[i], label_smoothing=a.ls)
            if a.l2 > 0:
                loss = loss + a.l2 * sum((p * p).sum() for n_, p in model.named_parameters() if p.dim() > 1)
            opt.zero_grad(); loss.backward(); opt.step(); step += 1
    return model


@torch.no_grad()
def predict(model, x, bg, tta):
    model.eval()
    p = F.softmax(model(x), 1)
    if tta:
        k = 1
        for dy, dx in [(0, 1), (0, -1), (1, 0), (-1, 0)]:
            xs = torch.roll(x - bg, (dy, dx), (2, 3))
            if dy == 1: xs[:, :, 0] = 0
            if dy == -1: xs[:, :, -1] = 0
            if dx == 1: xs[:, :, :, 0] = 0
            if dx == -1: xs[:, :, :, -1] = 0
            p = p + F.softmax(model(xs + bg), 1); k += 1
        p = p / k
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="A")
    ap.add_argument("--drop", type=float, default=0.0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--sched", default="cos")
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--ls", type=float, default=0.0)
    ap.add_argument("--rot", type=float, default=0.0)
    ap.add_argument("--scale", type=float, default=0.0)
    ap.add_argument("--shear", type=float, default=0.0)
    ap.add_argument("--trans", type=float, default=0.0)
    ap.add_argument("--thick", type=float, default=0.0)
    ap.add_argument("--ealpha", type=float, default=0.0)
    ap.add_argument("--esigma", type=float, default=2.0)
    ap.add_argument("--ishift", type=int, default=0)
    ap.add_argument("--ens", type=int, default=1)
    ap.add_argument("--tta", type=int, default=0)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--test", action="store_true", help="also report the test-pool errors")
    ap.add_argument("--tag", default="")
    ap.add_argument("--out", default="results.jsonl")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    P = pools()
    res = []
    for seed in seeds:
        d = get_round(seed)
        bg = -d["mean"] / d["std"]
        # validation: train-pool digits not used in this round's train pairs
        idx_used = np.random.default_rng([seed, 0]).permutation(len(P["train"][0]))[:2000]
        mask = np.ones(len(P["train"][0]), bool); mask[idx_used] = False
        xv = torch.from_numpy((P["train"][0][mask] - d["mean"]) / d["std"]).float().reshape(-1, 1, 14, 14)
        yv = torch.from_numpy(P["train"][1][mask])
        t0 = time.process_time(); w0 = time.time()
        pv = 0; pa = 0; pb = 0; pvs = []
        for m in range(a.ens):
            model = train_model(a, d["digits"], d["labels"], bg, seed, m)
            q = predict(model, xv, bg, a.tta); pv = pv + q
            pvs.append(float((q.argmax(1) != yv).float().mean() * 100))
            if a.test:
                pa = pa + predict(model, d["xte"][:, :1], bg, a.tta)
                pb = pb + predict(model, d["xte"][:, 1:], bg, a.tta)
        cpu = time.process_time() - t0
        verr = float((pv.argmax(1) != yv).float().mean() * 100)
        pvn = pv / a.ens
        U = torch.triu(torch.ones(10, 10))              # U[i,j] = 1 iff i <= j
        pcmp = pvn @ U @ pvn.T                           # P(a_i <= b_j)
        tcmp = (yv[:, None] <= yv[None, :])
        off = ~torch.eye(len(yv), dtype=torch.bool)
        vcmp = float(((pcmp > 0.5) != tcmp)[off].float().mean() * 100)
        r = dict(seed=seed, val_digit_err=verr, val_cmp_err=vcmp, val_member_errs=pvs, cpu_s=cpu, wall_s=time.time() - w0)
        if a.test:
            pa, pb = pa / a.ens, pb / a.ens
            cmp = (cmp_from_probs(pa, pb) > 0.5).long()
            r["test_cmp_err"] = float((cmp != d["tte"]).float().mean() * 100)
            r["test_digit_err"] = float(((pa.argmax(1) != d["cte"][:, 0]).float().mean() + (pb.argmax(1) != d["cte"][:, 1]).float().mean()) * 50)
        res.append(r)
        print(json.dumps(r), flush=True)
    flops = count_flops(make_arch(a.arch, a.drop))
    params = sum(p.numel() for p in make_arch(a.arch).parameters())
    seen = 2000 * a.epochs * a.ens
    summ = dict(tag=a.tag, args=vars(a), params=params, fwd_flops=flops, train_tflop=3 * flops * seen / 1e12,
                val_mean=float(np.mean([r["val_digit_err"] for r in res])),
                val_cmp_mean=float(np.mean([r["val_cmp_err"] for r in res])),
                val_member_mean=float(np.mean([np.mean(r["val_member_errs"]) for r in res])),
                cpu_mean=float(np.mean([r["cpu_s"] for r in res])), rounds=res)
    if a.test:
        summ["test_cmp_mean"] = float(np.mean([r["test_cmp_err"] for r in res]))
        summ["test_cmp_std"] = float(np.std([r["test_cmp_err"] for r in res], ddof=1)) if len(res) > 1 else 0.0
        summ["test_digit_mean"] = float(np.mean([r["test_digit_err"] for r in res]))
    print("SUMMARY", json.dumps({k: v for k, v in summ.items() if k != "rounds"}), flush=True)
    with open(a.out, "a") as f:
        f.write(json.dumps(summ) + "\n")


if __name__ == "__main__":
    main()
