"""The TextNLP API's schemas and operations, generated from the appliance's and the edge's
`/openapi.json` by `clients/python/generate.ts`. Do not edit: run
`npx tsx clients/python/generate.ts` (a test fails when this file is not what it writes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ._runtime import AsyncResource, Operation, SyncResource
from ._runtime import Schema as _Schema



@dataclass(kw_only=True)
class ApiKey(_Schema):
    id: str
    object: Literal["api_key"]
    name: str
    prefix: str
    scopes: list[str]
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    revoked_at: int | None


@dataclass(kw_only=True)
class ApiKeyCreated(_Schema):
    id: str
    object: Literal["api_key"]
    name: str
    prefix: str
    scopes: list[str]
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    revoked_at: int | None
    key: str


@dataclass(kw_only=True)
class ApiKeyList(_Schema):
    object: Literal["list"]
    data: list[ApiKey]


@dataclass(kw_only=True)
class ApplianceRevoked(_Schema):
    id: str
    object: Literal["appliance"]
    revoked: Literal[True]


@dataclass(kw_only=True)
class AuditEntry(_Schema):
    id: str
    object: Literal["audit_entry"]
    actor: AuditEntryActor
    action: str
    target: str | None
    detail: dict[str, Any] | None
    created_at: int


@dataclass(kw_only=True)
class AuditEntryActor(_Schema):
    kind: str
    id: str


@dataclass(kw_only=True)
class AuditList(_Schema):
    object: Literal["list"]
    data: list[AuditEntry]
    has_more: bool
    next_cursor: str | None


@dataclass(kw_only=True)
class Dataset(_Schema):
    id: str
    object: Literal["dataset"]
    job: str
    template: DatasetTemplate
    model: str
    samples: int
    kept: int
    created_at: int


@dataclass(kw_only=True)
class DatasetList(_Schema):
    object: Literal["list"]
    data: list[Dataset]


@dataclass(kw_only=True)
class DatasetTemplate(_Schema):
    name: str
    version: int


@dataclass(kw_only=True)
class DatasetsDeleteResult(_Schema):
    id: str
    object: Literal["dataset"]
    deleted: Literal[True]


@dataclass(kw_only=True)
class EnrollmentCode(_Schema):
    site_id: str
    code: str
    expires_at: int


@dataclass(kw_only=True)
class Health(_Schema):
    status: Literal["ok", "degraded"]
    version: str
    uptime_s: float
    load: list[HealthLoadItem] | None = None


@dataclass(kw_only=True)
class HealthLoadItem(_Schema):
    model: str
    active: int
    queued: int
    capacity: int


@dataclass(kw_only=True)
class Job(_Schema):
    id: str
    object: Literal["job"]
    status: Literal["queued", "running", "paused", "done", "failed", "cancelled"]
    template: DatasetTemplate
    model: str
    model_version: int | None
    model_sha256: str | None
    models: list[JobModelsItem] | None
    total: int
    rows: int
    samples_per_row: int
    concurrency: int
    seed: int
    progress: JobProgress
    error: str | None
    created_at: int
    started_at: int | None
    finished_at: int | None


@dataclass(kw_only=True)
class JobCreateParams(_Schema):
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None


@dataclass(kw_only=True)
class JobCreateSamplersValueCategories(_Schema):
    type: Literal["categories"]
    values: dict[str, float]


@dataclass(kw_only=True)
class JobCreateSamplersValueList(_Schema):
    type: Literal["list"]
    values: list[Any]


@dataclass(kw_only=True)
class JobCreateSamplersValueRange(_Schema):
    type: Literal["range"]
    min: float
    max: float
    integer: bool | None = None


@dataclass(kw_only=True)
class JobCreateStepsItemDedup(_Schema):
    type: Literal["dedup"]
    mode: Literal["exact", "near"] | None = None
    threshold: float | None = None
    shingle_size: int | None = None


@dataclass(kw_only=True)
class JobCreateStepsItemFilter(_Schema):
    type: Literal["filter"]
    min_length: int | None = None
    max_length: int | None = None
    regex: str | None = None
    regex_mode: Literal["keep", "drop"] | None = None
    json: bool | None = None
    metric: JobCreateStepsItemFilterMetric | None = None


@dataclass(kw_only=True)
class JobCreateStepsItemFilterMetric(_Schema):
    name: Literal["flesch", "repetition", "distinct-1", "distinct-2"]
    min: float | None = None
    max: float | None = None


@dataclass(kw_only=True)
class JobCreateStepsItemJudge(_Schema):
    type: Literal["judge"]
    template: str
    template_version: int | None = None
    model: str | None = None
    threshold: float
    score_field: str | None = None


@dataclass(kw_only=True)
class JobEstimate(_Schema):
    object: Literal["job_estimate"]
    model: str
    samples: int
    prompt_tokens: int
    prompt_tokens_exact: bool
    max_completion_tokens: int
    tokens_per_second: float | None
    max_seconds: float | None
    max_cost_usd: float | None


@dataclass(kw_only=True)
class JobList(_Schema):
    object: Literal["list"]
    data: list[Job]


@dataclass(kw_only=True)
class JobModelsItem(_Schema):
    name: str
    model_version: int | None
    model_sha256: str | None


@dataclass(kw_only=True)
class JobProgress(_Schema):
    done: int
    ok: int
    failed: int
    kept: int | None
    dropped: int | None
    completion_tokens: int
    rate: float
    eta_seconds: float | None


@dataclass(kw_only=True)
class LimitValues(_Schema):
    requests_per_minute: int | None
    tokens_per_minute: int | None
    monthly_tokens: int | None
    monthly_cost_usd: float | None


@dataclass(kw_only=True)
class LimitsReport(_Schema):
    object: Literal["limits"]
    subject: Literal["tenant", "key"]
    key_id: str | None
    plan: LimitValues
    override: PutLimitsRequest
    effective: LimitValues
    usage: LimitsReportUsage


@dataclass(kw_only=True)
class LimitsReportUsage(_Schema):
    requests: WindowUsage
    tokens: WindowUsage
    month: MonthUsage


@dataclass(kw_only=True)
class Model(_Schema):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str
    capabilities: list[Literal["chat", "embeddings", "vision", "tools", "json"]] | None = None
    context_length: int | None = None


@dataclass(kw_only=True)
class ModelList(_Schema):
    object: Literal["list"]
    data: list[Model]


@dataclass(kw_only=True)
class MonthUsage(_Schema):
    period: str
    tokens: int
    cost_usd: float
    resets_at: int


@dataclass(kw_only=True)
class ProviderKey(_Schema):
    object: Literal["provider_key"]
    provider: str
    hint: str
    created_at: int
    updated_at: int


@dataclass(kw_only=True)
class ProviderKeyList(_Schema):
    object: Literal["list"]
    data: list[ProviderKey]


@dataclass(kw_only=True)
class PutLimitsRequest(_Schema):
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    monthly_tokens: int | None = None
    monthly_cost_usd: float | None = None


@dataclass(kw_only=True)
class ReviewAssignRequestSamplesItem(_Schema):
    row: int
    sample: int


@dataclass(kw_only=True)
class ReviewAssignResponse(_Schema):
    object: Literal["review.assignment"]
    dataset: str
    created: int
    existing: int
    rubric: list[RubricCriterion]


@dataclass(kw_only=True)
class ReviewImportResponse(_Schema):
    object: Literal["review.import"]
    dataset: str
    lines: int
    created: int
    updated: int


@dataclass(kw_only=True)
class ReviewSummary(_Schema):
    object: Literal["review.summary"]
    dataset: str
    tasks: ReviewSummaryTasks
    reviewers: int
    items: int
    decisions: ReviewSummaryDecisions
    accept_rate: float
    ratings: dict[str, ReviewSummaryRatingsValue]
    agreement: ReviewSummaryAgreement
    correlations: dict[str, dict[str, ReviewSummaryCorrelationsValueValue]]


@dataclass(kw_only=True)
class ReviewSummaryAgreement(_Schema):
    decision: ReviewSummaryAgreementDecision
    ratings: dict[str, ReviewSummaryAgreementDecision]


@dataclass(kw_only=True)
class ReviewSummaryAgreementDecision(_Schema):
    method: Literal["cohen", "fleiss", None] | None
    kappa: float | None
    items: int
    raters: int
    alpha: float | None
    alpha_level: Literal["nominal", "ordinal"]


@dataclass(kw_only=True)
class ReviewSummaryCorrelationsValueValue(_Schema):
    pearson: float | None
    spearman: float | None
    items: int


@dataclass(kw_only=True)
class ReviewSummaryDecisions(_Schema):
    accept: int
    reject: int
    edit: int


@dataclass(kw_only=True)
class ReviewSummaryRatingsValue(_Schema):
    mean: float | None
    count: float


@dataclass(kw_only=True)
class ReviewSummaryTasks(_Schema):
    pending: int
    done: int


@dataclass(kw_only=True)
class ReviewTask(_Schema):
    id: str
    object: Literal["review.task"]
    dataset: str
    row: int
    sample: int
    reviewer: str
    status: Literal["pending", "done"]
    decision: Literal["accept", "reject", "edit", None] | None
    ratings: dict[str, float]
    edited_output: str | None
    comment: str | None
    reviewed_at: int | None
    output: str | None
    variables: dict[str, Any]


@dataclass(kw_only=True)
class ReviewTaskList(_Schema):
    object: Literal["list"]
    data: list[ReviewTask]
    total: int


@dataclass(kw_only=True)
class RubricCriterion(_Schema):
    name: str
    min: int | None = None
    max: int | None = None
    description: str | None = None


@dataclass(kw_only=True)
class Sample(_Schema):
    row: int
    sample: int
    status: Literal["ok", "failed"]
    variant: str | None
    kept: bool | None
    decision: SampleDecision | None
    variables: dict[str, Any]
    columns: dict[str, SampleColumnsValue] | None
    output: str | None
    error: str | None
    attempts: int
    completion_tokens: int
    model: str | None
    model_version: int | None
    model_sha256: str | None


@dataclass(kw_only=True)
class SampleColumnsValue(_Schema):
    value: str
    messages: list[SampleColumnsValueMessagesItem]


@dataclass(kw_only=True)
class SampleColumnsValueMessagesItem(_Schema):
    role: str
    content: str


@dataclass(kw_only=True)
class SampleDecision(_Schema):
    step: int | None
    type: str | None
    reason: str | None
    scores: dict[str, float]


@dataclass(kw_only=True)
class SampleList(_Schema):
    object: Literal["list"]
    data: list[Sample]
    has_more: bool


@dataclass(kw_only=True)
class SeedSet(_Schema):
    id: str
    object: Literal["seed_set"]
    name: str
    format: Literal["jsonl", "csv"]
    rows: int
    columns: list[str]
    created_at: int


@dataclass(kw_only=True)
class Site(_Schema):
    id: str
    object: Literal["site"]
    tenant_id: str
    created_at: int


@dataclass(kw_only=True)
class SiteAppliance(_Schema):
    id: str
    name: str
    enrolled_at: int
    revoked_at: int | None
    status: Literal["online", "offline", "revoked"]
    last_heartbeat: int | None
    protocol: int | None
    version: str | None
    models: list[SiteApplianceModelsItem]
    capacity: int | None
    load: SiteApplianceLoad | None


@dataclass(kw_only=True)
class SiteApplianceLoad(_Schema):
    active: int
    queued: int
    in_flight: int


@dataclass(kw_only=True)
class SiteApplianceModelsItem(_Schema):
    id: str
    contextSize: int


@dataclass(kw_only=True)
class SiteList(_Schema):
    object: Literal["list"]
    data: list[SiteOverview]


@dataclass(kw_only=True)
class SiteOverview(_Schema):
    id: str
    object: Literal["site"]
    owned: bool
    appliances: list[SiteAppliance]


@dataclass(kw_only=True)
class SiteShare(_Schema):
    site_id: str
    tenant_id: str
    object: Literal["site_share"]


@dataclass(kw_only=True)
class Template(_Schema):
    id: str
    object: Literal["template"]
    name: str
    version: int
    system: str | None
    prompt: str
    variables: list[str]
    output_schema: dict[str, Any] | None
    params: dict[str, Any]
    variants: list[TemplateCreateVariantsItem] | None
    columns: list[TemplateCreateColumnsItem] | None
    created_at: int


@dataclass(kw_only=True)
class TemplateCreateColumnsItem(_Schema):
    name: str
    system: str | None = None
    prompt: str
    params: JobCreateParams | None = None


@dataclass(kw_only=True)
class TemplateCreateVariantsItem(_Schema):
    name: str
    weight: float
    system: str | None = None
    prompt: str


@dataclass(kw_only=True)
class TemplateList(_Schema):
    object: Literal["list"]
    data: list[Template]


@dataclass(kw_only=True)
class TemplatePreview(_Schema):
    object: Literal["list"]
    data: list[TemplatePreviewDataItem]


@dataclass(kw_only=True)
class TemplatePreviewDataItem(_Schema):
    row: int
    variant: str | None
    variables: dict[str, Any]
    columns: dict[str, list[SampleColumnsValueMessagesItem]] | None = None
    messages: list[SampleColumnsValueMessagesItem]


@dataclass(kw_only=True)
class TokenResponse(_Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@dataclass(kw_only=True)
class UsageReport(_Schema):
    object: Literal["list"]
    data: list[UsageRow]


@dataclass(kw_only=True)
class UsageRow(_Schema):
    day: str
    model: str
    key_id: str | None
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None


@dataclass(kw_only=True)
class User(_Schema):
    id: str
    object: Literal["user"]
    username: str
    role: Literal["admin", "developer", "viewer"]
    created_at: int
    disabled_at: int | None


@dataclass(kw_only=True)
class UserList(_Schema):
    object: Literal["list"]
    data: list[User]


@dataclass(kw_only=True)
class ValidateOptions(_Schema):
    bleu: ValidateOptionsBleu | None = None
    chrf: ValidateOptionsChrf | None = None
    rouge: ValidateOptionsRouge | None = None
    meteor: ValidateOptionsMeteor | None = None
    distinct: ValidateOptionsDistinct | None = None
    pii: ValidateOptionsPii | None = None
    injection: ValidateOptionsInjection | None = None
    toxicity: ValidateOptionsToxicity | None = None
    perplexity: ValidateOptionsPerplexity | None = None
    similarity: ValidateOptionsSimilarity | None = None
    toxicity_judge: ValidateOptionsToxicityJudge | None = None


@dataclass(kw_only=True)
class ValidateOptionsBleu(_Schema):
    tokenize: Literal["13a", "intl", "char", "none"] | None = None
    lowercase: bool | None = None
    smooth_method: Literal["exp", "floor", "add-k", "none"] | None = None
    smooth_value: float | None = None
    max_ngram_order: int | None = None


@dataclass(kw_only=True)
class ValidateOptionsChrf(_Schema):
    char_order: int | None = None
    word_order: int | None = None
    beta: float | None = None
    lowercase: bool | None = None
    whitespace: bool | None = None
    eps_smoothing: bool | None = None


@dataclass(kw_only=True)
class ValidateOptionsDistinct(_Schema):
    n: list[int] | None = None


@dataclass(kw_only=True)
class ValidateOptionsInjection(_Schema):
    flag_threshold: float | None = None
    block_threshold: float | None = None


@dataclass(kw_only=True)
class ValidateOptionsMeteor(_Schema):
    alpha: float | None = None
    beta: float | None = None
    gamma: float | None = None


@dataclass(kw_only=True)
class ValidateOptionsPerplexity(_Schema):
    model: str | None = None
    token_logprobs: bool | None = None


@dataclass(kw_only=True)
class ValidateOptionsPii(_Schema):
    types: list[Literal["email", "phone", "card", "iban", "ssn", "ipv4", "ipv6", "secret"]] | None = None
    default_country: str | None = None
    mask: bool | None = None


@dataclass(kw_only=True)
class ValidateOptionsRouge(_Schema):
    types: list[str] | None = None
    use_stemmer: bool | None = None


@dataclass(kw_only=True)
class ValidateOptionsSimilarity(_Schema):
    model: str | None = None


@dataclass(kw_only=True)
class ValidateOptionsToxicity(_Schema):
    threshold: float | None = None
    allow: list[str] | None = None


@dataclass(kw_only=True)
class ValidateOptionsToxicityJudge(_Schema):
    model: str | None = None
    threshold: float | None = None


@dataclass(kw_only=True)
class ValidateResponse(_Schema):
    object: Literal["validation"]
    metrics: list[Literal["bleu", "chrf", "rouge", "meteor", "distinct", "readability", "pii", "injection", "toxicity", "perplexity", "similarity", "toxicity_judge"]]
    count: int
    run: str | None = None
    dataset: str | None = None
    results: list[ValidateResponseResultsItem]
    aggregate: dict[str, dict[str, Any]]
    by_model: dict[str, ValidationByModelValue] | None = None


@dataclass(kw_only=True)
class ValidateResponseResultsItem(_Schema):
    index: int
    extra: dict[str, Any] = field(default_factory=dict, metadata={"extra": True})
    """The object's other keys."""


