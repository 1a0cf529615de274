//! The run machine and the bounded holders, under random interleavings.
//!
//! A model of one data mart (two run slots) and the actors that move its runs: the
//! API (start, pause, resume, cancel, retry), the workers (the first extraction
//! step, chunks extracted and transformed, the finalize check), the scheduler (due
//! retries, runs whose lease ran out) and a process restart. Each operation calls
//! the same domain transitions the services and stages call, and may be refused;
//! after every operation, the invariants must hold:
//! - a succeeded run had every chunk transformed (none failed, none waiting) and
//!   its extraction finished;
//! - a run that is not over (queued, running, paused, interrupted, failed with a
//!   retry to come) holds one of the data mart's slots, and no more runs hold one
//!   than there are slots;
//! - a run in a final status stays in it (a cancelled run never runs again), but
//!   for a failed run the user or a due retry starts again;
//! - a running run has started, a final run has finished.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sluice_domain::entities::{ChunkTally, Meta, RetryPolicy, Run, RunKind, RunStatus, StageState};
use sluice_domain::pipeline::{ChunkStatus, Holds};
use sluice_domain::{Id, IdOf, Kind};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SLOTS: usize = 2;

struct Model {
    now: DateTime<Utc>,
    project: Id,
    slots: Holds,
    runs: Vec<(Run, Vec<ChunkStatus>)>,
    /// Each run's final status, once it reached one the user cannot leave.
    sealed: Vec<Option<RunStatus>>,
    log: Vec<String>,
}

impl Model {
    fn new() -> Model {
        Model {
            now: Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .expect("date"),
            project: Id::derived(Kind::Project, &["p"]),
            slots: Holds::default(),
            runs: vec![],
            sealed: vec![],
            log: vec![],
        }
    }

    /// Takes a slot for `run` as the holders primitive does: when full, the holds
    /// of runs that no longer hold one are taken back first.
    fn take_slot(&mut self, run: &Id) -> bool {
        if self.slots.len() >= SLOTS {
            let keep: Vec<bool> = self
                .slots
                .iter()
                .map(|h| {
                    self.runs
                        .iter()
                        .find(|(r, _)| r.meta.id == h.holder)
                        .is_none_or(|(r, _)| r.holds_slot())
                })
                .collect();
            self.slots.keep(&keep);
        }
        self.slots.take(run, SLOTS, self.now).is_ok()
    }

