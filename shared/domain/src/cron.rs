//! Cron schedules (5 fields or a preset) evaluated in an IANA time zone.
//!
//! Daylight-saving rules, as people expect them: a local time that does not exist
//! (skipped hour) fires once, at the first valid instant after the gap; a local time
//! that happens twice (repeated hour) fires once, at its first occurrence.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone as _, Timelike,
    Utc,
};
use chrono_tz::Tz;

use crate::error::DomainError;

/// A parsed cron expression. Keeps its source text for display and storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    text: String,
    minutes: u64, // bits 0..=59
    hours: u32,   // bits 0..=23
    days: u32,    // bits 1..=31
    months: u16,  // bits 1..=12
    weekdays: u8, // bits 0..=6, Sunday = 0
    day_restricted: bool,
    weekday_restricted: bool,
}

/// Presets accepted in place of five fields.
pub const PRESETS: [(&str, &str); 7] = [
    ("@every_15_minutes", "*/15 * * * *"),
    ("@hourly", "0 * * * *"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
];

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// How far ahead to look for a fire before calling a schedule impossible (`30 2 *`
/// fires never; `29 2 *` fires within eight years).
const HORIZON_DAYS: i64 = 366 * 8 + 2;

impl CronSchedule {
    pub fn parse(text: &str) -> Result<CronSchedule, String> {
        let trimmed = text.trim();
        let expanded = if trimmed.starts_with('@') {
            PRESETS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(trimmed))
                .map(|(_, expr)| *expr)
                .ok_or_else(|| {
                    let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
                    format!(
                        "unknown preset `{trimmed}`; use one of {}",
                        names.join(", ")
                    )
                })?
        } else {
            trimmed
        };
        let parts: Vec<&str> = expanded.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), got {}",
                parts.len()
            ));
        }
        let minutes = parse_field(parts[0], "minute", 0, 59, &[])?;
        let hours = parse_field(parts[1], "hour", 0, 23, &[])?;
        let days = parse_field(parts[2], "day-of-month", 1, 31, &[])?;
        let months = parse_field(parts[3], "month", 1, 12, &MONTHS)?;
        let mut weekdays = parse_field(parts[4], "day-of-week", 0, 7, &WEEKDAYS)?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & 0x7f; // 7 is Sunday too
        }
        let schedule = CronSchedule {
            text: trimmed.to_string(),
            minutes,
            hours: hours as u32,
            days: days as u32,
            months: months as u16,
            weekdays: weekdays as u8,
            day_restricted: parts[2] != "*" && parts[2] != "?",
            weekday_restricted: parts[4] != "*" && parts[4] != "?",
        };
        if schedule
            .next_after(
                Tz::UTC,
                DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default(),
            )
            .is_none()
        {
            return Err("the expression never fires (no such date)".into());
        }
        Ok(schedule)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn date_matches(&self, date: NaiveDate) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let day_ok = self.days & (1 << date.day()) != 0;
        let weekday_ok = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        // Vixie cron: when both day fields are restricted, either may match.
        match (self.day_restricted, self.weekday_restricted) {
            (true, true) => day_ok || weekday_ok,
            _ => day_ok && weekday_ok,
        }
    }

    /// The next local wall-clock minute at or after `from` that the fields match.
    fn next_local_match(&self, from: NaiveDateTime, limit: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut date = from.date();
        let mut start_minute = from.hour() * 60 + from.minute();
        while date.and_hms_opt(0, 0, 0)? <= limit {
            if self.date_matches(date) {
                for hour in (start_minute / 60)..24 {
                    if self.hours & (1 << hour) == 0 {
                        continue;
                    }
                    let first = if hour == start_minute / 60 {
                        start_minute % 60
                    } else {
                        0
                    };
                    if let Some(minute) = (first..60).find(|m| self.minutes & (1u64 << m) != 0) {
                        return date.and_hms_opt(hour, minute, 0);
                    }
                }
            }
            date = date.succ_opt()?;
            start_minute = 0;
        }
        None
    }

    /// The first fire strictly after `after`, in `tz`.
    pub fn next_after(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&tz).naive_local();
        let mut candidate = local.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let limit = local + Duration::days(HORIZON_DAYS);
        loop {
            let wall = self.next_local_match(candidate, limit)?;
            let instant = match tz.from_local_datetime(&wall) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                // Repeated hour: only the first occurrence fires.
                LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
                // Skipped hour: fire at the first valid instant after the gap.
                LocalResult::None => first_valid_after_gap(tz, wall),
            };
            if let Some(t) = instant.filter(|t| *t > after) {
                return Some(t);
            }
            candidate = wall + Duration::minutes(1);
        }
    }

    /// The next `n` fires after `after`.
    pub fn upcoming(&self, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut t = after;
        while out.len() < n {
            match self.next_after(tz, t) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }
}

