import type { OpenAPIHono } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { ApiError, invalidRequest } from "../../../shared/api/errors.ts";
import {
  assignReviewRoute,
  exportReviewsRoute,
  importReviewsRoute,
  listReviewTasksRoute,
  reviewSummaryRoute,
  submitReviewRoute,
} from "../../../shared/api/review-routes.ts";
import {
  ReviewLine,
  type ReviewTask,
  type ReviewVerdictBody,
} from "../../../shared/api/schemas/review.ts";
import type { RubricCriterion, SampleRow, User } from "../../../shared/db/schema/index.ts";
import { findUserByName } from "../../../shared/identity/users.ts";
import { finishedDataset } from "../../../shared/synth/routes/datasets.ts";
import { summarizeReviews } from "../../../shared/validate/review-summary.ts";
import { allSamples } from "../../store/queries/jobs.ts";
import {
  createReviewTasks,
  ensureReviewQueue,
  getReviewQueue,
  importReviewTasks,
  listReviewTasks,
  type ReviewTaskView,
  reviewTaskCounts,
  saveVerdict,
  type VerdictRow,
} from "../../store/queries/reviews.ts";
import { requireScope } from "../middleware/auth.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";
import { datasetSamples } from "./datasets.ts";

const PAGE = 1000;

/** A task as the API shows it (and as an export line). */
function toTask(datasetId: string, view: ReviewTaskView): ReviewTask {
  const { task } = view;
  return {
    id: task.id,
    object: "review.task",
    dataset: datasetId,
    row: view.row,
    sample: view.sample,
    reviewer: view.reviewer,
    status: task.status,
    decision: task.decision,
    ratings: task.ratings,
    edited_output: task.editedOutput,
    comment: task.comment,
    reviewed_at: task.reviewedAt ? Math.floor(task.reviewedAt.getTime() / 1000) : null,
    output: view.output,
    variables: view.variables,
  };
}

/** An active user of the tenant, or a 400 naming the field. */
async function reviewerNamed(
  services: ApplianceServices,
  tenantId: string,
  name: string,
  param: string,
): Promise<User> {
  const user = await findUserByName(services.db, tenantId, name, { enabledOnly: true });
  if (!user)
    throw invalidRequest(
      `No active appliance user '${name}' (create one with 'textnlp-appliance users create').`,
      param,
      "reviewer_not_found",
    );
  return user;
}

/**
 * Checks a verdict against the rubric: `edit` carries the corrected output (and only `edit`
 * does), ratings are whole numbers within their criterion's range. `at` prefixes the param.
 */
function checkVerdict(
  verdict: Pick<ReviewVerdictBody, "decision" | "edited_output" | "ratings">,
  rubric: readonly RubricCriterion[],
  at = "",
): void {
  if (verdict.decision === "edit" && typeof verdict.edited_output !== "string")
    throw invalidRequest(
      "A decision of 'edit' needs 'edited_output', the corrected text.",
      `${at}edited_output`,
      "edited_output_required",
    );
  if (verdict.decision !== "edit" && typeof verdict.edited_output === "string")
    throw invalidRequest(
      "'edited_output' goes with the decision 'edit' only.",
      `${at}edited_output`,
      "edited_output_unexpected",
    );
  for (const [name, value] of Object.entries(verdict.ratings ?? {})) {
    const criterion = rubric.find((c) => c.name === name);
    if (!criterion)
      throw invalidRequest(
        `'${name}' is not a criterion of this dataset's rubric (${rubric.map((c) => c.name).join(", ") || "none"}).`,
        `${at}ratings.${name}`,
        "unknown_criterion",
      );
    if (value < criterion.min || value > criterion.max)
      throw invalidRequest(
        `Rating '${name}' must be from ${criterion.min} to ${criterion.max}.`,
        `${at}ratings.${name}`,
        "rating_out_of_range",
      );
  }
}