    fn step(&mut self, rng: &mut Rng) {
        self.now += Duration::seconds(rng.below(900) as i64);
        let now = self.now;
        let op = rng.below(13);
        if op == 0 || self.runs.is_empty() {
            let n = self.runs.len();
            if n >= 6 {
                return;
            }
            let id = Id::derived(Kind::Run, &[&n.to_string()]);
            if !self.take_slot(&id) {
                self.log.push(format!("start run{n}: busy"));
                return;
            }
            let mut meta = Meta::new(Kind::Run, &self.project, "test", now);
            meta.id = id;
            let mut run = Run::queued(
                meta,
                IdOf::of(Id::derived(Kind::DataMart, &["m"])).expect("a data mart id"),
                RunKind::Incremental,
            );
            run.heartbeat_at = Some(now);
            if rng.below(2) == 0 {
                run.retry_policy = Some(RetryPolicy {
                    max_retries: 2,
                    backoff_seconds: 60,
                });
            }
            self.runs.push((run, vec![]));
            self.sealed.push(None);
            self.log.push(format!("start run{n}"));
            return;
        }
        let i = rng.below(self.runs.len());
        let mut slot_needed = None;
        let (run, chunks) = &mut self.runs[i];
        let (name, outcome): (&str, Result<(), String>) = match op {
            1 => ("extract begins", run.start(now).map_err(|e| e.to_string())),
            2 => {
                // An extraction step lands a chunk, or the last step ends extraction.
                if run.status() != RunStatus::Running
                    || run.stages.extract.state == StageState::Succeeded
                {
                    ("extract step", Err("not extracting".into()))
                } else if rng.below(3) == 0 {
                    run.stages.extract.finish(StageState::Succeeded, now);
                    run.chunks_total = Some(chunks.len() as u64);
                    ("extract ends", Ok(()))
                } else {
                    chunks.push(ChunkStatus::Extracted);
                    run.heartbeat_at = Some(now);
                    ("extract step", Ok(()))
                }
            }
            3 => {
                // A transform: only a running run's waiting chunks are taken.
                let waiting: Vec<usize> = (0..chunks.len())
                    .filter(|&c| chunks[c] == ChunkStatus::Extracted)
                    .collect();
                if run.status() != RunStatus::Running || waiting.is_empty() {
                    ("transform", Err("nothing to transform".into()))
                } else {
                    let c = waiting[rng.below(waiting.len())];
                    chunks[c] = if rng.below(4) == 0 {
                        ChunkStatus::Failed
                    } else {
                        ChunkStatus::Transformed
                    };
                    run.heartbeat_at = Some(now);
                    ("transform", Ok(()))
                }
            }
            4 => {
                // The finalize check, as the finalize stage makes it.
                let tally = ChunkTally {
                    total: chunks.len() as u64,
                    failed: chunks.iter().filter(|c| **c == ChunkStatus::Failed).count() as u64,
                    waiting: chunks
                        .iter()
                        .filter(|c| **c == ChunkStatus::Extracted)
                        .count() as u64,
                };
                if run.status() != RunStatus::Running
                    || run.stages.extract.state != StageState::Succeeded
                    || tally.waiting > 0
                {
                    // Sometimes it tries anyway: the run must refuse.
                    if rng.below(2) == 0 {
                        (
                            "finalize (early)",
                            run.succeed(tally, now).map_err(|e| e.to_string()),
                        )
                    } else {
                        ("finalize", Err("not ready".into()))
                    }
                } else if tally.failed > 0 {
                    let r = run.fail("chunks failed", now).map_err(|e| e.to_string());
                    if r.is_ok() {
                        run.schedule_retry(now);
                    }
                    ("finalize fails", r)
                } else {
                    (
                        "finalize succeeds",
                        run.succeed(tally, now).map_err(|e| e.to_string()),
                    )
                }
            }
            5 => ("pause", run.pause().map_err(|e| e.to_string())),
            6 => ("resume", run.resume(now).map_err(|e| e.to_string())),
            7 => ("cancel", run.cancel(now).map_err(|e| e.to_string())),
            8 => {
                // The user's retry: a run whose retry is not pending takes a slot
                // again first; failed chunks go back to the transform.
                if run.status() != RunStatus::Failed {
                    ("retry", run.clone().retry(now).map_err(|e| e.to_string()))
                } else {
                    slot_needed = Some(run.next_retry_at.is_none());
                    ("retry", Ok(()))
                }
            }
            9 => {
                // The scheduler's due retry.
                if run.status() == RunStatus::Failed && run.next_retry_at.is_some_and(|t| t <= now)
                {
                    let r = run.retry(now).map_err(|e| e.to_string());
                    if r.is_ok() {
                        for c in chunks.iter_mut().filter(|c| **c == ChunkStatus::Failed) {
                            *c = ChunkStatus::Extracted;
                        }
                    }
                    ("due retry", r)
                } else {
                    ("due retry", Err("not due".into()))
                }
            }
            10 => {
                // The scheduler finds the lease run out (or not).
                let r = run
                    .stall("stuck", now)
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                ("lease check", r)
            }
            11 => {
                // A restart: live runs are interrupted, then resumed.
                let r = run.interrupt().map_err(|e| e.to_string());
                if r.is_ok() && rng.below(2) == 0 {
                    let back = run.resume(now).map_err(|e| e.to_string());
                    assert!(back.is_ok(), "an interrupted run resumes: {back:?}");
                }
                ("restart", r)
            }
            _ => ("fail", run.fail("boom", now).map_err(|e| e.to_string())),
        };
        let label = format!(
            "run{i} {name}: {}",
            outcome.as_ref().err().map_or("ok", |e| e.as_str())
        );
        self.log.push(label);
        if let Some(needs_slot) = slot_needed {
            let id = self.runs[i].0.meta.id.clone();
            if needs_slot && !self.take_slot(&id) {
                self.log.push(format!("run{i} retry: busy"));
                return;
            }
            let (run, chunks) = &mut self.runs[i];
            run.retry(now).expect("a failed run retries");
            for c in chunks.iter_mut().filter(|c| **c == ChunkStatus::Failed) {
                *c = ChunkStatus::Extracted;
            }
        }
    }

