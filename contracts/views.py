from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from applications.selectors import case_checklist
from contracts.selectors import cases_for_company


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
    return render(request, "contracts/case_detail.html", {"case": case, "checklist": checklist})
