from django.urls import path

from contracts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