fn first_valid_after_gap(tz: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    // Gaps are at most a day long (Samoa skipped 2011-12-30); walk minute by minute.
    let mut t = wall;
    for _ in 0..(26 * 60) {
        t += Duration::minutes(1);
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return Some(x.with_timezone(&Utc)),
            LocalResult::Ambiguous(x, _) => return Some(x.with_timezone(&Utc)),
            LocalResult::None => continue,
        }
    }
    None
}

fn parse_value(s: &str, what: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    if let Some(pos) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(pos as u32 + min);
    }
    let v: u32 = s
        .parse()
        .map_err(|_| format!("{what}: `{s}` is not a number"))?;
    if v < min || v > max {
        return Err(format!("{what}: {v} is out of range {min}-{max}"));
    }
    Ok(v)
}

fn parse_field(field: &str, what: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| format!("{what}: step `{s}` is not a number"))?;
                if step == 0 {
                    return Err(format!("{what}: step must be at least 1"));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (
                parse_value(a, what, min, max, names)?,
                parse_value(b, what, min, max, names)?,
            );
            if a > b {
                return Err(format!("{what}: range {a}-{b} runs backwards"));
            }
            (a, b)
        } else {
            let v = parse_value(range, what, min, max, names)?;
            // `5/15` means from 5 to the end, every 15.
            (v, if part.contains('/') { max } else { v })
        };
        if range.is_empty() {
            return Err(format!("{what}: empty value"));
        }
        // `step_by`, not `v += step`: a step near u32::MAX would overflow.
        for v in (lo..=hi).step_by(step as usize) {
            bits |= 1 << v;
        }
    }
    Ok(bits)
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for CronSchedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CronSchedule::parse(s)
    }
}

/// An IANA time zone, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub Tz);

