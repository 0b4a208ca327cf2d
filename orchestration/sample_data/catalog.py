"""Read the two seeds the generator follows: the form catalog and the content categories.

``seeds/form_catalog.csv`` gives every form id, its provider and its form type;
``seeds/content_categories.csv`` gives the page-path prefixes of each content category.
Both are read at run time so the generated data always matches the seeds dbt loads.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import SEEDS_DIR
from orchestration.sample_data import vocab


@dataclass(frozen=True)
class Form:
    """One row of the form catalog."""

    provider: str  # hubspot | typeform | post
    form_id: str
    form_type: str
    form_name: str


@dataclass
class Catalog:
    """Forms by type and page paths by content category, as the generator uses them."""

    forms: list[Form]
    forms_by_type: dict[str, list[Form]]
    categories: list[str]  # content categories, in a stable order
    paths: dict[str, list[str]]  # category -> page paths that map to it
    category_weights: list[float] = field(default_factory=list)

    def form_types(self) -> list[str]:
        return sorted(self.forms_by_type)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_catalog(seeds_dir: Path | None = None) -> Catalog:
    """Load both seeds; page paths are prefix + a slug from the vocabulary."""
    seeds_dir = seeds_dir or SEEDS_DIR
    forms = [
        Form(r["provider"].strip(), r["form_id"].strip(), r["form_type"].strip(), r["form_name"])
        for r in _read_csv(seeds_dir / "form_catalog.csv")
    ]
    by_type: dict[str, list[Form]] = {}
    for form in forms:
        by_type.setdefault(form.form_type, []).append(form)

    paths: dict[str, list[str]] = {}
    for row in _read_csv(seeds_dir / "content_categories.csv"):
        prefix, category = row["path_prefix"].strip(), row["content_category"].strip()
        slugs = vocab.CATEGORY_SLUGS.get(category, ("",))
        bucket = paths.setdefault(category, [])
        if prefix == "/":
            bucket.append("/")
            continue
        # a prefix shared by a category with slugs gets them; others keep the bare prefix
        if category in vocab.CATEGORY_SLUGS and prefix in ("/blog", "/resources", "/docs"):
            bucket.extend(f"{prefix}/{s}" if s else prefix for s in slugs)
        elif category == "product" and prefix == "/product" or category == "case_study":
            bucket.extend(f"{prefix}/{s}" for s in slugs)
        elif category == "careers" and prefix == "/careers":
            bucket.extend(f"{prefix}/{s}" if s else prefix for s in slugs)
        else:
            bucket.append(prefix)
    categories = list(paths)
    weights = [vocab.CATEGORY_BASE_WEIGHTS.get(c, 2.0) for c in categories]
    return Catalog(forms, by_type, categories, paths, weights)


def form_page_path(form_type: str, catalog: Catalog) -> str:
    """The page a form of this type sits on (a path of the content-category seed)."""
    category = {
        "demo_request": "demo",
        "contact_sales": "contact",
        "free_trial": "trial",
        "pricing_question": "pricing",
        "newsletter": "blog",
        "content_download": "content",
        "webinar": "content",
    }.get(form_type, "home")
    candidates = catalog.paths.get(category) or catalog.paths.get("home") or ["/"]
    return (
        candidates[0]
        if category != "content" or form_type != "webinar"
        else next((p for p in candidates if p.startswith("/webinars")), candidates[0])
    )
