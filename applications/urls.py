from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("cases/<int:case_pk>/applications/new/<slug:kind>/", views.new, name="new"),
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/edit/", views.edit, name="edit"),
    path("applications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/done/", views.done, name="done"),
    path("applications/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/messages/", views.post_message, name="message"),
    path("applications/<int:pk>/pdf/", views.pdf, name="pdf"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.remove_attachment,
        name="attachment_delete",
    ),
]
