"""`leadhouse score`: the dbt macros' SQL on any CSV; identical to the dbt fit model."""

import csv

import duckdb
import pytest
from calibration_synthetic import build_warehouse
from score_cli import export_leads_and_rules, fit_scores, score

from orchestration.calibration.seeds_io import seed_columns
from orchestration.transform.dbt_runner import run_dbt

LEADS = [
    # id, industry, company_size_bucket, seniority, job_function, region, is_free_email, employee_count
    ["a", "software", "201-1000", "vp", "sales", "North America", "false", "300"],
    ["b", "retail", "1-10", "student", "other", "Asia", "true", ""],
    ["c", "Software", "51-200", "manager", "marketing", "Europe", "false", "N/A"],
]
HEADER = [
    "id",
    "industry",
    "company_size_bucket",
    "seniority",
    "job_function",
    "region",
    "is_free_email",
    "employee_count",
]


def write(path, header, rows):
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def rules_dir(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    write(
        d / "scoring_fit_rules.csv",
        seed_columns("scoring_fit_rules"),
        [
            ["m", "p1", "ind", "industry", "equals", "software", "40", ""],
            ["m", "p1", "vp", "seniority", "in", "vp|c_level", "30", ""],
            ["m", "p1", "free", "is_free_email", "is_free_email", "true", "-20", ""],
            ["m", "p1", "emp", "employee_count", "range", "100..1000", "10", ""],
            ["m", "p1", "emp_missing", "employee_count", "is_missing", "true", "5", ""],
            ["m", "p2", "stud", "seniority", "equals", "student", "-50", ""],
            ["m", "p2", "mkt", "job_function", "equals", "marketing", "60", ""],
        ],
    )
    write(
        d / "scoring_models.csv", ["model_id", "model_version", "is_champion"], [["m", "1", "true"]]
    )
    return d


def test_score_csv_with_a_rules_folder(tmp_path, capsys):
    path = write(tmp_path / "leads.csv", HEADER, LEADS)
    out = tmp_path / "scored.csv"
    assert score(path, out, "--id", "id", rules=rules_dir(tmp_path)) == 0
    rows = {r["id"]: r for r in csv.DictReader(out.open())}
    # a: industry 40 + vp 30 + range 10 = 80 (p1); b: p1 -20+5 -> 0, p2 -50 -> 0; c: p2 marketing 60
    assert {k: float(v["fit_score"]) for k, v in rows.items()} == {"a": 80.0, "b": 0.0, "c": 60.0}
    assert rows["a"]["best_persona_id"] == "p1" and rows["c"]["best_persona_id"] == "p2"
    assert (
        rows["a"]["fit_grade"] == "A"
        and rows["c"]["fit_grade"] == "B"
        and rows["b"]["fit_grade"] == "D"
    )
    assert rows["a"]["top_rules"] == "ind (+40.0); vp (+30.0); emp (+10.0)"
    assert "scored 3 leads with model 'm'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv_extra, rows, message",
    [
        (["--id", "nope"], LEADS, "id column 'nope' not found"),
        (["--id", "id", "--model", "zz"], LEADS, "model 'zz' has no fit rules"),
    ],
)
def test_score_bad_input_exit_2(tmp_path, capsys, argv_extra, rows, message):
    path = write(tmp_path / "leads.csv", HEADER, rows)
    code = score(path, tmp_path / "o.csv", *argv_extra, rules=rules_dir(tmp_path))
    assert code == 2 and message in capsys.readouterr().err


def test_score_rejects_rules_on_attributes_the_sql_does_not_read(tmp_path, capsys):
    d = rules_dir(tmp_path)
    with (d / "scoring_fit_rules.csv").open("a") as fh:
        fh.write("m,p1,x,favourite_colour,equals,blue,5,\n")
    path = write(tmp_path / "leads.csv", HEADER, LEADS)
    assert score(path, tmp_path / "o", "--id", "id", rules=d) == 2
    assert "favourite_colour" in capsys.readouterr().err


@pytest.mark.slow
def test_score_equals_the_dbt_fit_model(tmp_path):
    """Same leads, same (project) rules: `leadhouse score` == int_scoring_fit__scores built by dbt."""
    wh = build_warehouse(tmp_path / "parity.duckdb", n=400, seed=11)
    run_dbt(["seed", "--select", "scoring_fit_rules", "--quiet"], tmp_path / "dbt", wh)
    run_dbt(["run", "--select", "int_scoring_fit__scores", "--quiet"], tmp_path / "dbt", wh)
    con = duckdb.connect(str(wh))
    leads, rules = export_leads_and_rules(con, tmp_path)
    dbt_scores = {
        (r[0], r[1]): (float(r[2]), r[3])
        for r in con.execute(
            "select lead_id, model_id, fit_score, best_persona_id from intermediate.int_scoring_fit__scores"
        ).fetchall()
    }
    con.close()
    models = sorted({m for _, m in dbt_scores})
    assert models == ["challenger", "default"]
    for model in models:
        out = tmp_path / f"scored_{model}.csv"
        assert score(leads, out, "--id", "lead_id", "--model", model, rules=rules) == 0
        ours = {(lead, model): fit for lead, fit in fit_scores(out).items()}
        expected = {k: v for k, v in dbt_scores.items() if k[1] == model}
        assert len(ours) == 400 and ours == expected
        assert len({v[0] for v in ours.values()}) > 5  # scores actually vary


def test_placeholders_are_values_unless_asked(tmp_path):
    """'N/A' is a value for the dbt macro; --placeholders-missing makes it missing (as calibrate does)."""
    d = rules_dir(tmp_path)
    path = write(
        tmp_path / "leads.csv",
        ["id", "industry", "employee_count", "region"],
        [["x", "N/A", "N/A", "NA"]],
    )
    with (d / "scoring_fit_rules.csv").open("a") as fh:
        fh.write("m,p1,ind_missing,industry,is_missing,true,7,\nm,p1,na,region,equals,NA,3,\n")
    for flag, expected in (([], 5.0 + 3.0), (["--placeholders-missing"], 5.0 + 7.0 + 3.0)):
        out = tmp_path / f"o{len(flag)}.csv"
        assert score(path, out, "--id", "id", *flag, rules=d) == 0
        assert float(next(csv.DictReader(out.open()))["fit_score"]) == expected
