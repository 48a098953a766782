"""Notebooks: ``%load_ext textnlp`` adds these magics (IPython is needed only here).

- ``%textnlp_connect [URL] [KEY]``: the server the magics use (default ``TEXTNLP_ENDPOINT`` and
  ``TEXTNLP_API_KEY``); the client is also ``textnlp_client`` in the notebook.
- ``%%textnlp_template NAME [--system TEXT] [--max-tokens N] [--temperature T]``: the cell is the
  template's prompt (Liquid); returns the new version.
- ``%textnlp_job TEMPLATE [--rows VAR] [--row-count N] [--samples N] [--model M] [--seed N]
  [--concurrency N]``: starts a job, draws its progress bar live until it ends, returns the final
  job. ``--rows`` names a list of dicts (or a DataFrame) in the notebook.
- ``%textnlp_validate DATASET [--metrics a,b]``: validates a dataset (the run is recorded) and
  shows each metric's aggregate and a histogram of its per-sample figures.
- ``%textnlp_dataset DATASET [--limit N]``: the samples as a table, with histograms of their
  lengths and scores.

Jobs, samples and validations display as HTML wherever a cell shows one.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from ._generated import Job, Sample, SampleList, ValidateResponse
from .client import FINISHED, Client

_BAR_COLOURS = {"done": "#2e7d32", "failed": "#c62828", "cancelled": "#757575", "paused": "#f9a825"}


def _job_line(job: Job) -> str:
    total = job.total or 0
    percent = 100 * job.progress.done / total if total else 100.0
    return (
        f"{job.id}: {job.status} {job.progress.done}/{total} ({percent:.0f}%), "
        f"{job.progress.rate:.1f} samples/s, failed {job.progress.failed}"
    )


def job_html(job: Job) -> str:
    """A job's progress as a bar with its figures."""
    total = job.total or 0
    percent = 100 * job.progress.done / total if total else 100.0
    colour = _BAR_COLOURS.get(job.status, "#1565c0")
    return (
        '<div class="textnlp-job" style="font-family:sans-serif;font-size:13px">'
        f"<div>{html.escape(_job_line(job))}</div>"
        '<div style="background:#e0e0e0;width:360px;height:10px;border-radius:3px">'
        f'<div style="background:{colour};width:{percent:.1f}%;height:10px;border-radius:3px"></div>'
        "</div></div>"
    )


def histogram_html(title: str, values: Iterable[float], bins: int = 10) -> str:
    """A small bar histogram of `values` (empty when there are none)."""
    data = [float(v) for v in values]
    if not data:
        return ""
    low, high = min(data), max(data)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in data:
        counts[min(int((value - low) / width), bins - 1)] += 1
    tallest = max(counts)
    bars = "".join(
        f'<div title="{low + i * width:.3g}–{low + (i + 1) * width:.3g}: {count}" '
        f'style="display:inline-block;vertical-align:bottom;width:14px;margin-right:1px;'
        f'height:{max(1, round(48 * count / tallest)) if count else 0}px;background:#1565c0"></div>'
        for i, count in enumerate(counts)
    )
    return (
        '<div style="display:inline-block;margin:4px 16px 4px 0;font-size:12px">'
        f"<div>{html.escape(title)} ({len(data)}; {low:.3g} to {high:.3g})</div>"
        f'<div style="height:50px;border-bottom:1px solid #999">{bars}</div></div>'
    )


def _sample_scores(samples: list[Sample]) -> dict[str, list[float]]:
    scores: dict[str, list[float]] = {"words": [len((s.output or "").split()) for s in samples]}
    for sample in samples:
        for name, value in ((sample.decision.scores if sample.decision else None) or {}).items():
            scores.setdefault(name, []).append(value)
    return scores


