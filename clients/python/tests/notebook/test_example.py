"""`examples/synthetic-qa.ipynb` runs headless end to end (nbclient, Debian's ipykernel) against
the server the other tests use, and its outputs hold the expected counts."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "synthetic-qa.ipynb"


def _outputs(cell, mime: str) -> str:
    """Every output of a cell in one MIME type (stream text counts as text/plain)."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and mime == "text/plain":
            texts.append(output["text"])
        texts.append(output.get("data", {}).get(mime, ""))
    return "".join(texts)


def test_the_example_notebook_runs_and_holds_the_expected_counts(tmp_path, monkeypatch):
    # The kernel inherits this environment: the server's settings, and where to export.
    monkeypatch.setenv("TEXTNLP_EXPORT_DIR", str(tmp_path))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(EXAMPLE, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLE.parent)}}
    ).execute()
    cells = {i: cell for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"}
    text = {i: _outputs(cell, "text/plain") for i, cell in cells.items()}
    markup = {i: _outputs(cell, "text/html") for i, cell in cells.items()}
    template, job, validate, dataset, export = sorted(cells)[1:]

    assert "version=" in text[template]
    # The progress display, updated in place to the job's end, then the cell's own line.
    assert re.search(r"job_\S+: done 6/6 \(100%\)", text[job])
    assert 'class="textnlp-job"' in markup[job] and "width:100.0%" in markup[job]
    assert "done: 6 of 6 samples" in text[job]
    assert re.search(r"validation val_\S+ of job_\S+: 6 texts; distinct: distinct_1=", text[validate])
    assert "flesch.score (6;" in markup[validate]
    assert re.search(r"dataset job_\S+: 6 samples, 6 ok", text[dataset])
    assert markup[dataset].count("<tr>") == 7 and "words (6;" in markup[dataset]
    assert "exported 6 samples to synthetic-qa.jsonl" in text[export]
    assert len((tmp_path / "synthetic-qa.jsonl").read_text().splitlines()) == 6
