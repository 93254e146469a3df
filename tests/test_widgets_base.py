"""The Lab pattern every widget uses: in-place redraw, words not tracebacks, stable repr."""
from __future__ import annotations

import ipywidgets as W
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import labkit as lk  # noqa: E402
from labkit.widgets import Lab, Status  # noqa: E402
from labkit.widgets.drive import edge_values, random_settings, sweep  # noqa: E402


def make_lab(draw=None):
    calls = []

    def default_draw(fig, v):
        calls.append(dict(v))
        if not fig.axes:
            fig.add_subplot()
        fig.axes[0].cla()
        fig.axes[0].plot([0, 1], [0, v["k"]])
        if v["k"] > 8:
            return Status(f"k = {v['k']} diverges", "warning")
        return f"k = {v['k']}"

    lab = Lab("test lab", {"k": W.IntSlider(value=1, min=0, max=10),
                           "mode": W.Dropdown(options=["a", "b"], value="a")},
              draw or default_draw, figsize=(3, 2))
    return lab, calls


def test_first_draw_renders_a_png_and_the_status():
    lab, calls = make_lab()
    assert lab.view.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert calls == [{"k": 1, "mode": "a"}]
    assert "k = 1" in lab.status.value and lab.last_status.level == "info"
    assert lab.last_ms > 0


def test_changing_a_control_redraws_in_place():
    lab, calls = make_lab()
    image_widget, before = lab.view.image, lab.view.image.value
    lab.controls["k"].value = 5
    assert lab.view.image is image_widget and lab.view.image.value != before
    assert calls[-1]["k"] == 5 and "k = 5" in lab.status.value


def test_set_changes_several_controls_with_one_redraw():
    lab, calls = make_lab()
    lab.set(k=3, mode="b")
    assert len(calls) == 2 and calls[-1] == {"k": 3, "mode": "b"}
    with pytest.raises(KeyError, match="no control named"):
        lab.set(nope=1)


def test_warning_status_is_shown_in_words():
    lab, _ = make_lab()
    lab.set(k=9)
    assert lab.last_status == Status("k = 9 diverges", "warning")
    assert "diverges" in lab.status.value and "#b45309" in lab.status.value


def test_first_draw_lets_errors_through_so_a_broken_widget_fails_its_notebook():
    def broken(fig, v):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        make_lab(broken)


def test_a_failing_callback_shows_one_line_not_a_traceback():
    def draw(fig, v):
        if v["k"] == 7:
            raise ValueError("bad k")
        return "fine"

    lab, _ = make_lab(draw)
    lab.set(k=7)
    assert lab.last_status.level == "error"
    assert "ValueError: bad k" in lab.status.value
    assert "Traceback" not in lab.status.value
    lab.set(k=2)
    assert lab.last_status == Status("fine")


def test_repr_is_stable_text_for_nbval():
    lab, _ = make_lab()
    bundle = lab._repr_mimebundle_()
    assert bundle["text/plain"] == "<labkit widget: test lab>"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_drive_edge_values_and_sweep():
    assert edge_values(W.IntSlider(min=2, max=6)) == [2, 4, 6]
    assert edge_values(W.FloatLogSlider(min=-3, max=1, base=10)) == pytest.approx(
        [1e-3, 1e-1, 10.0])
    assert edge_values(W.Dropdown(options=[("one", 1), ("two", 2)])) == [1, 2]
    lab, _ = make_lab()
    seen = [setting for setting, _ in sweep(lab)]
    assert {"k": 0, "mode": "a"} in seen and {"k": 10, "mode": "a"} in seen
    assert {"k": 1, "mode": "b"} in seen
    assert lab.values == {"k": 1, "mode": "a"}  # restored
    draws = list(random_settings(lab, 30, np.random.default_rng(0)))
    assert len(draws) == 30 and all(0 <= s["k"] <= 10 for s, _ in draws)


def test_neuron_lab_reports_the_neuron_in_words():
    lab = lk.widgets.neuron_lab(w=2.0, b=-1.0, activation="sigmoid")
    z = 2.0 - 1.0
    a = 1 / (1 + np.exp(-z))
    assert f"a = {a:.3f}" in lab.last_status.text
    assert f"f'(z) = {a * (1 - a):.3f}" in lab.last_status.text
    lab.set(w=5.0, b=5.0)
    assert lab.last_status.level == "warning" and "saturated" in lab.last_status.text
    images = set()
    for _, status in sweep(lab):
        assert status.level != "error"
        images.add(lab.view.image.value)
    assert len(images) > 5


def test_plot_activation_draws_function_and_slope():
    ax = lk.plot.plot_activation("tanh")
    z, a = ax.lines[0].get_data()
    _, da = ax.lines[1].get_data()
    assert np.allclose(a, np.tanh(z)) and np.allclose(da, 1 - np.tanh(z) ** 2)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        lk.plot.plot_activation("softsign")
    matplotlib.pyplot.close("all")


