"""CloudSign's size limits (specification v0.31.0, POST /documents/{id}/files), checked before a
document is sent so that staff read a Japanese reason instead of a 413 or 400 half-way through.

- the whole request body of one upload at most 20 MB (the PDF plus the multipart envelope);
- the files of one document at most 50 MB together and at most 100 files.

"MB" is not defined there (10**6 or 2**20 bytes): the portal applies the decimal reading, the
smaller, so that no file it lets through can be refused by the service for its size.
"""

from __future__ import annotations

MB = 1000 * 1000
MAX_REQUEST_BYTES = 20 * MB
MAX_DOCUMENT_BYTES = 50 * MB
MAX_FILES = 100
# The multipart envelope around the PDF: boundaries, part headers, the `name` part (UTF-8).
ENVELOPE_BYTES = 1024


def request_bytes(name: str, size: int) -> int:
    """The body size of ``POST /documents/{id}/files`` for one PDF, a little over-estimated."""
    return size + ENVELOPE_BYTES + len(name.encode("utf-8"))


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}MB"


def document_problems(files: list[tuple[str, int]]) -> list[str]:
    """Why these (name, size) PDFs cannot go into one CloudSign document (empty: they can)."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append(f"1つの書類に登録できるPDFは{MAX_FILES}件までです（現在{len(files)}件）。")
    total = sum(size for _, size in files)
    if total > MAX_DOCUMENT_BYTES:
        problems.append(
            f"1つの書類のPDFの合計は{MAX_DOCUMENT_BYTES // MB}MBまでです"
            f"（現在{_mb(total)}）。PDFを分けるか、サイズを小さくしてください。"
        )
    for name, size in files:
        if request_bytes(name, size) > MAX_REQUEST_BYTES:
            problems.append(
                f"「{name}」（{_mb(size)}）は、電子契約サービスへ1回で送れる"
                f"{MAX_REQUEST_BYTES // MB}MBを超えます。サイズを小さくしてください。"
            )
    return problems
