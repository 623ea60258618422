"""API tokens get scopes and an expiry.

Tokens made before scopes existed keep reading and writing (what scripts used
them for) but not signing or security changes, which now need a token created
after a fresh second-factor check. They expire API_TOKEN_DEFAULT_DAYS after
this migration, so nothing stops working on the day of the upgrade."""
from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import core.models


def scope_and_expire_existing(apps, schema_editor):
    ApiToken = apps.get_model("core", "ApiToken")
    expires = timezone.now() + timedelta(days=getattr(settings, "API_TOKEN_DEFAULT_DAYS", 90))
    ApiToken.objects.all().update(scopes=["read", "write"], expires_at=expires)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_separation_of_duties"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(default=core.models.default_token_scopes),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(scope_and_expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
