"""The benchmark harness's own pieces: reading wrk's output, and sessions that
pass the two-factor gate the way a signed-in CIO's would."""

import pytest

from bench.infra import parse_wrk
from bench.run import dataset_target, parse_args
from bench.sessions import session_cookie

WRK_LINE = (
    'BENCH_JSON {"requests":500,"duration_us":10000000,"bytes":1000,"errors_status":2,'
    '"errors_connect":0,"errors_read":1,"errors_write":0,"errors_timeout":0,"p50_us":12500,'
    '"p90_us":20000,"p95_us":25000,"p99_us":40000,"mean_us":13000.5,"max_us":90000}'
)


def test_parse_wrk_reads_the_lua_json_line():
    figures = parse_wrk("Running 10s test\n" + WRK_LINE + "\n", "", 10)
    assert figures["p50_ms"] == 12.5 and figures["p95_ms"] == 25.0 and figures["p99_ms"] == 40.0
    assert figures["rps"] == 50.0 and figures["requests"] == 500
    assert figures["non_2xx"] == 2 and figures["errors"] == 3


def test_parse_wrk_reports_failures_instead_of_figures():
    assert parse_wrk("", "unable to connect to 127.0.0.1:8018", 10) == {
        "missing": "wrk failed: unable to connect to 127.0.0.1:8018"
    }
    empty = WRK_LINE.replace('"requests":500', '"requests":0')
    assert parse_wrk(empty, "", 3)["missing"] == "no request completed within 3 s"


@pytest.mark.django_db
def test_session_passes_the_two_factor_gate(people, settings, client):
    settings.MFA_ENFORCED = True
    cio = people["cio"]
    gated = client.__class__()
    gated.force_login(cio)  # signed in, second factor not given
    assert gated.get("/api/v1/me/").status_code == 403

    name, _, key = session_cookie(cio).partition("=")
    client.cookies[name] = key
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == cio.email


def test_each_person_measures_on_their_own_databases_and_port():
    default = parse_args([])
    assert dataset_target("small", default) == ("concord_bench_small", 0.01, 8018)
    assert dataset_target("large", default) == ("concord_bench_large", 1.0, 8019)
    mine = parse_args(["--db-prefix", "concord_markup", "--port", "8061", "--large-scale", "0.1"])
    assert dataset_target("small", mine) == ("concord_markup_small", 0.01, 8061)
    assert dataset_target("large", mine) == ("concord_markup_large", 0.1, 8062)
