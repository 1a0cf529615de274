//! `jira`: Jira Cloud's issues with their changelog, projects, fields, issue
//! types with their hierarchy levels, statuses with their categories, and
//! workflows, from its REST API v3.
//!
//! Issues are read incrementally by JQL on `updated` (in the cursor's own
//! offset: Jira writes and reads times in its user's zone), ordered by it,
//! a page token at a time. Auth is an API token with the account's e-mail
//! (basic), or OAuth 2.0 (3LO) with a refresh token, whose rotated token is
//! written back.

use serde_json::{Map, Value, json};

use super::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, Param, RestConnector, Slices, Stream, col,
};
use super::{FieldSpec, FieldType as T};
use crate::error::DomainError;

const ISSUE: &[Column] = &[
    col("id", "string", "id", "The issue's id."),
    col("key", "string", "key", "Its key (PROJ-123)."),
    col(
        "project_key",
        "string",
        "fields.project.key",
        "Its project's key.",
    ),
    col(
        "issue_type",
        "string",
        "fields.issuetype.name",
        "Its type (Story, Bug, Epic, …).",
    ),
    col(
        "hierarchy_level",
        "int",
        "fields.issuetype.hierarchyLevel",
        "Its type's level: 1 epic, 0 standard, -1 sub-task.",
    ),
    col("status", "string", "fields.status.name", "Its status."),
    col(
        "status_category",
        "string",
        "fields.status.statusCategory.key",
        "new, indeterminate or done.",
    ),
    col(
        "priority",
        "string",
        "fields.priority.name",
        "Its priority.",
    ),
    col("summary", "string", "fields.summary", "Its summary."),
    col(
        "assignee",
        "string",
        "fields.assignee.displayName",
        "Its assignee's name.",
    ),
    col(
        "assignee_account_id",
        "string",
        "fields.assignee.accountId",
        "Its assignee's account id.",
    ),
    col(
        "reporter",
        "string",
        "fields.reporter.displayName",
        "Who reported it.",
    ),
    col(
        "parent_key",
        "string",
        "fields.parent.key",
        "Its parent's key (an epic, or a sub-task's issue).",
    ),
    col("labels", "json", "fields.labels", "Its labels."),
    col(
        "resolution",
        "string",
        "fields.resolution.name",
        "Its resolution.",
    ),
    col(
        "created",
        "timestamp",
        "fields.created",
        "When it was created.",
    ),
    col(
        "updated",
        "timestamp",
        "fields.updated",
        "When it last changed.",
    ),
    col(
        "resolved",
        "timestamp",
        "fields.resolutiondate",
        "When it was resolved.",
    ),
    col("due_date", "date", "fields.duedate", "Its due date."),
    col(
        "fields",
        "json",
        "fields",
        "Every field, custom ones included (by id).",
    ),
];

const CHANGE: &[Column] = &[
    col("issue_id", "string", "issue_id", "The issue's id."),
    col("issue_key", "string", "issue_key", "The issue's key."),
    col(
        "issue_updated",
        "timestamp",
        "issue_updated",
        "When the issue last changed.",
    ),
    col("history_id", "string", "history_id", "The change's id."),
    col(
        "created",
        "timestamp",
        "created",
        "When the change was made.",
    ),
    col("author", "string", "author", "Who made it."),
    col(
        "author_account_id",
        "string",
        "author_account_id",
        "Their account id.",
    ),
    col("field", "string", "field", "The field changed."),
    col("field_id", "string", "field_id", "Its id."),
    col("from", "string", "from", "The value before (an id)."),
    col(
        "from_string",
        "string",
        "from_string",
        "The value before, as shown.",
    ),
    col("to", "string", "to", "The value after (an id)."),
    col(
        "to_string",
        "string",
        "to_string",
        "The value after, as shown.",
    ),
];

const PROJECT: &[Column] = &[
    col("id", "string", "id", "The project's id."),
    col("key", "string", "key", "Its key."),
    col("name", "string", "name", "Its name."),
    col(
        "project_type",
        "string",
        "projectTypeKey",
        "software, business or service_desk.",
    ),
    col(
        "style",
        "string",
        "style",
        "classic (company-managed) or next-gen (team-managed).",
    ),
    col("lead", "string", "lead.displayName", "Its lead."),
    col(
        "category",
        "string",
        "projectCategory.name",
        "Its category.",
    ),
];

const FIELD: &[Column] = &[
    col("id", "string", "id", "The field's id (customfield_10016)."),
    col("key", "string", "key", "Its key."),
    col("name", "string", "name", "Its name."),
    col("custom", "bool", "custom", "Whether it is a custom field."),
    col("schema_type", "string", "schema.type", "Its value's type."),
    col(
        "schema_custom",
        "string",
        "schema.custom",
        "Its custom type.",
    ),
    col(
        "searchable",
        "bool",
        "searchable",
        "Whether JQL can search it.",
    ),
];

