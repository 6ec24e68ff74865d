from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from core.files import user_can_view_file
from core.models import StoredFile


@require_GET
@login_required
def download(request: HttpRequest, pk) -> FileResponse:
    """Serve a private file to someone allowed to see it; everyone else gets 404."""
    stored = get_object_or_404(StoredFile, pk=pk)
    if not user_can_view_file(request.user, stored):
        raise Http404("ファイルが見つかりません。")
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
