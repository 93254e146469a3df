"""labkit.plot.diagnostics: the pictures show the numbers they are given, on any Sequential,
titled and labelled; zero and overflow are said, not drawn as dips; bad input is refused."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import labkit as lk  # noqa: E402
from labkit.diagnostics import (  # noqa: E402
    GradientMonitor,
    GradientProfile,
    gradient_profile,
    probe,
)
from labkit.lessons.vanishing_exploding.compute import MLPSettings  # noqa: E402
from labkit.plot.diagnostics import (  # noqa: E402
    plot_activation_histograms,
    plot_grad_norms_over_steps,
    plot_gradient_norms,
    plot_loss_curves,
    plot_monitor,
    plot_saturation_over_steps,
    plot_update_ratios,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return lk.make_moons(48, noise=0.1, rng=0)


def small_net(activation=lk.Tanh, depth=3, width=6, seed=0):
    rng = np.random.default_rng(seed)
    layers = [lk.Linear(2, width, rng=rng), activation()]
    for _ in range(depth - 1):
        layers += [lk.Linear(width, width, rng=rng), activation()]
    return lk.Sequential(*layers, lk.Linear(width, 2, rng=rng))


def main_axes(fig):
    """The plotting axes of a figure, without colour bars."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]


def assert_labelled(ax):
    assert ax.get_title(), "every plot has a title"
    assert ax.get_xlabel() and ax.get_ylabel(), "and labelled axes"


@pytest.fixture(scope="module")
def trained_monitor(data):
    X, y = data
    net = small_net(depth=4)
    mon = GradientMonitor(every=2)
    history = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y,
                     epochs=6, batch_size=16, rng=0, monitor=mon)
    return mon, history


# --- activation histograms ---------------------------------------------------------------

def test_histograms_one_panel_per_activation_layer_with_its_numbers(data):
    X, _ = data
    net = small_net(lk.Sigmoid, depth=3)
    stats = probe(net, X)
    fig = plot_activation_histograms(stats)
    axes = main_axes(fig)
    assert len(axes) == 3                                     # layers 1, 3, 5 are Sigmoid
    assert [ax.get_title().split("\n")[0] for ax in axes] == ["1 Sigmoid", "3 Sigmoid",
                                                              "5 Sigmoid"]
    for ax, s in zip(axes, [s for s in stats if s.name.endswith("Sigmoid")]):
        (shape,) = ax.patches                                 # one filled outline per panel
        xy = shape.get_xy()
        area = 0.5 * abs(np.dot(xy[:, 0], np.roll(xy[:, 1], 1))
                         - np.dot(xy[:, 1], np.roll(xy[:, 0], 1)))
        width = (s.activations.max() - s.activations.min()) / 40
        assert area / width == pytest.approx(1.0)             # fractions of the units
        assert xy[:, 0].min() == pytest.approx(s.activations.min())
        assert ax.get_xlabel()
    assert fig.get_suptitle() == "activations, layer by layer"
    assert axes[0].get_ylabel()


def test_histograms_say_how_many_units_are_saturated(data):
    X, _ = data
    net = small_net(lk.Tanh, depth=2)
    for layer in net.layers:
        if isinstance(layer, lk.Linear):
            layer.W.data *= 30.0                               # drive tanh into its tails
    stats = probe(net, X)
    fig = plot_activation_histograms(stats)
    for ax, s in zip(main_axes(fig), [s for s in stats if s.name.endswith("Tanh")]):
        assert s.saturated > 0.5
        assert f"{s.saturated:.0%} saturated" in ax.get_title()


def test_histograms_from_a_net_chosen_layers_and_a_given_figure(data):
    X, _ = data
    net = small_net(lk.ReLU, depth=3)
    fig = plt.figure(figsize=(6, 2))
    out = plot_activation_histograms(net, X, layers=[0, 5], fig=fig, title="two layers")
    assert out is fig and [ax.get_title().split("\n")[0] for ax in main_axes(fig)] == [
        "0 Linear", "5 ReLU"]
    assert fig.get_suptitle() == "two layers"
    with pytest.raises(ValueError, match=r"no layer \[9\]"):
        plot_activation_histograms(net, X, layers=[9])
    with pytest.raises(ValueError, match="a Sequential and a batch X"):
        plot_activation_histograms(net)
    with pytest.raises(ValueError, match="bins"):
        plot_activation_histograms(net, X, bins=0)


