"""scripts/compare_runs.py: job-seconds per stage and the span of two runs, from the
Snakemake logs alone."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_runs.py"


def write_log(run: Path, jobs: list[tuple[str, str, int, int]]) -> None:
    """jobs: (rule, wildcards, start second, end second) of Sat Dec 5 10:00:SS 2026."""
    lines = ["Building DAG of jobs..."]
    for i, (rule, wildcards, t0, t1) in enumerate(jobs):
        lines += [f"[Sat Dec  5 10:00:{t0:02d} 2026]", f"rule {rule}:", f"    jobid: {i}"]
        lines += [f"    wildcards: {wildcards}"] if wildcards else []
        lines += [f"[Sat Dec  5 10:00:{t1:02d} 2026]", f"Finished jobid: {i} (Rule: {rule})"]
    (run / ".snakemake" / "log").mkdir(parents=True)
    (run / ".snakemake" / "log" / "2026-12-05T100000.snakemake.log").write_text("\n".join(lines))


def test_stages_job_seconds_and_span(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    write_log(old, [("train_prior", "", 0, 40), ("restore_baseline", "method=spline", 40, 42),
                    ("restore_baseline", "method=kee", 42, 46), ("score", "", 46, 50)])
    write_log(new, [("train_prior", "", 0, 40), ("restore_light_superres", "", 40, 41)])
    out = subprocess.run([sys.executable, str(SCRIPT), str(old), str(new), "--wall-old", "60",
                          "--wall-new", "50"], capture_output=True, text=True, check=True).stdout
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in out.splitlines()[2:]}
    assert rows["train"] == ["1", "1", "40", "40", "1.00"]
    assert rows["light"] == ["2", "1", "6", "1", "6.00"]       # spline and score; the batch
    assert rows["baseline"] == ["1", "0", "4", "0", "-"]      # kee: a network
    assert rows["all"][2:] == ["50", "41", "1.22"]
    assert rows["scheduled span (s)"][2:] == ["50", "41", "1.22"]
    assert rows["end to end, install included (s)"][2:] == ["60", "50", "1.20"]


def test_a_run_without_logs_is_one_clear_line(tmp_path):
    (tmp_path / "new").mkdir()
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), str(tmp_path / "new")],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "no finished jobs" in result.stderr
