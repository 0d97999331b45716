"""Every behavioural sentence of the optimizer pages is a claim, and every claim is checked here against pycore.

A claim in ``docs/optimizers/*.md`` ends with ``<!-- claim: PAGE-SLUG -->`` (see ``desktop.prose`` for what its
text is). For each tag there is exactly one test here, ``test_PAGE_SLUG``, decorated with ``@claim("PAGE-SLUG")``:
it runs pycore, asserts the behaviour the sentence describes and returns every number the sentence quotes, in
the order it quotes them, settings included. The decorator compares them with the text at the text's precision,
so prose and code cannot drift. The first tests below keep the mechanism honest: no claim without a test, no test
without a claim, no number in the prose outside a claim.

The runs are the pages' own: ``figure_run`` is the run a page's figure shows (``desktop.settings``' common-lr
setting from the surface's default start). Distances are measured here, from the points.
"""
import functools
import math
import re

import pytest

import pycore
from desktop import ROOT, prose, settings
from pycore.expr import custom_surface

PAGES = sorted((ROOT / "docs" / "optimizers").glob("*.md"))
TEXT = {}   # claim id -> (page, text)
for _page in PAGES:
    for _id, _text in prose.claims(_page.read_text()).items():
        TEXT.setdefault(_id, []).append((_page.name, _text))
CLAIMS = {}  # claim id -> test function
TOL = settings.TOL
STEPS = settings.STEPS


def claim(cid):
    """Registers the test of claim ``cid``; the test returns the numbers the claim quotes, checked here."""
    def wrap(fn):
        @functools.wraps(fn)
        def test():
            if cid not in TEXT:
                pytest.fail(f"no <!-- claim: {cid} --> in docs/optimizers: remove this test or tag the sentence")
            (page, text), = TEXT[cid]
            quoted, values = prose.numbers(text), list(fn())
            assert len(quoted) == len(values), (f"{page} [{cid}] quotes {len(quoted)} numbers {quoted}, the test "
                                                f"returns {len(values)} {values}: {text}")
            for q, v in zip(quoted, values):
                assert prose.render(v, q) == prose.normal(q), f"{page} [{cid}] says {q}, the run gives {v!r}: {text}"
        CLAIMS[cid] = fn
        return test
    return wrap


# ------------------------------------------------------------------------------------------------ helpers ---
@functools.lru_cache(maxsize=None)
def run(key, surface, steps=STEPS, **hyperparams):
    """pycore.run, cached: several claims read the same run."""
    return pycore.run(key, surface, steps=steps, **hyperparams)


def figure_run(key, surface, steps=STEPS):
    """The run the figure of ``key`` on ``surface`` shows, for ``steps`` steps."""
    return run(key, surface, steps, **settings.overrides(key, "common"))


def lr_of(key):
    """The learning rate of ``key``'s figure runs."""
    return settings.in_effect(key, settings.overrides(key, "common"))["lr"]


def default(key, name):
    """The registry's (torch's) default of hyperparameter ``name`` of optimizer ``key``."""
    return next(h.default for h in pycore.OPTIMIZERS[key].hyperparams if h.name == name)


def nearest(surface, point):
    """(distance, minimum) of the listed minimum of ``surface`` nearest to ``point``."""
    x, y = point
    return min(((math.hypot(x - m.x, y - m.y), m) for m in pycore.SURFACES[surface].minima), key=lambda d: d[0])


def first_within(traj, tol=TOL):
    """The first point index within ``tol`` of a listed minimum, or None."""
    return next((i for i, p in enumerate(traj.points) if nearest(traj.surface, p)[0] <= tol), None)


def diverged(traj):
    """Whether the run stopped early (pycore ends a run that blows up, keeping the last finite point)."""
    return len(traj.points) < traj.steps + 1


def diverged_at(traj):
    """The step whose iterate blew up: the one after the last point kept."""
    assert diverged(traj)
    return len(traj.points)


def hessian(surface, x, y, e=1e-6):
    """The Hessian of ``surface`` at (x, y), by central differences of its analytic gradient."""
    g = pycore.SURFACES[surface].grad
    dx = [(a - b) / (2 * e) for a, b in zip(g(x + e, y), g(x - e, y))]
    dy = [(a - b) / (2 * e) for a, b in zip(g(x, y + e), g(x, y - e))]
    return dx[0], (dx[1] + dy[0]) / 2, dy[1]


def curvatures(surface, x, y):
    """(h_min, h_max): the Hessian's eigenvalues at (x, y)."""
    a, b, d = hessian(surface, x, y)
    mid, rad = (a + d) / 2, math.hypot((a - d) / 2, b)
    return mid - rad, mid + rad


QUADRATIC = curvatures("quadratic", 0.0, 0.0)   # (1, 25): the page's ill-conditioned bowl


# --------------------------------------------------------------------------------------------- mechanism ---
def test_every_claim_in_the_docs_has_a_test_and_every_test_a_claim():
    assert set(TEXT) == set(CLAIMS), {"claims without a test": sorted(set(TEXT) - set(CLAIMS)),
                                      "tests without a claim": sorted(set(CLAIMS) - set(TEXT))}


def test_claims_are_named_after_their_page_and_tested_once():
    for cid, places in TEXT.items():
        assert len(places) == 1, f"claim {cid} is on several pages: {places}"
        assert cid.startswith(places[0][0].removesuffix(".md") + "-"), (cid, places[0][0])
    for cid, fn in CLAIMS.items():
        assert fn.__name__ == "test_" + cid.replace("-", "_"), (cid, fn.__name__)


def test_no_number_in_the_prose_outside_a_claim():
    """A number in hand-written prose is either a claim's (and checked) or not there."""
    for page in PAGES:
        for chunk in prose.untagged(page.read_text()):
            assert not prose.numbers(chunk), f"{page.name}: untagged numbers {prose.numbers(chunk)} in: {chunk}"


NUMBER_WORDS = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|"
                          r"million|tenth|hundredth|half|twice|double|triple)\b", re.I)


def test_quantities_are_written_as_numerals():
    """"ten times" would escape the number check; "10 times" cannot. (Surface names such as "Two wells" aside.)"""
    names = re.compile("|".join(re.escape(s.name) for s in pycore.SURFACES.values()))
    for page in PAGES:
        for para in prose.paragraphs(page.read_text()):
            words = NUMBER_WORDS.findall(names.sub(" ", " ".join(prose.visible(para).split())))
            assert not words, f"{page.name}: write {words} as numerals: {para}"


