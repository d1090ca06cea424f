"""Time `plan draft` on every sample report: reading the PDF (pypdf) and drafting the plan.

    .venv/bin/python bench/draft.py [REPORTS_DIR] [--repeat N] [--pypdf-parser]

Prints, per report, its pages, recommendations found and judgements, then the best of N runs
of `build_draft` (the PDF read into lines, then the draft: what the CLI and the DM path do per
report, after start-up) as wall seconds and CPU seconds, and the share of the CPU spent in
reading the PDF; then the worst and the median. CPU time is the figure to compare on a shared
machine. `--pypdf-parser` lets pypdf parse the content streams itself (without the fast reader
of db.report.content), to see what that reader saves.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from db.report import lines  # noqa: E402
from db.report.draft import Draft, draft_from_lines  # noqa: E402


def _best(pdf: Path, repeat: int) -> tuple[float, float, float, Draft]:
    """Best wall, best CPU, and the CPU of reading the PDF in that best run; the draft."""
    best = (float("inf"), float("inf"), 0.0)
    draft = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        found = lines.read_lines(pdf)
        read = time.process_time() - cpu
        draft = draft_from_lines(found, pdf.name)
        run = (time.perf_counter() - wall, time.process_time() - cpu, read)
        best = min(best, run, key=lambda r: r[1])
    assert draft is not None
    return (*best, draft)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("reports", nargs="?", default=str(ROOT.parent / "shared" / "reports"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pypdf-parser", action="store_true")
    args = parser.parse_args()
    if args.pypdf_parser:
        lines.prepare = lambda page: False  # type: ignore[assignment]
    walls, cpus = [], []
    print("| report | pages | recs | judg | wall s | CPU s | reading PDF |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for pdf in sorted(Path(args.reports).glob("*.pdf")):
        wall, cpu, read, draft = _best(pdf, args.repeat)
        plans = draft.plans
        recs = "+".join(str(len(p.recommendations)) for p in plans)
        judgements = len(plans[0].judgements) + (1 if plans[0].overall else 0)
        pages = len(PdfReader(pdf).pages)
        share = f"{read / cpu:.0%}" if cpu else "-"
        row = [pdf.stem, pages, recs, judgements, f"{wall:.2f}", f"{cpu:.2f}", share]
        print("| " + " | ".join(str(cell) for cell in row) + " |")
        walls.append(wall)
        cpus.append(cpu)
    print(
        f"\nwall: median {statistics.median(walls):.2f} s, worst {max(walls):.2f} s; "
        f"CPU: median {statistics.median(cpus):.2f} s, worst {max(cpus):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
