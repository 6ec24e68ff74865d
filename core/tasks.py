from celery import shared_task

from core import integrity


@shared_task(acks_late=True)
def check_file_integrity() -> dict:
    return integrity.check_all()
