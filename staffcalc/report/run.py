"""A report run: check everything, take the lock, run the notebooks, write the manifest, publish.

Order (nothing below step 4 starts a kernel; nothing is written before step 5):

1. read ``reports.yaml``; select ``--only`` notebooks; list units for ``--per unit``;
2. read the ``--override`` file and apply it with ``policy.load(as_of).override(...)`` for every
   as-of date used (a bad path, type or bound stops the run here);
3. check every notebook's parameters against its ``parameters`` cell (:mod:`.params`), and every
   input table the notebooks read (:mod:`.inputs`, the checks of ``staffcalc validate``);
4. take the lock ``<out>/.staffcalc-report.lock`` without waiting (another run holds it: exit 3);
5. write into ``<out>/.tmp-<run-id>/``: run the notebooks on a pool of ``--jobs`` warm report
   workers (:mod:`.pool`, each notebook on a fresh pre-started kernel), or with ``--scheduler`` on
   a Dask cluster whose workers each keep such a pool; a terminal shows notebooks done / total and
   an ETA;
6. write ``manifest.json``, rename the folder to ``<out>/<run-id>/``, and move ``latest`` to it if
   every notebook succeeded (:mod:`.publish` explains why a failed run is published without moving
   ``latest``).

Exit codes (:attr:`RunOutcome.exit_code` and the CLI): 0 every notebook ok; 1 a notebook failed,
timed out or crashed; 2 bad config, parameters, override or data folder; 4 the output folder cannot be written (nothing
published); 3 another run holds the
lock; 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import platform
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from . import index as run_index
from . import publish
from .config import ConfigError, NotebookSpec, load_config
from .inputs import check_inputs
from .manifest import file_entries, policy_entry, sha256_file, write_json
from .params import Declared, ParameterError, declared_parameters
from .params import check as check_parameters
from .pool import Pool, kill_all, shutdown_local
from .task import run_task

LOCK_NAME = ".staffcalc-report.lock"
EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_LOCKED, EXIT_OUTPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
STATUS_ZH = {"ok": "成功", "failed": "失败", "timeout": "超时", "crashed": "崩溃"}


class LockedError(RuntimeError):
    """Another ``staffcalc report`` is running on the same output folder."""


@dataclass
class Options:
    """What ``staffcalc report`` was asked to do (the CLI options, as values)."""

    config: Path = Path("reports.yaml")
    data: Path = Path("data")
    out: Path = Path("reports")
    only: list[str] = field(default_factory=list)
    override: Path | None = None
    jobs: int = 1
    quiet: bool = False
    per: str | None = None  # None or "unit"
    scheduler: str | None = None
    timeout: float | None = None
    show_names: bool = False
    command: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """A fully checked run, ready to execute: tasks carry absolute paths and final parameters."""

    options: Options
    run_id: str
    out: Path
    tmp_dir: Path
    data_dir: Path
    config_path: Path
    specs: list[NotebookSpec]
    units: list[str]
    tasks: list[dict]
    overrides: dict | None
    policy: list[dict]


@dataclass
class RunOutcome:
    run_id: str
    run_dir: Path
    status: str  # "complete" | "failed"
    results: list[dict]
    latest_moved: bool
    latest_kind: str | None
    manifest: dict
    removed_stale: list[str] = field(default_factory=list)
    pointer: str | None = "latest"  # the pointer a complete run moves (publish.pointer_name)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "complete" else EXIT_FAILED


def interactive() -> bool:
    """Whether stderr is a terminal (progress is shown only then, and not with --quiet)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------------------------
# 1–3: checks, no kernel
# --------------------------------------------------------------------------------------------
def read_units(data_dir: Path) -> list[str]:
    """Unit ids (sorted, distinct) from ``<data>/disciplines.csv`` column ``unit_id``."""
    path = data_dir / "disciplines.csv"
    if not path.is_file():
        raise ConfigError(f"--per unit: {path} not found / 找不到学科编制表")
    from ..io import read_table

    try:
        df = read_table(path, "disciplines")
    except ValueError as exc:
        raise ConfigError(f"--per unit: {path}: {exc}") from None
    if "unit_id" not in df.columns:
        raise ConfigError(f"--per unit: {path} has no unit_id column / 缺少单位代码列")
    units = sorted({str(u) for u in df["unit_id"].dropna()})
    bad = [u for u in units if not u or u.startswith(".") or any(c in u for c in "/\\:\0") or u != u.strip()]
    if bad:
        raise ConfigError(f"--per unit: unit ids {bad} cannot be folder names / 单位代码不能用作目录名")
    if not units:
        raise ConfigError(f"--per unit: {path} lists no units / 未列出任何单位")
    return units


