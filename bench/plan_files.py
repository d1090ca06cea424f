"""How fast and how small a hostile plan file is refused (issue 15 "Plan files").

    .venv/bin/python -m bench.plan_files

Each case is parsed in a fresh child process (so peak RSS is that case's alone): a billion
laughs (nine anchors of nine aliases), 50,000 nested brackets, a duplicate key, and the shipped
plans/surrey.yaml for scale. Prints the wall time of parse_plan_file, the child's peak RSS and
the line it refused with.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _laughs() -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    return "\n".join([*lines, "council: *i"]) + "\n"


CASES = {
    "billion laughs": _laughs(),
    "50,000 nested brackets": "council: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "duplicate key": "council: A\ncouncil: B\nplans: []\n",
    "plans/surrey.yaml (valid)": (ROOT / "plans" / "surrey.yaml").read_text(),
}


def child(text: str) -> None:
    from db.planfile import PlanFileError, parse_plan_file

    start = time.perf_counter()
    try:
        parse_plan_file("case.yaml", text)
        said = "accepted"
    except PlanFileError as exc:
        said = exc.lines()[0]
    took = (time.perf_counter() - start) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{took:8.1f} ms  {peak:6.1f} MB peak RSS  {said}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.stdin.read())
        return
    for name, text in CASES.items():
        result = subprocess.run(
            [sys.executable, "-m", "bench.plan_files", "--child"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        print(f"{name:<28} {len(text.encode()):>7} bytes {result.stdout.strip()}")


if __name__ == "__main__":
    main()
