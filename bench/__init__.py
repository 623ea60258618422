"""Concord's performance tooling: scale data (``bench.scale``), the benchmark
runner (``bench.run``, behind ``make bench``) and its report (``bench.report``)."""
