"""Loading the reference catalogues shipped in ``risks/data/`` (NIST CSF 2.0
functions, categories and subcategories, ISO/IEC 27001:2022 Annex A controls).

Used by a data migration, so it takes the model classes as arguments (the
historical models of that migration) and is safe to run again: it updates
rows by code and never deletes.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CSF_FILE = DATA_DIR / "nist_csf_2_0.json"
ANNEX_A_FILE = DATA_DIR / "iso27001_2022_annex_a.json"
# NIST's OSCAL catalog of the CSF 2.0 core, reduced to functions, categories,
# subcategories and implementation examples (see risks/data/README.md).
CSF_CORE_FILES = {"2.0": DATA_DIR / "nist_csf_2_0_oscal.json"}


def read_csf() -> dict:
    return json.loads(CSF_FILE.read_text(encoding="utf-8"))


def read_annex_a() -> list[dict]:
    return json.loads(ANNEX_A_FILE.read_text(encoding="utf-8"))["controls"]


def load_catalogues(csf_function_model, csf_category_model, control_model) -> None:
    data = read_csf()
    functions = {}
    for order, (code, name, description) in enumerate(data["functions"], 1):
        functions[code], _ = csf_function_model.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )
    for order, (code, name, description) in enumerate(data["categories"], 1):
        csf_category_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "order": order,
                "function": functions[code.split(".")[0]],
            },
        )
    for order, control in enumerate(read_annex_a(), 1):
        control_model.objects.update_or_create(
            code=control["code"],
            defaults={"title": control["title"], "theme": control["theme"], "order": order},
        )


def read_csf_core(version: str = "2.0") -> dict:
    """The CSF core of one version: ``{source, version, functions: [{id, title,
    description, categories: [{id, title, description, subcategories: [{id,
    statement, examples}]}]}]}``."""
    return json.loads(CSF_CORE_FILES[version].read_text(encoding="utf-8"))


def load_csf_core(catalogue_model, function_model, category_model, subcategory_model, version: str = "2.0"):
    """Load one version of the CSF core: the catalogue row, its functions and
    categories (rows of that version loaded earlier without a version are claimed
    by it) and every subcategory with its implementation examples. Safe to run
    again; never deletes."""
    data = read_csf_core(version)
    catalogue, _ = catalogue_model.objects.update_or_create(
        version=version,
        defaults={
            "title": f"NIST Cybersecurity Framework {version}",
            "source": data["source"],
            "source_version": data["version"],
        },
    )
    function_model.objects.filter(catalogue__isnull=True).update(catalogue=catalogue)
    category_model.objects.filter(catalogue__isnull=True).update(catalogue=catalogue)
    sub_order = 0
    for f_order, function in enumerate(data["functions"], 1):
        fn, _ = function_model.objects.get_or_create(
            catalogue=catalogue,
            code=function["id"],
            defaults={
                "name": function["title"].title(),
                "description": function["description"],
                "order": f_order,
            },
        )
        for category in function["categories"]:
            cat, _ = category_model.objects.get_or_create(
                catalogue=catalogue,
                code=category["id"],
                defaults={
                    "function": fn,
                    "name": category["title"],
                    "description": category["description"],
                    "order": category_model.objects.filter(catalogue=catalogue).count() + 1,
                },
            )
            for sub in category["subcategories"]:
                sub_order += 1
                subcategory_model.objects.update_or_create(
                    catalogue=catalogue,
                    code=sub["id"],
                    defaults={
                        "category": cat,
                        "statement": sub["statement"],
                        "examples": list(sub["examples"]),
                        "order": sub_order,
                    },
                )
    return catalogue
