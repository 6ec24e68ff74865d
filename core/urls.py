from django.urls import path

from core import views

app_name = "core"
urlpatterns = [path("<uuid:pk>/", views.download, name="download")]