@dataclass(kw_only=True)
class ValidationByModelValue(_Schema):
    samples: int
    aggregate: dict[str, dict[str, Any]]


@dataclass(kw_only=True)
class ValidationRun(_Schema):
    id: str
    object: Literal["validation.run"]
    dataset: str
    metrics: list[str]
    samples: int
    aggregate: dict[str, dict[str, Any]]
    by_model: ValidationRunByModel
    created_at: int
    results: list[ValidationRunResultsItem] | None = None


@dataclass(kw_only=True)
class ValidationRunByModel(_Schema):
    pass


@dataclass(kw_only=True)
class ValidationRunList(_Schema):
    object: Literal["list"]
    data: list[ValidationRun]


@dataclass(kw_only=True)
class ValidationRunResultsItem(_Schema):
    row: int
    sample: int
    extra: dict[str, Any] = field(default_factory=dict, metadata={"extra": True})
    """The object's other keys."""


@dataclass(kw_only=True)
class WindowUsage(_Schema):
    limit: int
    remaining: int
    reset_seconds: float


#: Every generated operation by its method's dotted name on the client.
OPERATIONS: dict[str, Operation] = {
    "admin.audit": Operation("admin.audit", "GET", "/v1/admin/audit", ("appliance", "edge"), "json", result=AuditList),
    "admin.keys.create": Operation("admin.keys.create", "POST", "/v1/admin/keys", ("appliance", "edge"), "json", result=ApiKeyCreated),
    "admin.keys.list": Operation("admin.keys.list", "GET", "/v1/admin/keys", ("appliance", "edge"), "json", result=ApiKeyList),
    "admin.keys.revoke": Operation("admin.keys.revoke", "DELETE", "/v1/admin/keys/{id}", ("appliance", "edge"), "json", result=ApiKey),
    "admin.limits.get_key": Operation("admin.limits.get_key", "GET", "/v1/admin/limits/keys/{id}", ("edge",), "json", result=LimitsReport),
    "admin.limits.get_tenant": Operation("admin.limits.get_tenant", "GET", "/v1/admin/limits/tenant", ("edge",), "json", result=LimitsReport),
    "admin.limits.reset_key": Operation("admin.limits.reset_key", "DELETE", "/v1/admin/limits/keys/{id}", ("edge",), "json", result=LimitsReport),
    "admin.limits.reset_tenant": Operation("admin.limits.reset_tenant", "DELETE", "/v1/admin/limits/tenant", ("edge",), "json", result=LimitsReport),
    "admin.limits.set_key": Operation("admin.limits.set_key", "PUT", "/v1/admin/limits/keys/{id}", ("edge",), "json", result=LimitsReport),
    "admin.limits.set_tenant": Operation("admin.limits.set_tenant", "PUT", "/v1/admin/limits/tenant", ("edge",), "json", result=LimitsReport),
    "admin.provider_keys.delete": Operation("admin.provider_keys.delete", "DELETE", "/v1/admin/provider-keys/{provider}", ("edge",), "json", result=ProviderKey),
    "admin.provider_keys.list": Operation("admin.provider_keys.list", "GET", "/v1/admin/provider-keys", ("edge",), "json", result=ProviderKeyList),
    "admin.provider_keys.put": Operation("admin.provider_keys.put", "PUT", "/v1/admin/provider-keys/{provider}", ("edge",), "json", result=ProviderKey),
    "admin.sites.create": Operation("admin.sites.create", "POST", "/v1/admin/sites", ("edge",), "json", result=Site),
    "admin.sites.issue_enrollment_code": Operation("admin.sites.issue_enrollment_code", "POST", "/v1/admin/sites/{site}/enrollment-codes", ("edge",), "json", result=EnrollmentCode),
    "admin.sites.list": Operation("admin.sites.list", "GET", "/v1/admin/sites", ("edge",), "json", result=SiteList),
    "admin.sites.revoke_appliance": Operation("admin.sites.revoke_appliance", "DELETE", "/v1/admin/sites/{site}/appliances/{appliance}", ("edge",), "json", result=ApplianceRevoked),
    "admin.sites.share": Operation("admin.sites.share", "POST", "/v1/admin/sites/{site}/shares", ("edge",), "json", result=SiteShare),
    "admin.users.create": Operation("admin.users.create", "POST", "/v1/admin/users", ("appliance", "edge"), "json", result=User),
    "admin.users.delete": Operation("admin.users.delete", "DELETE", "/v1/admin/users/{id}", ("appliance", "edge"), "json", result=User),
    "admin.users.disable": Operation("admin.users.disable", "POST", "/v1/admin/users/{id}/disable", ("appliance", "edge"), "json", result=User),
    "admin.users.enable": Operation("admin.users.enable", "POST", "/v1/admin/users/{id}/enable", ("appliance", "edge"), "json", result=User),
    "admin.users.list": Operation("admin.users.list", "GET", "/v1/admin/users", ("appliance", "edge"), "json", result=UserList),
    "admin.users.set_password": Operation("admin.users.set_password", "PUT", "/v1/admin/users/{id}/password", ("appliance", "edge"), "json", result=User),
    "admin.users.update": Operation("admin.users.update", "PATCH", "/v1/admin/users/{id}", ("appliance", "edge"), "json", result=User),
    "auth.logout": Operation("auth.logout", "POST", "/v1/auth/logout", ("edge",), "empty"),
    "auth.refresh": Operation("auth.refresh", "POST", "/v1/auth/refresh", ("edge",), "json", result=TokenResponse),
    "auth.token": Operation("auth.token", "POST", "/v1/auth/token", ("edge",), "json", result=TokenResponse),
    "datasets.delete": Operation("datasets.delete", "DELETE", "/v1/datasets/{id}", ("appliance", "edge"), "json", result=DatasetsDeleteResult),
    "datasets.export": Operation("datasets.export", "GET", "/v1/datasets/{id}/export", ("appliance", "edge"), "bytes"),
    "datasets.list": Operation("datasets.list", "GET", "/v1/datasets", ("appliance", "edge"), "json", result=DatasetList),
    "datasets.samples": Operation("datasets.samples", "GET", "/v1/datasets/{id}/samples", ("appliance", "edge"), "json", result=SampleList),
    "health": Operation("health", "GET", "/health", ("appliance", "edge"), "json", result=Health),
    "jobs.cancel": Operation("jobs.cancel", "POST", "/v1/jobs/{id}/cancel", ("appliance", "edge"), "json", result=Job),
    "jobs.create": Operation("jobs.create", "POST", "/v1/jobs", ("appliance", "edge"), "json", result=Job),
    "jobs.estimate": Operation("jobs.estimate", "POST", "/v1/jobs/estimate", ("appliance", "edge"), "json", result=JobEstimate),
    "jobs.get": Operation("jobs.get", "GET", "/v1/jobs/{id}", ("appliance", "edge"), "json", result=Job),
    "jobs.list": Operation("jobs.list", "GET", "/v1/jobs", ("appliance", "edge"), "json", result=JobList),
    "jobs.pause": Operation("jobs.pause", "POST", "/v1/jobs/{id}/pause", ("appliance", "edge"), "json", result=Job),
    "jobs.resume": Operation("jobs.resume", "POST", "/v1/jobs/{id}/resume", ("appliance", "edge"), "json", result=Job),
    "jobs.samples": Operation("jobs.samples", "GET", "/v1/jobs/{id}/samples", ("appliance", "edge"), "json", result=SampleList),
    "jobs.watch": Operation("jobs.watch", "GET", "/v1/jobs/{id}/events", ("appliance", "edge"), "events", result=Job),
    "models.list": Operation("models.list", "GET", "/v1/models", ("appliance", "edge"), "json", result=ModelList),
    "models.retrieve": Operation("models.retrieve", "GET", "/v1/models/{model}", ("appliance", "edge"), "json", result=Model),
    "review.assign": Operation("review.assign", "POST", "/v1/datasets/{id}/review/assign", ("appliance",), "json", result=ReviewAssignResponse),
    "review.export": Operation("review.export", "GET", "/v1/datasets/{id}/review/export", ("appliance",), "text"),
    "review.import_": Operation("review.import_", "POST", "/v1/datasets/{id}/review/import", ("appliance",), "json", result=ReviewImportResponse, content_type="application/x-ndjson"),
    "review.submit": Operation("review.submit", "POST", "/v1/datasets/{id}/review/tasks/{task}", ("appliance",), "json", result=ReviewTask),
    "review.summary": Operation("review.summary", "GET", "/v1/datasets/{id}/review/summary", ("appliance",), "json", result=ReviewSummary),
    "review.tasks": Operation("review.tasks", "GET", "/v1/datasets/{id}/review/tasks", ("appliance",), "json", result=ReviewTaskList),
    "seed_rows.upload": Operation("seed_rows.upload", "POST", "/v1/seed-rows", ("appliance", "edge"), "json", result=SeedSet, content_type="application/x-ndjson"),
    "templates.create": Operation("templates.create", "POST", "/v1/templates", ("appliance", "edge"), "json", result=Template),
    "templates.list": Operation("templates.list", "GET", "/v1/templates", ("appliance", "edge"), "json", result=TemplateList),
    "templates.preview": Operation("templates.preview", "POST", "/v1/templates/{name}/preview", ("appliance", "edge"), "json", result=TemplatePreview),
    "templates.versions": Operation("templates.versions", "GET", "/v1/templates/{name}/versions", ("appliance", "edge"), "json", result=TemplateList),
    "usage": Operation("usage", "GET", "/v1/usage", ("appliance", "edge"), "json", result=UsageReport),
    "validation.get": Operation("validation.get", "GET", "/v1/datasets/{id}/validations/{run}", ("appliance",), "json", result=ValidationRun),
    "validation.run": Operation("validation.run", "POST", "/v1/validate", ("appliance",), "json", result=ValidateResponse),
    "validation.runs": Operation("validation.runs", "GET", "/v1/datasets/{id}/validations", ("appliance",), "json", result=ValidationRunList),
}