def _read_override(override: Path | None) -> tuple[dict, object, dict]:
    """``(policy overrides, variant, notebook parameters)`` from an ``--override`` file."""
    from .. import policy as policy_mod

    if override is None:
        return {}, None, {}
    if not override.is_file():
        raise ConfigError(f"--override {override}: file not found / 找不到覆盖文件")
    _check_override_file(override)
    try:
        return policy_mod.split_overrides(policy_mod.load_overrides(override))
    except ValueError as exc:
        raise ConfigError(f"--override {override}: {exc}") from None


def _check_override_file(override: Path) -> None:
    """An override file is a non-empty UTF-8 YAML mapping: say which of these it is not."""
    import yaml

    data = override.read_bytes()
    if not data.strip():
        raise ConfigError(f"--override {override}: the file is empty; write one `dotted.path: value` per line "
                          f"/ 覆盖文件为空")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030)"
        except UnicodeDecodeError:
            pass
        raise ConfigError(f"--override {override}: not UTF-8 text{hint}; save it as UTF-8 "
                          f"/ 覆盖文件须为 UTF-8 编码，请另存为 UTF-8") from None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"--override {override}: not valid YAML: {str(exc).splitlines()[0]} / 覆盖文件格式错误") from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"--override {override}: expected a mapping of `dotted.path: value` lines, got "
                          f"{type(parsed).__name__} / 覆盖文件须为“参数路径: 值”的映射")


def _load_policies(as_ofs: list[str | None], override: Path | None, values: dict, variant,
                   parameters: dict) -> tuple[list[dict], dict | None]:
    from .. import policy as policy_mod

    overrides = None
    if override is not None:
        overrides = {"file": str(override), "sha256": sha256_file(override), "values": values,
                     "variant": variant, "parameters": parameters}
    entries = []
    for as_of in as_ofs:
        try:
            pol = policy_mod.load(as_of or None, variant=variant)
            if values:
                pol = pol.override(values)
        except (ValueError, KeyError, TypeError) as exc:
            what = f"--override {override}" if override is not None else "policy files"
            raise ConfigError(f"{what} (as of {as_of or 'today'}): {exc}") from None
        entries.append(policy_entry(pol, as_of or pol.as_of.isoformat(), variant))
    return entries, overrides


def _notebook_params(spec: NotebookSpec, declared: dict[str, Declared], override_params: dict) -> dict:
    """The config's parameters of a notebook with the override file's ``parameters:`` it declares."""
    return {**spec.parameters, **{k: v for k, v in override_params.items() if k in declared}}


def _as_of(params: dict, declared: dict[str, Declared]) -> str | None:
    as_of = params.get("as_of", getattr(declared.get("as_of"), "default", None))
    return str(as_of) if as_of else None


