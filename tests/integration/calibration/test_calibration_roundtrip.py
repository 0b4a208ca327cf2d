"""`calibrate --input` then `score --input` on arbitrary files: the points keep the model's ranking.

Synthetic tables with a known generating model: odd column names, a placeholder value, a
numeric column with a monotone effect, and a 300-value categorical with real signal.
"""

import csv

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from orchestration.calibration.csv_calibration import calibrate_csv
from orchestration.cli import main

ID, OUTCOME = "Prospect #", "Won?"
PAGE, SOURCE, TIME, ROLE = "Landing Page (URL)", "Lead Source", "Total Time (s)", "Rôle, stated"


def generate(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows and the true log-odds of the known generating model."""
    rng = np.random.default_rng(seed)
    page_effect = np.random.default_rng(99).normal(0, 0.9, 300)  # fixed across files
    page = rng.integers(0, 300, n)
    source = rng.choice(["google", "referral", "olark chat", "Select", ""], n)
    time_s = rng.exponential(600, n).round()
    role = rng.choice(["student", "working professional", "unemployed", "other"], n)
    logit = (
        -1.2
        + page_effect[page]
        + 0.9 * (source == "referral")
        - 0.7 * (source == "olark chat")
        + 1.1 * np.log1p(time_s / 300)
        + 1.0 * (role == "working professional")
        - 0.8 * (role == "student")
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame(
        {
            ID: [f"P-{seed}-{i}" for i in range(n)],
            PAGE: [f"https://x.io/lp/{p}?v=1,2" for p in page],
            SOURCE: source,
            TIME: [str(int(t)) if i % 17 else "N/A" for i, t in enumerate(time_s)],
            ROLE: role,
            OUTCOME: np.where(y == 1, "yes", "no"),
        }
    )
    return frame, logit


def write(frame: pd.DataFrame, path) -> None:
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)


def reference_auc(train: pd.DataFrame, hold: pd.DataFrame) -> float:
    """A cross-validated logistic regression on the same columns (one-hot text, scaled number)."""

    def prep(df: pd.DataFrame) -> pd.DataFrame:
        out = df[[PAGE, SOURCE, ROLE]].copy()
        out[TIME] = pd.to_numeric(df[TIME], errors="coerce")
        return out

    model = make_pipeline(
        ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), [PAGE, SOURCE, ROLE]),
                (
                    "num",
                    make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()),
                    [TIME],
                ),
            ]
        ),
        LogisticRegressionCV(
            Cs=8,
            cv=5,
            scoring="roc_auc",
            max_iter=2000,
            l1_ratios=(0.0,),
            use_legacy_attributes=False,
        ),
    )
    model.fit(prep(train), (train[OUTCOME] == "yes").astype(int))
    return roc_auc_score((hold[OUTCOME] == "yes").astype(int), model.decision_function(prep(hold)))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    train, _ = generate(8000, seed=1)
    hold, hold_logit = generate(4000, seed=2)
    write(train, root / "train.csv")
    write(hold.drop(columns=[OUTCOME]), root / "hold.csv")
    return root, train, hold, hold_logit


@pytest.fixture(scope="module")
def calibrated(files):
    root, *_ = files
    return calibrate_csv(root / "train.csv", ID, OUTCOME, root / "cal")


def test_points_keep_the_models_ranking_out_of_fold(calibrated):
    assert calibrated.oof_auc_points >= calibrated.oof_auc_model - 0.005
    assert calibrated.oof_auc_model > 0.75  # the known model is learnable


def test_high_cardinality_attribute_with_signal_is_used(files, calibrated):
    _, train, *_ = files
    assert PAGE not in calibrated.design.skipped
    rules = list(csv.DictReader((files[0] / "cal" / "scoring_fit_rules.csv").open()))
    page_rules = [r for r in rules if r["attribute"] == PAGE]
    assert len(page_rules) >= 100  # pages seen often enough have their own (smoothed) points
    # the points follow the true page effects
    effect = np.random.default_rng(99).normal(0, 0.9, 300)
    pts = {r["value"]: float(r["points"]) for r in page_rules if r["operator"] == "equals"}
    pairs = [(effect[int(v.split("/lp/")[1].split("?")[0])], p) for v, p in pts.items()]
    assert np.corrcoef(np.array(pairs).T)[0, 1] > 0.6


def test_calibrate_then_score_a_held_out_file(files, calibrated, tmp_path, capsys):
    root, train, hold, hold_logit = files
    out = tmp_path / "scored.csv"
    code = main(
        [
            "score",
            "--input",
            str(root / "hold.csv"),
            "--id",
            ID,
            "--rules",
            str(root / "cal"),
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    scored = pd.read_csv(out, dtype={ID: str}).set_index(ID)
    assert len(scored) == len(hold)
    y = (hold[OUTCOME] == "yes").astype(int).to_numpy()
    ours = roc_auc_score(y, scored.loc[hold[ID], "fit_score"].to_numpy())
    assert ours >= reference_auc(train, hold) - 0.01
    assert ours >= roc_auc_score(y, hold_logit) - 0.03  # close to the true model's ranking
