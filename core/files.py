"""Who may see a stored file."""

from __future__ import annotations

from core.models import StoredFile


def user_can_view_file(user, stored: StoredFile) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff and user.has_perm("core.view_storedfile"):
        return True
    return stored.company_id is not None and stored.company_id == user.company_id
