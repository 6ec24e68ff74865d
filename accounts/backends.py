from django.contrib.auth.backends import ModelBackend


class PortalModelBackend(ModelBackend):
    """ModelBackend that loads the user's company and department with the user (one query on
    every request instead of three)."""

    def get_user(self, user_id):
        from accounts.models import User

        user = (
            User._default_manager.select_related("company", "department").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
