"""Prepare the dbt manifest at build time: ``python -m orchestration.transform.prepare``."""

import sys
from pathlib import Path

from orchestration.project import leadhouse_project, prepare


def prepare_manifest() -> Path:
    """``dbt parse`` into the project's target folder; the manifest's path."""
    project = leadhouse_project()
    prepare(project)
    if not project.manifest_path.exists():
        raise RuntimeError(f"dbt parse did not write {project.manifest_path}")
    return project.manifest_path


def main() -> int:
    try:
        path = prepare_manifest()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"dbt manifest ready: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