def plan(options: Options, before_inputs: Callable[[list[dict]], None] | None = None) -> Plan:
    """Check everything a run needs without starting a kernel or writing a file (``before_inputs(tasks)``
    is called once the configuration, the parameters and the policy are found correct, just before
    the input tables are checked).

    Raises :class:`ConfigError`, :class:`ParameterError` (all parameter problems at once) or
    :class:`staffcalc.io.InputError` (every problem of the tables the notebooks read)."""
    config = load_config(options.config)
    specs = config.select(options.only)
    data_dir = Path(options.data).resolve()
    if not data_dir.is_dir():
        raise ConfigError(f"--data {options.data}: not a folder / 数据目录不存在")
    if options.per not in (None, "unit"):
        raise ConfigError(f"--per {options.per}: only 'unit' is supported / 仅支持按单位拆分")
    if options.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    if options.timeout is not None and options.timeout <= 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    units = read_units(data_dir) if options.per == "unit" else [""]
    override = Path(options.override).resolve() if options.override else None
    override_values, override_variant, override_params = _read_override(override)

    out = Path(options.out).resolve()
    declared: dict[str, dict[str, Declared]] = {}
    problems: list[str] = []
    for spec in specs:
        try:
            declared[spec.name] = declared_parameters(spec.path)
        except ParameterError as exc:
            problems.append(f"{spec.name}: {exc}")
    if override_params:  # each must be declared by some notebook of the config (catches typos) …
        every = {s.name: declared_parameters(s.path) for s in config.notebooks}
        known = set().union(*every.values())
        for name in sorted(set(override_params) - known):
            problems.append(f"--override {override}: parameters.{name} is declared by no notebook in "
                            f"{config.path.name} / 覆盖文件中的报告参数不存在")
        for name, d in every.items():  # … and fit every notebook that declares it, selected or not
            given = {k: v for k, v in override_params.items() if k in d}
            problems.extend(f"--override {override}: {m}" for m in check_parameters(name, d, given))
    if problems:  # notebooks and override parameters first: cheaper to fix than data
        raise ParameterError(
            "parameters do not match the notebooks (nothing was run) / 参数与笔记本不符，未运行任何笔记本:\n  "
            + "\n  ".join(problems)
        )
    run_id = publish.new_run_id()
    tmp_dir = out / f"{publish.TMP_PREFIX}{run_id}"
    tasks: list[dict] = []
    as_ofs: list[str | None] = []
    for unit in units:
        for spec in specs:
            if spec.name not in declared:
                continue
            label = f"{unit}/{spec.name}" if unit else spec.name
            out_dir = tmp_dir / unit / spec.name if unit else tmp_dir / spec.name
            params: dict[str, Any] = {
                **spec.parameters,
                "data_dir": str(data_dir),
                "out_dir": str(out_dir),
                "show_names": bool(options.show_names),
            }
            if override is not None:
                params["overrides_file"] = str(override)
                params.update({k: v for k, v in override_params.items() if k in declared[spec.name]})
            if unit:
                params["unit"] = unit
            found = check_parameters(label, declared[spec.name],  # override parameters: checked above
                                     {k: v for k, v in params.items() if k not in override_params})
            problems.extend(found)
            as_of = _as_of(params, declared[spec.name])
            if as_of not in as_ofs:
                as_ofs.append(as_of)
            timeout = float(options.timeout or spec.timeout)
            cell_timeout = float(min(spec.cell_timeout or timeout, timeout))
            tasks.append({
                "run_id": run_id,
                "name": spec.name,
                "unit": unit,
                "label": label,
                "notebook": str(spec.path),
                "cwd": str(spec.path.parent),
                "out_dir": str(out_dir),
                "output_notebook": str(out_dir / f"{spec.name}.ipynb"),
                "html": str(out_dir / f"{spec.name}.html"),
                "parameters": params,
                "as_of": as_of,
                "kernel": spec.kernel,
                "timeout": timeout,
                "cell_timeout": cell_timeout,
                "start_timeout": float(min(spec.start_timeout, timeout)),
                "retries": int(spec.retries),
                "progress": False,
            })
    if problems:
        raise ParameterError(
            "parameters do not match the notebooks (nothing was run) / 参数与笔记本不符，未运行任何笔记本:\n  "
            + "\n  ".join(problems)
        )
    policy, overrides = _load_policies(as_ofs, override, override_values, override_variant, override_params)
    if before_inputs is not None:
        before_inputs(tasks)
    # the tables the notebooks read, once parameters and policy are right (bad data: InputError, nothing runs)
    check_inputs(data_dir, [(s.path, _as_of(_notebook_params(s, declared[s.name], override_params), declared[s.name]))
                            for s in specs if s.name in declared], override_variant, override_values,
                 what=f"--override {override}" if override is not None else "policy files")
    return Plan(options=options, run_id=run_id, out=out, tmp_dir=tmp_dir, data_dir=data_dir,
                config_path=config.path, specs=specs, units=[u for u in units if u], tasks=tasks,
                overrides=overrides, policy=policy)