const ISSUE_TYPE: &[Column] = &[
    col("id", "string", "id", "The issue type's id."),
    col("name", "string", "name", "Its name."),
    col("description", "string", "description", "Its description."),
    col(
        "subtask",
        "bool",
        "subtask",
        "Whether it is a sub-task type.",
    ),
    col(
        "hierarchy_level",
        "int",
        "hierarchyLevel",
        "1 epic, 0 standard, -1 sub-task.",
    ),
    col(
        "scope_project_id",
        "string",
        "scope.project.id",
        "The team-managed project it belongs to.",
    ),
];

const STATUS: &[Column] = &[
    col("id", "string", "id", "The status's id."),
    col("name", "string", "name", "Its name."),
    col("description", "string", "description", "Its description."),
    col(
        "category_key",
        "string",
        "statusCategory.key",
        "new, indeterminate or done.",
    ),
    col(
        "category_name",
        "string",
        "statusCategory.name",
        "To Do, In Progress or Done.",
    ),
    col(
        "category_color",
        "string",
        "statusCategory.colorName",
        "The category's colour.",
    ),
    col(
        "scope_project_id",
        "string",
        "scope.project.id",
        "The team-managed project it belongs to.",
    ),
];

const WORKFLOW: &[Column] = &[
    col("entity_id", "string", "id.entityId", "The workflow's id."),
    col("name", "string", "id.name", "Its name."),
    col("description", "string", "description", "Its description."),
    col(
        "is_default",
        "bool",
        "isDefault",
        "Whether it is the default workflow.",
    ),
    col("created", "timestamp", "created", "When it was created."),
    col("updated", "timestamp", "updated", "When it last changed."),
    col("statuses", "json", "statuses", "Its statuses."),
    col("transitions", "json", "transitions", "Its transitions."),
];

/// The issue search's JQL: the source's own filter, the `updated` clause of
/// an incremental run, in `updated` order.
fn jql(config: &Map<String, Value>, since: Option<&str>) -> Option<String> {
    let own = config
        .get("jql")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|j| !j.is_empty());
    let mut clauses = vec![];
    if let Some(own) = own {
        clauses.push(format!("({own})"));
    }
    if let Some(since) = since {
        clauses.push(format!("updated >= \"{since}\""));
    }
    if clauses.is_empty() {
        // JQL needs a restriction before ORDER BY on the enhanced search.
        clauses.push("created IS NOT EMPTY".into());
    }
    Some(format!("{} ORDER BY updated ASC", clauses.join(" AND ")))
}

/// One row per changed field of each change in an issue's changelog.
fn changes(issue: &Value, _: &Map<String, Value>) -> Vec<Value> {
    let histories = issue
        .pointer("/changelog/histories")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut rows = vec![];
    for h in &histories {
        for item in h
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            rows.push(json!({
                "issue_id": issue.get("id"),
                "issue_key": issue.get("key"),
                "issue_updated": issue.pointer("/fields/updated"),
                "history_id": h.get("id"),
                "created": h.get("created"),
                "author": h.pointer("/author/displayName"),
                "author_account_id": h.pointer("/author/accountId"),
                "field": item.get("field"),
                "field_id": item.get("fieldId"),
                "from": item.get("from"),
                "from_string": item.get("fromString"),
                "to": item.get("to"),
                "to_string": item.get("toString"),
            }));
        }
    }
    rows
}

const SEARCH: &[(&str, Param)] = &[
    ("jql", Param::Build(jql)),
    ("fields", Param::Lit("*all")),
    ("expand", Param::Lit("changelog")),
    ("maxResults", Param::PageSize),
];

const TOKEN_PAGES: Paging = Paging::Token {
    param: "nextPageToken",
    path: "nextPageToken",
};

const START_AT: Paging = Paging::Offset {
    param: "startAt",
    last: Some("isLast"),
};

const fn reference(
    name: &'static str,
    description: &'static str,
    path: &'static str,
    columns: &'static [Column],
    key: &'static [&'static str],
) -> Stream {
    Stream {
        name,
        description,
        path,
        params: &[],
        each: None,
        slices: Slices::Whole,
        records: "$",
        paging: Paging::None,
        page_size: None,
        explode: None,
        columns,
        key,
        cursor: None,
        incremental: Incremental::Full,
    }
}

