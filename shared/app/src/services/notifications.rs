//! Notifications: when a data mart run or a report run ends, the project hears
//! of it as it asked (`Project::notifications`: failures unless switched off,
//! successes when switched on), at its webhook (JSON), Slack and Microsoft
//! Teams incoming webhooks, and by e-mail, each with the run's summary and a
//! link to it.
//!
//! Run events come at least once. Before anything is sent the run records that
//! its end was announced (a compare-and-swap on `notified_at`), so a repeated
//! event announces nothing twice; a channel that fails then is logged, not
//! retried (at most once). URLs are secrets: logs name their origin only.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sluice_domain::Id;
use sluice_domain::entities::{
    Alarm, AlarmKind, DataMart, Project, Report, ReportRun, ReportRunStatus, Run, RunStatus,
    WebhookInfo,
};
use sluice_domain::ports::{RunEvent, RunEventKind};

use crate::Deps;
use crate::records;

/// How a run ended (or what an alarm says), as every channel tells it.
#[derive(Debug, Clone)]
struct Ended {
    /// An alarm opened, rather than a run's end: `noun` names its condition.
    alarm: bool,
    /// `data mart run` or `report run`.
    noun: &'static str,
    id: Id,
    /// The data mart's or the report's title.
    title: String,
    succeeded: bool,
    error: Option<String>,
    rows: u64,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    link: String,
    event: &'static str,
}

impl Ended {
    fn headline(&self) -> String {
        if self.alarm {
            return format!("⚠️ Alarm: {}: {}", self.noun, self.title);
        }
        format!(
            "{} {} {}: {}",
            if self.succeeded { "✅" } else { "❌" },
            capitalized(self.noun),
            if self.succeeded {
                "succeeded"
            } else {
                "failed"
            },
            self.title
        )
    }

    fn duration(&self) -> Option<String> {
        let (s, f) = (self.started_at?, self.finished_at?);
        let secs = (f - s).num_milliseconds().max(0) as f64 / 1000.0;
        Some(format!("{secs:.1} s"))
    }

    /// The lines of the summary, plain.
    fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("{} `{}`", capitalized(self.noun), self.id)];
        if !self.alarm {
            out.push(format!("Rows: {}", self.rows));
        }
        if let Some(d) = self.duration() {
            out.push(format!("Duration: {d}"));
        }
        if let Some(e) = &self.error {
            out.push(format!("Error: {e}"));
        }
        out
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Announces the end `event` reports, if the project asked to hear of it.
/// Best effort: it never fails the reaction it is part of.
pub async fn run_ended(deps: &Deps, event: &RunEvent) {
    let ended = match event.kind {
        RunEventKind::RunSucceeded | RunEventKind::RunFailed => data_mart_run(deps, event).await,
        RunEventKind::ReportRunSucceeded | RunEventKind::ReportRunFailed => {
            report_run(deps, event).await
        }
        _ => return,
    };
    let (ended, project) = match ended {
        Ok(Some(found)) => found,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(run_id = %event.run_id, error = %e, "Could not read the ended run; no notification.");
            return;
        }
    };
    for (channel, result) in send(deps, &project, &ended).await {
        if let Err(reason) = result {
            tracing::warn!(run_id = %ended.id, channel, reason = %reason, "Notification not delivered.");
        }
    }
}

/// Announces an alarm just opened (raised, or raised again after it was
/// acknowledged) on the project's channels, as a failure is: an SLA missed,
/// a run found stuck, a message a stage gave up on. A run that failed or a delivery that failed is
/// announced as that run's end already, so its alarm is not announced again.
/// Best effort, like a run's end.
pub async fn alarm_opened(deps: &Deps, alarm: &Alarm) {
    let noun = match alarm.kind {
        AlarmKind::SlaMissed => "SLA missed",
        AlarmKind::StuckRunResumed => "run found stuck",
        AlarmKind::DeadLetters => "message in a dead-letter queue",
        AlarmKind::RunFailed | AlarmKind::DeliveryFailing => return,
    };
    let p = &alarm.meta.project_id;
    let project = match project_of(deps, p).await {
        Ok(Some(project)) if wanted(&project, false) => project,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(alarm_id = %alarm.meta.id, error = %e, "Could not read the alarm's project; no notification.");
            return;
        }
    };
    let title = records::get::<DataMart>(deps.store.as_ref(), p, &alarm.subject_id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| alarm.subject_id.to_string(), |m| m.title);
    let ended = Ended {
        alarm: true,
        noun,
        id: alarm.meta.id.clone(),
        title,
        succeeded: false,
        error: Some(alarm.message.clone()),
        rows: 0,
        started_at: None,
        finished_at: None,
        link: link(deps, "/v1/alarms?state=open".into()),
        event: "AlarmRaised",
    };
    for (channel, result) in send(deps, &project, &ended).await {
        if let Err(reason) = result {
            tracing::warn!(alarm_id = %alarm.meta.id, channel, reason = %reason, "Notification not delivered.");
        }
    }
}