class AdminKeysApi(SyncResource):
    """The client's `admin.keys`."""

    def create(
        self,
        *,
        name: str,
        scopes: list[str] | None = None,
        expires_in_days: int | None = None,
    ) -> ApiKeyCreated:
        """Create an API key.

        `POST /v1/admin/keys`, served by the appliance and the edge.
        """
        return self._call(
            "admin.keys.create",
            body={
                "name": name,
                "scopes": scopes,
                "expires_in_days": expires_in_days,
            },
        )

    def list(self) -> ApiKeyList:
        """List API keys.

        `GET /v1/admin/keys`, served by the appliance and the edge.
        """
        return self._call("admin.keys.list")

    def revoke(self, id: str) -> ApiKey:
        """Revoke an API key.

        `DELETE /v1/admin/keys/{id}`, served by the appliance and the edge.
        """
        return self._call("admin.keys.revoke", path={"id": id})


class AdminLimitsApi(SyncResource):
    """The client's `admin.limits`."""

    def get_key(self, id: str) -> LimitsReport:
        """Rate limits, budgets and usage of one API key.

        `GET /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return self._call("admin.limits.get_key", path={"id": id})

    def get_tenant(self) -> LimitsReport:
        """Rate limits, budgets and usage of the caller's tenant.

        `GET /v1/admin/limits/tenant`, served by the edge only.
        """
        return self._call("admin.limits.get_tenant")

    def reset_key(self, id: str) -> LimitsReport:
        """Put one API key back on the plan's per-key limits.

        `DELETE /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return self._call("admin.limits.reset_key", path={"id": id})

    def reset_tenant(self) -> LimitsReport:
        """Put the tenant back on its plan's limits.

        `DELETE /v1/admin/limits/tenant`, served by the edge only.
        """
        return self._call("admin.limits.reset_tenant")

    def set_key(
        self,
        id: str,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        monthly_tokens: int | None = None,
        monthly_cost_usd: float | None = None,
    ) -> LimitsReport:
        """Tighten one API key's rate limits and budgets.

        `PUT /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return self._call(
            "admin.limits.set_key",
            path={"id": id},
            body={
                "requests_per_minute": requests_per_minute,
                "tokens_per_minute": tokens_per_minute,
                "monthly_tokens": monthly_tokens,
                "monthly_cost_usd": monthly_cost_usd,
            },
        )

    def set_tenant(
        self,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        monthly_tokens: int | None = None,
        monthly_cost_usd: float | None = None,
    ) -> LimitsReport:
        """Tighten the tenant's rate limits and budgets.

        `PUT /v1/admin/limits/tenant`, served by the edge only.
        """
        return self._call(
            "admin.limits.set_tenant",
            body={
                "requests_per_minute": requests_per_minute,
                "tokens_per_minute": tokens_per_minute,
                "monthly_tokens": monthly_tokens,
                "monthly_cost_usd": monthly_cost_usd,
            },
        )


