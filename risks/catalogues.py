"""Loading the reference catalogues shipped in ``risks/data/`` (NIST CSF 2.0
functions and categories, ISO/IEC 27001:2022 Annex A controls).

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
