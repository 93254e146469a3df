"""The language machinery (labkit/core/i18n.py), its catalogs (tools/catalogs.py) and the fonts
that draw Chinese (labkit/plot/fonts.py)."""
from __future__ import annotations

import ast
import importlib.util
import re
import string
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from matplotlib.figure import Figure

import labkit as lk
from labkit.core import i18n
from labkit.core.i18n import text_width
from labkit.plot import fonts

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
catalogs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogs)


@pytest.fixture
def restore_language():
    yield
    i18n.set_language("en")


def test_an_unknown_language_is_refused_with_the_choices(restore_language):
    with pytest.raises(ValueError, match=r"unknown language 'fr'.*'en' \(English\).*'zh'"):
        i18n.set_language("fr")
    assert i18n.get_language() == "en"


def test_english_is_the_default_and_needs_no_catalog(restore_language):
    assert i18n.get_language() == "en"
    assert i18n._("any sentence {n}") == "any sentence {n}"
    assert i18n.ngettext("one step", "{n} steps", 2) == "{n} steps"


def test_listeners_hear_the_current_language_then_every_change(restore_language):
    heard = []
    i18n.on_language_change(heard.append)
    try:
        i18n.set_language("zh")
        i18n.set_language("en")
    finally:
        i18n._listeners.remove(heard.append)
    assert heard == ["en", "zh", "en"]


def test_the_committed_catalogs_are_up_to_date_and_fully_translated():
    assert catalogs.main(["--check"]) == 0


def test_the_catalog_check_finds_missing_and_mistranslated_sentences():
    catalog = Catalog(locale="zh")
    catalog.add("step {step}", string="")                       # untranslated
    catalog.add("loss {loss}", string="损失 {los}")              # a field renamed
    catalog.add("fine {x}", string="好 {x}")
    catalog.add("shaky", string="不稳", flags=["fuzzy"])
    problems = catalogs.untranslated(catalog)
    assert problems == ["no translation: 'step {step}'",
                        "fields differ: 'loss {loss}' -> '损失 {los}'",
                        "no translation: 'shaky'"]


def test_chinese_labels_draw_without_missing_glyphs_once_the_language_is_chinese(
        restore_language):
    def titled_figure():
        fig = Figure(figsize=(3, 2), dpi=100)
        ax = fig.add_subplot()
        ax.set_title("反向传播：梯度 δ 与学习率 η")
        ax.set_xlabel("层 (layer)")
        return fig

    default = matplotlib.rcParams["font.family"]
    try:
        assert fonts.missing_glyphs(titled_figure()), "the check must see tofu in English fonts"
        i18n.set_language("zh")
        assert fonts.cjk_family() is not None, fonts.HOW_TO_GET_ONE
        assert fonts.missing_glyphs(titled_figure()) == []
        i18n.set_language("en")
        assert matplotlib.rcParams["font.family"] == default
    finally:
        matplotlib.rcParams["font.family"] = default


# --- labkit's own text, in Chinese -------------------------------------------------------------
# Every test below switches to Chinese and back through this fixture, so no other test of the
# suite ever sees another language (nor the CJK font in matplotlib's font list).


CJK = re.compile(r"[\u4e00-\u9fff]")
PO = ROOT / "labkit" / "locale" / "zh" / "LC_MESSAGES" / "labkit.po"


@pytest.fixture
def chinese():
    default = list(matplotlib.rcParams["font.family"])
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")
        matplotlib.rcParams["font.family"] = default


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))


def new_figure(figsize=(6.0, 4.0), panels: int = 1):
    fig = Figure(figsize=figsize, dpi=100)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    return fig, list(axes)


# One representative figure of each plot module the lessons draw with: (what it draws on,
# the Axes whose title and axis labels must be Chinese, which of those it has)
def _activations():
    from labkit.plot import plot_activation
    fig, (ax,) = new_figure()
    plot_activation("sigmoid", ax)
    return fig, ax, ("title", "xlabel")


def _network():
    from labkit.plot import draw_network
    fig, (ax,) = new_figure()
    draw_network([2, 3, 1], ax)
    return fig, ax, ("title",)


def _forward():
    from labkit.lessons.forward_pass.figures import draw_forward
    fig, (ax,) = new_figure((7.0, 4.0))
    rng = np.random.default_rng(0)
    draw_forward(lk.Sequential(lk.Linear(2, 2, rng=rng), lk.ReLU(), lk.Linear(2, 1, rng=rng)),
                 [2.0, 3.0], ax)
    return fig, ax, ("title",)


