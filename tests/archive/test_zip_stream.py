"""The contractor's ZIP is streamed: each file is read in chunks when the stream reaches it, so
memory stays flat whatever the number and size of the files (the 200 × 5 MB figure is in
bench/scale.py --zip)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tracemalloc
import zipfile
from types import SimpleNamespace

from portal.archive import contractor_zip

MB = 1 << 20


class FakeFile:
    """A stored file read through ``open`` like Django's FieldFile, counting who is open."""

    opened = 0

    def __init__(self, data: bytes):
        self.data = data

    def open(self, mode):
        FakeFile.opened += 1
        return io.BytesIO(self.data)


def contract(i: int, data: bytes):
    documents = [
        SimpleNamespace(
            stored_file=SimpleNamespace(original_name=f"{kind}.pdf", file=FakeFile(data)),
            sha256=hashlib.sha256(data).hexdigest(),
            get_kind_display=lambda kind=kind: kind,
        )
        for kind in ("signed", "certificate")
    ]
    request_ = SimpleNamespace(documents=SimpleNamespace(all=lambda: documents))
    return SimpleNamespace(
        contract_date=dt.date(2025, 5, 1),
        case=SimpleNamespace(number=f"R7-{i:03d}"),
        title=f"市道{i}号線道路改良工事",
        amount=11_000_000,
        concluded_requests=[request_],
    )


def test_the_zip_is_streamed_file_by_file_in_bounded_memory():
    data = os.urandom(4 * MB)
    contracts = [contract(i, data) for i in range(8)]  # 16 files, 64 MB
    FakeFile.opened = 0
    tracemalloc.start()
    try:
        stream = contractor_zip(contracts)
        first = next(stream)
        assert FakeFile.opened <= 1  # nothing read before the stream reaches it
        size = len(first)
        peak_before = tracemalloc.get_traced_memory()[1]
        for chunk in stream:
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 16 * 4 * MB
    assert peak - peak_before < 12 * MB, peak  # a few chunks, never the 64 MB

    body = b"".join(contractor_zip(contracts))
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert len(names) == 17 and names[-1] == "index.csv"
    assert hashlib.sha256(archive.read(names[0])).hexdigest() == hashlib.sha256(data).hexdigest()
