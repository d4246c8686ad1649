"""Benchmarks for staffcalc (``make bench`` → ``python -m benchmarks.run``).

* :mod:`benchmarks.run` — the command line: runs every figure in a fresh process, prints it with its
  targets (PASS/MISS), correctness checks and the machine load, writes all numbers as JSON;
* :mod:`benchmarks.figures` — the appraisal pipeline against a numpy floor and the row-by-row
  reference, the quota table, the leave-cost projection, the what-if recompute;
* :mod:`benchmarks.report_suite` — the report suite, kernel start and the fixed cost per notebook;
* :mod:`benchmarks.dask_scale` — 10,000,000 teacher-months over Parquet partitions with Dask
  (:mod:`staffcalc.partitioned`), checked against a plain pandas loop;
* :mod:`benchmarks.rowwise` — the straightforward row-by-row Python implementation of the monthly
  appraisal rules (P5 §3, §4): the "before" figure and an independent reference;
* :mod:`benchmarks.data` — vectorised generators of the inputs, cached as Parquet in ``bench-data/``;
* :mod:`benchmarks.memory` — fresh-process runner reading the child's peak RSS;
  :mod:`benchmarks.timing` — best/median timing helpers and target lines.
"""