def test_claim_math_holds_no_measured_number():
    """Math is skipped when numbers are read, so a claim writes decimals (measured values) as plain text."""
    for cid, [(page, text)] in TEXT.items():
        for math_part in re.findall(r"\$[^$]+\$", text):
            assert not re.search(r"\d\.\d", math_part), f"{page} [{cid}]: {math_part}"


def test_tags_and_folds_do_not_break_the_markdown():
    """A line starting with ``<!--`` would end a paragraph (an HTML block in CommonMark): tags go at line ends.
    ``<details>`` blocks are in the one form the page's renderer and GitHub both keep: tags on their own lines."""
    for page in PAGES:
        lines = prose.hand_written(page.read_text()).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("<!--"):
                assert "generated:" in line, f"{page.name}:{i + 1}: {line}"
            if "<details>" in line or "</details>" in line or "<summary>" in line:
                assert line in ("<details>", "</details>") or (
                    line.startswith("<summary>") and line.endswith("</summary>")), f"{page.name}:{i + 1}: {line}"
            if line == "<details>":
                assert lines[i + 1].startswith("<summary>") and lines[i + 2] == "", f"{page.name}:{i + 1}"
            if line == "</details>":
                assert lines[i - 1] == "", f"{page.name}:{i + 1}"


def test_numbers_are_read_as_written_and_checked_at_their_precision():
    text = ("At lr 0.01 (β2, 2-D, $h_{12}$, `x=3`) |Δx|/η is 1.00 then −0.0117 after 20,000 steps, 2.6e-5, 88 %, "
            "81η, 1000-step runs, steps 1–5.")
    assert prose.numbers(text) == ["0.01", "1.00", "−0.0117", "20,000", "2.6e-5", "88 %", "81", "1000", "1", "5"]
    assert prose.render(0.0256, "0.026") == "0.026" and prose.render(0.0266, "0.026") != "0.026"
    assert prose.render(2.5684e-5, "2.6e-5") == "2.6e-5" and prose.render(-0.01173, "−0.0117") == "-0.0117"
    assert prose.render(20000, "20,000") == "20,000" and prose.render(0.8812, "88 %") == "88 %"
    para = "One. Two 2.5. <!-- claim: a-b --> Three 3.\n\nQ 4? <!-- claim: a-c -->\n\nA 5. <!-- claim: a-c -->"
    assert prose.claims(para) == {"a-b": "One. Two 2.5.", "a-c": "Q 4? A 5."}
    assert prose.untagged(para) == [" Three 3.", "", ""]


# ---------------------------------------------------------------------------------------------------- SGD ---
@claim("sgd-quadratic-factors")
def test_sgd_quadratic_factors():
    t, lr = figure_run("sgd", "quadratic"), lr_of("sgd")
    h_min, h_max = QUADRATIC
    fx, fy = 1 - lr * h_min, 1 - lr * h_max
    for (x0, y0), (x1, y1) in zip(t.points[:40], t.points[1:41]):
        assert x1 == pytest.approx(fx * x0) and y1 == pytest.approx(fy * y0)
    assert abs(t.points[50][1]) < 1e-6   # y gone within a few dozen steps
    return [h_min, h_max, lr, fx, fy, first_within(t), TOL]


@claim("sgd-convex-converges")
def test_sgd_convex_converges():
    lrs = (0.001, 0.01, 0.03, 0.05, 0.079)
    for lr in lrs:
        t = run("sgd", "quadratic", 300, lr=lr)
        for c in (0, 1):
            assert all(abs(b[c]) < abs(a[c]) for a, b in zip(t.points, t.points[1:]) if a[c]), (lr, c)
    return [lrs[0], lrs[-1]]


@claim("sgd-best-rate")
def test_sgd_best_rate():
    h_min, h_max = QUADRATIC
    kappa = h_max / h_min
    rate = (kappa - 1) / (kappa + 1)
    t = run("sgd", "quadratic", 400, lr=2 / (h_min + h_max))
    x = [abs(p[0]) for p in t.points]
    assert x[101] / x[100] == pytest.approx(rate)
    return [kappa, rate, first_within(t, 1e-6), 1e-6]


def _basins(surface, points):
    """The minima whose basins (nearest minimum) ``points`` visit."""
    return {nearest(surface, p)[1] for p in points}


@claim("sgd-rastrigin-unstable")
def test_sgd_rastrigin_unstable():
    t, lr = figure_run("sgd", "rastrigin"), lr_of("sgd")
    home = nearest("rastrigin", t.points[0])[1]
    h = curvatures("rastrigin", home.x, home.y)[1]
    assert lr > 2 / h
    last = t.points[-100:]
    assert home not in _basins("rastrigin", last) and len(_basins("rastrigin", last)) == 1
    spread = max(t.losses[-100:]) - min(t.losses[-100:])
    assert spread > 20 and not diverged(t)
    return [h, 2 / h, lr, 100, 20]


@claim("sgd-two-wells-nearest-basin")
def test_sgd_two_wells_nearest_basin():
    t = figure_run("sgd", "two_wells")
    end, start = nearest("two_wells", t.points[-1]), nearest("two_wells", t.points[0])
    deep, = pycore.SURFACES["two_wells"].global_minima
    assert end[0] <= TOL and end[1] is start[1] and not end[1].is_global
    return [end[1].x, end[1].y, deep.x, deep.y]


@claim("sgd-rosenbrock-overshoot")
def test_sgd_rosenbrock_overshoot():
    t = figure_run("sgd", "rosenbrock")
    g1, g2 = t.grads[0], pycore.SURFACES["rosenbrock"].grad(*t.points[1])
    assert diverged_at(t) == 2 and min(map(abs, g2)) > 1000
    return [*g1, abs(t.updates[0][0]), diverged_at(t)]


@claim("sgd-predict-divergence-lr")
def test_sgd_predict_divergence_lr():
    h_min, h_max = QUADRATIC
    below, at, above = 0.079, 2 / h_max, 0.081
    slow, edge, fast = (run("sgd", "quadratic", lr=lr) for lr in (below, at, above))
    ys = [p[1] for p in slow.points[:50]]
    assert all(a * b < 0 for a, b in zip(ys, ys[1:])) and first_within(slow) is not None
    assert all(abs(abs(p[1]) - 1) < 1e-12 for p in edge.points) and not diverged(edge)
    assert diverged(fast)
    return [h_min, h_max, 2, h_max, at, 1, h_max, -1, below, at, 1, -1, above]


