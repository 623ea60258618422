"""The NIST CSF core becomes versioned and complete: a ``CsfCatalogue`` row per
version ("2.0"), the functions and categories loaded by 0002 are linked to it, and
the 106 subcategories with NIST's implementation examples are loaded from
risks/data/nist_csf_2_0_oscal.json. Codes are unique within a version, so that a
later revision can sit beside this one.
"""
import django.db.models.deletion
from django.db import migrations, models


def load(apps, schema_editor):
    from risks.catalogues import load_csf_core

    load_csf_core(
        apps.get_model("risks", "CsfCatalogue"),
        apps.get_model("risks", "CsfFunction"),
        apps.get_model("risks", "CsfCategory"),
        apps.get_model("risks", "CsfSubcategory"),
    )
    if schema_editor.connection.vendor == "postgresql":
        # The columns are altered below in the same transaction: run the deferred
        # foreign-key checks now so that PostgreSQL has no pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("risks", "0004_covering_sort_indexes")]

    operations = [
        migrations.CreateModel(
            name="CsfCatalogue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.CharField(max_length=20, unique=True)),
                ("title", models.CharField(max_length=160)),
                ("source", models.TextField(blank=True, help_text="Where the text was taken from.")),
                ("source_version", models.CharField(blank=True, max_length=20)),
            ],
            options={"verbose_name": "CSF catalogue", "ordering": ["version"]},
        ),
        migrations.AddField(
            model_name="csffunction",
            name="catalogue",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="functions", to="risks.csfcatalogue"
            ),
        ),
        migrations.AddField(
            model_name="csfcategory",
            name="catalogue",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="categories", to="risks.csfcatalogue"
            ),
        ),
        migrations.AlterField(model_name="csffunction", name="code", field=models.CharField(max_length=2)),
        migrations.AlterField(model_name="csfcategory", name="code", field=models.CharField(max_length=5)),
        migrations.CreateModel(
            name="CsfSubcategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(help_text="For example GV.OC-01.", max_length=9)),
                ("statement", models.TextField()),
                (
                    "examples",
                    models.JSONField(blank=True, default=list, help_text="NIST's implementation examples."),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "catalogue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subcategories",
                        to="risks.csfcatalogue",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="subcategories",
                        to="risks.csfcategory",
                    ),
                ),
            ],
            options={
                "verbose_name": "CSF subcategory",
                "verbose_name_plural": "CSF subcategories",
                "ordering": ["order"],
                "constraints": [
                    models.UniqueConstraint(fields=("catalogue", "code"), name="csf_subcategory_code_per_catalogue")
                ],
            },
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="csffunction",
            name="catalogue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="functions", to="risks.csfcatalogue"
            ),
        ),
        migrations.AlterField(
            model_name="csfcategory",
            name="catalogue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="categories", to="risks.csfcatalogue"
            ),
        ),
        migrations.AddConstraint(
            model_name="csffunction",
            constraint=models.UniqueConstraint(fields=("catalogue", "code"), name="csf_function_code_per_catalogue"),
        ),
        migrations.AddConstraint(
            model_name="csfcategory",
            constraint=models.UniqueConstraint(fields=("catalogue", "code"), name="csf_category_code_per_catalogue"),
        ),
    ]
