"""manage.py export_archive OUTPUT.zip — every signed contract with a manifest of hashes, for
hand-over or long-term storage."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contracts.constants import ContractStatus
from contracts.models import Contract
from core import audit
from core.csv_export import csv_bytes
from portal.archive import documents_of, safe_name, with_documents

MANIFEST_HEADERS = [
    "案件番号",
    "契約件名",
    "契約日",
    "契約金額（税込）",
    "取引先",
    "法人番号",
    "書類",
    "ファイル",
    "SHA-256",
    "電子署名",
]


class Command(BaseCommand):
    help = (
        "締結済みの契約書・合意締結証明書を、ハッシュ付きの目録（manifest）とともに"
        "ZIPに書き出します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="書き出すZIPファイルのパス")
        parser.add_argument("--since", help="この契約日以降（YYYY-MM-DD）", default=None)

    def handle(self, *args, output: str, since: str | None, **options):
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} は既にあります。上書きはしません。")
        contracts = Contract.objects.filter(status=ContractStatus.CONCLUDED).order_by(
            "contract_date", "id"
        )
        if since:
            contracts = contracts.filter(contract_date__gte=since)
        manifest = []
        table = []
        tmp = path.with_suffix(path.suffix + ".part")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for contract in with_documents(contracts).iterator(chunk_size=200):
                folder = safe_name(f"{contract.contract_date}_{contract.case.number}_{contract.pk}")
                for document in documents_of(contract):
                    original = safe_name(document.stored_file.original_name)
                    name = f"{folder}/{document.kind}_{document.pk}_{original}"
                    with document.stored_file.file.open("rb") as fh:
                        data = fh.read()
                    digest = hashlib.sha256(data).hexdigest()
                    if digest != document.sha256:
                        raise CommandError(
                            f"{name}: SHA-256 が登録値と一致しません"
                            f"（{digest} ≠ {document.sha256}）。整合性チェックを実行してください。"
                        )
                    archive.writestr(name, data)
                    company = contract.case.awarded_company
                    entry = {
                        "file": name,
                        "sha256": digest,
                        "size": len(data),
                        "kind": document.kind,
                        "signature": document.signature_status,
                        "contract": {
                            "id": contract.pk,
                            "case_number": contract.case.number,
                            "title": contract.title,
                            "contract_date": contract.contract_date.isoformat()
                            if contract.contract_date
                            else None,
                            "amount": contract.amount,
                            "tax_amount": contract.tax_amount,
                            "counterparty": company.name if company else "",
                            "corporate_number": company.corporate_number if company else "",
                        },
                    }
                    manifest.append(entry)
                    table.append(
                        [
                            contract.case.number,
                            contract.title,
                            entry["contract"]["contract_date"],
                            contract.amount,
                            entry["contract"]["counterparty"],
                            entry["contract"]["corporate_number"],
                            document.get_kind_display(),
                            name,
                            digest,
                            document.get_signature_status_display(),
                        ]
                    )
            archive.writestr(
                "manifest.json",
                json.dumps(
                    {"created_at": timezone.now().isoformat(), "files": manifest},
                    ensure_ascii=False,
                    indent=2,
                ),
            )
            archive.writestr("manifest.csv", csv_bytes(MANIFEST_HEADERS, table))
        tmp.rename(path)
        audit.record(
            "archive.export_written",
            actor_label="manage.py export_archive",
            payload={"path": str(path), "files": len(manifest), "since": since},
        )
        self.stdout.write(f"{len(manifest)}件のファイルを {path} に書き出しました。")