const STREAMS: &[Stream] = &[
    Stream {
        name: "issues",
        description: "Issues changed since the cursor (all of them on a first run), with every field.",
        path: "/rest/api/3/search/jql",
        params: SEARCH,
        each: None,
        slices: Slices::Whole,
        records: "$.issues",
        paging: TOKEN_PAGES,
        page_size: Some(("maxResults", 100)),
        explode: None,
        columns: ISSUE,
        key: &["id"],
        cursor: Some("updated"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "issue_changelog",
        description: "Each changed field of each change of the issues changed since the cursor (the changes the search returns with an issue).",
        path: "/rest/api/3/search/jql",
        params: SEARCH,
        each: None,
        slices: Slices::Whole,
        records: "$.issues",
        paging: TOKEN_PAGES,
        page_size: Some(("maxResults", 100)),
        explode: Some(changes),
        columns: CHANGE,
        key: &["history_id", "field_id"],
        cursor: Some("issue_updated"),
        incremental: Incremental::Cursor,
    },
    Stream {
        name: "projects",
        description: "Every project the account can browse.",
        path: "/rest/api/3/project/search",
        params: &[
            ("maxResults", Param::PageSize),
            ("expand", Param::Lit("lead")),
        ],
        each: None,
        slices: Slices::Whole,
        records: "$.values",
        paging: START_AT,
        page_size: Some(("maxResults", 50)),
        explode: None,
        columns: PROJECT,
        key: &["id"],
        cursor: None,
        incremental: Incremental::Full,
    },
    reference(
        "fields",
        "Every system and custom field.",
        "/rest/api/3/field",
        FIELD,
        &["id"],
    ),
    reference(
        "issue_types",
        "Every issue type, with its hierarchy level.",
        "/rest/api/3/issuetype",
        ISSUE_TYPE,
        &["id"],
    ),
    reference(
        "statuses",
        "Every status, with its category.",
        "/rest/api/3/status",
        STATUS,
        &["id"],
    ),
    Stream {
        name: "workflows",
        description: "Every workflow, with its statuses and transitions.",
        path: "/rest/api/3/workflow/search",
        params: &[
            ("maxResults", Param::PageSize),
            ("expand", Param::Lit("statuses,transitions")),
        ],
        each: None,
        slices: Slices::Whole,
        records: "$.values",
        paging: START_AT,
        page_size: Some(("maxResults", 50)),
        explode: None,
        columns: WORKFLOW,
        key: &["entity_id"],
        cursor: None,
        incremental: Incremental::Full,
    },
];

fn fields() -> Vec<FieldSpec> {
    vec![FieldSpec::new(
        "jql",
        T::String,
        "A JQL filter the issues must match (`project in (PROJ, OPS)`); its `ORDER BY` is Sluice's.",
    )]
}

fn check(config: &Map<String, Value>) -> Result<(), DomainError> {
    if let Some(j) = config.get("jql").and_then(Value::as_str)
        && (j.len() > 4_000 || j.to_ascii_lowercase().contains("order by"))
    {
        return Err(DomainError::invalid(
            "config.jql",
            "must be a JQL filter of at most 4000 characters without ORDER BY",
        ));
    }
    Ok(())
}

pub const JIRA: RestConnector = RestConnector {
    name: "jira",
    title: "Jira Cloud",
    description: "Issues with their changelog, projects, fields, issue types with their hierarchy levels, statuses with their categories, and workflows from Jira Cloud. Incremental by JQL on `updated`; an API token (basic auth with your e-mail) or OAuth 2.0 with a refresh token.",
    base_url: "",
    base_url_help: "Your site, `https://YOUR-DOMAIN.atlassian.net`; with OAuth 2.0, `https://api.atlassian.com/ex/jira/CLOUD-ID`.",
    auth: &[Auth::Basic, Auth::OAuthRefreshToken],
    api_key: KeyPlace::Header(""),
    api_key_help: "",
    token_url: "https://auth.atlassian.com/oauth/token",
    fields,
    check_fields: check,
    dated: false,
    horizon_days: 0,
    requests_per_minute: 300,
    rate_headers: None,
    since_format: "%Y-%m-%d %H:%M",
    streams: STREAMS,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_jql_adds_the_cursor_to_the_sources_filter_in_update_order() {
        let config: Map<String, Value> =
            serde_json::from_value(json!({"jql": "project = OPS"})).expect("a map");
        assert_eq!(
            jql(&config, Some("2026-03-01 10:00")).as_deref(),
            Some("(project = OPS) AND updated >= \"2026-03-01 10:00\" ORDER BY updated ASC")
        );
        assert_eq!(
            jql(&Map::new(), None).as_deref(),
            Some("created IS NOT EMPTY ORDER BY updated ASC")
        );
    }

    #[test]
    fn a_changelog_becomes_a_row_per_changed_field() {
        let issue = json!({"id": "10001", "key": "OPS-1", "fields": {"updated": "2026-03-01T10:00:00.000+0000"},
            "changelog": {"histories": [{"id": "5", "created": "2026-03-01T09:00:00.000+0000",
                "author": {"displayName": "Ana", "accountId": "a1"},
                "items": [{"field": "status", "fieldId": "status", "fromString": "To Do", "toString": "Done", "from": "1", "to": "3"},
                          {"field": "assignee", "fieldId": "assignee", "fromString": null, "toString": "Ana"}]}]}});
        let rows = changes(&issue, &Map::new());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["to_string"], "Done");
        assert_eq!(rows[1]["field"], "assignee");
        assert_eq!(rows[0]["issue_key"], "OPS-1");
    }
}
