"""Indexes for the register's filters and sorts.

The sort indexes match the register's ORDER BY exactly (organization, column
with NULLS LAST, reference number), so a deep page reads from the index instead
of sorting every risk. SQLite cannot index NULLS LAST, so those are created on
PostgreSQL only.
"""
from django.db import migrations, models

SORT_INDEXES = {
    "risk_org_score_desc": "inherent_score DESC NULLS LAST",
    "risk_org_residual_desc": "residual_score DESC NULLS LAST",
    "risk_org_due": "due_date ASC NULLS LAST",
    "risk_org_review": "next_review_date ASC NULLS LAST",
}


def create_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in SORT_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON risks_risk (organization_id, {column}, number)"
        )


def drop_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SORT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_load_catalogues")]

    operations = [
        migrations.AddIndex(
            model_name="risk",
            index=models.Index(fields=["organization", "origin"], name="risk_org_origin"),
        ),
        migrations.AddIndex(
            model_name="risk",
            index=models.Index(fields=["organization", "owner"], name="risk_org_owner"),
        ),
        migrations.RunPython(create_sort_indexes, drop_sort_indexes),
    ]
