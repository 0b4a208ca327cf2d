"""What is published to BI: ``published.yml`` read into a typed spec (the one declarative list)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

SPEC_PATH = Path(__file__).with_name("published.yml")

#: The two tables every published version carries beside the relations (same names on both
#: engines): one row about the version, one row per published relation.
VERSION_TABLE = "_publication"
TABLES_TABLE = "_publication_tables"
#: the columns of VERSION_TABLE, in order
VERSION_COLUMNS = ("source_run_id", "published_at", "data_as_of", "relations", "total_rows")


class Relation(BaseModel):
    """A warehouse relation ``<schema>.<name>``; published under its name alone."""

    model_config = ConfigDict(frozen=True)

    schema_name: str
    name: str

    @property
    def qualified(self) -> str:
        return f'"{self.schema_name}"."{self.name}"'

    def __str__(self) -> str:
        return f"{self.schema_name}.{self.name}"


class PublishSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tables: list[Relation]
    data_as_of: str

    @field_validator("tables", mode="before")
    @classmethod
    def _split(cls, value: list) -> list:
        out = []
        for item in value:
            if isinstance(item, str):
                schema, _, name = item.partition(".")
                if not name or "." in name or '"' in item:
                    raise ValueError(f"expected <schema>.<relation>, got {item!r}")
                item = {"schema_name": schema, "name": name}
            out.append(item)
        names = [r["name"] if isinstance(r, dict) else r.name for r in out]
        if len(set(names)) != len(names):
            raise ValueError(f"relation names must be unique (published flat): {names}")
        return out

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.tables]


def load_spec(path: Path | str | None = None) -> PublishSpec:
    with open(path or SPEC_PATH, encoding="utf-8") as fh:
        return PublishSpec.model_validate(yaml.safe_load(fh))


@cache
def default_spec() -> PublishSpec:
    return load_spec()


def version_records(
    spec: PublishSpec, run_id: str, published_at: datetime, as_of: object, rows: dict[str, int]
) -> tuple[tuple, list[tuple]]:
    """The row of VERSION_TABLE and the rows of TABLES_TABLE of a version whose relations got
    ``rows`` rows each (the same on both engines)."""
    version = (run_id, published_at, as_of, len(rows), sum(rows.values()))
    return version, [(rel.name, str(rel), rows[rel.name]) for rel in spec.tables]
