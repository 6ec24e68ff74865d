"""Issue 23 item 16: the README agrees with itself about the demo staff's 2FA and names only
sample files that a clone has."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_says_one_thing_about_the_demo_staff_authenticator():
    text = (ROOT / "README.md").read_text()
    assert "demo staff already have an authenticator" in text
    assert "demo staff enrol at their first login" not in text


def test_readme_points_only_to_files_in_the_repository():
    text = (ROOT / "README.md").read_text()
    assert "shared/samples" not in text
    for path in set(re.findall(r"`((?:docs|portal/demo)/[\w./-]+)`", text)):
        assert (ROOT / path).exists(), path
