"""The fast content-stream reader (db.report.content) reads exactly what pypdf's parser reads,
or leaves the stream to pypdf."""

from __future__ import annotations

from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DecodedStreamObject

from db.report.content import fast_operations, prepare
from tests.test_report_drafts import REPORTS_DIR


def _pypdf(data: bytes) -> list[tuple[Any, bytes]]:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return ContentStream(stream, None, "bytes").operations  # as text extraction reads it


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same pypdf types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _check(data: bytes) -> None:
    fast = fast_operations(data)
    assert fast is not None, data
    ours = [[*operands, operator] for operands, operator in fast]
    theirs = [[*operands, operator] for operands, operator in _pypdf(data)]
    assert _same(ours, theirs), data


@pytest.mark.parametrize(
    "data",
    [
        b"BT /F1 12 Tf 72 712.5 Td (Hello, world) Tj ET",
        b"BT\n/F2 9.96 Tf\n1 0 0 1 56.8 -.5 Tm\n[(W)30(akefield)-250(Council)]TJ\nET\n",
        b"q 0 0 612 792 re W* n Q 0.5 g +2 -3. .25 cm",
        b"BT (a\\(b\\)c \\\\ \\n\\t\\101\\0617 \\777 \\q) Tj (line\\\nbreak) Tj",
        b"(crlf\\\r\n) ' 1 2 (x) \" ET",
        b"<48 65 6c6C 6f> Tj <4> Tj <> Tj",
        b"/Span <</MCID 3 /ActualText <FEFF0041> /Lang (en-GB)>> BDC EMC /P <<>> BDC",
        b"[[1 2] [/A (b)]] d0 true false null",
        b"",
        b"   \r\n ",
        b"(\xff\x00) Tj BT\x00ET",  # any byte in a string; NUL inside an operator, as pypdf
    ],
)
def test_it_reads_what_pypdf_reads(data: bytes) -> None:
    _check(data)


@pytest.mark.parametrize(
    "data",
    [
        b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI",  # an inline image
        b"% a comment\nBT ET",
        b"(nested (parentheses)) Tj",
        b"/Na#6De Tf",
        b"1 0 R Do",
        b"[true] TJ",
        b"[(a) Tj",
        b"(a)] Tj",
        b"<<[>> BDC",
        b"<< /A >> BDC",
        b"1-2 Tc",
        b"/N\xe9 Tf",  # a name pypdf decodes by trying charsets
        b"BT \x00 ET",  # NUL as whitespace
    ],
)
def test_anything_else_is_left_to_pypdf(data: bytes) -> None:
    assert fast_operations(data) is None


@pytest.mark.parametrize(
    "name", ["wakefield-2016-09-20", "lambeth-2026-03-10", "sutton-2022-02-01"]
)
def test_every_page_of_a_report_reads_as_pypdf_reads_it(name: str) -> None:
    for page in PdfReader(REPORTS_DIR / f"{name}.pdf").pages:
        data = ContentStream(page["/Contents"], page.pdf, "bytes").get_data()
        _check(data)
        assert prepare(page)