def test_draw_network_places_nodes_and_labels_edges():
    W1 = np.array([[0.5, -0.6], [0.7, 0.8]])
    ax = lk.plot.draw_network([2, 2, 1], weights=[W1, np.array([[0.9, 0.1]])],
                              node_text=[["x1", "x2"], ["h1", "h2"], ["y"]], title="t")
    texts = {t.get_text() for t in ax.texts}
    assert {"0.50", "-0.60", "0.70", "0.80", "0.90", "0.10", "x1", "h2", "y"} <= texts
    assert len(ax.lines) == 2 * 2 + 2 * 1  # one line per edge
    assert ax.get_title() == "t"
    matplotlib.pyplot.close("all")


def test_preset_round_trip_through_a_json_file(tmp_path):
    lab, _ = make_lab()
    lab.set(k=9, mode="b")
    path = lab.save_preset(tmp_path / "explodes.json")
    other, _ = make_lab()
    other.load_preset(path)
    assert other.values == {"k": 9, "mode": "b"}
    assert other.last_status.level == "warning"


def test_bad_presets_are_refused_with_a_clear_message(tmp_path):
    lab, _ = make_lab()
    with pytest.raises(ValueError, match="unknown control 'speed'"):
        lab.load_preset({"widget": "test lab", "values": {"speed": 1}})
    with pytest.raises(ValueError, match="not one of"):
        lab.load_preset({"widget": "test lab", "values": {"mode": "zzz"}})
    with pytest.raises(ValueError, match="for the widget 'other'"):
        lab.load_preset({"widget": "other", "values": {}})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        lab.load_preset(bad)
    assert lab.values == {"k": 1, "mode": "a"}  # nothing changed


def test_an_artist_kept_on_top_stays_above_the_moving_parts_without_being_redrawn():
    import io

    from PIL import Image

    from labkit.widgets.base import animate, on_top, rendering

    parts = {}

    def setup(fig):
        ax = fig.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        (parts["line"],) = ax.plot([0, 1], [0.5, 0.5], lw=8, color="red", label="a line")
        animate(parts["line"])
        parts["legend"] = ax.legend(loc="center", framealpha=1.0)
        on_top(parts["legend"])

    def draw(fig, v):
        parts["line"].set_ydata([v["k"] / 10] * 2)

    lab = Lab("on top", {"k": W.IntSlider(value=2, min=0, max=10)}, draw, figsize=(3, 2),
              setup=setup)
    drawn = []
    legend_draw = parts["legend"].draw
    parts["legend"].draw = lambda renderer: (drawn.append(1), legend_draw(renderer))
    lab.set(k=5)                                     # the line now runs under the legend
    assert drawn == []                               # pasted back, not drawn again
    with pytest.raises(ValueError, match="moving part"):
        on_top(parts["line"])
    shown = np.asarray(Image.open(io.BytesIO(lab.view.image.value)).convert("RGB"))
    parts["line"].set_animated(False)
    with rendering():
        lab.view.fig.canvas.draw()                   # the whole figure, in zorder
    full = np.asarray(lab.view.fig.canvas.buffer_rgba())[..., :3]
    assert np.mean(np.any(shown != full, axis=-1)) < 0.002
    box = parts["legend"].get_window_extent()
    rows = slice(int(full.shape[0] - box.y1) + 3, int(full.shape[0] - box.y0) - 3)
    cols = slice(int(box.x1) - 6, int(box.x1) - 3)  # right of the legend's text, inside it
    assert not np.any(np.all(shown[rows, cols] == [255, 0, 0], axis=-1))  # no red line on it


def test_follow_fits_other_controls_before_one_redraw_and_never_shows_a_traceback():
    calls = []

    def draw(fig, v):
        calls.append(dict(v))
        return f"k = {v['k']}"

    def follow(lab, control):
        if control is lab.controls["mode"]:
            if control.value == "broken":
                raise RuntimeError("cannot follow")
            lab.controls["k"].max = 3 if control.value == "small" else 10

    lab = Lab("follow", {"k": W.IntSlider(value=8, min=0, max=10),
                         "mode": W.Dropdown(options=["big", "small", "broken"], value="big")},
              draw, figsize=(3, 2), follow=follow)
    calls.clear()
    lab.controls["mode"].value = "small"        # k is clamped to 3 by the follow, then drawn
    assert calls == [{"k": 3, "mode": "small"}]
    lab.controls["k"].value = 2
    assert calls[-1] == {"k": 2, "mode": "small"} and len(calls) == 2
    lab.controls["mode"].value = "broken"
    assert lab.last_status.level == "error" and "cannot follow" in lab.status.value
    assert "Traceback" not in lab.status.value