@claim("sgd-predict-slow-coordinate")
def test_sgd_predict_slow_coordinate():
    t, lr = figure_run("sgd", "quadratic"), lr_of("sgd")
    x, y = t.points[200]
    assert abs(y) < 1e-24
    return [lr, 200, x, 200, 1 - lr, t.points[0][0], x, 1 - lr * QUADRATIC[1], 1e-24]


# ----------------------------------------------------------------------------------------------- Momentum ---
def plane(text="x + 2*y"):
    """A surface with a constant gradient (the page's "your own function" accepts the same text)."""
    return custom_surface(text, ((-10.0, 10.0), (-10.0, 10.0)))


def spectral_radius(a, mu, kind):
    """The largest |root| of one step of SGD, heavy ball or torch's Nesterov on a quadratic with ηh = a."""
    if kind == "sgd":
        return abs(1 - a)
    tr, det = (1 + mu - a, mu) if kind == "heavy" else (1 + mu - a * (1 + mu), mu - a * mu)
    disc = tr * tr / 4 - det
    if disc < 0:
        return math.sqrt(det)
    return max(abs(tr / 2 + math.sqrt(disc)), abs(tr / 2 - math.sqrt(disc)))


def stability_limit(mu, kind):
    """The largest ηh for which the iteration on a quadratic converges (bisection on the spectral radius)."""
    lo, hi = 1e-9, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if spectral_radius(mid, mu, kind) < 1 else (lo, mid)
    return lo


def rises(traj, n=100):
    """On how many of the first ``n`` steps the loss went up."""
    return sum(b > a for a, b in zip(traj.losses[:n], traj.losses[1:n + 1]))


@claim("momentum-steady-slope")
def test_momentum_steady_slope():
    mu = default("momentum", "momentum")
    t = pycore.run("momentum", plane(), start=(0.0, 0.0), steps=60, lr=0.01)
    ratios = [t.updates[k - 1][1] / (-0.01 * 2) for k in (10, 30, 60)]
    for k, r in zip((10, 30, 60), ratios):
        assert r == pytest.approx((1 - mu ** k) / (1 - mu))
    return [mu, *ratios, 10, 30, 60]


@claim("momentum-overshoots")
def test_momentum_overshoots():
    t = figure_run("momentum", "quadratic")
    assert rises(figure_run("sgd", "quadratic")) == 0
    assert t.updates[0] == pytest.approx(figure_run("sgd", "quadratic").updates[0])   # the buffer starts at g_1
    return [rises(t), 100]


def sign_changes(traj, c):
    """How often coordinate ``c`` of the iterate changes sign."""
    v = [p[c] for p in traj.points]
    return sum(a * b < 0 for a, b in zip(v, v[1:]))


@claim("momentum-spiral")
def test_momentum_spiral():
    mom, sgd = figure_run("momentum", "quadratic"), figure_run("sgd", "quadratic")
    assert sign_changes(sgd, 0) == 0 and first_within(mom) < first_within(sgd) / 3
    return [sign_changes(mom, 0)]


@claim("momentum-sqrt-kappa")
def test_momentum_sqrt_kappa():
    h_min, h_max = QUADRATIC
    kappa = h_max / h_min
    r = math.sqrt(kappa)
    mu, lr = ((r - 1) / (r + 1)) ** 2, 4 / (math.sqrt(h_max) + math.sqrt(h_min)) ** 2
    rate = (r - 1) / (r + 1)
    for h in (h_min, h_max):
        assert spectral_radius(lr * h, mu, "heavy") == pytest.approx(rate)
    fast = first_within(run("momentum", "quadratic", 400, lr=lr, momentum=mu), 1e-6)
    slow = first_within(run("sgd", "quadratic", 400, lr=2 / (h_min + h_max)), 1e-6)
    assert fast < slow / 3
    return [kappa, mu, lr, rate, (kappa - 1) / (kappa + 1), 1e-6, fast, slow]


@claim("momentum-figure-rate")
def test_momentum_figure_rate():
    mu, lr = default("momentum", "momentum"), lr_of("momentum")
    for h in QUADRATIC:
        assert (1 + mu - lr * h) ** 2 < 4 * mu  # complex roots: an under-damped spiral
        assert spectral_radius(lr * h, mu, "heavy") == pytest.approx(math.sqrt(mu))
    return [mu, lr, math.sqrt(mu), 1 - lr * QUADRATIC[0], TOL, first_within(figure_run("momentum", "quadratic")),
            first_within(figure_run("sgd", "quadratic"))]


@claim("momentum-carried-over-ridges")
def test_momentum_carried_over_ridges():
    sgd, mom = figure_run("sgd", "himmelblau"), figure_run("momentum", "himmelblau")
    home = nearest("himmelblau", sgd.points[0])[1]
    assert nearest("himmelblau", sgd.points[-1])[1] is home
    far = nearest("himmelblau", mom.points[-1])[1]
    assert far is not home and nearest("himmelblau", mom.points[-1])[0] <= TOL
    wells = figure_run("momentum", "two_wells")
    assert not nearest("two_wells", wells.points[0])[1].is_global
    deep_d, deep = nearest("two_wells", wells.points[-1])
    assert deep.is_global and deep_d <= TOL
    return [home.x, home.y, far.x, far.y, deep.x, deep.y]


@claim("momentum-rosenbrock")
def test_momentum_rosenbrock():
    t = figure_run("momentum", "rosenbrock")
    assert not diverged(figure_run("adam", "rosenbrock"))
    return [diverged_at(t)]


@claim("momentum-predict-stability")
def test_momentum_predict_stability():
    mu = default("momentum", "momentum")
    h_min, h_max = QUADRATIC
    heavy, plain = stability_limit(mu, "heavy"), stability_limit(mu, "sgd")
    assert heavy == pytest.approx(2 * (1 + mu)) and plain == pytest.approx(2)
    below, above = 0.15, 0.153
    assert first_within(run("momentum", "quadratic", lr=below)) is not None
    assert diverged(run("momentum", "quadratic", lr=above))
    return [h_min, h_max, plain / h_max, mu, heavy, mu, plain, heavy / h_max, below, above]