def _loss():
    from labkit.lessons.loss import plot_ce_and_mse_vs_p
    fig, axes = new_figure((9.0, 3.4), panels=2)
    plot_ce_and_mse_vs_p(axes)
    return fig, axes[1], ("title", "xlabel", "ylabel")


def _descent():
    from labkit.lessons.gradient_descent import descend, get_surface
    from labkit.lessons.gradient_descent.figures import plot_losses, plot_runs
    fig, axes = new_figure((8.0, 3.4), panels=2)
    surface = get_surface("ravine")
    run = descend(surface, steps=30, lr=0.1)
    plot_runs(surface, {"η = 0.1": run}, axes=[axes[0]])
    plot_losses(run, axes[1], f_min=surface.f_min)
    return fig, axes[1], ("title", "xlabel", "ylabel")


def _optimizers():
    from labkit.lessons.optimizers.figures import plot_schedules
    fig, (ax,) = new_figure()
    plot_schedules({"StepLR": lambda t: 0.1 * 0.5 ** (t // 10)}, 30, ax)
    return fig, ax, ("title", "xlabel", "ylabel")


def _backprop():
    from labkit.lessons.backprop.compute import worked_example
    from labkit.lessons.backprop.figures import draw_backprop_step
    fig = Figure(figsize=(10.0, 4.4), dpi=100)
    ax = fig.add_axes((0.0, 0.02, 0.56, 0.9))
    ledger = fig.add_axes((0.57, 0.02, 0.42, 0.9))
    draw_backprop_step(worked_example().trace(), 3, ax, ledger_ax=ledger)
    return fig, ax, ("title",)


def _graph():
    from labkit.lessons.computational_graphs.figures import draw_graph
    x, y = lk.Value(2.0, label="x"), lk.Value(3.0, label="y")
    out = x * y + x
    out.label = "L"
    out.backward()
    fig, (ax,) = new_figure((7.0, 3.0))
    draw_graph(out, ax)
    return fig, ax, ("title",)


def _gradcheck():
    from labkit.lessons.gradient_checking import make_study_net, study_data
    from labkit.lessons.gradient_checking.figures import plot_relative_errors
    X, y = study_data()
    report = lk.check_gradients(make_study_net("db not summed"), lk.MSELoss(), X, y)
    fig, (ax,) = new_figure((5.5, 3.2))
    plot_relative_errors(report, ax)
    return fig, ax, ("title", "ylabel")


def _classification():
    from labkit.lessons.capstone.figures import plot_history
    X, y = lk.make_moons(64, noise=0.1, rng=0)
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(2, 8, rng=rng), lk.Tanh(), lk.Linear(8, 2, rng=rng))
    history = lk.fit(net, lk.CrossEntropyLoss(), lk.Adam(net.parameters(), lr=0.01), X, y,
                     epochs=3, batch_size=16, rng=0, validation=(X, y))
    fig, axes = new_figure((9.0, 3.2), panels=2)
    plot_history(history, axes)
    return fig, axes[1], ("title", "xlabel", "ylabel")


def _diagnostics():
    from labkit.plot.diagnostics import plot_gradient_norms
    fig, (ax,) = new_figure()
    plot_gradient_norms({"sigmoid": [1e-6, 1e-4, 1e-2, 1.0]}, ax)
    return fig, ax, ("title", "xlabel", "ylabel")


def _boundary():
    from labkit.plot.boundary import plot_decision_boundary
    X, y = lk.make_moons(32, noise=0.1, rng=0)
    rng = np.random.default_rng(0)
    net = lk.Sequential(lk.Linear(2, 4, rng=rng), lk.Tanh(), lk.Linear(4, 2, rng=rng))
    fig, (ax,) = new_figure((4.0, 3.5))
    plot_decision_boundary(net, X, y, ax, resolution=40)
    return fig, ax, ("title",)


FIGURES = {"activations": _activations, "network": _network, "forward": _forward,
           "loss": _loss, "descent": _descent, "optimizers": _optimizers,
           "backprop": _backprop, "graph": _graph, "gradcheck": _gradcheck,
           "classification": _classification, "diagnostics": _diagnostics,
           "boundary": _boundary}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_plot_module_draws_chinese_labels_without_empty_boxes(name, chinese):
    fig, ax, parts = FIGURES[name]()
    texts = {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()}
    for part in parts:
        assert is_chinese(texts[part]), f"{name}: the {part} is not Chinese: {texts[part]!r}"
    assert fonts.missing_glyphs(fig) == []


def test_the_backprop_ledger_is_chinese_in_a_font_with_chinese(chinese):
    fig, _ax, _parts = _backprop()
    ledger = fig.axes[1].texts
    assert is_chinese(ledger[0].get_text()) and is_chinese(ledger[-1].get_text())
    assert fonts.missing_glyphs(fig) == []


@pytest.mark.parametrize("name", ["network", "descent", "backprop", "classification"])
def test_the_same_figures_in_english_have_no_chinese_left(name):
    fig, ax, parts = FIGURES[name]()
    assert not any(is_chinese(getattr(ax, f"get_{part}")()) for part in parts)


def test_missing_glyphs_sees_empty_boxes_in_a_figure_drawn_before(chinese):
    # matplotlib warns about a missing glyph only the first time it lays a text out; a widget's
    # figure is drawn long before a test looks at it
    from labkit.lessons.catalog import CATALOG
    lab = CATALOG["neuron_lab"]()
    lab.view.fig.axes[0].text(0.5, 0.5, "梯度", family="DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # matplotlib's own warning, at this first draw
        lab.update()
    assert len(fonts.missing_glyphs(lab.view.fig)) == 2
    assert len(fonts.missing_glyphs(lab.view.fig)) == 2


def test_widget_controls_title_and_status_are_chinese_and_labels_have_room(chinese):
    from labkit.lessons.catalog import CATALOG
    for name in ("descent_lab", "vanishing_lab", "batches_lab"):
        lab = CATALOG[name]()
        assert is_chinese(lab.title) and is_chinese(lab.last_status.text), name
        for key, control in lab.controls.items():
            label = control.description
            assert is_chinese(label), f"{name}.{key}: {label!r}"
            width = control.style.description_width if hasattr(control, "style") else ""
            if width.endswith("ch"):       # checkboxes put their text after the box
                assert int(width[:-2]) >= text_width(label), f"{name}.{key} is cut: {width}"
    # the values a control passes on never change with the language
    lab = CATALOG["optimizers_lab"]()
    assert dict(lab.controls["optimizer"].options)["动量"] == "momentum"
    assert lab.values["surface"] == "ravine"


def test_a_chinese_widget_label_gets_two_columns_per_character():
    import ipywidgets as W

    from labkit.widgets.base import fit_labels
    sliders = [W.FloatSlider(description="学习率 η"), W.FloatSlider(description="steps")]
    fit_labels(sliders)
    assert [s.style.description_width for s in sliders] == ["10ch", "10ch"]


def test_check_feedback_is_chinese(chinese, capsys):
    from labkit.core.layers import relu
    from labkit.course.checks import CheckFailed, check
    check("relu", relu, seed=0)
    assert capsys.readouterr().out.strip() == "\u2713 relu：8 个随机用例全部通过"
    with pytest.raises(CheckFailed, match="负的输入要变成 0"):
        check("relu", lambda z: np.abs(z), seed=0)
    with pytest.raises(CheckFailed, match="还没有实现"):
        check("relu", _not_implemented, seed=0)


def _not_implemented(z):
    raise NotImplementedError()


def _diverging_fit():
    X = np.full((4, 2), 1e200)
    net = lk.Sequential(lk.Linear(2, 1, rng=np.random.default_rng(0)))
    with np.errstate(all="ignore"), pytest.raises(lk.TrainingDiverged) as caught:
        lk.fit(net, lk.MSELoss(), lk.SGD(net.parameters(), lr=0.1), X, np.ones((4, 1)),
               epochs=2)
    return str(caught.value)


def test_fit_says_in_chinese_that_training_diverged(chinese):
    text = _diverging_fit()
    assert text.startswith("训练在第 1 步发散（第 1 轮，第 1 批）：")
    assert "梯度裁剪" in text and "lr=0.1" in text


def _english_sample() -> list[str]:
    from labkit.course.checks import evaluate
    from labkit.lessons.gradient_descent import descend, describe_run, get_surface
    surface = get_surface("ravine")
    fig, ax, _parts = _descent()
    return [describe_run(surface, descend(surface, steps=50, lr=0.25)).text, _diverging_fit(),
            evaluate("relu", lambda z: np.abs(z), seed=0).feedback, ax.get_title(),
            ax.get_xlabel(), *(t.get_text() for t in fig.axes[0].texts)]


def test_english_comes_back_exactly_after_chinese():
    english = _english_sample()
    assert "diverged after 33 steps" in english[0]
    i18n.set_language("zh")
    try:
        chinese = _english_sample()
    finally:
        i18n.set_language("en")
    assert chinese != english and is_chinese(chinese[0]) and is_chinese(chinese[1])
    assert _english_sample() == english


def _fields(text: str) -> list[tuple[str, str]]:
    """(name, format spec) of every replacement field, in order."""
    return [(name, spec) for _, name, spec, _ in string.Formatter().parse(text)
            if name is not None]


def test_every_translation_keeps_the_fields_of_its_english_sentence():
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh")
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {ids[0]!r}"
        names = sorted({name for name, _ in _fields(ids[0])})
        for text in strings:
            assert sorted({name for name, _ in _fields(text)}) == names, (ids[0], text)
            # and the translation formats with the values the English one takes
            values = {name: 1.5 if spec else "x" for name, spec in _fields(ids[0])}
            assert text.format(**values) and ids[0].format(**values)
        checked += 1
    assert checked > 400


def test_empty_text_and_marked_tables_are_not_looked_up(chinese):
    assert i18n._("") == ""                     # gettext("") would be the catalog's header
    assert i18n.N_("training loss") == "training loss"
    assert i18n._("training loss") == "训练损失"


def test_no_function_that_translates_rebinds_the_underscore():
    # `_, axes = plt.subplots(...)` inside a function that also calls _("...") makes `_` a
    # local variable there: the call then fails, on the learner's screen
    offenders = []
    for path in sorted((ROOT / "labkit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            calls = binds = False
            todo = list(ast.iter_child_nodes(fn))
            while todo:
                node = todo.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                     ast.ClassDef)):
                    continue            # their own scopes, checked on their own
                if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp,
                                     ast.GeneratorExp)):
                    todo += [g.iter for g in node.generators]   # its targets are its own
                    todo += [c for g in node.generators for c in g.ifs]
                    todo += [getattr(node, a) for a in ("elt", "key", "value")
                             if hasattr(node, a)]
                    continue
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
                    calls = True
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx,
                                                                                ast.Store):
                    binds = True
                todo += list(ast.iter_child_nodes(node))
            if calls and binds:
                offenders.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}")
    assert offenders == []


