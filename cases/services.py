"""案件の取込み of large files in the background: submit → check (a Celery job, every row, nothing
written) → confirm (staff) → import (a Celery job, one transaction). The job row (CaseImport)
holds the state and the progress the page shows."""

from __future__ import annotations

import logging

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseImport
from cases.resources import BackgroundCaseResource, CaseResource
from core import audit
from core.imports import JapaneseCSV, column_labels, result_messages

logger = logging.getLogger(__name__)

# The import step runs in one transaction: its progress is not visible in the job row until the
# end, so it is also written to the cache (shared by every process when CACHE_URL is Redis).
PROGRESS_KEY = "cases:import:{pk}:rows"


def _wake(task_name: str, job_id: int) -> None:
    # By name: the tasks call these services, so this module does not import them back.
    def send() -> None:
        try:
            current_app.send_task(f"cases.tasks.{task_name}", args=(job_id,))
        except Exception:  # noqa: BLE001 - any broker failure: the page shows the job waiting
            logger.warning("%s %s: broker unavailable", task_name, job_id)

    transaction.on_commit(send)


@transaction.atomic
def case_import_submit(*, user, file_name: str, text: str, rows: int, request=None) -> CaseImport:
    """Take a large file (already within the size and row limits) for a background check."""
    job = CaseImport.objects.create(
        user=user,
        file_name=file_name[:255],
        text=text,
        total_rows=rows,
        client_ip=audit.client_ip(request),
    )
    _wake("check_case_import", job.pk)
    return job


def _dataset(job: CaseImport):
    return JapaneseCSV().create_dataset(job.text)


def _labels() -> dict[str, str]:
    return column_labels(Case, CaseResource)


def rows_done(job: CaseImport) -> int:
    """Rows handled so far (the import step's count lives in the cache until it commits)."""
    if job.status == CaseImport.Status.IMPORTING:
        return max(job.rows_done, cache.get(PROGRESS_KEY.format(pk=job.pk)) or 0)
    return job.rows_done


def case_import_check(job_id: int) -> None:
    """Check every row as the importer (scope and permissions as they are now), writing nothing:
    the job becomes CHECKED (counts, ignored columns) or REFUSED (the row errors)."""
    job = CaseImport.objects.filter(pk=job_id, status=CaseImport.Status.CHECKING).first()
    if job is None:
        return

    def progress(n: int) -> None:
        CaseImport.objects.filter(pk=job.pk).update(rows_done=n)

    resource = BackgroundCaseResource(ip_address=job.client_ip, on_progress=progress)
    try:
        dataset = _dataset(job)
        # Outside any transaction and as a dry run: no row is saved, and the progress written
        # between rows is visible to the page at once.
        result = resource.import_data_inner(
            dataset,
            dry_run=True,
            raise_errors=False,
            using_transactions=False,
            collect_failed_rows=False,
            user=job.user,
            file_name=job.file_name,
        )
    except Exception as exc:  # noqa: BLE001 - an unreadable file is the importer's error
        logger.info("case import %s: file not readable: %r", job.pk, exc)
        _finish(job, CaseImport.Status.REFUSED, errors=["ファイルを CSV として読み取れません。"])
        return
    _finish_with(job, result, resource, ok=CaseImport.Status.CHECKED)


@transaction.atomic
def case_import_confirm(*, job: CaseImport, user) -> bool:
    """Staff confirm a checked job: the import is queued. False if the job is not waiting."""
    updated = CaseImport.objects.filter(
        pk=job.pk, user=user, status=CaseImport.Status.CHECKED
    ).update(status=CaseImport.Status.IMPORTING, rows_done=0)
    if updated:
        _wake("run_case_import", job.pk)
    return bool(updated)


def case_import_run(job_id: int) -> None:
    """Import a confirmed job in one transaction (every row checked again as it is written): all
    rows or none. A worker killed midway leaves nothing; the redelivered task starts again."""
    job = CaseImport.objects.filter(pk=job_id, status=CaseImport.Status.IMPORTING).first()
    if job is None:
        return
    key = PROGRESS_KEY.format(pk=job.pk)

    def progress(n: int) -> None:
        cache.set(key, n, timeout=24 * 3600)

    resource = BackgroundCaseResource(ip_address=job.client_ip, on_progress=progress)
    result = resource.import_data(
        _dataset(job),
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=job.user,
        file_name=job.file_name,
    )
    cache.delete(key)
    _finish_with(job, result, resource, ok=CaseImport.Status.DONE)


def _finish_with(job: CaseImport, result, resource: CaseResource, *, ok: str) -> None:
    errors, count = result_messages(result, _labels())
    if count:
        refused = CaseImport.Status.REFUSED if ok == CaseImport.Status.CHECKED else None
        _finish(job, refused or CaseImport.Status.FAILED, errors=errors, error_count=count)
        return
    _finish(
        job,
        ok,
        errors=[],
        new_rows=result.totals.get("new", 0),
        updated_rows=result.totals.get("update", 0),
        ignored_columns=resource.ignored_columns,
        total_rows=result.total_rows,
        rows_done=result.total_rows,
    )


def _finish(job: CaseImport, status: str, *, errors: list[str], **fields) -> None:
    """Write the outcome. The file's text is kept only while it may still be imported."""
    fields.setdefault("error_count", len(errors))
    if status != CaseImport.Status.CHECKED:
        fields["text"] = ""
        fields["finished_at"] = timezone.now()
    CaseImport.objects.filter(pk=job.pk).update(status=status, errors=errors, **fields)