    fn check(&mut self) -> Result<(), String> {
        let mut holding = 0;
        for (i, (run, chunks)) in self.runs.iter().enumerate() {
            let status = run.status();
            if status == RunStatus::Succeeded {
                if chunks.iter().any(|c| *c != ChunkStatus::Transformed) {
                    return Err(format!("run{i} succeeded with chunks {chunks:?}"));
                }
                if run.stages.extract.state != StageState::Succeeded {
                    return Err(format!("run{i} succeeded before extraction ended"));
                }
            }
            if run.holds_slot() {
                holding += 1;
                if !self.slots.holds(&run.meta.id) {
                    return Err(format!("run{i} is {status:?} and holds no slot"));
                }
            }
            if status == RunStatus::Running && run.started_at.is_none() {
                return Err(format!("run{i} runs and never started"));
            }
            if status.is_final() && run.finished_at.is_none() {
                return Err(format!("run{i} is {status:?} and never finished"));
            }
            match self.sealed[i] {
                Some(sealed) if sealed != status => {
                    return Err(format!("run{i} was {sealed:?} and is now {status:?}"));
                }
                None if matches!(status, RunStatus::Succeeded | RunStatus::Cancelled) => {
                    self.sealed[i] = Some(status);
                }
                _ => {}
            }
        }
        if holding > SLOTS {
            return Err(format!("{holding} runs hold the data mart's {SLOTS} slots"));
        }
        Ok(())
    }
}

#[test]
fn random_interleavings_never_reach_an_invalid_run() {
    let mut transitions = 0;
    let mut reached = std::collections::BTreeMap::<String, usize>::new();
    for seed in 0..3_000u64 {
        let mut rng = Rng(seed);
        let mut model = Model::new();
        for _ in 0..120 {
            model.step(&mut rng);
            if let Err(why) = model.check() {
                let tail: Vec<&String> = model.log.iter().rev().take(25).rev().collect();
                panic!("seed {seed}: {why}\nlast operations:\n{tail:#?}");
            }
        }
        transitions += model.log.iter().filter(|l| l.ends_with(": ok")).count();
        for (run, _) in &model.runs {
            *reached.entry(format!("{:?}", run.status())).or_default() += 1;
        }
        for line in &model.log {
            if line.ends_with("retry: ok") {
                *reached.entry("retried".into()).or_default() += 1;
            }
        }
    }
    // The interleavings must reach the interesting places, not only refusals:
    // every status, and retries.
    assert!(
        transitions > 20_000,
        "only {transitions} transitions were taken"
    );
    for status in [
        "Queued",
        "Running",
        "Paused",
        "Succeeded",
        "Failed",
        "Cancelled",
        "Interrupted",
        "retried",
    ] {
        assert!(
            reached.get(status).copied().unwrap_or(0) >= 20,
            "runs end in {status} too rarely: {reached:?}"
        );
    }
}

#[test]
fn each_transition_refuses_what_its_status_does_not_allow() {
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let project = Id::derived(Kind::Project, &["p"]);
    let mut run = Run::queued(
        Meta::new(Kind::Run, &project, "test", now),
        IdOf::of(Id::derived(Kind::DataMart, &["m"])).expect("a data mart id"),
        RunKind::Incremental,
    );
    assert!(run.resume(now).is_err(), "a queued run is not paused");
    assert!(run.retry(now).is_err(), "a queued run has not failed");
    run.start(now).expect("queued → running");
    assert!(run.start(now).is_err(), "started twice");
    let early = run
        .succeed(ChunkTally::default(), now)
        .expect_err("still extracting");
    assert!(early.to_string().contains("still extracting"), "{early}");
    run.stages.extract.finish(StageState::Succeeded, now);
    run.chunks_total = Some(2);
    let short = ChunkTally {
        total: 1,
        failed: 0,
        waiting: 0,
    };
    assert!(
        run.succeed(short, now).is_err(),
        "a chunk is unaccounted for"
    );
    let failed = ChunkTally {
        total: 2,
        failed: 1,
        waiting: 0,
    };
    assert!(run.succeed(failed, now).is_err(), "a chunk failed");
    run.cancel(now).expect("running → cancelled");
    for (verb, refused) in [
        ("start", run.start(now).is_err()),
        ("pause", run.pause().is_err()),
        ("resume", run.resume(now).is_err()),
        ("cancel", run.cancel(now).is_err()),
        ("fail", run.fail("x", now).is_err()),
        ("retry", run.retry(now).is_err()),
        ("interrupt", run.interrupt().is_err()),
    ] {
        assert!(refused, "a cancelled run refuses {verb}");
    }
    assert_eq!(run.status(), RunStatus::Cancelled);
}
