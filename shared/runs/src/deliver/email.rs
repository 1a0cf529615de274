//! `email`: the report mailed to the destination's recipients, from the
//! deployment's sender (SMTP locally, SES on AWS): the whole report as a CSV
//! attachment, and its first rows as an HTML table in the body (with a plain
//! text part for mail readers without HTML).
//!
//! The message is built whole before anything is sent, and refused past
//! [`MAX_MESSAGE_BYTES`] (SES's limit for a raw message) with the reason: never
//! a cut attachment. Its `Message-ID` is the run's delivery id, the same on a
//! repeated delivery, so mail systems that drop a repeated id drop it.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use serde_json::Value;
use sluice_domain::entities::{Delivered, MAX_RECIPIENTS};
use sluice_domain::ports::{ColumnInfo, MailError};

use super::{Job, Outcome};
use crate::{Fault, Machine};
use sluice_domain::rows::csv_line;

/// Largest message sent, attachment included (base64 makes it 4/3 of the file).
pub(crate) const MAX_MESSAGE_BYTES: usize = 10 << 20;
/// Rows shown in the body.
const INLINE_ROWS: usize = 20;

fn too_large() -> Fault {
    Fault::Permanent(format!(
        "the report is larger than a mail may carry ({} MiB with its attachment); filter or aggregate it in the report's query, or deliver it as an export",
        MAX_MESSAGE_BYTES >> 20
    ))
}

/// Most rows a worksheet holds, its header among them.
const XLSX_MAX_ROWS: u32 = 1_048_576;
/// Most columns a worksheet holds.
const XLSX_MAX_COLUMNS: usize = 16_384;
/// Longest text a cell holds.
const XLSX_MAX_TEXT: usize = 32_767;

/// The report as one worksheet: a bold header row, then a row per row;
/// numbers and booleans as such, dates and timestamps as Excel dates (shown
/// `yyyy-mm-dd` and `yyyy-mm-dd hh:mm:ss`), text as text, nulls left empty.
struct Sheet {
    book: rust_xlsxwriter::Workbook,
    next: u32,
    bold: rust_xlsxwriter::Format,
    /// Each column's date format, for date and timestamp columns.
    dates: Vec<Option<rust_xlsxwriter::Format>>,
}

/// Whether a column of engine type `kind` holds dates, timestamps or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporal {
    Date,
    Timestamp,
}

fn temporal(kind: &str) -> Option<Temporal> {
    let k = kind.trim().to_ascii_lowercase();
    if k.starts_with("date") {
        Some(Temporal::Date)
    } else if k.starts_with("timestamp") {
        Some(Temporal::Timestamp)
    } else {
        None
    }
}

/// `text` (a date, or a timestamp as the warehouse writes it, with or without
/// an offset, which Excel has no place for: the wall time is kept) as an Excel
/// date; `None` when it is not one Excel can show (before 1900, say).
fn excel_date(text: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
    let t = text.trim();
    let at: NaiveDateTime = if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)?
    } else if let Ok(z) = chrono::DateTime::parse_from_rfc3339(t) {
        z.naive_local()
    } else {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f"))
            .ok()?
    };
    let year = u16::try_from(at.year()).ok()?;
    let seconds = f64::from(at.second()) + f64::from(at.nanosecond() % 1_000_000_000) / 1e9;
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, at.month() as u8, at.day() as u8)
        .ok()?
        .and_hms(at.hour() as u16, at.minute() as u8, seconds)
        .ok()
}

fn xlsx_fault(e: rust_xlsxwriter::XlsxError) -> Fault {
    Fault::Permanent(format!("writing the XLSX attachment: {e}"))
}

impl Sheet {
    fn new() -> Result<Sheet, Fault> {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name("Report")
            .map_err(xlsx_fault)?;
        Ok(Sheet {
            book,
            next: 0,
            bold: rust_xlsxwriter::Format::new().set_bold(),
            dates: vec![],
        })
    }

    fn sheet(&mut self) -> Result<&mut rust_xlsxwriter::Worksheet, Fault> {
        self.book.worksheet_from_index(0).map_err(xlsx_fault)
    }