# ----------------------------------------------------------------------------------------------- Nesterov ---
@claim("nesterov-lookahead")
def test_nesterov_lookahead():
    t, lr = figure_run("nesterov", "quadratic"), lr_of("nesterov")
    mu = default("nesterov", "momentum")
    grad = pycore.SURFACES["quadratic"].grad
    theta, v = t.points[0], (0.0, 0.0)
    worst = 0.0
    for p in t.points[1:]:
        g = grad(*(a + mu * b for a, b in zip(theta, v)))
        v = tuple(mu * b - lr * gi for b, gi in zip(v, g))
        theta = tuple(a + b for a, b in zip(theta, v))
        worst = max(worst, math.dist(p, tuple(a + mu * b for a, b in zip(theta, v))))
    assert worst < 1e-12
    return [t.steps, 1e-12]


@claim("nesterov-damped")
def test_nesterov_damped():
    nes, mom = figure_run("nesterov", "quadratic"), figure_run("momentum", "quadratic")
    assert rises(nes) < rises(mom) and first_within(nes) < first_within(mom)
    return [rises(nes), 100, rises(mom), TOL, first_within(nes), first_within(mom)]


@claim("nesterov-stability-limit")
def test_nesterov_stability_limit():
    mu = default("nesterov", "momentum")
    limit = stability_limit(mu, "nesterov")
    assert limit == pytest.approx(2 * (1 + mu) / (1 + 2 * mu))
    assert limit < stability_limit(mu, "sgd") < stability_limit(mu, "heavy")
    return [limit, mu, stability_limit(mu, "heavy"), stability_limit(mu, "sgd")]


@claim("nesterov-rosenbrock")
def test_nesterov_rosenbrock():
    t = figure_run("nesterov", "himmelblau")
    gap, end = nearest("himmelblau", t.points[-1])
    assert gap <= TOL and end is not nearest("himmelblau", t.points[0])[1]
    return [end.x, end.y, diverged_at(figure_run("nesterov", "rosenbrock"))]


@claim("nesterov-predict-stability")
def test_nesterov_predict_stability():
    mu = default("nesterov", "momentum")
    h_min, h_max = QUADRATIC
    limit = stability_limit(mu, "nesterov")
    below, above = 0.054, 0.0545
    assert below < limit / h_max < above
    assert first_within(run("nesterov", "quadratic", lr=below)) is not None
    assert diverged(run("nesterov", "quadratic", lr=above))
    return [mu, h_min, h_max, stability_limit(mu, "heavy") / h_max, limit, h_max, limit / h_max, below, above,
            2 / h_max]


# ------------------------------------------------------------------------------------------------ AdaGrad ---
FIGURE_SURFACES = ("quadratic", "himmelblau", "rosenbrock", "two_wells", "beale", "rastrigin")


def max_step(traj):
    """The largest move of one coordinate in one step."""
    return max(max(map(abs, u)) for u in traj.updates)


@claim("adagrad-first-step")
def test_adagrad_first_step():
    t, lr = figure_run("adagrad", "quadratic"), lr_of("adagrad")
    assert [abs(u) for u in t.updates[0]] == pytest.approx([lr, lr], rel=1e-9)
    gx, gy = t.grads[0]
    return [lr, abs(gy / gx)]


@claim("adagrad-steady-decay")
def test_adagrad_steady_decay():
    t = pycore.run("adagrad", plane(), start=(0.0, 0.0), steps=100, lr=0.01)
    ratio = t.updates[99][1] / t.updates[0][1]
    assert ratio == pytest.approx(1 / math.sqrt(100), rel=1e-9)
    return [100, ratio, 1]


@claim("adagrad-bounded-steps")
def test_adagrad_bounded_steps():
    lr = lr_of("adagrad")
    for surface in FIGURE_SURFACES:
        t = figure_run("adagrad", surface)
        assert not diverged(t) and max_step(t) <= lr * (1 + 1e-12), surface
    return [len(FIGURE_SURFACES)]


def budget(lr, steps):
    """The farthest a coordinate can move in ``steps`` AdaGrad steps when its gradient never grows."""
    return lr * sum(1 / math.sqrt(t) for t in range(1, steps + 1))


@claim("adagrad-budget")
def test_adagrad_budget():
    t, lr = figure_run("adagrad", "quadratic"), lr_of("adagrad")
    b = budget(lr, t.steps)
    assert b < 2 * lr * math.sqrt(t.steps)
    x0, x1 = t.points[0][0], t.points[-1][0]
    assert abs(x1 - x0) <= b < abs(x0)
    return [b, lr, t.steps, abs(x0), x1, abs(x1 - x0)]


@claim("adagrad-travels-little")
def test_adagrad_travels_little():
    t = figure_run("adagrad", "himmelblau")
    gap = nearest("himmelblau", t.points[-1])[0]
    plateau = [run(k, "plateau", lr=lr_of("adagrad")) for k in ("adagrad", "sgd")]
    moved = [math.dist(p.points[0], p.points[-1]) for p in plateau]
    assert moved[0] > 100 * moved[1]
    return [math.dist(t.points[0], t.points[-1]), t.steps, gap, t.losses[-1], math.hypot(*plateau[0].grads[0]),
            moved[0], plateau[0].steps, moved[1]]


@claim("adagrad-rmsprop-forgets")
def test_adagrad_rmsprop_forgets():
    assert lr_of("rmsprop") == lr_of("adagrad")
    assert first_within(figure_run("adagrad", "quadratic")) is None
    assert first_within(figure_run("rmsprop", "quadratic")) is not None
    return []


@claim("adagrad-convex-bowl")
def test_adagrad_convex_bowl():
    t = figure_run("adagrad", "quadratic")
    assert abs(t.updates[0][0]) == pytest.approx(abs(t.updates[0][1]))
    return [nearest("quadratic", t.points[-1])[0]]


@claim("adagrad-predict-budget")
def test_adagrad_predict_budget():
    lr, enough = 0.05, 0.2
    t = run("adagrad", "quadratic", lr=lr)
    assert budget(lr, t.steps) > abs(t.points[0][0]) and first_within(t) is None
    arrives = first_within(run("adagrad", "quadratic", lr=enough))
    return [lr, budget(lr, t.steps), abs(t.points[0][0]), t.steps, nearest("quadratic", t.points[-1])[0], 0,
            enough, arrives]

def shrinking_steps(key, steps):
    """key's figure run on the quadratic and its |Δx|/lr at the given steps, checked to fall step after step."""
    t = figure_run(key, "quadratic")
    ratios = [abs(t.updates[k - 1][0]) / lr_of(key) for k in steps]
    assert ratios == sorted(ratios, reverse=True)
    return t, ratios


