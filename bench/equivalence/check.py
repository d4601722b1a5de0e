#!/usr/bin/env python3
"""Replays a bench/equivalence/dump.ts dump in PyTorch and compares, step by step.

Builds the reference model (PairNet('cnn') from bench/reference/torch_study.py), copies the
TS initial weights into it (layouts mapped), runs the same K mini-batches with the same loss
(CE + lambda * sum of all params^2) and torch.optim.Adam, in float32 and in float64 (the
latter as "exact" arithmetic), and compares: layer-by-layer activations of batch 1, step
losses, step-1 gradients, parameters and BatchNorm running stats after K steps.

  /usr/bin/python3 bench/equivalence/check.py bench/equivalence/dump-cpu-s0.json [more dumps]
"""
import json, os, sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from torch_study import PairNet  # noqa: E402  the reference model itself


def to_torch(name, a, shape):
    """TS (NHWC, [in,out]) layout -> torch layout."""
    a = np.asarray(a, dtype=np.float64).reshape(shape)
    if name.startswith("conv") and name.endswith(".weight"):   # [kh,kw,in,out] -> [out,in,kh,kw]
        return a.transpose(3, 2, 0, 1)
    if name == "fc1.weight":                                     # rows (h,w,c) -> columns (c,h,w)
        return a.reshape(3, 3, 16, 100).transpose(3, 2, 0, 1).reshape(100, 144)
    if name.startswith("fc") and name.endswith(".weight"):       # [in,out] -> [out,in]
        return a.T
    return a


def rel(a, b):
    """max |a - b| / max |b| (b the reference); 0 if both are 0."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = np.abs(a - b).max()
    s = np.abs(b).max()
    return float(d / s) if s > 0 else float(d)


def build(dump, dtype):
    torch.manual_seed(0)
    model = PairNet("cnn").to(dtype)
    params = list(model.parameters())
    assert len(params) == len(dump["names"])
    with torch.no_grad():
        for p, name, shape, init in zip(params, dump["names"], dump["shapes"], dump["initial"]):
            t = torch.from_numpy(to_torch(name, init, shape)).to(dtype)
            assert tuple(t.shape) == tuple(p.shape), (name, t.shape, p.shape)
            p.copy_(t)
    return model, params


def bn_modules(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def run(dump, dtype, K):
    model, params = build(dump, dtype)
    lr, l2 = dump["hyper"]["learningRate"], dump["hyper"]["l2"]
    x_all = torch.tensor(dump["train"]["input"], dtype=dtype).reshape(-1, 2, 14, 14)
    y_all = torch.tensor(dump["train"]["target"], dtype=torch.long)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    model.train()
    losses, grads1, logits1 = [], None, None
    for step in range(K):
        i = torch.tensor(dump["batches"][step], dtype=torch.long)
        out, _ = model(x_all[i])
        loss = F.cross_entropy(out, y_all[i]) + l2 * sum((p * p).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        if step == 0:
            grads1 = [p.grad.detach().double().numpy().copy() for p in params]
            logits1 = out.detach().double().numpy()
        opt.step()
        losses.append(float(loss.item()))
    final = [p.detach().double().numpy().copy() for p in params]
    state = []
    for m in bn_modules(model):
        state += [m.running_mean.double().numpy().copy(), m.running_var.double().numpy().copy()]
    return dict(losses=losses, grads1=grads1, logits1=logits1, final=final, state=state)


def activations(dump, dtype):
    """Batch 1 at the initial weights, each layer's output in the TS (NHWC) layout."""
    model, _ = build(dump, dtype)
    model.train()
    x = torch.tensor(dump["train"]["input"], dtype=dtype).reshape(-1, 2, 14, 14)[torch.tensor(dump["batches"][0])]
    names = ["conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "conv3", "bn3", "relu3", "pool3",
             "conv4", "bn4", "relu4", "pool4", "flatten", "fc1", "relu5", "fc2", "relu6"]
    acts, h = {}, x
    with torch.no_grad():
        for name, layer in zip(names, model.tower):
            h = layer(h)
            if name == "flatten":
                acts[name] = acts["pool4"].reshape(h.shape[0], -1)   # TS flattens NHWC
            else:
                acts[name] = h.permute(0, 2, 3, 1).double().numpy() if h.dim() == 4 else h.double().numpy()
        acts["fc3"] = model.head(h).double().numpy()
    return acts


