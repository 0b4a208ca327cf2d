"""Erasure building blocks: whole-word matching of a person's identifiers, and the ingestion
hook that drops records of tombstoned people."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.privacy import tombstones
from orchestration.privacy.matching import Subject


def test_subject_matches_whole_identifiers_only():
    s = Subject(emails={"bob@x.com"}, anonymous_ids={"anon-1"}, lead_ids={"ab12"})
    assert s.matches('{"email":"BOB@X.COM"}')
    assert s.matches("email=bob%40x.com&first_name=Bob")
    assert s.matches("bob@x.com.")  # end of a sentence
    assert s.matches('"anonymousId":"anon-1"')
    assert not s.matches("jimbob@x.com")
    assert not s.matches("bob@x.com.au")
    assert not s.matches('"anonymousId":"anon-12"')
    assert not s.matches("xab12") and s.matches("id ab12,")
    assert (
        s.scrub("to Bob@x.com and anon-1; not anon-12") == "to [erased] and [erased]; not anon-12"
    )


@pytest.fixture
def staged(tmp_path, monkeypatch):
    monkeypatch.setenv(tombstones.SALT_ENV, "unit-salt-123")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute(
        """create temp table _staged as select * from (values
        ('f', 1, '{"email":"Gone@Example.com"}', '{"a":1}', null, 'gone@example.com', null),
        ('f', 2, 'email=gone%40example.com&x=1', '{"a":2}', null, null, null),
        ('f', 3, 'hello %E2%82 broken', '{"a":3}', null, 'kept@example.com', null),
        ('f', 4, '{"type":"page"}', '{"a":4}', null, null, 'cookie-9'),
        ('f', 5, '{"note":"ungone@example.com"}', '{"a":5}', 'malformed_json', null, null)
        ) t(_file, _line, _text, payload, reason, email, anonymous_id)"""
    )
    yield con
    con.close()


def test_drop_tombstoned_is_a_no_op_without_tombstones(staged):
    assert tombstones.drop_tombstoned(staged) == 0
    assert staged.execute("select count(*) from _staged where reason = 'erased'").fetchone() == (0,)


def test_drop_tombstoned_blanks_records_of_forgotten_people(staged):
    tombstones.ensure_schema(staged)
    salt = tombstones.salt(None)  # from the environment
    tombstones.add(
        staged, salt, {"email": {"gone@example.com"}, "anonymous_id": {"cookie-9"}}, "req"
    )
    assert tombstones.drop_tombstoned(staged) == 3
    rows = staged.execute("select _line, reason, _text, payload from _staged order by 1").fetchall()
    assert rows == [
        (1, "erased", None, None),
        (2, "erased", None, None),
        (3, None, "hello %E2%82 broken", '{"a":3}'),
        (4, "erased", None, None),
        (5, "malformed_json", '{"note":"ungone@example.com"}', '{"a":5}'),
    ]
    stored = staged.execute("select token_hash from privacy.erasure_tombstones").fetchall()
    assert all("gone" not in h and len(h) == 64 for (h,) in stored)


def test_forget_command_reads_emails_and_refuses_nothing(tmp_path, capsys, monkeypatch):
    import argparse

    from orchestration.cli import main
    from orchestration.privacy.command import _emails, configure

    parser = argparse.ArgumentParser()
    configure(parser)
    listing = tmp_path / "erase.txt"
    listing.write_text("# requests of March\nA@X.com\n\n b@y.org  # by phone\nnot-an-email\n")
    args = parser.parse_args(["c@z.net", "a@x.com", "--file", str(listing)])
    assert _emails(args) == ["a@x.com", "b@y.org", "c@z.net"]
    assert main(["forget"]) == 2
    assert "give at least one email" in capsys.readouterr().err
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(tmp_path / "none.duckdb"))
    assert main(["forget", "a@x.com"]) == 2
    assert "no warehouse" in capsys.readouterr().err
