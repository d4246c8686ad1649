"""The ``staffcalc`` command.

    staffcalc report   [--config reports.yaml] [--data data] [--out reports] [--only NAME]...
                       [--override FILE] [--jobs N] [--per unit] [--scheduler ADDRESS]
                       [--timeout SECONDS] [--show-names] [--quiet]
    staffcalc validate [--data data] [--as-of DATE] [--override FILE] [--problems FILE]
    staffcalc explain  --staff ID [--data data] [--period YYYY-MM] [--topic T] [--format text|html|pdf|xlsx]
                       [--override FILE] [--as-of DATE] [--show-names] [--out PATH]
    staffcalc sample   ...   (the options of ``python -m staffcalc.sample``)
    staffcalc docs     [--out docs] [--data data] [--check]

``sample`` is handed to :mod:`staffcalc.sample` before argparse (it is in the parser for
``--help`` only).  ``report`` exit codes: 0 all notebooks ok; 1 a notebook failed, timed out or crashed (the run is
published, ``latest`` is not moved); 2 bad config, parameters, override or data folder (nothing ran);
3 another run holds the lock; 4 the output folder cannot be written (nothing published); 130
interrupted.  ``validate``: 0 all tables valid, 1 problems, 2 bad ``--as-of`` or ``--override``;
both write the full problem list to ``<data>/staffcalc-problems.xlsx`` (or ``--problems FILE``) and
show a summary.  ``docs --check``: 0 the generated docs are current, 1 stale files (listed).

Each subcommand is a ``_cmd_<name>(args) -> int`` registered in :func:`build_parser`; add new ones
(``whatif``) the same way.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from . import __version__


@contextmanager
def _sigterm_as_interrupt():
    """Turn SIGTERM (kill, systemd stop) into KeyboardInterrupt while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------