def test_histograms_overlaid_on_one_axes_with_a_legend_or_a_colour_bar(data):
    X, _ = data
    fig = plot_activation_histograms(small_net(depth=3), X, overlay=True)
    (ax,) = main_axes(fig)
    assert_labelled(ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.split(" (")[0] for t in texts] == ["1 Tanh", "3 Tanh", "5 Tanh"]
    assert all(t.endswith("saturated)") for t in texts if "(" in t)
    deep = MLPSettings(depth=12, width=8, activation="tanh").build(rng=0)
    fig = plot_activation_histograms(deep, X, overlay=True)
    assert len(main_axes(fig)) == 1 and len(fig.axes) == 2  # 12 layers: a colour bar instead
    assert main_axes(fig)[0].get_legend() is None


def test_histograms_count_values_that_are_not_finite(data):
    X, _ = data
    net = small_net(lk.ReLU, depth=2)
    stats = probe(net, X)
    stats[1] = type(stats[1])(**{**stats[1].__dict__,
                                 "activations": np.r_[stats[1].activations.ravel(), np.inf]})
    fig = plot_activation_histograms(stats, layers=[1])
    assert "1 not finite" in main_axes(fig)[0].get_title()


# --- gradient norm against depth ----------------------------------------------------------

def test_gradient_norms_draw_the_profile_on_a_log_axis(data):
    X, y = data
    profile = gradient_profile(MLPSettings(depth=6, width=8, activation="sigmoid").build(rng=0),
                               X, y, lk.CrossEntropyLoss())
    ax = plot_gradient_norms(profile)
    (line,) = ax.lines
    assert np.array_equal(line.get_xdata(), np.arange(1, 7))
    assert np.allclose(line.get_ydata(), profile.signal)
    assert ax.get_yscale() == "log"
    assert_labelled(ax)
    ax = plot_gradient_norms(profile, quantity="weight")
    assert np.allclose(ax.lines[0].get_ydata(), profile.weight)
    assert "W" in ax.get_ylabel()


def test_gradient_norms_compare_several_runs_on_given_axes():
    _, ax = plt.subplots(figsize=(4, 3))
    runs = {"small": [1e-6, 1e-3, 1.0], "flat": np.array([0.5, 0.5, 0.5]),
            "big": GradientProfile(1.0, np.array([1e6, 1e3, 1.0]), np.ones(4))}
    out = plot_gradient_norms(runs, ax=ax, title="three runs")
    assert out is ax and ax.get_title() == "three runs"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["small", "flat", "big"]
    assert np.allclose(ax.lines[2].get_ydata(), [1e6, 1e3, 1.0])
    assert len({line.get_marker() for line in ax.lines}) == 3  # lines on top stay visible


