"""The `consult` command: a thin layer over the pipeline's public functions."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analyze import __version__
from analyze.charts import MissingCJKFont
from analyze.demo import copy_demo
from analyze.pipeline import STAGES, StageResult, run_round
from analyze.publish import DEFAULT_FORMATS, FormatError, parse_formats
from analyze.scaffold import ScaffoldError, init_round
from analyze.topics import CodebookError
from collect.forms import SourceError
from collect.roundfile import RoundFileError
from collect.schema import SchemaError

app = typer.Typer(
    help="consultkit: public consultation submissions to bilingual policy briefs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
USER_ERRORS = (
    RoundFileError,
    SourceError,
    SchemaError,
    ScaffoldError,
    MissingCJKFont,
    FileNotFoundError,
    CodebookError,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"consultkit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
) -> None:
    """Collect, analyse and publish a consultation round.

    Example: consult demo
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


def _fail(err: Exception) -> None:
    console.print(f"[red]error:[/red] {err}", highlight=False, soft_wrap=True)  # one line, however long
    raise typer.Exit(2)


def _run(
    path: Path, stages: tuple[str, ...], formats: tuple[str, ...] = DEFAULT_FORMATS, force: bool = False
) -> list[StageResult]:
    def show(r: StageResult) -> None:
        done = "unchanged, kept" if r.skipped else f"{r.rows_in:>7} → {r.rows_out:<7} {r.seconds:8.2f}s"
        console.print(f"[green]✓[/green] {r.stage:<10} {done}")

    start = time.perf_counter()
    try:
        with console.status("running…"):
            results = run_round(path, on_stage=show, stages=stages, formats=formats, force=force)
    except USER_ERRORS as err:
        _fail(err)
    table = Table("stage", "rows in", "rows out", "seconds", title="Stage timings")
    for r in results:
        table.add_row(r.stage, str(r.rows_in), str(r.rows_out), f"{r.seconds:.2f}")
    table.add_row("total (wall clock; stages may overlap)", "", "", f"{time.perf_counter() - start:.2f}")
    Console().print(table)
    return results


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="Short round name, e.g. ai-2026-r1.")],
    parent: Annotated[Path, typer.Option("--dir", help="Folder that holds rounds.")] = Path("data"),
) -> None:
    """Create a round folder with a round.yaml to fill in.

    Example: consult init ai-2026-r1
    """
    try:
        root = init_round(name, parent)
    except USER_ERRORS as err:
        _fail(err)
    typer.echo(f"created {root / 'round.yaml'}: put the export in {root / 'raw'} and edit the mapping")


@app.command()
def run(
    round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")],
    force: Annotated[bool, typer.Option("--force", help="Re-run stages whose inputs are unchanged.")] = False,
) -> None:
    """Run every stage of a round: collect, language, pii, duplicates, topics, sentiment, stance, concerns, report.

    Stages whose inputs, round file and version are unchanged since their last run are kept, not re-run.

    Example: consult run data/ai-2026-r1
    """
    _run(round_path, STAGES, force=force)


@app.command()
def collect(round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")]) -> None:
    """Import the round's sources into interim/responses.parquet and rejects.parquet.

    Example: consult collect data/ai-2026-r1
    """
    _run(round_path, ("collect",))


@app.command()
def crawl(
    round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")],
    source: Annotated[str | None, typer.Option("--source", help="Only this spider source.")] = None,
) -> None:
    """Fetch the round's spider sources into raw/<source>/ (polite, resumable, incremental); then run collect.

    Example: consult crawl data/ai-2026-r1 --source legco
    """
    from collect.spiders.runner import crawl_round

    try:
        with console.status("crawling…") as status:
            summaries = crawl_round(round_path, source, progress=lambda name, n: status.update(f"{name}: {n}"))
    except USER_ERRORS as err:
        _fail(err)
    typer.echo("\n".join(str(s) for s in summaries))


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    round_dir: Annotated[Path, typer.Option("--round", help="Round folder; writes its interim/ tables.")],
    kind: Annotated[str, typer.Option("--kind", help="auto, form, mbox, eml or documents.")] = "auto",
    preset: Annotated[
        str, typer.Option("--preset", help="Form preset: auto, google, microsoft, surveymonkey, qualtrics, generic.")
    ] = "auto",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object on the last line.")] = False,
) -> None:
    """Import form exports, e-mails and letters into ROUND_DIR/interim/responses.parquet and rejects.parquet.

    Re-importing is idempotent: unchanged files are skipped, changed files replace their earlier rows.

    Example: consult import exports/ mail/consultation.mbox --round data/ai-2026-r1
    """
    import json

    from collect.importer import import_paths, round_id_for, summary_lines

    try:
        report = import_paths(paths, round_dir, round_id=round_id_for(round_dir), kind=kind, preset=preset)
    except USER_ERRORS as err:
        _fail(err)
    typer.echo("\n".join(summary_lines(report)))
    if json_out:
        result = {**report.totals(), "rejected_by_reason": dict(report.reasons)}
        result["files"] = [vars(f) for f in report.files]
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))


