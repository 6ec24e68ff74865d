"""core names no higher app's codes: each app registers its payload keys, action groups and
audit targets from its AppConfig.ready(), and the audit log's filters read the registrations."""

from core import labels


def test_each_app_registered_its_labels():
    assert labels.PAYLOAD_LABELS["signing_request"] == "署名依頼"  # contracts
    assert labels.PAYLOAD_LABELS["receipt_number"] == "到達番号"  # applications
    assert labels.PAYLOAD_LABELS["corrected"] == "訂正"  # surety
    assert labels.ACTION_GROUPS["archive"] == "契約書の保管・出力"  # portal
    assert {"contract", "application", "case", "account", "file"} <= set(labels.ACTION_GROUPS)
    assert set(labels.AUDIT_TARGET_APPS) == {
        "core",
        "accounts",
        "cases",
        "applications",
        "surety",
        "contracts",
    }


def test_core_itself_names_no_higher_app():
    from pathlib import Path

    core = Path(labels.__file__).parent
    for name in ("labels.py", "admin.py"):
        text = (core / name).read_text()
        for code in ('"signing_request"', '"receipt_number"', '"archive"', '"contracts"'):
            assert code not in text, (name, code)
