"""Every city-policy setting is a real setting, in .env.example and in README 「前提と設定」."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_policy_settings_are_documented():
    """Issue 16 acceptance: 「the settings appear in .env.example and the README」."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## 前提と設定", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE)
    assert len(names) >= 9
    env_example = (ROOT / ".env.example").read_text()
    for name in names:
        assert hasattr(settings, name), name
        assert re.search(rf"^{name}=", env_example, flags=re.MULTILINE), name
