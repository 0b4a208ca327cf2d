"""Prepare the dbt manifest at build time: ``python -m orchestration.transform.prepare``."""

import sys

from orchestration.project import leadhouse_project


def main() -> int:
    leadhouse_project.preparer.prepare(leadhouse_project)
    if not leadhouse_project.manifest_path.exists():
        print(f"dbt parse did not write {leadhouse_project.manifest_path}", file=sys.stderr)
        return 1
    print(f"dbt manifest ready: {leadhouse_project.manifest_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