def ts_layout_grad(name, g, shape):
    return to_torch(name, g, shape)


def replay_step(dump, cp, dtype):
    """One Adam step from the TS state before checkpoint step cp['step'] (teacher forcing)."""
    model, params = build(dump, dtype)
    names, shapes = dump["names"], dump["shapes"]
    lr, l2 = dump["hyper"]["learningRate"], dump["hyper"]["l2"]
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    conv = lambda i, key: torch.from_numpy(to_torch(names[i], cp[key][i], shapes[i])).to(dtype)
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(conv(i, "before"))
            opt.state[p] = {"step": torch.tensor(float(cp["step"] - 1)),
                            "exp_avg": conv(i, "m").clone(), "exp_avg_sq": conv(i, "v").clone()}
    x_all = torch.tensor(dump["train"]["input"], dtype=dtype).reshape(-1, 2, 14, 14)
    y_all = torch.tensor(dump["train"]["target"], dtype=torch.long)
    i = torch.tensor(dump["batches"][cp["step"] - 1], dtype=torch.long)
    model.train()
    out, _ = model(x_all[i])
    loss = F.cross_entropy(out, y_all[i]) + l2 * sum((p * p).sum() for p in params)
    opt.zero_grad()
    loss.backward()
    grads = [p.grad.detach().double().numpy().copy() for p in params]
    opt.step()
    after = [p.detach().double().numpy().copy() for p in params]
    return float(loss.item()), grads, after


def eval_check(dump):
    """Inference mode (running stats) with the TS final params and running stats, on the training pairs."""
    model, params = build(dump, torch.float64)
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(torch.from_numpy(to_torch(dump["names"][i], dump["final"][i], dump["shapes"][i])))
        for j, m in enumerate(bn_modules(model)):
            m.running_mean.copy_(torch.tensor(dump["finalState"][2 * j], dtype=torch.float64))
            m.running_var.copy_(torch.tensor(dump["finalState"][2 * j + 1], dtype=torch.float64))
    model.eval()
    x = torch.tensor(dump["train"]["input"], dtype=torch.float64).reshape(-1, 2, 14, 14)
    y = np.asarray(dump["train"]["target"])
    with torch.no_grad():
        prob = torch.softmax(model(x)[0], 1)[:, 1].numpy()
    ts = np.asarray(dump["evalProbabilities"])
    err = lambda q: 100.0 * np.mean((q > 0.5).astype(int) != y)
    return float(np.abs(ts - prob).max()), err(ts), err(prob)


