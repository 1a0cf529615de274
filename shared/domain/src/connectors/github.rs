//! `github`: repositories, issues, pull requests, commits, releases and
//! workflow runs of the repositories a source names, from GitHub's REST API
//! (api.github.com, or a GitHub Enterprise Server's `/api/v3`).
//!
//! Pages follow the `Link` header; the `x-ratelimit-remaining` and
//! `x-ratelimit-reset` headers are honoured. Issues and commits are read
//! incrementally by `since`; pull requests and workflow runs, which the API
//! cannot filter by time, newest first down to the saved cursor.

use serde_json::{Map, Value};

use super::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, Param, RateHeaders, RestConnector, Slices, Stream,
    check_list, col,
};
use super::{FieldSpec, FieldType as T};
use crate::error::DomainError;

const PER_PAGE: Option<(&str, u64)> = Some(("per_page", 100));

const REPOSITORY: &[Column] = &[
    col("id", "int", "id", "The repository's id."),
    col("full_name", "string", "full_name", "owner/name."),
    col("name", "string", "name", "Its name."),
    col("owner_login", "string", "owner.login", "The owner's login."),
    col("private", "bool", "private", "Whether it is private."),
    col("description", "string", "description", "Its description."),
    col("html_url", "string", "html_url", "Its page."),
    col(
        "default_branch",
        "string",
        "default_branch",
        "The default branch.",
    ),
    col("language", "string", "language", "Its main language."),
    col("stargazers_count", "int", "stargazers_count", "Stars."),
    col("forks_count", "int", "forks_count", "Forks."),
    col(
        "open_issues_count",
        "int",
        "open_issues_count",
        "Open issues and pull requests.",
    ),
    col("topics", "json", "topics", "Its topics."),
    col("archived", "bool", "archived", "Whether it is archived."),
    col(
        "created_at",
        "timestamp",
        "created_at",
        "When it was created.",
    ),
    col(
        "updated_at",
        "timestamp",
        "updated_at",
        "When it last changed.",
    ),
    col(
        "pushed_at",
        "timestamp",
        "pushed_at",
        "When it was last pushed to.",
    ),
];

const ISSUE: &[Column] = &[
    col("id", "int", "id", "The issue's id."),
    col(
        "repository",
        "string",
        "@each",
        "owner/name of its repository.",
    ),
    col("number", "int", "number", "Its number in the repository."),
    col("title", "string", "title", "Its title."),
    col("state", "string", "state", "open or closed."),
    col(
        "state_reason",
        "string",
        "state_reason",
        "completed, not_planned or reopened.",
    ),
    col("user_login", "string", "user.login", "Who opened it."),
    col(
        "assignee_login",
        "string",
        "assignee.login",
        "Its assignee.",
    ),
    col("labels", "json", "labels", "Its labels."),
    col(
        "milestone",
        "string",
        "milestone.title",
        "Its milestone's title.",
    ),
    col("comments", "int", "comments", "Comments on it."),
    col(
        "pull_request_url",
        "string",
        "pull_request.url",
        "Set when the issue is a pull request (the issues list includes them).",
    ),
    col("body", "string", "body", "Its text."),
    col(
        "created_at",
        "timestamp",
        "created_at",
        "When it was opened.",
    ),
    col(
        "updated_at",
        "timestamp",
        "updated_at",
        "When it last changed.",
    ),
    col("closed_at", "timestamp", "closed_at", "When it was closed."),
];

