"""What each case is: the configuration fields of every case, as the committed files hold them.

These are the inputs of a case (hyperparameters, shapes, number of steps, how its random inputs are
scaled), never its outputs. draws.py turns a spec into param0/grads or init/features/labels; the
peers (peers_tensor.py, peers_network.py, peers_recipe.py) compute every output from those.

Order matters: one numpy Generator is drawn from case after case, in the order listed
(public-tensor, then public-network, with the same Generator; the recipe set has its own).
"""

# Seeds of the committed files (their meta "seed").
PUBLIC_SEED = 7
RECIPE_SEED = 101

# Tensor gradients are scale * N(0,1) * U(0.2, 3.0) per element and step (heavy spread of magnitudes).
GRAD_UNIFORM = (0.2, 3.0)

_ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-08}
_CONST = {"type": "constant"}


def _hyper(lr_key, lr, weight_decay, **extra):
    h = {lr_key: lr}
    h.update(_ADAM)
    h["weight_decay"] = weight_decay
    h.update(extra)
    return h


# peer: "torch" (torch.optim), "paper" (float64 numpy, Algorithm 1/2), "optax" (optax.adamw).
# grad_scale multiplies the drawn gradients; zero_from: gradients are set to 0 from this 0-based step on
# (they are still drawn, so later cases see the same stream).
TENSOR_CASES = [
    dict(name="public_torch_adamw_basic_f64", note="", peer="torch", dtype="float64", algorithm="adamw",
         semantics="lr_coupled", hyper=_hyper("lr", 0.002, 0.03), schedule=_CONST, shape=[4, 5], steps=25),
    dict(name="public_torch_adamw_f32", note="", peer="torch", dtype="float32", algorithm="adamw",
         semantics="lr_coupled", hyper=_hyper("lr", 0.003, 0.05), schedule=_CONST, shape=[7, 3], steps=25),
    dict(name="public_torch_adamw_amsgrad_f64", note="", peer="torch", dtype="float64", algorithm="adamw",
         semantics="lr_coupled",
         hyper={"lr": 0.005, "beta1": 0.8, "beta2": 0.99, "eps": 1e-06, "weight_decay": 0.1, "amsgrad": True},
         schedule=_CONST, shape=[3, 6], steps=30, grad_scale=0.3),
    dict(name="public_torch_adamw_small_grads_eps_f64",
         note="gradients comparable to eps: exposes where eps is placed relative to bias correction",
         peer="torch", dtype="float64", algorithm="adamw", semantics="lr_coupled",
         hyper={"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 0.001, "weight_decay": 0.02},
         schedule=_CONST, shape=[10], steps=20, grad_scale=1e-4),
    dict(name="public_torch_adamw_plateau_f64",
         note="data gradient is zero from step 5: decoupled decay keeps shrinking weights multiplicatively",
         peer="torch", dtype="float64", algorithm="adamw", semantics="lr_coupled", hyper=_hyper("lr", 0.01, 0.5),
         schedule=_CONST, shape=[2, 4], steps=24, zero_from=4),
    dict(name="public_torch_adam_l2_plateau_f64",
         note="coupled L2 through Adam: the decay is normalised away (steps of ~lr*sign(w))",
         peer="torch", dtype="float64", algorithm="adam_l2", semantics="coupled_l2", hyper=_hyper("lr", 0.01, 0.5),
         schedule=_CONST, shape=[2, 4], steps=24, zero_from=4),
    dict(name="public_torch_adamw_cosine_restarts_f64", note="", peer="torch", dtype="float64", algorithm="adamw",
         semantics="lr_coupled", hyper=_hyper("lr", 0.01, 0.1),
         schedule={"type": "cosine_warm_restarts", "unit": "iteration", "T0": 4, "Tmult": 2, "eta_min": 0.0001},
         shape=[5, 2], steps=40),
    dict(name="public_paper_adamwr_f64", note="weight decay multiplied by eta_t only, not by alpha", peer="paper",
         dtype="float64", algorithm="adamw", semantics="schedule_multiplier", hyper=_hyper("alpha", 0.01, 0.05),
         schedule={"type": "cosine_warm_restarts", "T0": 5, "Tmult": 2, "eta_min": 0.0, "eta_max": 1.0,
                   "unit": "iteration"},
         shape=[4, 3], steps=40),
    dict(name="public_paper_adamw_constant_f64", note="", peer="paper", dtype="float64", algorithm="adamw",
         semantics="schedule_multiplier", hyper=_hyper("alpha", 0.002, 0.025),
         schedule={"type": "constant", "unit": "iteration"}, shape=[6], steps=20),
    dict(name="public_paper_sgdwr_f64", note="", peer="paper", dtype="float64", algorithm="sgdw",
         semantics="schedule_multiplier", hyper={"alpha": 0.05, "momentum": 0.9, "weight_decay": 0.01},
         schedule={"type": "cosine_warm_restarts", "T0": 6, "Tmult": 2, "eta_min": 0.0, "eta_max": 1.0,
                   "unit": "iteration"},
         shape=[3, 3], steps=40),
    dict(name="public_optax_adamw_f32", note="peer consensus: optax agrees with torch on lr-coupled AdamW",
         peer="optax", dtype="float32", algorithm="adamw", semantics="lr_coupled", hyper=_hyper("lr", 0.002, 0.1),
         schedule=_CONST, shape=[4, 4], steps=20),
]

# MLP nIn -> hidden (tanh) -> nOut (softmax, mean cross-entropy). peer "torch": torch.optim with param groups
# (W decayed, b not); "paper": Algorithm 2 in float64 numpy on torch autograd gradients.
NETWORK_CASES = [
    dict(name="public_net_torch_adamw", note="", peer="torch", semantics="lr_coupled",
         hyper=_hyper("lr", 0.01, 0.1), schedule=_CONST, dims=[6, 16, 3], batch=8, steps=30),
    dict(name="public_net_torch_adamw_restarts", note="", peer="torch", semantics="lr_coupled",
         hyper=_hyper("lr", 0.02, 0.05),
         schedule={"type": "cosine_warm_restarts", "unit": "iteration", "T0": 5, "Tmult": 2, "eta_min": 0.0001},
         dims=[5, 12, 4], batch=10, steps=36),
    dict(name="public_net_torch_adam_l2", note="", peer="torch", semantics="coupled_l2",
         hyper=_hyper("lr", 0.01, 0.001), schedule=_CONST, dims=[6, 16, 3], batch=8, steps=30),
    dict(name="public_net_paper_adamwr", note="", peer="paper", semantics="schedule_multiplier",
         hyper=_hyper("lr", 0.01, 0.05),
         schedule={"type": "cosine_warm_restarts", "unit": "iteration", "T0": 4, "Tmult": 2, "eta_min": 0.0},
         dims=[6, 10, 3], batch=8, steps=36),
]

# Format 2. steps counts micro-batches; x_scale multiplies the drawn features (2.0 makes gradients large
# enough for clipping to engage).
_W = ["W0", "W1"]
RECIPE_CASES = [
    dict(name="public_recipe_clip",
         note="global-norm clipping over all four arrays; the norm crosses max_norm during the run",
         hyper=_hyper("lr", 0.01, 0.1), schedule={"type": "constant", "unit": "step"}, dims=[6, 16, 3], batch=8,
         steps=30, accumulate=1, decay_applies_to=_W, lr_scale=[1.0, 1.0], clip_global_norm=2.0, x_scale=2.0),
    dict(name="public_recipe_accumulate4", note="one AdamW step per 4 micro-batches on the mean of their gradients",
         hyper=_hyper("lr", 0.01, 0.1), schedule={"type": "constant", "unit": "step"}, dims=[6, 12, 3], batch=4,
         steps=40, accumulate=4, decay_applies_to=_W, lr_scale=[1.0, 1.0]),
    dict(name="public_recipe_linear_warmup",
         note="transformers' get_linear_schedule_with_warmup: the first step runs at lr 0",
         hyper=_hyper("lr", 0.02, 0.05),
         schedule={"type": "linear_warmup_decay", "warmup": 5, "total": 30, "unit": "step"},
         dims=[5, 10, 4], batch=8, steps=30, accumulate=1, decay_applies_to=_W, lr_scale=[1.0, 1.0]),
    dict(name="public_recipe_cosine_warmup_min_lr", note="", hyper=_hyper("lr", 0.01, 0.1),
         schedule={"type": "cosine_warmup", "warmup": 4, "total": 30, "cycles": 0.5, "min_lr_ratio": 0.1,
                   "unit": "step"},
         dims=[6, 10, 3], batch=8, steps=30, accumulate=1, decay_applies_to=_W, lr_scale=[1.0, 1.0]),
    dict(name="public_recipe_wsd", note="warm-up, stable, decay; the last 2 steps run at the minimum ratio",
         hyper=_hyper("lr", 0.01, 0.1),
         schedule={"type": "wsd", "warmup": 4, "stable": 12, "decay": 14, "warmup_type": "linear",
                   "decay_type": "1-sqrt", "min_lr_ratio": 0.05, "cycles": 0.5, "unit": "step"},
         dims=[6, 10, 3], batch=8, steps=32, accumulate=1, decay_applies_to=_W, lr_scale=[1.0, 1.0]),
    dict(name="public_recipe_groups",
         note="decay on the first layer's W only; the first layer at half the learning rate",
         hyper=_hyper("lr", 0.01, 0.1), schedule={"type": "constant", "unit": "step"}, dims=[6, 16, 3], batch=8,
         steps=30, accumulate=1, decay_applies_to=["W0"], lr_scale=[0.5, 1.0]),
    dict(name="public_recipe_ema", note="EMA of all four arrays after each step; the first step copies",
         hyper=_hyper("lr", 0.01, 0.1),
         schedule={"type": "cosine_warmup", "warmup": 3, "total": 30, "cycles": 0.5, "min_lr_ratio": 0.0,
                   "unit": "step"},
         dims=[6, 12, 3], batch=8, steps=30, accumulate=1, decay_applies_to=_W, lr_scale=[1.0, 1.0],
         ema={"decay": 0.9}),
    dict(name="public_recipe_all", note="accumulation 2, clipping, warm-up, decay on biases too, EMA together",
         hyper={"lr": 0.01, "beta1": 0.9, "beta2": 0.95, "eps": 1e-08, "weight_decay": 0.1},
         schedule={"type": "linear_warmup_decay", "warmup": 3, "total": 12, "unit": "step"},
         dims=[6, 12, 3], batch=4, steps=24, accumulate=2, decay_applies_to=["W0", "b0", "W1", "b1"],
         lr_scale=[1.0, 1.0], clip_global_norm=1.9, ema={"decay": 0.95}, x_scale=2.0),
]
