"""Turn raw benchmark figures into the table people read and the JSON file
tools read. Pure functions over plain dicts, so they are tested on canned data.

Input shape (what ``bench.run`` collects)::

    {"pages": [{"key", "label"}...],
     "datasets": {"small": {"pages": {key: PageResult}}, "large": {...}},
     "report": {"build_seconds", "pdf_seconds"} | {"missing": "why"},
     "rss_mb": [worker RSS in MB...]}

A ``PageResult`` is either ``{"missing": "why"}`` or
``{"p50_ms", "p95_ms", "p99_ms", "rps", "queries", "path", ...}``.
"""

from __future__ import annotations

import json

BASELINE = "baseline"
DASHBOARD = "dashboard"

# The issue's targets, in one place so the table, the JSON and the docs agree.
MAX_QUERIES = 15
MAX_P50_RATIO = 1.5
MIN_DASHBOARD_SHARE = 0.40
MAX_REPORT_BUILD_S = 10.0
MAX_REPORT_PDF_S = 5.0
MAX_WORKER_RSS_MB = 300.0


def _measured(result: dict | None) -> bool:
    return bool(result) and "missing" not in result and result.get("p50_ms") is not None


def summarize(results: dict) -> list[dict]:
    """One row per page: small/large p50, their ratio, large throughput as a
    share of the baseline's, and the query counts at both sizes."""
    small = results["datasets"].get("small", {}).get("pages", {})
    large = results["datasets"].get("large", {}).get("pages", {})
    base = large.get(BASELINE)
    base_rps = base["rps"] if _measured(base) and base.get("rps") else None
    rows = []
    for page in results["pages"]:
        key = page["key"]
        s, lg = small.get(key), large.get(key)
        row = {
            "key": key,
            "label": page["label"],
            "missing": None,
            "small_p50_ms": None,
            "large_p50_ms": None,
            "ratio": None,
            "large_p95_ms": None,
            "large_p99_ms": None,
            "large_rps": None,
            "share_of_baseline": None,
            "queries_small": (s or {}).get("queries"),
            "queries_large": (lg or {}).get("queries"),
        }
        if not _measured(s) or not _measured(lg):
            row["missing"] = (lg or {}).get("missing") or (s or {}).get("missing") or "not measured"
        if _measured(s):
            row["small_p50_ms"] = s["p50_ms"]
        if _measured(lg):
            row.update(
                large_p50_ms=lg["p50_ms"],
                large_p95_ms=lg.get("p95_ms"),
                large_p99_ms=lg.get("p99_ms"),
                large_rps=lg.get("rps"),
            )
            if base_rps and lg.get("rps") is not None:
                row["share_of_baseline"] = lg["rps"] / base_rps
        if _measured(s) and _measured(lg) and s["p50_ms"] > 0:
            row["ratio"] = lg["p50_ms"] / s["p50_ms"]
        rows.append(row)
    return rows


def _target(name: str, met: bool | None, detail: str) -> dict:
    return {"target": name, "met": met, "detail": detail}


def _query_target(rows: list[dict]) -> dict:
    counted = [r for r in rows if r["queries_small"] is not None and r["queries_large"] is not None]
    if not counted:
        return _target("queries", None, "no page was counted")
    bad = [
        f"{r['label']} ({r['queries_small']}/{r['queries_large']})"
        for r in counted
        if r["queries_small"] != r["queries_large"] or r["queries_large"] > MAX_QUERIES
    ]
    worst = max(r["queries_large"] for r in counted)
    if bad:
        return _target("queries", False, f"changes with size or above {MAX_QUERIES}: " + "; ".join(bad))
    return _target("queries", True, f"{len(counted)} pages flat, at most {worst} queries")


def _ratio_target(rows: list[dict]) -> dict:
    measured = [r for r in rows if r["ratio"] is not None]
    if not measured:
        return _target("p50_ratio", None, "no page measured at both sizes")
    bad = [f"{r['label']} ×{r['ratio']:.2f}" for r in measured if r["ratio"] > MAX_P50_RATIO]
    worst = max(measured, key=lambda r: r["ratio"])
    if bad:
        return _target("p50_ratio", False, f"above ×{MAX_P50_RATIO}: " + "; ".join(bad))
    return _target("p50_ratio", True, f"worst {worst['label']} ×{worst['ratio']:.2f}")


