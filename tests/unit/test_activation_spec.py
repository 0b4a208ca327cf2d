"""Sync specs: the shipped ones load; bad ones fail naming the field."""

from __future__ import annotations

import pytest
import yaml

from orchestration.activation.spec import SPECS_DIR, SpecError, load_spec, parse_spec, shipped_specs


def base() -> dict:
    return yaml.safe_load((SPECS_DIR / "hubspot_contacts.yml").read_text())


def test_shipped_specs_load():
    specs = shipped_specs()
    assert sorted(specs) == ["file_leads", "hubspot_contacts", "salesforce_leads"]
    assert specs["hubspot_contacts"].effective_batch_size == 100
    assert specs["salesforce_leads"].match == {"lead_id": "DW_Lead_Id__c"}
    assert specs["file_leads"].model == "marts.mart_lead_activation"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"batch_size": 500}, "batch_size", "must be <= 100 for hubspot"),
        ({"mode": "merge"}, "mode", "Input should be"),
        ({"destination": "marketo"}, "destination", "Input should be"),
        ({"match": {"email": "email", "lead_id": "x"}}, "match", "exactly one"),
        ({"rate_limit": 0}, "rate_limit", "greater than 0"),
        ({"reject_abort_threshold": 1.5}, "reject_abort_threshold", "less than or equal to 1"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
        ({"mode": "mirror"}, "delete_behavior", "mirror needs"),
        (
            {"suppression": {"marketing_fields": ["nope"]}},
            "suppression.marketing_fields",
            "not a mapped field",
        ),
        ({"mappings": {}}, "mappings", "at least 1"),
    ],
)
def test_bad_spec_names_the_field(change, field, message):
    data = {**base(), **change}
    with pytest.raises(SpecError) as err:
        parse_spec(data, "bad.yml")
    text = str(err.value)
    assert text.startswith("bad.yml: ") and f"{field}: " in text and message in text


def test_missing_field_is_named(tmp_path):
    data = base()
    del data["primary_key"]
    path = tmp_path / "x.yml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError, match=r"x\.yml: primary_key: Field required"):
        load_spec(path)


def test_sync_id_must_match_file_name(tmp_path):
    (tmp_path / "other.yml").write_text(yaml.safe_dump(base()))
    with pytest.raises(SpecError, match="sync_id: must equal the file name"):
        shipped_specs(tmp_path)
