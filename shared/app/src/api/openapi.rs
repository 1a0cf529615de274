//! The OpenAPI 3.1 document, generated from the route table and the request and
//! response types, so it cannot drift from the code.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::routes;

/// The document, built once per process.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn build() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas/".into();
    let mut generator = settings.into_generator();
    let mut paths = Map::new();
    for r in routes::all() {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(r.name));
        op.insert("summary".into(), json!(r.summary));
        if !r.on_lambda() {
            // No Lambda function serves it: the local server only.
            op.insert("x-sluice-local-only".into(), json!(true));
        }
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| match name.strip_suffix('+') {
                // One segment here: a client encodes a `/` in a parameter as `%2F`,
                // which no file path holds. Folders are `/`s of the raw URL.
                Some(name) => json!({"name": name, "in": "path", "required": true,
                    "description": "The file's path: segments of 1-255 letters, digits and `_.=-`, none starting with `.`, at most 900 bytes in all. The raw URL may hold `/` between folders (`/v1/files/orders/2026.csv`); a `%2F` is refused.",
                    "schema": {"type": "string", "maxLength": 255, "pattern": "^[A-Za-z0-9_=-][A-Za-z0-9_.=-]*$"}}),
                None => json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            })
            .collect();
        params.extend(r.query.iter().map(|q| {
            let schema = (q.schema)();
            let mut p = json!({"name": q.name, "in": "query", "required": false, "description": q.description, "schema": schema});
            // An object is sent as `name[key]=value` pairs.
            if p["schema"]["type"] == "object" {
                p["style"] = json!("deepObject");
                p["explode"] = json!(true);
            }
            p
        }));
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if r.upload {
            // An empty body is an empty file.
            op.insert("requestBody".into(), json!({"required": false, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}));
        }
        if let Some(req) = r.request {
            let mut schema = serde_json::to_value(req(&mut generator)).unwrap_or_default();
            let validates = r.name == "api-validate-data-mart-definition";
            if validates {
                // Validation reports a definition's problems in its 200 answer, so
                // any object is taken; the schema still names what passes.
                schema = json!({"anyOf": [schema, {"type": "object"}], "description": "A definition to check instead of the stored one; its problems come back in `problems`."});
            }
            op.insert("requestBody".into(), json!({"required": !validates, "content": {"application/json": {"schema": schema}}}));
        }
        let mut responses = Map::new();
        let pulled = r.name == "api-get-report-data";
        let ok = match r.response {
            None if pulled => {
                json!({"description": "The report's rows, in the format asked for.", "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object", "required": ["schema", "rows"], "properties": {
                        "schema": {"type": "array", "items": {"type": "object", "required": ["name", "type"], "properties": {"name": {"type": "string"}, "type": {"type": "string"}}}},
                        "rows": {"type": "array", "items": {"type": "object"}}}}}}})
            }
            None if r.name == "api-download-report-run" => {
                json!({"description": "The file (where the object store signs no links).", "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
            }
            Some(res) if r.streams_events() => {
                // Each event's `data` is one JSON document of this schema.
                json!({"description": "Server-sent events (`event: run`, `data:` one JSON document), until the run is over.", "content": {"text/event-stream": {
                    "schema": {"type": "string"},
                    "x-sluice-event-data": res(&mut generator)}}})
            }
            Some(res) => {
                json!({"description": "Success.", "content": {"application/json": {"schema": res(&mut generator)}}})
            }
            None if r.status == 204 => json!({"description": "Done; no body."}),
            None => {
                json!({"description": "Success.", "content": {"application/json": {"schema": {"type": "object"}}}})
            }
        };
        responses.insert(r.status.to_string(), ok);
        if r.role.is_some() {
            responses.insert(
                "401".into(),
                error_response("Missing, malformed or expired bearer token."),
            );
            responses.insert(
                "403".into(),
                error_response("The token's role may not do this."),
            );
            responses.insert(
                "429".into(),
                json!({"description": "This credential's request budget for the minute is spent (`details.retry_after_seconds`).",
                    "headers": {"retry-after": {"description": "Seconds until the budget is whole again.", "schema": {"type": "integer", "minimum": 1}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        if pulled {
            responses.insert(
                "401".into(),
                error_response("No data key, or one that does not open this report (wrong, rotated past its grace, or of another destination)."),
            );
            responses.insert(
                "409".into(),
                error_response(
                    "The report's data mart has no data yet, or the report's query does not run.",
                ),
            );
            op.insert("security".into(), json!([{"dataKey": []}]));
        }
        match r.name {
            "api-health" => {
                let view = r.response.map(|res| res(&mut generator));
                responses.insert(
                    "503".into(),
                    json!({"description": "A part did not answer: `checks` names it (the reason is in the server's log).",
                        "content": {"application/json": {"schema": view}}}),
                );
            }
            "api-sign-in" => {
                responses.insert(
                    "401".into(),
                    error_response("Wrong address or password, or sign-in paused after failed attempts: one answer for all."),
                );
            }
            "api-refresh-session" => {
                responses.insert(
                    "401".into(),
                    error_response("The refresh token is unknown, used, revoked or expired; a used one ends its session."),
                );
            }
            "api-sign-up" => {
                responses.insert(
                    "403".into(),
                    error_response("Sign-up is closed: the deployment has its first user and the operator did not open sign-up."),
                );
            }
            "api-sign-out" | "api-sign-out-everywhere" | "api-change-password" => {
                responses.insert(
                    "403".into(),
                    error_response("The token's role may not do this, or the credential is not a user's session (an API key, an operator token)."),
                );
            }
            _ => {}
        }
        if r.name == "api-download-report-run" {
            responses.insert(
                "307".into(),
                json!({"description": "The file is at `location`, a link valid for 15 minutes (S3).",
                    "headers": {"location": {"schema": {"type": "string"}}}}),
            );
            responses.insert(
                "409".into(),
                error_response("The run has no file: not an export, not succeeded, or its file was replaced or removed."),
            );
        }
        if !r.query.is_empty() {
            responses.insert(
                "422".into(),
                error_response("A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it."),
            );
        }
        if r.path.ends_with("/publish") {
            responses.insert(
                "422".into(),
                error_response("The data mart's definition is missing or invalid; `details.problems` lists why."),
            );
        }
        if (r.method == http::Method::DELETE && r.path.contains("{id}"))
            || (r.method == http::Method::POST && r.path.contains("{id}/"))
        {
            responses.insert(
                "409".into(),
                error_response(
                    "The record's state forbids it (in use, deleted, published already, a run already over).",
                ),
            );
        }
        if r.path.contains("{") {
            responses.insert(
                "404".into(),
                error_response("No such record in the token's project."),
            );
        }
        if r.upload {
            responses.insert(
                "413".into(),
                error_response("Body over the deployment's upload limit."),
            );
            responses.insert(
                "422".into(),
                error_response("A path that is not a file name of the landing area; `details.field` is `path`."),
            );
        }
        if r.request.is_some() {
            responses.insert("400".into(), error_response("Malformed JSON."));
            responses.insert(
                "409".into(),
                error_response("The record changed meanwhile, or its state forbids the change."),
            );
            responses.insert("413".into(), error_response("Body over 1 MiB."));
            responses.insert(
                "422".into(),
                error_response("A field breaks a rule; `details.field` names it."),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        if r.role.is_some() {
            op.insert("security".into(), json!([{"bearer": []}]));
            op.insert("x-required-role".into(), json!(r.role.map(|x| x.as_str())));
        }
        let entry = paths
            .entry(r.path.replace("+}", "}"))
            .or_insert_with(|| json!({}));
        if let Value::Object(m) = entry {
            m.insert(r.method.as_str().to_lowercase(), Value::Object(op));
        }
    }
    let mut schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. `validation_failed`."},
                "message": {"type": "string"},
                "details": {"type": "object", "description": "For validation errors: `field` (dotted path) and `reason`."}
            }}}
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Sluice API", "version": env!("CARGO_PKG_VERSION"), "description": "Data marts, sources, storages, destinations, reports, triggers and runs of one project; users, sessions and API keys. The project comes from the bearer credential."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A session's access token (`POST /v1/auth/sign-in`), an operator token (`sluice token`), both EdDSA JWTs verifiable with `/.well-known/jwks.json`; or an API key (`slk_…`, `POST /v1/api-keys`)."},
                "dataKey": {"type": "http", "scheme": "bearer", "description": "A data key of a `looker_studio` destination (`POST /v1/destinations/{id}/rotate-key`)."}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_every_reference_resolves() {
        let doc = document();
        for r in routes::all() {
            assert!(
                doc["paths"][r.path.replace("+}", "}").as_str()][r.method.as_str().to_lowercase()]
                    .is_object(),
                "{} {}",
                r.method,
                r.path
            );
        }
        // Statuses the server returns beyond success are documented: 422 on a
        // list's query parameters, 409 on deleting or publishing.
        let list = &doc["paths"]["/v1/storages"]["get"]["responses"];
        assert!(list["422"].is_object(), "{list}");
        let delete = &doc["paths"]["/v1/storages/{id}"]["delete"]["responses"];
        assert!(delete["409"].is_object(), "{delete}");
        let publish = &doc["paths"]["/v1/data-marts/{id}/publish"]["post"]["responses"];
        assert!(publish["409"].is_object(), "{publish}");
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
    }
}
