"""Datasets, validation, review and usage on a finished job."""

from __future__ import annotations

import importlib.util
import json

import pytest

from textnlp import ValidateResponse


def test_datasets_list_page_export_and_frame(client, finished_job):
    job, _ = finished_job
    datasets = {d.id: d for d in client.datasets.list().data}
    assert datasets[job.id].samples == 4
    page = client.datasets.samples(job.id, limit=2, status="ok")
    assert len(page.data) == 2 and page.has_more
    assert [s.sample for s in client.datasets.iter_samples(job.id, page_size=3)] == [0, 1, 0, 1]
    lines = client.datasets.export(job.id, format="jsonl").decode().strip().split("\n")
    assert len(lines) == 4
    assert json.loads(lines[0])["variables"] == {"thing": "a hat"}
    csv = client.datasets.export(job.id, format="csv").decode()
    assert len(csv.strip().split("\n")) == 5
    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(ImportError, match="needs pandas"):
            client.datasets.to_pandas(job.id)
    else:
        frame = client.datasets.to_pandas(job.id)
        assert len(frame) == 4 and "output" in frame.columns


def test_a_dataset_is_deleted(client, model, unique):
    client.templates.create(name=unique("py-gone"), prompt="Gone {{ x }}.", params={"max_tokens": 4})
    job = client.jobs.create(template=unique("py-gone"), model=model, rows=[{"x": 1}])
    assert list(client.jobs.follow(job.id))[-1].status == "done"
    deleted = client.datasets.delete(job.id)
    assert deleted.deleted is True
    assert job.id not in [d.id for d in client.datasets.list().data]


def test_validation_of_texts_and_of_a_dataset(client, finished_job):
    job, _ = finished_job
    scored = client.validation.run(
        metrics=["bleu", "distinct"],
        hypotheses=["the cat sat on the mat"],
        references=[["the cat sat on the mat"]],
    )
    assert isinstance(scored, ValidateResponse)
    assert scored.results[0].extra["bleu"] == pytest.approx(100.0)
    assert scored.aggregate["distinct"]["distinct_2"] == 1
    recorded = client.validation.run(metrics=["distinct"], dataset=job.id)
    runs = client.validation.runs(job.id)
    assert recorded.run in [r.id for r in runs.data]
    run = client.validation.get(job.id, recorded.run)
    assert run.samples == 4


def test_human_review_round_trip(client, finished_job, unique):
    job, _ = finished_job
    reviewer = client.admin.users.create(username=unique("py-reviewer"), password="a long password 1", role="viewer")
    assignment = client.review.assign(job.id, reviewers=[reviewer.username])
    assert assignment.created == 4
    tasks = client.review.tasks(job.id, reviewer=reviewer.username)
    assert len(tasks.data) == 4
    done = client.review.submit(job.id, tasks.data[0].id, reviewer=reviewer.username, decision="accept")
    assert done.status == "done"
    summary = client.review.summary(job.id)
    assert summary.tasks.done == 1
    exported = client.review.export(job.id)
    assert len(exported.strip().split("\n")) == 4
    imported = client.review.import_(job.id, exported)
    assert imported.object == "review.import"


def test_usage_counts_the_job_calls(client, finished_job):
    rows = client.usage().data
    assert sum(r.requests for r in rows) >= 4
