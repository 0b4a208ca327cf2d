"""`leadhouse calibrate --input FILE.csv`: bad input errors and learning a known relation."""

import csv

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from orchestration.calibration.csv_calibration import calibrate_csv
from orchestration.calibration.csv_features import build_csv_design
from orchestration.calibration.metrics import is_monotonic
from orchestration.calibration.seeds_io import seed_columns
from orchestration.cli import main


def write_csv(path, header, rows):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def synthetic(path, n, seed):
    """Known logistic relation: industry, seniority and employee count drive conversion."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(["software", "retail", "education", "finance"], n)
    seniority = rng.choice(["vp", "manager", "individual", "student", "Select", ""], n)
    employees = rng.lognormal(5, 1.5, n).round()
    logit = (
        -1.0
        + 1.5 * (industry == "software")
        + 0.7 * (industry == "finance")
        + 1.0 * (seniority == "vp")
        - 2.0 * (seniority == "student")
        + 0.6 * (np.log10(employees + 1) - 2)
    )
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    rows = [
        [
            f"L{i}",
            industry[i],
            seniority[i],
            int(employees[i]) if i % 13 else "N/A",
            rng.choice(["a", "b"]),
            int(y[i]),
        ]
        for i in range(n)
    ]
    return write_csv(
        path, ["lead", "industry", "seniority", "employee_count", "noise", "won"], rows
    )


def run_cli(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "header, rows, extra, message",
    [
        (
            ["lead", "industry", "won"],
            [["1", "a", "1"], ["2", "b", "0"]],
            ["--id", "nope", "--outcome", "won"],
            "id column 'nope' not found",
        ),
        (
            ["lead", "industry", "won"],
            [["1", "a", "1"], ["2", "b", "0"]],
            ["--id", "lead", "--outcome", "x"],
            "outcome column 'x' not found",
        ),
        (
            ["lead", "industry", "won"],
            [["1", "a", "1"], ["2", "b", "maybe"]],
            ["--id", "lead", "--outcome", "won"],
            "outcome column 'won' is not binary: unexpected values 'maybe'",
        ),
        (
            ["lead", "industry", "won"],
            [["1", "a", "1"], ["2", "b", "1"]],
            ["--id", "lead", "--outcome", "won"],
            "outcome column 'won' is not binary: every row has the value 1",
        ),
        (
            ["lead", "industry", "blank", "won"],
            [["1", "a", "N/A", "1"], ["2", "b", "", "0"]],
            ["--id", "lead", "--outcome", "won"],
            "only missing values: blank",
        ),
        (
            ["lead", "industry", "won"],
            [],
            ["--id", "lead", "--outcome", "won"],
            "has a header but no rows",
        ),
        (
            ["lead", "won"],
            [["1", "1"], ["2", "0"]],
            ["--id", "lead", "--outcome", "won"],
            "no candidate attribute columns",
        ),
        (
            ["lead", "industry", "won"],
            [["1", "a", "1"], ["2", "b", "0"]],
            ["--id", "lead", "--outcome", "won", "--exclude", "zzz"],
            "--exclude names unknown column(s): zzz",
        ),
    ],
)
def test_bad_input_exit_2_names_the_problem(tmp_path, capsys, header, rows, extra, message):
    path = write_csv(tmp_path / "in.csv", header, rows)
    code, _, err = run_cli(
        ["calibrate", "--input", str(path), *extra, "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2
    assert message in err
    assert not (tmp_path / "o" / "scoring_fit_rules.csv").exists()


def test_empty_file_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, _, err = run_cli(
        [
            "calibrate",
            "--input",
            str(path),
            "--id",
            "a",
            "--outcome",
            "b",
            "--out",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 2 and "input file is empty" in err


def test_placeholders_are_missing_and_numbers_are_bucketed(tmp_path):
    import duckdb

    path = synthetic(tmp_path / "s.csv", 2000, seed=3)
    d = build_csv_design(duckdb.connect(), path, "lead", "won")
    ops = {(lv.attribute, lv.operator) for lv in d.levels}
    assert ("seniority", "is_missing") in ops and ("employee_count", "is_missing") in ops
    assert ("employee_count", "range") in ops
    assert not any(lv.value in ("select", "Select") for lv in d.levels)
    ranges = [lv.value for lv in d.levels if lv.operator == "range"]
    assert len(ranges) == 5 and ranges[0].startswith("..") and ranges[-1].endswith("..")
    # inclusive, non-overlapping integer bounds: each bucket ends one below the next start
    bounds = [r.split("..") for r in ranges]
    assert all(int(b[1]) + 1 == int(n[0]) for b, n in zip(bounds[:-1], bounds[1:], strict=True))
    # every row has exactly one level per attribute (4 attributes)
    assert set(d.X.sum(axis=1).tolist()) == {4.0}


def test_cli_writes_seed_format_and_report(tmp_path, capsys):
    path = synthetic(tmp_path / "s.csv", 3000, seed=5)
    code, out, _ = run_cli(
        [
            "calibrate",
            "--input",
            str(path),
            "--id",
            "lead",
            "--outcome",
            "won",
            "--exclude",
            "noise",
            "--out",
            str(tmp_path / "cal"),
        ],
        capsys,
    )
    assert code == 0
    assert "out-of-fold AUC of the points" in out and "loss" in out
    with (tmp_path / "cal" / "scoring_fit_rules.csv").open() as fh:
        header = fh.readline().strip().split(",")
    # the project's seed format (seeds/scoring_fit_rules.csv), column for column
    assert header[:8] == seed_columns("scoring_fit_rules")
    rules = list(csv.DictReader((tmp_path / "cal" / "scoring_fit_rules.csv").open()))
    assert {r["operator"] for r in rules} <= {"equals", "in", "range", "is_missing"}
    assert all(r["model_id"] == "calibrated" and r["persona_id"] == "all" for r in rules)
    assert not any(r["attribute"] == "noise" for r in rules)
    assert all(r["value"] == "true" for r in rules if r["operator"] == "is_missing")
    models = list(csv.DictReader((tmp_path / "cal" / "scoring_models.csv").open()))
    assert models[0]["model_id"] == "calibrated" and models[0]["is_champion"] == "false"
    assert (tmp_path / "cal" / "report.html").read_text().count("data:image/png;base64,") >= 2


def test_calibrated_points_beat_misset_points_on_holdout_and_deciles_are_monotonic(tmp_path):
    import duckdb

    from orchestration.calibration.metrics import deciles

    train = synthetic(tmp_path / "train.csv", 10000, seed=1)
    hold = synthetic(tmp_path / "hold.csv", 10000, seed=2)
    cal = calibrate_csv(train, "lead", "won", tmp_path / "cal", ("noise",))
    pts = {
        (lv.attribute, lv.value): int(p)
        for lv, p in zip(cal.design.levels, cal.points, strict=True)
    }
    assert (
        pts[("industry", "software")] > pts[("industry", "finance")] > pts[("industry", "retail")]
    )
    assert (
        pts[("seniority", "student")] == 0
        and pts[("seniority", "vp")] > pts[("seniority", "manager")]
    )
    # the holdout, scored with the calibrated points vs deliberately mis-set (inverted) points
    d = build_csv_design(duckdb.connect(), hold, "lead", "won", ("noise",))
    key = {
        (lv.attribute, lv.operator, lv.value): p
        for lv, p in zip(cal.design.levels, cal.points, strict=True)
    }
    calibrated = d.X @ np.array(
        [key.get((lv.attribute, lv.operator, lv.value), 0) for lv in d.levels]
    )
    misset = d.X @ np.array(
        [100 - key.get((lv.attribute, lv.operator, lv.value), 0) for lv in d.levels]
    )
    auc_cal, auc_bad = roc_auc_score(d.y, calibrated), roc_auc_score(d.y, misset)
    assert auc_cal > 0.70 and auc_cal > auc_bad + 0.3
    # conversion by decile of the calibrated score rises monotonically. Integer scores tie, and a tie
    # block split across two deciles makes them statistically equal: allow 2 binomial standard errors
    # (n = 1000 per decile, p(1-p) <= 0.25) and require a strong overall rise.
    observed = [x["observed"] for x in deciles(calibrated, calibrated, d.y)]
    assert is_monotonic(observed, tolerance=2 * np.sqrt(0.25 / 1000))
    assert observed[-1] > observed[0] + 0.4
