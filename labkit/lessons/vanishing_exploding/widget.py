"""Lesson 08's widget: a deep MLP whose depth, activation, initialization, residual connections,
batch normalization, gradient clipping and learning rate you choose. It shows the gradient
reaching every hidden layer (log scale) and a short training run, and says in words whether the
gradient vanishes, explodes, the run diverges, or all is healthy.

Small on purpose, so a redraw stays under ~100 ms: width 16, at most 20 hidden layers, a few
dozen full-batch steps on 64 points of the two moons.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from ...core.i18n import N_, _
from ...core.losses import CrossEntropyLoss
from ...core.optim import SGD
from ...core.train import History, TrainingDiverged, fit
from ...datasets import make_moons
from ...diagnostics import GradientProfile, gradient_profile
from ...plot.base import SMALL_PT
from ...plot.diagnostics import _decade_label
from ...widgets.base import Lab, Status, log_slider, round_values
from .compute import MLPSettings

try:  # the Lab's figure view redraws only the lines marked as moving (blitting)
    from ...widgets.base import animate
except ImportError:  # an older Lab draws the whole figure every time
    def animate(*artists) -> None:
        return None

# first/last gradient ratios: below VANISHING or above EXPLODING is a problem; between those and
# the healthy band [SHRINKING, GROWING] a mild one
VANISHING, SHRINKING, GROWING, EXPLODING = 1e-3, 0.03, 30.0, 1e3
# fixed axes, so that settings compare at a glance and a redraw only moves the lines
GRADIENT_RANGE, LOSS_RANGE, MAX_DEPTH = (1e-24, 1e12), (1e-4, 1e6), 20
CHANCE = math.log(2.0)             # the loss of guessing between two classes
ACTIVATION_OPTIONS = [("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu"),
                      ("leaky ReLU", "leaky_relu")]
INIT_OPTIONS = [(N_("default (PyTorch)"), "default"), ("Xavier", "xavier"), ("He", "he")]
SCALES = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0]   # the "init ×" stops
CLIP_OPTIONS = [(N_("off"), 0.0), ("10", 10.0), ("1", 1.0), ("0.1", 0.1)]


@dataclass(frozen=True)
class RunResult:
    """What one setting gave: the gradient profile at the start and the short training run."""

    profile: GradientProfile
    history: History
    diverged_at: int | None
    clipped_steps: int
    clip: float


def run_setting(settings: MLPSettings, X: np.ndarray, y: np.ndarray, *, lr: float,
                clip: float = 0.0, steps: int = 30, seed: int = 0) -> RunResult:
    """Builds the net, measures its gradient profile, then trains it for ``steps`` full-batch
    steps of SGD (momentum 0.9) with clipping at ``clip`` (0: off)."""
    net = settings.build(rng=seed)
    loss_fn = CrossEntropyLoss()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        profile = gradient_profile(net, X, y, loss_fn)
        optimizer = SGD(net.parameters(), lr=lr, momentum=0.9)
        diverged_at = None
        try:
            history = fit(net, loss_fn, optimizer, X, y, epochs=steps, shuffle=False,
                          clip_norm=clip or None)
        except TrainingDiverged as exc:
            history, diverged_at = exc.history, exc.step
    clipped = 0
    if clip:
        totals = np.sqrt(np.sum([np.square(v) for v in history.grad_norms.values()], axis=0))
        clipped = int(np.sum(totals > clip))
    return RunResult(profile, history, diverged_at, clipped, clip)


def _times(x: float) -> str:
    """0.46 -> "0.46", 3.2e-12 -> "3e-12": plain for ordinary sizes, powers of ten otherwise."""
    if 10 <= x < 1000:
        return f"{x:.0f}"
    if 0.01 <= x < 10:
        return f"{x:.2g}"
    return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e+")


def _training_words(h: History) -> tuple[str, str]:
    """("the loss goes from a to b in n steps", advice or "")."""
    start, end = h.loss[0], float(np.mean(h.loss[-3:]))
    words = _("the loss goes from {start:.3g} to {end:.3g} in {n} steps").format(
        start=start, end=end, n=len(h.loss))
    if end > 1.05 * start:
        return words, _(" The loss rises: try a smaller learning rate.")
    if end > 0.95 * start and end > 0.9 * CHANCE:
        return words, _(" The loss hardly moves.")
    return words, ""


def describe(result: RunResult) -> Status:
    """The setting's outcome in words: diverged, vanishing, shrinking, healthy, growing or
    exploding (from the first/last gradient ratio at the start), and what training did."""
    p, h = result.profile, result.history
    depth = p.signal.size
    ratio = p.ratio() if depth >= 2 else 1.0
    finite = math.isfinite(ratio) and ratio > 0
    if finite:
        per_layer = ratio ** (1.0 / (depth - 1)) if depth >= 2 else 1.0
        flow = _("the first hidden layer receives {ratio} times the gradient of the last "
                 "(×{per_layer:.2f} per layer on the way back)").format(ratio=_times(ratio),
                                                                       per_layer=per_layer)
    else:
        flow = _("the gradient overflows already at the start")
    clip = ""
    if result.clip:
        clip = _(" Clipping at {clip:g} shortened {clipped} of {n} steps.").format(
            clip=result.clip, clipped=result.clipped_steps, n=len(h.loss))
    if result.diverged_at is not None:
        return Status(_("Diverged at step {step}: the loss or a gradient became NaN or "
                        "infinite (lk.TrainingDiverged). At the start {flow}. Try gradient "
                        "clipping, a smaller learning rate or a smaller init scale.{clip}"
                        ).format(step=result.diverged_at, flow=flow, clip=clip), "warning")
    trained, advice = _training_words(h)
    words = dict(flow=flow, trained=trained, advice=advice, clip=clip)
    if not finite or ratio > EXPLODING:
        return Status(_("Exploding: {flow}; {trained}.{advice}{clip}").format(**words),
                      "warning")
    if ratio < VANISHING:
        return Status(_("Vanishing: {flow}, so the early layers hardly learn; {trained}."
                        "{advice}{clip}").format(**words), "warning")
    if ratio < SHRINKING:
        return Status(_("Shrinking: {flow}, a mild case of vanishing (add layers and it "
                        "vanishes); {trained}.{advice}{clip}").format(**words), "info")
    if ratio > GROWING:
        return Status(_("Growing: {flow}, a mild case of exploding; {trained}.{advice}{clip}"
                        ).format(**words), "info")
    return Status(_("Healthy: {flow}; {trained}.{advice}{clip}").format(**words), "info")


def _check_choice(name: str, value, options) -> None:
    allowed = [v for _, v in options]
    if value not in allowed:
        raise ValueError(f"vanishing_lab: {name} must be one of {allowed}, got {value!r}")


def _check_range(name: str, value, low: float, high: float, integer: bool = False) -> None:
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "an int" if integer else "a number"
        raise ValueError(f"vanishing_lab: {name} must be {kind} in [{low:g}, {high:g}], "
                         f"got {value!r}")


class VanishingLab(Lab):
    """The widget of ``vanishing_lab``; ``result`` is the RunResult of the last redraw."""

    def __init__(self, depth: int, activation: str, init: str, scale: float, residual: bool,
                 batch_norm: bool, clip: float, lr: float, *, width: int, steps: int,
                 n_samples: int, seed: int) -> None:
        controls = {
            "depth": W.IntSlider(value=depth, min=2, max=MAX_DEPTH,
                                 description=_("hidden layers")),
            "activation": W.Dropdown(options=ACTIVATION_OPTIONS, value=activation,
                                     description=_("activation")),
            "init": W.Dropdown(options=[(_(label), v) for label, v in INIT_OPTIONS], value=init,
                               description=_("init")),
            "scale": log_slider(scale, SCALES, _("init ×")),
            "residual": W.Checkbox(value=residual, description=_("residual x + F(x)")),
            "batch_norm": W.Checkbox(value=batch_norm, description=_("batch norm")),
            "clip": W.Dropdown(options=[(_(label), v) for label, v in CLIP_OPTIONS], value=clip,
                               description=_("clip norm")),
            "lr": log_slider(lr, round_values(1e-3, 1), _("learning rate")),
        }
        self.width, self.steps, self.seed = width, steps, seed
        self.X, self.y = make_moons(n_samples, noise=0.1, rng=seed)
        self.result: RunResult | None = None
        self._runs: OrderedDict[tuple, RunResult] = OrderedDict()   # the last settings' runs
        self._previous: tuple[np.ndarray, np.ndarray] | None = None
        self._art: dict = {}
        super().__init__(_("vanishing and exploding gradients"), controls, self._draw_setting,
                         figsize=(9.0, 3.3), setup=self._setup, columns=4)

    def settings(self, values: dict | None = None) -> MLPSettings:
        """The MLPSettings of the current (or the given) control values."""
        v = self.values if values is None else values
        return MLPSettings(depth=v["depth"], width=self.width, activation=v["activation"],
                           init=v["init"], scale=float(v["scale"]), residual=v["residual"],
                           batch_norm=v["batch_norm"])

    def _setup(self, fig) -> None:
        # fixed limits and plain-text tick labels ("1e-12") without minor ticks: the axes are
        # drawn once, and a redraw moves only the lines (matplotlib's default mathtext labels
        # would cost more to draw than everything else)
        from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

        art = self._art
        ax_g, ax_l = fig.subplots(1, 2)
        art["prev"], = ax_g.plot([], [], "--", color="0.6", lw=1.2, label=_("previous"))
        art["grad"], = ax_g.plot([], [], "o-", color="#1f77b4", ms=3, lw=1.6, label=_("now"))
        art["loss"], = ax_l.plot([], [], color="#2ca02c", lw=1.6)
        art["cross"], = ax_l.plot([], [], "x", color="#b91c1c", ms=9, mew=2)
        art["chance"] = ax_l.axhline(CHANCE, color="0.5", ls=":", lw=1.0)
        ax_l.text(1.0, CHANCE, " ln 2", fontsize=SMALL_PT, color="0.4", va="bottom")
        for ax, (lo, hi), every in ((ax_g, GRADIENT_RANGE, 6), (ax_l, LOSS_RANGE, 2)):
            ax.set_yscale("log")
            ax.set_ylim(lo, hi)
            decades = range(round(math.log10(lo)), round(math.log10(hi)) + 1, every)
            ax.yaxis.set_major_locator(FixedLocator([10.0 ** k for k in decades]))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.grid(True, axis="y", alpha=0.3)
        ax_g.set_xlim(0.5, MAX_DEPTH + 0.5)
        ax_g.set_xlabel(_("hidden layer (1 = input side)"))
        ax_g.set_ylabel("||dL/da||")
        ax_g.set_title(_("gradient reaching each layer"), fontsize=9)
        ax_g.legend(loc="lower right", fontsize=SMALL_PT)
        ax_l.set_xlim(0.5, self.steps + 0.5)
        ax_l.set_xlabel(_("training step"))
        ax_l.set_ylabel(_("loss L"))
        ax_l.set_title(_("training loss"), fontsize=9)
        # the ln 2 line moves with them only to stay drawn on top of the loss curve
        animate(art["prev"], art["grad"], art["loss"], art["cross"], art["chance"])
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.88, wspace=0.3)

    def _draw_setting(self, fig, v: dict) -> Status:
        art = self._art
        # a setting seen again (a checkbox toggled back, say) is not trained again
        key = tuple(sorted(v.items()))
        result = self._runs.pop(key, None) or run_setting(
            self.settings(v), self.X, self.y, lr=float(v["lr"]), clip=float(v["clip"]),
            steps=self.steps, seed=self.seed)
        self._runs[key] = result
        if len(self._runs) > 32:
            self._runs.popitem(last=False)
        self.result = result
        # values beyond the fixed axes are drawn on its edge (the line leaves through it)
        signal = result.profile.signal
        layers = np.arange(1, signal.size + 1)
        shown = np.where(np.isfinite(signal) & (signal > 0), signal, np.nan)
        shown = np.clip(shown, *GRADIENT_RANGE)
        prev = self._previous
        art["prev"].set_data(*(prev if prev is not None else ([], [])))
        art["grad"].set_data(layers, shown)
        self._previous = (layers, shown)

        losses = np.asarray(result.history.loss, dtype=np.float64)
        ok = np.isfinite(losses) & (losses > 0)
        clipped = np.clip(losses, *LOSS_RANGE)
        art["loss"].set_data(np.arange(1, losses.size + 1)[ok], clipped[ok])
        if result.diverged_at is not None and ok.any():
            last = int(np.flatnonzero(ok)[-1])
            art["cross"].set_data([last + 1], [clipped[last]])
        else:
            art["cross"].set_data([], [])
        return describe(result)


def vanishing_lab(depth: int = 12, activation: str = "sigmoid", init: str = "default",
                  scale: float = 1.0, residual: bool = False, batch_norm: bool = False,
                  clip: float = 0.0, lr: float = 0.05, *, width: int = 16, steps: int = 30,
                  n_samples: int = 64, seed: int = 0) -> VanishingLab:
    """The widget: a deep MLP of ``depth`` hidden layers of ``width`` units, its gradient per
    hidden layer (the previous setting in grey for comparison) and the loss of ``steps``
    full-batch steps of SGD with momentum on ``n_samples`` points of the two moons; the status
    line says in words what happens. ``clip`` 0 means no clipping.

    activation: "sigmoid", "tanh", "relu", "leaky_relu"; init: "default", "xavier", "he";
    scale: 0.25 .. 4 (multiplies the initial weights); clip: 0, 10, 1 or 0.1; lr: 0.001 .. 1.
    """
    _check_range("depth", depth, 2, MAX_DEPTH, integer=True)
    _check_choice("activation", activation, ACTIVATION_OPTIONS)
    _check_choice("init", init, INIT_OPTIONS)
    _check_range("scale", scale, 0.25, 4.0)
    _check_choice("clip", clip, CLIP_OPTIONS)
    _check_range("lr", lr, 1e-3, 1.0)
    _check_range("width", width, 2, 64, integer=True)
    _check_range("steps", steps, 2, 200, integer=True)
    _check_range("n_samples", n_samples, 8, 1000, integer=True)
    return VanishingLab(depth, activation, init, scale, bool(residual), bool(batch_norm),
                        clip, lr, width=width, steps=steps, n_samples=n_samples, seed=seed)
