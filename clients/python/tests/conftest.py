"""The client's tests run against a real server, named by the client's own settings:
``TEXTNLP_ENDPOINT`` (the appliance's URL) and ``TEXTNLP_API_KEY`` (a key with every scope),
and ``TEXTNLP_TEST_MODEL`` (the model jobs use). `test/python/python-client.test.ts` starts an
appliance on the tiny test model and runs them.

Every call the clients send is recorded by operation, so that `test_coverage.py` (run last)
can fail naming a generated method no test called.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textnlp import _runtime  # noqa: E402

#: Operation names each client sent, by client kind.
CALLED: dict[str, set[str]] = {"sync": set(), "async": set()}


def _recording(kind: str, method):
    def record(self, name, *args, **kwargs):
        CALLED[kind].add(name)
        return method(self, name, *args, **kwargs)

    return record


_runtime.SyncTransport.send = _recording("sync", _runtime.SyncTransport.send)
_runtime.SyncTransport.stream = _recording("sync", _runtime.SyncTransport.stream)
_runtime.AsyncTransport.send = _recording("async", _runtime.AsyncTransport.send)
_runtime.AsyncTransport.stream = _recording("async", _runtime.AsyncTransport.stream)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: runs after every other test")
    missing = [name for name in ("TEXTNLP_ENDPOINT", "TEXTNLP_API_KEY", "TEXTNLP_TEST_MODEL") if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            f"set {', '.join(missing)}: these tests run against a real appliance "
            "(npx vitest run --project model test/python starts one)"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


#: Names this run creates end with it, so the tests run again against the same server.
RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def unique():
    return lambda name: f"{name}-{RUN}"


@pytest.fixture(scope="session")
def model() -> str:
    return os.environ["TEXTNLP_TEST_MODEL"]


@pytest.fixture(scope="session")
def client():
    from textnlp import Client

    with Client() as c:
        yield c


@pytest.fixture(scope="session")
def finished_job(client, model, unique):
    """A small job followed to its end: template `py-story-<run>`, 2 rows × 2 samples."""
    client.templates.create(
        name=unique("py-story"),
        prompt="A story about {{ thing }}.",
        params={"max_tokens": 8},
    )
    job = client.jobs.create(
        template=unique("py-story"),
        model=model,
        rows=[{"thing": "a hat"}, {"thing": "a cup"}],
        samples_per_row=2,
        seed=1,
    )
    snapshots = list(client.jobs.follow(job.id))
    return job, snapshots
