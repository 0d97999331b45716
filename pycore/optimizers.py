"""The optimizer registry: one record per optimizer, keyed as the page and the docs name them.

``OPTIMIZERS[key]`` is an ``OptimizerSpec``: its rule factory (``pycore.rules``), hyperparameter specs with
torch's names and defaults, torch's state names, display metadata (name, colour, marker), the update rule as a
LaTeX algorithm block, a two-line summary, the reference and the convention notes. Insertion order is display
order.
"""
from collections import namedtuple

from . import rules
from .checks import lookup, short
from .hyperparams import hp, validate
from .optimizer_text import TEXT as _TEXT_SOURCE
from .unroll import unrolled

# The same factories for exactly two coordinates (a run's x and y), derived from pycore.rules by unrolling
# every pass over the coordinates: bit-identical results, with less loop machinery per step (pycore.unroll).
PLANAR_RULES = unrolled(rules, 2)

OptimizerSpec = namedtuple(
    "OptimizerSpec",
    "key name make hyperparams fixed state_fields color marker summary latex notes reference torch",
)
OptimizerSpec.__doc__ = """One optimizer.

make(**hyperparams) -> Rule, where hyperparams are exactly the names in ``hyperparams`` and the factory's
defaults are theirs; ``fixed`` lists, for display, the torch arguments the entry pins beyond those (e.g.
``nesterov=True`` for the "nesterov" entry; its factory applies them); ``torch`` is the equivalent torch
constructor as text.
"""

# One colour-blind-safe palette (Okabe & Ito 2008, extended with Paul Tol's "muted" scheme) shared by the page
# and the figures; each optimizer also has its own marker shape so colour is never the only cue.
PALETTE = (
    "#555555", "#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00",
    "#CC79A7", "#882255", "#AA4499", "#332288", "#999933", "#44AA99",
)
# Marker shapes (``pycore.markers``), none of them a minimum's or a saddle's shape.
MARKERS = ("square", "triangle-up", "triangle-down", "diamond", "pentagon", "hexagon",
           "plus", "thin-diamond", "triangle-left", "triangle-right", "hourglass", "wye")

# Shared hyperparameter specs. Valid intervals are torch's; where torch checks less (dampening, alpha) or
# lion-pytorch asserts more (lr > 0, betas <= 1), the doc says so. ``ui`` is the page's slider range.


def _lr(default, low_open=False):
    doc = "learning rate" + (" (lion-pytorch asserts lr > 0)" if low_open else "")
    return hp("lr", r"\eta", default, 0.0, low_open=low_open, ui=(1e-5, 10.0), scale="log", doc=doc)


def _eps(default):
    return hp("eps", r"\epsilon", default, ui=(1e-12, 1e-1), scale="log",
              doc="term added to the denominator for numerical stability")


def _wd(default=0.0):
    return hp("weight_decay", r"\lambda", default, ui=(0.0, 1.0), doc="weight decay")


def _betas(default=(0.9, 0.999), closed=False, doc="decay rates of the first and second moment estimates"):
    return hp("betas", r"\beta_1, \beta_2", default, 0.0, 1.0, kind="pair", high_open=not closed,
              ui=(0.0, 0.9999), doc=doc + (" (lion-pytorch accepts 0 <= beta <= 1)" if closed else ""))


def _momentum(default, low_open=False):
    return hp("momentum", r"\mu", default, low_open=low_open, ui=(0.01 if low_open else 0.0, 0.999),
              doc="momentum factor" + (" (Nesterov needs momentum > 0)" if low_open else ""))


_DECOUPLED = hp("decoupled_weight_decay", r"\text{decoupled}", False, kind="bool",
                doc="apply weight decay as θ ← θ(1 − ηλ) (AdamW-style) instead of adding λθ to the gradient")
# Lion has no second moment and always decays θ directly; its flag only rescales λ (lion-pytorch).
_LION_BETAS = _betas((0.9, 0.99), closed=True, doc="β1 mixes momentum and gradient for the update's sign; β2 is "
                                                   "the decay rate of the momentum average")
_LION_DECOUPLED = hp("decoupled_weight_decay", r"\text{decoupled}", False, kind="bool",
                     doc="divide λ by the initial lr η0, so the decay θ ← θ(1 − ηλ/η0) no longer scales with "
                         "the lr's size (the decay always shrinks θ directly and never enters the gradient)")
_BIAS_CORRECTION = hp("bias_correction", r"\text{bias\_correction}", True, kind="bool", torch=False,
                      doc="divide m and v by 1 − β1ᵗ and 1 − β2ᵗ (not a torch option: torch always does; turn it "
                          "off to see what the correction is for)")
_AMSGRAD = hp("amsgrad", r"\text{amsgrad}", False, kind="bool",
              doc="use the running maximum of the second moment (AMSGrad)")
_DAMPENING = hp("dampening", r"\tau", 0.0, 0.0, 1.0, ui=(0.0, 1.0),
                doc="dampening for momentum: the new gradient enters the buffer with weight 1 − τ "
                    "(torch does not check it; outside [0, 1] that weight would leave [0, 1])")
_NESTEROV = hp("nesterov", r"\text{nesterov}", False, kind="bool",
               doc="use Nesterov momentum (needs momentum > 0 and dampening = 0)")


def _spec(key, name, make, hyperparams, state_fields, torch, fixed=None):
    i = len(_SPECS)
    text = _TEXT_SOURCE[key]
    notes = text["notes"].format(**{h.name: h.default for h in hyperparams})   # defaults typed once, here
    _SPECS.append(OptimizerSpec(key, name, make, tuple(hyperparams), dict(fixed or {}), tuple(state_fields),
                                PALETTE[i], MARKERS[i], text["summary"], text["latex"], notes,
                                text["reference"], torch))


