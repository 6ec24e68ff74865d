from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from applications.selectors import case_checklist
from contracts import archive
from contracts.constants import ContractStatus, RequestStatus
from contracts.models import ContractFile, SignedDocument, SigningRequest
from contracts.selectors import cases_for_company, contracts_for_company, contracts_for_staff
from core.files import private_file_response
from surety.models import SuretyCertificate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Contractors: their company's cases. Staff work in the admin."""
    if request.user.is_staff:
        return redirect("admin:index")
    cases = cases_for_company(request.user).order_by("-opened_on", "-number")
    return render(request, "contracts/home.html", {"cases": cases})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(cases_for_company(request.user), pk=pk)
    checklist = case_checklist(case, request.user.company)
    sureties = SuretyCertificate.objects.filter(case=case).order_by("created_at")
    return render(
        request,
        "contracts/case_detail.html",
        {"case": case, "checklist": checklist, "sureties": sureties},
    )


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = (
        contracts_for_company(request.user)
        .select_related("case")
        .annotate(
            latest_request=Subquery(
                SigningRequest.objects.filter(contract=OuterRef("pk"))
                .order_by("-created_at", "-id")
                .values("status")[:1]
            )
        )
        .order_by("-created_at")
    )
    return render(request, "contracts/contract_list.html", {"contracts": contracts})


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(
        contracts_for_company(request.user).select_related("case", "case__department"), pk=pk
    )
    signing_request = (
        contract.signing_requests.exclude(status=RequestStatus.FAILED)
        .prefetch_related("signers")
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "signing_request": signing_request,
            "signers": signing_request.signers.all() if signing_request else [],
            "files": contract.files.select_related("file"),
            "documents": signing_request.documents.select_related("stored_file")
            if signing_request
            else [],
        },
    )


@login_required
def contract_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A contract PDF, for the company's users and for staff who may see the case."""
    user = request.user
    scope = contracts_for_staff(user) if user.is_staff else contracts_for_company(user)
    contract = get_object_or_404(scope, pk=pk)
    contract_file = get_object_or_404(
        ContractFile.objects.select_related("file"), pk=file_pk, contract=contract
    )
    stored = contract_file.file
    return private_file_response(stored)


@login_required
def signed_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A stored signed PDF or 合意締結証明書 of the contract."""
    user = request.user
    scope = contracts_for_staff(user) if user.is_staff else contracts_for_company(user)
    contract = get_object_or_404(scope, pk=pk)
    document = get_object_or_404(
        SignedDocument.objects.select_related("stored_file"),
        pk=document_pk,
        signing_request__contract=contract,
    )
    stored = document.stored_file
    return private_file_response(stored)


MAX_ZIP_CONTRACTS = 200


@login_required
def signed_contracts(request: HttpRequest) -> HttpResponse:
    """締結済み契約書: the company's signed contracts, searchable, downloadable as a ZIP."""
    base = contracts_for_company(request.user).filter(status=ContractStatus.CONCLUDED)
    form = archive.ArchiveSearchForm(request.GET or None, staff=False)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    results = archive.with_documents(archive.search(base, data))
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("contract") if i.isdigit()]
        chosen = list(results.filter(pk__in=ids)[: MAX_ZIP_CONTRACTS + 1])
        if not chosen:
            messages.error(request, "ダウンロードする契約を選んでください。")
            return redirect(request.get_full_path())
        if len(chosen) > MAX_ZIP_CONTRACTS:
            messages.error(request, f"一度にダウンロードできるのは{MAX_ZIP_CONTRACTS}件までです。")
            return redirect(request.get_full_path())
        response = HttpResponse(archive.contractor_zip(chosen), content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(
            True, f"締結済み契約書_{timezone.localdate():%Y%m%d}.zip"
        )
        return response
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/signed_contracts.html",
        {
            "form": form,
            "page": page,
            "rows": [(c, archive.documents_of(c)) for c in page.object_list],
            "query": query.urlencode(),
        },
    )
