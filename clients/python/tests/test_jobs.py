"""Templates, seed rows and jobs on a real appliance, followed through the progress iterator."""

from __future__ import annotations

import json
import time

from textnlp import FINISHED, Job, SampleList, Template


def test_templates_are_created_listed_versioned_and_previewed(client, unique):
    first = client.templates.create(name=unique("py-tale"), prompt="A tale of {{ thing }}.")
    second = client.templates.create(name=unique("py-tale"), prompt="Another tale of {{ thing }}.")
    assert isinstance(first, Template)
    assert (first.version, second.version) == (1, 2)
    assert unique("py-tale") in [t.name for t in client.templates.list().data]
    assert [t.version for t in client.templates.versions(unique("py-tale")).data] == [2, 1]
    preview = client.templates.preview(unique("py-tale"), rows=[{"thing": "a hat"}])
    assert preview.data[0].messages[0].content == "Another tale of a hat."


def test_a_job_is_followed_to_its_end_through_the_progress_iterator(finished_job):
    job, snapshots = finished_job
    assert all(isinstance(s, Job) and s.id == job.id for s in snapshots)
    done = [s.progress.done for s in snapshots]
    assert done == sorted(done)
    assert snapshots[-1].status == "done"
    assert snapshots[-1].progress.done == snapshots[-1].total == 4
    assert [s for s in snapshots[:-1] if s.status in FINISHED] == []


def test_job_reads_list_get_and_samples(client, finished_job):
    job, _ = finished_job
    assert job.id in [j.id for j in client.jobs.list().data]
    assert client.jobs.get(job.id).progress.ok == 4
    page = client.jobs.samples(job.id, limit=3)
    assert isinstance(page, SampleList)
    assert len(page.data) == 3 and page.has_more
    assert [(s.row, s.sample) for s in page.data] == [(0, 0), (0, 1), (1, 0)]
    assert page.data[0].variables == {"thing": "a hat"}


def test_seed_rows_upload_and_an_estimate_from_them(client, model, unique, finished_job):
    rows = "\n".join(json.dumps({"thing": t}) for t in ("a hat", "a cup", "a pen"))
    seed_set = client.seed_rows.upload(rows, name=unique("py-things"))
    assert seed_set.rows == 3
    estimate = client.jobs.estimate(template=unique("py-story"), model=model, seed_set=seed_set.id, samples_per_row=2)
    assert estimate.samples == 6
    assert estimate.prompt_tokens > 0


def test_a_job_is_paused_resumed_and_cancelled(client, model, unique):
    client.templates.create(name=unique("py-count"), prompt="Count to {{ n }}.", params={"max_tokens": 24})
    job = client.jobs.create(
        template=unique("py-count"), model=model, rows=[{"n": n} for n in range(40)], concurrency=1
    )
    for _ in range(300):
        if client.jobs.get(job.id).progress.done >= 2:
            break
        time.sleep(0.02)
    paused = client.jobs.pause(job.id)
    assert paused.status == "paused"
    resumed = client.jobs.resume(job.id)
    assert resumed.status in ("queued", "running")
    cancelled = client.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    # follow() ends at once on a job that has ended.
    assert [s.status for s in client.jobs.follow(job.id)][-1] == "cancelled"
