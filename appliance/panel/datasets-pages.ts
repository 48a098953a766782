/**
 * The Datasets pages of the panel: the list of datasets, one dataset (its samples with their
 * metrics and filter reasons, metric histograms, export, validation), and its review queue.
 * They read the store directly, as the `/v1` routes they mirror do; changes go through `/v1`.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { listUsers } from "../../shared/identity/users.ts";
import { finishedDataset, listDatasets, toDataset } from "../../shared/synth/routes/datasets.ts";
import { sampleListResponse } from "../../shared/synth/routes/jobs.ts";
import type { ApplianceEnv, ApplianceServices } from "../api/types.ts";
import type { Db } from "../store/db.ts";
import { allSamples } from "../store/queries/jobs.ts";
import { getReviewQueue, listReviewTasks, reviewTaskCounts } from "../store/queries/reviews.ts";
import { listValidationRuns, validationResultsOf } from "../store/queries/validations.ts";
import { distributions, numericFigures } from "./histogram.ts";
import { panelLoginOf, renderPanelPage } from "./layout.ts";
import {
  datasetBody,
  datasetsListBody,
  type PanelSample,
  type RunSummary,
  SAMPLE_FILTERS,
  type SampleFilter,
} from "./pages/datasets.ts";
import { reviewBody } from "./pages/review.ts";

const PAGE_SIZE = 50;
/** Most of a reviewer's pending tasks one page load carries. */
const REVIEW_BATCH = 500;

const DatasetQuery = z.object({
  view: z.enum(SAMPLE_FILTERS).catch("all"),
  offset: z.coerce.number().int().min(0).catch(0),
});

const sampleQuery: Record<SampleFilter, { status?: "ok" | "failed"; kept?: "true" | "false" }> = {
  all: {},
  kept: { kept: "true" },
  dropped: { status: "ok", kept: "false" },
  failed: { status: "failed" },
};

/** The latest validation run and its per-sample numeric figures by `row:sample`. */
function latestRun(db: Db, jobId: string) {
  const run = listValidationRuns(db, jobId)[0];
  if (!run) return { summary: null, figures: new Map<string, Record<string, number>>() };
  const figures = new Map(
    validationResultsOf(db, run.id).map((r) => [`${r.row}:${r.sample}`, numericFigures(r.figures)]),
  );
  const summary: RunSummary = {
    id: run.id,
    metrics: run.metrics,
    samples: figures.size,
    createdAt: run.createdAt,
    byModel: run.byModel ?? null,
  };
  return { summary, figures };
}

export function mountDatasetPages(app: OpenAPIHono<ApplianceEnv>, services: ApplianceServices) {
  const { db } = services;

  app.get("/panel/datasets", async (c) =>
    renderPanelPage(
      c,
      "/panel/datasets",
      datasetsListBody(await listDatasets(db, panelLoginOf(c).user.tenantId)),
    ),
  );

  app.get("/panel/datasets/:id", async (c) => {
    const snapshot = await finishedDataset(db, c.req.param("id"), panelLoginOf(c).user.tenantId);
    const { job } = snapshot;
    const { view, offset } = DatasetQuery.parse(c.req.query());
    const page = await sampleListResponse(db, job.id, {
      offset,
      limit: PAGE_SIZE,
      ...sampleQuery[view],
    });
    const run = latestRun(db, job.id);
    const metricsOf = (
      row: number,
      sample: number,
      scores: Record<string, number> | undefined,
    ) => ({
      ...scores,
      ...run.figures.get(`${row}:${sample}`),
    });
    const samples: PanelSample[] = page.data.map((s) => ({
      row: s.row,
      sample: s.sample,
      status: s.status,
      kept: s.kept,
      output: s.output,
      error: s.error,
      reason: s.decision?.reason ? `${s.decision.type ?? "step"}: ${s.decision.reason}` : null,
      metrics: metricsOf(s.row, s.sample, s.decision?.scores),
    }));
    const all = allSamples(db, job.id).map((s) =>
      metricsOf(s.rowIndex, s.sampleIndex, s.decision?.scores),
    );
    return renderPanelPage(
      c,
      "/panel/datasets",
      datasetBody({
        dataset: toDataset(snapshot),
        samples,
        view,
        offset,
        limit: PAGE_SIZE,
        hasMore: page.has_more,
        distributions: distributions(all),
        run: run.summary,
      }),
      `Dataset ${job.id}`,
    );
  });

  app.get("/panel/datasets/:id/review", async (c) => {
    const login = panelLoginOf(c);
    const { job } = await finishedDataset(db, c.req.param("id"), login.user.tenantId);
    const mine = { reviewerId: login.user.id };
    const pending = listReviewTasks(
      db,
      job.id,
      { ...mine, status: "pending" },
      { limit: REVIEW_BATCH },
    );
    return renderPanelPage(
      c,
      "/panel/datasets",
      reviewBody({
        datasetId: job.id,
        reviewer: login.user.username,
        rubric: getReviewQueue(db, job.id)?.rubric ?? [],
        items: pending.data.map((v) => ({
          id: v.task.id,
          row: v.row,
          sample: v.sample,
          output: v.output,
          variables: v.variables,
        })),
        done: listReviewTasks(db, job.id, { ...mine, status: "done" }, { limit: 1 }).total,
        counts: reviewTaskCounts(db, job.id),
        users: (await listUsers(db, login.user.tenantId))
          .filter((u) => !u.disabledAt)
          .map((u) => u.username)
          .sort(),
      }),
      `Review ${job.id}`,
    );
  });
}