impl TimeZone {
    pub fn parse(name: &str) -> Result<TimeZone, DomainError> {
        name.parse::<Tz>().map(TimeZone).map_err(|_| {
            DomainError::invalid(
                "timezone",
                format!("`{name}` is not an IANA time zone (e.g. `Europe/Berlin`, `UTC`)"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid test instant")
            .with_timezone(&Utc)
    }

    fn tz(name: &str) -> Tz {
        name.parse().expect("valid test zone")
    }

    #[test]
    fn every_fifteen_minutes_fires_on_the_quarter() {
        let c = CronSchedule::parse("*/15 * * * *").expect("valid");
        let next = c.upcoming(Tz::UTC, utc("2026-01-01T10:07:30Z"), 3);
        assert_eq!(
            next,
            vec![
                utc("2026-01-01T10:15:00Z"),
                utc("2026-01-01T10:30:00Z"),
                utc("2026-01-01T10:45:00Z")
            ]
        );
    }

    #[test]
    fn daily_at_nine_in_berlin_follows_the_zone() {
        let c = CronSchedule::parse("0 9 * * *").expect("valid");
        assert_eq!(
            c.next_after(tz("Europe/Berlin"), utc("2026-01-15T12:00:00Z")),
            Some(utc("2026-01-16T08:00:00Z"))
        );
        assert_eq!(
            c.next_after(tz("Europe/Berlin"), utc("2026-07-15T12:00:00Z")),
            Some(utc("2026-07-16T07:00:00Z"))
        );
    }

    #[test]
    fn a_skipped_local_hour_fires_once_at_the_end_of_the_gap() {
        // New York, 2026-03-08: 02:00 local jumps to 03:00 (07:00 UTC).
        let c = CronSchedule::parse("30 2 * * *").expect("valid");
        let ny = tz("America/New_York");
        assert_eq!(
            c.next_after(ny, utc("2026-03-08T05:00:00Z")),
            Some(utc("2026-03-08T07:00:00Z"))
        );
        let every15 = CronSchedule::parse("*/15 * * * *").expect("valid");
        let fires = every15.upcoming(ny, utc("2026-03-08T06:40:00Z"), 3);
        assert_eq!(
            fires,
            vec![
                utc("2026-03-08T06:45:00Z"),
                utc("2026-03-08T07:00:00Z"),
                utc("2026-03-08T07:15:00Z")
            ]
        );
    }

    #[test]
    fn a_repeated_local_hour_fires_once() {
        // New York, 2026-11-01: 01:00-01:59 happens twice (05:xx and 06:xx UTC).
        let c = CronSchedule::parse("30 1 * * *").expect("valid");
        let ny = tz("America/New_York");
        let fires = c.upcoming(ny, utc("2026-11-01T00:00:00Z"), 2);
        assert_eq!(
            fires,
            vec![utc("2026-11-01T05:30:00Z"), utc("2026-11-02T06:30:00Z")]
        );
    }

    #[test]
    fn both_day_fields_restricted_match_either() {
        let c = CronSchedule::parse("0 0 13 * FRI").expect("valid");
        // 2026-02-06 is a Friday, before the 13th.
        assert_eq!(
            c.next_after(Tz::UTC, utc("2026-02-01T00:00:00Z")),
            Some(utc("2026-02-06T00:00:00Z"))
        );
    }

    #[test]
    fn presets_names_and_sunday_as_seven_parse() {
        for (p, _) in PRESETS {
            CronSchedule::parse(p).expect("preset parses");
        }
        let a = CronSchedule::parse("0 0 * JAN-MAR 7").expect("valid");
        let b = CronSchedule::parse("0 0 * 1-3 0").expect("valid");
        assert_eq!(
            a.next_after(Tz::UTC, utc("2026-01-01T00:00:00Z")),
            b.next_after(Tz::UTC, utc("2026-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn bad_expressions_say_what_is_wrong() {
        let cases = [
            ("* * * *", "expected 5 fields"),
            ("60 * * * *", "minute: 60 is out of range"),
            ("*/0 * * * *", "step must be at least 1"),
            ("0 0 30 2 *", "never fires"),
            ("0 0 * * FUNDAY", "not a number"),
            ("5-1 * * * *", "runs backwards"),
            ("@fortnightly", "unknown preset"),
        ];
        for (expr, want) in cases {
            let err = CronSchedule::parse(expr).expect_err(expr);
            assert!(err.contains(want), "{expr}: {err}");
        }
    }

    #[test]
    fn a_step_beyond_the_range_selects_only_the_start() {
        // `1/4294967295` once overflowed while stepping past the end of the range.
        let c = CronSchedule::parse("1/4294967295 * * * *").expect("valid");
        assert_eq!(
            c.upcoming(Tz::UTC, utc("2026-01-01T10:07:30Z"), 2),
            vec![utc("2026-01-01T11:01:00Z"), utc("2026-01-01T12:01:00Z")]
        );
    }

    #[test]
    fn leap_day_schedules_find_the_next_leap_year() {
        let c = CronSchedule::parse("0 0 29 2 *").expect("valid");
        assert_eq!(
            c.next_after(Tz::UTC, utc("2026-03-01T00:00:00Z")),
            Some(utc("2028-02-29T00:00:00Z"))
        );
    }
}
