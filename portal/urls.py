from django.urls import path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("contracts/signed/", views.signed_contracts, name="signed_contracts"),
]