def test_runs_that_coincide_all_stay_visible():
    # four runs with the same numbers: every line's own colour still shows in the picture
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure

    values = np.geomspace(1e-6, 1.0, 12)
    fig = Figure(figsize=(6, 3.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot_gradient_norms({name: values for name in "abcd"}, ax=ax)
    ax.get_legend().remove()                                 # only the lines themselves
    ax.figure.canvas.draw()
    pixels = np.asarray(ax.figure.canvas.buffer_rgba())[..., :3] / 255.0
    for line in ax.lines:
        near = np.all(np.abs(pixels - to_rgb(line.get_color())) < 0.2, axis=-1)
        assert near.sum() > 150, (line.get_label(), int(near.sum()))


def test_zero_and_overflow_are_left_out_and_said():
    ax = plot_gradient_norms({"blown up": [np.inf, np.nan, 0.0, 1.0]})
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[:3]).all() and y[3] == 1.0
    assert ax.get_legend().get_texts()[0].get_text() == \
        "blown up (3 zero or not finite left out)"


def test_gradient_norms_from_probe_statistics(data):
    X, y = data
    net = small_net(lk.Tanh, depth=3)
    stats = probe(net, X, y, lk.CrossEntropyLoss())
    ax = plot_gradient_norms(stats)
    assert np.allclose(ax.lines[0].get_ydata(),
                       [s.grad_norm for s in stats if s.name.endswith("Tanh")])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1 Tanh", "3 Tanh", "5 Tanh"]
    ax = plot_gradient_norms(stats, quantity="weight")
    assert np.allclose(ax.lines[0].get_ydata(),
                       [s.param_grad_norm for s in stats if s.name.endswith("Linear")])


def test_gradient_norms_refuse_bad_input():
    with pytest.raises(ValueError, match="quantity"):
        plot_gradient_norms([1.0, 2.0], quantity="delta")
    with pytest.raises(ValueError, match="no runs"):
        plot_gradient_norms({})
    with pytest.raises(ValueError, match="one per layer"):
        plot_gradient_norms(np.ones((2, 2)))


# --- monitor curves -----------------------------------------------------------------------

def test_grad_norms_over_steps_one_line_per_layer(trained_monitor):
    mon, history = trained_monitor
    ax = plot_grad_norms_over_steps(mon)
    assert [line.get_label() for line in ax.lines] == [
        f"layer {k}" for k in range(1, len(mon.grad_norm) + 1)]
    for line, values in zip(ax.lines, mon.grad_norm.values()):
        assert list(line.get_xdata()) == mon.steps
        assert np.allclose(line.get_ydata(), values)
    assert ax.get_yscale() == "log"
    assert_labelled(ax)
    ax = plot_grad_norms_over_steps(history)               # fit's own record, every step
    assert len(ax.lines[0].get_xdata()) == history.steps


def test_update_ratios_with_the_guide_line(trained_monitor):
    mon, history = trained_monitor
    ax = plot_update_ratios(mon)
    curves = [line for line in ax.lines if line.get_label().startswith("layer")]
    for line, values in zip(curves, mon.update_ratio.values()):
        assert np.allclose(line.get_ydata(), values)
    guides = [line for line in ax.lines if np.allclose(line.get_ydata(), 1e-3)]
    assert guides, "the 1e-3 guide line is drawn"
    assert any("1e-3" in t.get_text() or "0.001" in t.get_text() for t in ax.texts)
    assert_labelled(ax)
    with pytest.raises(TypeError, match="GradientMonitor"):
        plot_update_ratios(history)


def test_monitor_figure_has_labelled_panels(trained_monitor):
    mon, _ = trained_monitor
    fig = plot_monitor(mon, title="a run")
    axes = main_axes(fig)
    assert len(axes) == 2 and fig.get_suptitle() == "a run"
    for ax in axes:
        assert_labelled(ax)
    fig = plot_monitor(mon, saturation=True)
    axes = main_axes(fig)
    assert len(axes) == 3
    assert all(0 <= v <= 1 for line in axes[2].lines for v in line.get_ydata())
    ax = plot_saturation_over_steps(mon)
    tanh = [k for k in mon.saturated if k.endswith("Tanh")]    # "1 Tanh", "3 Tanh", ...
    assert [line.get_label() for line in ax.lines] == [
        f"layer {i} (Tanh)" for i in range(1, len(tanh) + 1)]    # hidden layers 1, 2, ...


def test_many_layers_get_a_colour_bar_from_input_to_output(data):
    X, y = data
    net = MLPSettings(depth=10, width=8).build(rng=0)
    mon = GradientMonitor(activations=False)
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
           monitor=mon)
    ax = plot_grad_norms_over_steps(mon)
    assert ax.get_legend() is None and len(ax.figure.axes) == 2
    bar = [a for a in ax.figure.axes if a is not ax][0]
    assert "input" in bar.get_ylabel() and "output" in bar.get_ylabel()


def test_layers_are_named_as_the_lessons_count_them(data):
    # a 20-hidden-layer net has 21 layers with weights, at positions 0, 2, ..., 40 of its
    # Sequential: its colour bar runs from layer 1 to layer 21, not from "layer 0" to "layer 40"
    X, y = data
    net = MLPSettings(depth=20, width=4).build(rng=0)
    history = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y,
                     epochs=1)
    assert list(history.grad_norms)[-1] == "40"
    ax = plot_grad_norms_over_steps(history)
    assert [line.get_label() for line in ax.lines] == [f"layer {k}" for k in range(1, 22)]
    bar = [a for a in ax.figure.axes if a is not ax][0]
    assert [t.get_text() for t in bar.get_yticklabels()] == ["layer 1", "layer 21"]