/// Whether the project wants to hear that a run `succeeded` or failed.
fn wanted(project: &Project, succeeded: bool) -> bool {
    let n = &project.notifications;
    let any = project.webhook.is_some()
        || project.slack.is_some()
        || project.teams.is_some()
        || !n.emails.is_empty();
    any && if succeeded {
        n.on_success
    } else {
        n.on_failure
    }
}

async fn project_of(deps: &Deps, project: &Id) -> Result<Option<Project>, NoticeError> {
    Ok(records::get::<Project>(deps.store.as_ref(), project, project).await?)
}

fn link(deps: &Deps, path: String) -> String {
    match &deps.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path,
    }
}

/// Records on run `id` (a data mart run or a report run) that its end is
/// being announced: `true` for the one caller whose compare-and-swap set
/// `notified_at`, `false` when it was set before.
async fn claim<T: sluice_domain::entities::Entity>(
    deps: &Deps,
    project: &Id,
    id: &Id,
    notified_at: impl Fn(&mut T) -> &mut Option<DateTime<Utc>>,
) -> Result<bool, NoticeError> {
    let now = deps.clock.now();
    let claimed = records::update::<T>(deps.store.as_ref(), project, id, now, |r| {
        let at = notified_at(r);
        at.is_none() && {
            *at = Some(now);
            true
        }
    })
    .await?;
    Ok(claimed.is_some_and(|mut r| *notified_at(&mut r) == Some(now)))
}

/// A data mart run's end, claimed for announcing (none when the project does
/// not want it, or it was announced before).
async fn data_mart_run(
    deps: &Deps,
    event: &RunEvent,
) -> Result<Option<(Ended, Project)>, NoticeError> {
    let store = deps.store.as_ref();
    let p = &event.project_id;
    let Some(project) = project_of(deps, p).await? else {
        return Ok(None);
    };
    let Some(run) = records::get::<Run>(store, p, &event.run_id).await? else {
        return Ok(None);
    };
    let succeeded = match run.status() {
        RunStatus::Succeeded => true,
        // A failure with another attempt to come is not an end.
        RunStatus::Failed if run.next_retry_at.is_none() => false,
        _ => return Ok(None),
    };
    if !wanted(&project, succeeded) || run.notified_at.is_some() {
        return Ok(None);
    }
    if !claim::<Run>(deps, p, &run.meta.id, |r| &mut r.notified_at).await? {
        return Ok(None);
    }
    let title = records::get::<DataMart>(store, p, &run.data_mart_id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| run.data_mart_id.to_string(), |m| m.title);
    Ok(Some((
        Ended {
            alarm: false,
            noun: "data mart run",
            id: run.meta.id.clone(),
            title,
            succeeded,
            error: run.error.clone(),
            rows: run.counters.rows_written,
            started_at: run.started_at,
            finished_at: run.finished_at,
            link: link(deps, format!("/v1/runs/{}", run.meta.id)),
            event: if succeeded {
                "RunSucceeded"
            } else {
                "RunFailed"
            },
        },
        project,
    )))
}

/// A report run's end, claimed as [`data_mart_run`] claims one.
async fn report_run(
    deps: &Deps,
    event: &RunEvent,
) -> Result<Option<(Ended, Project)>, NoticeError> {
    let store = deps.store.as_ref();
    let p = &event.project_id;
    let Some(project) = project_of(deps, p).await? else {
        return Ok(None);
    };
    let Some(run) = records::get::<ReportRun>(store, p, &event.run_id).await? else {
        return Ok(None);
    };
    let succeeded = match run.status() {
        ReportRunStatus::Succeeded => true,
        ReportRunStatus::Failed => false,
        _ => return Ok(None),
    };
    if !wanted(&project, succeeded) || run.notified_at.is_some() {
        return Ok(None);
    }
    if !claim::<ReportRun>(deps, p, &run.meta.id, |r| &mut r.notified_at).await? {
        return Ok(None);
    }
    let title = records::get::<Report>(store, p, run.report_id.as_id())
        .await
        .ok()
        .flatten()
        .map_or_else(|| run.report_id.to_string(), |r| r.title);
    Ok(Some((
        Ended {
            alarm: false,
            noun: "report run",
            id: run.meta.id.clone(),
            title,
            succeeded,
            error: run.error.clone(),
            rows: run.rows,
            started_at: run.started_at,
            finished_at: run.finished_at,
            link: link(deps, format!("/v1/report-runs/{}", run.meta.id)),
            event: if succeeded {
                "ReportRunSucceeded"
            } else {
                "ReportRunFailed"
            },
        },
        project,
    )))
}

/// The URL kept in the secret `info` names.
async fn url_of(deps: &Deps, info: &WebhookInfo) -> Result<String, NoticeError> {
    let secret = deps
        .secrets
        .get(&info.secret_ref)
        .await?
        .ok_or(NoticeError::UrlMissing)?;
    serde_json::from_str::<Value>(secret.expose())
        .ok()
        .and_then(|v| v.get("url").and_then(Value::as_str).map(str::to_string))
        .ok_or(NoticeError::NoUrl)
}

