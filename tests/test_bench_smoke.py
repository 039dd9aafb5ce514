"""The HTTP benchmark harness still runs end to end: tiny data, gunicorn, load, a report."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.scratch_db
@pytest.mark.process
@pytest.mark.serial  # a benchmark: run alone, after the parallel pass
@pytest.mark.sqlite_only  # --databases sqlite: the benchmark makes its own SQLite data
def test_benchmark_writes_a_complete_report_without_errors(tmp_path):
    report = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--scale", "0.002", "--databases", "sqlite",
         "--duration", "1", "--workers", "2", "--output", str(report), "--work-dir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    text = report.read_text()
    for heading in ("## Machine", "## Data (scale 0.002)", "## Bare Flask route (the ceiling)", "## SQLite",
                    "### Reminder pass", "### Against the targets", "## Errors"):
        assert heading in text, heading
    assert text.split("## Errors", 1)[1].strip() == "None."
    assert re.search(r"CPU: \d+ cores", text)
    # The pages answered: numbers in p50, p95, req/s, CPU ms and peak RSS; no failed requests.
    for scenario, path in (("bare Flask route (ceiling)", "/"), ("public home", "/"),
                           ("plan page (100 actions)", "/plans/bench-001")):
        assert re.search(rf"\| {re.escape(scenario)} \| `GET {re.escape(path)}` \| "
                         r"(?:[\d.,]+ \| ){5}0 / [\d,]+ \|", text), scenario
    assert re.search(r"\| plan page, rendered \(100 actions, cache bypassed\) \| `GET /plans/bench-001` \| "
                     r"(?:[\d.,]+ \| ){5}0 / [\d,]+ \|", text)
    assert "report submission, 50 agency clients" in text
    assert "reminder pass (`scheduler run-once" in text
