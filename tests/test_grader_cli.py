"""`labkit grade` as an instructor runs it: arguments checked before any grading, a gradebook
never lost, exit codes that say what happened, shards that merge into the unsharded
gradebook, cases drawn from a secret seed that the gradebook records, and a refusal (not a
silent unsafe run) where no sandbox is available."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.course import sandbox
from labkit.course.cli import main as cli_main
from labkit.course.gradebook import merge, read_csv, render_csv
from labkit.course.grader import Result

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


@pytest.fixture
def subs(tmp_path) -> Path:
    """Eight learners over three exercises: solved and unsolved, one unreadable."""
    folder = tmp_path / "subs"
    for i, name in enumerate(["01_forward_pass", "04_backprop", "09_optimizers"] * 2 + [""]):
        (folder / f"learner{i}").mkdir(parents=True)
        if name:
            source = ROOT / ("solutions" if i % 2 == 0 else "exercises") / f"{name}.ipynb"
            shutil.copy(source, folder / f"learner{i}" / f"{name}.ipynb")
        else:
            (folder / f"learner{i}" / "broken.ipynb").write_text('{"cells": [')
    return folder


def grade(*args: str) -> int:
    return cli_main(["grade", *args, "--quiet"])


@pytest.mark.parametrize("bad, words", [
    (["--out", "/no/such/folder/g.csv"], "no folder /no/such/folder"),
    (["--solutions", "{empty}"], "no solution notebooks"),   # a folder holding no notebook
    (["--cell-timeout", "0"], "must be > 0"),
    (["--total-timeout", "-1"], "must be > 0"),
    (["--workers", "0"], "must be > 0"),
    (["--seed", "-3"], "must be >= 0"),
    (["--shard", "4/3"], "1 <= I <= N"),
    (["--shard", "two"], "must be I/N"),
    (["--shard", "1/2"], "--shard needs --seed"),        # shards must grade the same cases
])
def test_bad_arguments_are_refused_before_grading_in_one_line(subs, tmp_path, capsys, bad,
                                                              words):
    (tmp_path / "empty").mkdir()
    bad = [arg.format(empty=tmp_path / "empty") for arg in bad]
    code = grade(str(subs), "--out", str(tmp_path / "g.csv"), *bad)
    err = capsys.readouterr().err
    assert code == 2 and words in err
    assert not (tmp_path / "g.csv").exists()


def test_an_existing_gradebook_is_kept_unless_forced(subs, tmp_path, capsys):
    out = tmp_path / "g.csv"
    out.write_text("last week's grades\n")
    assert grade(str(subs), "--out", str(out)) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert out.read_text() == "last week's grades\n"


def test_exit_code_and_summary_say_what_could_not_be_graded(subs, tmp_path, capsys):
    out = tmp_path / "g.csv"
    assert grade(str(subs), "--out", str(out)) == 1  # learner6's broken notebook
    text = capsys.readouterr().out
    assert "graded 7 notebooks" in text and "could not be graded" in text
    rows = {r.learner: r for r in read_csv(out)}
    assert rows["learner6"].status == "unreadable"
    assert rows["learner0"].total == rows["learner0"].max_points > 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert grade(str(empty), "--out", str(tmp_path / "e.csv")) == 1
    assert "nothing was found to grade" in capsys.readouterr().out


def test_three_parallel_shards_merge_into_the_unsharded_gradebook(subs, tmp_path):
    single = tmp_path / "single.csv"
    grade(str(subs), "--out", str(single), "--workers", "1", "--seed", "31337")
    shards = [tmp_path / f"shard{i}.csv" for i in (1, 2, 3)]
    procs = [subprocess.Popen([sys.executable, "-m", "labkit", "grade", str(subs), "--quiet",
                               "--shard", f"{i}/3", "--out", str(path), "--workers", "1",
                               "--seed", "31337"])
             for i, path in zip((1, 2, 3), shards)]
    assert all(p.wait(timeout=300) in (0, 1) for p in procs)
    sizes = [len(read_csv(p)) for p in shards]
    assert sum(sizes) == 7 and max(sizes) < 7  # a real split: no shard has everything
    merged = tmp_path / "merged.csv"
    assert cli_main(["grade", "merge", *map(str, shards), "--out", str(merged)]) == 1
    assert merged.read_bytes() == single.read_bytes()
    two = tmp_path / "two.csv"
    grade(str(subs), "--out", str(two), "--workers", "2", "--seed", "31337")
    assert two.read_bytes() == single.read_bytes()
    assert {r.seed for r in read_csv(single)} == {31337}


def test_by_default_every_run_draws_a_secret_seed_and_records_it(tmp_path, capsys):
    # the cases follow from the seed and labkit is open: a seed the learners could know is a
    # seed whose answers they could bring (tests/test_grader_hostile.py, k14)
    folder = tmp_path / "subs" / "ann"
    folder.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "04_backprop.ipynb", folder)
    seeds = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.csv"
        assert grade(str(tmp_path / "subs"), "--out", str(out)) == 0
        (row,) = read_csv(out)
        assert row.total == row.max_points > 0
        assert f"--seed {row.seed}" in capsys.readouterr().out
        seeds.append(row.seed)
    assert seeds[0] != seeds[1] and all(s is not None and s >= 0 for s in seeds)


def test_merge_refuses_shards_graded_with_different_seeds(tmp_path):
    for name, seed in (("a.csv", 1), ("b.csv", 2)):
        r = Result(name[0], f"{name[0]}/04.ipynb", "04_backprop", {"p": 1.0}, 1.0, seed=seed)
        (tmp_path / name).write_text(render_csv([r]))
    with pytest.raises(ValueError, match="different seeds .*a.csv: 1, .*b.csv: 2"):
        merge([tmp_path / "a.csv", tmp_path / "b.csv"])


def test_a_gradebook_written_before_the_seed_column_is_still_read_and_merged(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_text(
            "learner,exercise,file,p,total,max,status,feedback\r\n"
            f"{name},04_backprop,{name}/04.ipynb,1,1,1,graded,fine | ok\r\n")
    merged = merge([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert [(r.learner, r.points, r.seed, r.feedback) for r in merged] == [
        ("a", {"p": 1.0}, None, ["fine", "ok"]), ("b", {"p": 1.0}, None, ["fine", "ok"])]
    assert render_csv(merged).splitlines()[0].endswith(",feedback,seed")


def test_merge_refuses_a_notebook_graded_in_two_shards(tmp_path):
    one = Result("ann", "ann/04.ipynb", "04_backprop", {"p": 1.0}, 1.0)
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text(render_csv([one]))
    with pytest.raises(ValueError, match="more than one gradebook"):
        merge([tmp_path / "a.csv", tmp_path / "b.csv"])


def test_learner_text_cannot_become_a_spreadsheet_formula_and_round_trips(tmp_path):
    r = Result("=HYPERLINK(1)", "=x/04.ipynb", "04_backprop", {"p": 0.0}, 1.0,
               feedback=["-1 raised ValueError", "'quoted"])
    text = render_csv([r])
    assert "\n'=HYPERLINK(1)," in text
    (tmp_path / "g.csv").write_text(text)
    (back,) = read_csv(tmp_path / "g.csv")
    assert (back.learner, back.file, back.feedback) == (r.learner, r.file, r.feedback)


def test_without_bubblewrap_grading_refuses_and_says_how_to_get_it(subs, tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert grade(str(subs), "--out", str(tmp_path / "g.csv")) == 2
    err = capsys.readouterr().err
    assert "refusing to grade without a sandbox" in err and "apt-get install bubblewrap" in err
    assert not (tmp_path / "g.csv").exists()


def test_no_sandbox_is_loudly_warned(tmp_path, capsys):
    folder = tmp_path / "subs" / "ann"
    folder.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "04_backprop.ipynb", folder)
    with pytest.warns(UserWarning, match="WITHOUT a sandbox"):
        assert grade(str(tmp_path / "subs"), "--out", str(tmp_path / "g.csv"),
                     "--no-sandbox") == 0
    assert "WARNING: --no-sandbox" in capsys.readouterr().err


def test_python_dash_m_labkit_is_the_labkit_command():
    done = subprocess.run([sys.executable, "-m", "labkit", "grade", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--shard I/N" in done.stdout


def test_the_cluster_examples_shard_and_merge_as_documented():
    yaml = pytest.importorskip("yaml")  # PyYAML comes with JupyterLab
    job = yaml.safe_load((ROOT / "tools/grading/k8s-indexed-job.yaml").read_text())
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    args = " ".join(spec["template"]["spec"]["containers"][0]["args"])
    assert f'--shard "$shard/{spec["completions"]}"' in args and "JOB_COMPLETION_INDEX" in args
    (env,) = spec["template"]["spec"]["containers"][0]["env"]
    assert '--seed "$LABKIT_SEED"' in args and env["name"] == "LABKIT_SEED"
    assert env["valueFrom"]["secretKeyRef"]["name"] in job_comment_lines(
        ROOT / "tools/grading/k8s-indexed-job.yaml")
    script = ROOT / "tools/grading/slurm-array.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert "--shard \"${SLURM_ARRAY_TASK_ID}/${shards}\"" in script.read_text()
    assert '--seed "$seed"' in script.read_text()     # every shard: the same cases


def job_comment_lines(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if line.startswith("#"))
