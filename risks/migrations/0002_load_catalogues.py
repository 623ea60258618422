"""Loads the NIST CSF 2.0 and ISO/IEC 27001:2022 Annex A catalogues from risks/data/."""
from django.db import migrations


def load(apps, schema_editor):
    from risks.catalogues import load_catalogues

    load_catalogues(apps.get_model("risks", "CsfFunction"), apps.get_model("risks", "CsfCategory"),
                    apps.get_model("risks", "AnnexAControl"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
