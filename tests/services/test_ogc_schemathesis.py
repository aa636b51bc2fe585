"""Zero server errors: schemathesis generates requests for every operation of the
served OpenAPI document and each answer must be below 500.

Bounded and repeatable: a fixed seed and ``EXAMPLES`` requests per operation.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from openapi_stubs import served_openapi
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.postgis

EXAMPLES = 25
SEED = 20261201


def test_openapi_document_validates(ogc):
    validate(served_openapi(ogc))


def test_no_generated_request_gets_a_server_error(ogc):
    schema = schemathesis.openapi.from_dict(served_openapi(ogc))
    base_url = ogc
    failures, calls, operations = [], [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            calls.append(case.call_and_validate(base_url=base_url, checks=[not_a_server_error]).status_code)

        try:
            call()
        except Exception as exc:  # every operation runs; the report lists each one that failed
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:500]}")
    assert operations >= 20 and len(calls) >= 10 * operations
    assert not failures, "\n".join(failures)
