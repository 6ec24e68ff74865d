"""How fast is this machine? A fixed pure-Python workload, to compare the test-suite and bench
figures of one day with another's (the suite is CPU-bound: its wall time follows this figure).

    .venv/bin/python bench/machine.py

Prints the median of five runs of a loop of 10,000,000 additions and of a Django template
rendered 2,000 times (the interpreter and the framework the suite mostly spends its time in),
the CPU count and the load average. The README quotes it beside every wall time it reports.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._smoke import smoke_mode  # noqa: E402


def loop(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - started


def templates(n: int) -> float:
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}]
        )
        import django

        django.setup()
    from django.template import Context, Template

    template = Template(
        "{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1|default:'—' }}</td>"
        "<td>{% if row.2 %}済{% else %}未{% endif %}</td></tr>{% endfor %}"
    )
    context = Context(
        {"rows": [(f"R8-{i:05d}", "市道舗装工事" if i % 3 else "", i % 2) for i in range(50)]}
    )
    started = time.perf_counter()
    for _ in range(n):
        template.render(context)
    return time.perf_counter() - started


def main() -> None:
    smoke = smoke_mode()
    runs = 1 if smoke else 5
    additions = 1_000_000 if smoke else 10_000_000
    renders = 200 if smoke else 2_000
    loop_s = statistics.median(loop(additions) for _ in range(runs))
    render_s = statistics.median(templates(renders) for _ in range(runs))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    print(f"loop of {additions:,} additions: {loop_s:.2f} s (median of {runs})")
    print(f"template rendered {renders:,} times: {render_s:.2f} s (median of {runs})")


if __name__ == "__main__":
    main()