/// Sends `ended` on each channel the project has; each channel's outcome.
async fn send(
    deps: &Deps,
    project: &Project,
    ended: &Ended,
) -> Vec<(&'static str, Result<(), NoticeError>)> {
    let mut out = vec![];
    let posts: [(&'static str, &Option<WebhookInfo>, Value); 3] = [
        ("webhook", &project.webhook, webhook_payload(project, ended)),
        ("slack", &project.slack, slack_payload(ended)),
        ("teams", &project.teams, teams_payload(ended)),
    ];
    for (channel, info, payload) in posts {
        let Some(info) = info else { continue };
        let result = match (&deps.notifier, url_of(deps, info).await) {
            (None, _) => Err(NoticeError::NoNotifier),
            (_, Err(e)) => Err(e),
            (Some(n), Ok(url)) => {
                n.notify(&url, &payload)
                    .await
                    .map_err(|source| NoticeError::Refused {
                        origin: info.origin.clone(),
                        source,
                    })
            }
        };
        out.push((channel, result));
    }
    if !project.notifications.emails.is_empty() {
        out.push(("email", mail(deps, project, ended).await));
    }
    out
}

fn webhook_payload(project: &Project, e: &Ended) -> Value {
    let mut payload = json!({
        "event": e.event,
        "project_id": project.meta.id,
        "kind": e.noun,
        "title": e.title,
        "status": match (e.alarm, e.succeeded) {
            (true, _) => "alarm",
            (false, true) => "succeeded",
            (false, false) => "failed",
        },
        "error": e.error,
        "rows": e.rows,
        "started_at": e.started_at,
        "finished_at": e.finished_at,
        "link": e.link,
    });
    payload[if e.alarm { "alarm_id" } else { "run_id" }] = json!(e.id);
    payload
}

/// A Slack incoming webhook's message: `text` (the notification's fallback)
/// and the same as blocks.
fn slack_payload(e: &Ended) -> Value {
    let body = e.lines().join("\n");
    json!({
        "text": format!("{}\n{body}\n<{}|Open the run>", e.headline(), e.link),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*", e.headline())}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": format!("<{}|Open the run>", e.link)}]}
        ]
    })
}

/// A Microsoft Teams incoming webhook's message card.
fn teams_payload(e: &Ended) -> Value {
    json!({
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": e.headline(),
        "themeColor": if e.succeeded { "2EB67D" } else { "D63333" },
        "title": e.headline(),
        "text": e.lines().join("  \n"),
        "potentialAction": [{
            "@type": "OpenUri",
            "name": "Open the run",
            "targets": [{"os": "default", "uri": e.link}]
        }]
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Mails `ended` to the project's addresses, one message whose id is the
/// run's, so a mail system that sees it twice can tell.
async fn mail(deps: &Deps, project: &Project, e: &Ended) -> Result<(), NoticeError> {
    use lettre::message::{Mailbox, MultiPart};
    let mailer = deps.mailer.as_ref().ok_or(NoticeError::NoMailer)?;
    let from: Mailbox = mailer.from().parse().map_err(|_| NoticeError::BadSender)?;
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(e.headline())
        .message_id(Some(format!("<{}-notice@sluice>", e.id)));
    let mut to = vec![];
    for a in &project.notifications.emails {
        let mailbox: Mailbox = a.parse().map_err(|_| NoticeError::BadAddress(a.clone()))?;
        builder = builder.to(mailbox);
        to.push(a.clone());
    }
    let text = format!(
        "{}\n\n{}\n\n{}\n",
        e.headline(),
        e.lines().join("\n"),
        e.link
    );
    let html = format!(
        "<!doctype html><html><body><h2>{}</h2><p>{}</p><p><a href=\"{}\">Open the run</a></p></body></html>",
        html_escape(&e.headline()),
        e.lines()
            .iter()
            .map(|l| html_escape(l))
            .collect::<Vec<_>>()
            .join("<br>"),
        html_escape(&e.link)
    );
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| NoticeError::Message(e.to_string()))?;
    Ok(mailer.send(&to, &message.formatted()).await?)
}

/// Why a run's end was not announced on a channel (logged; the run is not
/// affected).
#[derive(Debug, thiserror::Error)]
enum NoticeError {
    #[error("reading records: {0}")]
    Store(#[from] sluice_domain::ports::StoreError),
    #[error("reading its URL: {0}")]
    Secrets(#[from] sluice_domain::ports::SecretsError),
    #[error("its URL is missing from the secret store; set it again")]
    UrlMissing,
    #[error("its secret does not hold a URL")]
    NoUrl,
    #[error("no notifier is configured here")]
    NoNotifier,
    #[error("{origin} {source}")]
    Refused {
        origin: String,
        source: sluice_domain::ports::NotifyError,
    },
    #[error("no mail transport is configured here")]
    NoMailer,
    #[error("the sender address does not parse")]
    BadSender,
    #[error("`{0}` is not an address")]
    BadAddress(String),
    #[error("the message could not be built: {0}")]
    Message(String),
    #[error(transparent)]
    Mail(#[from] sluice_domain::ports::MailError),
}
