from celery import shared_task

from accounts import services


@shared_task
def purge_expired_invitations(*, older_than_days: int = 30) -> int:
    return services.invitations_purge_expired(older_than_days=older_than_days)