def samples_html(samples: list[Sample], limit: int = 20) -> str:
    """Samples as a table (the first `limit`), under histograms of their lengths and scores."""
    histograms = "".join(histogram_html(name, values) for name, values in _sample_scores(samples).items())
    header = "".join(f"<th>{h}</th>" for h in ("row", "sample", "status", "kept", "variables", "output"))
    rows = "".join(
        "<tr>"
        f"<td>{s.row}</td><td>{s.sample}</td><td>{s.status}</td><td>{'' if s.kept is None else s.kept}</td>"
        f"<td>{html.escape(', '.join(f'{k}={v}' for k, v in s.variables.items()))}</td>"
        f'<td style="text-align:left">{html.escape((s.output or s.error or "")[:300])}</td>'
        "</tr>"
        for s in samples[:limit]
    )
    more = f"<p>… and {len(samples) - limit} more</p>" if len(samples) > limit else ""
    return f"<div>{histograms}</div><table><tr>{header}</tr>{rows}</table>{more}"


def _figures(result: Any, prefix: str = "") -> dict[str, float]:
    """The numbers in one sample's result, by dotted name."""
    numbers: dict[str, float] = {}
    for name, value in result.items():
        if isinstance(value, bool) or name in ("index", "row", "sample"):
            continue
        if isinstance(value, (int, float)):
            numbers[prefix + name] = value
        elif isinstance(value, dict):
            numbers.update(_figures(value, f"{prefix}{name}."))
    return numbers


def validation_html(response: ValidateResponse) -> str:
    """A validation's aggregates as a table, and a histogram of each per-sample figure."""
    per_figure: dict[str, list[float]] = {}
    for result in response.results:
        for name, value in _figures(result.extra).items():
            per_figure.setdefault(name, []).append(value)
    rows = "".join(
        f"<tr><td>{html.escape(metric)}</td><td>{html.escape(', '.join(f'{k}={v:.4g}' for k, v in _figures(figures).items()))}</td></tr>"
        for metric, figures in response.aggregate.items()
    )
    histograms = "".join(histogram_html(name, values) for name, values in per_figure.items())
    title = f"validation {response.run} of {response.dataset}" if response.run else "validation"
    return f"<div><b>{html.escape(title)}</b>: {response.count} texts</div><table>{rows}</table><div>{histograms}</div>"


class _View:
    """Shown as HTML in a notebook and as one line of text elsewhere (and in saved outputs)."""

    def html(self) -> str:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()


class JobProgress(_View):
    """A job's state: a bar, or a line."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def html(self) -> str:
        return job_html(self.job)

    def text(self) -> str:
        return _job_line(self.job)


class DatasetView(_View):
    """A dataset's samples."""

    def __init__(self, id: str, samples: list[Sample], limit: int = 20) -> None:
        self.id = id
        self.samples = samples
        self.limit = limit

    def html(self) -> str:
        title = f"<div><b>dataset {html.escape(self.id)}</b>: {len(self.samples)} samples</div>"
        return title + samples_html(self.samples, self.limit)

    def text(self) -> str:
        ok = sum(1 for s in self.samples if s.status == "ok")
        return f"dataset {self.id}: {len(self.samples)} samples, {ok} ok"


class ValidationView(_View):
    """A validation's figures."""

    def __init__(self, response: ValidateResponse) -> None:
        self.response = response

    def html(self) -> str:
        return validation_html(self.response)

    def text(self) -> str:
        r = self.response
        figures = "; ".join(
            f"{metric}: " + ", ".join(f"{k}={v:.4g}" for k, v in _figures(values).items())
            for metric, values in r.aggregate.items()
        )
        return f"validation {r.run or ''} of {r.dataset or 'texts'}: {r.count} texts; {figures}"


