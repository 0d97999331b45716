"""Prose and LaTeX for each optimizer: summary, update rule, convention notes, reference.

``TEXT[key]`` has:

* ``summary``: two lines of plain words.
* ``latex``: the update rule as a torch-style algorithm block (KaTeX-compatible ``aligned``), each symbol bound
  to pycore's hyperparameter name (torch's), with every weight-decay branch the rule has.
* ``notes``: the convention followed (torch.optim 2.x, or lion-pytorch) and how Keras and the paper differ,
  from ``shared/reference/optimizer_semantics.md``. Placeholders such as ``{lr}`` are filled with the
  registry's defaults by ``pycore.optimizers``, so no default is typed twice.
* ``reference``: the paper(s).
"""


def _tt(name):
    r"""A pycore hyperparameter name as upright text (underscores escaped for KaTeX)."""
    return r"\text{" + name.replace("_", r"\_") + "}"


def _bind(symbol, name):
    """``symbol (name)``, or just the name for a flag whose symbol is its name."""
    return symbol if symbol == _tt(name) else symbol + r"\ (" + _tt(name) + ")"


def _algorithm(inputs, init, body):
    """An ``aligned`` block: input / initialize / for t = 1, 2, ... do (gradient, ``body``) / return."""
    rows = [r"\textbf{input: } " + r",\ ".join(_bind(s, n) for s, n in inputs),
            r"\textbf{initialize: } " + init,
            r"\textbf{for } t = 1, 2, \ldots \textbf{ do}",
            r"\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1})"]
    rows += [r"\quad " + row for row in body]
    rows.append(r"\textbf{return } \theta_t")
    return r"\begin{aligned}" + r" \\ ".join("&" + row for row in rows) + r"\end{aligned}"


_LR = (r"\eta", "lr")
_WD = (r"\lambda", "weight_decay")
_EPS = (r"\epsilon", "eps")
_BETAS = (r"\beta_1, \beta_2", "betas")
_DEC = (r"\text{decoupled}", "decoupled_weight_decay")

_COUPLED = [r"\textbf{if } \lambda \neq 0 \textbf{ then } g_t \leftarrow g_t + \lambda\,\theta_{t-1}"]
_EITHER = [r"\textbf{if } \lambda \neq 0 \textbf{ then}",
           r"\quad \textbf{if } \text{decoupled} \textbf{ then } \theta_{t-1} \leftarrow \theta_{t-1}(1 - \eta\lambda)",
           r"\quad \textbf{else } g_t \leftarrow g_t + \lambda\,\theta_{t-1}"]
_M = r"m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t"
_V = r"v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2"
_MV = r"m_0 \leftarrow 0\ (\text{exp\_avg}),\ v_0 \leftarrow 0\ (\text{exp\_avg\_sq})"
_THETA = r"\theta_0\ (\text{params})"
_ADAM_STEP = [_M, _V,                                             # Adam's and AdamW's rows after the decay
              r"\hat m_t \leftarrow m_t / (1 - \beta_1^t)",
              r"\textbf{if } \text{amsgrad} \textbf{ then } v^{\max}_t \leftarrow \max(v^{\max}_{t-1}, v_t),\ "
              r"\ \hat v_t \leftarrow v^{\max}_t / (1 - \beta_2^t)",
              r"\textbf{else } \hat v_t \leftarrow v_t / (1 - \beta_2^t)",
              r"\theta_t \leftarrow \theta_{t-1} - \eta\, \dfrac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"]

def _keras_adagrad_first_step(g, accumulator=0.1, eps=1e-7):
    """Keras's first AdaGrad step for a gradient g, in units of the learning rate (torch's is 1 for any g)."""
    return abs(g) / (accumulator + g * g + eps) ** 0.5


_TORCH = "Convention: torch.optim 2.x, {ctor}, in float64."
_TORCH_STEP = _TORCH + " The step counter t is incremented before it is used, so the first step has t = 1."

