"""The one way the portal writes CSV: UTF-8 with a BOM (so that Excel reads Japanese), Japanese
headers, streamed row by row, and cells that a spreadsheet could run as a formula neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

BOM = "\ufeff"
# A text cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value) -> object:
    """A text cell that a spreadsheet would evaluate gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


class _Echo:
    """A file-like object whose write() hands the line back (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV as text lines: BOM, header row, then each row with its cells neutralised."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The whole CSV in memory, for files inside a ZIP."""
    return "".join(csv_lines(headers, rows)).encode("utf-8")


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence], *, filename: str
) -> StreamingHttpResponse:
    """A download streamed as it is written: memory stays flat however many rows there are."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(headers, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