@magics_class
class TextNLPMagics(Magics):
    """The ``textnlp_*`` magics, all on one client."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._connect(Client())

    def _connect(self, client: Client) -> None:
        self.client = client
        self.shell.user_ns["textnlp_client"] = client

    @line_magic
    def textnlp_connect(self, line: str) -> Client:
        """%textnlp_connect [URL] [KEY]: use this server (and key) from now on."""
        parts = line.split()
        self._connect(Client(*parts[:2]))
        return self.client

    @cell_magic
    @magic_arguments()
    @argument("name", help="the template's name")
    @argument("--system", help="a system message")
    @argument("--max-tokens", type=int, help="the default max_tokens of its calls")
    @argument("--temperature", type=float, help="the default temperature of its calls")
    def textnlp_template(self, line: str, cell: str) -> Any:
        """%%textnlp_template NAME [...]: the cell, as a new version of template NAME."""
        args = parse_argstring(self.textnlp_template, line)
        params = {k: v for k, v in (("max_tokens", args.max_tokens), ("temperature", args.temperature)) if v is not None}
        return self.client.templates.create(name=args.name, prompt=cell.strip(), system=args.system, params=params or None)

    @line_magic
    @magic_arguments()
    @argument("template", help="the template's name")
    @argument("--rows", help="a notebook variable: a list of dicts, or a DataFrame")
    @argument("--row-count", type=int, help="empty rows (for templates with samplers only)")
    @argument("--samples", type=int, help="samples per row")
    @argument("--model", help="default: the server's first model")
    @argument("--seed", type=int)
    @argument("--concurrency", type=int)
    @argument("--max-tokens", type=int, help="max_tokens of each call")
    def textnlp_job(self, line: str) -> Job:
        """%textnlp_job TEMPLATE [...]: runs a job, drawing its progress live; returns it when it ends."""
        args = parse_argstring(self.textnlp_job, line)
        rows = self.shell.user_ns[args.rows] if args.rows else None
        if rows is not None and hasattr(rows, "to_dict"):
            rows = rows.to_dict(orient="records")
        model = args.model or self.client.models.list().data[0].id
        job = self.client.jobs.create(
            template=args.template,
            model=model,
            rows=rows,
            row_count=args.row_count,
            samples_per_row=args.samples,
            seed=args.seed,
            concurrency=args.concurrency,
            params={"max_tokens": args.max_tokens} if args.max_tokens else None,
        )
        return follow_with_progress(self.client, job)

    @line_magic
    @magic_arguments()
    @argument("dataset", help="the dataset's (the job's) id")
    @argument("--metrics", default="distinct,readability", help="comma-separated metrics")
    def textnlp_validate(self, line: str) -> ValidationView:
        """%textnlp_validate DATASET [--metrics a,b]: validates the dataset and shows its figures."""
        args = parse_argstring(self.textnlp_validate, line)
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
        return ValidationView(self.client.validation.run(metrics=metrics, dataset=args.dataset))

    @line_magic
    @magic_arguments()
    @argument("dataset", help="the dataset's (the job's) id")
    @argument("--limit", type=int, default=20, help="rows shown in the table")
    def textnlp_dataset(self, line: str) -> DatasetView:
        """%textnlp_dataset DATASET [--limit N]: the samples as a table with histograms."""
        args = parse_argstring(self.textnlp_dataset, line)
        return DatasetView(args.dataset, list(self.client.datasets.iter_samples(args.dataset)), args.limit)


def follow_with_progress(client: Client, job: Job, *, every: float = 0.25) -> Job:
    """Follows `job` to its end, redrawing one progress display (at most every `every` s)."""
    handle = display(JobProgress(job), display_id=True)
    last_draw = 0.0
    for snapshot in client.jobs.follow(job.id):
        job = snapshot
        if handle and (job.status in FINISHED or time.monotonic() - last_draw >= every):
            handle.update(JobProgress(job))
            last_draw = time.monotonic()
    return job


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext textnlp``: the magics, and HTML for jobs, sample pages and validations."""
    ipython.register_magics(TextNLPMagics)
    formatter = ipython.display_formatter.formatters["text/html"]
    formatter.for_type(Job, job_html)
    formatter.for_type(SampleList, lambda page: samples_html(page.data))
    formatter.for_type(ValidateResponse, validation_html)


__all__ = ["DatasetView", "JobProgress", "TextNLPMagics", "ValidationView", "follow_with_progress"]
