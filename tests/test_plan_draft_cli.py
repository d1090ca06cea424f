"""`ofsted-bot plan draft`: the file it writes imports as it is (SQLite and PostgreSQL), and a
PDF that is not a readable Ofsted report gets one clear line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.cli import main
from db.models import Plan, Recommendation
from tests.test_cli import cli_env as cli_env  # the same environment as test_cli's
from tests.test_report_drafts import REPORTS_DIR


def text_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (Helvetica), written by hand."""
    lines = " ".join(f"({part}) Tj T*" for part in text.split("\n"))
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {lines} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.mark.usefixtures("cli_env")
def test_a_drafted_file_validates_and_imports_as_it_is(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "bury.yaml"
    pdf = REPORTS_DIR / "bury-2025-07-29.pdf"
    assert main(["plan", "draft", str(pdf), "--out", str(out), "--published", "2025-07-29"]) == 0
    assert "ilacs-2025: 5 recommendations, 4 judgements" in capsys.readouterr().err
    assert main(["plan", "validate", str(out)]) == 0
    assert main(["plan", "import", str(out)]) == 0
    capsys.readouterr()
    engine = create_engine(database_url)
    with Session(engine) as session:
        plan = session.scalars(select(Plan).where(Plan.key == "ilacs-2025")).one()
        assert (plan.council, plan.lead_inspector) == ("Bury", "Rebecca Dubbins")
        assert plan.published is not None and plan.published.isoformat() == "2025-07-29"
        assert not plan.is_current  # Surrey's stays current: only on request
        recs = session.scalars(
            select(Recommendation)
            .where(Recommendation.plan_id == plan.id)
            .order_by(Recommendation.position)
        ).all()
        assert [r.number for r in recs] == ["1", "2", "3", "4", "5"]
        assert not any(r.number_printed for r in recs)
        assert recs[0].framework == "outcome 3, national framework"
        assert all(r.findings for r in recs)
    engine.dispose()
    assert main(["plan", "export"]) == 0
    exported = capsys.readouterr().out
    assert "lead_inspector: Rebecca Dubbins" in exported
    assert "number_printed: false" in exported
    assert "framework: enabler 2, national framework" in exported


def test_draft_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "draft", str(REPORTS_DIR / "thurrock-2024-10-29.pdf")]) == 0
    out = capsys.readouterr().out
    assert "council: Thurrock" in out
    assert "recommendations: []" in out
    assert "no areas for improvement" in out


def _encrypted(tmp_path: Path) -> Path:
    writer = PdfWriter(clone_from=PdfReader(REPORTS_DIR / "sutton-2022-02-01.pdf"))
    writer.encrypt("secret", algorithm="RC4-128")  # AES would need cryptography
    path = tmp_path / "locked.pdf"
    with path.open("wb") as f:
        writer.write(f)
    return path


def _scanned(tmp_path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as f:
        writer.write(f)
    return path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("not-ofsted", "not an Ofsted report on children's services"),
        ("scanned", "has no text (a scan?)"),
        ("encrypted", "is encrypted"),
        ("damaged", "not a readable PDF"),
        ("truncated", "not a readable PDF"),
    ],
)
def test_a_pdf_that_is_not_a_readable_report_gets_one_line_and_exit_2(
    kind: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{kind}.pdf"
    if kind == "not-ofsted":
        path.write_bytes(text_pdf("Lunch menu for the week\n" * 20))
    elif kind == "scanned":
        path = _scanned(tmp_path)
    elif kind == "encrypted":
        path = _encrypted(tmp_path)
    elif kind == "damaged":
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    else:
        path.write_bytes((REPORTS_DIR / "sutton-2022-02-01.pdf").read_bytes()[:5000])
    assert main(["plan", "draft", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], captured.err