TEXT = {
    "sgd": {
        "summary": "Steps straight down the gradient, scaled by the learning rate.\n"
                   "Optionally adds a velocity (momentum) or looks ahead with it (Nesterov).",
        "latex": _algorithm(
            [_LR, (r"\mu", "momentum"), (r"\tau", "dampening"), _WD, (r"\text{nesterov}", "nesterov")],
            _THETA + r",\ b \text{ (momentum\_buffer) created at } t = 1",
            _COUPLED + [
                r"\textbf{if } \mu \neq 0 \textbf{ then}",
                r"\quad \textbf{if } t = 1 \textbf{ then } b_t \leftarrow g_t \textbf{ else } "
                r"b_t \leftarrow \mu\, b_{t-1} + (1 - \tau)\, g_t",
                r"\quad \textbf{if } \text{nesterov} \textbf{ then } g_t \leftarrow g_t + \mu\, b_t "
                r"\textbf{ else } g_t \leftarrow b_t",
                r"\theta_t \leftarrow \theta_{t-1} - \eta\, g_t"]),
        "notes": _TORCH.format(ctor="torch.optim.SGD") + " Weight decay is coupled: λθ is added to the "
                 "gradient. With momentum, lr multiplies the buffer from outside (v ← μv + g; θ ← θ − η·v) and "
                 "the buffer starts at the first gradient, so dampening applies from step 2 on. Keras: "
                 "learning_rate defaults to 0.01, momentum keeps lr inside the velocity (m ← μm − η·g; θ ← θ + m), "
                 "which is the same path for a constant lr, there is no dampening, and weight_decay is decoupled.",
        "reference": "H. Robbins and S. Monro, A Stochastic Approximation Method, Annals of Mathematical "
                     "Statistics 22(3), 1951",
    },
    "momentum": {
        "summary": "Gradient descent with a velocity: a decaying sum of past gradients sets the direction.\n"
                   "It speeds up along consistent slopes and damps zig-zags across narrow valleys.",
        "latex": _algorithm(
            [_LR, (r"\mu", "momentum"), (r"\tau", "dampening"), _WD],
            _THETA + r",\ b \text{ (momentum\_buffer) created at } t = 1",
            _COUPLED + [
                r"\textbf{if } t = 1 \textbf{ then } b_t \leftarrow g_t \textbf{ else } "
                r"b_t \leftarrow \mu\, b_{t-1} + (1 - \tau)\, g_t",
                r"\theta_t \leftarrow \theta_{t-1} - \eta\, b_t"]),
        "notes": _TORCH.format(ctor="torch.optim.SGD with momentum={momentum}") + " The buffer starts at the "
                 "first gradient (not 0) and lr sits outside it: b ← μb + (1 − τ)g, θ ← θ − η·b. Polyak (1964) and "
                 "Sutskever et al. (2013), like Keras, keep lr inside the velocity (v ← μv − η·g; θ ← θ + v): the "
                 "same path while lr is constant, different once lr changes. Dampening is torch-only; Keras has "
                 "none and decouples weight_decay.",
        "reference": "B. T. Polyak, Some methods of speeding up the convergence of iteration methods, USSR "
                     "Computational Mathematics and Mathematical Physics 4(5), 1964; I. Sutskever, J. Martens, "
                     "G. Dahl and G. Hinton, On the importance of initialization and momentum in deep learning, "
                     "ICML 2013",
    },
    "nesterov": {
        "summary": "Momentum that corrects itself: it steps along the gradient plus the velocity it is about to have.\n"
                   "It overshoots less than plain momentum in curved valleys.",
        "latex": _algorithm(
            [_LR, (r"\mu", "momentum"), _WD],
            _THETA + r",\ b \text{ (momentum\_buffer) created at } t = 1",
            _COUPLED + [
                r"\textbf{if } t = 1 \textbf{ then } b_t \leftarrow g_t \textbf{ else } b_t \leftarrow \mu\, b_{t-1} + g_t",
                r"\theta_t \leftarrow \theta_{t-1} - \eta\,(g_t + \mu\, b_t)"]),
        "notes": _TORCH.format(ctor="torch.optim.SGD with momentum={momentum}, nesterov=True") + " Nesterov "
                 "needs momentum > 0 and no dampening. The look-ahead gradient of Nesterov (1983) and Sutskever "
                 "et al. (2013) is replaced by the Bengio–Boulanger-Lewandowski reformulation θ ← θ − η(g + μb), "
                 "so only the gradient at the current point is needed. Keras uses the same reformulation with lr "
                 "inside the velocity, which agrees with torch to rounding for a constant lr.",
        "reference": "Y. Nesterov, A method for solving the convex programming problem with convergence rate "
                     "O(1/k^2), Soviet Mathematics Doklady 27, 1983; Y. Bengio, N. Boulanger-Lewandowski and "
                     "R. Pascanu, Advances in optimizing recurrent networks, ICASSP 2013",
    },
    "adagrad": {
        "summary": "Divides each coordinate's step by the root of its summed squared gradients.\n"
                   "Steep coordinates slow down early; the step keeps shrinking as the sum grows.",
        "latex": _algorithm(
            [_LR, (r"\eta_{\text{decay}}", "lr_decay"), _WD, (r"s_0", "initial_accumulator_value"), _EPS],
            _THETA + r",\ s_0 \text{ (sum)}",
            [r"\tilde\eta \leftarrow \eta \,/\, (1 + (t - 1)\,\eta_{\text{decay}})"] + _COUPLED + [
                r"s_t \leftarrow s_{t-1} + g_t^2",
                r"\theta_t \leftarrow \theta_{t-1} - \tilde\eta\, \dfrac{g_t}{\sqrt{s_t} + \epsilon}"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.Adagrad") + " It is the diagonal rule of Duchi, Hazan and "
                 "Singer (2011), with ε outside the square root and the sum starting at "
                 "initial_accumulator_value; lr_decay and weight_decay are torch additions. Keras starts the sum "
                 "at 0.1 and puts its ε (1e-7) inside the square root, so its first step is η·|g|/√(0.1 + g²) "
                 "where torch's is η: much shorter only for small gradients ("
                 + ", ".join(f"{_keras_adagrad_first_step(g):.2f}η at |g| = {g:g}" for g in (0.1, 0.3, 3.0))
                 + "); legacy tf.keras and TF1 also start at 0.1.",
        "reference": "J. Duchi, E. Hazan and Y. Singer, Adaptive Subgradient Methods for Online Learning and "
                     "Stochastic Optimization, JMLR 12, 2011",
    },
    "rmsprop": {
        "summary": "Divides each step by a running root-mean-square of recent gradients.\n"
                   "Unlike Adagrad it forgets old gradients, so the step does not shrink forever.",
        "latex": _algorithm(
            [_LR, (r"\alpha", "alpha"), _EPS, _WD, (r"\mu", "momentum"), (r"\text{centered}", "centered")],
            _THETA + r",\ v_0 \leftarrow 0\ (\text{square\_avg}),\ \bar g_0 \leftarrow 0\ (\text{grad\_avg}),\ "
                     r"b_0 \leftarrow 0\ (\text{momentum\_buffer})",
            _COUPLED + [
                r"v_t \leftarrow \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2,\quad \tilde v_t \leftarrow v_t",
                r"\textbf{if } \text{centered} \textbf{ then } \bar g_t \leftarrow \alpha\, \bar g_{t-1} + "
                r"(1 - \alpha)\, g_t,\ \ \tilde v_t \leftarrow \tilde v_t - \bar g_t^2",
                r"\textbf{if } \mu > 0 \textbf{ then } b_t \leftarrow \mu\, b_{t-1} + "
                r"\dfrac{g_t}{\sqrt{\tilde v_t} + \epsilon},\ \ \theta_t \leftarrow \theta_{t-1} - \eta\, b_t",
                r"\textbf{else } \theta_t \leftarrow \theta_{t-1} - \eta\, \dfrac{g_t}{\sqrt{\tilde v_t} + \epsilon}"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.RMSprop") + " Hinton's lecture used a decay of 0.9 "
                 "(torch's alpha is {alpha}); ε is added outside the square root, and with momentum lr multiplies "
                 "the buffer from outside. Keras (and TF) default rho to 0.9, put ε (1e-7) inside the square root "
                 "and keep lr inside the momentum buffer; TF1 also starts the average at 1. The centered variant "
                 "divides by an estimate of the gradient's standard deviation (Graves, 2013).",
        "reference": "G. Hinton, N. Srivastava and K. Swersky, Neural Networks for Machine Learning, Lecture 6e, "
                     "2012; A. Graves, Generating Sequences With Recurrent Neural Networks, arXiv:1308.0850, 2013",
    },
    "adadelta": {
        "summary": "Scales each step by the ratio of recent step sizes to recent gradient sizes.\n"
                   "The units work out without a hand-tuned learning rate (torch's lr only rescales the step).",
        "latex": _algorithm(
            [_LR, (r"\rho", "rho"), _EPS, _WD],
            _THETA + r",\ v_0 \leftarrow 0\ (\text{square\_avg}),\ u_0 \leftarrow 0\ (\text{acc\_delta})",
            _COUPLED + [
                r"v_t \leftarrow \rho\, v_{t-1} + (1 - \rho)\, g_t^2",
                r"\Delta\theta_t \leftarrow \dfrac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t",
                r"u_t \leftarrow \rho\, u_{t-1} + (1 - \rho)\, \Delta\theta_t^2",
                r"\theta_t \leftarrow \theta_{t-1} - \eta\, \Delta\theta_t"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.Adadelta") + " With lr = 1 this is Zeiler's (2012) "
                 "Algorithm 1, ε inside both square roots; the accumulator stores the unscaled Δθ. Zeiler's "
                 "experiments used ρ = 0.95 (torch: {rho}). Keras and TF1 default learning_rate to 0.001, so "
                 "the same name moves 1000 times less there, with ρ = 0.95 and ε = 1e-7 (TF1 1e-8).",
        "reference": "M. D. Zeiler, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701, 2012",
    },
    "adam": {
        "summary": "Momentum on the gradient, divided by the root of a running mean of squared gradients.\n"
                   "Both averages are bias-corrected, so the first step is the learning rate in every coordinate.",
        "latex": _algorithm(
            [_LR, _BETAS, _EPS, _WD, (r"\text{amsgrad}", "amsgrad"), _DEC,
             (r"\text{bc}", "bias_correction")],
            _THETA + ",\\ " + _MV + r",\ v^{\max}_0 \leftarrow 0\ (\text{max\_exp\_avg\_sq})",
            _EITHER + _ADAM_STEP[:-1] + [
                r"\textbf{if not } \text{bc} \textbf{ then } \hat m_t \leftarrow m_t,\ \ \hat v_t \leftarrow v_t"
                r"\quad \text{(pycore only: torch always corrects)}"] + _ADAM_STEP[-1:]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.Adam") + " This is Kingma and Ba's Algorithm 1 with their "
                 "defaults: ε is added after bias-correcting √v. Keras and TF use the paper's 'efficient' form "
                 "instead, η·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε̂), with ε̂ = 1e-7 on the uncorrected √v; that matches torch "
                 "only for a t-dependent ε, so the first steps differ when gradients are tiny. weight_decay here is "
                 "coupled L2 unless decoupled_weight_decay (then it is AdamW). AMSGrad (Reddi et al., 2018) keeps "
                 "the running max of the uncorrected v and still divides by √(1−β2ᵗ), which the paper does not.",
        "reference": "D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, ICLR 2015; "
                     "S. J. Reddi, S. Kale and S. Kumar, On the Convergence of Adam and Beyond, ICLR 2018",
    },
    "adamw": {
        "summary": "Adam with weight decay taken out of the gradient: the weights shrink directly each step.\n"
                   "The decay then no longer gets rescaled by Adam's per-coordinate step sizes.",
        "latex": _algorithm(
            [_LR, _BETAS, _EPS, _WD, (r"\text{amsgrad}", "amsgrad")],
            _THETA + ",\\ " + _MV + r",\ v^{\max}_0 \leftarrow 0\ (\text{max\_exp\_avg\_sq})",
            [r"\theta_{t-1} \leftarrow \theta_{t-1}(1 - \eta\lambda)"] + _ADAM_STEP),
        "notes": _TORCH_STEP.format(ctor="torch.optim.AdamW") + " It is Adam with decoupled_weight_decay=True "
                 "(weight_decay defaults to {weight_decay} here). torch multiplies the decay by the full lr, "
                 "θ ← θ(1 − ηλ), while Loshchilov and Hutter's Algorithm 2 multiplies it only by the schedule "
                 "factor, so their λ corresponds to η·λ here. Keras AdamW uses the same lr-coupled decay with "
                 "weight_decay = 0.004 and its ε̂ = 1e-7 form of Adam.",
        "reference": "I. Loshchilov and F. Hutter, Decoupled Weight Decay Regularization, ICLR 2019",
    },
    "nadam": {
        "summary": "Adam with Nesterov momentum: it mixes the current gradient with the momentum it is about to use.\n"
                   "Its momentum weight starts at about half of β1 and rises only slowly (Dozat's schedule).",
        "latex": _algorithm(
            [_LR, _BETAS, _EPS, _WD, (r"\psi", "momentum_decay"), _DEC],
            _THETA + ",\\ " + _MV + r",\ \Pi_0 \leftarrow 1\ (\text{mu\_product})",
            _EITHER + [
                r"\mu_t \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t\psi}\big),\ \ "
                r"\mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{(t+1)\psi}\big)",
                r"\Pi_t \leftarrow \Pi_{t-1}\, \mu_t", _M, _V,
                r"\hat v_t \leftarrow v_t / (1 - \beta_2^t)",
                r"\theta_t \leftarrow \theta_{t-1} - \eta\, \dfrac{(1 - \mu_t)\, g_t / (1 - \Pi_t) + "
                r"\mu_{t+1}\, m_t / (1 - \Pi_t \mu_{t+1})}{\sqrt{\hat v_t} + \epsilon}"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.NAdam") + " μ_t follows Dozat (2016), "
                 "β1(1 − ½·0.96^(tψ)) with ψ = momentum_decay ({momentum_decay} gives Dozat's 0.96^(t/250)); the "
                 "moment average itself uses the constant β1. Keras 3 uses 0.96^t (no ψ), a much faster momentum "
                 "warm-up, with learning_rate = 0.001 and ε = 1e-7; legacy tf.keras keeps the 0.004 schedule.",
        "reference": "T. Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 Workshop",
    },
    "radam": {
        "summary": "Adam that waits until its variance estimate is reliable: early steps are plain momentum SGD.\n"
                   "From then on the adaptive step is scaled by a rectification factor that grows towards 1.",
        "latex": _algorithm(
            [_LR, _BETAS, _EPS, _WD, _DEC],
            _THETA + ",\\ " + _MV + r",\ \rho_\infty \leftarrow 2/(1 - \beta_2) - 1",
            _EITHER + [_M, _V,
                       r"\hat m_t \leftarrow m_t / (1 - \beta_1^t),\ \ "
                       r"\rho_t \leftarrow \rho_\infty - 2t\beta_2^t / (1 - \beta_2^t)",
                       r"\textbf{if } \rho_t > 5 \textbf{ then}",
                       r"\quad l_t \leftarrow \dfrac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon},\ \ "
                       r"r_t \leftarrow \sqrt{\dfrac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}"
                       r"{(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}}",
                       r"\quad \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t\, l_t\, r_t",
                       r"\textbf{else } \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.RAdam") + " torch switches to the rectified step when "
                 "ρ_t > 5 (the paper's Algorithm 2 says 4; the authors' code tests ρ_t ≥ 5), adds ε to the "
                 "uncorrected √v, and takes plain bias-corrected momentum steps before that, where the authors' "
                 "code by default (degenerated_to_sgd=False) makes no update at all; with degenerated_to_sgd=True "
                 "it takes the same momentum steps as torch. weight_decay is coupled unless "
                 "decoupled_weight_decay, which is closer to the authors' code. Keras has no RAdam.",
        "reference": "L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao and J. Han, On the Variance of the "
                     "Adaptive Learning Rate and Beyond, ICLR 2020",
    },
    "adamax": {
        "summary": "Adam with the root-mean-square replaced by a decaying maximum of gradient sizes.\n"
                   "One large gradient sets the scale until it decays away.",
        "latex": _algorithm(
            [_LR, _BETAS, _EPS, _WD],
            _THETA + r",\ m_0 \leftarrow 0\ (\text{exp\_avg}),\ u_0 \leftarrow 0\ (\text{exp\_inf})",
            _COUPLED + [_M,
                        r"u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon)",
                        r"\theta_t \leftarrow \theta_{t-1} - \dfrac{\eta}{1 - \beta_1^t}\, \dfrac{m_t}{u_t}"]),
        "notes": _TORCH_STEP.format(ctor="torch.optim.Adamax") + " This is Kingma and Ba's §7.1 rule ("
                 "their α = 0.002) with ε added to |g| inside the max; the paper has no ε. Keras and TF keep "
                 "u ← max(β2·u, |g|) and add ε (1e-7) to u in the denominator, with learning_rate = 0.001.",
        "reference": "D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, ICLR 2015, Section 7.1",
    },
    "lion": {
        "summary": "Moves every coordinate by exactly the learning rate, in the direction of a momentum sign.\n"
                   "Only the sign of an interpolated momentum is used, so step sizes ignore gradient scale.",
        "latex": _algorithm(
            [_LR, _BETAS, _WD, _DEC],
            _THETA + r",\ m_0 \leftarrow 0\ (\text{exp\_avg}),\ \eta_0 \leftarrow \eta \text{ (initial lr)}",
            [r"\textbf{if } \text{decoupled} \textbf{ then } \tilde\lambda \leftarrow \lambda / \eta_0 "
             r"\textbf{ else } \tilde\lambda \leftarrow \lambda",
             r"\theta_{t-1} \leftarrow \theta_{t-1}(1 - \eta\tilde\lambda)",
             r"c_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t",
             r"\theta_t \leftarrow \theta_{t-1} - \eta\, \operatorname{sign}(c_t)",
             r"m_t \leftarrow \beta_2 m_{t-1} + (1 - \beta_2)\, g_t"]),
        "notes": "Convention: lion-pytorch 0.2.5 (lion_pytorch.Lion), which is the paper's rule; Lion is not in "
                 "torch.optim. The decay θ(1 − ηλ) is applied first, as in the paper; with decoupled_weight_decay "
                 "λ is divided by the initial lr so the decay no longer scales with it. There is no ε and no bias "
                 "correction. The paper advises an lr 3-10 times smaller than AdamW's and a λ 3-10 times larger. "
                 "Keras 3 Lion has the same rule with learning_rate = 0.001.",
        "reference": "X. Chen, C. Liang, D. Huang, E. Real, K. Wang, Y. Liu, H. Pham, X. Dong, T. Luong, C.-J. Hsieh, "
                     "Y. Lu and Q. V. Le, Symbolic Discovery of Optimization Algorithms, NeurIPS 2023",
    },
}