@app.command()
def analyze(round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")]) -> None:
    """Run the analysis stages (language, pii, duplicates, topics, sentiment, stance, concerns) on responses.

    Example: consult analyze data/ai-2026-r1
    """
    _run(round_path, ("language", "pii", "duplicates", "topics", "sentiment", "stance", "concerns"))


@app.command()
def report(
    round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")],
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: html,pdf,docx,xlsx,md.")] = "html",
) -> None:
    """Build the brief (reports/<round>/brief.html, .pdf, .docx, .md, brief_tables.xlsx) from the analysed tables.

    Example: consult report data/ai-2026-r1 --format html,pdf,docx,xlsx,md
    """
    try:
        chosen = parse_formats(formats)
    except FormatError as err:
        _fail(err)
    _run(round_path, ("report",), chosen)


@app.command()
def notebook(
    round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml (already run).")],
    language: Annotated[str, typer.Option("--language", help="Headings in en, zh or both.")] = "both",
) -> None:
    """Execute the brief notebook for a round into reports/<round>/policy_brief.ipynb.

    Example: consult notebook data/ai-2026-r1 --language zh
    """
    from analyze.notebook import NotebookError, execute_brief_notebook

    try:
        out = execute_brief_notebook(round_path, language=language, progress=True)
    except (*USER_ERRORS, NotebookError) as err:
        _fail(err)
    typer.echo(f"notebook: {out.resolve()}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Working folder for the demo.")] = Path("consult-demo"),
) -> None:
    """Copy the shipped demo round to a working folder and run it end to end.

    Example: consult demo --out /tmp/consult-demo
    """
    round_dir = copy_demo(out)
    _run(round_dir, STAGES)
    brief = (out / "reports" / "demo" / "brief.html").resolve()
    typer.echo(f"brief: {brief}")


def _eval_suite(dirs: list[Path], out: Path, json_out: bool) -> None:
    import json

    from analyze.evaluation import EvalError
    from analyze.evaluation.suite import run_suite
    from analyze.evaluation.summary import met_text, metrics_text

    try:
        with console.status("evaluating…") as status:
            rows = run_suite(dirs, out, progress=lambda c: status.update(f"{c.task} on {c.dataset}…"))
    except EvalError as err:
        _fail(err)
    table = Table("task", "data set", "n", "main metrics", "target met?", title=f"Evaluation suite: {out}")
    for r in rows:
        table.add_row(r["task"], r["dataset"], str(r["n"] or ""), metrics_text(r), met_text(r["met"]).strip("*"))
    Console().print(table)
    if json_out:
        brief = [{k: v for k, v in r.items() if k != "result"} for r in rows]
        typer.echo(json.dumps({"task": "suite", "out": str(out), "rows": brief}, ensure_ascii=False, sort_keys=True))