class AdminProviderKeysApi(SyncResource):
    """The client's `admin.provider_keys`."""

    def delete(self, provider: str) -> ProviderKey:
        """Remove the tenant's key for a provider.

        `DELETE /v1/admin/provider-keys/{provider}`, served by the edge only.
        """
        return self._call("admin.provider_keys.delete", path={"provider": provider})

    def list(self) -> ProviderKeyList:
        """List the tenant's provider keys.

        `GET /v1/admin/provider-keys`, served by the edge only.
        """
        return self._call("admin.provider_keys.list")

    def put(self, provider: str, *, api_key: str) -> ProviderKey:
        """Set the tenant's key for a provider.

        `PUT /v1/admin/provider-keys/{provider}`, served by the edge only.
        """
        return self._call(
            "admin.provider_keys.put",
            path={"provider": provider},
            body={"api_key": api_key},
        )


class AdminSitesApi(SyncResource):
    """The client's `admin.sites`."""

    def create(self, *, id: str) -> Site:
        """Create a site.

        `POST /v1/admin/sites`, served by the edge only.
        """
        return self._call("admin.sites.create", body={"id": id})

    def issue_enrollment_code(
        self,
        site: str,
        *,
        expires_in_seconds: int | None = None,
    ) -> EnrollmentCode:
        """Issue a one-time enrollment code.

        `POST /v1/admin/sites/{site}/enrollment-codes`, served by the edge only.
        """
        return self._call(
            "admin.sites.issue_enrollment_code",
            path={"site": site},
            body={"expires_in_seconds": expires_in_seconds},
        )

    def list(self) -> SiteList:
        """List sites and their appliances.

        `GET /v1/admin/sites`, served by the edge only.
        """
        return self._call("admin.sites.list")

    def revoke_appliance(self, site: str, appliance: str) -> ApplianceRevoked:
        """Revoke an appliance.

        `DELETE /v1/admin/sites/{site}/appliances/{appliance}`, served by the edge only.
        """
        return self._call(
            "admin.sites.revoke_appliance",
            path={"site": site, "appliance": appliance},
        )

    def share(self, site: str, *, tenant_id: str) -> SiteShare:
        """Share a site with another tenant.

        `POST /v1/admin/sites/{site}/shares`, served by the edge only.
        """
        return self._call(
            "admin.sites.share",
            path={"site": site},
            body={"tenant_id": tenant_id},
        )


class AdminUsersApi(SyncResource):
    """The client's `admin.users`."""

    def create(
        self,
        *,
        username: str,
        password: str,
        role: Literal["admin", "developer", "viewer"],
    ) -> User:
        """Create a user.

        `POST /v1/admin/users`, served by the appliance and the edge.
        """
        return self._call(
            "admin.users.create",
            body={"username": username, "password": password, "role": role},
        )

    def delete(self, id: str) -> User:
        """Delete a user.

        `DELETE /v1/admin/users/{id}`, served by the appliance and the edge.
        """
        return self._call("admin.users.delete", path={"id": id})

    def disable(self, id: str) -> User:
        """Disable a user.

        `POST /v1/admin/users/{id}/disable`, served by the appliance and the edge.
        """
        return self._call("admin.users.disable", path={"id": id})

    def enable(self, id: str) -> User:
        """Enable a user.

        `POST /v1/admin/users/{id}/enable`, served by the appliance and the edge.
        """
        return self._call("admin.users.enable", path={"id": id})

    def list(self) -> UserList:
        """List users.

        `GET /v1/admin/users`, served by the appliance and the edge.
        """
        return self._call("admin.users.list")

    def set_password(self, id: str, *, password: str) -> User:
        """Reset a user's password.

        `PUT /v1/admin/users/{id}/password`, served by the appliance and the edge.
        """
        return self._call(
            "admin.users.set_password",
            path={"id": id},
            body={"password": password},
        )

    def update(self, id: str, *, role: Literal["admin", "developer", "viewer"]) -> User:
        """Change a user's role.

        `PATCH /v1/admin/users/{id}`, served by the appliance and the edge.
        """
        return self._call("admin.users.update", path={"id": id}, body={"role": role})


class AdminApi(SyncResource):
    """The client's `admin`."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.keys: AdminKeysApi = AdminKeysApi(transport)
        self.limits: AdminLimitsApi = AdminLimitsApi(transport)
        self.provider_keys: AdminProviderKeysApi = AdminProviderKeysApi(transport)
        self.sites: AdminSitesApi = AdminSitesApi(transport)
        self.users: AdminUsersApi = AdminUsersApi(transport)

    def audit(
        self,
        *,
        action: str | None = None,
        actor: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AuditList:
        """Audit log.

        `GET /v1/admin/audit`, served by the appliance and the edge.
        """
        return self._call(
            "admin.audit",
            query={
                "action": action,
                "actor": actor,
                "from": from_,
                "to": to,
                "limit": limit,
                "cursor": cursor,
            },
        )


class AuthApi(SyncResource):
    """The client's `auth`."""

    def logout(self, *, refresh_token: str) -> None:
        """Sign out (revoke the refresh token family)

        `POST /v1/auth/logout`, served by the edge only.
        """
        return self._call("auth.logout", body={"refresh_token": refresh_token})

    def refresh(self, *, refresh_token: str) -> TokenResponse:
        """Rotate a refresh token.

        `POST /v1/auth/refresh`, served by the edge only.
        """
        return self._call("auth.refresh", body={"refresh_token": refresh_token})

    def token(self, *, tenant: str, username: str, password: str) -> TokenResponse:
        """Sign in.

        `POST /v1/auth/token`, served by the edge only.
        """
        return self._call(
            "auth.token",
            body={
                "tenant": tenant,
                "username": username,
                "password": password,
            },
        )


