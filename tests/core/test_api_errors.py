"""The API's error shape for input the database cannot hold."""

from django.db import DataError

from core.api.errors import exception_handler


def test_out_of_range_numbers_answer_400_not_500():
    for exc in (
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        DataError("integer out of range"),
    ):
        response = exception_handler(exc, {})
        assert response.status_code == 400
        assert response.data == {
            "detail": "A number in the request is out of range.",
            "code": "invalid",
            "errors": {},
        }
