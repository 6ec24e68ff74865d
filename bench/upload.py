"""A 20 MB PDF through the upload validation: wall time and peak memory.

    .venv/bin/python bench/upload.py

Builds a real, parseable PDF of about 20 MB (pages carrying incompressible image data), then runs
core.uploads.validate_pdf_upload on it as an uploaded file (as every upload does) and prints the
time, the peak Python memory (tracemalloc) and the process's peak RSS growth, relative to the file
size. Targets: ≤ 1 s and ≤ 3× the file size.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._smoke import smoke_mode  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashikaga_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.uploads import validate_pdf_upload

    # Just under the 20 MB (20,971,520 bytes) limit; 1 MB in the smoke mode.
    data = build(1_000_000 if smoke_mode() else 20_500_000)
    size = len(data)
    upload = SimpleUploadedFile("schedule.pdf", data, content_type="application/pdf")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.perf_counter()
    result = validate_pdf_upload(upload)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"PDF of {size / 1_048_576:.1f} MB, {result.page_count} pages, sha256 {result.sha256[:16]}…"
    )
    print(f"  validation time      {elapsed:.3f} s (target ≤ 1 s)")
    ratio = peak / size
    print(f"  peak Python memory   {peak / 1_048_576:.1f} MB = {ratio:.2f}× the file (target ≤ 3×)")
    print(f"  process peak RSS +   {(rss_after - rss_before) / 1_048_576:.1f} MB")


def build(target: int) -> bytes:
    """~target bytes: pages whose content streams carry random (incompressible) data."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    per_page = 512 * 1024
    pages = max(1, target // per_page)
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        noise = os.urandom(per_page // 2).hex().encode()
        stream.set_data(b"BT /F1 12 Tf 72 760 Td (schedule) Tj ET\n% " + noise + b"\n")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    main()