def _share_target(rows: list[dict]) -> dict:
    dash = next((r for r in rows if r["key"] == DASHBOARD), None)
    if not dash or dash["share_of_baseline"] is None:
        return _target("dashboard_share", None, "dashboard or baseline not measured")
    share = dash["share_of_baseline"]
    shown = f"{share:.1%}" if share < 0.1 else f"{share:.0%}"
    return _target(
        "dashboard_share",
        share >= MIN_DASHBOARD_SHARE,
        f"{shown} of the baseline (target ≥ {MIN_DASHBOARD_SHARE:.0%})",
    )


def _report_target(report: dict | None) -> dict:
    if not report or "missing" in report:
        return _target("alignment_report", None, (report or {}).get("missing", "not measured"))
    build, pdf = report.get("build_seconds"), report.get("pdf_seconds")
    met = build is not None and pdf is not None and build < MAX_REPORT_BUILD_S and pdf < MAX_REPORT_PDF_S
    return _target(
        "alignment_report",
        met,
        f"build {_secs(build)} (< {MAX_REPORT_BUILD_S:.0f} s), PDF {_secs(pdf)} (< {MAX_REPORT_PDF_S:.0f} s)",
    )


def _rss_target(rss_mb: list[float] | None) -> dict:
    if not rss_mb:
        return _target("worker_rss", None, "not measured")
    worst = max(rss_mb)
    return _target(
        "worker_rss",
        worst < MAX_WORKER_RSS_MB,
        f"largest worker {worst:.0f} MB (target < {MAX_WORKER_RSS_MB:.0f} MB)",
    )


def evaluate_targets(results: dict, rows: list[dict] | None = None) -> list[dict]:
    rows = rows if rows is not None else summarize(results)
    return [
        _query_target(rows),
        _ratio_target(rows),
        _share_target(rows),
        _report_target(results.get("report")),
        _rss_target(results.get("rss_mb")),
    ]


def portfolio_line(portfolio: dict | None) -> str:
    """The portfolio of a person in 25 and in 50 organizations, cold and warm."""
    if not portfolio or "missing" in portfolio or "error" in portfolio:
        why = (portfolio or {}).get("missing") or (portfolio or {}).get("error") or "not measured"
        return f"Portfolio (a person in 50 organizations): {why}"
    by_count = portfolio["organizations"]
    parts = [
        f"{count} organizations: {f['cold_queries']} queries in {f['cold_ms']:.0f} ms cold, "
        f"{f['warm_queries']} in {f['warm_ms']:.0f} ms warm"
        for count, f in by_count.items()
    ]
    return (
        "Portfolio: "
        + "; ".join(parts)
        + f" ({portfolio['cold_queries_per_org']} queries per organization cold, "
        f"{portfolio['warm_queries_per_org']} warm)"
    )


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _share(value: float | None) -> str:
    if value is None:
        return "—"
    return "<1%" if value < 0.01 else format(value, ".0%")


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


HEADERS = (
    "Page",
    "small p50 ms",
    "large p50 ms",
    "large/small",
    "large p95 ms",
    "large req/s",
    "of baseline",
    "queries s/l",
)


def _cells(row: dict) -> tuple[str, ...]:
    queries = (
        "—"
        if row["queries_small"] is None and row["queries_large"] is None
        else (f"{_num(row['queries_small'], 'd')}/{_num(row['queries_large'], 'd')}")
    )
    if row["missing"] and row["large_p50_ms"] is None and row["small_p50_ms"] is None:
        return (row["label"], "missing", "", "", "", "", "", queries)
    return (
        row["label"],
        _num(row["small_p50_ms"], ".1f"),
        _num(row["large_p50_ms"], ".1f"),
        _num(row["ratio"], ".2f"),
        _num(row["large_p95_ms"], ".1f"),
        _num(row["large_rps"], ".1f"),
        _share(row["share_of_baseline"]),
        queries,
    )