const PULL: &[Column] = &[
    col("id", "int", "id", "The pull request's id."),
    col(
        "repository",
        "string",
        "@each",
        "owner/name of its repository.",
    ),
    col("number", "int", "number", "Its number."),
    col("title", "string", "title", "Its title."),
    col("state", "string", "state", "open or closed."),
    col("draft", "bool", "draft", "Whether it is a draft."),
    col("user_login", "string", "user.login", "Its author."),
    col("head_ref", "string", "head.ref", "The branch it merges."),
    col(
        "base_ref",
        "string",
        "base.ref",
        "The branch it merges into.",
    ),
    col("labels", "json", "labels", "Its labels."),
    col(
        "requested_reviewers",
        "json",
        "requested_reviewers",
        "Reviewers asked for.",
    ),
    col(
        "merge_commit_sha",
        "string",
        "merge_commit_sha",
        "The merge commit.",
    ),
    col(
        "created_at",
        "timestamp",
        "created_at",
        "When it was opened.",
    ),
    col(
        "updated_at",
        "timestamp",
        "updated_at",
        "When it last changed.",
    ),
    col("closed_at", "timestamp", "closed_at", "When it was closed."),
    col("merged_at", "timestamp", "merged_at", "When it was merged."),
];

const COMMIT: &[Column] = &[
    col("sha", "string", "sha", "The commit's hash."),
    col(
        "repository",
        "string",
        "@each",
        "owner/name of its repository.",
    ),
    col("message", "string", "commit.message", "Its message."),
    col(
        "author_name",
        "string",
        "commit.author.name",
        "Its author's name.",
    ),
    col(
        "author_email",
        "string",
        "commit.author.email",
        "Its author's e-mail.",
    ),
    col(
        "author_login",
        "string",
        "author.login",
        "Its author's GitHub login.",
    ),
    col(
        "committer_login",
        "string",
        "committer.login",
        "Its committer's login.",
    ),
    col(
        "authored_at",
        "timestamp",
        "commit.author.date",
        "When it was written.",
    ),
    col(
        "committed_at",
        "timestamp",
        "commit.committer.date",
        "When it was committed.",
    ),
    col("parents", "json", "parents", "Its parent commits."),
    col("html_url", "string", "html_url", "Its page."),
];

const RELEASE: &[Column] = &[
    col("id", "int", "id", "The release's id."),
    col(
        "repository",
        "string",
        "@each",
        "owner/name of its repository.",
    ),
    col("tag_name", "string", "tag_name", "Its tag."),
    col("name", "string", "name", "Its title."),
    col("draft", "bool", "draft", "Whether it is a draft."),
    col(
        "prerelease",
        "bool",
        "prerelease",
        "Whether it is a pre-release.",
    ),
    col(
        "author_login",
        "string",
        "author.login",
        "Who published it.",
    ),
    col("body", "string", "body", "Its notes."),
    col(
        "created_at",
        "timestamp",
        "created_at",
        "When it was created.",
    ),
    col(
        "published_at",
        "timestamp",
        "published_at",
        "When it was published.",
    ),
    col("html_url", "string", "html_url", "Its page."),
];

const WORKFLOW_RUN: &[Column] = &[
    col("id", "int", "id", "The run's id."),
    col(
        "repository",
        "string",
        "@each",
        "owner/name of its repository.",
    ),
    col("name", "string", "name", "The workflow's name."),
    col("workflow_id", "int", "workflow_id", "The workflow's id."),
    col(
        "run_number",
        "int",
        "run_number",
        "Its number in the workflow.",
    ),
    col("run_attempt", "int", "run_attempt", "Its attempt."),
    col(
        "event",
        "string",
        "event",
        "What started it (push, pull_request, …).",
    ),
    col(
        "status",
        "string",
        "status",
        "queued, in_progress, completed, …",
    ),
    col(
        "conclusion",
        "string",
        "conclusion",
        "success, failure, cancelled, …",
    ),
    col(
        "head_branch",
        "string",
        "head_branch",
        "The branch it ran on.",
    ),
    col("head_sha", "string", "head_sha", "The commit it ran on."),
    col("actor_login", "string", "actor.login", "Who started it."),
    col(
        "run_started_at",
        "timestamp",
        "run_started_at",
        "When it started.",
    ),
    col(
        "created_at",
        "timestamp",
        "created_at",
        "When it was created.",
    ),
    col(
        "updated_at",
        "timestamp",
        "updated_at",
        "When it last changed.",
    ),
    col("html_url", "string", "html_url", "Its page."),
];

