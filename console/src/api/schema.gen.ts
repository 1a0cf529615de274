// Generated from the server's OpenAPI document by `npm run api:generate`; do not edit.
// `npm run api:check` (part of scripts/test.sh) fails when it drifts from the server.

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The public keys bearer tokens are signed with (Ed25519, JWS `EdDSA`), as a JWK Set: a token's `kid` names its key. Verifies tokens without calling this API; keys are rotated in before they sign and kept after. */
        get: operations["api-get-jwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health: asks each part this process uses (store, secrets, and where it has them the queue, objects and warehouse) at once, each within 2 s; 503 names the part that failed. No token. */
        get: operations["api-health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API's OpenAPI 3.1 document. */
        get: operations["api-openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's alarms: a data mart's runs failing for good, missing their SLA or found stuck, a report's deliveries failing. One alarm per condition and record, counted each time it is raised, open until acknowledged (and open again when raised after that). */
        get: operations["api-list-alarms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/{id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge an alarm: someone is on it. Acknowledging again changes nothing; raised again, it opens again. */
        post: operations["api-acknowledge-alarm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's API keys, without their secrets: prefix, role, creator, expiry, last use (to the minute). In the order of their ids, which derive from their prefixes. */
        get: operations["api-list-api-keys"];
        put?: never;
        /** Create an API key of the project, with a role no higher than the caller's and an optional expiry. The key (`slk_<prefix>_<secret>`) is in this answer only; it is kept as a digest. */
        post: operations["api-create-api-key"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key: from now on it is refused like a missing one. */
        delete: operations["api-delete-api-key"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's audit log, newest first: every write through the API (each route but a GET or a test, preview, suggestion or query) with who made it (subject, credential kind and id), the route, the record and its version before and after, the status, and when. No request or response body is kept. */
        get: operations["api-list-audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/accept-invitation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the project of an invitation to the signed-in user's address (a session's access token only); switch to it with `POST /v1/auth/switch-project`. */
        post: operations["api-accept-invitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the signed-in user's password, given the current one (a wrong one counts as a failed sign-in). Every other session of the user ends; this one goes on. */
        post: operations["api-change-password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Trade a refresh token for a new access token and a new refresh token. Each refresh token is good once: one presented again ends its whole session. */
        post: operations["api-refresh-session"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with an e-mail address and a password: a 15-minute access token and a refresh token. A wrong password, an unknown address, and an account slowed or locked after failed attempts get the same 401. */
        post: operations["api-sign-in"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session of this access token: its access and refresh tokens stop working at once. Only a session's access token may (403 for an API key or an operator token). */
        post: operations["api-sign-out"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-out-everywhere": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every session of the signed-in user, this one included. */
        post: operations["api-sign-out-everywhere"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/sign-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a user and sign in. On a fresh deployment the first user becomes the owner of the default project; after that sign-up is refused (403) unless the operator opened it, each new user then owning a project of their own. Answers the session's tokens. */
        post: operations["api-sign-up"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/switch-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An access token of the same session for another project the user is a member of; the session's refreshes go on in it (a session's access token only). */
        post: operations["api-switch-project"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/backfills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List backfills, newest first. */
        get: operations["api-list-backfills"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/backfills/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a backfill: its windows, each with its run and status. */
        get: operations["api-get-backfill"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/backfills/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a backfill: no more windows start, its runs in flight are cancelled. */
        post: operations["api-cancel-backfill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connectors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The connector catalog with each connector's spec. */
        get: operations["api-list-connectors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/connectors/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One connector's spec. */
        get: operations["api-get-connector"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List data marts, newest first. */
        get: operations["api-list-data-marts"];
        put?: never;
        /** Create a draft data mart. */
        post: operations["api-create-data-mart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a data mart. */
        get: operations["api-get-data-mart"];
        put?: never;
        post?: never;
        /** Delete a data mart (soft). */
        delete: operations["api-delete-data-mart"];
        options?: never;
        head?: never;
        /** Change a data mart's title or description, or the aliases and descriptions of its schema's fields (`fields`, each by `name`). */
        patch: operations["api-update-data-mart"];
        trace?: never;
    };
    "/v1/data-marts/{id}/backfills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Backfill a date range: one backfill run per window (day, week or month), at most the data mart's max active runs at once. */
        post: operations["api-create-backfill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/definition": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the definition (sql, table, view, table_pattern or connector). */
        put: operations["api-set-data-mart-definition"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/definition/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate the stored definition, or the one in the body, without saving; a sql, table, table_pattern or view definition is planned in the warehouse (a dry run) and its columns returned. */
        post: operations["api-validate-data-mart-definition"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The data marts this one runs after, and those that run after it (upstream triggers, transitively). */
        get: operations["api-get-data-mart-lineage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sample source rows before and after the mapping, with the warnings they raise. */
        post: operations["api-preview-data-mart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish a draft with a valid definition. */
        post: operations["api-publish-data-mart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/query": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Query the data mart with read-only SQL: ${DATA_MART_TABLE} names it, other data marts of the project are named by table name (dm_…), storage tables by schema.table. */
        post: operations["api-query-data-mart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/data-marts/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a data mart's runs, newest first (a deleted mart's too). */
        get: operations["api-list-data-mart-runs"];
        put?: never;
        /** Start a run of a published connector data mart: incremental, or a backfill of a date window. */
        post: operations["api-start-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/destination-kinds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The destination kinds a report can deliver to, each with its config fields (which are required, which secret, their defaults and allowed values). */
        get: operations["api-list-destination-kinds"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/destinations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List destinations, newest first. */
        get: operations["api-list-destinations"];
        put?: never;
        /** Create a destination; secret fields are stored apart and masked. */
        post: operations["api-create-destination"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/destinations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a destination (secrets masked). */
        get: operations["api-get-destination"];
        put?: never;
        post?: never;
        /** Delete a destination and its secret. */
        delete: operations["api-delete-destination"];
        options?: never;
        head?: never;
        /** Change a destination's title or config fields. */
        patch: operations["api-update-destination"];
        trace?: never;
    };
    "/v1/destinations/{id}/rotate-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new data key for a `looker_studio` destination, shown this once; the previous key keeps working for the destination's `key_grace_seconds`, then stops. */
        post: operations["api-rotate-destination-key"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/destinations/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test the destination as its delivery would reach it: reachable, authorized, writable, with a reason when not. A webhook gets a signed request with no rows (`Sluice-Test: true`); a database a login and a look at its privileges; a Google Sheet a token and an edit that changes nothing; mail a session without a message; an export folder a file written and removed. */
        post: operations["api-test-destination"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The files in the project's landing area, in path order. */
        get: operations["api-list-files"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload a file into the project's landing area (the raw body; `curl -T`). `files` sources read it with `store://`; the same path replaces it. */
        put: operations["api-upload-file"];
        post?: never;
        /** Delete a file from the project's landing area. */
        delete: operations["api-delete-file"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's invitations, each `pending`, `accepted`, `revoked` or `expired`, without their tokens. */
        get: operations["api-list-invitations"];
        put?: never;
        /** Invite someone by e-mail address to the project with a role (at most the caller's; `owner` by owners only) and an optional scope of data marts. The answer holds the invitation's token, once: the invitee accepts with it (`POST /v1/auth/accept-invitation`, or `invitation` at sign-up, which it opens where sign-up is closed). Good once, for that address, for 7 days. */
        post: operations["api-create-invitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a pending invitation. */
        delete: operations["api-delete-invitation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the credential names: its kind (`session`, `api_key`, `operator`), project and role, and the user or key. */
        get: operations["api-get-me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's members: their address, role (built-in or custom) and the data marts it is scoped to, if any. */
        get: operations["api-list-members"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/members/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Take a member out of the project: their next request to it is refused. Only owners remove owners; a project keeps an owner (409). */
        delete: operations["api-delete-member"];
        options?: never;
        head?: never;
        /** Change a member's role or scope (`data_marts`, `null` for the whole project). Nobody gives more than their own role; only owners change owners; a project keeps an owner (409). Applies to the member's next request. */
        patch: operations["api-update-member"];
        trace?: never;
    };
    "/v1/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a custom role may grant: each route's permission (`resource:action`), with its method, path, the least built-in role that has it, and whether a role scoped to data marts reaches it. Who has access (keys, members, roles, invitations) is for built-in admins and owners only. */
        get: operations["api-list-permissions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project of the credential: its name and where notifications go. */
        get: operations["api-get-project"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Rename the project, or set the webhook URL SLA misses are POSTed to (write-only: only its origin is shown). */
        patch: operations["api-update-project"];
        trace?: never;
    };
    "/v1/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The projects the caller's user is a member of, each with their role there and whether the credential is for it (an API key or an operator token: its one project). Switch with `POST /v1/auth/switch-project`. */
        get: operations["api-list-projects"];
        put?: never;
        /** Create a project owned by the caller's user (a session's access token only). Its id is in the answer; switch to it with `POST /v1/auth/switch-project`. */
        post: operations["api-create-project"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/report-runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a report run: status, what was delivered where, and its log. */
        get: operations["api-get-report-run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/report-runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a queued or running report run: it is not delivered, or not recorded as delivered. */
        post: operations["api-cancel-report-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/report-runs/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The file an `object_export` report run delivered: a redirect (307) to a link valid for 15 minutes where the object store signs links (S3), else the file itself. */
        get: operations["api-download-report-run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/report-runs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a failed or cancelled report run as its next attempt. */
        post: operations["api-retry-report-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List reports, newest first. */
        get: operations["api-list-reports"];
        put?: never;
        /** Create a report: a data mart query delivered to a destination. */
        post: operations["api-create-report"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a report. */
        get: operations["api-get-report"];
        put?: never;
        post?: never;
        /** Delete a report. */
        delete: operations["api-delete-report"];
        options?: never;
        head?: never;
        /** Change a report. */
        patch: operations["api-update-report"];
        trace?: never;
    };
    "/v1/reports/{id}/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The report's rows, streamed: NDJSON (default), CSV, or JSON with its schema (what a Looker Studio community connector reads). Authenticated by the data key of the report's `looker_studio` destination (`Authorization: Bearer <key>`), not a user token. Served from a cache for the report's `cache_ttl_seconds`, until its data mart's data changes; `x-sluice-cache` says `hit` or `miss`. */
        get: operations["api-get-report-data"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the report's runs, newest first: status, rows, bytes, duration, errors. */
        get: operations["api-list-report-runs"];
        put?: never;
        /** Deliver the report now: a report run is queued to its destination kind's delivery. The body (optional) gives values to the report's parameters. */
        post: operations["api-start-report-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The project's custom roles. */
        get: operations["api-list-roles"];
        put?: never;
        /** Create a custom role: a name and `resource:action` permission patterns (`*` for either side), each granting at least one route of `GET /v1/permissions`. */
        post: operations["api-create-role"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/roles/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A custom role of the project. */
        get: operations["api-get-role"];
        put?: never;
        post?: never;
        /** Delete a custom role; refused (409) while a member or a pending invitation has it. */
        delete: operations["api-delete-role"];
        options?: never;
        head?: never;
        /** Change a custom role's name, description or permissions; applies to its members' next requests. */
        patch: operations["api-update-role"];
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List runs, newest first. */
        get: operations["api-list-runs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a run: status, stages, counters, progress, throughput and its error log. */
        get: operations["api-get-run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a run; nothing more of it is committed. */
        post: operations["api-cancel-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a run live, as server-sent events: an `event: run` whose data is the run's whole state (a `RunUpdate`: `event` `snapshot` first, then the kind of each run event, or `resync` after the stream fell behind), a `: heartbeat` comment every 15 s while it is quiet; the stream ends after the state in which the run is over, or after an access token's lifetime (connect again). Send the credential in the `Authorization` header (read it with fetch: the browser's EventSource sends no header). Served by `sluice serve` only: on AWS the WebSocket API pushes the same updates. */
        get: operations["api-watch-run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a run: workers stop taking its chunks until it is resumed. */
        post: operations["api-pause-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused or interrupted run where it stopped. */
        post: operations["api-resume-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a failed run from its failed chunks, keeping what succeeded. */
        post: operations["api-retry-run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List sources, newest first. */
        get: operations["api-list-sources"];
        put?: never;
        /** Configure a connector as a source; secret fields are stored apart and masked. */
        post: operations["api-create-source"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sources/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a source (secrets masked). */
        get: operations["api-get-source"];
        put?: never;
        post?: never;
        /** Delete a source and its secret. */
        delete: operations["api-delete-source"];
        options?: never;
        head?: never;
        /** Change a source's title or config fields. */
        patch: operations["api-update-source"];
        trace?: never;
    };
    "/v1/sources/{id}/data-marts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create data marts over streams of the source in one request, all or none: one per entry of `marts`, in the storage `storage_id`, each reading one stream (a stream may be read by several, under different titles). An entry without `mapping` gets the one `suggest-mapping` suggests without a target (every field under its name in snake case, with the cast that lands its type) and, when discovery finds the stream's primary key, a `unique_key` rule on it and `write_mode` `merge` unless its `pipeline` names one. Every entry is checked as a definition is (and, with `publish`, as publishing checks it) before any is written; a problem answers 422 naming `marts[i]`'s field. The source is discovered once per request. Answers the data marts created, in the request's order. */
        post: operations["api-create-source-data-marts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sources/{id}/streams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The streams the source offers now, each with its fields, their types and the cast a mapping gives them, its primary key and the columns an incremental run could resume from: a database's tables and views from its catalog, the files at a files source's location from their first rows. With `name`, that stream only (for an HTTP API, the path to read). */
        get: operations["api-list-source-streams"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sources/{id}/suggest-mapping": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suggest the mapping of one of the source's streams, read as discovery reads it: into an existing data mart's columns (`data_mart_id`) or given `columns`, each matched to the field most alike in name (case, separators, a shared prefix, abbreviations) and type, with a score and the reason; or, with neither, every field under its name in snake case with the cast that lands its type. `mapping` is the matched columns, ready for a definition. */
        post: operations["api-suggest-mapping"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sources/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test the source as a run reaches it: reachable, authorized, readable, with a reason when not. A database gets a login and a look at what its user may read; files a listing of their location; an HTTP API one request to its base URL with its credential. Nothing is written. */
        post: operations["api-test-source"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/storages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List storages, newest first. */
        get: operations["api-list-storages"];
        put?: never;
        /** Create a storage. */
        post: operations["api-create-storage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/storages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a storage. */
        get: operations["api-get-storage"];
        put?: never;
        post?: never;
        /** Delete a storage no live data mart uses. */
        delete: operations["api-delete-storage"];
        options?: never;
        head?: never;
        /** Change a storage's title or config. */
        patch: operations["api-update-storage"];
        trace?: never;
    };
    "/v1/triggers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List triggers, newest first. */
        get: operations["api-list-triggers"];
        put?: never;
        /** Schedule a data mart or a report: cron + IANA time zone. */
        post: operations["api-create-trigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/triggers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a trigger with its next fire times. */
        get: operations["api-get-trigger"];
        put?: never;
        post?: never;
        /** Delete a trigger. */
        delete: operations["api-delete-trigger"];
        options?: never;
        head?: never;
        /** Change, enable or disable a trigger. */
        patch: operations["api-update-trigger"];
        trace?: never;
    };
    "/v1/value-maps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List value maps, by id (ids derive from names, not from the time). */
        get: operations["api-list-value-maps"];
        put?: never;
        /** Create a value map: a lookup table a mapping's `map` op applies. */
        post: operations["api-create-value-map"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/value-maps/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a value map with its entries. */
        get: operations["api-get-value-map"];
        put?: never;
        post?: never;
        /** Delete a value map no live data mart's definition applies. */
        delete: operations["api-delete-value-map"];
        options?: never;
        head?: never;
        /** Change a value map's title, description, case matching or entries (not its name). */
        patch: operations["api-update-value-map"];
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description `POST /v1/invitations/accept`. */
        AcceptInvitation: {
            /** @description The invitation's token. */
            token: string;
        };
        AggregateFunction: ("sum" | "avg" | "min" | "max" | "count" | "count_distinct") | "percentile";
        Aggregation: {
            /** @description The output name. */
            alias: string;
            /** @description The column aggregated; none for `count` of rows. */
            column?: string | null;
            function: components["schemas"]["AggregateFunction"];
            /**
             * Format: double
             * @description For `percentile`: 0 to 1 (0.5 the median).
             */
            percentile?: number | null;
        };
        /** @description Fields every entity carries. */
        Alarm: {
            /** Format: date-time */
            acknowledged_at?: string | null;
            /** @description Who acknowledged it (a credential's subject). */
            acknowledged_by?: string | null;
            /**
             * Format: uint64
             * @description How many times it was raised.
             */
            count: number;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            /** Format: date-time */
            first_raised_at: string;
            id: components["schemas"]["Id"];
            kind: components["schemas"]["AlarmKind"];
            /** Format: date-time */
            last_raised_at: string;
            /** @description The run (or report run) that raised it last. */
            last_run_id?: components["schemas"]["Id"] | null;
            /** @description What happened last time, in a line (a run's error, cut). */
            message: string;
            project_id: components["schemas"]["Id"];
            state: components["schemas"]["AlarmState"];
            /** @description The record it is about: a data mart, or a report. */
            subject_id: components["schemas"]["Id"];
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        AlarmKind: "run_failed" | "sla_missed" | "stuck_run_resumed" | "delivery_failing" | "dead_letters";
        /** @enum {string} */
        AlarmState: "open" | "acknowledged";
        /** @description An API key as the API shows one: never its secret. */
        ApiKeyView: {
            /** Format: date-time */
            created_at: string;
            /** @description Who created it (a user's id, or another credential's subject). */
            created_by: string;
            /** Format: date-time */
            expires_at?: string | null;
            id: components["schemas"]["Id"];
            /**
             * Format: date-time
             * @description When it was last used, to the minute; `null` if never.
             */
            last_used_at?: string | null;
            name: string;
            /** @description The visible part: the key starts `slk_<prefix>_`. */
            prefix: string;
            project_id: components["schemas"]["Id"];
            role: components["schemas"]["Role"];
        };
        /** @description Athena over Parquet in S3. */
        AthenaConfig: {
            /**
             * @description Base of the Glue/Athena databases the data marts' tables are created in:
             *     each project's are in `{database}_{project id}`.
             */
            database: string;
            /** @description `s3://bucket/prefix/` where Athena writes query results. */
            output_location: string;
            /** @description AWS region, e.g. `eu-west-1`. */
            region: string;
            /**
             * @description Athena workgroup.
             * @default primary
             */
            workgroup?: string;
        };
        /** @description One finished attempt of a run that was retried. */
        Attempt: {
            /** Format: uint32 */
            attempt: number;
            /** @default null */
            error?: string | null;
            /**
             * Format: date-time
             * @default null
             */
            finished_at?: string | null;
            /**
             * Format: date-time
             * @default null
             */
            started_at?: string | null;
            status: components["schemas"]["RunStatus"];
        };
        /** @description Who wrote: the credential's subject and kind, and which credential. */
        AuditActor: {
            /** @description `session`, `api_key` or `operator`. */
            credential: string;
            /**
             * @description The session or the API key the request came with (none for an operator
             *     token).
             */
            credential_id?: string | null;
            /** @description A user's id, an API key's id, or an operator token's subject. */
            subject: string;
        };
        /** @description An entry as `GET /v1/audit` shows it. */
        AuditEntryView: {
            action: string;
            actor: components["schemas"]["AuditActor"];
            /**
             * Format: date-time
             * @description When the write was answered.
             */
            at: string;
            created_id?: string | null;
            id: components["schemas"]["Id"];
            method: string;
            path: string;
            resource?: components["schemas"]["AuditResource"] | null;
            /** Format: uint16 */
            status: number;
            /** Format: uint64 */
            version_after?: number | null;
            /** Format: uint64 */
            version_before?: number | null;
        };
        /** @description The record a write was on. */
        AuditResource: {
            id: string;
            /** @description `data_mart`, `source`, `api_key`… */
            kind: string;
        };
        /** @description Fields every entity carries. */
        Backfill: {
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            data_mart_id: components["schemas"]["Id"];
            /** Format: date-time */
            deleted_at?: string | null;
            /**
             * Format: date-time
             * @default null
             */
            finished_at?: string | null;
            /** Format: date */
            from: string;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            /** @description Changed only by [`Backfill::cancel`] and [`Backfill::settle`]. */
            status: components["schemas"]["BackfillStatus"];
            /** Format: date */
            to: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
            /**
             * Format: date-time
             * @description When the scheduler looks at it again (start windows as slots free up).
             * @default null
             */
            wake_at?: string | null;
            window: components["schemas"]["WindowSize"];
            windows: components["schemas"]["BackfillWindow"][];
        };
        BackfillStatus: ("running" | "succeeded" | "cancelled") | "failed";
        BackfillWindow: {
            /** Format: date */
            from: string;
            /** @default null */
            run_id?: components["schemas"]["Id"] | null;
            /**
             * @description The run's status when last looked at; `None` until it starts.
             * @default null
             */
            status?: components["schemas"]["RunStatus"] | null;
            /** Format: date */
            to: string;
        };
        /** @enum {string} */
        Bucket: "hour" | "day" | "week" | "month" | "quarter" | "year";
        /** @description string, int, float, decimal (38 digits, 9 after the point), decimal(p,s) (precision 1-38, scale 0-p), bool, date, timestamp or json. */
        CastType: string;
        /**
         * @description What to do with fires missed while the platform was down.
         * @enum {string}
         */
        CatchUp: "skip" | "latest" | "all";
        /** @description `POST /v1/auth/password`. */
        ChangePassword: {
            current_password: string;
            /** @description 10 to 256 characters. */
            new_password: string;
        };
        /** @description How one part answered. */
        CheckState: "ok" | "failed" | "timed_out";
        /** @description A column of a query result. */
        ColumnInfo: {
            name: string;
            /** @description The engine's type name (`Int64`, `Utf8`, `varchar`, …). */
            type: string;
        };
        ColumnMapping: {
            /** @default null */
            cast?: components["schemas"]["CastType"] | null;
            /**
             * @description Value used when the result is null.
             * @default null
             */
            default?: unknown;
            /**
             * @description Drop the source column from the output.
             * @default false
             */
            exclude?: boolean;
            /**
             * @description SQL expression over the row's source columns.
             * @default null
             */
            expression?: string | null;
            /**
             * @description String operations applied in order.
             * @default []
             */
            ops?: components["schemas"]["StringOp"][];
            /**
             * @description Source column; omitted when `expression` computes the value.
             * @default null
             */
            source?: string | null;
            /** @description Output column name. */
            target: string;
        };
        /** @description One step of a destination's connection test. */
        ConnectionCheck: {
            /** @description `reachable`, `authorized` or `writable`. */
            check: string;
            ok: boolean;
            /** @description Why not (or what was checked); never a credential. */
            reason?: string | null;
        };
        ConnectorSpec: {
            config: components["schemas"]["FieldSpec"][];
            description: string;
            name: string;
            streams: components["schemas"]["StreamSpec"][];
            title: string;
        };
        /** @description `POST /v1/api-keys`. */
        CreateApiKey: {
            /**
             * Format: date-time
             * @description When it stops working (RFC 3339, in the future); never if omitted.
             * @default null
             */
            expires_at?: string | null;
            /** @description What the key is for (`ci`, `airflow`), 1-100 characters. */
            name: string;
            /** @description At most the creator's own role. */
            role: components["schemas"]["Role"];
        };
        /** @description `POST /v1/data-marts/{id}/backfills` */
        CreateBackfill: {
            /**
             * Format: date
             * @description First day (inclusive), `YYYY-MM-DD`.
             */
            from: string;
            /**
             * Format: date
             * @description Last day (exclusive), `YYYY-MM-DD`.
             */
            to: string;
            /** @description `day`, `week` or `month` per run. */
            window: components["schemas"]["WindowSize"];
        };
        /** @description `POST /v1/roles`. */
        CreateCustomRole: {
            /** @default  */
            description?: string;
            /** @description 1-100 characters, unique in the project. */
            name: string;
            /**
             * @description `resource:action` patterns (`data-mart:get`, `run:*`, `*:list`); each
             *     must grant at least one route. See `GET /v1/permissions`.
             */
            permissions: string[];
        };
        /** @description A key just created: the key itself, shown this once, and its record. */
        CreatedApiKey: {
            /** Format: date-time */
            created_at: string;
            /** @description Who created it (a user's id, or another credential's subject). */
            created_by: string;
            /** Format: date-time */
            expires_at?: string | null;
            id: components["schemas"]["Id"];
            /** @description Send as `Authorization: Bearer <key>`. Shown once: it cannot be read again. */
            key: string;
            /**
             * Format: date-time
             * @description When it was last used, to the minute; `null` if never.
             */
            last_used_at?: string | null;
            name: string;
            /** @description The visible part: the key starts `slk_<prefix>_`. */
            prefix: string;
            project_id: components["schemas"]["Id"];
            role: components["schemas"]["Role"];
        };
        /** @description `POST /v1/data-marts`: a new draft. */
        CreateDataMart: {
            description?: string | null;
            storage_id: string;
            title: string;
        };
        /**
         * @description What `POST /v1/sources/{id}/data-marts` answers: the data marts created, in
         *     the order the request gave them.
         */
        CreatedDataMarts: {
            items: components["schemas"]["DataMart"][];
        };
        /** @description `POST /v1/destinations` */
        CreateDestination: {
            /** @default {} */
            config?: {
                [key: string]: unknown;
            };
            /** @description One of `object_export`, `webhook`, `email`, `google_sheets`, `database`. */
            kind: string;
            title: string;
        };
        /** @description `POST /v1/invitations`. */
        CreateInvitation: {
            /**
             * @description The data marts the role reaches; left out for the whole project.
             * @default null
             */
            data_marts?: components["schemas"]["Id"][] | null;
            /** @description Who may accept it. */
            email: string;
            role: components["schemas"]["RoleRef"];
        };
        /** @description `POST /v1/projects`. */
        CreateProject: {
            /** @description 1-200 characters. */
            name: string;
        };
        /** @description `POST /v1/reports` */
        CreateReport: {
            /**
             * Format: uint32
             * @description Seconds the data endpoint serves a result from its cache: 60 to 604800,
             *     default 300.
             * @default 300
             */
            cache_ttl_seconds?: number;
            data_mart_id: string;
            destination_id: string;
            /**
             * @description Output controls over the data mart; or `query`.
             * @default null
             */
            output?: components["schemas"]["OutputControls"] | null;
            /** @description Read-only SQL over the data mart (`${DATA_MART_TABLE}`); or `output`. */
            query?: string | null;
            title: string;
        };
        /** @description `POST /v1/sources` */
        CreateSource: {
            /**
             * @description Config fields of the connector, secret ones included (they are stored apart).
             * @default {}
             */
            config?: {
                [key: string]: unknown;
            };
            /** @description Name of a connector in `GET /v1/connectors`. */
            connector: string;
            title: string;
        };
        /**
         * @description `POST /v1/sources/{id}/data-marts`: data marts over streams of one source,
         *     created together or not at all.
         */
        CreateSourceDataMarts: {
            /**
             * @description One per data mart, in the order the response lists them; a stream may
             *     be named by several.
             */
            marts: components["schemas"]["SourceDataMart"][];
            /**
             * @description Publish each one as it is created (its definition passes the checks
             *     publishing makes).
             * @default false
             */
            publish?: boolean;
            /** @description The storage every one of them lands in. */
            storage_id: string;
        };
        /** @description What `POST /v1/storages` accepts, for its schema: `config` by `kind`. */
        CreateStorage: {
            config: components["schemas"]["AthenaConfig"];
            /** @constant */
            kind: "athena";
            title: string;
        } | {
            /**
             * @description Leave out (or `null`) for the defaults.
             * @default null
             */
            config?: components["schemas"]["LocalConfig"] | null;
            /** @constant */
            kind: "local";
            title: string;
        };
        /** @description `POST /v1/triggers` */
        CreateTrigger: {
            /** @default skip */
            catch_up?: components["schemas"]["CatchUp"];
            /**
             * Format: uint32
             * @default 10
             */
            catch_up_cap?: number;
            /**
             * @description A schedule; or set `upstream` instead.
             * @default null
             */
            cron?: string | null;
            /** @default true */
            enabled?: boolean;
            /**
             * @default {
             *       "backoff_seconds": 60,
             *       "max_retries": 2
             *     }
             */
            retry?: components["schemas"]["RetryPolicy"];
            /** Format: uint32 */
            sla_seconds?: number | null;
            target_id: string;
            target_kind: components["schemas"]["TargetKind"];
            /** @default UTC */
            timezone?: string;
            /** @description Fire on success of upstream data marts instead of a schedule. */
            upstream?: components["schemas"]["UpstreamRequest"] | null;
            /** @default wait */
            when_busy?: components["schemas"]["WhenBusy"];
        };
        /** @description `POST /v1/value-maps` */
        CreateValueMap: {
            /**
             * @description Keys match regardless of case (default `false`).
             * @default false
             */
            case_insensitive?: boolean;
            /** @default null */
            description?: string | null;
            /**
             * @description At most 10,000, keys unique.
             * @default []
             */
            entries?: components["schemas"]["Entry"][];
            /**
             * @description Unique in the project: a lower-case letter, then up to 63 lower-case
             *     letters, digits or `_`.
             */
            name: string;
            title: string;
        };
        /** @description A custom role as `GET /v1/me` shows it. */
        CustomRoleGrant: {
            name: string;
            /** @description `resource:action` patterns. */
            permissions: string[];
        };
        /** @description A custom role as the API shows one. */
        CustomRoleView: {
            /** Format: date-time */
            created_at: string;
            description: string;
            id: components["schemas"]["Id"];
            name: string;
            /** @description `resource:action` patterns; `*` stands for any resource or action. */
            permissions: string[];
            project_id: components["schemas"]["Id"];
            /** Format: date-time */
            updated_at: string;
            /** Format: uint64 */
            version: number;
        };
        /** @description Fields every entity carries. */
        DataMart: {
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** @default null */
            definition?: components["schemas"]["Definition"] | null;
            /** Format: date-time */
            deleted_at?: string | null;
            /** @default null */
            description?: string | null;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            /**
             * Format: date-time
             * @default null
             */
            published_at?: string | null;
            /**
             * @description Columns of the landed table (filled in by runs).
             * @default []
             */
            schema?: components["schemas"]["SchemaField"][];
            status: components["schemas"]["DataMartStatus"];
            storage_id: components["schemas"]["Id"];
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        /** @enum {string} */
        DataMartStatus: "draft" | "published";
        /** @description Where a data mart's rows come from. */
        Definition: {
            /** @constant */
            kind: "sql";
            query: string;
        } | {
            /** @constant */
            kind: "table";
            table: string;
        } | {
            /** @constant */
            kind: "view";
            query: string;
        } | {
            /** @constant */
            kind: "table_pattern";
            pattern: string;
        } | {
            /** @constant */
            kind: "connector";
            /**
             * @default {
             *       "batch_size": 5000,
             *       "error_policy": "fail_fast",
             *       "lookback_days": 0,
             *       "max_active_runs": 1,
             *       "parallelism": 4,
             *       "post_sql": [],
             *       "pre_sql": [],
             *       "write_mode": "append"
             *     }
             */
            pipeline?: components["schemas"]["PipelineSettings"];
            source_id: components["schemas"]["Id"];
            streams: components["schemas"]["StreamSelection"][];
        };
        /** @description What a delivery left where it went. */
        Delivered: {
            /** @description The file format written (`csv`, `ndjson`, `parquet`). */
            format?: string | null;
            /**
             * Format: uint16
             * @description For a webhook: the status its receiver answered.
             */
            status?: number | null;
            /**
             * @description Where the rows went, in words that carry no credential: an export's file
             *     name, a webhook's origin.
             */
            target: string;
        };
        /**
         * @description A destination kind as the catalog shows it: what it is and the config fields
         *     a destination of it takes (the form a console draws from them).
         */
        DestinationKindSpec: {
            config: components["schemas"]["FieldSpec"][];
            description: string;
            /** @description As `kind` names it in `POST /v1/destinations`. */
            kind: string;
            title: string;
        };
        /** @description `POST /v1/destinations/{id}/test`: whether a report could be delivered now. */
        DestinationTest: {
            /**
             * @description `reachable`, `authorized`, `writable`, in order; a check after a
             *     failed one is not tried.
             */
            checks: components["schemas"]["ConnectionCheck"][];
            /** @description Every check passed. */
            ok: boolean;
        };
        /** @description Response shape of a destination: settings with secrets masked. */
        DestinationView: {
            /** @description Config with every secret field shown as `********`. */
            config: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            id: components["schemas"]["Id"];
            kind: string;
            project_id: components["schemas"]["Id"];
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        Dimension: {
            alias?: string | null;
            /** @description Cut dates and timestamps to this unit. */
            bucket?: components["schemas"]["Bucket"] | null;
            column: string;
        };
        /** @description A field of a discovered stream. */
        DiscoveredField: {
            /** @description The cast a mapping gives it to land it with its type. */
            cast: components["schemas"]["CastType"];
            name: string;
            /** @description Whether it may be empty: from the catalog, or seen empty in the sample. */
            nullable: boolean;
            /**
             * @description The source's own type (`numeric(12,2)`, `timestamp with time zone`), or
             *     for a sampled field what its values read as (`integer`, `text`, …).
             */
            source_type: string;
        };
        /** @description A stream a source offers. */
        DiscoveredStream: {
            /**
             * @description The columns an incremental run could resume from: dates, timestamps and
             *     integers.
             */
            cursor_candidates: string[];
            fields: components["schemas"]["DiscoveredField"][];
            /**
             * @description How the fields were found: `catalog` (the source describes them) or
             *     `sample` (read from the stream's first rows).
             */
            found_by: components["schemas"]["FoundBy"];
            /** @description As a data mart's definition names it (`public.orders`, `orders/2026.csv`). */
            name: string;
            /**
             * @description The columns that identify a row (a table's primary key); empty when the
             *     source declares none.
             */
            primary_key: string[];
        };
        /** @description One key of a map and the value it stands for. */
        Entry: {
            /**
             * @description The text a column's value is matched against (numbers and booleans are
             *     matched by their text: `3`, `true`).
             */
            key: string;
            /** @description A string, number, boolean or `null`. */
            value: string | number | boolean | null;
        };
        Error: {
            error: {
                /** @description Stable machine-readable code, e.g. `validation_failed`. */
                code: string;
                /** @description For validation errors: `field` (dotted path) and `reason`. */
                details: Record<string, never>;
                message: string;
            };
        };
        /** @enum {string} */
        ErrorPolicy: "fail_fast" | "continue" | "skip_and_log";
        /** @description What people write about one field of a data mart's schema. */
        FieldNotes: {
            /**
             * @description The name people read it by (at most 128 characters, unique in the
             *     schema); `null` clears it.
             * @default null
             */
            alias?: string | null;
            /**
             * @description `null` clears it.
             * @default null
             */
            description?: string | null;
            /** @description The field's `name` in the schema. */
            name: string;
        };
        /** @description One config field of a connector or destination. */
        FieldSpec: {
            default?: unknown;
            description: string;
            name: string;
            /**
             * @description Allowed values, when the field is an enumeration (empty otherwise; always
             *     present, as the schema says).
             */
            one_of: string[];
            required: boolean;
            /** @description Write-only: stored in Secrets, masked in every response. */
            secret: boolean;
            type: components["schemas"]["FieldType"];
        };
        FieldStatus: "connected" | "new" | "missing" | "type_changed";
        FieldType: ("string" | "integer" | "number" | "boolean") | "string_list" | "string_map" | "object";
        /** @description A file of the landing area. */
        FileView: {
            /** @description The `files` source location of its folder (`store://orders/`). */
            location: string;
            /** Format: date-time */
            modified_at: string;
            /** @description Path within the landing area, e.g. `orders/2026-11.csv`. */
            path: string;
            /** Format: uint64 */
            size: number;
        };
        Filter: {
            column: string;
            op: components["schemas"]["FilterOp"];
            /**
             * @description A value (an array for `in`, `not_in` and `between`), or
             *     `{"param": "name"}` for a declared parameter. None for `is_null` and
             *     `is_not_null`.
             */
            value?: unknown;
        };
        /** @enum {string} */
        FilterOp: "eq" | "ne" | "lt" | "lte" | "gt" | "gte" | "in" | "not_in" | "between" | "contains" | "starts_with" | "is_null" | "is_not_null";
        /** @description One fire of a trigger and what came of it. */
        Fire: {
            cause: components["schemas"]["FireCause"];
            detail?: string | null;
            /** Format: date-time */
            fired_at: string;
            outcome: components["schemas"]["FireOutcome"];
            run_id?: components["schemas"]["Id"] | null;
            /** Format: date-time */
            scheduled_for: string;
        };
        /** @description Why a fire happened. */
        FireCause: "schedule" | "catch_up" | "upstream";
        FireOutcome: "started" | "skipped_busy" | "skipped_missed" | "not_runnable";
        /** @enum {string} */
        FoundBy: "catalog" | "sample";
        /** @description The answer of `GET /health`. */
        HealthView: {
            /**
             * @description Each part this process uses (`store`, `secrets`, `queue`, `objects`,
             *     `warehouse`) and how it answered.
             */
            checks: {
                [key: string]: components["schemas"]["CheckState"];
            };
            /** @description `ok` when every part answered, `unavailable` (with status 503) when one did not. */
            status: string;
            version: string;
        };
        /** @description Kind-prefixed ULID, e.g. `dm_01JD3Z6Q8H4W9V2C5N7R0T1B3K`. */
        Id: string;
        /**
         * @description An invitation as the API shows one; `token` only in the answer that
         *     created it.
         */
        InvitationView: {
            /** Format: date-time */
            accepted_at?: string | null;
            /** Format: date-time */
            created_at: string;
            created_by: string;
            data_marts?: components["schemas"]["Id"][] | null;
            email: string;
            /** Format: date-time */
            expires_at: string;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            role: components["schemas"]["RoleRef"];
            /** @description `pending`, `accepted`, `revoked` or `expired`. */
            state: string;
            /**
             * @description The invitation's secret, shown once: the invitee accepts with it
             *     (`POST /v1/invitations/accept`, or `invitation` at sign-up).
             */
            token?: string | null;
        };
        /** @description `POST /v1/destinations/{id}/rotate-key`: the new key, shown this once. */
        IssuedKey: {
            destination_id: components["schemas"]["Id"];
            /** Format: date-time */
            issued_at: string;
            /** @description Send as `Authorization: Bearer <key>` to `GET /v1/reports/{id}/data`. */
            key: string;
            /**
             * Format: date-time
             * @description Until when the key this one replaced still works; `null` when there was
             *     none, or the destination's `key_grace_seconds` is 0.
             */
            previous_key_valid_until?: string | null;
        };
        /** @description An Ed25519 public key as a JWK (RFC 8037). */
        Jwk: {
            /** @description `EdDSA`. */
            alg: string;
            /** @description `Ed25519`. */
            crv: string;
            /** @description The key's RFC 7638 thumbprint, as tokens' headers name it. */
            kid: string;
            /** @description `OKP`. */
            kty: string;
            /** @description `sig`. */
            use: string;
            /** @description The public key, base64url. */
            x: string;
        };
        /** @description A JWK Set of public keys (RFC 7517). */
        Jwks: {
            keys: components["schemas"]["Jwk"][];
        };
        /**
         * @description `GET /v1/data-marts/{id}/lineage`: the data marts this one waits on, and those
         *     that wait on it, through upstream triggers, transitively.
         */
        Lineage: {
            data_mart_id: components["schemas"]["Id"];
            /** @description Nearest first. */
            downstream: components["schemas"]["LineageLink"][];
            /**
             * @description Every dependency between two data marts of the lineage (this one, its
             *     upstream and its downstream): the graph to draw, where `upstream` and
             *     `downstream` list each mart once, by its nearest link.
             */
            edges: components["schemas"]["LineageEdge"][];
            /** @description Nearest first. */
            upstream: components["schemas"]["LineageLink"][];
        };
        /** @description One dependency: `downstream` runs after `upstream` through `trigger_id`. */
        LineageEdge: {
            downstream: components["schemas"]["Id"];
            mode: components["schemas"]["UpstreamMode"];
            /** @description The upstream trigger that makes it (on the downstream data mart). */
            trigger_id: components["schemas"]["Id"];
            upstream: components["schemas"]["Id"];
        };
        LineageLink: {
            data_mart_id: components["schemas"]["Id"];
            /**
             * Format: uint32
             * @description 1 for a direct link.
             */
            depth: number;
            mode: components["schemas"]["UpstreamMode"];
            /** @description The upstream trigger that makes the link (on the downstream data mart). */
            trigger_id: components["schemas"]["Id"];
        };
        /** @description A page of a list, newest first. */
        List: {
            items: components["schemas"]["ConnectorSpec"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List2: {
            items: components["schemas"]["DestinationKindSpec"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List3: {
            items: components["schemas"]["Storage"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List4: {
            items: components["schemas"]["SourceView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List5: {
            items: components["schemas"]["DataMart"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List6: {
            items: components["schemas"]["DestinationView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List7: {
            items: components["schemas"]["Report"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List8: {
            items: components["schemas"]["ReportRun"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List9: {
            items: components["schemas"]["TriggerView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List10: {
            items: components["schemas"]["ValueMap"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List11: {
            items: components["schemas"]["Run"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List12: {
            items: components["schemas"]["Backfill"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List13: {
            items: components["schemas"]["FileView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List14: {
            items: components["schemas"]["ApiKeyView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List15: {
            items: components["schemas"]["AuditEntryView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List16: {
            items: components["schemas"]["Alarm"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List17: {
            items: components["schemas"]["ProjectMembership"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List18: {
            items: components["schemas"]["MemberView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List19: {
            items: components["schemas"]["PermissionView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List20: {
            items: components["schemas"]["CustomRoleView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description A page of a list, newest first. */
        List21: {
            items: components["schemas"]["InvitationView"][];
            /** @description Pass as `cursor` to get the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description The embedded engine over Parquet files under the data directory. */
        LocalConfig: {
            /**
             * @description Schema (folder) the data marts' tables are created in.
             * @default main
             */
            schema?: string;
        };
        /** @description One line of a report run's log: an attempt, a retry, what was sent. */
        LogLine: {
            /** Format: date-time */
            at: string;
            message: string;
        };
        /** @description How a stream's columns become the mart's columns, and what rows must satisfy. */
        Mapping: {
            /** @default [] */
            columns?: components["schemas"]["ColumnMapping"][];
            /** @default [] */
            rules?: components["schemas"]["ValidationRule"][];
        };
        /** @description `GET /v1/me`: who the credential names. */
        Me: {
            /** @description The key, for an API key. */
            api_key?: components["schemas"]["ApiKeyView"] | null;
            /** @description `session` (a user's sign-in), `api_key` or `operator` (`sluice token`). */
            credential: string;
            /** @description The custom role's name and permissions, for one. */
            custom?: components["schemas"]["CustomRoleGrant"] | null;
            /** @description The data marts the role reaches; absent for the whole project. */
            data_marts?: components["schemas"]["Id"][] | null;
            project_id: components["schemas"]["Id"];
            /** @description A built-in role, or the id of a custom role (`custom` names it). */
            role: components["schemas"]["RoleRef"];
            /** @description The session's id, for a session. */
            session_id?: components["schemas"]["Id"] | null;
            /** @description What the credential's requests are created by. */
            subject: string;
            /** @description The user, for a session. */
            user?: components["schemas"]["UserView"] | null;
        };
        /** @description A member as the API shows one. */
        MemberView: {
            /** Format: date-time */
            created_at: string;
            /** @description The data marts the role reaches; absent for the whole project. */
            data_marts?: components["schemas"]["Id"][] | null;
            email: string;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            role: components["schemas"]["RoleRef"];
            /** Format: date-time */
            updated_at: string;
            user_id: components["schemas"]["Id"];
            /** Format: uint64 */
            version: number;
        };
        /**
         * @description Which runs the project hears about: data mart runs and report runs that
         *     fail (on unless switched off) or succeed (off unless switched on), told to
         *     the project's webhook, Slack, Teams, and these addresses.
         */
        Notifications: {
            /**
             * @description Addresses mailed (at most 50).
             * @default []
             */
            emails?: string[];
            /** @default true */
            on_failure?: boolean;
            /** @default false */
            on_success?: boolean;
        };
        OutputColumn: {
            alias?: string | null;
            column: string;
        };
        OutputControls: {
            aggregations?: components["schemas"]["Aggregation"][];
            /**
             * @description The columns delivered, in this order, each under its alias. Empty: every
             *     column of the data mart (or, when grouping, the dimensions then the
             *     aggregations).
             */
            columns?: components["schemas"]["OutputColumn"][];
            /** @description Rows kept: every filter holds. */
            filters?: components["schemas"]["Filter"][];
            /** @description Dimensions to group by; with `aggregations`, one row per combination. */
            group_by?: components["schemas"]["Dimension"][];
            /**
             * Format: uint64
             * @description At most this many rows (the totals row aside).
             */
            limit?: number | null;
            /** @description Values filters take from a run or a request (`{"param": "country"}`). */
            parameters?: components["schemas"]["Parameter"][];
            /** @description Order of the rows, by output names (aliases). */
            sort?: components["schemas"]["SortKey"][];
            /** @description IANA time zone that date buckets of timestamps are cut in (default UTC). */
            time_zone?: string | null;
            /** @description A last row of the aggregations over every filtered row (dimensions null). */
            totals?: boolean;
        };
        Parameter: {
            /**
             * @description Taken when a run or request gives none; without one the parameter is
             *     required.
             */
            default?: unknown;
            name: string;
            type: components["schemas"]["ParameterKind"];
        };
        ParameterKind: ("string" | "number" | "boolean") | "date";
        /**
         * @description A fire claimed by a tick and not started yet: waiting for a free run slot, or
         *     left by a tick that stopped half-way (the next tick starts it; its run id is
         *     derived from `key`, so it starts once).
         */
        PendingFire: {
            cause: components["schemas"]["FireCause"];
            /** @description `schedule:{instant}` or `upstream:{run id}`: names the fire, and its run. */
            key: string;
            /** Format: date-time */
            scheduled_for: string;
        };
        /** @description A permission a custom role may grant, and the route it opens. */
        PermissionView: {
            /** @description The least built-in role that has it. */
            builtin_role: components["schemas"]["Role"];
            method: string;
            path: string;
            /** @description `resource:action`. */
            permission: string;
            /** @description Whether a role scoped to data marts reaches it. */
            scopable: boolean;
            summary: string;
        };
        /** @description How a run moves the data. */
        PipelineSettings: {
            /**
             * Format: uint32
             * @description Rows per chunk, 100-100,000. Each chunk is held in memory whole while it
             *     is read and transformed (up to `parallelism` of them at once); larger
             *     chunks cost fewer writes and records per row, which a database table of
             *     millions of rows gains from.
             * @default 5000
             */
            batch_size?: number;
            /** @default fail_fast */
            error_policy?: components["schemas"]["ErrorPolicy"];
            /**
             * Format: uint32
             * @description Incremental runs start this many days before the saved cursor, to pick up
             *     late-arriving data (0-90).
             * @default 0
             */
            lookback_days?: number;
            /**
             * Format: uint32
             * @description Runs of this mart allowed at once, 1-16.
             * @default 1
             */
            max_active_runs?: number;
            /**
             * Format: uint32
             * @description Chunks in flight, 1-16.
             * @default 4
             */
            parallelism?: number;
            /**
             * @description SQL checks run against the table after the commit.
             * @default []
             */
            post_sql?: string[];
            /**
             * @description SQL checks run against the table before the commit (`${DATA_MART_TABLE}`
             *     names it); a failing query fails the run.
             * @default []
             */
            pre_sql?: string[];
            /** @default append */
            write_mode?: components["schemas"]["WriteMode"];
        };
        /**
         * @description A few source rows before and after the mapping, side by side, with the
         *     warnings they raise.
         */
        Preview: {
            after: components["schemas"]["QueryResult"];
            before: components["schemas"]["QueryResult"];
            stream: string;
            warnings: components["schemas"]["PreviewWarning"][];
        };
        /** @description `POST /v1/data-marts/{id}/preview` */
        PreviewRequest: {
            /**
             * @description A definition to try instead of the saved one (nothing is saved).
             * @default null
             */
            definition?: {
                [key: string]: unknown;
            } | null;
            /**
             * Format: uint32
             * @description Sample rows, 1-1,000 (default 20).
             * @default null
             */
            limit?: number | null;
            /**
             * Format: uint32
             * @description Index of the stream in the definition (default 0).
             * @default null
             */
            stream?: number | null;
        };
        PreviewWarning: {
            column?: string | null;
            /**
             * @description `type_mismatch`, `null_in_not_null`, `not_allowed`, `duplicate_key`,
             *     `bad_row`, `schema_mismatch`.
             */
            kind: string;
            reason: string;
            /**
             * Format: uint64
             * @description Sample row, from 1; absent for warnings about the whole table.
             */
            row?: number | null;
        };
        /** @description A problem found in a definition. */
        Problem: {
            field: string;
            reason: string;
        };
        /** @description The project: the tenant every other record belongs to. */
        Project: {
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            id: components["schemas"]["Id"];
            name: string;
            /**
             * @description Which ends of runs are announced, and to whom by e-mail.
             * @default {
             *       "emails": [],
             *       "on_failure": true,
             *       "on_success": false
             *     }
             */
            notifications?: components["schemas"]["Notifications"];
            project_id: components["schemas"]["Id"];
            /** @description A Slack incoming webhook notifications are posted to. */
            slack?: components["schemas"]["WebhookInfo"] | null;
            /** @description A Microsoft Teams incoming webhook notifications are posted to. */
            teams?: components["schemas"]["WebhookInfo"] | null;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
            /**
             * @description Where notifications go as JSON (runs that end, SLA misses). The URL
             *     itself is a secret (it often carries a token): only its host is shown.
             * @default null
             */
            webhook?: components["schemas"]["WebhookInfo"] | null;
        };
        /** @description A project as its member sees it in their list. */
        ProjectMembership: {
            /** @description Whether the request's credential is for this project. */
            current: boolean;
            data_marts?: components["schemas"]["Id"][] | null;
            name: string;
            project_id: components["schemas"]["Id"];
            /** @description The caller's role there. */
            role: components["schemas"]["RoleRef"];
        };
        /** @description A new access token for another project of the same session. */
        ProjectToken: {
            /** @description Send as `Authorization: Bearer <access_token>`. */
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            project_id: components["schemas"]["Id"];
            role: components["schemas"]["RoleRef"];
            /** @description Always `Bearer`. */
            token_type: string;
        };
        /** @description `POST /v1/data-marts/{id}/query` */
        QueryRequest: {
            /**
             * @description The `next_page` of the previous page.
             * @default null
             */
            page?: string | null;
            /**
             * Format: uint32
             * @description Rows per page, 1-10,000 (default 100).
             * @default null
             */
            page_size?: number | null;
            /** @description Read-only SQL; `${DATA_MART_TABLE}` names this data mart's table. */
            sql: string;
        };
        /** @description Rows a query or a preview answers with. */
        QueryResult: {
            columns: components["schemas"]["ColumnInfo"][];
            next_page?: string | null;
            rows: unknown[][];
        };
        /** @description `POST /v1/auth/refresh`. */
        Refresh: {
            /** @description The refresh token of the last sign-in or refresh; good once. */
            refresh_token: string;
        };
        /** @description Fields every entity carries. */
        Report: {
            /**
             * Format: uint32
             * @description How long the data endpoint serves a result again from its cache, in
             *     seconds (60 to a week); a run of the data mart ends it sooner.
             */
            cache_ttl_seconds: number;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            data_mart_id: components["schemas"]["Id"];
            /** Format: date-time */
            deleted_at?: string | null;
            destination_id: components["schemas"]["Id"];
            id: components["schemas"]["Id"];
            /** @description Columns, filters, grouping, sort and limit, instead of a `query`. */
            output?: components["schemas"]["OutputControls"] | null;
            project_id: components["schemas"]["Id"];
            /**
             * @description SQL over the data mart; `${DATA_MART_TABLE}` names its table. Empty: all rows.
             * @default null
             */
            query?: string | null;
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        /** @description Fields every entity carries. */
        ReportRun: {
            /**
             * Format: uint32
             * @description 1 for the first attempt; grows by one on every retry.
             */
            attempt: number;
            /**
             * Format: uint64
             * @description Bytes delivered (the file or body, before any transport compression).
             */
            bytes: number;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            data_mart_id: components["schemas"]["Id"];
            /** Format: date-time */
            deleted_at?: string | null;
            delivered?: components["schemas"]["Delivered"] | null;
            destination_id: components["schemas"]["Id"];
            /**
             * @description The destination's kind when the run was queued: which delivery queue
             *     carries it.
             */
            destination_kind: string;
            /**
             * Format: uint64
             * @description From the last start to the end, in milliseconds.
             * @default null
             */
            duration_ms?: number | null;
            /** @default null */
            error?: string | null;
            /**
             * Format: date-time
             * @default null
             */
            finished_at?: string | null;
            id: components["schemas"]["Id"];
            /** @default [] */
            log?: components["schemas"]["LogLine"][];
            /**
             * Format: date-time
             * @description When the project was told how this attempt ended (once per attempt).
             */
            notified_at?: string | null;
            /**
             * @description Values of the report's parameters this run was started with (its
             *     defaults fill the rest).
             */
            parameters?: {
                [key: string]: unknown;
            };
            project_id: components["schemas"]["Id"];
            report_id: components["schemas"]["Id"];
            /**
             * Format: uint64
             * @description Rows delivered.
             */
            rows: number;
            /**
             * Format: date-time
             * @default null
             */
            started_at?: string | null;
            /**
             * @description Changed only by the run's own transitions, each refusing a change its
             *     status does not allow.
             */
            status: components["schemas"]["ReportRunStatus"];
            trigger_id?: components["schemas"]["Id"] | null;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        /** @enum {string} */
        ReportRunStatus: "queued" | "running" | "succeeded" | "failed" | "cancelled";
        RetryPolicy: {
            /**
             * Format: uint32
             * @description First backoff; doubles per attempt, with jitter. 1-86400 seconds.
             * @default 60
             */
            backoff_seconds?: number;
            /**
             * Format: uint32
             * @description Retries after a failed run, 0-10.
             * @default 2
             */
            max_retries?: number;
        };
        /**
         * @description `viewer` reads, `editor` writes, `admin` manages (storages, destinations,
         *     deletions), `owner` is an admin who owns the project.
         * @enum {string}
         */
        Role: "viewer" | "editor" | "admin" | "owner";
        /** @description A built-in role (`viewer` reads, `editor` writes, `admin` manages, `owner` owns) or the id of one of the project's custom roles. */
        RoleRef: string;
        /** @description A row (or a chunk) that failed, and why. */
        RowError: {
            /** @description Chunk sequence number within the run (`step.index`). */
            chunk: string;
            column?: string | null;
            reason: string;
            /**
             * Format: uint64
             * @description Row number within the chunk, from 1; absent for a whole-chunk failure.
             */
            row?: number | null;
            /** @description Stream the row came from. */
            stream: string;
        };
        /** @description Fields every entity carries. */
        Run: {
            /**
             * Format: uint32
             * @description 1 for the first attempt; grows by one on every retry.
             * @default 1
             */
            attempt?: number;
            /** @description Earlier attempts, oldest first. */
            attempts?: components["schemas"]["Attempt"][];
            /** @description The backfill it is a window of. */
            backfill_id?: components["schemas"]["Id"] | null;
            /**
             * Format: uint64
             * @description Chunks extracted in all, known once extraction has finished.
             * @default null
             */
            chunks_total?: number | null;
            /**
             * @default {
             *       "rows_failed": 0,
             *       "rows_read": 0,
             *       "rows_skipped": 0,
             *       "rows_written": 0
             *     }
             */
            counters?: components["schemas"]["RunCounters"];
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            data_mart_id: components["schemas"]["Id"];
            /** Format: date-time */
            deleted_at?: string | null;
            /** @default null */
            error?: string | null;
            /**
             * @description Up to 100 failed or skipped rows with their reasons.
             * @default []
             */
            error_log?: components["schemas"]["RowError"][];
            /**
             * Format: date-time
             * @default null
             */
            finished_at?: string | null;
            /**
             * Format: date-time
             * @description Last sign of life from a worker; a live run older than its lease is stuck.
             */
            heartbeat_at?: string | null;
            id: components["schemas"]["Id"];
            /**
             * Format: uint32
             * @description Times the run was interrupted (the process stopped) and resumed.
             * @default 0
             */
            interruptions?: number;
            kind: components["schemas"]["RunKind"];
            /**
             * @description What extraction waited for (rate limits, retries) and renewed (access
             *     tokens), oldest first: the last [`MAX_RUN_LOG`] lines.
             */
            log?: components["schemas"]["RunLogLine"][];
            /**
             * Format: date-time
             * @description When the failed run is retried; while set, the failure is not final.
             */
            next_retry_at?: string | null;
            /**
             * Format: date-time
             * @description When the project was told how this attempt ended (once per attempt).
             */
            notified_at?: string | null;
            /**
             * @default {
             *       "chunks_done": 0,
             *       "chunks_failed": 0,
             *       "chunks_total": 0,
             *       "fraction": 0,
             *       "rows_per_second": 0
             *     }
             */
            progress?: components["schemas"]["RunProgress"];
            project_id: components["schemas"]["Id"];
            /** @description Retries after a failure (from its trigger). */
            retry_policy?: components["schemas"]["RetryPolicy"] | null;
            /**
             * Format: date-time
             * @description The trigger fire that started it.
             */
            scheduled_for?: string | null;
            /**
             * Format: date-time
             * @description When `RunSlaMissed` was raised (once).
             */
            sla_missed_at?: string | null;
            /**
             * Format: uint32
             * @description Longest the run may take (from its trigger).
             */
            sla_seconds?: number | null;
            /**
             * @default {
             *       "extract": {
             *         "busy_ms": 0,
             *         "finished_at": null,
             *         "started_at": null,
             *         "state": "pending"
             *       },
             *       "finalize": {
             *         "busy_ms": 0,
             *         "finished_at": null,
             *         "started_at": null,
             *         "state": "pending"
             *       },
             *       "load": {
             *         "busy_ms": 0,
             *         "finished_at": null,
             *         "started_at": null,
             *         "state": "pending"
             *       },
             *       "transform": {
             *         "busy_ms": 0,
             *         "finished_at": null,
             *         "started_at": null,
             *         "state": "pending"
             *       }
             *     }
             */
            stages?: components["schemas"]["Stages"];
            /**
             * Format: uint32
             * @description Leases that ran out in a row without progress.
             */
            stalls?: number;
            /**
             * @description The connector state the run started from (cursor per stream).
             * @default {}
             */
            start_state?: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @default null
             */
            started_at?: string | null;
            /**
             * @description Changed only by the run's own transitions ([`Run::start`], [`Run::pause`],
             *     …), each of which refuses a change its current status does not allow.
             */
            status: components["schemas"]["RunStatus"];
            /** @default null */
            trigger_id?: components["schemas"]["Id"] | null;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
            /**
             * @description For backfill runs: the date window extracted. Backfills never move the cursor.
             * @default null
             */
            window?: components["schemas"]["RunWindow"] | null;
        };
        /** @description Row counters of a run. */
        RunCounters: {
            /** Format: uint64 */
            rows_failed: number;
            /** Format: uint64 */
            rows_read: number;
            /** Format: uint64 */
            rows_skipped: number;
            /** Format: uint64 */
            rows_written: number;
        };
        /** @enum {string} */
        RunKind: "incremental" | "backfill";
        /** @description One line of a run's log. */
        RunLogLine: {
            /** Format: date-time */
            at: string;
            message: string;
            /** @description The stream the step read. */
            stream: string;
        };
        /** @description Progress of a run, computed from its chunks when it is read. */
        RunProgress: {
            /** Format: uint64 */
            chunks_done: number;
            /** Format: uint64 */
            chunks_failed: number;
            /** Format: uint64 */
            chunks_total: number;
            /**
             * Format: double
             * @description Share of known chunks done, 0-1; the total grows while extraction runs.
             */
            fraction: number;
            /**
             * Format: double
             * @description Rows written per second of wall time since the run started.
             */
            rows_per_second: number;
        };
        /** @enum {string} */
        RunStatus: "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled" | "interrupted";
        /**
         * @description One update of a run as a live view receives it (an SSE `run` event's data,
         *     a WebSocket message).
         */
        RunUpdate: {
            /**
             * @description What brought it: `snapshot` (the state when the view began), a run
             *     event's kind (`RunStarted`, `RunProgressed`, `RunSucceeded`, …), or
             *     `resync` (the viewer fell behind the bus and missed events: this is
             *     the state now).
             */
            event: string;
            /**
             * Format: date-time
             * @description When that event was published (for a snapshot or a resync, when the
             *     state was read).
             */
            event_at: string;
            /** @description The run now, as `GET /v1/runs/{id}` answers it. */
            run: components["schemas"]["Run"];
        };
        /** @description A backfill's date window: `[from, to)`. */
        RunWindow: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
        };
        /** @description A column of a data mart's table. */
        SchemaField: {
            /** @default null */
            alias?: string | null;
            /** @default null */
            description?: string | null;
            name: string;
            /** @description The type it had before, when `status` is `type_changed`. */
            previous_type?: string | null;
            /**
             * @description How the field compares with the table the last run landed.
             * @default connected
             */
            status?: components["schemas"]["FieldStatus"];
            type: string;
        };
        /**
         * @description A session's tokens, as sign-up, sign-in and refresh answer them (the only
         *     answers that carry a secret).
         */
        SessionTokens: {
            /** @description Send as `Authorization: Bearer <access_token>`. */
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            /** @description The project the access token is for. */
            project_id: components["schemas"]["Id"];
            /** @description Trade it for new tokens at `POST /v1/auth/refresh` before the session ends; good once. */
            refresh_token: string;
            /** @description The user's role there. */
            role: components["schemas"]["RoleRef"];
            /**
             * Format: date-time
             * @description When the session ends, refreshed or not.
             */
            session_expires_at: string;
            /** @description Always `Bearer`. */
            token_type: string;
            user: components["schemas"]["UserView"];
        };
        /** @description `POST /v1/auth/sign-in`. */
        SignIn: {
            /** @description The user's e-mail address, in any case. */
            email: string;
            password: string;
        };
        /** @description `POST /v1/auth/sign-up`. */
        SignUp: {
            /** @description The user's e-mail address (kept and compared in lower case). */
            email: string;
            /**
             * @description An invitation's token (`POST /v1/invitations` answered it): the new
             *     user joins its project with its role, even where sign-up is closed.
             * @default null
             */
            invitation?: string | null;
            /** @description 10 to 256 characters. */
            password: string;
        };
        SortKey: {
            column: string;
            descending?: boolean;
        };
        /** @description One data mart over one stream of the source. */
        SourceDataMart: {
            description?: string | null;
            /**
             * @description When omitted: every field of the stream under its name in snake case
             *     with the cast that lands its type (the suggestion of
             *     `suggest-mapping` without a target), and a `unique_key` rule on the
             *     stream's primary key when it has one.
             */
            mapping?: components["schemas"]["Mapping"] | null;
            /**
             * @description When omitted, the defaults; without a `mapping` and over a stream with
             *     a primary key, `write_mode` is `merge` unless given.
             */
            pipeline?: components["schemas"]["PipelineSettings"] | null;
            /** @description The stream, as the source's discovery names it (`public.orders`). */
            stream: string;
            /** @description The stream's name when omitted. */
            title?: string | null;
        };
        /** @description What `GET /v1/sources/{id}/streams` answers. */
        SourceStreams: {
            streams: components["schemas"]["DiscoveredStream"][];
        };
        /**
         * @description What a connection test of a source found: reachable, authorized, readable,
         *     in order; a check after a failed one is not tried.
         */
        SourceTest: {
            checks: components["schemas"]["ConnectionCheck"][];
            ok: boolean;
        };
        /** @description Response shape of a source (or destination): settings with secrets masked. */
        SourceView: {
            /** @description Config with every secret field shown as `********`. */
            config: {
                [key: string]: unknown;
            };
            connector: string;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        /** @description One stage of a run: its state and timing. */
        Stage: {
            /**
             * Format: uint64
             * @description Time spent working in this stage, summed over chunks where chunks run in
             *     parallel.
             * @default 0
             */
            busy_ms?: number;
            /**
             * Format: date-time
             * @default null
             */
            finished_at?: string | null;
            /**
             * Format: date-time
             * @default null
             */
            started_at?: string | null;
            state: components["schemas"]["StageState"];
        };
        /** @description The four stages of a run. */
        Stages: {
            extract: components["schemas"]["Stage"];
            finalize: components["schemas"]["Stage"];
            load: components["schemas"]["Stage"];
            transform: components["schemas"]["Stage"];
        };
        /** @enum {string} */
        StageState: "pending" | "running" | "succeeded" | "failed" | "skipped";
        /** @description `POST /v1/reports/{id}/runs` */
        StartReportRun: {
            /**
             * @description Values of the report's parameters (its `output.parameters`); defaults
             *     fill the rest.
             * @default {}
             */
            parameters?: {
                [key: string]: unknown;
            };
        };
        /** @description `POST /v1/data-marts/{id}/runs` */
        StartRun: {
            /**
             * Format: date
             * @description Backfill window start (inclusive), `YYYY-MM-DD`.
             * @default null
             */
            from?: string | null;
            /**
             * @description `incremental` (default) resumes from the saved cursor; `backfill` extracts
             *     the given window and leaves the cursor alone.
             * @default null
             */
            kind?: components["schemas"]["RunKind"] | null;
            /**
             * Format: date
             * @description Backfill window end (exclusive), `YYYY-MM-DD`.
             * @default null
             */
            to?: string | null;
        };
        /** @description Fields every entity carries. */
        Storage: {
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            id: components["schemas"]["Id"];
            project_id: components["schemas"]["Id"];
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        } & ({
            config: components["schemas"]["AthenaConfig"];
            /** @constant */
            kind: "athena";
        } | {
            config: components["schemas"]["LocalConfig"];
            /** @constant */
            kind: "local";
        });
        /** @description A column a stream offers. */
        StreamField: {
            description: string;
            name: string;
            /** @description Warehouse type: string, int, float, decimal, bool, date, timestamp, json. */
            type: string;
        };
        StreamSelection: {
            /**
             * @default {
             *       "columns": [],
             *       "rules": []
             *     }
             */
            mapping?: components["schemas"]["Mapping"];
            /**
             * @description Stream name from the connector spec (or, for connectors that take any name, a
             *     table, path or glob).
             */
            name: string;
        };
        StreamSpec: {
            /** @description Column incremental runs resume from, if the stream supports it. */
            cursor_field?: string | null;
            description: string;
            /**
             * @description Columns the stream offers. Empty when they come from the data itself (files,
             *     generic HTTP, a database table), discovered at preview time.
             */
            fields: components["schemas"]["StreamField"][];
            name: string;
            /** @description Columns that identify a row (used by `merge`). */
            unique_key: string[];
            /** @description True when the user names the stream (a table, a file glob, an endpoint). */
            user_defined: boolean;
        };
        StringOp: {
            /** @constant */
            op: "trim";
        } | {
            /** @constant */
            op: "lower";
        } | {
            /** @constant */
            op: "upper";
        } | {
            /** Format: uint32 */
            length?: number | null;
            /** @constant */
            op: "substring";
            /** Format: uint32 */
            start: number;
        } | {
            from: string;
            /** @constant */
            op: "replace";
            to: string;
        } | {
            /** @constant */
            op: "concat";
            /** @default  */
            separator?: string;
            with: string[];
        } | {
            /** @default null */
            default?: string | number | boolean | null;
            map: string;
            /** @constant */
            op: "map";
        };
        /** @description One suggested column of the mapping. */
        SuggestedColumn: {
            cast: components["schemas"]["CastType"];
            reason: string;
            /**
             * Format: double
             * @description How sure the match is, from 0 to 1.
             */
            score: number;
            /**
             * @description The source field it is read from; `None` for a target column nothing
             *     matched.
             */
            source?: string | null;
            target: string;
        };
        /** @description A suggested mapping of one stream. */
        Suggestion: {
            /** @description Every target column, matched or not, in the target's order. */
            columns: components["schemas"]["SuggestedColumn"][];
            /** @description The matched columns as a mapping a definition takes as it is. */
            mapping: components["schemas"]["Mapping"];
            stream: string;
            /** @description Source fields no target column took. */
            unmatched_sources: string[];
        };
        /**
         * @description `POST /v1/sources/{id}/suggest-mapping`: a stream of the source, and what
         *     to map it into: an existing data mart's columns (`data_mart_id`), given
         *     `columns`, or neither (a new data mart: every field, named in snake case).
         */
        SuggestMapping: {
            /** @default null */
            columns?: components["schemas"]["TargetColumn"][] | null;
            /** @default null */
            data_mart_id?: string | null;
            stream: string;
        };
        /** @description `POST /v1/auth/switch-project`. */
        SwitchProject: {
            /** @description A project the user is a member of. */
            project_id: components["schemas"]["Id"];
        };
        /** @description A column of the target a mapping should fill. */
        TargetColumn: {
            /** @description Its type, as a cast names it (`int`, `decimal(12,2)`, `timestamp`, …). */
            cast: components["schemas"]["CastType"];
            name: string;
        };
        /** @enum {string} */
        TargetKind: "data_mart" | "report";
        /** @description Response shape: the trigger and its next fires. */
        TriggerView: {
            catch_up: components["schemas"]["CatchUp"];
            /**
             * Format: uint32
             * @description Most missed fires run by `catch_up: all`.
             */
            catch_up_cap: number;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /**
             * @description Five-field cron expression or a preset (`@hourly`, `@daily`, `@weekly`,
             *     `@monthly`, `@every_15_minutes`); absent on an upstream trigger.
             * @default null
             */
            cron?: string | null;
            /** Format: date-time */
            deleted_at?: string | null;
            enabled: boolean;
            id: components["schemas"]["Id"];
            /**
             * Format: date-time
             * @description Next scheduled fire; `None` while disabled or for an upstream trigger.
             * @default null
             */
            next_fire_at?: string | null;
            /** @description The next five fire times (empty while disabled). */
            next_fire_times: string[];
            /**
             * @description Fires claimed and not started yet (waiting for a run slot).
             * @default []
             */
            pending?: components["schemas"]["PendingFire"][];
            project_id: components["schemas"]["Id"];
            /**
             * @description The last fires, newest first, with their runs.
             * @default []
             */
            recent_fires?: components["schemas"]["Fire"][];
            retry: components["schemas"]["RetryPolicy"];
            /**
             * Format: uint32
             * @description Longest a run may take before `RunSlaMissed` is raised.
             * @default null
             */
            sla_seconds?: number | null;
            target_id: components["schemas"]["Id"];
            target_kind: components["schemas"]["TargetKind"];
            /** @description IANA time zone the cron is read in. */
            timezone: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * @description Fire on success of these data marts instead of a schedule.
             * @default null
             */
            upstream?: components["schemas"]["Upstream"] | null;
            /**
             * @description Upstream data marts that succeeded since the last fire (`mode: all`): data
             *     mart id → the run.
             * @default {}
             */
            upstream_done?: {
                [key: string]: components["schemas"]["Id"];
            };
            /**
             * @description Upstream runs already counted.
             * @default []
             */
            upstream_seen?: components["schemas"]["Id"][];
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
            /**
             * Format: date-time
             * @description When the pending fires are looked at again.
             * @default null
             */
            wake_at?: string | null;
            when_busy: components["schemas"]["WhenBusy"];
        };
        /** @description `PATCH /v1/roles/{id}`. */
        UpdateCustomRole: {
            /** @default null */
            description?: string | null;
            /** @default null */
            name?: string | null;
            /** @default null */
            permissions?: string[] | null;
            /**
             * Format: uint64
             * @default null
             */
            version?: number | null;
        };
        /** @description `PATCH /v1/data-marts/{id}` */
        UpdateDataMart: {
            /**
             * @description `null` clears it.
             * @default null
             */
            description?: string | null;
            /**
             * @description Aliases and descriptions of schema fields, each by its `name`; fields
             *     left out keep theirs.
             */
            fields?: components["schemas"]["FieldNotes"][];
            title?: string | null;
            /** Format: uint64 */
            version?: number | null;
        };
        /** @description `PATCH /v1/destinations/{id}` */
        UpdateDestination: {
            config?: {
                [key: string]: unknown;
            } | null;
            title?: string | null;
            /** Format: uint64 */
            version?: number | null;
        };
        /** @description `PATCH /v1/members/{id}`. */
        UpdateMember: {
            /**
             * @description The data marts the role reaches; `null` for the whole project.
             * @default null
             */
            data_marts?: components["schemas"]["Id"][] | null;
            /** @default null */
            role?: components["schemas"]["RoleRef"] | null;
            /**
             * Format: uint64
             * @description The version read: the change is refused if the member changed since.
             * @default null
             */
            version?: number | null;
        };
        /** @description `PATCH /v1/project` */
        UpdateProject: {
            name?: string | null;
            /** @description Which runs are announced and to whom by e-mail (replaces the settings). */
            notifications?: components["schemas"]["Notifications"] | null;
            /**
             * @description A Slack incoming webhook URL (`https://hooks.slack.com/services/…`);
             *     `null` removes it.
             * @default null
             */
            slack_webhook_url?: string | null;
            /**
             * @description A Microsoft Teams incoming webhook URL; `null` removes it.
             * @default null
             */
            teams_webhook_url?: string | null;
            /**
             * @description An `https://` (or `http://`) URL notifications are POSTed to, with a host;
             *     `null` removes it.
             * @default null
             */
            webhook_url?: string | null;
        };
        /** @description `PATCH /v1/reports/{id}` */
        UpdateReport: {
            /** Format: uint32 */
            cache_ttl_seconds?: number | null;
            destination_id?: string | null;
            /** @description Output controls in place of the query. */
            output?: components["schemas"]["OutputControls"] | null;
            /** @description A query in place of the output controls. */
            query?: string | null;
            title?: string | null;
            /** Format: uint64 */
            version?: number | null;
        };
        /**
         * @description `PATCH /v1/sources/{id}`: given config fields replace the stored ones; `null`
         *     removes an optional field. A secret sent as `********` is left unchanged.
         */
        UpdateSource: {
            config?: {
                [key: string]: unknown;
            } | null;
            title?: string | null;
            /** Format: uint64 */
            version?: number | null;
        };
        /** @description `PATCH /v1/storages/{id}`: the given fields replace the stored ones. */
        UpdateStorage: {
            /** @description The whole config of the storage's kind (the kind cannot change). */
            config: components["schemas"]["AthenaConfig"] | components["schemas"]["LocalConfig"];
            title?: string | null;
            /**
             * Format: uint64
             * @description Update only if the storage is still at this version.
             */
            version?: number | null;
        };
        /** @description `PATCH /v1/triggers/{id}` */
        UpdateTrigger: {
            catch_up?: components["schemas"]["CatchUp"] | null;
            /** Format: uint32 */
            catch_up_cap?: number | null;
            /** @description A new schedule (replaces `upstream`). */
            cron?: string | null;
            enabled?: boolean | null;
            retry?: components["schemas"]["RetryPolicy"] | null;
            /**
             * Format: uint32
             * @default null
             */
            sla_seconds?: number | null;
            timezone?: string | null;
            /** @description New upstream data marts (replaces `cron`). */
            upstream?: components["schemas"]["UpstreamRequest"] | null;
            /** Format: uint64 */
            version?: number | null;
            when_busy?: components["schemas"]["WhenBusy"] | null;
        };
        /**
         * @description `PATCH /v1/value-maps/{id}`: the given fields replace the stored ones (the
         *     name cannot change).
         */
        UpdateValueMap: {
            case_insensitive?: boolean | null;
            /**
             * @description `null` removes it.
             * @default null
             */
            description?: string | null;
            /** @description Every entry of the map (replaces them all). */
            entries?: components["schemas"]["Entry"][] | null;
            title?: string | null;
            /**
             * Format: uint64
             * @description Update only if the map is still at this version.
             */
            version?: number | null;
        };
        /** @description Fire on success of upstream data marts. */
        Upstream: {
            /** @description The data marts (of this project) whose successful runs fire this trigger. */
            data_mart_ids: components["schemas"]["Id"][];
            /**
             * @description `all`: fire once every upstream has succeeded since the last fire;
             *     `any`: fire on each upstream success.
             * @default all
             */
            mode?: components["schemas"]["UpstreamMode"];
        };
        /** @enum {string} */
        UpstreamMode: "all" | "any";
        /** @description Upstream data marts, as a request names them. */
        UpstreamRequest: {
            /** @description 1-20 data marts of this project. */
            data_mart_ids: string[];
            /** @default all */
            mode?: components["schemas"]["UpstreamMode"];
        };
        /** @description A user as the API shows one. */
        UserView: {
            /** Format: date-time */
            created_at: string;
            email: string;
            id: components["schemas"]["Id"];
        };
        /** @description The outcome of validating a definition. */
        ValidationReport: {
            /**
             * @description What the data mart reads as, found by planning it: for `sql`, `table`,
             *     `table_pattern` and `view` definitions without problems.
             */
            columns?: components["schemas"]["ColumnInfo"][] | null;
            problems: components["schemas"]["Problem"][];
            valid: boolean;
        };
        ValidationRule: {
            column: string;
            /** @constant */
            rule: "not_null";
        } | {
            column: string;
            /** @constant */
            rule: "type";
            type: components["schemas"]["CastType"];
        } | {
            column: string;
            /** @constant */
            rule: "allowed_values";
            values: unknown[];
        } | {
            columns: string[];
            /** @constant */
            rule: "unique_key";
        };
        /** @description Fields every entity carries. */
        ValueMap: {
            /**
             * @description Keys match regardless of case (compared in Unicode lower case).
             * @default false
             */
            case_insensitive?: boolean;
            /** Format: date-time */
            created_at: string;
            /** @description Subject of the credential that created it. */
            created_by: string;
            /** Format: date-time */
            deleted_at?: string | null;
            description?: string | null;
            /** @description Key → value, in the order given. */
            entries: components["schemas"]["Entry"][];
            id: components["schemas"]["Id"];
            /** @description What a mapping's `map` op names it by; unique in the project, never changes. */
            name: string;
            project_id: components["schemas"]["Id"];
            title: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: uint64
             * @description Grows by one on every change; send it back as `version` to update only
             *     what you read.
             */
            version: number;
        };
        WebhookInfo: {
            /** @description The URL's scheme and host, e.g. `https://hooks.example.com`. */
            origin: string;
        };
        /**
         * @description What a fire does when the target already runs its maximum.
         * @enum {string}
         */
        WhenBusy: "wait" | "skip";
        /** @enum {string} */
        WindowSize: "day" | "week" | "month";
        /** @enum {string} */
        WriteMode: "append" | "replace" | "merge";
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "api-get-jwks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
        };
    };
    "api-health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthView"];
                };
            };
            /** @description A part did not answer: `checks` names it (the reason is in the server's log). */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthView"];
                };
            };
        };
    };
    "api-openapi": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    "api-list-alarms": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). With `state`, a page may hold fewer: follow `next_cursor` until it is `null`. */
                limit?: number;
                /** @description Only the `open` alarms, or only the `acknowledged` ones. */
                state?: "open" | "acknowledged";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List16"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-acknowledge-alarm": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Alarm"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-api-keys": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List14"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-api-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKey"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-api-key": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-audit": {
        parameters: {
            query?: {
                /** @description Only entries of this route (`api-update-source`). */
                action?: "api-create-storage" | "api-update-storage" | "api-delete-storage" | "api-create-source" | "api-update-source" | "api-delete-source" | "api-create-source-data-marts" | "api-create-data-mart" | "api-update-data-mart" | "api-delete-data-mart" | "api-set-data-mart-definition" | "api-validate-data-mart-definition" | "api-publish-data-mart" | "api-create-destination" | "api-update-destination" | "api-delete-destination" | "api-rotate-destination-key" | "api-create-report" | "api-update-report" | "api-delete-report" | "api-start-report-run" | "api-cancel-report-run" | "api-retry-report-run" | "api-create-trigger" | "api-update-trigger" | "api-delete-trigger" | "api-create-value-map" | "api-update-value-map" | "api-delete-value-map" | "api-start-run" | "api-pause-run" | "api-resume-run" | "api-cancel-run" | "api-retry-run" | "api-create-backfill" | "api-cancel-backfill" | "api-update-project" | "api-upload-file" | "api-delete-file" | "api-sign-out" | "api-sign-out-everywhere" | "api-change-password" | "api-create-api-key" | "api-delete-api-key" | "api-acknowledge-alarm" | "api-create-project" | "api-switch-project" | "api-update-member" | "api-delete-member" | "api-create-role" | "api-update-role" | "api-delete-role" | "api-create-invitation" | "api-delete-invitation" | "api-accept-invitation";
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). A filtered page may hold fewer: follow `next_cursor` until it is `null`. */
                limit?: number;
                /** @description Only entries on this record (a data mart, a source, an API key…). */
                resource_id?: string;
                /** @description Only entries of this subject: a user's id, an API key's id, an operator token's subject. */
                subject?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List15"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-accept-invitation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AcceptInvitation"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectMembership"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-change-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePassword"];
            };
        };
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this, or the credential is not a user's session (an API key, an operator token). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-refresh-session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Refresh"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionTokens"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The refresh token is unknown, used, revoked or expired; a used one ends its session. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignIn"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionTokens"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Wrong address or password, or sign-in paused after failed attempts: one answer for all. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this, or the credential is not a user's session (an API key, an operator token). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-sign-out-everywhere": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this, or the credential is not a user's session (an API key, an operator token). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-sign-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignUp"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionTokens"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Sign-up is closed: the deployment has its first user and the operator did not open sign-up. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-switch-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SwitchProject"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectToken"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-backfills": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Only those of this data mart. */
                data_mart_id?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List12"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-backfill": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Backfill"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-cancel-backfill": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Backfill"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-connectors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-connector": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectorSpec"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-data-marts": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
                /** @description Only data marts in this storage. */
                storage_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List5"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDataMart"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataMart"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataMart"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateDataMart"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataMart"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-backfill": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateBackfill"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Backfill"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-set-data-mart-definition": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Definition"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataMart"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-validate-data-mart-definition": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["Definition"] | Record<string, never>;
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationReport"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-data-mart-lineage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lineage"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-preview-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreviewRequest"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preview"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-publish-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DataMart"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The data mart's definition is missing or invalid; `details.problems` lists why. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-query-data-mart": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QueryRequest"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueryResult"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-data-mart-runs": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List11"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-start-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRun"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-destination-kinds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List2"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-destinations": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List6"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-destination": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDestination"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DestinationView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-destination": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DestinationView"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-destination": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-destination": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateDestination"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DestinationView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-rotate-destination-key": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedKey"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-test-destination": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DestinationTest"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-files": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-1000 (default 100). */
                limit?: number;
                /** @description Only files whose path starts with this folder (`orders/`). */
                prefix?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List13"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-upload-file": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The file's path: segments of 1-255 letters, digits and `_.=-`, none starting with `.`, at most 900 bytes in all. The raw URL may hold `/` between folders (`/v1/files/orders/2026.csv`); a `%2F` is refused. */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileView"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over the deployment's upload limit. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A path that is not a file name of the landing area; `details.field` is `path`. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-file": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The file's path: segments of 1-255 letters, digits and `_.=-`, none starting with `.`, at most 900 bytes in all. The raw URL may hold `/` between folders (`/v1/files/orders/2026.csv`); a `%2F` is refused. */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-invitations": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List21"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-invitation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateInvitation"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-invitation": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-members": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List18"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-member": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-member": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMember"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List19"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Project"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateProject"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Project"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List17"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-project": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateProject"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectMembership"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-report-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportRun"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-cancel-report-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportRun"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-download-report-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file (where the object store signs no links). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description The file is at `location`, a link valid for 15 minutes (S3). */
            307: {
                headers: {
                    location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The run has no file: not an export, not succeeded, or its file was replaced or removed. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-retry-report-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportRun"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-reports": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Only those of this data mart. */
                data_mart_id?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List7"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateReport"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Report"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-report": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Report"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-report": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-report": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateReport"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Report"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-report-data": {
        parameters: {
            query?: {
                /** @description `ndjson` (one object per line, the default), `csv` (a header line, then rows), or `json` (`{"schema": [{"name", "type"}], "rows": [objects]}`). */
                format?: "ndjson" | "csv" | "json";
                /** @description At most this many rows (1-1000000000); all of them by default. */
                limit?: number;
                /** @description Values of the report's parameters (its `output.parameters`), `param[name]=value`: at most 8, names of at most 64 characters, values of at most 400; defaults fill the rest. A name the report does not declare, or a value not of its type, is a 422 naming `param[name]`. */
                param?: {
                    [key: string]: string;
                };
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report's rows, in the format asked for. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rows: Record<string, never>[];
                        schema: {
                            name: string;
                            type: string;
                        }[];
                    };
                    "application/x-ndjson": string;
                    "text/csv": string;
                };
            };
            /** @description No data key, or one that does not open this report (wrong, rotated past its grace, or of another destination). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The report's data mart has no data yet, or the report's query does not run. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-report-runs": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List8"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-start-report-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartReportRun"];
            };
        };
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReportRun"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-roles": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List20"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCustomRole"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomRoleView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-role": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomRoleView"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-role": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-role": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateCustomRole"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomRoleView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-runs": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Only those of this data mart. */
                data_mart_id?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List11"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-cancel-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-watch-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-sent events (`event: run`, `data:` one JSON document), until the run is over. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-pause-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-resume-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-retry-run": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-sources": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List4"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-source": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSource"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-source": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceView"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-source": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-source": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSource"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-source-data-marts": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSourceDataMarts"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedDataMarts"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-source-streams": {
        parameters: {
            query?: {
                /** @description Only this stream, as a data mart's definition names it (`public.orders`, `orders/2026.csv`, an HTTP API's path). */
                name?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceStreams"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-suggest-mapping": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SuggestMapping"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Suggestion"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-test-source": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SourceTest"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-storages": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List3"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-storage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateStorage"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Storage"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-storage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Storage"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-storage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-storage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateStorage"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Storage"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-triggers": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
                /** @description Only triggers of this data mart or report. */
                target_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List9"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTrigger"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriggerView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-trigger": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriggerView"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-trigger": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-trigger": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTrigger"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriggerView"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-list-value-maps": {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Items per page, 1-200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["List10"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A query parameter breaks a rule (`limit`, `cursor`, …); `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-create-value-map": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateValueMap"];
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValueMap"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-get-value-map": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValueMap"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-delete-value-map": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done; no body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record's state forbids it (in use, deleted, published already, a run already over). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "api-update-value-map": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateValueMap"];
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValueMap"];
                };
            };
            /** @description Malformed JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, malformed or expired bearer token. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token's role may not do this. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such record in the token's project. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The record changed meanwhile, or its state forbids the change. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over 1 MiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A field breaks a rule; `details.field` names it. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This credential's request budget for the minute is spent (`details.retry_after_seconds`). */
            429: {
                headers: {
                    /** @description Seconds until the budget is whole again. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
