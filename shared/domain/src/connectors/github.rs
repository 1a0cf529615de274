//! `github`: a repository's issues, pull requests, commits and stargazers.

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamSpec, field};

pub fn spec() -> ConnectorSpec {
    ConnectorSpec {
        name: "github",
        title: "GitHub",
        description: "Issues, pull requests, commits and stargazers of one or more repositories through the REST API.",
        config: vec![
            FieldSpec::new("repository", T::String, "`owner/name` of the repository.").required(),
            FieldSpec::new(
                "token",
                T::String,
                "A fine-grained personal access token with read access.",
            )
            .required()
            .secret(),
            FieldSpec::new(
                "start_date",
                T::String,
                "Earliest date (YYYY-MM-DD) to read on the first run.",
            )
            .default("2020-01-01"),
            FieldSpec::new("api_url", T::String, "API base URL (GitHub Enterprise).")
                .default("https://api.github.com"),
        ],
        streams: vec![
            StreamSpec::fixed(
                "issues",
                "Issues and their state.",
                vec![
                    field("id", "int", "Issue id."),
                    field("number", "int", "Issue number in the repository."),
                    field("title", "string", "Title."),
                    field("state", "string", "`open` or `closed`."),
                    field("user_login", "string", "Author's login."),
                    field("labels", "json", "Label names."),
                    field("comments", "int", "Number of comments."),
                    field("created_at", "timestamp", "Creation time."),
                    field("updated_at", "timestamp", "Last update."),
                    field("closed_at", "timestamp", "When it was closed."),
                ],
                &["id"],
                Some("updated_at"),
            ),
            StreamSpec::fixed(
                "pull_requests",
                "Pull requests.",
                vec![
                    field("id", "int", "Pull request id."),
                    field("number", "int", "Number in the repository."),
                    field("title", "string", "Title."),
                    field("state", "string", "`open` or `closed`."),
                    field("user_login", "string", "Author's login."),
                    field("draft", "bool", "Whether it is a draft."),
                    field("merged_at", "timestamp", "When it was merged."),
                    field("created_at", "timestamp", "Creation time."),
                    field("updated_at", "timestamp", "Last update."),
                ],
                &["id"],
                Some("updated_at"),
            ),
            StreamSpec::fixed(
                "commits",
                "Commits of the default branch.",
                vec![
                    field("sha", "string", "Commit hash."),
                    field("author_login", "string", "Author's login."),
                    field("author_date", "timestamp", "Authored at."),
                    field("message", "string", "Commit message."),
                ],
                &["sha"],
                Some("author_date"),
            ),
            StreamSpec::fixed(
                "stargazers",
                "Who starred the repository, and when.",
                vec![
                    field("user_login", "string", "Login."),
                    field("starred_at", "timestamp", "When."),
                ],
                &["user_login"],
                Some("starred_at"),
            ),
        ],
    }
}
