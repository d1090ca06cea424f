"""Time `plan draft` on every sample report: reading the PDF (pypdf) and drafting the plan.

    .venv/bin/python bench/draft.py [REPORTS_DIR] [--repeat N]

Prints, per report, its pages, recommendations found, judgements and the best of N wall times
(seconds), then the worst and the median. Quote figures from a quiet machine.
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

from db.report.draft import build_draft  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("reports", nargs="?", default=str(ROOT.parent / "shared" / "reports"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = []
    print(f"{'report':40} {'pages':>5} {'recs':>5} {'judg':>4} {'seconds':>8}")
    for pdf in sorted(Path(args.reports).glob("*.pdf")):
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            draft = build_draft(pdf)
            best = min(best, time.perf_counter() - start)
        recs = "+".join(str(len(p.recommendations)) for p in draft.plans)
        judgements = len(draft.plans[0].judgements) + (1 if draft.plans[0].overall else 0)
        pages = len(PdfReader(pdf).pages)
        print(f"{pdf.stem:40} {pages:5} {recs:>5} {judgements:4} {best:8.2f}")
        times.append(best)
    print(f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