    fn header(&mut self, columns: &[ColumnInfo]) -> Result<(), Fault> {
        if columns.len() > XLSX_MAX_COLUMNS {
            return Err(Fault::Permanent(format!(
                "the report has {} columns; a worksheet holds at most {XLSX_MAX_COLUMNS}: choose fewer, or mail it as CSV",
                columns.len()
            )));
        }
        self.dates = columns
            .iter()
            .map(|c| {
                temporal(&c.kind).map(|t| {
                    rust_xlsxwriter::Format::new().set_num_format(match t {
                        Temporal::Date => "yyyy-mm-dd",
                        Temporal::Timestamp => "yyyy-mm-dd hh:mm:ss",
                    })
                })
            })
            .collect();
        let bold = self.bold.clone();
        let sheet = self.sheet()?;
        for (c, column) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, &column.name, &bold)
                .map_err(xlsx_fault)?;
            if temporal(&column.kind).is_some() {
                sheet.set_column_width(c as u16, 19).map_err(xlsx_fault)?;
            }
        }
        self.next = 1;
        Ok(())
    }

    fn row(&mut self, row: &[Value]) -> Result<(), Fault> {
        if self.next >= XLSX_MAX_ROWS {
            return Err(Fault::Permanent(format!(
                "the report has more rows than a worksheet holds ({}); filter or aggregate it, or mail it as CSV",
                XLSX_MAX_ROWS - 1
            )));
        }
        let r = self.next;
        let dates = std::mem::take(&mut self.dates);
        let sheet = self.sheet()?;
        for (c, v) in row.iter().enumerate() {
            let format = dates.get(c).and_then(Option::as_ref);
            let c = c as u16;
            match v {
                Value::Null => {}
                Value::String(t)
                    if let Some(format) = format
                        && let Some(at) = excel_date(t) =>
                {
                    sheet
                        .write_datetime_with_format(r, c, at, format)
                        .map_err(xlsx_fault)?;
                }
                Value::Bool(b) => {
                    sheet.write_boolean(r, c, *b).map_err(xlsx_fault)?;
                }
                Value::Number(n) => match n.as_f64() {
                    Some(f) if f.is_finite() => {
                        sheet.write_number(r, c, f).map_err(xlsx_fault)?;
                    }
                    _ => {
                        sheet
                            .write_string(r, c, n.to_string())
                            .map_err(xlsx_fault)?;
                    }
                },
                Value::String(t) => {
                    let t: String = t.chars().take(XLSX_MAX_TEXT).collect();
                    sheet.write_string(r, c, t).map_err(xlsx_fault)?;
                }
                other => {
                    let t: String = other.to_string().chars().take(XLSX_MAX_TEXT).collect();
                    sheet.write_string(r, c, t).map_err(xlsx_fault)?;
                }
            }
        }
        self.dates = dates;
        self.next += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, Fault> {
        self.book.save_to_buffer().map_err(xlsx_fault)
    }
}