@app.command("eval")
def eval_(
    task: Annotated[str, typer.Argument(help="language, pii, duplicates, topics, sentiment, stance, or suite.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Labelled UTF-8 CSV (columns depend on the task).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object on the last line.")] = False,
    baseline: Annotated[bool, typer.Option("--baseline", help="topics: also run a plain BERTopic().")] = False,
    dirs: Annotated[list[Path], typer.Option("--dir", help="suite: also score <task>*.csv files here.")] = [],  # noqa: B006
    out: Annotated[Path, typer.Option("--out", help="suite: Markdown summary (JSON beside it).")] = Path(
        "reports/eval/summary.md"
    ),
) -> None:
    """Measure a stage against human labels and print the metrics; `suite` runs every task on all labelled data.

    Example: consult eval language --data labelled.csv --json
    Example: consult eval suite --dir my-labels/ --out reports/eval/summary.md
    """
    import json

    from analyze.evaluation import EvalError, run_eval

    if task == "suite":
        return _eval_suite(dirs, out, json_out)
    if data is None:
        _fail(f"consult eval {task} needs --data FILE.csv")
    options = {"baseline": True} if baseline else {}
    try:
        result = run_eval(task, data, **options)
    except EvalError as err:
        _fail(err)
    table = Table("metric", "value", title=f"{task}: {result['n']} rows from {result['data']}")
    for key, value in result["metrics"].items():
        table.add_row(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    Console().print(table)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))


@app.command()
def bench(
    size: Annotated[str, typer.Option("--size", help="1k, 10k, 130k or 1m responses.")] = "10k",
    out: Annotated[Path, typer.Option("--out", help="Markdown file whose section for this size is replaced.")] = Path(
        "BENCHMARKS.md"
    ),
    workdir: Annotated[Path | None, typer.Option("--workdir", help="Where the generated round goes.")] = None,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Also time plain BERTopic().")] = True,
    crawl: Annotated[
        bool, typer.Option("--crawl/--no-crawl", help="Also crawl a local site with consultkit and bare Scrapy.")
    ] = True,
) -> None:
    """Generate a realistic round from real sentences, time every stage and the baselines, write the table.

    Example: consult bench --size 10k --out BENCHMARKS.md
    """
    import tempfile
    import time

    from analyze.bench import (
        CRAWL_DETAILS,
        SIZES,
        markdown_section,
        ratios,
        round_rows,
        run_bench,
        update_markdown,
    )
    from analyze.synthetic import add_submissions, make_round

    if size not in SIZES:
        _fail(ValueError(f"unknown size {size!r}; sizes: {', '.join(SIZES)}"))
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        _fail(FileNotFoundError(f"the shared sample data is not at {shared}"))
    base = Path(workdir or tempfile.mkdtemp(prefix="consult-bench-"))
    start = time.perf_counter()
    round_dir = make_round(base / "data" / f"bench-{size}", SIZES[size], shared)
    generated = time.perf_counter() - start

    def show(row: dict) -> None:
        stage, rows, seconds, rss = row["stage"], row["rows"], row["seconds"], row["peak_rss_mib"]
        console.print(f"{stage:<28} {rows:>8} rows {seconds:>9.2f}s {rss:>6.0f} MiB")

    table = run_bench(
        round_dir,
        baseline=baseline,
        on_row=show,
        add_new=lambda seed: add_submissions(round_dir, round_rows(round_dir) // 10, shared, seed=seed),
        crawl_details=CRAWL_DETAILS[size] if crawl else None,
    )
    update_markdown(out, size, markdown_section(size, table, generated))
    typer.echo(table.to_string(index=False))
    for line in ratios(table):
        typer.echo(line)
    typer.echo(f"written to {out}")


@app.command()
def cache(
    round_path: Annotated[Path, typer.Argument(help="Round folder or its round.yaml.")],
    clear: Annotated[bool, typer.Option("--clear", help="Delete the round's caches (results are unchanged).")] = False,
) -> None:
    """List the round's content caches (per-text results kept between runs in interim/cache/), or clear them.

    Example: consult cache data/ai-2026-r1 --clear
    """
    from analyze.cachestore import clear_cache, describe_cache
    from collect.roundfile import RoundPaths, load_round

    try:
        cfg, root = load_round(round_path)
    except USER_ERRORS as err:
        _fail(err)
    folder = RoundPaths(root, cfg.round).cache
    stores = describe_cache(folder)
    for c in stores:
        entries = "unreadable" if c["entries"] is None else f"{c['entries']:,} entries"
        files = f"  ({c['files']} files)" if c["files"] > 1 else ""
        typer.echo(f"{c['namespace']:<12} {entries:>18} {c['bytes'] / 2**20:9.1f} MiB{files}")
    if not stores:
        typer.echo(f"no caches in {folder}")
    elif clear:
        typer.echo(f"cleared {len(clear_cache(folder))} files from {folder}")


if __name__ == "__main__":
    app()
