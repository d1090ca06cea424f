"""A board digest as files for Slack: a RAG chart (PNG) and a board paper (XLSX, written by
jobs/board_paper.py).

Both are built from the plain data of jobs/digest_model.py and touch no database. The chart
uses matplotlib's object API (Figure + Agg canvas, never pyplot), so it is safe in threads.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jobs.board_paper import board_paper_xlsx
from jobs.digest_model import RAG_COLOURS, RAG_KEYS, Digest, RecommendationRag

MAX_BARS = 40
__all__ = ["board_paper_xlsx", "rag_chart_png"]


def _label(rec: RecommendationRag, with_text: bool) -> str:
    label = f"{rec.plan_key} rec {rec.number}"[:28]
    if with_text and rec.text.strip():
        label += "\n" + textwrap.shorten(rec.text, 40, placeholder="…")
    return label


def _bars(ax: Axes, recs: list[RecommendationRag]) -> None:
    if not recs:
        ax.text(0.5, 0.5, "No recommendations yet", ha="center", va="center", fontsize=12)
        ax.set_axis_off()
        return
    rows = list(range(len(recs)))
    left = [0] * len(recs)
    for key in RAG_KEYS:
        widths = [rec.counts.get(key, 0) for rec in recs]
        ax.barh(rows, widths, left=left, color=RAG_COLOURS[key], label=key, height=0.75)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(rows, [_label(rec, len(recs) <= 12) for rec in recs])
    ax.tick_params(axis="y", labelsize=8 if len(recs) <= 20 else 6)
    ax.invert_yaxis()
    ax.set_xlabel("actions")
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.legend(loc="lower right", fontsize=8, ncols=len(RAG_KEYS), bbox_to_anchor=(1, 1.0))


def _trend(ax: Axes, digest: Digest) -> None:
    ax.set_title("RAG over meetings", fontsize=11)
    points = sorted(digest.trend, key=lambda point: point.meeting)
    if len(points) < 2:
        ax.text(0.5, 0.5, "The trend starts after the next meeting", ha="center", va="center")
        ax.set_axis_off()
        return
    xs = [float(point.meeting.toordinal()) for point in points]
    series = [[point.counts.get(key, 0) for point in points] for key in RAG_KEYS]
    ax.stackplot(xs, *series, colors=[RAG_COLOURS[key] for key in RAG_KEYS], labels=RAG_KEYS)
    step = max(1, -(-len(xs) // 8))
    ax.set_xticks(
        xs[::step], [f"{p.meeting:%-d %b %Y}" for p in points[::step]], rotation=30, ha="right"
    )
    ax.set_ylabel("actions")
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.legend(loc="upper left", fontsize=8)


def rag_chart_png(digest: Digest) -> bytes:
    """Recommendations as stacked RAG bars (left) and the board's RAG trend (right)."""
    recs = list(digest.recommendations)
    subtitle = f"{len(recs)} recommendation{'' if len(recs) == 1 else 's'}"
    if len(recs) > MAX_BARS:
        badness = [-rec.counts.get("red", 0) - rec.counts.get("amber", 0) for rec in recs]
        worst = sorted(range(len(recs)), key=badness.__getitem__)[:MAX_BARS]
        recs = [recs[i] for i in sorted(worst)]  # the worst, in the digest's own order
        subtitle = f"The {MAX_BARS} of {len(digest.recommendations)} recommendations"
        subtitle += " with the most red and amber actions"
    # fixed margins, not a layout engine: constrained layout draws the figure twice (once to
    # measure every label) and took a third of the time
    fig = Figure(figsize=(14, 7), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(f"{digest.board_name} – meeting {digest.meeting:%-d %b %Y}", fontsize=14)
    left, right = fig.subplots(
        1,
        2,
        width_ratios=[3, 2],
        gridspec_kw={"left": 0.17, "right": 0.98, "top": 0.84, "bottom": 0.14, "wspace": 0.16},
    )
    left.set_title(subtitle, fontsize=10, loc="left", pad=24)
    _bars(left, recs)
    _trend(right, digest)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
