"""Error answers surface as exceptions carrying the envelope; a route the server lacks names the
method and the server."""

from __future__ import annotations

import httpx
import pytest

from textnlp import (
    AuthenticationError,
    BadRequestError,
    Client,
    NotFoundError,
    OPERATIONS,
    RouteNotServedError,
    TextNLPError,
)


def test_an_error_carries_the_envelopes_message_code_and_status(client):
    raw = httpx.get(
        f"{client.base_url}/v1/jobs/job_missing",
        headers={"authorization": f"Bearer {client._transport.api_key}"},
    ).json()["error"]
    with pytest.raises(NotFoundError) as caught:
        client.jobs.get("job_missing")
    error = caught.value
    assert (error.status, error.code, error.type) == (404, "job_not_found", raw["type"])
    assert error.message == raw["message"] and "job_missing" in error.message
    assert str(error) == f"404 job_not_found: {raw['message']}"
    assert error.body == {"error": raw}


def test_a_bad_request_names_its_param(client):
    with pytest.raises(BadRequestError) as caught:
        client.templates.create(name="py-bad", prompt="Hello {{ name ")
    assert caught.value.status == 400
    assert caught.value.param == "prompt"
    assert isinstance(caught.value, TextNLPError)


def test_a_wrong_key_is_an_authentication_error(client):
    with Client(client.base_url, "tnlp_wrong") as wrong:
        with pytest.raises(AuthenticationError) as caught:
            wrong.jobs.list()
    assert caught.value.status == 401 and caught.value.type == "authentication_error"


def _edge_only_calls(c: Client):
    """Every operation only the edge serves, each with arguments of the right shape."""
    return {
        "auth.token": lambda: c.auth.token(tenant="t", username="u", password="p"),
        "auth.refresh": lambda: c.auth.refresh(refresh_token="r"),
        "auth.logout": lambda: c.auth.logout(refresh_token="r"),
        "admin.limits.get_tenant": lambda: c.admin.limits.get_tenant(),
        "admin.limits.set_tenant": lambda: c.admin.limits.set_tenant(requests_per_minute=10),
        "admin.limits.reset_tenant": lambda: c.admin.limits.reset_tenant(),
        "admin.limits.get_key": lambda: c.admin.limits.get_key("key_x"),
        "admin.limits.set_key": lambda: c.admin.limits.set_key("key_x", requests_per_minute=10),
        "admin.limits.reset_key": lambda: c.admin.limits.reset_key("key_x"),
        "admin.provider_keys.list": lambda: c.admin.provider_keys.list(),
        "admin.provider_keys.put": lambda: c.admin.provider_keys.put("openai", api_key="sk-x"),
        "admin.provider_keys.delete": lambda: c.admin.provider_keys.delete("openai"),
        "admin.sites.create": lambda: c.admin.sites.create(id="site-x"),
        "admin.sites.list": lambda: c.admin.sites.list(),
        "admin.sites.share": lambda: c.admin.sites.share("site-x", tenant_id="t2"),
        "admin.sites.issue_enrollment_code": lambda: c.admin.sites.issue_enrollment_code("site-x"),
        "admin.sites.revoke_appliance": lambda: c.admin.sites.revoke_appliance("site-x", "app-x"),
    }


def test_a_method_the_appliance_lacks_raises_naming_the_method_and_the_server(client):
    calls = _edge_only_calls(client)
    assert sorted(calls) == sorted(n for n, op in OPERATIONS.items() if op.servers == ("edge",))
    for name, call in calls.items():
        with pytest.raises(RouteNotServedError) as caught:
            call()
        error = caught.value
        assert error.method == name and error.server == client.base_url
        assert str(error).startswith(f"404 route_not_found: {name}() ")
        assert f"is not served by {client.base_url}: only the edge serves it" in str(error)