def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="run the report notebooks and publish HTML, PDF, Excel and a manifest / 生成报告",
        description="Validate the input tables, then run the notebooks listed in the config on a pool of warm "
                    "workers; publish <out>/<run-id>/ (executed notebooks, HTML without code, PDF where chromium "
                    "is installed, Excel workbooks, manifest.json), rewrite <out>/index.html, and point "
                    "<out>/latest at it after a complete run of the whole config without --only, --per or "
                    "--override.",
        epilog="exit codes: 0 all notebooks ok; 1 a notebook failed, timed out or crashed (run published, "
               "latest not moved); 2 bad config, parameters, override or data (nothing ran); "
               "3 another run holds the lock; 4 output folder not writable (nothing published); 130 interrupted",
    )
    p.add_argument("--config", type=Path, default=Path("reports.yaml"), help="report config (default: reports.yaml)")
    p.add_argument("--data", type=Path, default=Path("data"), help="input data folder (default: data)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    p.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this notebook (repeatable)")
    p.add_argument("--override", type=Path, metavar="FILE",
                   help="what-if policy override file: YAML mapping {dotted.path: value}")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="notebooks run in parallel (default 1)")
    p.add_argument("--per", choices=["unit"], help="one report set per unit (unit_id in disciplines.csv)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="wall-clock limit per notebook (overrides config)")
    p.add_argument("--show-names", action="store_true", help="show personal names in reports (default: hidden)")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    _add_problems_option(p)
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from .io import InputError
    from .report import ConfigError, LockedError, Options, ParameterError, run_reports, summary
    from .report.publish import OutputError
    from .report.run import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_LOCKED, EXIT_OUTPUT

    options = Options(
        config=args.config, data=args.data, out=args.out, only=list(args.only), override=args.override,
        jobs=args.jobs, quiet=args.quiet, per=args.per, scheduler=args.scheduler, timeout=args.timeout,
        show_names=args.show_names, command=["staffcalc", *args.argv],
    )
    try:
        with _sigterm_as_interrupt():  # systemd and kill: stop the notebooks, publish nothing
            outcome = run_reports(options)
    except (ConfigError, ParameterError) as exc:
        print(f"staffcalc report: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except InputError as exc:  # the checks of `staffcalc validate`, before any kernel started
        lines = ["staffcalc report: the input data have problems; nothing was run or published "
                 "/ 输入数据有问题，未运行也未发布任何报告"]
        lines += _problem_report(exc.problems, args.data, args.problems)
        print("\n".join(lines), file=sys.stderr)
        return EXIT_INVALID
    except LockedError as exc:
        print(f"staffcalc report: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except OutputError as exc:  # the output folder cannot be written: nothing published
        print(f"staffcalc report: {exc.strerror}", file=sys.stderr)
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        print("staffcalc report: interrupted; nothing published / 已中断，未发布", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(summary(outcome), flush=True)
    return outcome.exit_code


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------
PROBLEMS_FILE = "staffcalc-problems.xlsx"


def _add_problems_option(p) -> None:
    p.add_argument("--problems", type=Path, metavar="FILE",
                   help=f"where to write the full list of input problems (default: {PROBLEMS_FILE} in the data folder)")


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check every input table in a data folder / 校验输入数据",
                       description="Read and validate every input table in the folder, the links between them and "
                                   "the score ranges and codes of the policy in force; exit 1 on problems and "
                                   "write the full problem list as an Excel workbook.",
                       epilog="exit codes: 0 all tables valid; 1 problems found (listed in the workbook); "
                              "2 bad --as-of or --override")
    p.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="date the policy and the plausibility of dates refer to (default: today)")
    p.add_argument("--override", type=Path, metavar="FILE", help="what-if override file (changes score ranges, codes)")
    _add_problems_option(p)
    p.set_defaults(func=_cmd_validate)


def _problem_report(problems, data_dir: Path, path: Path | None) -> list[str]:
    """Summary lines for the terminal; the full list goes to a workbook (path said)."""
    from .validation import summary, write_problems

    target = Path(path) if path else Path(data_dir) / PROBLEMS_FILE
    lines = summary(problems)
    try:
        written = write_problems(problems, target)
    except OSError as exc:
        lines.append(f"could not write the problem list to {target}: {exc.strerror or exc} / 无法写入问题清单")
    else:
        lines.append(f"全部 {len(problems)} 处问题见 / all {len(problems)} problem(s) listed in: {written.resolve()}")
    return lines


def validate_data(data_dir: Path, as_of=None, override: Path | None = None,
                  problems_file: Path | None = None) -> tuple[bool, list[str]]:
    """Validate every input table in ``data_dir`` with :func:`staffcalc.validation.validate`.

    Returns (ok, report lines in Chinese and English); on problems the full list is written to
    ``problems_file`` (default ``<data_dir>/staffcalc-problems.xlsx``), and an old list is removed
    when the data are valid."""
    from . import policy, schemas
    from .validation import validate

    pol = policy.load_scenario(as_of, override or "")
    result = validate(data_dir, policy=pol, as_of=as_of)
    lines = [f"校验输入数据 / Validating input tables in {data_dir} (as of {result.as_of})"]
    if not result.ok:
        counts = result.problems.groupby("file", sort=False).size()
        lines += _problem_report(result.problems, data_dir, problems_file)
        lines.append(f"结果 / Result: {len(result.problems)} 处问题，{len(counts)} 个文件 / "
                     f"{len(result.problems)} problem(s) in {len(counts)} file(s)")
        return False, lines
    for kind, df in result.tables.items():
        lines.append(f"  ✓ {kind} ({schemas.TABLES[kind].zh}): {len(df)} 行 / rows")
    stale = Path(problems_file) if problems_file else Path(data_dir) / PROBLEMS_FILE
    if stale.is_file():
        stale.unlink()
        lines.append(f"removed the old problem list {stale} / 已删除旧的问题清单")
    lines.append(f"结果 / Result: 全部 {len(result.tables)} 个表通过 / all {len(result.tables)} tables valid")
    return True, lines


def _cmd_validate(args) -> int:
    try:
        ok, lines = validate_data(args.data, args.as_of, args.override, args.problems)
    except ValueError as exc:  # a bad --as-of date or override file (PolicyError is a ValueError)
        print(f"staffcalc validate: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if ok else 1


# --------------------------------------------------------------------------------------------
# sample
# --------------------------------------------------------------------------------------------
def _add_sample(sub) -> None:
    # listed for --help only: main() hands "sample ..." to staffcalc.sample before argparse sees it
    sub.add_parser("sample", help="write the synthetic sample data / 生成样例数据", add_help=False,
                   description="Same options as python -m staffcalc.sample.")


def _run_sample(argv: list[str]) -> int:
    """Delegate to ``staffcalc.sample.__main__.main(argv)``."""
    from .sample.__main__ import main as sample_main

    try:
        rc = sample_main(argv)
    except SystemExit as exc:
        rc = exc.code
    if rc is None:
        return 0
    return rc if isinstance(rc, int) else 1


# --------------------------------------------------------------------------------------------
# docs
# --------------------------------------------------------------------------------------------
def _add_docs(sub) -> None:
    p = sub.add_parser("docs", help="regenerate the rules reference in docs/ / 生成规则参考文档",
                       description="Write docs/README.md, docs/rules/<policy file>.md and docs/staffcalc-rules.html "
                                   "from the policy files (run in a repository checkout).")
    p.add_argument("--out", type=Path, default=None, help="docs folder (default: the repository's docs/)")
    p.add_argument("--data", type=Path, default=None, help="sample data folder (default: the repository's data/)")
    p.add_argument("--check", action="store_true", help="only list stale files; exit 1 if any / 仅检查是否过期")
    p.set_defaults(func=_cmd_docs)


def _cmd_docs(args) -> int:
    from . import parameter_use, rules_docs

    out = args.out or rules_docs.DOCS_DIR
    data = args.data or parameter_use.DEFAULT_DATA
    if args.check:
        old = rules_docs.stale(out, data)
        for name in old:
            print(f"stale / 已过期: {Path(out) / name}")
        return 1 if old else 0
    for path in rules_docs.write(out, data):
        print(f"written / 已写入: {path}")
    return 0


# --------------------------------------------------------------------------------------------
# whatif
# --------------------------------------------------------------------------------------------
def _add_whatif(sub) -> None:
    p = sub.add_parser(
        "whatif",
        help="serve the what-if scoring page with Voila on 127.0.0.1 / 假设情景测算页面",
        description="Serve notebooks/whatif_scoring.ipynb with Voila on 127.0.0.1 and print its address: "
                    "typed entries over the appraisal, recruitment and post-quota parameters (refused, never "
                    "clamped, when out of range), results beside the baseline, who is affected (Excel), "
                    "named scenarios kept in --out, export of an override file for `staffcalc report --override`.",
        epilog="exit codes: 0 stopped with Ctrl-C; 2 notebook, data folder or data not usable; otherwise Voila's",
    )
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866; no fallback to another)")
    p.add_argument("--data", type=Path, default=Path("data"), help="input data folder (default: data)")
    p.add_argument("--out", type=Path, default=Path("."),
                   help="folder for saved scenarios, exported override files and affected lists (default: current folder)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=_cmd_whatif)


def _cmd_whatif(args) -> int:
    from .whatif_server import serve  # starts Voila before importing pandas

    if not 0 < args.port < 65536:
        print(f"staffcalc whatif: --port {args.port} is not a TCP port / 端口号无效", file=sys.stderr)
        return 2
    with _sigterm_as_interrupt():  # stopping the service stops Voila cleanly
        return serve(port=args.port, data_dir=args.data, out_dir=args.out, open_browser=not args.no_browser)


# --------------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------------
EXPLAIN_SUFFIX = {"text": ".txt", "html": ".html", "pdf": ".pdf", "xlsx": ".xlsx"}


def _add_explain(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="explain one person's figures step by step, for review and appeal / 解释单（复核、申诉）",
        description="For one staff number (or application / candidate number): every step of the appraisal, "
                    "recruitment, post-eligibility or study-leave pay calculation with the person's values, the "
                    "parameter, the clause and its Chinese wording, the arithmetic and the result.",
        epilog="exit codes: 0 written; 1 the format cannot be produced here (PDF without chromium); "
               "2 unknown id, period without data, topic not applying, bad data or override",
    )
    p.add_argument("--data", type=Path, default=Path("data"), help="input data folder (default: data)")
    p.add_argument("--staff", required=True, metavar="ID",
                   help="staff number (工号), application number (申报编号) or candidate number (竞聘编号)")
    p.add_argument("--period", metavar="YYYY-MM",
                   help="appraisal month, a month of the study episode, application month or recruitment round")
    p.add_argument("--topic", choices=["appraisal", "recruitment", "eligibility", "pay"],
                   help="one calculation (default: every one that concerns the person)")
    p.add_argument("--format", choices=list(EXPLAIN_SUFFIX), default="text", help="text (default), html, pdf, xlsx")
    p.add_argument("--override", type=Path, metavar="FILE", help="what-if override file: the sheet under the scenario")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="policy date and date of the service figures (default: today)")
    p.add_argument("--show-names", action="store_true", help="show the person's name (hidden by default)")
    p.add_argument("--out", type=Path, metavar="PATH",
                   help="output file (default: text to the terminal, other formats explain-<ID>.<ext>)")
    p.set_defaults(func=_cmd_explain)


def _cmd_explain(args) -> int:
    import datetime as dt

    from . import explain as ex
    from . import policy as policy_mod
    from .errors import StaffcalcError
    from .explain import render

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError:
        print(f"staffcalc explain: --as-of {args.as_of!r} is not a date YYYY-MM-DD / 日期格式应为 YYYY-MM-DD",
              file=sys.stderr)
        return 2
    try:
        _, _, parameters = policy_mod.split_overrides(policy_mod.load_overrides(args.override))
        pol = policy_mod.load_scenario(as_of, args.override)
        trace = ex.explain(args.data, args.staff, args.topic, args.period, pol, as_of=as_of, parameters=parameters,
                           show_names=args.show_names)
    except (ex.ExplainError, StaffcalcError) as exc:
        print(f"staffcalc explain: {exc}", file=sys.stderr)
        return 2
    if args.format == "text" and args.out is None:
        print(trace.to_text(), end="")
        return 0
    out = args.out or Path(f"explain-{args.staff}{'-' + args.period if args.period else ''}"
                           f"{EXPLAIN_SUFFIX[args.format]}")
    try:
        if args.format == "text":
            from .atomic import write_text
            write_text(out, trace.to_text())
        elif args.format == "html":
            render.write_html(trace, out)
        elif args.format == "pdf":
            render.write_pdf(trace, out)
        else:
            render.write_xlsx(trace, out)
    except render.RenderError as exc:
        print(f"staffcalc explain: {exc}", file=sys.stderr)
        return 1
    print(f"解释单已写入 / sheet written: {out}")
    return 0


# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="staffcalc", description="staffcalc: staff-planning reports / 人事规划计算")
    parser.add_argument("--version", action="version", version=f"staffcalc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_report(sub)
    _add_validate(sub)
    _add_sample(sub)
    _add_whatif(sub)
    _add_explain(sub)
    _add_docs(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sample"]:  # pass everything through untouched (argparse mangles REMAINDER options)
        return _run_sample(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    args.argv = argv
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