def compare(path):
    dump = json.load(open(path))
    K = dump["steps"]
    names, shapes = dump["names"], dump["shapes"]
    print(f"\n=== {path}: backend {dump['backend']}, seed {dump['seed']}, K={K}, tfjs {dump['tfjs']}")
    if dump["lossesTrainEpoch"]:
        print(f"TS replica vs trainEpoch: losses identical = {dump['losses'] == dump['lossesTrainEpoch']}, "
              f"max |dparam| = {dump['maxAbsDiffReplicaVsTrainEpoch']:.3g}; probe init identical = {dump['probeSameInit']}")
    else:
        print(f"(dumped with --no-verify); probe init identical = {dump['probeSameInit']}")

    # 1. activations of batch 1 at the initial weights
    a32, a64 = activations(dump, torch.float32), activations(dump, torch.float64)
    print("\n-- batch-1 forward, initial weights: rel = max|a-b|/max|b| (TS vs torch64, torch32 vs torch64)")
    first_bad = None
    for name, ts in dump["activations"].items():
        t = np.asarray(ts["values"]).reshape(ts["shape"])
        r_ts, r_32 = rel(t, a64[name]), rel(a32[name], a64[name])
        flag = "" if r_ts <= max(1e-4, 10 * r_32) else "   <-- differs"
        if flag and first_bad is None:
            first_bad = name
        print(f"  {name:8s} {str(ts['shape']):18s} TS {r_ts:9.2e}   torch32 {r_32:9.2e}{flag}")
    print(f"  first differing layer: {first_bad}")

    # 2. training trajectory
    r32, r64 = run(dump, torch.float32, K), run(dump, torch.float64, K)
    print("\n-- step-1 gradients per variable (torch layout): TS vs torch64, torch32 vs torch64; norms")
    worst_g = 0.0
    for i, (name, shape) in enumerate(zip(names, shapes)):
        g_ts = ts_layout_grad(name, dump["grads1"][name], shape)
        r_ts, r_32 = rel(g_ts, r64["grads1"][i]), rel(r32["grads1"][i], r64["grads1"][i])
        worst_g = max(worst_g, r_ts)
        flag = "" if r_ts <= max(1e-4, 10 * r_32) else "   <-- differs"
        print(f"  {name:12s} {str(shape):16s} TS {r_ts:9.2e}  torch32 {r_32:9.2e}  |g| TS {dump['gradNorms1'][name]:.6g}"
              f"  torch64 {np.linalg.norm(r64['grads1'][i]):.6g}{flag}")

    print("\n-- per step: loss (TS, torch32, torch64) and |loss rel diff| vs torch64")
    print(f"  {'step':>4s} {'TS':>12s} {'torch32':>12s} {'torch64':>12s} {'TS rel':>9s} {'t32 rel':>9s}")
    for s in range(K):
        lt, l3, l6 = dump["losses"][s], r32["losses"][s], r64["losses"][s]
        print(f"  {s + 1:4d} {lt:12.7f} {l3:12.7f} {l6:12.7f} {abs(lt - l6) / abs(l6):9.2e} {abs(l3 - l6) / abs(l6):9.2e}")

    print(f"\n-- after {K} steps: parameters (rel vs torch64)")
    worst_p = 0.0
    for i, (name, shape) in enumerate(zip(names, shapes)):
        p_ts = to_torch(name, dump["final"][i], shape)
        r_ts, r_32 = rel(p_ts, r64["final"][i]), rel(r32["final"][i], r64["final"][i])
        worst_p = max(worst_p, r_ts)
        print(f"  {name:12s} TS {r_ts:9.2e}  torch32 {r_32:9.2e}")
    print("-- BatchNorm running stats after K steps (rel vs torch64)")
    for j in range(len(r64["state"])):
        kind = "mean" if j % 2 == 0 else "var"
        r_ts = rel(dump["finalState"][j], r64["state"][j])
        r_32 = rel(r32["state"][j], r64["state"][j])
        print(f"  bn{j // 2 + 1}.running_{kind:4s} TS {r_ts:9.2e}  torch32 {r_32:9.2e}")
    print("\n-- teacher-forced single steps from the TS state (params + Adam moments) at later steps:")
    print("   loss rel, worst grad rel, worst update rel (update = after - before; rel = max|d|/max|update_torch64|)")
    for cp in dump.get("checkpoints", []):
        l6, g6, a6 = replay_step(dump, cp, torch.float64)
        l3, g3, a3 = replay_step(dump, cp, torch.float32)
        row = {}
        for who, loss, grads, after in (("TS", cp["loss"], None, None), ("torch32", l3, g3, a3)):
            gw = uw = 0.0
            for i, (name, shape) in enumerate(zip(names, shapes)):
                before = to_torch(name, cp["before"][i], shape)
                g = to_torch(name, cp["grads"][i], shape) if who == "TS" else grads[i]
                aft = to_torch(name, cp["after"][i], shape) if who == "TS" else after[i]
                gw = max(gw, rel(g, g6[i]))
                uw = max(uw, rel(aft - before, a6[i] - before))
            row[who] = (abs(loss - l6) / abs(l6), gw, uw)
        print(f"  step {cp['step']:3d}: TS loss {row['TS'][0]:8.1e} grad {row['TS'][1]:8.1e} update {row['TS'][2]:8.1e}   |"
              f"  torch32 loss {row['torch32'][0]:8.1e} grad {row['torch32'][1]:8.1e} update {row['torch32'][2]:8.1e}")
    if "evalProbabilities" in dump:
        dmax, e_ts, e_torch = eval_check(dump)
        print(f"\n-- inference mode after {K} steps (TS params + running stats in torch64, 1000 train pairs): "
              f"max |dP| = {dmax:.2e}; train error TS {e_ts:.1f}% vs torch {e_torch:.1f}%")
    print(f"\nsummary {dump['backend']}: worst step-1 grad rel {worst_g:.2e}; worst final param rel {worst_p:.2e}; "
          f"loss rel at step 1 {abs(dump['losses'][0] - r64['losses'][0]) / r64['losses'][0]:.2e}, "
          f"step {K} {abs(dump['losses'][-1] - r64['losses'][-1]) / r64['losses'][-1]:.2e}")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        compare(p)
