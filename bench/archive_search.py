"""p50/p95 of five representative archive searches over 100,000 contracts on PostgreSQL.

    DATABASE_URL=postgres://…/bench_archive .venv/bin/python bench/archive_search.py [N]

Creates (or reuses) the database, fills it with N contracts (default 100,000) once, then times each
search (the first page of 50 rows with its documents, and the count) 30 times and prints p50/p95,
and EXPLAIN of the main query, to show which index it uses.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._smoke import smoke_mode  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_archive"
REPEAT = 30  # timings per search


def main() -> None:
    global REPEAT
    smoke = smoke_mode()
    total = int(sys.argv[1]) if len(sys.argv) > 1 else (300 if smoke else 100_000)
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if smoke:  # a database of its own, filled with a few hundred rows, each search twice
        url = url.rsplit("/", 1)[0] + "/bench_archive_smoke"
        REPEAT = 2
    if not url.startswith("postgres"):
        sys.exit("this bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f'CREATE DATABASE "{name}"'],
        capture_output=True,
    )
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ashikaga_portal.settings"})
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(total)
    run()


def fill(total: int) -> None:
    from accounts.models import Company, Department
    from cases.models import Case
    from contracts.models import Contract

    if Contract.objects.count() >= total:
        return
    print(f"filling {total:,} contracts (once) …", flush=True)
    rng = random.Random(2025)
    departments = [
        Department.objects.get_or_create(code=f"d{i}", defaults={"name": f"課{i}"})[0]
        for i in range(20)
    ]
    companies = Company.objects.bulk_create(
        Company(
            name=f"足利建設{i:04d} 株式会社",
            address="足利市",
            representative="代表",
            vendor_number=f"V{i:05d}",
            corporate_number=f"{i:013d}",
        )
        for i in range(min(2000, total))
    )
    categories = [
        "construction",
        "construction_service",
        "goods",
        "printing",
        "small_works",
        "service",
    ]
    cases = Case.objects.bulk_create(
        Case(
            number=f"R{i // 2000}-{i:06d}",
            title=f"案件{i}号 工事",
            place="足利市",
            category=rng.choice(categories),
            department=rng.choice(departments),
            procurement_method="general",
            awarded_company=rng.choice(companies),
            amount=rng.randrange(1_000_000, 300_000_000, 1000),
        )
        for i in range(min(20_000, total))
    )
    start = dt.date(2016, 4, 1)

    def contract(i: int, case, original=None) -> Contract:
        amount = rng.randrange(500_000, 500_000_000, 1000)
        return Contract(
            case=case,
            kind="change" if original else "initial",
            original=original,
            title=f"{case.title} 契約{i}",
            amount=amount,
            tax_amount=amount // 11,
            contract_date=start + dt.timedelta(days=rng.randrange(0, 3650)),
            status=rng.choices(["concluded", "signing", "rejected"], [90, 5, 5])[0],
        )

    initial = Contract.objects.bulk_create(contract(i, c) for i, c in enumerate(cases))
    batch = []
    for i in range(len(cases), total):
        first = initial[i % len(initial)]
        batch.append(contract(i, first.case, first if rng.random() < 0.2 else None))
        if len(batch) == 10_000:
            Contract.objects.bulk_create(batch)
            batch = []
    if batch:
        Contract.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


SEARCHES = {
    "契約日3年 + 金額範囲 + 取引先(業者番号)": {
        "date_from": dt.date(2022, 4, 1),
        "date_to": dt.date(2025, 3, 31),
        "amount_min": 10_000_000,
        "amount_max": 200_000_000,
        "counterparty": "V00123",
    },
    "契約日1年 + 担当課 + 締結済": {
        "date_from": dt.date(2023, 4, 1),
        "date_to": dt.date(2024, 3, 31),
        "department": "d3",
        "status": "concluded",
    },
    "取引先(法人番号)のみ": {"counterparty": "0000000001234"},
    "取引先(名称) + 契約区分 + 契約日5年": {
        "counterparty": "足利建設0042",
        "category": "construction",
        "date_from": dt.date(2020, 4, 1),
        "date_to": dt.date(2025, 3, 31),
    },
    "金額(税抜)範囲 + 変更契約 + 契約日半年": {
        "amount_min": 100_000_000,
        "amount_max": 150_000_000,
        "amount_basis": "excl",
        "kind": "change",
        "date_from": dt.date(2025, 1, 1),
        "date_to": dt.date(2025, 6, 30),
    },
}


def run() -> None:
    from django.db import connection

    from accounts.models import Department
    from contracts.models import Contract
    from portal import archive

    print(f"{Contract.objects.count():,} contracts on PostgreSQL {connection.pg_version}")
    for label, data in SEARCHES.items():
        data = dict(data)
        if "department" in data:
            data["department"] = Department.objects.get(code=data["department"])
        timings = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            qs = archive.with_documents(archive.search(Contract.objects.all(), data))
            rows = list(qs[:50])
            count = qs.count()
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"  {label}: {count:,} hits, p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
        )
        plan = archive.search(Contract.objects.all(), data)[:50].explain()
        indexes = sorted(
            {
                re.split(r" (?:using|on) ", line)[1].split()[0]
                for line in plan.splitlines()
                if "Index" in line and re.search(r" (?:using|on) ", line)
            }
        )
        print(f"    indexes used: {', '.join(indexes) or 'none (sequential scan)'}")
        del rows


if __name__ == "__main__":
    main()
