"""The contractor's composed pages: home, the case file, the signed contracts and their ZIP."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from applications.selectors import case_checklist
from cases.selectors import cases_for_company
from contracts.constants import ContractStatus
from contracts.selectors import contracts_for_company
from core import audit
from portal import archive, todo
from surety.models import SuretyCertificate

# Contractor lists are paged: a page's cost does not grow with the company's history.
CONTRACTOR_PAGE_SIZE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Contractors: their company's cases. Staff work in the admin."""
    if request.user.is_staff:
        return redirect("admin:index")
    # Most urgent first (差戻し, 署名依頼中, 未提出 …), one page of the kept order.
    page = todo.home_page(request.user, request.GET.get("page"))
    return render(request, "portal/home.html", {"rows": page.object_list, "page": page})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(cases_for_company(request.user), pk=pk)
    checklist = case_checklist(case, request.user.company)
    sureties = SuretyCertificate.objects.filter(case=case).order_by("created_at")
    return render(
        request,
        "portal/case_detail.html",
        {"case": case, "checklist": checklist, "sureties": sureties},
    )


MAX_ZIP_CONTRACTS = 200


@login_required
def signed_contracts(request: HttpRequest) -> HttpResponse:
    """締結済み契約書: the company's signed contracts, searchable, downloadable as a ZIP."""
    base = contracts_for_company(request.user).filter(status=ContractStatus.CONCLUDED)
    form = archive.ArchiveSearchForm(request.GET or None, staff=False)
    if form.is_bound and not form.is_valid():
        base = base.none()  # the errors are shown; nothing is listed until they are mended
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    results = archive.with_documents(archive.search(base, data, contractor=True))
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("contract") if i.isdigit()]
        chosen = list(results.filter(pk__in=ids)[: MAX_ZIP_CONTRACTS + 1])
        if not chosen:
            messages.error(request, "ダウンロードする契約を選んでください。")
            return redirect(request.get_full_path())
        if len(chosen) > MAX_ZIP_CONTRACTS:
            messages.error(request, f"一度にダウンロードできるのは{MAX_ZIP_CONTRACTS}件までです。")
            return redirect(request.get_full_path())
        audit.record(
            "archive.zip_downloaded",
            actor=request.user,
            request=request,
            payload={"contracts": [c.pk for c in chosen]},
        )
        response = StreamingHttpResponse(
            archive.contractor_zip(chosen), content_type="application/zip"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"締結済み契約書_{timezone.localdate():%Y%m%d}.zip"
        )
        return response
    page = Paginator(results, CONTRACTOR_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/signed_contracts.html",
        {
            "form": form,
            "page": page,
            "rows": [(c, archive.documents_of(c)) for c in page.object_list],
            "query": query.urlencode(),
        },
    )