class DatasetsApi(SyncResource):
    """The client's `datasets`."""

    def delete(self, id: str) -> DatasetsDeleteResult:
        """Delete a dataset: its job, rows, samples and decisions.

        `DELETE /v1/datasets/{id}`, served by the appliance and the edge.
        """
        return self._call("datasets.delete", path={"id": id})

    def export(
        self,
        id: str,
        *,
        format: Literal["jsonl", "csv", "chat", "parquet"] | None = None,
        include: Literal["kept", "all"] | None = None,
    ) -> bytes:
        """Export as JSONL, CSV, chat fine-tuning JSONL or Parquet (streamed)

        `GET /v1/datasets/{id}/export`, served by the appliance and the edge.
        """
        return self._call(
            "datasets.export",
            path={"id": id},
            query={"format": format, "include": include},
        )

    def list(self) -> DatasetList:
        """Datasets: the samples of finished jobs.

        `GET /v1/datasets`, served by the appliance and the edge.
        """
        return self._call("datasets.list")

    def samples(
        self,
        id: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
        status: Literal["ok", "failed"] | None = None,
        kept: bool | None = None,
    ) -> SampleList:
        """Browse a dataset's samples (paging; filter by status and kept)

        `GET /v1/datasets/{id}/samples`, served by the appliance and the edge.
        """
        return self._call(
            "datasets.samples",
            path={"id": id},
            query={
                "offset": offset,
                "limit": limit,
                "status": status,
                "kept": kept,
            },
        )


class JobsApi(SyncResource):
    """The client's `jobs`."""

    def cancel(self, id: str) -> Job:
        """Cancel a job (committed samples stay)

        `POST /v1/jobs/{id}/cancel`, served by the appliance and the edge.
        """
        return self._call("jobs.cancel", path={"id": id})

    def create(
        self,
        *,
        template: str,
        template_version: int | None = None,
        model: str | None = None,
        models: list[str] | None = None,
        rows: list[dict[str, Any]] | None = None,
        seed_set: str | None = None,
        row_count: int | None = None,
        samples_per_row: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        params: JobCreateParams | None = None,
        concurrency: int | None = None,
        steps: list[JobCreateStepsItemDedup | JobCreateStepsItemFilter | JobCreateStepsItemJudge] | None = None,
        seed: int | None = None,
    ) -> Job:
        """Start a batch generation job.

        `POST /v1/jobs`, served by the appliance and the edge.
        """
        return self._call(
            "jobs.create",
            body={
                "template": template,
                "template_version": template_version,
                "model": model,
                "models": models,
                "rows": rows,
                "seed_set": seed_set,
                "row_count": row_count,
                "samples_per_row": samples_per_row,
                "samplers": samplers,
                "params": params,
                "concurrency": concurrency,
                "steps": steps,
                "seed": seed,
            },
        )

    def estimate(
        self,
        *,
        template: str,
        template_version: int | None = None,
        model: str | None = None,
        models: list[str] | None = None,
        rows: list[dict[str, Any]] | None = None,
        seed_set: str | None = None,
        row_count: int | None = None,
        samples_per_row: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        params: JobCreateParams | None = None,
        concurrency: int | None = None,
        steps: list[JobCreateStepsItemDedup | JobCreateStepsItemFilter | JobCreateStepsItemJudge] | None = None,
        seed: int | None = None,
    ) -> JobEstimate:
        """Tokens and time a job would take, without running it.

        `POST /v1/jobs/estimate`, served by the appliance and the edge.
        """
        return self._call(
            "jobs.estimate",
            body={
                "template": template,
                "template_version": template_version,
                "model": model,
                "models": models,
                "rows": rows,
                "seed_set": seed_set,
                "row_count": row_count,
                "samples_per_row": samples_per_row,
                "samplers": samplers,
                "params": params,
                "concurrency": concurrency,
                "steps": steps,
                "seed": seed,
            },
        )

    def get(self, id: str) -> Job:
        """A job and its progress.

        `GET /v1/jobs/{id}`, served by the appliance and the edge.
        """
        return self._call("jobs.get", path={"id": id})

    def list(self) -> JobList:
        """Recent jobs.

        `GET /v1/jobs`, served by the appliance and the edge.
        """
        return self._call("jobs.list")

    def pause(self, id: str) -> Job:
        """Pause a job (committed samples stay; resume continues it)

        `POST /v1/jobs/{id}/pause`, served by the appliance and the edge.
        """
        return self._call("jobs.pause", path={"id": id})

    def resume(self, id: str) -> Job:
        """Resume a cancelled or failed job: only missing samples are generated.

        `POST /v1/jobs/{id}/resume`, served by the appliance and the edge.
        """
        return self._call("jobs.resume", path={"id": id})

    def samples(
        self,
        id: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
        status: Literal["ok", "failed"] | None = None,
        kept: bool | None = None,
    ) -> SampleList:
        """A page of a job's samples in key order.

        `GET /v1/jobs/{id}/samples`, served by the appliance and the edge.
        """
        return self._call(
            "jobs.samples",
            path={"id": id},
            query={
                "offset": offset,
                "limit": limit,
                "status": status,
                "kept": kept,
            },
        )

    def watch(self, id: str) -> Iterator[Job]:
        """Progress as server-sent events until the job ends.

        `GET /v1/jobs/{id}/events`, served by the appliance and the edge.
        """
        return self._events("jobs.watch", path={"id": id})


class ModelsApi(SyncResource):
    """The client's `models`."""

    def list(self) -> ModelList:
        """List models.

        `GET /v1/models`, served by the appliance and the edge.
        """
        return self._call("models.list")

    def retrieve(self, model: str) -> Model:
        """Retrieve a model.

        `GET /v1/models/{model}`, served by the appliance and the edge.
        """
        return self._call("models.retrieve", path={"model": model})