def test_monitor_plots_refuse_what_is_not_a_monitor():
    with pytest.raises(TypeError, match="GradientMonitor"):
        plot_grad_norms_over_steps([1, 2, 3])
    with pytest.raises(ValueError, match="nothing recorded"):
        plot_update_ratios(GradientMonitor())


# --- loss curves --------------------------------------------------------------------------

def test_loss_curves_show_each_run_and_where_one_diverged(data):
    X, y = data
    net = small_net()
    good = lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y,
                  epochs=3, batch_size=16)
    net = MLPSettings(depth=20, width=16, activation="relu", init="he", scale=3.0).build(rng=0)
    with np.errstate(all="ignore"), pytest.raises(lk.TrainingDiverged) as info:
        lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=20)
    ax = plot_loss_curves({"fine": good, "bad": info.value, "list": [0.7, 0.6, 0.5]},
                          chance=np.log(2))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "fine" and labels[2] == "list"
    assert labels[1] == f"bad: diverged at step {info.value.step}"
    assert labels[3] == "chance (0.693)"
    assert np.allclose(ax.lines[0].get_ydata(), good.loss)
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1
    top = ax.get_ylim()[1]
    assert top == pytest.approx(1000 * max(*good.loss, 0.7))  # the explosion does not flatten
    assert ax.get_yscale() == "log"
    assert_labelled(ax)


def test_loss_curves_smoothing_and_bad_input():
    losses = [1.0, 3.0, 5.0, 7.0]
    ax = plot_loss_curves(losses, smooth=2, log=False)
    assert np.allclose(ax.lines[0].get_ydata(), [1.0, 2.0, 4.0, 6.0])
    assert "mean of 2 steps" in ax.get_ylabel()
    ax = plot_loss_curves([1.0, np.nan, 0.5])                 # a NaN loss: diverged at step 2
    assert "diverged at step 2" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="smooth"):
        plot_loss_curves(losses, smooth=0)
    with pytest.raises(ValueError, match="no runs"):
        plot_loss_curves({})
    with pytest.raises(ValueError, match="sequence of losses"):
        plot_loss_curves(np.ones((2, 2)))


def test_new_figures_have_explicit_sizes(data):
    """A notebook's '<Figure size ...>' text must not follow matplotlib's defaults."""
    X, y = data
    before = matplotlib.rcParams["figure.figsize"]
    with matplotlib.rc_context({"figure.figsize": (1.0, 1.0)}):
        sizes = [tuple(plot_gradient_norms([1.0, 2.0]).figure.get_size_inches()),
                 tuple(plot_loss_curves([1.0, 0.5]).figure.get_size_inches()),
                 tuple(plot_activation_histograms(small_net(), X).get_size_inches())]
    assert all(size != (1.0, 1.0) for size in sizes)
    assert matplotlib.rcParams["figure.figsize"] == before


def test_histograms_share_a_range_when_asked(data):
    X, _ = data
    fig = plot_activation_histograms(small_net(lk.Tanh, depth=2), X, xlim=(-1, 1), bins=10)
    for ax in main_axes(fig):
        assert ax.get_xlim() == (-1.0, 1.0)
        xy = ax.patches[0].get_xy()
        assert (xy[:, 0].min(), xy[:, 0].max()) == (-1.0, 1.0)  # the bins span the range
    with pytest.raises(ValueError, match="xlim"):
        plot_activation_histograms(small_net(), X, xlim=(1, -1))


def test_max_layers_draws_evenly_spaced_layers_first_and_last_included(data):
    X, y = data
    net = MLPSettings(depth=10, width=8).build(rng=0)
    mon = GradientMonitor(activations=False)
    lk.fit(net, lk.CrossEntropyLoss(), lk.SGD(net.parameters(), lr=0.1), X, y, epochs=2,
           monitor=mon)
    keys = list(mon.update_ratio)                               # "0", "2", ..., "20"
    assert len(keys) == 11
    fig = plot_monitor(mon, max_layers=3)
    for ax in main_axes(fig):                                   # the 1st, 6th and 11th
        assert [line.get_label() for line in ax.lines if line.get_label().startswith(
            "layer")] == ["layer 1", "layer 6", "layer 11"]
        assert ax.get_legend() is not None                     # few lines: a legend
    with pytest.raises(ValueError, match="max_layers"):
        plot_update_ratios(mon, max_layers=1)
