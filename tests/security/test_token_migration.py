"""Migration 0004: tokens made before scopes and expiry keep reading and writing
(not signing or security changes) and get an expiry; none is left "forever"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("core", "0003_separation_of_duties")]
AFTER = [("core", "0004_api_token_scopes_expiry")]


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_get_read_write_scopes_and_an_expiry(settings):
    settings.API_TOKEN_DEFAULT_DAYS = 45
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("core", "User").objects.create(email="old@acme.test", password="!")
    old.get_model("core", "ApiToken").objects.create(
        user=user, name="legacy", prefix="cnc_abcdef", key_hash="0" * 64
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    token = new.get_model("core", "ApiToken").objects.get(name="legacy")
    assert token.scopes == ["read", "write"]
    assert abs(token.expires_at - (timezone.now() + timedelta(days=45))) < timedelta(minutes=5)
    # Leave the database as the rest of the suite expects it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
