"""An operator's bad day, for real: Redis stopped, a worker killed mid-build,
PostgreSQL restarted mid-build, the scheduler down for three periods, several
schedulers and dispatchers at once. Each test runs its own redis-server and
PostgreSQL cluster (tests/faults/conftest.py), a real Celery worker, and the
web actions in processes of their own; nothing is lost, nothing is doubled."""

import json
import os
import signal
from datetime import date

import pytest

from .conftest import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]


def _built(site, report_id, log, seconds=90):
    wait_until(
        lambda: site.report(report_id)["build_status"] in ("ready", "failed"),
        seconds,
        f"report {report_id} to be built",
        log,
    )
    return site.report(report_id)


def _report_id(location: str) -> int:
    return int(location.rstrip("/").split("/")[-1])


def _snapshots_built(site, report_id):
    """Finished builds of a report: each leaves one "Snapshot built" history entry
    (build_attempts no longer tells: a finished build resets it to 0)."""
    return site.sql(
        "SELECT count(*) FROM governance_historicalalignmentreport "
        "WHERE id = %s AND history_change_reason = 'Snapshot built'",
        (report_id,),
    )[0][0]


def _outbox(site, task):
    return site.sql(
        "SELECT id, dispatched_at IS NOT NULL, picked_up_at IS NOT NULL, done_at IS NOT NULL, "
        "last_error FROM core_outboxjob WHERE task = %s ORDER BY id",
        (task,),
    )


def test_redis_down_while_a_report_is_requested_and_published(site):
    site.act("seed")
    worker, log = site.start_worker("w1")

    site.redis.stop()
    requested = site.act("request_report")
    assert requested["status"] == 302, requested  # the request succeeds without the broker
    assert any("queued" in message for message in requested["messages"])
    report_id = _report_id(requested["location"])
    assert site.report(report_id)["build_status"] == "queued"
    [(_, sent, picked, done, error)] = _outbox(site, "governance.build_alignment_report")
    assert (sent, picked, done) == (False, False, False) and error  # waiting, with the broker's error

    site.redis.start()  # an empty Redis: what it held is gone; the outbox re-sends, no manual step
    assert _built(site, report_id, log)["build_status"] == "ready"

    site.redis.stop()
    published = site.act("publish", str(report_id))
    assert published["status"] == 302 and any("queued" in m for m in published["messages"]), published
    assert site.report(report_id)["status"] == "published"

    def mail():  # the executives may already have been told the report is ready (core.notifications)
        return "".join(path.read_text() for path in site.mail.iterdir())

    assert "To: board@acme.test" not in mail()

    site.redis.start()
    wait_until(lambda: "To: board@acme.test" in mail(), 90, "the board's e-mail", log)
    assert "alignment report" in mail()

    def delivered():  # report.published goes through the catalogue: every e-mail job ends done
        jobs = _outbox(site, "core.notification_email")
        return jobs and all(picked and done for (_, _, picked, done, _) in jobs)

    wait_until(delivered, 60, "every notification e-mail job to finish", log)
    assert site.sql("SELECT count(*) FROM governance_alignmentreport")[0][0] == 1


def test_a_worker_killed_mid_build_is_redelivered_and_builds_one_report(site):
    site.act("seed")
    site.slow_flag.touch()
    first, log = site.start_worker("w1", beat=False)
    requested = site.act("request_report")
    report_id = _report_id(requested["location"])
    wait_until(lambda: site.report(report_id)["build_progress"] >= 10, 60, "the build to be under way", log)
    os.kill(first.pid, signal.SIGKILL)  # no goodbye: the message stays unacknowledged in Redis
    first.wait(timeout=10)
    killed = site.report(report_id)
    assert killed["build_status"] == "running" and killed["build_attempts"] == 1

    site.slow_flag.unlink()
    _, log2 = site.start_worker("w2", beat=False)
    report = _built(site, report_id, log2, seconds=120)
    # Redelivered and built again by w2; a finished build resets the attempt count.
    assert report["build_status"] == "ready" and report["build_attempts"] == 0
    assert "governance.build_alignment_report[" in log2.read_text(errors="replace")  # w2 got the redelivery
    assert _snapshots_built(site, report_id) == 1  # one finished build, one report
    assert site.sql("SELECT count(*) FROM governance_alignmentreport")[0][0] == 1
    [(_, _, picked, done, _)] = _outbox(site, "governance.build_alignment_report")
    assert picked and done


def test_postgresql_restarted_mid_build_is_retried_and_completed(site):
    site.act("seed")
    site.slow_flag.touch()
    _, log = site.start_worker("w1", beat=False)
    requested = site.act("request_report")
    report_id = _report_id(requested["location"])
    wait_until(lambda: site.report(report_id)["build_progress"] >= 10, 60, "the build to be under way", log)
    site.slow_flag.unlink()
    site.cluster.restart()  # every connection is cut, the worker's included
    report = _built(site, report_id, log, seconds=120)
    assert report["build_status"] == "ready", (report, log.read_text()[-4000:])
    assert report["build_attempts"] == 0  # a finished build resets the count
    assert "Retry in" in log.read_text(errors="replace")  # retried by Celery, not rebuilt by hand
    assert _snapshots_built(site, report_id) == 1
    assert site.sql("SELECT count(*) FROM governance_alignmentreport")[0][0] == 1


def test_scheduler_down_three_periods_then_several_schedulers_at_once(site):
    site.act("seed", "monthly")
    site.act("add_report", "2026-07-01", "2026-07-31", "Jul 2026")
    _, log = site.start_worker("w1")
    # The schedule was down for August, September and October; three schedulers come back at once.
    schedulers = [site.act_async("schedule", date(2026, 11, 5).isoformat()) for _ in range(3)]
    outputs = [process.communicate(timeout=120) for process in schedulers]
    assert all(process.returncode == 0 for process in schedulers), outputs
    requested = [pk for out, _ in outputs for pk in json.loads(out.strip().splitlines()[-1])["requested"]]
    assert len(requested) == len(set(requested)) == 3  # each period requested by exactly one of them

    dispatchers = [site.act_async("dispatch") for _ in range(3)]
    assert all(process.wait(timeout=120) == 0 for process in dispatchers)
    wait_until(
        lambda: (
            site.sql(
                "SELECT count(*) FROM governance_alignmentreport WHERE scheduled AND build_status = 'ready'"
            )[0][0]
            == 3
        ),
        120,
        "three scheduled reports",
        log,
    )
    rows = site.sql(
        "SELECT period_label, build_attempts FROM governance_alignmentreport ORDER BY period_start"
    )
    assert [label for label, _ in rows] == ["Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"]
    assert [attempts for _, attempts in rows[1:]] == [0, 0, 0]  # finished builds reset the count
    built = [_snapshots_built(site, pk) for pk in sorted(requested)]
    assert built == [1, 1, 1]  # one build each, however many dispatchers
    builds = _outbox(site, "governance.build_alignment_report")
    assert len(builds) == 3 and all(done for _, _, _, done, _ in builds)
