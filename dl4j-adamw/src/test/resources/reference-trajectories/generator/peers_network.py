"""Network cases (format adamw-network-trajectory/1): the MLP of mlp.py trained end to end, float64.

torch cases: torch.optim.AdamW / Adam with two param groups (W with weight_decay, b with 0),
CosineAnnealingWarmRestarts stepped per iteration. paper case: gradients from torch autograd, the update
by Algorithm 2 in float64 numpy (decay eta_t * lambda * W on W only).
"""
import numpy as np
import torch

import schedules
from mlp import Mlp


def torch_case(case):
    h = case["hyper"]
    model = Mlp(case)
    groups = [{"params": [model.W0, model.W1], "weight_decay": h["weight_decay"]},
              {"params": [model.b0, model.b1], "weight_decay": 0.0}]
    kwargs = dict(lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"])
    if case["semantics"] == "lr_coupled":
        opt = torch.optim.AdamW(groups, **kwargs)
    elif case["semantics"] == "coupled_l2":
        opt = torch.optim.Adam(groups, **kwargs)
    else:
        raise ValueError("%s: torch semantics %r" % (case["name"], case["semantics"]))
    s = case["schedule"]
    sched = None
    if s["type"] == "cosine_warm_restarts":
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=s["T0"], T_mult=s["Tmult"],
                                                                     eta_min=s["eta_min"])
    elif s["type"] != "constant":
        raise ValueError("%s: schedule %r" % (case["name"], s["type"]))
    lrs, losses, params = [], [], []
    for x, y in zip(case["features"], case["labels"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        loss = model.loss(x, y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        params.append(model.snapshot())
    return {"lr_per_step": lrs, "loss_per_step": losses, "params": params}


def paper_case(case):
    h = case["hyper"]
    model = Mlp(case)
    theta = {n: p.detach().numpy().copy() for n, p in model.named()}
    m = {n: np.zeros_like(a) for n, a in theta.items()}
    v = {n: np.zeros_like(a) for n, a in theta.items()}
    alpha, b1, b2, eps, lam = h["lr"], h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    lrs, losses, params = [], [], []
    for t, (x, y) in enumerate(zip(case["features"], case["labels"])):
        eta = schedules.paper_eta(case["schedule"], t)
        lrs.append(alpha * eta)
        with torch.no_grad():
            for n, p in model.named():
                p.copy_(torch.from_numpy(theta[n]))
        model.zero_grad()
        loss = model.loss(x, y)
        losses.append(loss.item())
        loss.backward()
        k = t + 1
        for n, p in model.named():
            g = p.grad.detach().numpy().astype(np.float64)
            m[n] = b1 * m[n] + (1.0 - b1) * g
            v[n] = b2 * v[n] + (1.0 - b2) * g * g
            m_hat = m[n] / (1.0 - b1 ** k)
            v_hat = v[n] / (1.0 - b2 ** k)
            decay = lam * theta[n] if n.startswith("W") else 0.0
            theta[n] = theta[n] - eta * (alpha * m_hat / (np.sqrt(v_hat) + eps) + decay)
        params.append({n: theta[n].reshape(-1).tolist() for n, _ in model.named()})
    return {"lr_per_step": lrs, "loss_per_step": losses, "params": params}