/// `s` with the characters HTML gives meaning to escaped.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The body's HTML: a heading, the first rows as a table, and how many there are.
fn html_body(title: &str, columns: &[String], rows: &[Vec<Value>], total: u64) -> String {
    let mut h = format!(
        "<!doctype html><html><body><h2>{}</h2><table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>",
        html_escape(title)
    );
    for c in columns {
        h.push_str(&format!("<th>{}</th>", html_escape(c)));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        // A line a row, so lines stay short and the part plain 7-bit text.
        h.push_str("<tr>");
        for v in row {
            h.push_str(&format!("<td>{}</td>", html_escape(&cell(v))));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>");
    let shown = rows.len() as u64;
    h.push_str(&if total > shown {
        format!("<p>The first {shown} of {total} rows; all of them are in the attached CSV.</p>")
    } else {
        format!("<p>{total} rows, also in the attached CSV.</p>")
    });
    h.push_str("</body></html>");
    h
}

/// The recipients in the destination's config, each an address.
fn recipients(job: &Job<'_>) -> Result<Vec<Mailbox>, Fault> {
    let list = job.strings("to");
    if list.is_empty() || list.len() > MAX_RECIPIENTS {
        return Err(Fault::Permanent(format!(
            "the destination's `to` needs 1 to {MAX_RECIPIENTS} addresses"
        )));
    }
    list.iter()
        .map(|a| {
            a.parse::<Mailbox>().map_err(|_| {
                Fault::Permanent(format!("`{a}` in the destination's `to` is not an address"))
            })
        })
        .collect()
}

pub(crate) async fn deliver(m: &Machine, mut job: Job<'_>) -> Result<Outcome, Fault> {
    let mailer = m.deps.mailer.clone().ok_or_else(|| {
        Fault::Permanent(
            "no mail transport is configured here: start sluice with --smtp-url and --mail-from, or set the stack's MailFrom (SES)"
                .into(),
        )
    })?;
    let to = recipients(&job)?;
    let from: Mailbox = mailer
        .from()
        .parse()
        .map_err(|_| Fault::Permanent("the deployment's sender is not an address".into()))?;
    let day = job.run.meta.created_at.format("%Y-%m-%d").to_string();
    let subject = job
        .str("subject", "{report}")
        .replace("{report}", &job.report.title)
        .replace("{date}", &day);

    let xlsx = match job.str("attachment", "csv").as_str() {
        "csv" => None,
        "xlsx" => Some(Sheet::new()?),
        other => {
            return Err(Fault::Permanent(format!(
                "the destination's attachment `{other}` is not csv or xlsx"
            )));
        }
    };
    let mut xlsx = xlsx;
    // The attachment, page by page, refused as soon as it cannot fit (its CSV
    // text measures an XLSX one too: the workbook is smaller).
    let mut csv: Vec<u8> = Vec::new();
    let mut columns: Vec<String> = vec![];
    let mut inline: Vec<Vec<Value>> = vec![];
    let mut rows = 0u64;
    let io = |e: std::io::Error| Fault::Transient(format!("writing the attachment: {e}"));
    while let Some(page) = job.pages.next().await? {
        if columns.is_empty() {
            columns = page.columns.iter().map(|c| c.name.clone()).collect();
            let header: Vec<Value> = columns.iter().map(|c| Value::String(c.clone())).collect();
            csv_line(&mut csv, header.iter()).map_err(io)?;
            if let Some(sheet) = xlsx.as_mut() {
                sheet.header(&page.columns)?;
            }
        }
        for row in page.rows {
            rows += 1;
            csv_line(&mut csv, row.iter()).map_err(io)?;
            if let Some(sheet) = xlsx.as_mut() {
                sheet.row(&row)?;
            }
            if inline.len() < INLINE_ROWS {
                inline.push(row);
            }
        }
        if csv.len() / 3 * 4 > MAX_MESSAGE_BYTES {
            return Err(too_large());
        }
    }
    let (attachment, extension, kind) = match xlsx {
        Some(sheet) => (
            sheet.finish()?,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        None => (csv, "csv", "text/csv; charset=utf-8"),
    };
    let csv_bytes = attachment.len() as u64;
    let file_name = format!("{}-{day}.{extension}", job.report.meta.id);
    let text = format!(
        "{}: {rows} rows, in the attached {file_name}.",
        job.report.title
    );
    let html = html_body(&job.report.title, &columns, &inline, rows);
    let delivery_id = job.run.delivery_id();
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(subject)
        .message_id(Some(format!("<{delivery_id}@sluice>")));
    for mailbox in &to {
        builder = builder.to(mailbox.clone());
    }
    let csv_type = ContentType::parse(kind)
        .map_err(|e| Fault::Permanent(format!("the attachment's type: {e}")))?;
    let message = builder
        .multipart(
            MultiPart::mixed()
                .multipart(MultiPart::alternative_plain_html(text, html))
                .singlepart(Attachment::new(file_name.clone()).body(attachment, csv_type)),
        )
        .map_err(|e| Fault::Permanent(format!("the message: {e}")))?;
    let formatted = message.formatted();
    if formatted.len() > MAX_MESSAGE_BYTES {
        return Err(too_large());
    }
    let envelope: Vec<String> = to.iter().map(|b| b.email.to_string()).collect();
    mailer
        .send(&envelope, &formatted)
        .await
        .map_err(|e| match e {
            MailError::Refused(why) => Fault::Permanent(format!("the mail was refused: {why}")),
            MailError::Unavailable(why) => Fault::Transient(format!("mail: {why}")),
        })?;
    tracing::info!(report_run_id = %job.run.meta.id, recipients = envelope.len(), rows, "Report mailed.");
    Ok(Outcome {
        rows,
        bytes: csv_bytes,
        log: vec![format!(
            "Mailed to {} recipient(s) with {file_name} ({csv_bytes} bytes).",
            envelope.len()
        )],
        delivered: Delivered {
            target: format!("{} recipient(s)", envelope.len()),
            format: Some(extension.into()),
            status: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_become_excel_dates() {
        assert_eq!(temporal("Date32"), Some(Temporal::Date));
        assert_eq!(temporal("date"), Some(Temporal::Date));
        assert_eq!(
            temporal("Timestamp(Microsecond, Some(\"UTC\"))"),
            Some(Temporal::Timestamp)
        );
        assert_eq!(temporal("timestamp"), Some(Temporal::Timestamp));
        assert_eq!(temporal("Utf8"), None);
        let serial = |t: &str| excel_date(t).map(|d| d.to_excel());
        // Excel counts days from 1899-12-30; a time is the day's fraction.
        assert_eq!(serial("2026-11-02"), Some(46328.0));
        assert_eq!(serial("2026-11-02T18:00:00"), Some(46328.75));
        assert_eq!(serial("2026-11-02 18:00:00.000"), Some(46328.75));
        assert_eq!(serial("2026-11-02T18:00:00Z"), Some(46328.75));
        assert_eq!(serial("2026-11-02T18:00:00+02:00"), Some(46328.75));
        assert_eq!(serial("not a date"), None);
        assert_eq!(serial("1066-10-14"), None, "before Excel's first date");
    }

    #[test]
    fn the_body_escapes_what_the_report_holds() {
        let html = html_body(
            "Sales <Q1>",
            &["name".into(), "n".into()],
            &[vec![Value::String("<script>&".into()), Value::Null]],
            3,
        );
        assert!(html.contains("Sales &lt;Q1&gt;"), "{html}");
        assert!(
            html.contains("<td>&lt;script&gt;&amp;</td><td></td>"),
            "{html}"
        );
        assert!(html.contains("The first 1 of 3 rows"), "{html}");
        assert!(!html.contains("<script>"));
    }
}
