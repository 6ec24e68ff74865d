"""Two web nodes, each with its own disk, on one database and one S3-compatible bucket (moto's
server): a file uploaded through node A is downloaded through node B. And the check that refuses
local-disk storage once more than one node is declared."""

from __future__ import annotations

import re

import boto3
import pytest
import requests
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.deploy.procs import BIN, ROOT, base_env, database_url, free_port, start, start_s3, stop
from tests.deploy.procs import wait_for as wait

PDF = (ROOT / "portal" / "demo" / "contract-construction.pdf").read_bytes()
PASSWORD = "two-nodes-Pass-2026"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_file_uploaded_on_one_node_is_downloaded_on_the_other(
    tmp_path, contractor, case, settings
):
    # The nodes hash with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    contractor.set_password(PASSWORD)
    contractor.save()
    s3, endpoint = start_s3(tmp_path)
    nodes = []
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        ).create_bucket(Bucket="shared")
        bases = []
        for name in ("a", "b"):
            port = free_port()
            disk = tmp_path / f"node-{name}"
            disk.mkdir()
            env = base_env(
                DATABASE_URL=database_url(),
                VAR_DIR=str(disk),
                MEDIA_ROOT=str(disk / "media"),
                MEDIA_STORAGE="s3",
                S3_BUCKET="shared",
                S3_ENDPOINT_URL=endpoint,
                S3_REGION="us-east-1",
                S3_ACCESS_KEY="k",
                S3_SECRET_KEY="s",
                ESIGN_SANDBOX_PKI_DIR=str(tmp_path / "pki"),
            )
            args = [str(BIN / "gunicorn"), "ashikaga_portal.wsgi", "-w", "1"]
            nodes.append(start([*args, "-b", f"127.0.0.1:{port}"], env, tmp_path / f"{name}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait(lambda base=base: requests.get(f"{base}/livez", timeout=2).ok, 60, base)
        node_a, node_b = bases

        # Node A: sign in, attach a PDF to a 工程表 下書き.
        session = requests.Session()
        session.trust_env = False
        page = session.get(f"{node_a}/accounts/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        home = session.post(
            f"{node_a}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": contractor.email, "password": PASSWORD},
            timeout=10,
        )
        assert "/accounts/login/" not in home.url, (
            home.status_code,
            re.findall(r"<(?:li|p)[^>]*>[^<]{3,200}", home.text),
        )
        new = f"{node_a}/cases/{case.pk}/applications/new/schedule/"
        page = session.get(new, timeout=10)
        assert page.status_code == 200, page.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        saved = session.post(
            new,
            data={
                "csrfmiddlewaretoken": token,
                "note": "二台構成の確認",
                "purpose": "schedule",
                "action": "save",
            },
            files={"upload": ("工程表.pdf", PDF, "application/pdf")},
            timeout=30,
        )
        links = re.findall(r'href="(/applications/\d+/attachments/\d+/)"', saved.text)
        assert saved.status_code == 200 and links, (saved.status_code, saved.url)

        # Node B (the same session, another process and disk): the same bytes.
        download = session.get(f"{node_b}{links[0]}", timeout=30)
        assert download.status_code == 200, download.status_code
        assert download.content == PDF
        # Neither node's disk holds the file: it is in the shared bucket only.
        assert not [p for p in tmp_path.glob("node-*/media/**/*") if p.is_file()]
        readiness = requests.get(f"{node_b}/healthz", timeout=10).json()
        assert readiness["status"] == "ok", readiness
    finally:
        for node in nodes:
            stop(node)
        stop(s3)


def test_more_than_one_node_refuses_local_disk(settings):
    settings.NODE_COUNT = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    assert "core.E021" in str(refused.value)
    assert "NODE_COUNT=2" in str(refused.value)


def test_one_node_may_keep_files_on_disk(settings):
    settings.NODE_COUNT = 1
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    call_command("check")  # no SystemCheckError
