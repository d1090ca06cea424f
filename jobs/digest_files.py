"""A board digest as files for Slack: a RAG chart (PNG), the board pack (PDF, written by
jobs/board_pack.py) and the board paper (XLSX, written by jobs/board_paper.py).

Both are built from the plain data of jobs/digest_model.py and touch no database. The chart
uses matplotlib's object API (Figure + Agg canvas, never pyplot), so it is safe in threads.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from db.status import RAG_KEYS
from jobs.board_pack import board_pack_pdf
from jobs.board_paper import board_paper_xlsx
from jobs.digest_model import RAG_COLOURS, RAG_LEGEND, Digest, RecommendationRag

MAX_BARS = 40


def _label(rec: RecommendationRag, with_text: bool) -> str:
    label = f"{rec.plan_key} rec {rec.number}"[:28]
    if with_text and rec.text.strip():
        label += "\n" + textwrap.shorten(rec.text, 40, placeholder="…")
    return label


def _bars(ax: Axes, recs: list[RecommendationRag]) -> None:
    """A stacked bar of RAG counts per recommendation, each part labelled with its count."""
    if not recs:
        ax.text(0.5, 0.5, "No recommendations yet", ha="center", va="center", fontsize=12)
        ax.set_axis_off()
        return
    rows = list(range(len(recs)))
    left = [0] * len(recs)
    widest = max(rec.total for rec in recs) or 1
    for key in RAG_KEYS:
        widths = [rec.counts.get(key, 0) for rec in recs]
        parts = ax.barh(rows, widths, left=left, color=RAG_COLOURS[key], height=0.75)
        # a count inside its part where it fits (a part of at least 1/30 of the widest bar)
        labels = [str(w) if w and w / widest >= 1 / 30 else "" for w in widths]
        ax.bar_label(parts, labels, label_type="center", fontsize=9, color="white", weight="bold")
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(rows, [_label(rec, len(recs) <= 12) for rec in recs])
    ax.tick_params(axis="y", labelsize=8 if len(recs) <= 20 else 6)
    ax.invert_yaxis()
    ax.set_xlabel("actions")
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _trend(ax: Axes, digest: Digest) -> None:
    """Each RAG's count at each meeting, as a line with a point per meeting."""
    ax.set_title("RAG at each meeting", fontsize=11)
    points = sorted(digest.trend, key=lambda point: point.meeting)
    if len(points) < 2:
        ax.text(0.5, 0.5, "The trend starts after the next meeting", ha="center", va="center")
        ax.set_axis_off()
        return
    xs = list(range(len(points)))
    for key in RAG_KEYS:
        counts = [point.counts.get(key, 0) for point in points]
        if any(counts):
            ax.plot(xs, counts, color=RAG_COLOURS[key], marker="o", markersize=4, linewidth=2)
    step = max(1, -(-len(xs) // 8))
    ax.set_xticks(
        xs[::step], [f"{p.meeting:%-d %b %Y}" for p in points[::step]], rotation=30, ha="right"
    )
    ax.set_ylabel("actions")
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _worst(digest: Digest) -> tuple[list[RecommendationRag], str]:
    recs = list(digest.recommendations)
    subtitle = f"{len(recs)} recommendation{'' if len(recs) == 1 else 's'}"
    if len(recs) > MAX_BARS:
        badness = [-rec.counts.get("red", 0) - rec.counts.get("amber", 0) for rec in recs]
        worst = sorted(range(len(recs)), key=badness.__getitem__)[:MAX_BARS]
        recs = [recs[i] for i in sorted(worst)]  # the worst, in the digest's own order
        subtitle = f"The {MAX_BARS} of {len(digest.recommendations)} recommendations"
        subtitle += " with the most red and amber actions"
    return recs, subtitle


def rag_chart_png(digest: Digest) -> bytes:
    """The chart as a PNG."""
    out = io.BytesIO()
    rag_chart(digest).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def rag_chart(digest: Digest) -> Figure:
    """Recommendations as stacked RAG bars (left) and the board's RAG trend (right), under one
    legend in the digest's words; the labels' room is measured from the labels themselves."""
    recs, subtitle = _worst(digest)
    labels = [line for rec in recs for line in _label(rec, len(recs) <= 12).split("\n")]
    room = min(0.3, 0.02 + 0.0058 * max((len(line) for line in labels), default=10))
    # fixed margins, not a layout engine: constrained layout draws the figure twice (once to
    # measure every label) and took a third of the time
    fig = Figure(figsize=(14, 7), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(f"{digest.board_name} – meeting {digest.meeting:%-d %b %Y}", fontsize=14)
    grid = {"left": room, "right": 0.98, "top": 0.80, "bottom": 0.14, "wspace": 0.18}
    left, right = fig.subplots(1, 2, width_ratios=[3, 2], gridspec_kw=grid)
    left.set_title(subtitle, fontsize=10, loc="left")
    _bars(left, recs)
    _trend(right, digest)
    handles = [Patch(color=RAG_COLOURS[key], label=RAG_LEGEND[key]) for key in RAG_KEYS]
    fig.legend(handles=handles, loc="upper center", ncols=len(handles), fontsize=9,
               frameon=False, bbox_to_anchor=(0.5, 0.93))  # fmt: skip
    return fig


def board_files(digest: Digest) -> list[tuple[str, bytes]]:
    """The chart, the board pack (which shows the chart) and the board paper, by file name."""
    stem = f"{digest.board_key}-{digest.meeting:%Y-%m-%d}"
    chart = rag_chart_png(digest)
    return [
        (f"{stem}-rag.png", chart),
        (f"{stem}-board-pack.pdf", board_pack_pdf(digest, chart)),
        (f"{stem}-board-paper.xlsx", board_paper_xlsx(digest)),
    ]