/** Mounts the review queue under `/v1/datasets/{id}/review` (scopes `datasets` and `review`). */
export function mountReviewRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  services: ApplianceServices,
): void {
  const { db, jobs } = services;
  app.use("/v1/datasets/:id/review/*", requireScope("review"));

  const finished = async (id: string, tenantId: string) =>
    (await finishedDataset(db, id, tenantId)).job;
  const rubricOf = (id: string) => getReviewQueue(db, id)?.rubric ?? [];
  /** (row, sample) -> sample, for every sample of the job. */
  const samplesByKey = (id: string) =>
    new Map(allSamples(db, id).map((s) => [`${s.rowIndex}:${s.sampleIndex}`, s]));

  app.openapi(assignReviewRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const tenantId = c.get("principal").tenantId;
    const job = await finished(id, tenantId);
    const reviewers = await Promise.all(
      body.reviewers.map((name, i) => reviewerNamed(services, tenantId, name, `reviewers.${i}`)),
    );
    if (new Set(reviewers.map((r) => r.id)).size !== reviewers.length)
      throw invalidRequest("A reviewer is named twice.", "reviewers", "duplicate_reviewer");
    const perSample = body.reviewers_per_sample ?? reviewers.length;
    if (perSample > reviewers.length)
      throw invalidRequest(
        `reviewers_per_sample (${perSample}) exceeds the ${reviewers.length} reviewers named.`,
        "reviewers_per_sample",
      );
    let chosen: SampleRow[];
    if (body.samples) {
      const byKey = samplesByKey(id);
      chosen = body.samples.map(({ row, sample }, i) => {
        const found = byKey.get(`${row}:${sample}`);
        if (!found)
          throw invalidRequest(
            `Dataset '${id}' has no sample (row ${row}, sample ${sample}).`,
            `samples.${i}`,
            "sample_not_found",
          );
        return found;
      });
    } else {
      chosen = datasetSamples(db, job);
    }
    const existingRubric = getReviewQueue(db, id)?.rubric;
    if (
      body.rubric &&
      existingRubric &&
      JSON.stringify(existingRubric) !== JSON.stringify(body.rubric)
    )
      throw new ApiError(409, "This dataset's queue already has another rubric.", {
        param: "rubric",
        code: "rubric_conflict",
      });
    const queue = ensureReviewQueue(db, id, tenantId, body.rubric ?? []);
    // Round robin: sample k goes to reviewers k, k+1, … (mod n), so the load is even.
    const pairs = chosen.flatMap((s, k) =>
      Array.from({ length: perSample }, (_, j) => ({
        sampleId: s.id,
        reviewerId: reviewers[(k + j) % reviewers.length].id,
      })),
    );
    const created = createReviewTasks(db, id, pairs);
    return c.json(
      {
        object: "review.assignment" as const,
        dataset: id,
        created,
        existing: pairs.length - created,
        rubric: queue.rubric,
      },
      200,
    );
  });

  app.openapi(listReviewTasksRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const tenantId = c.get("principal").tenantId;
    await jobs.snapshot(id, tenantId);
    const reviewerId = query.reviewer
      ? (await reviewerNamed(services, tenantId, query.reviewer, "reviewer")).id
      : undefined;
    const { data, total } = listReviewTasks(
      db,
      id,
      { reviewerId, status: query.status },
      { offset: query.offset, limit: query.limit },
    );
    return c.json({ object: "list" as const, data: data.map((v) => toTask(id, v)), total }, 200);
  });

  app.openapi(submitReviewRoute, async (c) => {
    const { id, task: taskId } = c.req.valid("param");
    const body = c.req.valid("json");
    await jobs.snapshot(id, c.get("principal").tenantId);
    const view = listReviewTasks(db, id, { taskId }).data[0];
    if (!view)
      throw new ApiError(404, `Dataset '${id}' has no review task '${taskId}'.`, {
        param: "task",
        code: "review_task_not_found",
      });
    if (view.reviewer !== body.reviewer)
      throw new ApiError(403, `Task '${taskId}' is assigned to '${view.reviewer}'.`, {
        param: "reviewer",
        code: "not_assignee",
      });
    checkVerdict(body, rubricOf(id));
    saveVerdict(db, taskId, {
      decision: body.decision,
      ratings: body.ratings ?? {},
      editedOutput: body.edited_output ?? null,
      comment: body.comment ?? null,
      reviewedAt: new Date(),
    });
    const saved = listReviewTasks(db, id, { taskId }).data[0] as ReviewTaskView;
    return c.json(toTask(id, saved), 200);
  });

  app.openapi(reviewSummaryRoute, async (c) => {
    const { id } = c.req.valid("param");
    await jobs.snapshot(id, c.get("principal").tenantId);
    const done = listReviewTasks(db, id, { status: "done" }).data;
    const scores = new Map(done.map((v) => [v.task.sampleId, v.scores?.scores ?? {}]));
    const summary = summarizeReviews(
      done.map((v) => ({
        item: v.task.sampleId,
        reviewer: v.reviewer,
        decision: v.task.decision as "accept" | "reject" | "edit",
        ratings: v.task.ratings,
      })),
      rubricOf(id),
      scores,
    );
    const agreement = (a: (typeof summary.agreement)["decision"]) => {
      const { alphaLevel, ...rest } = a;
      return { ...rest, alpha_level: alphaLevel };
    };
    return c.json(
      {
        object: "review.summary" as const,
        dataset: id,
        tasks: reviewTaskCounts(db, id),
        reviewers: summary.reviewers,
        items: summary.items,
        decisions: summary.decisions,
        accept_rate: summary.acceptRate,
        ratings: summary.ratings,
        agreement: {
          decision: agreement(summary.agreement.decision),
          ratings: Object.fromEntries(
            Object.entries(summary.agreement.ratings).map(([k, a]) => [k, agreement(a)]),
          ),
        },
        correlations: summary.correlations,
      },
      200,
    );
  });

  app.openapi(exportReviewsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await jobs.snapshot(id, c.get("principal").tenantId);
    c.header("content-type", "application/x-ndjson; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${id}.reviews.jsonl"`);
    return stream(c, async (out) => {
      for (let offset = 0; ; offset += PAGE) {
        const { data } = listReviewTasks(db, id, {}, { offset, limit: PAGE });
        if (data.length > 0)
          await out.write(data.map((v) => `${JSON.stringify(toTask(id, v))}\n`).join(""));
        if (data.length < PAGE) break;
      }
      // A streamed body, not the JSON the route's typing expects of a handler.
    }) as never;
  });

  app.openapi(importReviewsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenantId = c.get("principal").tenantId;
    await finished(id, tenantId);
    const rubric = rubricOf(id);
    const byKey = samplesByKey(id);
    const reviewers = new Map<string, User>();
    const lines = (await c.req.text()).split(/\r?\n/);
    const rows: ({ sampleId: number; reviewerId: string } & VerdictRow)[] = [];
    for (const [index, text] of lines.entries()) {
      if (!text.trim()) continue;
      const at = `line ${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw invalidRequest(`${at} is not JSON: ${(err as Error).message}`, at, "invalid_jsonl");
      }
      const parsed = ReviewLine.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw invalidRequest(
          `${at}: ${issue?.path.join(".") || "(line)"}: ${issue?.message}`,
          `${at}.${issue?.path.join(".")}`,
          "invalid_review_line",
        );
      }
      const line = parsed.data;
      const sample = byKey.get(`${line.row}:${line.sample}`);
      if (!sample)
        throw invalidRequest(
          `${at}: dataset '${id}' has no sample (row ${line.row}, sample ${line.sample}).`,
          at,
          "sample_not_found",
        );
      let reviewer = reviewers.get(line.reviewer);
      if (!reviewer) {
        reviewer = await reviewerNamed(services, tenantId, line.reviewer, `${at}.reviewer`);
        reviewers.set(line.reviewer, reviewer);
      }
      const decision = line.decision ?? null;
      if (decision !== null)
        checkVerdict(
          {
            decision,
            edited_output: line.edited_output ?? undefined,
            ratings: line.ratings,
          },
          rubric,
          `${at}.`,
        );
      rows.push({
        sampleId: sample.id,
        reviewerId: reviewer.id,
        decision,
        ratings: decision === null ? {} : (line.ratings ?? {}),
        editedOutput: decision === "edit" ? (line.edited_output ?? null) : null,
        comment: line.comment ?? null,
        reviewedAt:
          decision === null ? null : new Date((line.reviewed_at ?? Date.now() / 1000) * 1000),
      });
    }
    const { created, updated } = importReviewTasks(db, id, rows);
    return c.json(
      { object: "review.import" as const, dataset: id, lines: rows.length, created, updated },
      200,
    );
  });
}