# ------------------------------------------------------------------------------------------------ RMSProp ---
@claim("rmsprop-first-step")
def test_rmsprop_first_step():
    t, lr, alpha = figure_run("rmsprop", "quadratic"), lr_of("rmsprop"), default("rmsprop", "alpha")
    step = [abs(u) for u in t.updates[0]]
    assert step == pytest.approx([lr / math.sqrt(1 - alpha)] * 2, rel=1e-6)
    return [1 / math.sqrt(1 - alpha), alpha, step[0], lr]


@claim("rmsprop-step-settles")
def test_rmsprop_step_settles():
    steps = (1, 10, 100, 300)
    t, ratios = shrinking_steps("rmsprop", steps)
    return [*ratios, *steps]


@claim("rmsprop-forgets-fast")
def test_rmsprop_forgets_fast():
    alpha, (_, beta2) = default("rmsprop", "alpha"), default("adam", "betas")
    rms, adam = first_within(figure_run("rmsprop", "quadratic")), first_within(figure_run("adam", "quadratic"))
    assert rms < adam
    return [1, 1 / (1 - alpha), 1 / (1 - beta2), TOL, rms, adam]


@claim("rmsprop-plateaus-and-walls")
def test_rmsprop_plateaus_and_walls():
    lr = lr_of("rmsprop")
    rms, sgd = run("rmsprop", "plateau", lr=lr), run("sgd", "plateau", lr=lr)
    assert first_within(rms) is not None
    wall = figure_run("rmsprop", "rosenbrock")
    assert not diverged(wall)
    return [math.hypot(*rms.grads[0]), rms.steps, math.dist(sgd.points[0], sgd.points[-1]), wall.losses[-1],
            diverged_at(figure_run("sgd", "rosenbrock"))]


@claim("rmsprop-scale-free")
def test_rmsprop_scale_free():
    t, lr = figure_run("rmsprop", "quadratic"), lr_of("rmsprop")
    scaled = custom_surface("500*(x**2 + 25*y**2)", pycore.SURFACES["quadratic"].bounds)
    big = pycore.run("rmsprop", scaled, start=t.points[0], steps=t.steps, lr=lr)
    shift = max(math.dist(p, q) for p, q in zip(t.points, big.points))
    assert shift < 1e-7
    return [1000, 1e-7]


@claim("rmsprop-predict-alpha")
def test_rmsprop_predict_alpha():
    lr, alpha = lr_of("rmsprop"), 0.9
    t = run("rmsprop", "quadratic", lr=lr, alpha=alpha)
    ratio = abs(t.updates[0][0]) / lr
    assert ratio == pytest.approx(1 / math.sqrt(1 - alpha), rel=1e-6)
    return [10, default("rmsprop", "alpha"), alpha, ratio]


# ----------------------------------------------------------------------------------------------- Adadelta ---
def effective_lr(traj, step, i):
    """|Δθ_i| / |g_i| at ``step`` (1-based): the learning rate the step amounted to along coordinate ``i``."""
    return abs(traj.updates[step - 1][i] / traj.grads[step - 1][i])


@claim("adadelta-first-step")
def test_adadelta_first_step():
    t = figure_run("adadelta", "quadratic")
    eps, rho = default("adadelta", "eps"), default("adadelta", "rho")
    assert [abs(u) for u in t.updates[0]] == pytest.approx([math.sqrt(eps / (1 - rho))] * 2, rel=1e-5)
    return [abs(t.updates[0][0]), *map(abs, t.grads[0])]


@claim("adadelta-slow-start")
def test_adadelta_slow_start():
    t = figure_run("adadelta", "quadratic")
    h = QUADRATIC[0]
    early, late = effective_lr(t, 1, 0), effective_lr(t, 500, 0)
    assert early < late < 0.01 / h
    return [1 / h, h, early, 1, late, 500]


@claim("adadelta-newton-along-x")
def test_adadelta_newton_along_x():
    t = figure_run("adadelta", "quadratic")
    eps = default("adadelta", "eps")
    xs = [p[0] for p in t.points]
    landed = xs.index(0.0)
    assert all(x == 0.0 for x in xs[landed:])
    assert effective_lr(t, landed, 0) == pytest.approx(1.0 / QUADRATIC[0])
    return [math.sqrt(eps), 1, 1, QUADRATIC[0], 0, landed]


@claim("adadelta-edge-of-stability")
def test_adadelta_edge_of_stability():
    t = figure_run("adadelta", "quadratic")
    h = QUADRATIC[1]
    ys = [p[1] for p in t.points[-100:]]
    assert all(a * b < 0 for a, b in zip(ys, ys[1:]))          # period 2: a sign flip at every step
    product = effective_lr(t, t.steps, 1) * h
    assert 2 < product < 2.01
    return [h, 1, 2, t.steps, product, t.points[-1][1]]


@claim("adadelta-amplitude-grows")
def test_adadelta_amplitude_grows():
    t = figure_run("adadelta", "quadratic", 20000)
    h = QUADRATIC[1]
    products = [effective_lr(t, k, 1) * h for k in (1000, 3000, 20000)]
    assert products == sorted(products, reverse=True) and products[-1] > 2
    amplitudes = [abs(t.points[k][1]) for k in (1000, 3000, 20000)]
    assert amplitudes == sorted(amplitudes)
    return [2, h, 2, amplitudes[1], 3000, amplitudes[2], 20000]


@claim("adadelta-figures")
def test_adadelta_figures():
    t = figure_run("adadelta", "himmelblau")
    gaps = [nearest("himmelblau", p)[0] for p in t.points]
    closest = min(range(len(gaps)), key=gaps.__getitem__)
    assert gaps[-1] > 5 * gaps[closest]
    return [gaps[closest], closest, gaps[-1], t.steps]


@claim("adadelta-common-lr")
def test_adadelta_common_lr():
    assert settings.overrides("adadelta", "common") == {} and settings.overrides("adam", "common")
    return []


@claim("adadelta-predict-longer-run")
def test_adadelta_predict_longer_run():
    short, long = figure_run("adadelta", "quadratic"), figure_run("adadelta", "quadratic", 20000)
    assert long.points[-1][0] == 0.0
    return [nearest("quadratic", short.points[-1])[0], short.steps, long.steps,
            nearest("quadratic", long.points[-1])[0], 0]


