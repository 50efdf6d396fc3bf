"""Recipe cases (format adamw-network-trajectory/2): what a PyTorch training recipe puts around AdamW.

Per micro-batch: loss = mean cross-entropy; (loss / k).backward(). Every k micro-batches: the global
norm of the accumulated gradient (torch.nn.utils.clip_grad_norm_, which also clips when the case has
clip_global_norm), optimizer.step() (torch.optim.AdamW, one param group per array: lr = base lr times
its layer's lr_scale, weight_decay = lambda or 0 per decay_applies_to), LambdaLR.step() (lr_lambda =
transformers' schedule formula, schedules.py), then the EMA (torch.optim.swa_utils.AveragedModel with
avg_fn d*ema + (1-d)*param; its first update copies), then zero_grad().
"""
import torch
from torch.optim.swa_utils import AveragedModel

import schedules
from mlp import Mlp, NAMES


def _total_norm(params):
    """Global 2-norm of the accumulated gradient, sqrt(sum of squares over all four arrays), for cases
    without clipping (clip_grad_norm_ computes the same norm as a norm of per-array norms; the two differ in
    the last bit, and this form is the one that reproduces the committed recipe file exactly)."""
    return torch.sqrt(sum((p.grad.detach() * p.grad.detach()).sum() for p in params))


def recipe_case(case):
    h = case["hyper"]
    k = case.get("accumulate", 1)
    scale = case.get("lr_scale", [1.0, 1.0])
    decayed = set(case["decay_applies_to"])
    model = Mlp(case)
    named = model.named()
    params = [p for _, p in named]
    groups = [{"params": [p], "lr": h["lr"] * scale[int(n[1])],
               "weight_decay": h["weight_decay"] if n in decayed else 0.0} for n, p in named]
    opt = torch.optim.AdamW(groups, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                            weight_decay=h["weight_decay"], amsgrad=h.get("amsgrad", False))
    lr_lambda = schedules.transformers_lambda(case["schedule"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    ema = None
    if case.get("ema"):
        d = case["ema"]["decay"]
        ema = AveragedModel(model, avg_fn=lambda avg, cur, n: d * avg + (1.0 - d) * cur)
    clip = case.get("clip_global_norm")
    n_steps = len(case["features"]) // k
    lrs = [h["lr"] * lr_lambda(s) for s in range(n_steps)]  # LambdaLR: base_lr * lmbda(step)
    norms, clipped, losses, out, ema_out = [], [], [], [], []
    initial = model.snapshot()
    opt.zero_grad()
    for t, (x, y) in enumerate(zip(case["features"], case["labels"])):
        step = t // k
        for g in opt.param_groups:  # what LambdaLR set is what lr_per_step records
            assert g["lr"] == g["initial_lr"] * lr_lambda(step), (case["name"], step)
        loss = model.loss(x, y)
        losses.append(loss.item())
        (loss / k).backward()
        if (t + 1) % k == 0:
            if clip is not None:
                total = torch.nn.utils.clip_grad_norm_(params, clip)
                clipped.append(bool(total.item() > clip))
            else:
                total = _total_norm(params)
            norms.append(total.item())
            opt.step()
            sched.step()
            if ema is not None:
                ema.update_parameters(model)
            opt.zero_grad()
        out.append(model.snapshot())
        if ema is not None:
            if ema.n_averaged.item() == 0:
                ema_out.append(initial)
            else:
                ema_out.append({n: getattr(ema.module, n).detach().reshape(-1).tolist() for n in NAMES})
    result = {"lr_per_step": lrs, "grad_norm_per_step": norms, "loss_per_step": losses, "params": out}
    if clip is not None:
        result["clipped_per_step"] = clipped
    if ema is not None:
        result["ema_params"] = ema_out
    return result
