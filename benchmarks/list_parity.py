"""Lead-list parity: every list the generator wrote, scored by `leadhouse score`, vs the warehouse.

    python -m benchmarks.list_parity LANDING_DIR WAREHOUSE.duckdb [--model default] [--work DIR]

Each ``LANDING_DIR/lead_lists/*/*.csv`` is scored with ``leadhouse score --input <list> --id
email``; people are joined to ``marts.mart_lead_scores`` through the ``lead_id`` the scorer
writes (the models' lead_id macro on the normalised e-mail). Printed per list and in total: the
share of people whose list ``profile_fit_score`` is within 0.5 points of the warehouse's (the
issue-14 goal: >= 99 % on every list), and, for reference, the share within 0.5 of the
warehouse's full ``fit_score`` (which adds the form answers a list cannot carry).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import tempfile
from pathlib import Path

import duckdb

from orchestration.cli import main as cli


def parity(landing: Path, warehouse: Path, model: str, work: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    scores = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "select lead_id, cast(profile_fit_score as double), cast(fit_score as double) "
            "from marts.mart_lead_scores where model_id = ?",
            [model],
        ).fetchall()
    }
    con.close()
    rows = []
    for path in sorted((Path(landing) / "lead_lists").glob("*/*.csv")):
        out = work / f"{path.parent.name}__{path.stem}.scored.csv"
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli(
                ["score", "--input", str(path), "--id", "email", "--model", model,
                 "--out", str(out)]
            )  # fmt: skip
        assert code == 0, path
        n = profile = full = missing = 0
        with out.open(newline="") as fh:
            for r in csv.DictReader(fh):
                if not r["lead_id"]:
                    continue  # an invalid address: not a lead in the warehouse either
                if r["lead_id"] not in scores:
                    missing += 1
                    continue
                wp, wf = scores[r["lead_id"]]
                n += 1
                profile += abs(float(r["profile_fit_score"]) - wp) <= 0.5
                full += abs(float(r["fit_score"]) - wf) <= 0.5
        rows.append(
            {"list": f"{path.parent.name}/{path.name}", "people": n, "profile": profile,
             "full": full, "not_in_warehouse": missing}
        )  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("landing", type=Path)
    p.add_argument("warehouse", type=Path)
    p.add_argument("--model", default="default")
    p.add_argument("--work", type=Path)
    a = p.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="parity-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = parity(a.landing, a.warehouse, a.model, work)
    worst = 1.0
    for r in rows:
        share = r["profile"] / r["people"] if r["people"] else 1.0
        worst = min(worst, share)
        print(
            f"{r['list']:<60} {r['people']:>6} people  profile fit within 0.5: "
            f"{100 * share:6.2f} %  full fit: {100 * r['full'] / max(r['people'], 1):6.2f} %"
            + (f"  ({r['not_in_warehouse']} not in the warehouse)" if r["not_in_warehouse"] else "")
        )
    people = sum(r["people"] for r in rows)
    full = sum(r["full"] for r in rows) / max(people, 1)
    print(
        f"{len(rows)} lists, {people:,} people: profile fit within 0.5 points "
        f"{100 * sum(r['profile'] for r in rows) / max(people, 1):.2f} % (worst list "
        f"{100 * worst:.2f} %), full fit {100 * full:.2f} %"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
