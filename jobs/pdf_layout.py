"""How the board pack's pages are laid out and set (jobs/board_pack.py says what is on them):
landscape A4 with margins, the fonts, the paragraph styles, tables whose text is wrapped to its
column, and a canvas that writes "page N of M" with the board and meeting on every page.

Text is set in Helvetica where it can print every character (a PDF's own font: fast) and
otherwise in DejaVu Sans (the font matplotlib ships, so the pack needs no font of its own and
prints any name or symbol), wrapped to its column by measuring it (`simpleSplit`, then by
characters for a word too long for the column) and cut to a few lines where a printed page
would be swamped: the XLSX board paper has every word.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from jobs.digest_model import RAG_COLOURS

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
UNICODE, UNICODE_BOLD = "DejaVuSans", "DejaVuSans-Bold"
SIZE, LEADING, PAD = 7.5, 9.0, 2.5
CELL_LINES = 6  # lines of an update or a title in a cell; the XLSX has the rest
TINTS = {
    key: colors.Color(*(0.7 + 0.3 * part for part in colors.HexColor(value).rgb()))
    for key, value in RAG_COLOURS.items()
}  # fmt: skip (a RAG's colour, lightened)
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
if UNICODE not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(UNICODE, str(_FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(UNICODE_BOLD, str(_FONTS / "DejaVuSans-Bold.ttf")))

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=2)
HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                         spaceAfter=4, keepWithNext=1)  # fmt: skip
SUB = ParagraphStyle("sub", fontName=BOLD, fontSize=9, leading=11.5, spaceBefore=6, spaceAfter=3,
                     keepWithNext=1)  # fmt: skip
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=8.5, leading=11, spaceAfter=2)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # words' widths: texts repeat words


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica where it can print every character (fast: a PDF's own font), else DejaVu."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return UNICODE_BOLD if bold else UNICODE
    return BOLD if bold else FONT


def _broken(word: str, limit: float, font: str, size: float) -> list[str]:
    """A word too long for a line, in pieces that fit."""
    pieces: list[str] = []
    while word:
        cut = len(word)
        while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > limit:
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    return pieces


def wrap(text: str, limit: float, font: str = FONT, size: float = SIZE) -> list[str]:
    """Lines of `text` (its spaces collapsed) that each fit `limit` points: greedy, by word."""
    words = text.split()
    if pdfmetrics.stringWidth(" ".join(words), font, size) <= limit:
        return [" ".join(words)]
    known = _WIDTHS.setdefault((font, size), {})
    if len(known) > 100_000:
        known.clear()
    lines: list[str] = []
    line: list[str] = []
    used, space = 0.0, pdfmetrics.stringWidth(" ", font, size)
    for word in words:
        width = known.get(word)
        if width is None:
            width = known[word] = pdfmetrics.stringWidth(word, font, size)
        if width > limit:
            pieces = _broken(word, limit, font, size)
            lines += [" ".join(line), *pieces[:-1]] if line else pieces[:-1]
            line, used = [pieces[-1]], pdfmetrics.stringWidth(pieces[-1], font, size)
        elif line and used + space + width > limit:
            lines.append(" ".join(line))
            line, used = [word], width
        else:
            used += width + (space if line else 0.0)
            line.append(word)
    lines.append(" ".join(line))
    return lines


def _cell(text: str | None, width: float, font: str, most: int = CELL_LINES) -> str:
    lines = wrap(text or "", width - 2 * PAD, font)
    if len(lines) > most:  # the last line kept ends "…", cut to fit with it
        last = lines[most - 1]
        while last and pdfmetrics.stringWidth(last + " …", font, SIZE) > width - 2 * PAD:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + " …"]
    return "\n".join(lines)


Column = tuple[str, float]  # header, share of the width


class PackTable(Table):  # type: ignore[misc]
    """A Table that writes a cell in Helvetica as one text object of all its lines (reportlab
    starts one per line, which was most of a large pack's time); other cells as reportlab
    does."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if not isinstance(cellval, str) or cellstyle.fontname not in (FONT, BOLD):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        canvas = self.canv
        x = pos[0] + cellstyle.leftPadding
        y = pos[1] + size[1] - cellstyle.topPadding - cellstyle.fontsize
        name = canvas._doc.getInternalFontName(cellstyle.fontname)
        lines = " Tj T* ".join(
            f"({escapePDF(line.encode('cp1252'))})" for line in cellval.split("\n")
        )
        font = f"{name} {cellstyle.fontsize} Tf {cellstyle.leading} TL"
        canvas._code.append(f"q 0 0 0 rg BT {font} 1 0 0 1 {x:.2f} {y:.2f} Tm {lines} Tj ET Q")


def table(columns: Sequence[Column], rows: Sequence[Sequence[str | None]],
           rag_col: int | None = None, rags: Sequence[str | None] = (),
           width: float = WIDTH) -> Table:  # fmt: skip
    """A table `width` wide: headers repeated on each page, text wrapped to fit its column."""
    total = sum(share for _, share in columns)
    widths = [width * share / total for _, share in columns]
    body: list[list[str]] = []
    fonts: list[tuple[Any, ...]] = []  # DejaVu for a cell that Helvetica cannot print
    for r, row in enumerate([[header for header, _ in columns], *rows]):
        body.append([])
        for c, (value, w) in enumerate(zip(row, widths, strict=True)):
            font = font_for(value or "", bold=r == 0)
            if font not in (FONT, BOLD):
                fonts.append(("FONT", (c, r), (c, r), font, SIZE, LEADING))
            body[-1].append(_cell(value, w, font))
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, SIZE, LEADING),
        ("FONT", (0, 0), (-1, 0), BOLD, SIZE, LEADING),
        *fonts,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#b1b4b6")),
    ]
    if rag_col is not None:
        for at, key in enumerate(rags, 1):
            if key in TINTS:
                style.append(("BACKGROUND", (rag_col, at), (rag_col, at), TINTS[key]))
    table = PackTable(body, colWidths=widths, repeatRows=1, style=TableStyle(style))
    table.hAlign = "LEFT"
    return table


class NumberedCanvas(Canvas):  # type: ignore[misc]
    """Writes "page N of M" and the board and meeting on every page, once M is known."""

    heading = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor("#505a5f"))
            self.drawString(MARGIN, MARGIN / 2, self.heading)
            self.drawRightString(PAGE[0] - MARGIN, MARGIN / 2,
                                 f"page {self._pageNumber} of {len(self._pages)}")  # fmt: skip
            super().showPage()
        super().save()
