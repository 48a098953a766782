"""Health, models and the appliance's administration: keys, users and the audit log."""

from __future__ import annotations

import importlib.util

import pytest

from textnlp import ApiKeyCreated, AuthenticationError, Client


def test_health_and_models(client, model):
    assert client.health().status == "ok"
    assert [m.id for m in client.models.list().data] == [model]
    assert client.models.retrieve(model).id == model


def test_keys_are_created_listed_used_and_revoked(client, unique):
    created = client.admin.keys.create(name=unique("py-key"), scopes=["jobs"])
    assert isinstance(created, ApiKeyCreated) and created.key.startswith("tnlp_")
    assert created.id in [k.id for k in client.admin.keys.list().data]
    with Client(client.base_url, created.key) as scoped:
        assert scoped.jobs.list().object == "list"
    assert client.admin.keys.revoke(created.id).revoked_at is not None
    with Client(client.base_url, created.key) as revoked:
        try:
            revoked.jobs.list()
            raise AssertionError("a revoked key still works")
        except AuthenticationError as e:
            assert e.status == 401


def test_users_lifecycle_and_audit(client, unique):
    user = client.admin.users.create(username=unique("py-user"), password="a long password 2", role="viewer")
    assert user.username in [u.username for u in client.admin.users.list().data]
    assert client.admin.users.update(user.id, role="developer").role == "developer"
    assert client.admin.users.disable(user.id).disabled_at is not None
    assert client.admin.users.enable(user.id).disabled_at is None
    assert client.admin.users.set_password(user.id, password="another long password").id == user.id
    client.admin.users.delete(user.id)
    assert user.username not in [u.username for u in client.admin.users.list().data]
    actions = [entry.action for entry in client.admin.audit(limit=50).data]
    assert "user.create" in actions


def test_openai_is_configured_for_the_same_server_or_says_what_is_missing(client):
    if importlib.util.find_spec("openai") is None:
        with pytest.raises(ImportError, match=r"client\.openai\(\) needs the openai package"):
            client.openai()
    else:
        openai = client.openai()
        assert str(openai.base_url).rstrip("/") == f"{client.base_url}/v1"
        assert openai.api_key == client._transport.api_key


def test_a_base_url_with_v1_is_the_same_server(client):
    with Client(f"{client.base_url}/v1/", "unused") as other:
        assert other.base_url == client.base_url
