from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from contracts.constants import RequestStatus
from contracts.models import ContractFile, SignedDocument, SigningRequest
from contracts.selectors import contracts_for_company, contracts_for_staff
from core.files import private_file_response


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
        .order_by("-created_at", "-id")
    )
    # Paged: a page's cost does not grow with the company's history.
    page = Paginator(contracts, 20).get_page(request.GET.get("page"))
    return render(
        request, "contracts/contract_list.html", {"contracts": page.object_list, "page": page}
    )


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
    return private_file_response(contract_file.file, request=request, target=contract)


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
    return private_file_response(document.stored_file, request=request, target=contract)
