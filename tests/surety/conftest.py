"""Fixtures of the 電子保証 tests: the case a notice is filed on, a contractor logged in."""

import pytest

from tests.factories import CaseFactory


@pytest.fixture
def build_case(company, department):
    return CaseFactory(
        awarded_company=company,
        department=department,
        title="市道1234号線道路改良工事",
        amount=50_000_000,
    )


@pytest.fixture
def logged_in(client, contractor):
    client.force_login(contractor)
    return client
