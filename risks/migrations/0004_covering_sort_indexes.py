"""Sort indexes for every order the register offers, covering the row id.

Each index matches one ORDER BY of the register exactly: (organization, column
with NULLS LAST in the direction asked, reference number). Columns that are
never NULL (reference, title, status, last update) are sorted without NULLS
LAST, so an ascending index read backwards serves the descending order (the
ties, by reference number, are few except for status, which has its own
descending index). ``INCLUDE (id)`` lets the register's
paginator read a page's ids from the index alone (an index-only scan), however
deep the page. Owner (a column of another table) and divergence (computed from
the organization's thresholds) cannot be indexed here.

PostgreSQL only, like migration 0003: SQLite cannot index NULLS LAST.
"""
from django.db import migrations

# name → indexed column and direction; migration 0003 created the first four without INCLUDE (id).
SORT_INDEXES = {
    "risk_org_score_desc": "inherent_score DESC NULLS LAST",
    "risk_org_residual_desc": "residual_score DESC NULLS LAST",
    "risk_org_due": "due_date ASC NULLS LAST",
    "risk_org_review": "next_review_date ASC NULLS LAST",
    "risk_org_score_asc": "inherent_score ASC NULLS LAST",
    "risk_org_residual_asc": "residual_score ASC NULLS LAST",
    "risk_org_due_desc": "due_date DESC NULLS LAST",
    "risk_org_review_desc": "next_review_date DESC NULLS LAST",
    "risk_org_loss_desc": "expected_annual_loss DESC NULLS LAST",
    "risk_org_loss_asc": "expected_annual_loss ASC NULLS LAST",
    "risk_org_title": "title",
    "risk_org_status_sort": "status",
    "risk_org_status_desc": "status DESC",
    "risk_org_updated": "updated_at",
}
FROM_0003 = ("risk_org_score_desc", "risk_org_residual_desc", "risk_org_due", "risk_org_review")


def create_covering_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in SORT_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON risks_risk (organization_id, {column}, number) INCLUDE (id)")


def back_to_0003(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in SORT_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        if name in FROM_0003:
            schema_editor.execute(f"CREATE INDEX {name} ON risks_risk (organization_id, {column}, number)")


class Migration(migrations.Migration):
    dependencies = [("risks", "0003_register_sort_indexes")]

    operations = [migrations.RunPython(create_covering_indexes, back_to_0003)]