# --------------------------------------------------------------------------------------------------- Adam ---
def adam_hat(traj, step):
    """(m̂, v̂) after ``step`` of an Adam-family run, from its recorded state."""
    fields = dict(zip(traj.state_fields, traj.states[step - 1]))
    b1, b2 = traj.hyperparams["betas"]
    return ([m / (1 - b1 ** step) for m in fields["exp_avg"]], [v / (1 - b2 ** step) for v in fields["exp_avg_sq"]])


def angle(u, v):
    """The angle between 2-D vectors u and v, in degrees."""
    return math.degrees(math.acos((u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v))))


@claim("adam-memories")
def test_adam_memories():
    b1, b2 = default("adam", "betas")
    t = figure_run("adam", "quadratic")
    # After n steps an average has forgotten all but β^n of its start: e^-1 after about 1/(1-β) steps.
    assert b1 ** round(1 / (1 - b1)) == pytest.approx(math.exp(-1), rel=0.1)
    assert b2 ** round(1 / (1 - b2)) == pytest.approx(math.exp(-1), rel=0.01)
    assert t.hyperparams["betas"] == (b1, b2)
    return [1 / (1 - b1), 1 / (1 - b2)]


@claim("adam-first-step")
def test_adam_first_step():
    t, lr = figure_run("adam", "quadratic"), lr_of("adam")
    assert [abs(u) for u in t.updates[0]] == pytest.approx([lr, lr], rel=1e-6)
    scaled = custom_surface("500*(x**2 + 25*y**2)", pycore.SURFACES["quadratic"].bounds)
    big = pycore.run("adam", scaled, start=t.points[0], steps=t.steps, lr=lr)
    shift = max(math.dist(p, q) for p, q in zip(t.points, big.points))
    assert shift < 1e-8
    g = t.grads[0]
    return [abs(t.updates[0][0]), lr, angle(t.updates[0], (-g[0], -g[1])), 1000, 1e-8]


@claim("adam-step-shrinks")
def test_adam_step_shrinks():
    steps = (1, 100, 300, 500)
    t, ratios = shrinking_steps("adam", steps)
    m_hat, v_hat = adam_hat(t, 300)
    g = t.grads[299][0]
    assert abs(m_hat[0]) == pytest.approx(abs(g), rel=0.1) and math.sqrt(v_hat[0]) > 2 * abs(g)
    rms = math.sqrt(sum(gr[0] ** 2 for gr in t.grads[:300]) / 300)
    assert math.sqrt(v_hat[0]) == pytest.approx(rms, rel=0.05)
    return [*ratios, *steps, 300, abs(g), math.sqrt(v_hat[0])]


@claim("adam-bias-correction")
def test_adam_bias_correction():
    t, lr = figure_run("adam", "quadratic"), lr_of("adam")
    b1, b2 = t.hyperparams["betas"]
    fields = dict(zip(t.state_fields, t.states[0]))
    m1, v1 = fields["exp_avg"][0], fields["exp_avg_sq"][0]
    raw, half = abs(m1) / math.sqrt(v1), abs(m1 / (1 - b1)) / math.sqrt(v1)
    assert raw == pytest.approx((1 - b1) / math.sqrt(1 - b2)) and half == pytest.approx(1 / math.sqrt(1 - b2))
    alpha = default("rmsprop", "alpha")
    return [raw, half, raw, half, abs(t.updates[0][0]) / lr, 1 / math.sqrt(1 - alpha)]


@claim("adam-arrival")
def test_adam_arrival():
    t, lr = figure_run("adam", "quadratic"), lr_of("adam")
    return [abs(t.points[0][0]) / lr, TOL, first_within(t)]


@claim("adam-rosenbrock")
def test_adam_rosenbrock():
    t = figure_run("adam", "rosenbrock")
    assert not diverged(t) and max_step(t) <= lr_of("adam") * (1 + 1e-9)
    return list(t.grads[0])


@claim("adam-predict-arrival")
def test_adam_predict_arrival():
    t, lr = figure_run("adam", "quadratic"), lr_of("adam")
    b2 = 0.99
    short = run("adam", "quadratic", lr=lr, betas=(default("adam", "betas")[0], b2))
    assert first_within(short) < first_within(t)
    return [lr, t.points[0][0], TOL, abs(t.points[0][0]) / lr, first_within(t), TOL, b2, 1 / (1 - b2),
            first_within(short)]


# -------------------------------------------------------------------------------------------------- AdamW ---
@claim("adamw-default-decay")
def test_adamw_default_decay():
    wd = default("adamw", "weight_decay")
    t = figure_run("adamw", "quadratic")
    assert t.hyperparams["weight_decay"] == wd > default("adam", "weight_decay") == 0
    return [wd, default("adam", "weight_decay")]


@claim("adamw-held-off")
def test_adamw_held_off():
    t, lr = figure_run("adamw", "himmelblau"), lr_of("adamw")
    wd = t.hyperparams["weight_decay"]
    k = t.steps
    m_hat, v_hat = adam_hat(t, k)
    adam_part = abs(m_hat[0]) / (math.sqrt(v_hat[0]) + t.hyperparams["eps"])
    decay = wd * abs(t.points[k - 1][0])
    assert adam_part == pytest.approx(decay, rel=0.1)
    return [k, abs(t.grads[k - 1][0]), math.sqrt(v_hat[0]), adam_part, decay, nearest("himmelblau", t.points[k])[0]]


@claim("adamw-transient")
def test_adamw_transient():
    t = figure_run("adamw", "himmelblau", 20000)
    b2 = default("adamw", "betas")[1]
    gaps = [nearest("himmelblau", t.points[k])[0] for k in (1000, 5000, 20000)]
    assert gaps == sorted(gaps, reverse=True)
    return [b2, math.log(2) / -math.log(b2), gaps[1], 5000, gaps[2], 20000]


@claim("adamw-l2-versus-decoupled")
def test_adamw_l2_versus_decoupled():
    surface, start, lr, steps = custom_surface("10*y", ((-10.0, 10.0), (-10.0, 10.0))), (1.0, 1.0), 0.01, 100

    def end(key, wd):
        return pycore.run(key, surface, start=start, steps=steps, lr=lr, weight_decay=wd).points[-1]

    base = end("adam", 0.0)
    (x_strong, y_l2), (x_weak, _), (x_w, y_w) = end("adam", 0.1), end("adam", 0.01), end("adamw", 0.1)
    assert x_strong == pytest.approx(x_weak, abs=1e-5)
    assert abs(y_l2 - base[1]) * 10 < abs(y_w - base[1])
    return [*start, lr, steps, x_strong, 0.1, 0.01, 10, 0.1, abs(y_l2 - base[1]), 0.1, x_w, abs(y_w - base[1])]


