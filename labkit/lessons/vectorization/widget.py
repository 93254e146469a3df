"""Full-batch, mini-batch and stochastic descent side by side: choose the batch size, the
learning rate and the number of epochs; watch the loss curve and the decision boundary.

The network and the data are small on purpose (a 2-8-2 tanh network, 32 points of XOR by
default) so that training fits in a live redraw. Training is cached per (batch size, learning rate):
moving the epochs slider continues or rewinds a run instead of starting again, and every
setting starts from the same initial weights, so what differs is only what you changed.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from ...core.i18n import _, ngettext
from ...core.layers import Linear, Sequential, Tanh
from ...core.losses import CrossEntropyLoss
from ...core.metrics import accuracy
from ...core.optim import SGD
from ...core.train import TrainingDiverged, fit
from ...datasets import make_circles, make_moons, make_xor
from ...plot.base import SMALL_PT
from ...plot.boundary import DecisionBoundary
from ...widgets.base import Lab, Status, animate, log_slider, on_top, round_values


def _updates(n: int) -> str:
    return ngettext("{n} update", "{n} updates", n).format(n=n)


def _epochs(n: int) -> str:
    return ngettext("{n} epoch", "{n} epochs", n).format(n=n)


def small_net(seed: int = 0, hidden: int = 8) -> Sequential:
    """The widget's network, 2 -> hidden -> 2 with tanh, initialized from ``seed``."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, hidden, rng=rng), Tanh(), Linear(hidden, 2, rng=rng))


class BatchRun:
    """One training run (fixed batch size and learning rate) that can be extended epoch by
    epoch and read back at any epoch already trained.

    step_loss:    the loss of every update, on its own batch
    epoch_loss:   the loss on all the data before training and after each epoch
    diverged:     the lk.TrainingDiverged raised (None while the run is healthy)
    """

    def __init__(self, X, y, batch_size: int, lr: float, seed: int = 0) -> None:
        self.X, self.y, self.batch_size = X, y, batch_size
        self.net = small_net(seed)
        self.loss_fn = CrossEntropyLoss()
        self.optimizer = SGD(self.net.parameters(), lr=lr)
        self.shuffle_rng = np.random.default_rng(seed + 1)
        self.step_loss: list[float] = []
        self.epoch_loss = [self._full_loss()]
        self.snapshots = [self._snapshot()]
        self.diverged: TrainingDiverged | None = None

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    @property
    def epochs_done(self) -> int:
        return len(self.snapshots) - 1

    def _full_loss(self) -> float:
        return self.loss_fn(self.net(self.X), self.y)

    def _snapshot(self) -> list[np.ndarray]:
        return [p.data.copy() for p in self.net.parameters()]

    def train_to(self, epochs: int) -> None:
        """Trains (one ``lk.fit`` epoch at a time) until ``epochs`` are done or it diverges."""
        while self.epochs_done < epochs and self.diverged is None:
            try:
                history = fit(self.net, self.loss_fn, self.optimizer, self.X, self.y, epochs=1,
                              batch_size=self.batch_size, rng=self.shuffle_rng)
            except TrainingDiverged as exc:
                self.step_loss.extend(exc.history.loss)
                self.diverged = exc
                return
            self.step_loss.extend(history.loss)
            self.epoch_loss.append(self._full_loss())
            self.snapshots.append(self._snapshot())

    def net_at(self, epoch: int, into: Sequential) -> Sequential:
        """``into`` (a net of the same shape) with the weights after ``epoch`` epochs."""
        for p, data in zip(into.parameters(), self.snapshots[epoch]):
            p.data[...] = data
        return into


DATA = {"xor": lambda n, rng: make_xor(n, noise=0.3, rng=rng),
        "moons": lambda n, rng: make_moons(n, noise=0.15, rng=rng),
        "circles": lambda n, rng: make_circles(n, noise=0.08, factor=0.4, rng=rng)}


