"""Under `make run` the web process and the worker share one SQLite file. A
request that reads and then writes while the worker holds the write lock must
wait for it, not fail with "database is locked" (a 500 for the person)."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from config.settings.base import SQLITE_OPTIONS

pytestmark = pytest.mark.unit


def _connections(path, options):
    settings = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}
    return ConnectionHandler({"default": dict(settings), "worker": dict(settings), "web": dict(settings)})


def _read_then_write_while_the_other_writes(path, options) -> str:
    handler = _connections(path, options)
    web = handler["web"]
    with web.cursor() as cursor:
        cursor.execute("CREATE TABLE report (id INTEGER PRIMARY KEY, attempts INTEGER)")
        cursor.execute("INSERT INTO report VALUES (1, 0)")
    holding, outcome = threading.Event(), {}

    def worker_build():
        worker = handler["worker"]  # connections belong to one thread each
        with worker.cursor() as cursor:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("UPDATE report SET attempts = attempts + 1")
            holding.set()
            time.sleep(0.5)
            try:
                cursor.execute("COMMIT")
            except OperationalError:  # the control case: the two deadlock and one gives up
                cursor.execute("ROLLBACK")
        worker.close()

    thread = threading.Thread(target=worker_build)
    thread.start()
    assert holding.wait(timeout=10), "the worker never took its write lock"
    try:
        # What transaction.atomic() does: Django begins the transaction the way
        # the settings' transaction_mode says.
        web.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with web.cursor() as cursor:
            cursor.execute("SELECT attempts FROM report")
            cursor.execute("UPDATE report SET attempts = attempts + 10")
        web.commit()
        outcome["result"] = "written"
    except OperationalError as error:
        outcome["result"] = str(error)
    finally:
        thread.join(timeout=30)
        handler.close_all()
    return outcome["result"]


def test_a_request_waits_for_the_worker_instead_of_failing(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():  # two private files, not the test database
        result = _read_then_write_while_the_other_writes(tmp_path / "concord.sqlite3", SQLITE_OPTIONS)
    assert result == "written"


def test_without_immediate_transactions_the_same_request_would_fail(tmp_path, django_db_blocker):
    """The control: SQLite's default (deferred) transactions fail at once here,
    whatever the timeout, which is why the settings ask for IMMEDIATE."""
    deferred = {"timeout": 1}
    with django_db_blocker.unblock():
        result = _read_then_write_while_the_other_writes(tmp_path / "deferred.sqlite3", deferred)
    assert "locked" in result