@claim("adamw-origin-costs-nothing")
def test_adamw_origin_costs_nothing():
    adamw, adam = first_within(figure_run("adamw", "quadratic")), first_within(figure_run("adam", "quadratic"))
    far = [nearest("himmelblau", figure_run(k, "himmelblau").points[-1])[0] for k in ("adamw", "adam")]
    assert adamw <= adam and far[0] > 10 * far[1]
    return [TOL, adamw, adam]


@claim("adamw-predict-transient")
def test_adamw_predict_transient():
    short, long = figure_run("adamw", "himmelblau"), figure_run("adamw", "himmelblau", 20000)
    return [nearest("himmelblau", short.points[-1])[0], short.steps, long.steps,
            nearest("himmelblau", long.points[-1])[0]]


# -------------------------------------------------------------------------------------------------- NAdam ---
def nadam_mu(t, psi=default("nadam", "momentum_decay"), beta1=default("nadam", "betas")[0]):
    """Dozat's momentum schedule μ_t as torch.optim.NAdam computes it."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def recorded_mu(traj, t):
    """μ_t from pycore's ``mu_product`` state (the running product of the μ's)."""
    prod = dict(zip(traj.state_fields, traj.states[t - 1]))["mu_product"]
    before = 1.0 if t == 1 else dict(zip(traj.state_fields, traj.states[t - 2]))["mu_product"]
    return prod / before


def y_crossings(traj):
    ys = [p[1] for p in traj.points]
    return sum(a * b < 0 for a, b in zip(ys, ys[1:]))


@claim("nadam-mu-schedule")
def test_nadam_mu_schedule():
    psi, beta1 = default("nadam", "momentum_decay"), default("nadam", "betas")[0]
    t = figure_run("nadam", "quadratic")
    # The run's own μ's, while their running product (mu_product) is still far from underflowing.
    assert [recorded_mu(t, k) for k in range(1, 101)] == pytest.approx([nadam_mu(k) for k in range(1, 101)])
    steps = (1, 1000, 10000)
    mus = [nadam_mu(k) for k in steps]
    return [psi, mus[0], 1, mus[1], 1000, mus[2], 10000, STEPS, 1 - mus[1], 1 - beta1, beta1]


@claim("nadam-less-overshoot")
def test_nadam_less_overshoot():
    nadam, adam = y_crossings(figure_run("nadam", "quadratic")), y_crossings(figure_run("adam", "quadratic"))
    assert nadam < adam
    return [0, nadam, adam]


@claim("nadam-warm-up-unfinished")
def test_nadam_warm_up_unfinished():
    assert nadam_mu(STEPS) < 0.6 * default("nadam", "betas")[0]
    return [TOL, first_within(figure_run("nadam", "quadratic")), first_within(figure_run("adam", "quadratic"))]


@claim("nadam-default-lr")
def test_nadam_default_lr():
    nadam, adam = default("nadam", "lr"), default("adam", "lr")
    assert nadam > adam
    return [nadam, adam]


@claim("nadam-rosenbrock")
def test_nadam_rosenbrock():
    t = figure_run("nadam", "rosenbrock")
    assert not diverged(t)
    return [max_step(t) / lr_of("nadam")]


@claim("nadam-predict-mu")
def test_nadam_predict_mu():
    psi, target = default("nadam", "momentum_decay"), 0.8
    first = next(t for t in range(1, 100000) if nadam_mu(t) >= target)
    faster = next(t for t in range(1, 100000) if nadam_mu(t, psi=10 * psi) >= target)
    return [psi, target, first, first / STEPS, 10 * psi, first / faster, faster]


# -------------------------------------------------------------------------------------------------- RAdam ---
def radam_rho(t, beta2=default("radam", "betas")[1]):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)


def rectifier(t, beta2=default("radam", "betas")[1]):
    rho_inf, rho = 2 / (1 - beta2) - 1, radam_rho(t, beta2)
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


@claim("radam-switch")
def test_radam_switch():
    beta2 = default("radam", "betas")[1]
    switch = next(t for t in range(1, 100) if radam_rho(t) > 5)
    t, lr = figure_run("radam", "quadratic"), lr_of("radam")
    for k in range(1, switch):   # unnormalised: exactly -η m̂
        m_hat, _ = adam_hat(t, k)
        assert t.updates[k - 1] == pytest.approx(tuple(-lr * m for m in m_hat), rel=1e-12)
    assert t.updates[0] == pytest.approx(tuple(-lr * g for g in t.grads[0]), rel=1e-12)
    m_hat, _ = adam_hat(t, switch)
    assert t.updates[switch - 1][0] != pytest.approx(-lr * m_hat[0], rel=1e-3)
    return [beta2, radam_rho(5), radam_rho(6), 1, switch - 1, switch, 1, switch]


@claim("radam-steep-start")
def test_radam_steep_start():
    t, lr = figure_run("radam", "rosenbrock"), lr_of("radam")
    start = (-3.0, 3.0)
    beale = run("radam", "beale", start=start, lr=lr)
    g = math.hypot(*pycore.SURFACES["beale"].grad(*start))
    assert diverged_at(beale) == 1
    return [*t.grads[0], abs(t.updates[0][0]), math.hypot(*t.updates[1]), diverged_at(t), *start, g, lr * g]


@claim("radam-rectifier")
def test_radam_rectifier():
    t, lr = figure_run("radam", "quadratic"), lr_of("radam")
    for k in (6, 100):   # the recorded step is Adam's (torch's RAdam form) times r_t
        m_hat, _ = adam_hat(t, k)
        v = dict(zip(t.state_fields, t.states[k - 1]))["exp_avg_sq"][0]
        b2 = t.hyperparams["betas"][1]
        adam_like = lr * m_hat[0] * math.sqrt(1 - b2 ** k) / (math.sqrt(v) + t.hyperparams["eps"])
        assert -t.updates[k - 1][0] == pytest.approx(adam_like * rectifier(k), rel=1e-9)
    return [rectifier(6), 6, rectifier(100), 100, rectifier(1000), 1000]


@claim("radam-narrower-than-adam")
def test_radam_narrower_than_adam():
    assert diverged(figure_run("radam", "rosenbrock")) and not diverged(figure_run("adam", "rosenbrock"))
    return [lr_of("radam")]


@claim("radam-predict-first-adaptive-step")
def test_radam_predict_first_adaptive_step():
    radam, adam = figure_run("radam", "quadratic"), figure_run("adam", "quadratic")
    ratio = radam.updates[5][0] / adam.updates[5][0]
    assert ratio == pytest.approx(rectifier(6), rel=0.05)
    return [6, rectifier(6), 6, abs(adam.updates[5][0]), abs(radam.updates[5][0]), 1000, rectifier(1000)]


# ------------------------------------------------------------------------------------------------- Adamax ---
@claim("adamax-bound")
def test_adamax_bound():
    b1, b2 = default("adamax", "betas")
    bound = max((1 - b1) * (1 - (b1 / b2) ** t) / ((1 - b1 / b2) * (1 - b1 ** t)) for t in range(1, 20000))
    assert bound == pytest.approx((1 - b1) / (1 - b1 / b2), rel=1e-9)
    lr = lr_of("adamax")
    worst = max(max_step(figure_run("adamax", s)) for s in FIGURE_SURFACES) / lr
    assert 1 < worst <= bound
    return [bound, bound, len(FIGURE_SURFACES), worst]


@claim("adamax-long-memory")
def test_adamax_long_memory():
    t, lr = figure_run("adamax", "rosenbrock"), lr_of("adamax")
    u = dict(zip(t.state_fields, t.states[499]))["exp_inf"][0]
    b2 = t.hyperparams["betas"][1]
    assert u == pytest.approx(abs(t.grads[0][0]) * b2 ** 499, rel=1e-6)   # still the first gradient, decayed
    return [abs(t.grads[0][0]), 500, u, abs(t.grads[499][0]), abs(t.updates[499][0]) / lr]


@claim("adamax-figures")
def test_adamax_figures():
    assert not any(diverged(figure_run("adamax", s)) for s in FIGURE_SURFACES)
    return [TOL, first_within(figure_run("adamax", "quadratic")), first_within(figure_run("adam", "quadratic"))]


@claim("adamax-predict-halving")
def test_adamax_predict_halving():
    t = figure_run("adamax", "quadratic")
    b2 = t.hyperparams["betas"][1]
    half = round(math.log(0.5) / math.log(b2))
    u = [dict(zip(t.state_fields, s))["exp_inf"][1] for s in t.states]
    g0 = abs(t.grads[0][1])
    assert u[half] == pytest.approx(g0 / 2, rel=1e-3)
    return [g0, 0.5, g0, half, b2, b2 ** half]


# --------------------------------------------------------------------------------------------------- Lion ---
@claim("lion-sign-steps")
def test_lion_sign_steps():
    t, lr = figure_run("lion", "quadratic"), lr_of("lion")
    assert all(abs(c) == pytest.approx(lr, rel=1e-9) for u in t.updates for c in u)
    b2 = default("lion", "betas")[1]
    return [lr, b2, 1 / (1 - b2)]


@claim("lion-weight-decay")
def test_lion_weight_decay():
    flat = custom_surface("0*x + 0*y", ((-2.0, 2.0), (-2.0, 2.0)))
    start, lr, wd, steps = (1.0, 1.0), 0.01, 0.1, 100
    plain = pycore.run("lion", flat, start=start, steps=steps, lr=lr, weight_decay=wd).points[-1][0]
    flag = pycore.run("lion", flat, start=start, steps=steps, lr=lr, weight_decay=wd,
                      decoupled_weight_decay=True).points[-1][0]
    assert plain == pytest.approx((1 - lr * wd) ** steps) and flag == pytest.approx((1 - wd) ** steps)
    return [*start, lr, wd, steps, plain, flag]


@claim("lion-magnitude-ignored")
def test_lion_magnitude_ignored():
    t = figure_run("lion", "quadratic")
    b1 = t.hyperparams["betas"][0]
    m_prev = (0.0, 0.0)
    for g, u, (m,) in zip(t.grads, t.updates, t.states):
        if all(a * b > 0 for a, b in zip(m_prev, g)):   # momentum agrees with the gradient
            assert angle(u, (-g[0], -g[1])) <= 45 + 1e-9
        c = [b1 * a + (1 - b1) * b for a, b in zip(m_prev, g)]
        assert all(ui == pytest.approx(-math.copysign(lr_of("lion"), ci)) for ui, ci in zip(u, c) if ci)
        m_prev = m
    assert not diverged(figure_run("lion", "rosenbrock"))
    return [45, diverged_at(figure_run("sgd", "rosenbrock"))]


def settled_from(traj, radius):
    """The first index from which every point stays within ``radius`` of the minimum in every coordinate."""
    far = [i for i, p in enumerate(traj.points) if max(map(abs, p)) > radius * (1 + 1e-9)]
    return far[-1] + 1


@claim("lion-overshoot")
def test_lion_overshoot():
    t, lr = figure_run("lion", "quadratic"), lr_of("lion")
    hit = first_within(t)
    xs = [p[0] for p in t.points]
    peak = max(range(hit, len(xs)), key=xs.__getitem__)
    back = min(xs[peak:])
    return [TOL, hit, xs[peak], (xs[peak] - xs[hit]) / lr, back, settled_from(t, lr)]


@claim("lion-smaller-lr")
def test_lion_smaller_lr():
    lr = lr_of("lion")
    assert lr_of("adam") == lr

    def median_step(key):
        steps = sorted(math.hypot(*u) for u in figure_run(key, "quadratic").updates)
        return steps[len(steps) // 2] / lr

    adam, lion = median_step("adam"), median_step("lion")
    assert lion == pytest.approx(math.sqrt(2))
    return [1, lr, adam, lion, lion / adam]


@claim("lion-default-lr")
def test_lion_default_lr():
    t = pycore.run("lion", "quadratic", steps=STEPS)
    assert math.dist(t.points[0], t.points[-1]) < 0.2 * math.dist(t.points[0], (0, 0))
    return [default("lion", "lr"), lr_of("lion")]


@claim("lion-predict-overshoot")
def test_lion_predict_overshoot():
    t, lr = figure_run("lion", "quadratic"), lr_of("lion")
    hit = first_within(t)
    later = 81
    m = [s[0][0] for s in t.states]
    flip = next(k for k in range(hit, t.steps) if t.updates[k][0] < 0) + 1   # the first step back
    assert all(v < 0 for v in m[:flip - 1])
    return [hit, lr, later, t.points[hit + later][0], hit, flip - 1]
