"""Schedule formulas the peers do not ship in the form needed here.

- paper_eta: the warm-restart multiplier eta_t of Loshchilov & Hutter (SGDR), for the paper cases
  (eta_min/eta_max are multipliers; the first step uses t = 0). PyTorch cases use PyTorch's own
  CosineAnnealingWarmRestarts instead (peers_tensor.py, peers_network.py).
- transformers_lambda: the lr_lambda functions of Hugging Face transformers' schedules
  (transformers/optimization.py: _get_linear_schedule_with_warmup_lr_lambda,
  _get_cosine_schedule_with_warmup_lr_lambda / _get_cosine_with_min_lr_schedule_with_warmup_lr_lambda,
  _get_wsd_scheduler_lambda), written out here because transformers is not installed. They are given to
  torch.optim.lr_scheduler.LambdaLR exactly as transformers gives them.
"""
import math


def paper_eta(schedule, t):
    """eta at t completed iterations. T_cur carries the remainder past each completed period."""
    if schedule["type"] == "constant":
        return 1.0
    if schedule["type"] != "cosine_warm_restarts":
        raise ValueError("paper schedule type %r" % schedule["type"])
    t_i, t_cur = float(schedule["T0"]), float(t)
    while t_cur >= t_i:
        t_cur -= t_i
        t_i *= schedule["Tmult"]
    eta_min, eta_max = schedule.get("eta_min", 0.0), schedule.get("eta_max", 1.0)
    return eta_min + 0.5 * (eta_max - eta_min) * (1.0 + math.cos(math.pi * t_cur / t_i))


def _linear_warmup_decay(s, warmup, total):
    if s < warmup:
        return float(s) / float(max(1, warmup))
    return max(0.0, float(total - s) / float(max(1, total - warmup)))


def _cosine_warmup(s, warmup, total, cycles, min_lr_ratio):
    if s < warmup:
        return float(s) / float(max(1, warmup))
    progress = float(s - warmup) / float(max(1, total - warmup))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress))
    if min_lr_ratio == 0.0:
        # get_cosine_schedule_with_warmup
        return max(0.0, factor)
    # get_cosine_with_min_lr_schedule_with_warmup
    factor = factor * (1 - min_lr_ratio) + min_lr_ratio
    return max(0, factor)


def _wsd(s, warmup, stable, decay, warmup_type, decay_type, min_lr_ratio, cycles):
    if s < warmup:
        progress = float(s) / float(max(1, warmup))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        else:
            raise ValueError("wsd warmup_type %r" % warmup_type)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if s < warmup + stable:
        return 1.0
    if s < warmup + stable + decay:
        progress = float(s - warmup - stable) / float(max(1, decay))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        else:
            raise ValueError("wsd decay_type %r" % decay_type)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def transformers_lambda(schedule):
    """lr_lambda(optimizer step s) -> multiplier of the base lr, for a format-2 schedule."""
    kind = schedule["type"]
    if kind == "constant":
        return lambda s: 1.0
    if kind == "linear_warmup_decay":
        return lambda s: _linear_warmup_decay(s, schedule["warmup"], schedule["total"])
    if kind == "cosine_warmup":
        return lambda s: _cosine_warmup(s, schedule["warmup"], schedule["total"], schedule.get("cycles", 0.5),
                                        schedule.get("min_lr_ratio", 0.0))
    if kind == "wsd":
        return lambda s: _wsd(s, schedule["warmup"], schedule["stable"], schedule["decay"],
                              schedule.get("warmup_type", "linear"), schedule.get("decay_type", "cosine"),
                              schedule.get("min_lr_ratio", 0.0), schedule.get("cycles", 0.5))
    raise ValueError("recipe schedule type %r" % kind)
