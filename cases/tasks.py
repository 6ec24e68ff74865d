"""Background work of the cases app: the 案件の取込み of large files (cases.services)."""

from celery import shared_task

from cases import services

# A 50,000-row file takes minutes, more than the default limit for a task.
IMPORT_SOFT_LIMIT = 30 * 60


@shared_task(acks_late=True, soft_time_limit=IMPORT_SOFT_LIMIT, time_limit=IMPORT_SOFT_LIMIT + 60)
def check_case_import(job_id: int) -> None:
    services.case_import_check(job_id)


@shared_task(acks_late=True, soft_time_limit=IMPORT_SOFT_LIMIT, time_limit=IMPORT_SOFT_LIMIT + 60)
def run_case_import(job_id: int) -> None:
    services.case_import_run(job_id)
