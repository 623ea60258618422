"""The contract every page and endpoint keeps (used by every app's tests).

    expect_page(client_as, url, allowed={"cio", "ciso"})

checks: anonymous → sign-in redirect; the CIO of another organization → 404;
each role of the organization → 200 if allowed, else 404 (the page is
invisible to that role). ``expect_api`` does the same for the API, where
anonymous gets 401/403.
"""

from tests.conftest import ALL_ROLES, OUTSIDER


def expect_page(client_as, url: str, *, allowed: set[str], ok_status: int = 200, denied_status=(404,)):
    response = client_as("anonymous").get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
        url,
        response.status_code,
    )
    response = client_as(OUTSIDER).get(url)
    assert response.status_code == 404, (url, "outsider", response.status_code)
    for role in ALL_ROLES:
        response = client_as(role).get(url)
        if role in allowed:
            assert response.status_code == ok_status, (url, role, response.status_code)
        else:
            assert response.status_code in denied_status, (url, role, response.status_code)


def expect_api(
    client_as,
    url: str,
    *,
    allowed: set[str],
    method: str = "get",
    data=None,
    ok_status=(200,),
    denied_status=(404,),
):
    def call(role):
        client = client_as(role, api=True)
        return (
            getattr(client, method)(url, data=data, format="json")
            if data is not None
            else getattr(client, method)(url)
        )

    response = call("anonymous")
    assert response.status_code in (401, 403), (url, "anonymous", response.status_code)
    response = call(OUTSIDER)
    assert response.status_code == 404, (url, "outsider", response.status_code)
    for role in ALL_ROLES:
        response = call(role)
        expected = ok_status if role in allowed else denied_status
        assert response.status_code in expected, (
            url,
            role,
            response.status_code,
            getattr(response, "data", None),
        )
