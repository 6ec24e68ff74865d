"""Who may see a stored file."""

from __future__ import annotations

from core.models import StoredFile


def user_can_view_file(user, stored: StoredFile) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff and user.has_perm("core.view_storedfile"):
        return True
    return stored.company_id is not None and stored.company_id == user.company_id


def private_file_response(stored: StoredFile, *, request, target=None):
    """A stored file as a download: the original (Japanese) name, never sniffed, never cached.
    Every download is in the audit log (who, which file by its hash, of what)."""
    from django.http import FileResponse

    from core import audit

    audit.record(
        "file.downloaded",
        actor=request.user,
        target=target if target is not None else stored,
        request=request,
        payload={"file": str(stored.pk), "name": stored.original_name, "sha256": stored.sha256},
    )
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
