"""Tensor cases (format adamw-trajectory/1): one parameter tensor driven by given gradients.

Each function takes a case holding its inputs (the spec fields plus param0 and grads) and returns the
outputs: lr_per_step (and eta_per_step), params, state_final.
"""
import numpy as np
import torch

import schedules

TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32}


def torch_case(case):
    """torch.optim.AdamW (adamw), torch.optim.Adam(weight_decay) (adam_l2); CosineAnnealingWarmRestarts
    stepped once per iteration after optimizer.step()."""
    h, dtype = case["hyper"], TORCH_DTYPES[case["dtype"]]
    shape = tuple(case["shape"])
    p = torch.nn.Parameter(torch.tensor(case["param0"], dtype=dtype).reshape(shape))
    kwargs = dict(lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], weight_decay=h["weight_decay"],
                  amsgrad=h.get("amsgrad", False))
    if case["algorithm"] == "adamw":
        opt = torch.optim.AdamW([p], **kwargs)
    elif case["algorithm"] == "adam_l2":
        opt = torch.optim.Adam([p], **kwargs)
    else:
        raise ValueError("%s: torch has no algorithm %r here" % (case["name"], case["algorithm"]))
    sched = None
    s = case["schedule"]
    if s["type"] == "cosine_warm_restarts":
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=s["T0"], T_mult=s["Tmult"],
                                                                     eta_min=s["eta_min"])
    elif s["type"] != "constant":
        raise ValueError("%s: schedule %r" % (case["name"], s["type"]))
    lrs, params = [], []
    for g in case["grads"]:
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = torch.tensor(g, dtype=dtype).reshape(shape)
        opt.step()
        if sched is not None:
            sched.step()
        params.append(p.detach().reshape(-1).tolist())
    st = opt.state[p]
    state = {"m": st["exp_avg"].reshape(-1).tolist(), "v": st["exp_avg_sq"].reshape(-1).tolist()}
    if h.get("amsgrad", False):
        state["vmax"] = st["max_exp_avg_sq"].reshape(-1).tolist()
    return {"lr_per_step": lrs, "params": params, "state_final": state}


def paper_case(case):
    """Loshchilov & Hutter, Algorithm 2 (AdamW) and Algorithm 1 (SGDW), float64 numpy, schedule multiplier
    eta_t at t = 0, 1, ...: the decay is eta_t * lambda * theta (not multiplied by alpha)."""
    h = case["hyper"]
    theta = np.array(case["param0"], dtype=np.float64)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    etas, lrs, params = [], [], []
    for t, g in enumerate(case["grads"]):
        g = np.array(g, dtype=np.float64)
        eta = schedules.paper_eta(case["schedule"], t)
        etas.append(eta)
        lrs.append(h["alpha"] * eta)
        if case["algorithm"] == "adamw":
            k = t + 1
            m = h["beta1"] * m + (1.0 - h["beta1"]) * g
            v = h["beta2"] * v + (1.0 - h["beta2"]) * g * g
            m_hat = m / (1.0 - h["beta1"] ** k)
            v_hat = v / (1.0 - h["beta2"] ** k)
            theta = theta - eta * (h["alpha"] * m_hat / (np.sqrt(v_hat) + h["eps"]) + h["weight_decay"] * theta)
        elif case["algorithm"] == "sgdw":
            m = h["momentum"] * m + eta * h["alpha"] * g
            theta = theta - m - eta * h["weight_decay"] * theta
        else:
            raise ValueError("%s: paper algorithm %r" % (case["name"], case["algorithm"]))
        params.append(theta.tolist())
    state = {"m": m.tolist(), "v": v.tolist()} if case["algorithm"] == "adamw" else {"m": m.tolist()}
    return {"eta_per_step": etas, "lr_per_step": lrs, "params": params, "state_final": state}


def optax_available():
    try:
        import optax  # noqa: F401
        return True
    except ImportError:
        return False


def optax_case(case):
    """optax.adamw itself (jax float32); state_final is left empty, as committed."""
    import jax.numpy as jnp
    import optax
    h = case["hyper"]
    shape = tuple(case["shape"])
    opt = optax.adamw(learning_rate=h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"],
                      weight_decay=h["weight_decay"])
    p = jnp.asarray(np.array(case["param0"]).reshape(shape), dtype=jnp.float32)
    state = opt.init(p)
    lrs, params = [], []
    for g in case["grads"]:
        lrs.append(h["lr"])
        g = jnp.asarray(np.array(g).reshape(shape), dtype=jnp.float32)
        updates, state = opt.update(g, state, p)
        p = optax.apply_updates(p, updates)
        params.append(np.asarray(p, dtype=np.float32).reshape(-1).astype(np.float64).tolist())
    return {"lr_per_step": lrs, "params": params, "state_final": {}}


def optax_transcription_case(case):
    """NOT optax: a float32 numpy transcription of optax.adamw's documented chain, for checking the optax
    case where optax cannot be installed.

    optax.adamw = chain(scale_by_adam(b1, b2, eps, eps_root=0), add_decayed_weights(weight_decay),
    scale_by_learning_rate(lr)), applied by apply_updates:
      mu = (1 - b1) g + b1 mu;  nu = (1 - b2) g^2 + b2 nu;  count += 1
      mu_hat = mu / (1 - b1^count);  nu_hat = nu / (1 - b2^count)
      u = mu_hat / (sqrt(nu_hat + eps_root) + eps);  u = u + weight_decay p;  u = -lr u;  p = p + u
    every array float32, Python-float hyperparameters rounded to float32 where they meet an array
    (JAX's weak types), (1 - b) formed in double first as Python does.
    """
    f32 = np.float32
    h = case["hyper"]
    b1, b2 = h["beta1"], h["beta2"]
    p = np.array(case["param0"], dtype=np.float64).astype(f32)
    mu = np.zeros_like(p)
    nu = np.zeros_like(p)
    lrs, params = [], []
    for count, g in enumerate(case["grads"], start=1):
        lrs.append(h["lr"])
        g = np.array(g, dtype=np.float64).astype(f32)
        mu = f32(1 - b1) * g + f32(b1) * mu
        nu = f32(1 - b2) * (g * g) + f32(b2) * nu
        bc1 = f32(1) - f32(b1) ** f32(count)
        bc2 = f32(1) - f32(b2) ** f32(count)
        u = (mu / bc1) / (np.sqrt(nu / bc2 + f32(0.0)) + f32(h["eps"]))
        u = u + f32(h["weight_decay"]) * p
        u = f32(-h["lr"]) * u
        p = (p + u).astype(f32)
        params.append(p.astype(np.float64).tolist())
    return {"lr_per_step": lrs, "params": params, "state_final": {}}
