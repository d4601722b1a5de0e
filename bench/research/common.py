"""Shared helpers for the digit-pairs accuracy research (reuses the reference data loading)."""
import os, sys, time, math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
from torch_study import load_pools, make_pairs, round_data  # noqa: E402

torch.set_num_threads(1)

_POOLS = None
def pools():
    global _POOLS
    if _POOLS is None:
        _POOLS = load_pools()
    return _POOLS


def get_round(seed, n=1000):
    """Returns standardised train/test pairs exactly as the reference, plus the flat digits."""
    train, test = round_data(pools(), n, seed)
    xtr, ttr, ctr = train
    xte, tte, cte = test
    # raw mean/std needed for augmentation in raw space: recover from make_pairs
    raw_tr = make_pairs(pools()["train"], n, np.random.default_rng([seed, 0]))[0]
    mean, std = raw_tr.mean(), raw_tr.std(unbiased=False)
    return dict(xtr=xtr, ttr=ttr, ctr=ctr, xte=xte, tte=tte, cte=cte,
                mean=float(mean), std=float(std),
                digits=xtr.reshape(-1, 1, 14, 14).clone(), labels=ctr.reshape(-1).clone())


def cmp_from_probs(pa, pb):
    """P(a <= b) = sum_{i<=j} pa_i pb_j ; pa,pb: (N,10)."""
    cb = pb.flip(1).cumsum(1).flip(1)  # cb[:, i] = sum_{j>=i} pb_j
    return (pa * cb).sum(1)


def count_flops(model, shape=(1, 1, 14, 14)):
    """Forward multiply-adds*2 of conv and linear layers for one digit."""
    flops = []
    def hook(m, i, o):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups
            flops.append(2 * k * o.numel())
        elif isinstance(m, nn.Linear):
            flops.append(2 * m.in_features * m.out_features * (o.numel() // m.out_features))
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(shape))
    model.train(was)
    for h in hs:
        h.remove()
    return sum(flops)