const STREAMS: &[Stream] = &[
    Stream {
        name: "repositories",
        description: "Each named repository, as it is now.",
        path: "/repos/{each}",
        params: &[],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: None,
        columns: REPOSITORY,
        key: &["id"],
        cursor: None,
        incremental: Incremental::Full,
    },
    Stream {
        name: "issues",
        description: "Issues (and pull requests, as the API lists them), changed since the cursor.",
        path: "/repos/{each}/issues",
        params: &[
            ("state", Param::Lit("all")),
            ("sort", Param::Lit("updated")),
            ("direction", Param::Lit("asc")),
            ("since", Param::Since),
            ("per_page", Param::PageSize),
        ],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$",
        paging: Paging::Link,
        page_size: PER_PAGE,
        explode: None,
        columns: ISSUE,
        key: &["id"],
        cursor: Some("updated_at"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "pull_requests",
        description: "Pull requests, most recently changed first, down to the cursor.",
        path: "/repos/{each}/pulls",
        params: &[
            ("state", Param::Lit("all")),
            ("sort", Param::Lit("updated")),
            ("direction", Param::Lit("desc")),
            ("per_page", Param::PageSize),
        ],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$",
        paging: Paging::Link,
        page_size: PER_PAGE,
        explode: None,
        columns: PULL,
        key: &["id"],
        cursor: Some("updated_at"),
        incremental: Incremental::NewestFirst,
    },
    Stream {
        name: "commits",
        description: "Commits of the default branch, committed since the cursor.",
        path: "/repos/{each}/commits",
        params: &[("since", Param::Since), ("per_page", Param::PageSize)],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$",
        paging: Paging::Link,
        page_size: PER_PAGE,
        explode: None,
        columns: COMMIT,
        key: &["repository", "sha"],
        cursor: Some("committed_at"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "releases",
        description: "Every release, each run.",
        path: "/repos/{each}/releases",
        params: &[("per_page", Param::PageSize)],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$",
        paging: Paging::Link,
        page_size: PER_PAGE,
        explode: None,
        columns: RELEASE,
        key: &["id"],
        cursor: None,
        incremental: Incremental::Full,
    },
    Stream {
        name: "workflow_runs",
        description: "GitHub Actions runs, newest first, down to the cursor.",
        path: "/repos/{each}/actions/runs",
        params: &[("per_page", Param::PageSize)],
        each: Some("repositories"),
        slices: Slices::Whole,
        records: "$.workflow_runs",
        paging: Paging::Link,
        page_size: PER_PAGE,
        explode: None,
        columns: WORKFLOW_RUN,
        key: &["id"],
        cursor: Some("created_at"),
        incremental: Incremental::NewestFirst,
    },
];

fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(
            "repositories",
            T::StringList,
            "The repositories read, each `owner/name`.",
        )
        .required(),
    ]
}

pub const GITHUB: RestConnector = RestConnector {
    name: "github",
    title: "GitHub",
    description: "Repositories, issues, pull requests, commits, releases and Actions workflow runs of the repositories you name. Incremental by `since` and by the newest changes; Link-header pages; a personal access token or a GitHub App's token; the rate-limit headers honoured.",
    base_url: "https://api.github.com",
    base_url_help: "GitHub's API: `https://api.github.com`, or a GitHub Enterprise Server's `https://HOST/api/v3`.",
    auth: &[Auth::Bearer, Auth::None],
    api_key: KeyPlace::Header("Authorization"),
    api_key_help: "",
    token_url: "",
    fields,
    check_fields: check,
    dated: false,
    horizon_days: 0,
    requests_per_minute: 80,
    rate_headers: Some(RateHeaders {
        remaining: "x-ratelimit-remaining",
        reset: "x-ratelimit-reset",
    }),
    since_format: "%Y-%m-%dT%H:%M:%SZ",
    streams: STREAMS,
};

/// `repositories` values: `owner/name` each.
fn check(config: &Map<String, Value>) -> Result<(), DomainError> {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 100
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    check_list(
        config,
        "repositories",
        |r| r.split_once('/').is_some_and(|(o, n)| part(o) && part(n)),
        "a repository written `owner/name`",
    )
}
