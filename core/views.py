from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.files import private_file_response, user_can_view_file
from core.models import StoredFile


@require_GET
@login_required
def download(request: HttpRequest, pk) -> FileResponse:
    """Serve a private file to someone allowed to see it; everyone else gets 404."""
    stored = get_object_or_404(StoredFile, pk=pk)
    if not user_can_view_file(request.user, stored):
        raise Http404("ファイルが見つかりません。")
    return private_file_response(stored, request=request)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """The Japanese 400 page; a BadRequest raised by our code carries the sentence to show
    (other 400s — refused admin lookups, bad hosts — get the generic one)."""
    message = str(exception) if type(exception) is BadRequest and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)
