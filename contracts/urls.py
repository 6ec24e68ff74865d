from django.urls import path

from contracts import views, webhooks

urlpatterns = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/files/<int:file_pk>/", views.contract_file, name="contract_file"),
    path(
        "contracts/<int:pk>/documents/<int:document_pk>/",
        views.signed_document,
        name="signed_document",
    ),
    path("hooks/cloudsign/<str:secret>/", webhooks.cloudsign_webhook, name="cloudsign_webhook"),
]