def test_wrapping_counts_a_chinese_character_as_two_columns():
    import textwrap
    text = "  dL/da[1] (forward cache) = [0.1234, 0.5678, 0.9, 1.2, 3.4, 5.6, 7.8]"
    assert fonts.wrap(text, 30, "      ") == textwrap.wrap(
        text, 30, subsequent_indent="      ", drop_whitespace=False)
    lines = fonts.wrap("  dL/da[1]（前向缓存）= [0.1234, 0.5678] 这是一个很长的中文句子需要换行",
                       24, "      ")
    assert len(lines) > 2 and all(text_width(line) <= 24 for line in lines)
    assert "".join(line.strip() for line in lines).startswith("dL/da[1]（前向缓存）=")


def test_the_titles_lessons_pass_to_labkit_are_in_the_catalog_and_drawn_in_chinese():
    titles = dict(catalogs.lesson_titles())
    assert titles["the ravine: loss per step"] == "lessons/03_gradient_descent.ipynb"
    i18n.set_language("zh")
    try:
        assert i18n._("the ravine: loss per step") == "峡谷：每一步的损失"
        untranslated = [t for t in titles if i18n._(t) == t]
        assert untranslated == []
    finally:
        i18n.set_language("en")


def test_a_lesson_cell_with_magics_still_gives_its_titles(tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    (tmp_path / "lessons").mkdir()
    cell = new_code_cell('%matplotlib inline\n!ls\nplot_thing(x, title="loss per step")')
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "lessons" / "01_x.ipynb")
    monkeypatch.setattr(catalogs, "ROOT", tmp_path)
    assert catalogs.lesson_titles() == [("loss per step", "lessons/01_x.ipynb")]
