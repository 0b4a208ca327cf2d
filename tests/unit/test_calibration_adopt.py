"""Adopting a calibrated version merges its rows into seeds/ and backs up what it replaced."""

import csv

import pytest

from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.seeds_io import adopt, merge_rows
from orchestration.cli import main


def write(path, rows, cols):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def read(path):
    return list(csv.DictReader(path.open()))


COLS = ["model_id", "rule_id", "points"]


def test_merge_rows_replaces_only_the_incoming_models_in_place():
    cur = [
        {"model_id": "a", "rule_id": "1"},
        {"model_id": "b", "rule_id": "2"},
        {"model_id": "a", "rule_id": "3"},
    ]
    new = [{"model_id": "a", "rule_id": "9"}]
    assert merge_rows(cur, new) == [
        {"model_id": "a", "rule_id": "9"},
        {"model_id": "b", "rule_id": "2"},
    ]
    assert merge_rows(cur[:1], [{"model_id": "z", "rule_id": "0"}])[-1]["model_id"] == "z"


def test_adopt_merges_and_backs_up(tmp_path):
    seeds = tmp_path / "seeds"
    write(
        seeds / "scoring_fit_rules.csv",
        [
            {"model_id": "default", "rule_id": "r1", "points": "10"},
            {"model_id": "other", "rule_id": "r2", "points": "5"},
        ],
        COLS,
    )
    version = tmp_path / "calibration" / "v1"
    write(
        version / "scoring_fit_rules.csv",
        [{"model_id": "default", "rule_id": "r1", "points": "33"}],
        COLS,
    )
    written = adopt(version, seeds_dir=seeds)
    assert [p.name for p in written] == ["scoring_fit_rules.csv"]
    assert read(seeds / "scoring_fit_rules.csv") == [
        {"model_id": "default", "rule_id": "r1", "points": "33"},
        {"model_id": "other", "rule_id": "r2", "points": "5"},
    ]
    backups = list((tmp_path / "calibration" / "_backups").glob("*/scoring_fit_rules.csv"))
    assert len(backups) == 1 and read(backups[0])[0]["points"] == "10"


def test_adopt_refuses_a_different_header(tmp_path):
    seeds = tmp_path / "seeds"
    write(seeds / "scoring_fit_rules.csv", [{"model_id": "d", "rule_id": "r", "points": "1"}], COLS)
    write(
        tmp_path / "v" / "scoring_fit_rules.csv",
        [{"model_id": "d", "rule_id": "r"}],
        ["model_id", "rule_id"],
    )
    with pytest.raises(CalibrationInputError, match="header"):
        adopt(tmp_path / "v", seeds_dir=seeds)
    assert read(seeds / "scoring_fit_rules.csv")[0]["points"] == "1"


def test_adopt_cli_unknown_version_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path))
    assert main(["calibrate", "--adopt", "nope"]) == 2
    assert "no scoring_*.csv seed files" in capsys.readouterr().err
