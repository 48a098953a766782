"""The async client: the same operations awaited, progress as an async iterator."""

from __future__ import annotations

import asyncio

import pytest

from textnlp import AsyncClient, NotFoundError, RouteNotServedError


async def _job_round_trip(model: str, unique) -> None:
    async with AsyncClient() as client:
        assert (await client.health()).status == "ok"
        template = await client.templates.create(name=unique("py-async"), prompt="A song about {{ thing }}.", params={"max_tokens": 6})
        assert template.version == 1
        job = await client.jobs.create(template=unique("py-async"), model=model, rows=[{"thing": "rain"}], samples_per_row=3, seed=2)
        snapshots = [s async for s in client.jobs.follow(job.id)]
        assert snapshots[-1].status == "done" and snapshots[-1].progress.done == 3
        samples = [s async for s in client.datasets.iter_samples(job.id, page_size=2)]
        assert [s.sample for s in samples] == [0, 1, 2]
        exported = await client.datasets.export(job.id, format="jsonl")
        assert len(exported.decode().strip().split("\n")) == 3
        with pytest.raises(NotFoundError) as caught:
            await client.jobs.get("job_missing")
        assert caught.value.code == "job_not_found"
        with pytest.raises(RouteNotServedError, match=r"admin\.sites\.list\(\)"):
            await client.admin.sites.list()


def test_the_async_client_runs_a_job_to_its_end(model, unique):
    asyncio.run(_job_round_trip(model, unique))