_SPECS = []

_spec("sgd", "SGD", rules.sgd,
      [_lr(1e-3), _momentum(0.0), _DAMPENING, _wd(), _NESTEROV],
      ["momentum_buffer"], "torch.optim.SGD(params, lr=1e-3)")
_spec("momentum", "Momentum", rules.momentum,
      [_lr(1e-3), _momentum(0.9), _DAMPENING, _wd()],
      ["momentum_buffer"], "torch.optim.SGD(params, lr=1e-3, momentum=0.9)", fixed={"nesterov": False})
_spec("nesterov", "Nesterov", rules.nesterov,
      [_lr(1e-3), _momentum(0.9, low_open=True), _wd()],
      ["momentum_buffer"], "torch.optim.SGD(params, lr=1e-3, momentum=0.9, nesterov=True)",
      fixed={"nesterov": True, "dampening": 0.0})
_spec("adagrad", "AdaGrad", rules.adagrad,
      [_lr(1e-2), hp("lr_decay", r"\eta_{\text{decay}}", 0.0, ui=(0.0, 1.0), doc="learning rate decay"),
       _wd(), hp("initial_accumulator_value", r"s_0", 0.0, ui=(0.0, 1.0), doc="initial value of the sum of squares"),
       _eps(1e-10)],
      ["step", "sum"], "torch.optim.Adagrad(params, lr=1e-2)")
_spec("rmsprop", "RMSProp", rules.rmsprop,
      [_lr(1e-2), hp("alpha", r"\alpha", 0.99, 0.0, 1.0, ui=(0.0, 0.999),
                     doc="smoothing constant (torch checks only alpha >= 0; above 1 the average of g² turns "
                         "negative)"),
       _eps(1e-8), _wd(), _momentum(0.0),
       hp("centered", r"\text{centered}", False, kind="bool", doc="normalise by the estimated variance of the gradient")],
      ["step", "square_avg", "grad_avg", "momentum_buffer"], "torch.optim.RMSprop(params, lr=1e-2)")
_spec("adadelta", "Adadelta", rules.adadelta,
      [_lr(1.0), hp("rho", r"\rho", 0.9, 0.0, 1.0, ui=(0.0, 0.999), doc="decay rate of the running averages"),
       _eps(1e-6), _wd()],
      ["step", "square_avg", "acc_delta"], "torch.optim.Adadelta(params, lr=1.0)")
_spec("adam", "Adam", rules.adam,
      [_lr(1e-3), _betas(), _eps(1e-8), _wd(), _AMSGRAD, _DECOUPLED, _BIAS_CORRECTION],
      ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"], "torch.optim.Adam(params, lr=1e-3)")
_spec("adamw", "AdamW", rules.adamw,
      [_lr(1e-3), _betas(), _eps(1e-8), _wd(1e-2), _AMSGRAD],
      ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"], "torch.optim.AdamW(params, lr=1e-3)")
_spec("nadam", "NAdam", rules.nadam,
      [_lr(2e-3), _betas(), _eps(1e-8), _wd(),
       hp("momentum_decay", r"\psi", 4e-3, ui=(0.0, 0.1), doc="momentum decay (Dozat's schedule)"), _DECOUPLED],
      ["step", "mu_product", "exp_avg", "exp_avg_sq"], "torch.optim.NAdam(params, lr=2e-3)")
_spec("radam", "RAdam", rules.radam,
      [_lr(1e-3), _betas(), _eps(1e-8), _wd(), _DECOUPLED],
      ["step", "exp_avg", "exp_avg_sq"], "torch.optim.RAdam(params, lr=1e-3)")
_spec("adamax", "Adamax", rules.adamax,
      [_lr(2e-3), _betas(doc="decay rates of the first moment and of the decaying maximum of gradient sizes"), _eps(1e-8),
       _wd()],
      ["step", "exp_avg", "exp_inf"], "torch.optim.Adamax(params, lr=2e-3)")
_spec("lion", "Lion", rules.lion,
      [_lr(1e-4, low_open=True), _LION_BETAS, _wd(), _LION_DECOUPLED],
      ["exp_avg"], "lion_pytorch.Lion(params, lr=1e-4)")

OPTIMIZERS = {s.key: s for s in _SPECS}
del _SPECS


def get_optimizer(optimizer):
    """An OptimizerSpec from a key or a spec; ValueError for an unknown key."""
    return lookup(OPTIMIZERS, optimizer, "optimizer", OptimizerSpec)


def resolve(optimizer, hyperparams=None, *, planar=False):
    """(spec, hyperparams in effect, rule) for ``hyperparams`` ({torch name: value}; lists are read as pairs):
    validates before anything runs. ``planar=True`` gives the rule derived for exactly two coordinates
    (``PLANAR_RULES``), as a run uses it; the general rule takes any number (basin maps, fields).

    The one cross-parameter constraint is torch's: Nesterov momentum needs momentum > 0 and dampening 0.
    """
    spec = get_optimizer(optimizer)
    if hyperparams is not None and not isinstance(hyperparams, dict):
        raise ValueError(f"{spec.key}: hyperparameters must map torch's names to values; got {short(hyperparams)}")
    values = validate(spec.hyperparams, hyperparams or {}, spec.key)
    if values.get("nesterov") and (values["momentum"] <= 0 or values["dampening"] != 0):
        raise ValueError(f"{spec.key}: nesterov=True needs momentum greater than 0 and dampening 0; "
                         f"got momentum={values['momentum']:g}, dampening={values['dampening']:g}")
    make = getattr(PLANAR_RULES, spec.make.__name__) if planar else spec.make
    return spec, values, make(**values)