# --------------------------------------------------------------------------------------------
# 4–6: lock, run, publish
# --------------------------------------------------------------------------------------------
def _crashed(task: dict, exc: BaseException) -> dict:
    now = _now().isoformat(timespec="milliseconds")
    return {"name": task["name"], "unit": task["unit"], "label": task["label"], "status": "crashed",
            "error": {"cell_index": None, "cell_id": None, "source_line": None, "execution_count": None,
                      "ename": type(exc).__name__, "evalue": str(exc)},
            "html_error": None, "attempts": 0, "worker": None, "started": now, "finished": now, "duration_s": 0.0}


def _eta(done: int, total: int, elapsed: float) -> str:
    """``[k/n] ETA m:ss`` — notebooks done of all, time left at the pace so far."""
    left = elapsed / done * (total - done) if done else 0.0
    return f"  [{done}/{total}] ETA {int(left // 60)}:{int(left % 60):02d}" if done < total else f"  [{done}/{total}]"


def pool_for(tasks: list[dict], jobs: int) -> Pool:
    """A pool of ``jobs`` warm workers (fewer for fewer tasks) for ``tasks``: their kernel, folder, run
    id and data folder (:mod:`.pool`)."""
    first = tasks[0] if tasks else {"kernel": "python3", "cwd": ".", "run_id": ""}
    return Pool(max(1, min(jobs, len(tasks))), kernel=first["kernel"], cwd=first["cwd"],
                run_id=first.get("run_id", ""), data_dir=first.get("parameters", {}).get("data_dir", ""))


def _run_local(tasks: list[dict], jobs: int, say: Callable[[str], None], progress: bool = False,
               engine: Pool | None = None) -> list[dict]:
    """Run the tasks on ``engine`` (started early) or a new :func:`pool_for` them, as many at a time as
    the pool has workers; the pool is closed at the end."""
    results: dict[int, dict] = {}
    t0 = time.time()
    engine = engine or pool_for(tasks, jobs)
    size = engine.size
    with engine, ThreadPoolExecutor(max_workers=size) as threads:
        engine.expect(len(tasks))
        futures = {threads.submit(run_task, t, engine): i for i, t in enumerate(tasks)}
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except Exception as exc:  # noqa: BLE001 - run_task does not raise; belt and braces
                    results[i] = _crashed(tasks[i], exc)
                say(_line(results[i]))
                if progress:
                    say(_eta(len(results), len(tasks), time.time() - t0))
        except BaseException:
            for fut in futures:
                fut.cancel()
            kill_all()
            raise
    return [results[i] for i in range(len(tasks))]


def _connect(address: str):
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise ConfigError(f"--scheduler needs dask.distributed: {exc}") from None
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler {address}: cannot connect / 无法连接调度器: {exc}") from None


