"""Decision boundaries: which class a labkit network predicts at every point of the plane.

    plot_decision_boundary(net, X, y)                    # a lesson figure

    view = DecisionBoundary(ax, X, y)                    # a widget: the grid is built once,
    view.update(net)                                     # each redraw only re-colours it

Works for any labkit net on 2-D inputs: C > 1 outputs are class scores (the class is the
argmax, the confidence its softmax probability), one output is a probability (class 1 where
it is >= 0.5), as ``lk.predict_classes`` decides. The background colour is the predicted
class, paler where the network is less sure; the points are the data, coloured by label.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ..core.i18n import N_, _
from ..core.losses import softmax
from ..core.module import Module
from .base import new_axes

CLASS_COLORS = np.array([[0.12, 0.47, 0.71], [0.84, 0.15, 0.16], [0.17, 0.63, 0.17],
                         [1.00, 0.50, 0.05], [0.58, 0.40, 0.74], [0.55, 0.34, 0.29]])


class BoundaryGrid:
    """The plane around data X (N, 2) sampled on resolution x resolution points: ``points``
    (M, 2) to feed a network, ``shape`` to fold its answers back, ``extent`` for imshow."""

    def __init__(self, X: np.ndarray, resolution: int = 150, margin: float = 0.5) -> None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"BoundaryGrid: X must have shape (N, 2), got {X.shape}")
        lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
        self.xs = np.linspace(lo[0], hi[0], resolution)
        self.ys = np.linspace(lo[1], hi[1], resolution)
        xx, yy = np.meshgrid(self.xs, self.ys)
        self.points = np.c_[xx.ravel(), yy.ravel()]
        self.shape = xx.shape
        self.extent = (lo[0], hi[0], lo[1], hi[1])


def class_map(net: Module, grid: BoundaryGrid) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class, confidence in [0, 1]) at every grid point, shape grid.shape each.
    Confidence 0 means a coin toss, 1 certainty. The net is run in eval mode."""
    was_training = net.training
    net.eval()
    try:
        out = net(grid.points)
    finally:
        net.train(was_training)
    if out.ndim != 2:
        raise ValueError(f"class_map: the net must return (M, C) scores, got shape {out.shape}")
    with np.errstate(all="ignore"):
        if out.shape[1] > 1:
            probs = softmax(out)
            cls = probs.argmax(axis=1)
            c = out.shape[1]
            conf = (probs.max(axis=1) - 1.0 / c) / (1.0 - 1.0 / c)
        else:
            p = np.clip(out[:, 0], 0.0, 1.0)
            cls = (out[:, 0] >= 0.5).astype(np.int64)
            conf = np.abs(2.0 * p - 1.0)
    conf = np.nan_to_num(conf, nan=0.0)
    return cls.reshape(grid.shape), conf.reshape(grid.shape)


def boundary_image(cls: np.ndarray, conf: np.ndarray) -> np.ndarray:
    """An RGB image: each class's colour mixed with white, stronger where the net is sure."""
    alpha = (0.15 + 0.45 * conf)[..., None]
    colors = CLASS_COLORS[cls % len(CLASS_COLORS)]
    return 1.0 - alpha * (1.0 - colors)


class DecisionBoundary:
    """A decision-boundary panel drawn once on ``ax`` and re-coloured by ``update(net)``:
    the grid and the scatter of the data stay, only the image's pixels change (fast enough
    for a widget). ``update(None)`` blanks the background (e.g. after a diverged run)."""

    def __init__(self, ax: Axes, X: np.ndarray, y: np.ndarray, *, resolution: int = 120,
                 margin: float = 0.5, point_size: float = 14.0) -> None:
        self.ax, self.grid = ax, BoundaryGrid(X, resolution, margin)
        y = np.asarray(y).reshape(-1).astype(np.int64)
        blank = np.ones((*self.grid.shape, 3))
        self.image = ax.imshow(blank, origin="lower", extent=self.grid.extent, aspect="auto",
                               interpolation="nearest", zorder=0)
        ax.scatter(X[:, 0], X[:, 1], c=CLASS_COLORS[y % len(CLASS_COLORS)], s=point_size,
                   edgecolors="white", linewidths=0.5, zorder=2)
        ax.set_xlim(self.grid.extent[:2])
        ax.set_ylim(self.grid.extent[2:])
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")

    def update(self, net: Module | None) -> np.ndarray | None:
        """Re-colours the background for ``net``; returns the class map (None for a blank)."""
        if net is None:
            self.image.set_data(np.ones((*self.grid.shape, 3)))
            return None
        cls, conf = class_map(net, self.grid)
        self.image.set_data(boundary_image(cls, conf))
        return cls


def plot_decision_boundary(net: Module, X: np.ndarray, y: np.ndarray, ax: Axes | None = None,
                           *, resolution: int = 200, margin: float = 0.5,
                           title: str = N_("decision boundary")) -> Axes:
    """The classes ``net`` predicts over the plane around X (N, 2), with the data on top and
    the boundary (where the predicted class changes) drawn as a line."""
    ax = new_axes(ax, figsize=(4.0, 3.5))
    view = DecisionBoundary(ax, X, y, resolution=resolution, margin=margin)
    cls = view.update(net)
    if cls.min() != cls.max():
        g = view.grid
        ax.contour(g.xs, g.ys, cls, levels=np.arange(cls.max()) + 0.5, colors="0.2",
                   linewidths=1.0, zorder=1)
    ax.set_title(_(title), fontsize=10)
    return ax
