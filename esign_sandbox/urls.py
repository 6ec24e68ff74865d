app_name = "esign_sandbox"
urlpatterns: list = []