def format_table(results: dict) -> str:
    """The table printed at the end of ``make bench``, then the targets."""
    rows = summarize(results)
    lines = [HEADERS, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]
    out = []
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    missing = [r for r in rows if r["missing"]]
    for r in missing:
        out.append(f"  {r['label']}: {r['missing']}")
    report = results.get("report") or {"missing": "not measured"}
    out.append("")
    out.append(
        "Alignment report (large organization): "
        + (
            report["missing"]
            if "missing" in report
            else f"build {_secs(report.get('build_seconds'))}, PDF {_secs(report.get('pdf_seconds'))}"
        )
    )
    out.append(portfolio_line(results.get("portfolio")))
    rss = results.get("rss_mb")
    out.append(
        "Gunicorn worker RSS after the run: "
        + (", ".join(f"{v:.0f} MB" for v in rss) if rss else "not measured")
    )
    out.append("")
    out.append("Targets:")
    for t in evaluate_targets(results, rows):
        mark = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]]
        out.append(f"  [{mark}] {t['target']}: {t['detail']}")
    return "\n".join(out)


def to_json(results: dict) -> str:
    """The whole run, plus the derived rows and targets, as indented JSON."""
    rows = summarize(results)
    payload = {**results, "rows": rows, "targets": evaluate_targets(results, rows)}
    return json.dumps(payload, indent=2, sort_keys=False, default=str)


def _md_cells(row: dict) -> list[str]:
    cells = list(_cells(row))
    cells[0] = row["label"]
    return cells


def _detail_table(results: dict) -> list[str]:
    """One request alone (test client, no concurrency) and the response size, per data set."""
    small = results["datasets"].get("small", {}).get("pages", {})
    large = results["datasets"].get("large", {}).get("pages", {})
    out = ["| Page | one request alone, small / large ms | response small / large KB |", "|---|---:|---:|"]
    for page in results["pages"]:
        s, lg = small.get(page["key"]) or {}, large.get(page["key"]) or {}
        alone = f"{_num(s.get('single_ms'), '.0f')} / {_num(lg.get('single_ms'), '.0f')}"
        size = "{} / {}".format(*(_num(x.get("bytes") and x["bytes"] / 1024, ".0f") for x in (s, lg)))
        out.append(f"| {page['label']} | {alone} | {size} |")
    return out


def format_markdown(results: dict) -> str:
    """The figures section of docs/PERFORMANCE.md, from a saved run."""
    rows = summarize(results)
    machine = results.get("machine", {})
    load = results.get("load", {})
    out = [
        f"Run of {results.get('generated_at', '?')} — {machine.get('nproc')} CPUs "
        f"({machine.get('cpu_model')}), {machine.get('memory_gb')} GB RAM, PostgreSQL "
        f"{machine.get('postgresql')}, Redis {machine.get('redis')}, Python {machine.get('python')}; "
        f"load average {machine.get('load_average')} before, {machine.get('load_average_after')} after; "
        f"wrk {load.get('threads')} threads, {load.get('connections')} connections, "
        f"{load.get('duration_s')} s per page.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---" + "|---:" * (len(HEADERS) - 1) + "|",
    ]
    out += ["| " + " | ".join(_md_cells(r)) + " |" for r in rows]
    missing = [r for r in rows if r["missing"]]
    if missing:
        out.append("")
        out += [f"- {r['label']}: {r['missing']}" for r in missing]
    out += ["", *_detail_table(results)]
    report = results.get("report") or {"missing": "not measured"}
    out += [
        "",
        "Alignment report of the large organization: "
        + (
            report["missing"]
            if "missing" in report
            else f"build {_secs(report.get('build_seconds'))}, PDF {_secs(report.get('pdf_seconds'))} "
            f"(second render {_secs(report.get('pdf_seconds_warm'))})"
        )
        + ".",
        portfolio_line(results.get("portfolio")) + ".",
        "Gunicorn workers after the run: "
        + (", ".join(f"{v:.0f} MB" for v in results.get("rss_mb") or []) or "not measured")
        + ".",
        "",
    ]
    for t in evaluate_targets(results, rows):
        mark = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        out.append(f"- {t['target']}: {mark} — {t['detail']}")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    print(
        format_markdown(
            json.loads(open(sys.argv[1] if len(sys.argv) > 1 else "bench-results/latest.json").read())
        )
    )
