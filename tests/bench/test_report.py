"""The benchmark's table and JSON, on canned figures (no server, no database)."""

import json

from bench import report

PAGES = [
    {"key": "baseline", "label": "Baseline /api/v1/me/"},
    {"key": "dashboard", "label": "Dashboard"},
    {"key": "register", "label": "Risk register p.1"},
    {"key": "raci", "label": "RACI grid"},
]


def _page(p50, rps, queries):
    return {
        "p50_ms": p50,
        "p95_ms": p50 * 2,
        "p99_ms": p50 * 3,
        "rps": rps,
        "queries": queries,
        "path": "/x/",
    }


def _results(**overrides):
    results = {
        "pages": PAGES,
        "datasets": {
            "small": {
                "pages": {
                    "baseline": _page(4.0, 500.0, 3),
                    "dashboard": _page(20.0, 200.0, 9),
                    "register": _page(30.0, 150.0, 8),
                    "raci": {"missing": "page does not exist yet"},
                }
            },
            "large": {
                "pages": {
                    "baseline": _page(4.4, 480.0, 3),
                    "dashboard": _page(24.0, 240.0, 9),
                    "register": _page(60.0, 70.0, 11),
                    "raci": {"missing": "page does not exist yet"},
                }
            },
        },
        "report": {"build_seconds": 3.2, "pdf_seconds": 6.5},
        "rss_mb": [120.5, 131.0],
    }
    results.update(overrides)
    return results


def test_rows_compute_ratio_share_and_queries():
    rows = {r["key"]: r for r in report.summarize(_results())}
    assert rows["dashboard"]["ratio"] == 24.0 / 20.0
    assert rows["dashboard"]["share_of_baseline"] == 240.0 / 480.0
    assert (rows["register"]["queries_small"], rows["register"]["queries_large"]) == (8, 11)
    assert rows["raci"]["missing"] == "page does not exist yet"
    assert rows["raci"]["ratio"] is None


def test_targets_name_what_is_met_and_what_is_not():
    targets = {t["target"]: t for t in report.evaluate_targets(_results())}
    assert targets["queries"]["met"] is False and "Risk register p.1 (8/11)" in targets["queries"]["detail"]
    assert (
        targets["p50_ratio"]["met"] is False and "Risk register p.1 ×2.00" in targets["p50_ratio"]["detail"]
    )
    assert targets["dashboard_share"]["met"] is True and "50%" in targets["dashboard_share"]["detail"]
    assert targets["alignment_report"]["met"] is False  # PDF 6.5 s > 5 s
    assert targets["worker_rss"]["met"] is True and "131 MB" in targets["worker_rss"]["detail"]


def test_targets_all_met_and_unmeasured():
    good = _results()
    good["datasets"]["large"]["pages"]["register"] = _page(33.0, 140.0, 8)
    good["report"] = {"build_seconds": 2.0, "pdf_seconds": 1.0}
    assert all(t["met"] for t in report.evaluate_targets(good))
    empty = _results(report={"missing": "governance services not there yet"}, rss_mb=[])
    targets = {t["target"]: t for t in report.evaluate_targets(empty)}
    assert targets["alignment_report"] == {
        "target": "alignment_report",
        "met": None,
        "detail": "governance services not there yet",
    }
    assert targets["worker_rss"]["met"] is None


def test_table_lists_every_page_with_its_figures():
    table = report.format_table(_results())
    lines = table.splitlines()
    assert lines[0].startswith("Page") and "large/small" in lines[0]
    dashboard = next(line for line in lines if line.startswith("Dashboard"))
    assert "20.0" in dashboard and "24.0" in dashboard and "1.20" in dashboard and "50%" in dashboard
    assert "9/9" in dashboard
    raci = next(line for line in lines if line.startswith("RACI grid"))
    assert "missing" in raci
    assert "RACI grid: page does not exist yet" in table
    assert "build 3.20 s, PDF 6.50 s" in table
    assert "[NOT MET] alignment_report" in table and "[met] worker_rss" in table


def test_json_holds_raw_figures_rows_and_targets():
    payload = json.loads(report.to_json(_results()))
    assert payload["datasets"]["large"]["pages"]["dashboard"]["p50_ms"] == 24.0
    assert [r["key"] for r in payload["rows"]] == ["baseline", "dashboard", "register", "raci"]
    assert {t["target"] for t in payload["targets"]} == {
        "queries",
        "p50_ratio",
        "dashboard_share",
        "alignment_report",
        "worker_rss",
    }


def test_markdown_for_the_docs():
    results = _results(
        machine={
            "nproc": 2,
            "cpu_model": "Test CPU",
            "memory_gb": 24.0,
            "postgresql": "15.2",
            "redis": "7.0",
            "python": "3.11",
            "load_average": [1.0, 1, 1],
            "load_average_after": [2.0, 2, 2],
        },
        load={"threads": 2, "connections": 8, "duration_s": 10},
    )
    md = report.format_markdown(results)
    assert "2 CPUs (Test CPU), 24.0 GB RAM, PostgreSQL 15.2, Redis 7.0" in md
    assert "| Dashboard | 20.0 | 24.0 | 1.20 |" in md
    assert "- RACI grid: page does not exist yet" in md
    assert "- alignment_report: **not met** — build 3.20 s" in md
