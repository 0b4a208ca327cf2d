"""``leadhouse ingest`` runs the same loading code and prints the counts."""

from orchestration.cli import main


def test_cli_ingest_prints_counts(lh_env, capsys):
    assert main(["ingest", "--source", "web_events", "--source", "crm_deals"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()}
    assert lines["web_events"] == ["1", "0", "7", "7", "0", "0"]
    assert lines["crm_deals"] == ["2", "0", "4", "4", "0", "0"]
    assert "email_events" not in lines
    assert "reconciliation: ok" in out
    assert main(["ingest", "--landing", str(lh_env["landing"])]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()}
    assert lines["web_events"] == ["0", "1", "0", "0", "0", "0"]
    assert lines["email_events"] == ["3", "0", "8", "8", "0", "0"]


def test_cli_changed_file_is_reloaded_with_a_warning(lh_env, capsys):
    assert main(["ingest", "--source", "lead_lists"]) == 0
    path = lh_env["landing"] / "lead_lists" / "dt=2024-05-01" / "tradeshow__saastr_2024.csv"
    path.write_text(path.read_text() + "new@x.io,N,N,,,,,,,\n")
    assert main(["ingest", "--source", "lead_lists"]) == 0
    out = capsys.readouterr().out
    assert (
        "WARN changed after load (new records loaded, the rest duplicates): "
        "lead_lists/dt=2024-05-01/tradeshow__saastr_2024.csv" in out
    )
    assert "reconciliation: ok" in out