def batches_lab(batch_size: int = 4, lr: float = 0.3, epochs: int = 8, *, data: str = "xor",
                n: int = 32, seed: int = 0, max_epochs: int = 12) -> Lab:
    """Batch size (1 = stochastic, all points = full batch), learning rate and epochs of plain
    SGD (``lk.fit``) on a small toy set (``data``: xor, moons or circles): the loss curve (each
    update's batch loss and the loss on all points after each epoch) and the decision
    boundary, with a status in words. Keep ``n * max_epochs`` small: batch size 1 makes that
    many updates, and each redraw should stay near 100 ms."""
    if data not in DATA:
        raise ValueError(f"batches_lab: unknown data {data!r}; choose one of {sorted(DATA)}")
    X, y = DATA[data](n, seed)
    sizes = sorted({1, 4, 8, n} - {b for b in (4, 8) if b >= n})
    options = [(_("{b} (stochastic)").format(b=b) if b == 1
                else _("{b} = all (full batch)").format(b=b) if b == n
                else _("{b} (mini-batch)").format(b=b), b) for b in sizes]
    if batch_size not in sizes:
        raise ValueError(f"batches_lab: batch_size must be one of {sizes}, got {batch_size!r}")
    controls = {
        "batch_size": W.Dropdown(options=options, value=batch_size,
                                 description=_("batch size")),
        "lr": log_slider(lr, round_values(1e-3, 30), _("learning rate η")),
        "epochs": W.IntSlider(value=epochs, min=1, max=max_epochs, description=_("epochs")),
    }
    runs: OrderedDict[tuple[int, float], BatchRun] = OrderedDict()
    view_net = small_net(seed)
    state: dict = {}

    def get_run(batch: int, rate: float) -> BatchRun:
        key = (batch, round(rate, 12))
        if key in runs:
            runs.move_to_end(key)
        else:
            runs[key] = BatchRun(X, y, batch, rate, seed)
            if len(runs) > 24:
                runs.popitem(last=False)
        return runs[key]

    def setup(fig):
        ax = state["ax_loss"] = fig.add_subplot(1, 2, 1)
        (state["steps"],) = ax.plot([], [], "-", color="#9ecae1", lw=1.0,
                                    label=_("loss of each update's batch"))
        (state["epochs"],) = ax.plot([], [], "o-", color="#08519c", ms=4, lw=1.5,
                                     label=_("loss on all points, after each epoch"))
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 3.0), numticks=6))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}" if v < 0.01
                                                   else f"{v:.2g}"))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.set_xlabel(_("epoch"))
        ax.set_ylabel(_("loss (log scale)"))
        # fixed places, clear of the tick labels: no measuring of them on every redraw
        ax.xaxis.set_label_coords(0.5, -0.12)
        ax.yaxis.set_label_coords(-0.13, 0.5)
        # a legend of the figure's over the panel (the panel itself moves, its legend does
        # not): kept on top of the moving panel, never drawn again
        on_top(fig.legend(handles=[state["steps"], state["epochs"]], loc="lower left",
                          bbox_to_anchor=(0.0, 0.0, 1.0, 1.0), bbox_transform=ax.transAxes,
                          fontsize=SMALL_PT, framealpha=1.0))
        boundary = state["boundary"] = DecisionBoundary(fig.add_subplot(1, 2, 2), X, y,
                                                        resolution=80, point_size=20)
        # tick labels are most of a panel's drawing time; the boundary reads without them
        boundary.ax.set_xticks([])
        boundary.ax.set_yticks([])
        boundary.ax.set_title(" ", fontsize=10)
        # the moving parts, redrawn over a kept picture of the rest: the loss panel whole (its
        # limits change), the boundary's pixels and title (with the points and the frame,
        # which stay on top of the pixels)
        animate(ax, boundary.image, boundary.ax.collections, boundary.ax.spines.values(),
                boundary.ax.title)
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.88, wspace=0.25)

    def draw(fig, v):
        batch, rate, epochs_ = v["batch_size"], v["lr"], v["epochs"]
        run = get_run(batch, rate)
        run.train_to(epochs_)
        shown = min(epochs_, run.epochs_done)
        per_epoch = run.steps_per_epoch
        n_steps = shown * per_epoch if run.diverged is None or shown < run.epochs_done \
            else len(run.step_loss)
        step_loss = np.asarray(run.step_loss[:n_steps], dtype=np.float64)
        # update i is measured on the weights before it: at epoch (i - 1) / per_epoch
        t = np.arange(len(step_loss)) / per_epoch
        finite = np.isfinite(step_loss)
        state["steps"].set_data(t[finite], step_loss[finite])
        state["epochs"].set_data(np.arange(shown + 1), run.epoch_loss[:shown + 1])
        ax = state["ax_loss"]
        ax.set_xlim(0, epochs_)
        shown_values = np.r_[step_loss[finite], run.epoch_loss[:shown + 1]]
        ax.set_ylim(max(shown_values.min() / 1.5, 1e-4), shown_values.max() * 1.5)
        updates = shown * per_epoch
        ax.set_title(_("batch size {batch}: {updates} per epoch").format(
            batch=batch, updates=_updates(per_epoch)), fontsize=10)

        boundary = state["boundary"]
        if run.diverged is not None and epochs_ > run.epochs_done:
            boundary.update(None)
            boundary.ax.title.set_text(_("no boundary: the weights blew up"))
            exc = run.diverged
            epoch = (exc.step - 1) // per_epoch + 1
            return Status(_("diverged at update {step} (epoch {epoch}): the loss or a gradient "
                            "became NaN or infinite, and lk.fit stopped. With η = {lr:.3g} the "
                            "steps overshoot: lower the learning rate.").format(
                                step=exc.step, epoch=epoch, lr=rate), "warning")
        net = run.net_at(shown, view_net)
        boundary.update(net)
        acc = accuracy(net(X), y)
        loss = run.epoch_loss[shown]
        boundary.ax.title.set_text(_("after {epochs}: accuracy {acc:.0%}").format(
            epochs=_epochs(shown), acc=acc))
        what = _("batch size {batch}: {updates} in {epochs} ({per_epoch} per epoch over the "
                 "{n} points). Loss on all points {loss:.3f}, accuracy {acc:.0%}.").format(
                     batch=batch, updates=_updates(updates), epochs=_epochs(shown),
                     per_epoch=per_epoch, n=len(X), loss=loss, acc=acc)
        start, peak = run.epoch_loss[0], max(run.epoch_loss[:shown + 1])
        if not loss < start:
            return Status(_("{what} The loss did not go down: the learning rate is too large "
                            "(the steps overshoot) or the run is too short.").format(what=what),
                          "warning")
        if peak > 2.0 * start:
            return Status(_("{what} Unstable: on the way the loss on all points jumped to "
                            "{peak:.3g} (it started at {start:.3f}). The steps overshoot: the "
                            "learning rate is too large for this batch size, even where the "
                            "run happens to settle.").format(what=what, peak=peak, start=start),
                          "warning")
        if batch < len(X):
            lo, hi = step_loss[-per_epoch:].min(), step_loss[-per_epoch:].max()
            what = _("{what} In the last epoch the batch losses ranged from {lo:.3f} to "
                     "{hi:.3f}: each update follows a noisy estimate of the full gradient."
                     ).format(what=what, lo=lo, hi=hi)
        return what

    return Lab(_("full batch, mini-batch, stochastic: batch size and learning rate"),
               controls, draw, figsize=(8.6, 3.6), setup=setup)