class ReviewApi(SyncResource):
    """The client's `review`."""

    def assign(
        self,
        id: str,
        *,
        reviewers: list[str],
        reviewers_per_sample: int | None = None,
        samples: list[ReviewAssignRequestSamplesItem] | None = None,
        rubric: list[RubricCriterion] | None = None,
    ) -> ReviewAssignResponse:
        """Assign a dataset's samples to reviewers (appliance users), several per sample.

        `POST /v1/datasets/{id}/review/assign`, served by the appliance only.
        """
        return self._call(
            "review.assign",
            path={"id": id},
            body={
                "reviewers": reviewers,
                "reviewers_per_sample": reviewers_per_sample,
                "samples": samples,
                "rubric": rubric,
            },
        )

    def export(self, id: str) -> str:
        """Review tasks as JSONL (one task per line, with the sample for context)

        `GET /v1/datasets/{id}/review/export`, served by the appliance only.
        """
        return self._call("review.export", path={"id": id})

    def import_(self, id: str, content: str | bytes | Iterable[bytes]) -> ReviewImportResponse:
        """Import review tasks and verdicts from JSONL (matched by row, sample, reviewer)

        `POST /v1/datasets/{id}/review/import`, served by the appliance only.
        """
        return self._call("review.import_", path={"id": id}, content=content)

    def submit(
        self,
        id: str,
        task: str,
        *,
        reviewer: str,
        decision: Literal["accept", "reject", "edit"],
        edited_output: str | None = None,
        ratings: dict[str, int] | None = None,
        comment: str | None = None,
    ) -> ReviewTask:
        """Accept, reject or edit a sample and rate it on the rubric.

        `POST /v1/datasets/{id}/review/tasks/{task}`, served by the appliance only.
        """
        return self._call(
            "review.submit",
            path={"id": id, "task": task},
            body={
                "reviewer": reviewer,
                "decision": decision,
                "edited_output": edited_output,
                "ratings": ratings,
                "comment": comment,
            },
        )

    def summary(self, id: str) -> ReviewSummary:
        """Decisions, mean ratings, inter-annotator agreement and metric correlations.

        `GET /v1/datasets/{id}/review/summary`, served by the appliance only.
        """
        return self._call("review.summary", path={"id": id})

    def tasks(
        self,
        id: str,
        *,
        reviewer: str | None = None,
        status: Literal["pending", "done"] | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> ReviewTaskList:
        """A dataset's review tasks, by reviewer and status.

        `GET /v1/datasets/{id}/review/tasks`, served by the appliance only.
        """
        return self._call(
            "review.tasks",
            path={"id": id},
            query={
                "reviewer": reviewer,
                "status": status,
                "offset": offset,
                "limit": limit,
            },
        )


class SeedRowsApi(SyncResource):
    """The client's `seed_rows`."""

    def upload(
        self,
        content: str | bytes | Iterable[bytes],
        *,
        name: str,
        format: Literal["jsonl", "csv"] | None = None,
    ) -> SeedSet:
        """Upload seed rows (JSONL or CSV, streamed; its own size limit) for jobs to use.

        Send the file as the raw body (`application/x-ndjson` or `text/csv`, or `?format=`).

        `POST /v1/seed-rows`, served by the appliance and the edge.
        """
        return self._call(
            "seed_rows.upload",
            query={"name": name, "format": format},
            content=content,
        )


class TemplatesApi(SyncResource):
    """The client's `templates`."""

    def create(
        self,
        *,
        name: str,
        prompt: str,
        system: str | None = None,
        output_schema: dict[str, Any] | None = None,
        params: JobCreateParams | None = None,
        variants: list[TemplateCreateVariantsItem] | None = None,
        columns: list[TemplateCreateColumnsItem] | None = None,
    ) -> Template:
        """Create a template, or the next version of one.

        `POST /v1/templates`, served by the appliance and the edge.
        """
        return self._call(
            "templates.create",
            body={
                "name": name,
                "prompt": prompt,
                "system": system,
                "output_schema": output_schema,
                "params": params,
                "variants": variants,
                "columns": columns,
            },
        )

    def list(self) -> TemplateList:
        """Latest version of each template.

        `GET /v1/templates`, served by the appliance and the edge.
        """
        return self._call("templates.list")

    def preview(
        self,
        name: str,
        *,
        version: int | None = None,
        rows: list[dict[str, Any]] | None = None,
        count: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        seed: int | None = None,
    ) -> TemplatePreview:
        """Render prompts without generating.

        `POST /v1/templates/{name}/preview`, served by the appliance and the edge.
        """
        return self._call(
            "templates.preview",
            path={"name": name},
            body={
                "version": version,
                "rows": rows,
                "count": count,
                "samplers": samplers,
                "seed": seed,
            },
        )

    def versions(self, name: str) -> TemplateList:
        """Every version of a template, newest first.

        `GET /v1/templates/{name}/versions`, served by the appliance and the edge.
        """
        return self._call("templates.versions", path={"name": name})


class ValidationApi(SyncResource):
    """The client's `validation`."""

    def get(self, id: str, run: str) -> ValidationRun:
        """One recorded validation run with each sample's figures.

        `GET /v1/datasets/{id}/validations/{run}`, served by the appliance only.
        """
        return self._call("validation.get", path={"id": id, "run": run})

    def run(
        self,
        *,
        metrics: list[Literal["bleu", "chrf", "rouge", "meteor", "distinct", "readability", "pii", "injection", "toxicity", "perplexity", "similarity", "toxicity_judge"]],
        hypotheses: list[str] | None = None,
        dataset: str | None = None,
        references: list[list[str]] | None = None,
        options: ValidateOptions | None = None,
    ) -> ValidateResponse:
        """Score texts: reference metrics (BLEU, chrF, ROUGE, METEOR), diversity, readability, guards.

        `POST /v1/validate`, served by the appliance only.
        """
        return self._call(
            "validation.run",
            body={
                "metrics": metrics,
                "hypotheses": hypotheses,
                "dataset": dataset,
                "references": references,
                "options": options,
            },
        )

    def runs(self, id: str) -> ValidationRunList:
        """A dataset's recorded validation runs (dataset-level figures), newest first.

        `GET /v1/datasets/{id}/validations`, served by the appliance only.
        """
        return self._call("validation.runs", path={"id": id})


class ClientApi(SyncResource):
    """The client's every operation."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.admin: AdminApi = AdminApi(transport)
        self.auth: AuthApi = AuthApi(transport)
        self.datasets: DatasetsApi = DatasetsApi(transport)
        self.jobs: JobsApi = JobsApi(transport)
        self.models: ModelsApi = ModelsApi(transport)
        self.review: ReviewApi = ReviewApi(transport)
        self.seed_rows: SeedRowsApi = SeedRowsApi(transport)
        self.templates: TemplatesApi = TemplatesApi(transport)
        self.validation: ValidationApi = ValidationApi(transport)

    def health(self) -> Health:
        """Liveness.

        `GET /health`, served by the appliance and the edge.
        """
        return self._call("health")

    def usage(self, *, from_: str | None = None, to: str | None = None) -> UsageReport:
        """Usage by day, model and key.

        `GET /v1/usage`, served by the appliance and the edge.
        """
        return self._call("usage", query={"from": from_, "to": to})


class AsyncAdminKeysApi(AsyncResource):
    """The async client's `admin.keys`."""

    async def create(
        self,
        *,
        name: str,
        scopes: list[str] | None = None,
        expires_in_days: int | None = None,
    ) -> ApiKeyCreated:
        """Create an API key.

        `POST /v1/admin/keys`, served by the appliance and the edge.
        """
        return await self._call(
            "admin.keys.create",
            body={
                "name": name,
                "scopes": scopes,
                "expires_in_days": expires_in_days,
            },
        )

    async def list(self) -> ApiKeyList:
        """List API keys.

        `GET /v1/admin/keys`, served by the appliance and the edge.
        """
        return await self._call("admin.keys.list")

    async def revoke(self, id: str) -> ApiKey:
        """Revoke an API key.

        `DELETE /v1/admin/keys/{id}`, served by the appliance and the edge.
        """
        return await self._call("admin.keys.revoke", path={"id": id})


class AsyncAdminLimitsApi(AsyncResource):
    """The async client's `admin.limits`."""

    async def get_key(self, id: str) -> LimitsReport:
        """Rate limits, budgets and usage of one API key.

        `GET /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return await self._call("admin.limits.get_key", path={"id": id})

    async def get_tenant(self) -> LimitsReport:
        """Rate limits, budgets and usage of the caller's tenant.

        `GET /v1/admin/limits/tenant`, served by the edge only.
        """
        return await self._call("admin.limits.get_tenant")

    async def reset_key(self, id: str) -> LimitsReport:
        """Put one API key back on the plan's per-key limits.

        `DELETE /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return await self._call("admin.limits.reset_key", path={"id": id})

    async def reset_tenant(self) -> LimitsReport:
        """Put the tenant back on its plan's limits.

        `DELETE /v1/admin/limits/tenant`, served by the edge only.
        """
        return await self._call("admin.limits.reset_tenant")

    async def set_key(
        self,
        id: str,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        monthly_tokens: int | None = None,
        monthly_cost_usd: float | None = None,
    ) -> LimitsReport:
        """Tighten one API key's rate limits and budgets.

        `PUT /v1/admin/limits/keys/{id}`, served by the edge only.
        """
        return await self._call(
            "admin.limits.set_key",
            path={"id": id},
            body={
                "requests_per_minute": requests_per_minute,
                "tokens_per_minute": tokens_per_minute,
                "monthly_tokens": monthly_tokens,
                "monthly_cost_usd": monthly_cost_usd,
            },
        )

    async def set_tenant(
        self,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        monthly_tokens: int | None = None,
        monthly_cost_usd: float | None = None,
    ) -> LimitsReport:
        """Tighten the tenant's rate limits and budgets.

        `PUT /v1/admin/limits/tenant`, served by the edge only.
        """
        return await self._call(
            "admin.limits.set_tenant",
            body={
                "requests_per_minute": requests_per_minute,
                "tokens_per_minute": tokens_per_minute,
                "monthly_tokens": monthly_tokens,
                "monthly_cost_usd": monthly_cost_usd,
            },
        )


class AsyncAdminProviderKeysApi(AsyncResource):
    """The async client's `admin.provider_keys`."""

    async def delete(self, provider: str) -> ProviderKey:
        """Remove the tenant's key for a provider.

        `DELETE /v1/admin/provider-keys/{provider}`, served by the edge only.
        """
        return await self._call("admin.provider_keys.delete", path={"provider": provider})

    async def list(self) -> ProviderKeyList:
        """List the tenant's provider keys.

        `GET /v1/admin/provider-keys`, served by the edge only.
        """
        return await self._call("admin.provider_keys.list")

    async def put(self, provider: str, *, api_key: str) -> ProviderKey:
        """Set the tenant's key for a provider.

        `PUT /v1/admin/provider-keys/{provider}`, served by the edge only.
        """
        return await self._call(
            "admin.provider_keys.put",
            path={"provider": provider},
            body={"api_key": api_key},
        )


class AsyncAdminSitesApi(AsyncResource):
    """The async client's `admin.sites`."""

    async def create(self, *, id: str) -> Site:
        """Create a site.

        `POST /v1/admin/sites`, served by the edge only.
        """
        return await self._call("admin.sites.create", body={"id": id})

    async def issue_enrollment_code(
        self,
        site: str,
        *,
        expires_in_seconds: int | None = None,
    ) -> EnrollmentCode:
        """Issue a one-time enrollment code.

        `POST /v1/admin/sites/{site}/enrollment-codes`, served by the edge only.
        """
        return await self._call(
            "admin.sites.issue_enrollment_code",
            path={"site": site},
            body={"expires_in_seconds": expires_in_seconds},
        )

    async def list(self) -> SiteList:
        """List sites and their appliances.

        `GET /v1/admin/sites`, served by the edge only.
        """
        return await self._call("admin.sites.list")

    async def revoke_appliance(self, site: str, appliance: str) -> ApplianceRevoked:
        """Revoke an appliance.

        `DELETE /v1/admin/sites/{site}/appliances/{appliance}`, served by the edge only.
        """
        return await self._call(
            "admin.sites.revoke_appliance",
            path={"site": site, "appliance": appliance},
        )

    async def share(self, site: str, *, tenant_id: str) -> SiteShare:
        """Share a site with another tenant.

        `POST /v1/admin/sites/{site}/shares`, served by the edge only.
        """
        return await self._call(
            "admin.sites.share",
            path={"site": site},
            body={"tenant_id": tenant_id},
        )


class AsyncAdminUsersApi(AsyncResource):
    """The async client's `admin.users`."""

    async def create(
        self,
        *,
        username: str,
        password: str,
        role: Literal["admin", "developer", "viewer"],
    ) -> User:
        """Create a user.

        `POST /v1/admin/users`, served by the appliance and the edge.
        """
        return await self._call(
            "admin.users.create",
            body={"username": username, "password": password, "role": role},
        )

    async def delete(self, id: str) -> User:
        """Delete a user.

        `DELETE /v1/admin/users/{id}`, served by the appliance and the edge.
        """
        return await self._call("admin.users.delete", path={"id": id})

    async def disable(self, id: str) -> User:
        """Disable a user.

        `POST /v1/admin/users/{id}/disable`, served by the appliance and the edge.
        """
        return await self._call("admin.users.disable", path={"id": id})

    async def enable(self, id: str) -> User:
        """Enable a user.

        `POST /v1/admin/users/{id}/enable`, served by the appliance and the edge.
        """
        return await self._call("admin.users.enable", path={"id": id})

    async def list(self) -> UserList:
        """List users.

        `GET /v1/admin/users`, served by the appliance and the edge.
        """
        return await self._call("admin.users.list")

    async def set_password(self, id: str, *, password: str) -> User:
        """Reset a user's password.

        `PUT /v1/admin/users/{id}/password`, served by the appliance and the edge.
        """
        return await self._call(
            "admin.users.set_password",
            path={"id": id},
            body={"password": password},
        )

    async def update(self, id: str, *, role: Literal["admin", "developer", "viewer"]) -> User:
        """Change a user's role.

        `PATCH /v1/admin/users/{id}`, served by the appliance and the edge.
        """
        return await self._call("admin.users.update", path={"id": id}, body={"role": role})


class AsyncAdminApi(AsyncResource):
    """The async client's `admin`."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.keys: AsyncAdminKeysApi = AsyncAdminKeysApi(transport)
        self.limits: AsyncAdminLimitsApi = AsyncAdminLimitsApi(transport)
        self.provider_keys: AsyncAdminProviderKeysApi = AsyncAdminProviderKeysApi(transport)
        self.sites: AsyncAdminSitesApi = AsyncAdminSitesApi(transport)
        self.users: AsyncAdminUsersApi = AsyncAdminUsersApi(transport)

    async def audit(
        self,
        *,
        action: str | None = None,
        actor: str | None = None,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AuditList:
        """Audit log.

        `GET /v1/admin/audit`, served by the appliance and the edge.
        """
        return await self._call(
            "admin.audit",
            query={
                "action": action,
                "actor": actor,
                "from": from_,
                "to": to,
                "limit": limit,
                "cursor": cursor,
            },
        )


class AsyncAuthApi(AsyncResource):
    """The async client's `auth`."""

    async def logout(self, *, refresh_token: str) -> None:
        """Sign out (revoke the refresh token family)

        `POST /v1/auth/logout`, served by the edge only.
        """
        return await self._call("auth.logout", body={"refresh_token": refresh_token})

    async def refresh(self, *, refresh_token: str) -> TokenResponse:
        """Rotate a refresh token.

        `POST /v1/auth/refresh`, served by the edge only.
        """
        return await self._call("auth.refresh", body={"refresh_token": refresh_token})

    async def token(self, *, tenant: str, username: str, password: str) -> TokenResponse:
        """Sign in.

        `POST /v1/auth/token`, served by the edge only.
        """
        return await self._call(
            "auth.token",
            body={
                "tenant": tenant,
                "username": username,
                "password": password,
            },
        )


class AsyncDatasetsApi(AsyncResource):
    """The async client's `datasets`."""

    async def delete(self, id: str) -> DatasetsDeleteResult:
        """Delete a dataset: its job, rows, samples and decisions.

        `DELETE /v1/datasets/{id}`, served by the appliance and the edge.
        """
        return await self._call("datasets.delete", path={"id": id})

    async def export(
        self,
        id: str,
        *,
        format: Literal["jsonl", "csv", "chat", "parquet"] | None = None,
        include: Literal["kept", "all"] | None = None,
    ) -> bytes:
        """Export as JSONL, CSV, chat fine-tuning JSONL or Parquet (streamed)

        `GET /v1/datasets/{id}/export`, served by the appliance and the edge.
        """
        return await self._call(
            "datasets.export",
            path={"id": id},
            query={"format": format, "include": include},
        )

    async def list(self) -> DatasetList:
        """Datasets: the samples of finished jobs.

        `GET /v1/datasets`, served by the appliance and the edge.
        """
        return await self._call("datasets.list")

    async def samples(
        self,
        id: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
        status: Literal["ok", "failed"] | None = None,
        kept: bool | None = None,
    ) -> SampleList:
        """Browse a dataset's samples (paging; filter by status and kept)

        `GET /v1/datasets/{id}/samples`, served by the appliance and the edge.
        """
        return await self._call(
            "datasets.samples",
            path={"id": id},
            query={
                "offset": offset,
                "limit": limit,
                "status": status,
                "kept": kept,
            },
        )


class AsyncJobsApi(AsyncResource):
    """The async client's `jobs`."""

    async def cancel(self, id: str) -> Job:
        """Cancel a job (committed samples stay)

        `POST /v1/jobs/{id}/cancel`, served by the appliance and the edge.
        """
        return await self._call("jobs.cancel", path={"id": id})

    async def create(
        self,
        *,
        template: str,
        template_version: int | None = None,
        model: str | None = None,
        models: list[str] | None = None,
        rows: list[dict[str, Any]] | None = None,
        seed_set: str | None = None,
        row_count: int | None = None,
        samples_per_row: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        params: JobCreateParams | None = None,
        concurrency: int | None = None,
        steps: list[JobCreateStepsItemDedup | JobCreateStepsItemFilter | JobCreateStepsItemJudge] | None = None,
        seed: int | None = None,
    ) -> Job:
        """Start a batch generation job.

        `POST /v1/jobs`, served by the appliance and the edge.
        """
        return await self._call(
            "jobs.create",
            body={
                "template": template,
                "template_version": template_version,
                "model": model,
                "models": models,
                "rows": rows,
                "seed_set": seed_set,
                "row_count": row_count,
                "samples_per_row": samples_per_row,
                "samplers": samplers,
                "params": params,
                "concurrency": concurrency,
                "steps": steps,
                "seed": seed,
            },
        )

    async def estimate(
        self,
        *,
        template: str,
        template_version: int | None = None,
        model: str | None = None,
        models: list[str] | None = None,
        rows: list[dict[str, Any]] | None = None,
        seed_set: str | None = None,
        row_count: int | None = None,
        samples_per_row: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        params: JobCreateParams | None = None,
        concurrency: int | None = None,
        steps: list[JobCreateStepsItemDedup | JobCreateStepsItemFilter | JobCreateStepsItemJudge] | None = None,
        seed: int | None = None,
    ) -> JobEstimate:
        """Tokens and time a job would take, without running it.

        `POST /v1/jobs/estimate`, served by the appliance and the edge.
        """
        return await self._call(
            "jobs.estimate",
            body={
                "template": template,
                "template_version": template_version,
                "model": model,
                "models": models,
                "rows": rows,
                "seed_set": seed_set,
                "row_count": row_count,
                "samples_per_row": samples_per_row,
                "samplers": samplers,
                "params": params,
                "concurrency": concurrency,
                "steps": steps,
                "seed": seed,
            },
        )

    async def get(self, id: str) -> Job:
        """A job and its progress.

        `GET /v1/jobs/{id}`, served by the appliance and the edge.
        """
        return await self._call("jobs.get", path={"id": id})

    async def list(self) -> JobList:
        """Recent jobs.

        `GET /v1/jobs`, served by the appliance and the edge.
        """
        return await self._call("jobs.list")

    async def pause(self, id: str) -> Job:
        """Pause a job (committed samples stay; resume continues it)

        `POST /v1/jobs/{id}/pause`, served by the appliance and the edge.
        """
        return await self._call("jobs.pause", path={"id": id})

    async def resume(self, id: str) -> Job:
        """Resume a cancelled or failed job: only missing samples are generated.

        `POST /v1/jobs/{id}/resume`, served by the appliance and the edge.
        """
        return await self._call("jobs.resume", path={"id": id})

    async def samples(
        self,
        id: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
        status: Literal["ok", "failed"] | None = None,
        kept: bool | None = None,
    ) -> SampleList:
        """A page of a job's samples in key order.

        `GET /v1/jobs/{id}/samples`, served by the appliance and the edge.
        """
        return await self._call(
            "jobs.samples",
            path={"id": id},
            query={
                "offset": offset,
                "limit": limit,
                "status": status,
                "kept": kept,
            },
        )

    def watch(self, id: str) -> AsyncIterator[Job]:
        """Progress as server-sent events until the job ends.

        `GET /v1/jobs/{id}/events`, served by the appliance and the edge.
        """
        return self._events("jobs.watch", path={"id": id})


class AsyncModelsApi(AsyncResource):
    """The async client's `models`."""

    async def list(self) -> ModelList:
        """List models.

        `GET /v1/models`, served by the appliance and the edge.
        """
        return await self._call("models.list")

    async def retrieve(self, model: str) -> Model:
        """Retrieve a model.

        `GET /v1/models/{model}`, served by the appliance and the edge.
        """
        return await self._call("models.retrieve", path={"model": model})


class AsyncReviewApi(AsyncResource):
    """The async client's `review`."""

    async def assign(
        self,
        id: str,
        *,
        reviewers: list[str],
        reviewers_per_sample: int | None = None,
        samples: list[ReviewAssignRequestSamplesItem] | None = None,
        rubric: list[RubricCriterion] | None = None,
    ) -> ReviewAssignResponse:
        """Assign a dataset's samples to reviewers (appliance users), several per sample.

        `POST /v1/datasets/{id}/review/assign`, served by the appliance only.
        """
        return await self._call(
            "review.assign",
            path={"id": id},
            body={
                "reviewers": reviewers,
                "reviewers_per_sample": reviewers_per_sample,
                "samples": samples,
                "rubric": rubric,
            },
        )

    async def export(self, id: str) -> str:
        """Review tasks as JSONL (one task per line, with the sample for context)

        `GET /v1/datasets/{id}/review/export`, served by the appliance only.
        """
        return await self._call("review.export", path={"id": id})

    async def import_(
        self,
        id: str,
        content: str | bytes | Iterable[bytes],
    ) -> ReviewImportResponse:
        """Import review tasks and verdicts from JSONL (matched by row, sample, reviewer)

        `POST /v1/datasets/{id}/review/import`, served by the appliance only.
        """
        return await self._call("review.import_", path={"id": id}, content=content)

    async def submit(
        self,
        id: str,
        task: str,
        *,
        reviewer: str,
        decision: Literal["accept", "reject", "edit"],
        edited_output: str | None = None,
        ratings: dict[str, int] | None = None,
        comment: str | None = None,
    ) -> ReviewTask:
        """Accept, reject or edit a sample and rate it on the rubric.

        `POST /v1/datasets/{id}/review/tasks/{task}`, served by the appliance only.
        """
        return await self._call(
            "review.submit",
            path={"id": id, "task": task},
            body={
                "reviewer": reviewer,
                "decision": decision,
                "edited_output": edited_output,
                "ratings": ratings,
                "comment": comment,
            },
        )

    async def summary(self, id: str) -> ReviewSummary:
        """Decisions, mean ratings, inter-annotator agreement and metric correlations.

        `GET /v1/datasets/{id}/review/summary`, served by the appliance only.
        """
        return await self._call("review.summary", path={"id": id})

    async def tasks(
        self,
        id: str,
        *,
        reviewer: str | None = None,
        status: Literal["pending", "done"] | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> ReviewTaskList:
        """A dataset's review tasks, by reviewer and status.

        `GET /v1/datasets/{id}/review/tasks`, served by the appliance only.
        """
        return await self._call(
            "review.tasks",
            path={"id": id},
            query={
                "reviewer": reviewer,
                "status": status,
                "offset": offset,
                "limit": limit,
            },
        )


class AsyncSeedRowsApi(AsyncResource):
    """The async client's `seed_rows`."""

    async def upload(
        self,
        content: str | bytes | Iterable[bytes],
        *,
        name: str,
        format: Literal["jsonl", "csv"] | None = None,
    ) -> SeedSet:
        """Upload seed rows (JSONL or CSV, streamed; its own size limit) for jobs to use.

        Send the file as the raw body (`application/x-ndjson` or `text/csv`, or `?format=`).

        `POST /v1/seed-rows`, served by the appliance and the edge.
        """
        return await self._call(
            "seed_rows.upload",
            query={"name": name, "format": format},
            content=content,
        )


class AsyncTemplatesApi(AsyncResource):
    """The async client's `templates`."""

    async def create(
        self,
        *,
        name: str,
        prompt: str,
        system: str | None = None,
        output_schema: dict[str, Any] | None = None,
        params: JobCreateParams | None = None,
        variants: list[TemplateCreateVariantsItem] | None = None,
        columns: list[TemplateCreateColumnsItem] | None = None,
    ) -> Template:
        """Create a template, or the next version of one.

        `POST /v1/templates`, served by the appliance and the edge.
        """
        return await self._call(
            "templates.create",
            body={
                "name": name,
                "prompt": prompt,
                "system": system,
                "output_schema": output_schema,
                "params": params,
                "variants": variants,
                "columns": columns,
            },
        )

    async def list(self) -> TemplateList:
        """Latest version of each template.

        `GET /v1/templates`, served by the appliance and the edge.
        """
        return await self._call("templates.list")

    async def preview(
        self,
        name: str,
        *,
        version: int | None = None,
        rows: list[dict[str, Any]] | None = None,
        count: int | None = None,
        samplers: dict[str, JobCreateSamplersValueCategories | JobCreateSamplersValueRange | JobCreateSamplersValueList] | None = None,
        seed: int | None = None,
    ) -> TemplatePreview:
        """Render prompts without generating.

        `POST /v1/templates/{name}/preview`, served by the appliance and the edge.
        """
        return await self._call(
            "templates.preview",
            path={"name": name},
            body={
                "version": version,
                "rows": rows,
                "count": count,
                "samplers": samplers,
                "seed": seed,
            },
        )

    async def versions(self, name: str) -> TemplateList:
        """Every version of a template, newest first.

        `GET /v1/templates/{name}/versions`, served by the appliance and the edge.
        """
        return await self._call("templates.versions", path={"name": name})


class AsyncValidationApi(AsyncResource):
    """The async client's `validation`."""

    async def get(self, id: str, run: str) -> ValidationRun:
        """One recorded validation run with each sample's figures.

        `GET /v1/datasets/{id}/validations/{run}`, served by the appliance only.
        """
        return await self._call("validation.get", path={"id": id, "run": run})

    async def run(
        self,
        *,
        metrics: list[Literal["bleu", "chrf", "rouge", "meteor", "distinct", "readability", "pii", "injection", "toxicity", "perplexity", "similarity", "toxicity_judge"]],
        hypotheses: list[str] | None = None,
        dataset: str | None = None,
        references: list[list[str]] | None = None,
        options: ValidateOptions | None = None,
    ) -> ValidateResponse:
        """Score texts: reference metrics (BLEU, chrF, ROUGE, METEOR), diversity, readability, guards.

        `POST /v1/validate`, served by the appliance only.
        """
        return await self._call(
            "validation.run",
            body={
                "metrics": metrics,
                "hypotheses": hypotheses,
                "dataset": dataset,
                "references": references,
                "options": options,
            },
        )

    async def runs(self, id: str) -> ValidationRunList:
        """A dataset's recorded validation runs (dataset-level figures), newest first.

        `GET /v1/datasets/{id}/validations`, served by the appliance only.
        """
        return await self._call("validation.runs", path={"id": id})


class AsyncClientApi(AsyncResource):
    """The async client's every operation."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.admin: AsyncAdminApi = AsyncAdminApi(transport)
        self.auth: AsyncAuthApi = AsyncAuthApi(transport)
        self.datasets: AsyncDatasetsApi = AsyncDatasetsApi(transport)
        self.jobs: AsyncJobsApi = AsyncJobsApi(transport)
        self.models: AsyncModelsApi = AsyncModelsApi(transport)
        self.review: AsyncReviewApi = AsyncReviewApi(transport)
        self.seed_rows: AsyncSeedRowsApi = AsyncSeedRowsApi(transport)
        self.templates: AsyncTemplatesApi = AsyncTemplatesApi(transport)
        self.validation: AsyncValidationApi = AsyncValidationApi(transport)

    async def health(self) -> Health:
        """Liveness.

        `GET /health`, served by the appliance and the edge.
        """
        return await self._call("health")

    async def usage(self, *, from_: str | None = None, to: str | None = None) -> UsageReport:
        """Usage by day, model and key.

        `GET /v1/usage`, served by the appliance and the edge.
        """
        return await self._call("usage", query={"from": from_, "to": to})
