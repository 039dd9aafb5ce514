"""The benchmark's markdown report: machine, data, a table per database, targets, errors."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from machine import tree_version

if TYPE_CHECKING:
    from run import DatabaseResult

NOT_AVAILABLE = "not available"
# A section another script keeps in the same file, between "<!-- NAME: written by ... -->"
# and "<!-- /NAME -->" (bench/html_gantt.py's BEGIN and END, for one).
KEPT_SECTION = re.compile(r"<!-- ([\w-]+): written by [^>]*-->.*?<!-- /\1 -->", re.DOTALL)


@dataclass
class Row:
    scenario: str
    request: str
    p50: float | None = None
    p95: float | None = None
    rate: float | None = None
    rss_kib: int | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""
    available: bool = True
    background: float | None = None  # share of the CPUs other processes used meanwhile, 0..1
    cpu: float | None = None  # seconds of CPU per request in-process (no HTTP, no contention)


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else (f"{seconds * 1000:.1f}" if seconds < 1 else f"{seconds * 1000:,.0f}")


def verdict(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: NOT_AVAILABLE}[ok]


def targets(result: DatabaseResult, bare: Row | None) -> list[str]:
    by = {r.scenario.split(" (")[0]: r for r in result.rows}
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for key in ("public home", "plan page", "plan page, largest plan", "public home, rendered",
                "plan page, rendered"):
        row = by.get(key)
        ok = None if row is None or row.p95 is None else row.p95 < 0.1
        lines.append(f"| HTML page p95 < 100 ms: {row.scenario if row else key} | "
                     f"{ms(row.p95) if row else '—'} ms | {verdict(ok)} |")
    for key in ("Gantt chart, cached", "Gantt chart, conditional"):
        row = next((r for r in result.rows if r.scenario.startswith(key)), None)
        ok = None if row is None or row.p95 is None else row.p95 < 0.01
        lines.append(f"| cached chart < 10 ms (p95): {row.scenario if row else key} | "
                     f"{ms(row.p95) if row else '—'} ms | {verdict(ok)} |")
    cold = by.get("Gantt chart, cold")
    ok = None if cold is None or cold.p95 is None else cold.p95 < 2
    lines.append(f"| cold Gantt of {result.dataset['reference_plan']['actions']:,} actions < 2 s (slowest sample) | "
                 f"{ms(cold.p95) if cold else '—'} ms | {verdict(ok)} |")
    # Issue 14: the whole plan in one image, and 50 agencies submitting at once.
    ok = None if cold is None or cold.p95 is None else cold.p95 < 2.4
    lines.append(f"| whole-plan Gantt PNG of {result.dataset['reference_plan']['actions']:,} actions, one image, "
                 f"cold < 2.4 s (slowest sample) | {ms(cold.p95) if cold else '—'} ms | {verdict(ok)} |")
    reports = next((r for r in result.rows if r.scenario.startswith("report submission")), None)
    ok = None if reports is None or reports.p95 is None else reports.p95 < 0.3 and reports.errors == 0
    lines.append(f"| {reports.scenario if reports else 'report submission'}: p95 < 300 ms, 0 errors | "
                 + (f"{ms(reports.p95)} ms, {reports.errors} errors" if reports and reports.p95 else "—")
                 + f" | {verdict(ok)} |")
    plan = by.get("plan page")
    if plan and plan.rate and bare and bare.rate:
        share = plan.rate / bare.rate
        lines.append(f"| plan page throughput >= 50% of the bare route | {plan.rate:,.1f} / {bare.rate:,.1f} req/s "
                     f"= {share:.1%} | {verdict(share >= 0.5)} |")
    else:
        lines.append(f"| plan page throughput >= 50% of the bare route | — | {verdict(None)} |")
    return lines


def row_line(row: Row) -> str:
    rate = "—" if row.rate is None else f"{row.rate:,.1f}"
    rss = "—" if not row.rss_kib else f"{row.rss_kib / 1024:,.0f}"
    background = "—" if row.background is None else f"{row.background:.0%}"
    if not row.available:
        return f"| {row.scenario} | {row.request} | — | — | — | — | — | — | {background} | {row.note} |"
    return (f"| {row.scenario} | `{row.request}` | {ms(row.p50)} | {ms(row.p95)} | {rate} | {ms(row.cpu)} | "
            f"{rss} | {row.errors:,} / {row.requests:,} | {background} | {row.note} |")


def write_report(path: Path, args, info: dict, started: datetime, results: list[DatabaseResult],
                 bare: Row | None, errors: list[str], tools: dict) -> None:
    servers = ("one server for every scenario, so the figure accumulates" if args.shared_server
               else "a fresh server per scenario")
    lines = [
        "# HTTP benchmark results",
        "",
        (f"Written by `bench/run.py` on {started:%Y-%m-%d %H:%M} UTC (tree {tree_version()}), "
         f"command: `{' '.join(['bench/run.py'] + sys.argv[1:])}`."),
        "",
        "## Machine",
        "",
        (f"- CPU: {info['cores']} cores, {info['cpu']}; memory {info['memory']}; "
         f"Linux {info['kernel']}; Python {info['python']}"),
        (f"- Server: gunicorn {tools['gunicorn']}, {args.workers} "
         + ("sync workers" if args.threads == 1 else f"gthread workers of {args.threads} threads")
         + ", `gunicorn -w N --threads T -b 127.0.0.1:PORT wsgi:app` from the repository root"),
        (f"- Latency: Python client, {args.concurrency} concurrent connections, {args.requests} "
         f"requests per page ({max(args.concurrency, args.requests // 4)} for the largest plan) after "
         f"{args.warmup} warm-up requests; p95 is the nearest-rank 95th percentile"),
        f"- Throughput: {tools['load']}, {args.connections} connections for {args.duration} s",
        (f"- Peak RSS: the largest VmHWM among the gunicorn workers after the scenario ({servers})"),
        ("- CPU ms / request: the same request in-process (Flask's test client, one thread, no "
         "HTTP), CPU time by `time.process_time`; unlike the other columns it does not depend on "
         "what else runs on the machine. SQLite runs inside the process, so its query time is "
         "included; PostgreSQL's own CPU is not. For the rendered pages and the cold Gantt the caches are off"),
        ("- Order: data generated, the reminder pass run (so reminders and the outbox are filled, "
         "as on a live site), then the HTTP scenarios"),
        ("- Load tool and server share the machine's cores; everything runs on 127.0.0.1. "
         "*Others' CPU* is the share of the CPUs that processes other than the server, the "
         "load tool and the runner (and, on PostgreSQL, the database's own server processes for "
         "the benchmark's database) used during the scenario (a shared machine): anything well "
         "above 0% slowed every figure in that row. The report-submission row's note splits the "
         "CPUs between gunicorn, the load tool, PostgreSQL, others and idle"),
        "",
        f"## Data (scale {args.scale:g})",
        "",
    ]
    if results:
        dataset = results[0].dataset
        rows, ref, big = dataset["rows"], dataset["reference_plan"], dataset["largest_plan"]
        lines += [
            (f"{rows.get('plans', 0):,} plans ({dataset['published_plans']} published), "
             f"{rows.get('recommendations', 0):,} recommendations, {rows.get('actions', 0):,} actions, "
             f"{rows.get('progress_reports', 0):,} progress reports, "
             f"{rows.get('agencies', 0):,} agencies, {rows.get('users', 0):,} users, "
             f"{rows.get('status_changes', 0):,} status changes, {rows.get('events', 0):,} events, "
             f"{rows.get('milestones', 0):,} milestones, {rows.get('evidence', 0):,} evidence links, "
             f"{rows.get('reporting_rounds', 0):,} reporting rounds."),
            "",
            (f"Reference plan `{ref['slug']}`: {ref['actions']:,} actions, "
             f"{ref['recommendations']:,} recommendations. Largest plan `{big['slug']}`: "
             f"{big['actions']:,} actions, {big['recommendations']:,} recommendations."),
            "",
        ]
    header = [("| scenario | request | p50 ms | p95 ms | req/s | CPU ms / request | peak worker RSS MiB "
               "| errors / requests | others' CPU | notes |"), "|---|---|---|---|---|---|---|---|---|---|"]
    lines += ["## Bare Flask route (the ceiling)", ""] + header
    lines.append(row_line(bare) if bare else "| bare Flask route | | — | — | — | — | — | — | — | error (see Errors) |")
    lines.append("")
    for result in results:
        lines += [
            f"## {result.name}",
            "",
            (f"{result.version}{', ' + result.size if result.size else ''}; generated in "
             f"{result.dataset.get('seconds', '?')} s; load average {result.load_before} before, "
             f"{result.load_after} after."),
            "",
        ] + header + [row_line(row) for row in result.rows] + [""]
        lines += ["### Reminder pass", "", "| run | seconds | peak RSS MiB | others' CPU | output |",
                  "|---|---|---|---|---|"]
        for p in result.passes:
            output = " ".join(p.output.split())[-300:].replace("|", "/")
            if p.label.startswith("process start-up"):
                output = f"{len(p.output.splitlines())} lines (the route list)"
            others = "—" if p.others is None else f"{p.others:.0%}"
            lines.append(f"| {p.label} | {p.seconds:.2f} | {p.rss_kib / 1024:,.0f} | {others} | {output} |")
        lines += ["", "### Against the targets", ""] + targets(result, bare) + [""]
    lines += ["## Errors", ""]
    lines += [f"- {e}" for e in errors] if errors else ["None."]
    lines.append("")
    # Sections other scripts wrote (bench/html_gantt.py's, bench/submission_profile.py's)
    # are theirs: an HTTP run keeps them as they were.
    kept = ""
    if path.exists():
        kept = "".join(m.group(0) + "\n" for m in KEPT_SECTION.finditer(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""))
