"""The clients: the generated operations over one server, plus what the API's documents cannot
say (following a job to its end, DataFrames, an OpenAI client for inference)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._generated import (
    AsyncClientApi,
    AsyncDatasetsApi,
    AsyncJobsApi,
    ClientApi,
    DatasetsApi,
    Job,
    JobsApi,
    Sample,
)
from ._runtime import AsyncTransport, SyncTransport

#: A job in one of these states will not change any more.
FINISHED = frozenset({"done", "failed", "cancelled"})

_DEFAULT_URL = "http://127.0.0.1:8080"


def _settings(base_url: str | None, api_key: str | None) -> tuple[str, str | None]:
    # As the `textnlp` command line: arguments, else TEXTNLP_ENDPOINT / TEXTNLP_API_KEY.
    url = base_url or os.environ.get("TEXTNLP_ENDPOINT") or _DEFAULT_URL
    key = api_key if api_key is not None else os.environ.get("TEXTNLP_API_KEY")
    return url, key


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:
        raise ImportError(
            "to_pandas() needs pandas (Debian: apt-get install python3-pandas); "
            "the rest of textnlp works without it"
        ) from e
    return pandas


def _openai_module() -> Any:
    try:
        import openai
    except ImportError as e:
        raise ImportError(
            "client.openai() needs the openai package (pip install openai); the rest of textnlp "
            "works without it, and inference is plain OpenAI-compatible HTTP under /v1"
        ) from e
    return openai


def _sample_record(sample: Sample) -> dict[str, Any]:
    """One DataFrame row: the sample's fields, a column's value as `columns.<name>`."""
    record = sample.to_dict()
    for name, column in (sample.columns or {}).items():
        record[f"columns.{name}"] = column.value
    record.pop("columns", None)
    return record


class Jobs(JobsApi):
    """`client.jobs`: the generated operations, and :meth:`follow`."""

    def follow(self, id: str, *, poll_interval: float = 1.0) -> Iterator[Job]:
        """The job's snapshots as it progresses, ending with its final state (done, failed or
        cancelled). Reads the job's event stream; if the stream breaks before the end, reads the
        job and listens again, so a dropped connection never ends the iteration early."""
        while True:
            last: Job | None = None
            try:
                for job in self.watch(id):
                    last = job
                    yield job
            except httpx.TransportError:
                pass
            if last is not None and last.status in FINISHED:
                return
            job = self.get(id)
            if job.status in FINISHED:
                yield job
                return
            time.sleep(poll_interval)


class AsyncJobs(AsyncJobsApi):
    """`client.jobs` of the async client: the generated operations, and :meth:`follow`."""

    async def follow(self, id: str, *, poll_interval: float = 1.0) -> AsyncIterator[Job]:
        """As :meth:`Jobs.follow`, asynchronously."""
        while True:
            last: Job | None = None
            try:
                async for job in self.watch(id):
                    last = job
                    yield job
            except httpx.TransportError:
                pass
            if last is not None and last.status in FINISHED:
                return
            job = await self.get(id)
            if job.status in FINISHED:
                yield job
                return
            await asyncio.sleep(poll_interval)


class Datasets(DatasetsApi):
    """`client.datasets`: the generated operations, every sample, and a DataFrame of them."""

    def iter_samples(self, id: str, *, kept: bool | None = None, page_size: int = 1000) -> Iterator[Sample]:
        """Every sample of the dataset in key order, page by page (`kept` filters)."""
        offset = 0
        while True:
            page = self.samples(id, offset=offset, limit=page_size, kept=kept)
            yield from page.data
            if not page.has_more:
                return
            offset += len(page.data)

    def to_pandas(self, id: str, *, kept: bool | None = None) -> Any:
        """The dataset's samples as a pandas DataFrame (needs pandas)."""
        pandas = _pandas()
        return pandas.DataFrame.from_records([_sample_record(s) for s in self.iter_samples(id, kept=kept)])


class AsyncDatasets(AsyncDatasetsApi):
    """`client.datasets` of the async client."""

    async def iter_samples(self, id: str, *, kept: bool | None = None, page_size: int = 1000) -> AsyncIterator[Sample]:
        """Every sample of the dataset in key order, page by page (`kept` filters)."""
        offset = 0
        while True:
            page = await self.samples(id, offset=offset, limit=page_size, kept=kept)
            for sample in page.data:
                yield sample
            if not page.has_more:
                return
            offset += len(page.data)

    async def to_pandas(self, id: str, *, kept: bool | None = None) -> Any:
        """The dataset's samples as a pandas DataFrame (needs pandas)."""
        pandas = _pandas()
        return pandas.DataFrame.from_records([_sample_record(s) async for s in self.iter_samples(id, kept=kept)])


class _Settings:
    """What both clients share: the server, its key, and an OpenAI client for inference."""

    _transport: SyncTransport | AsyncTransport

    @property
    def base_url(self) -> str:
        """The server's root URL (without ``/v1``)."""
        return self._transport.base_url

    def _openai(self, kind: str, options: dict[str, Any]) -> Any:
        client = getattr(_openai_module(), kind)
        return client(base_url=f"{self.base_url}/v1", api_key=self._transport.api_key or "none", **options)


class Client(_Settings, ClientApi):
    """A TextNLP server (the appliance or the edge): every operation but inference, which
    :meth:`openai` serves. The URL and key default to ``TEXTNLP_ENDPOINT`` and
    ``TEXTNLP_API_KEY`` (then ``http://127.0.0.1:8080``, no key)."""

    jobs: Jobs
    datasets: Datasets

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        headers: dict[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        http = http_client or httpx.Client(timeout=timeout)
        transport = SyncTransport(*_settings(base_url, api_key), headers, http)
        super().__init__(transport)
        self.jobs = Jobs(transport)
        self.datasets = Datasets(transport)

    def openai(self, **options: Any) -> Any:
        """An ``openai.OpenAI`` for inference on the same server and key (needs ``openai``)."""
        return self._openai("OpenAI", options)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Settings, AsyncClientApi):
    """As :class:`Client`, with ``async`` methods and async iterators."""

    jobs: AsyncJobs
    datasets: AsyncDatasets

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        headers: dict[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        http = http_client or httpx.AsyncClient(timeout=timeout)
        transport = AsyncTransport(*_settings(base_url, api_key), headers, http)
        super().__init__(transport)
        self.jobs = AsyncJobs(transport)
        self.datasets = AsyncDatasets(transport)

    def openai(self, **options: Any) -> Any:
        """An ``openai.AsyncOpenAI`` on the same server and key (needs ``openai``)."""
        return self._openai("AsyncOpenAI", options)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
