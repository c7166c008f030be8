"""Loading the project's seed data files (seeds/) into the database."""

import json
from pathlib import Path

from django.conf import settings

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


def violation_categories_load(category_model: type) -> int:
    """Create or update every category of seeds/violation_categories.json, matched by code.

    Takes the model class as an argument so that data migrations can pass their historical
    model. Categories never disappear here: retiring one is done by unticking it in the admin.
    """
    data = json.loads((SEEDS_DIR / "violation_categories.json").read_text(encoding="utf-8"))
    for item in data["categories"]:
        labels = item["labels"]
        category_model.objects.update_or_create(
            code=item["code"],
            defaults={
                "group": item["group"],
                "sort_order": item["order"],
                "huridocs_code": item.get("huridocs") or "",
                **{f"label_{lang}": labels[lang] for lang in ("en", "fr", "rw", "sw")},
            },
        )
    return len(data["categories"])