def _run_dask(client, tasks: list[dict], say: Callable[[str], None]) -> list[dict]:
    from distributed import as_completed as dask_completed

    futures = client.map(run_task, tasks, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results: dict[int, dict] = {}
    try:
        for fut in dask_completed(futures):
            i = index[fut.key]
            try:
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: report, do not wait
                results[i] = _crashed(tasks[i], exc)
            say(_line(results[i]))
    finally:
        try:
            client.run(shutdown_local)  # the workers' report pools end with the run
        except Exception:  # noqa: BLE001 - a cluster that went away has no pools left
            pass
    return [results[i] for i in range(len(tasks))]


def describe_error(err: dict | None) -> str:
    """``cell 4 `raise ValueError(...)` (In [4]): ValueError: message`` — where and what."""
    if not err:
        return ""
    if err.get("cell_index") is not None:
        where = f"cell {err['cell_index']}"
        if err.get("source_line"):
            where += f" `{err['source_line'][:60]}`"
    elif err.get("source_line"):
        where = "injected parameters"
    else:
        where = "before the first cell"
    if err.get("execution_count") is not None:
        where += f" (In [{err['execution_count']}])"
    evalue = str(err.get("evalue", "")).strip().splitlines()
    return f"{where}: {err.get('ename')}: {evalue[0] if evalue else ''}"


def _line(r: dict) -> str:
    status = r["status"]
    text = f"  {status.upper() if status != 'ok' else 'ok':8} {STATUS_ZH.get(status, status)}  {r['label']:<28} {r['duration_s']:7.1f} s"
    if r.get("error"):
        text += "  " + describe_error(r["error"])
    if r.get("attempts", 1) > 1:
        text += f"  [{r['attempts']} tries]"
    return text


def execute(p: Plan, say: Callable[[str], None] | None = None, progress: bool = False,
            engine: Pool | None = None) -> RunOutcome:
    """Steps 4–6 for a checked plan (on ``engine``, a pool started early, if given; it is closed or
    killed by the time this returns).  Raises :class:`LockedError` if another run holds the lock."""
    from filelock import FileLock, Timeout

    say = say or (lambda msg: None)
    try:
        p.out.mkdir(parents=True, exist_ok=True)
        if not os.access(p.out, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "permission denied", str(p.out))
    except OSError as exc:
        raise publish.output_error("create or write the output folder", p.out, exc) from None
    lock = FileLock(str(p.out / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockedError(
            f"another staffcalc report run holds {p.out / LOCK_NAME}; try again when it has finished "
            f"/ 另一个报告任务正在运行，请稍后再试"
        ) from None
    try:
        removed = publish.remove_stale_tmp(p.out)
        for name in removed:
            say(f"removed {name} left by an interrupted run / 已清理中断运行的临时目录")
        client = _connect(p.options.scheduler) if p.options.scheduler else None
        started, t0 = _now(), time.time()
        try:
            p.tmp_dir.mkdir(parents=True)
        except OSError as exc:
            raise publish.output_error("create a folder in", p.out, exc) from None
        inputs = file_entries(p.data_dir)
        for t in p.tasks:
            Path(t["out_dir"]).mkdir(parents=True, exist_ok=True)
            t["progress"] = progress and client is None
        if p.overrides is not None:
            src = Path(p.overrides["file"])
            shutil.copy2(src, p.tmp_dir / f"overrides{src.suffix or '.yaml'}")
        say(f"run {p.run_id}: {len(p.tasks)} notebook(s) / 开始运行 {len(p.tasks)} 个笔记本")
        try:
            if client is not None:
                with client:
                    results = _run_dask(client, p.tasks, say)
            else:
                results = _run_local(p.tasks, p.options.jobs, say, progress, engine)
        except BaseException:
            kill_all()
            raise
        finished = _now()
        status = "complete" if all(r["status"] == "ok" for r in results) else "failed"
        pointer = publish.pointer_name(p.options.only, p.overrides and p.overrides["file"], p.options.per)
        manifest = _manifest(p, results, inputs, started, finished, time.time() - t0, status)
        manifest["latest"] = status == "complete" and pointer == publish.LATEST
        manifest["pointer"] = pointer if status == "complete" else None
        try:
            write_json(p.tmp_dir / "manifest.json", manifest)
            run_dir = publish.publish(p.tmp_dir, p.out / p.run_id)
            kind = publish.set_latest(p.out, p.run_id, pointer) if status == "complete" and pointer else None
        except OSError as exc:  # a full disk, the folder gone read-only: no half-published run
            shutil.rmtree(p.tmp_dir, ignore_errors=True)
            raise publish.output_error("publish the run in", p.out, exc) from None
        try:
            run_index.write_index(p.out)
        except Exception as exc:  # noqa: BLE001 - the run is published; the index is a convenience
            say(f"reports/index.html not written: {type(exc).__name__}: {exc} / 运行索引未更新")
        return RunOutcome(run_id=p.run_id, run_dir=run_dir, status=status, results=results,
                          latest_moved=kind is not None, latest_kind=kind, manifest=manifest,
                          removed_stale=removed, pointer=pointer)
    finally:
        lock.release()


def _manifest(p: Plan, results: list[dict], inputs: list[dict], started: dt.datetime,
              finished: dt.datetime, duration: float, status: str) -> dict:
    from importlib.metadata import version

    source_sha = {spec.name: sha256_file(spec.path) for spec in p.specs}
    notebooks = []
    for task, r in zip(p.tasks, results):
        out_dir = Path(task["out_dir"])
        files = sorted(f for f in out_dir.rglob("*") if f.is_file()) if out_dir.is_dir() else []
        outputs = file_entries(p.tmp_dir, files)
        params = dict(task["parameters"])
        params["out_dir"] = out_dir.relative_to(p.tmp_dir).as_posix()  # the temp path is gone after publishing
        notebooks.append({
            "name": task["name"],
            "unit": task["unit"] or None,
            "notebook": task["notebook"],
            "notebook_sha256": source_sha[task["name"]],
            "parameters": params,
            "as_of": task["as_of"],
            "timeout": task["timeout"],
            "cell_timeout": task["cell_timeout"],
            "status": r["status"],
            "error": r["error"],
            "html_error": r.get("html_error"),
            "pdf": _relative_pdf(r.get("pdf"), p.tmp_dir),
            "attempts": r["attempts"],
            "worker": r.get("worker"),
            "started": r["started"],
            "finished": r["finished"],
            "duration_s": r["duration_s"],
            "outputs": outputs,
        })
    o = p.options
    return {
        "run_id": p.run_id,
        "status": status,
        "latest": status == "complete",
        "started": started.isoformat(timespec="milliseconds"),
        "finished": finished.isoformat(timespec="milliseconds"),
        "duration_s": round(duration, 3),
        "staffcalc_version": __version__,
        "python": platform.python_version(),
        "papermill_version": version("papermill"),  # importing papermill here would cost seconds
        "command": list(o.command),
        "config": {"path": str(p.config_path), "sha256": sha256_file(p.config_path)},
        "data_dir": str(p.data_dir),
        "inputs": inputs,
        "policy": p.policy,
        "overrides": p.overrides,
        "show_names": bool(o.show_names),
        "per": o.per,
        "units": p.units,
        "jobs": o.jobs,
        "scheduler": o.scheduler,
        "notebooks": notebooks,
    }


def _relative_pdf(pdf: dict | None, tmp_dir: Path) -> dict | None:
    """The PDF step's result with the file named inside the run (the temporary folder is renamed)."""
    if not pdf or not pdf.get("path"):
        return pdf
    try:
        return {**pdf, "path": Path(pdf["path"]).relative_to(tmp_dir).as_posix()}
    except ValueError:
        return pdf


def summary(outcome: RunOutcome) -> str:
    """The final report printed by the CLI (also with --quiet)."""
    counts: dict[str, int] = {}
    for r in outcome.results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    head = "complete / 全部成功" if outcome.status == "complete" else "FAILED / 有报告失败"
    lines = [f"staffcalc report {outcome.run_id}: {head} ({tally}) in {outcome.manifest['duration_s']:.1f} s"]
    lines += [_line(r) for r in outcome.results]
    lines.append(f"published / 已发布: {outcome.run_dir}")
    skipped = {(r.get("pdf") or {}).get("reason") for r in outcome.results
               if (r.get("pdf") or {}).get("status") == "skipped"}
    if skipped:
        lines.append(f"PDF skipped / 未生成 PDF: {'; '.join(sorted(skipped))}")
    if outcome.removed_stale:
        lines.append(f"removed unfinished runs / 已清理未完成的运行: {', '.join(outcome.removed_stale)}")
    if outcome.latest_moved:
        where = outcome.pointer if outcome.latest_kind == "symlink" else outcome.latest_kind
        lines.append(f"{where} -> {outcome.run_id}")
    elif outcome.status == "complete":
        lines.append("latest unchanged: only a complete run of every notebook, for the whole institution and "
                     "without --override, replaces it / latest 未更新：--only、--per 运行不替换完整报告")
    else:
        lines.append("latest unchanged: not every notebook succeeded / latest 未更新：有报告未成功；"
                     "partial notebooks are kept in the run folder for debugging / 部分执行的笔记本已保留")
    return "\n".join(lines)


def run_reports(options: Options, say: Callable[[str], None] | None = None) -> RunOutcome:
    """Plan and execute a run (the library entry point behind ``staffcalc report``)."""
    progress = not options.quiet and interactive()
    if say is None:
        say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    started: list[Pool] = []

    def start_engine(tasks: list[dict]) -> None:
        """The run's pool, started while the input files are checked: the workers and the kernel
        template warm up on the other core meanwhile (no kernel starts before a task is sent)."""
        if not options.scheduler:
            started.append(pool_for(tasks, options.jobs))

    try:
        p = plan(options, before_inputs=start_engine)
        return execute(p, say=say, progress=progress, engine=started[0] if started else None)
    finally:
        for engine in started:
            engine.kill()  # nothing left after a run; the warming workers after bad input or an error
