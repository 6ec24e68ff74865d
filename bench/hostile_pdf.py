"""The hostile-PDF corpus through every parse of untrusted PDFs: worst time and memory.

    .venv/bin/python bench/hostile_pdf.py

Runs each file of the test corpus (tests/pdfs.py: active-content variants, the denial-of-service
files — 2.3 MB of annotations over too many pages, 20 pages sharing a 1 MB stream, a 512 MB
decompression bomb, a lying page count, 120,000 chained objects, deep nesting — and a real 20 MB
PDF) through the two parses the portal does on untrusted files, each exactly as in production
(core.sandboxed.run_with_budget with the same budget): the upload validation
(core.uploads.inspect_pdf) and the 認証キーのお知らせ reader (surety.notice.read_notice). Prints,
per file and parse, the wall time, the child's peak memory above the web process, the outcome,
then the worst over the corpus against the targets: ≤ 5 s and ≤ 3× the file size + 100 MB.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._smoke import smoke_mode  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashikaga_portal.settings")
os.environ.setdefault("LOG_LEVEL", "ERROR")

MB = 1024 * 1024


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    from bench.upload import build
    from core.sandboxed import run_with_budget
    from core.uploads import _within_limits, inspect_pdf, pdf_memory_budget
    from surety.notice import read_notice_unbounded
    from tests.pdfs import make_budget_corpus, make_hostile_pdfs

    if smoke_mode():  # two files, both parses: the path is exercised, not the worst case
        corpus = dict(list(make_hostile_pdfs().items())[:2])
    else:
        corpus = {**make_hostile_pdfs(), **make_budget_corpus(), "real-20mb": build(20_500_000)}
    parses = {
        "validate": lambda data: run_with_budget(
            inspect_pdf,
            data,
            max_pages=settings.UPLOAD_MAX_PAGES,
            max_objects=settings.PDF_SCAN_MAX_OBJECTS,
            seconds=settings.PDF_PARSE_SECONDS,
            memory=pdf_memory_budget(len(data)),
            stats=stats,
        ),
        "notice": lambda data: run_with_budget(
            _within_limits,
            read_notice_unbounded,
            data,
            settings.UPLOAD_MAX_PAGES,
            seconds=settings.PDF_PARSE_SECONDS,
            memory=pdf_memory_budget(len(data)),
            stats=stats,
        ),
    }
    print(f"budget: {settings.PDF_PARSE_SECONDS:g} s, 3× size + {settings.PDF_PARSE_MEMORY_MB} MB")
    print(
        f"{'file':34} {'size':>10} {'parse':8} {'time s':>7} {'mem MB':>7} {'limit MB':>8}  outcome"
    )
    worst_time = worst_ratio = 0.0
    worst = ("", "")
    for name, data in corpus.items():
        for parse, run in parses.items():
            stats: dict = {}
            started = time.perf_counter()
            try:
                run(data)
                outcome = "read"
            except Exception as exc:  # noqa: BLE001 - every refusal is an outcome here
                outcome = getattr(exc, "code", None) or type(exc).__name__
            elapsed = time.perf_counter() - started
            memory = stats.get("memory", 0)
            target = 3 * len(data) + 100 * MB
            print(
                f"{name:34} {len(data):>10,} {parse:8} {elapsed:7.2f} {memory / MB:7.1f} "
                f"{target / MB:8.1f}  {outcome}"
            )
            if elapsed > worst_time:
                worst_time, worst = elapsed, (name, parse)
            worst_ratio = max(worst_ratio, memory / target)
    ok = worst_time <= 5.0 and worst_ratio <= 1.0
    print(
        f"worst time {worst_time:.2f} s ({worst[0]}, {worst[1]}); worst memory "
        f"{worst_ratio:.0%} of 3× size + 100 MB — target ≤ 5 s and ≤ 100 %: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
