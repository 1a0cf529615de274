//! SQLite metadata store. One table mirrors the DynamoDB design (see
//! `sluice-aws/src/dynamodb.rs`):
//!
//! | access pattern | served by |
//! | --- | --- |
//! | get a record by project, kind, id | primary key `(pk = P#{project}, sk = {KIND}#{id})` |
//! | insert if absent | primary key conflict → `AlreadyExists` |
//! | replace if unchanged | `UPDATE … WHERE pk, sk AND version = old` |
//! | list a kind's live records, newest first | primary key range `sk` between `{KIND}#` and `{KIND}$`, descending |
//! | list a parent's live records of a kind, newest first | index `records_parent (parent = P#{project}#{KIND}#{parent}, sk)` |
//! | find what is due (scheduler), all projects, earliest first | partial index `records_due_key (due_at, pk, sk)`, continuing after a `(due_at, pk, sk)` cursor |
//!
//! Connections are few and held briefly: one writer connection serializes writes in
//! this process (so its own writers never wait on SQLite's busy lock), and reads take
//! one of a few reader connections (WAL lets them run beside the writer). Other
//! processes on the same file (`sluice token`) wait on the busy timeout.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use async_trait::async_trait;
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use sluice_domain::ports::keys::{parent as parent_key, partition as pk, sort as sk};
use sluice_domain::ports::{
    DueQuery, ListQuery, Page, Record, RecordDue, RecordGet, RecordList, RecordPut, StoreError,
};
use sluice_domain::{Id, Kind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    parent TEXT,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_parent ON records (parent, sk) WHERE parent IS NOT NULL;
DROP INDEX IF EXISTS records_due;
CREATE INDEX IF NOT EXISTS records_due_key ON records (due_at, pk, sk) WHERE due_at IS NOT NULL;
";

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::backend(e)
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` with one writer and
    /// `readers` reader connections.
    pub fn open(path: &Path, readers: usize) -> anyhow::Result<SqliteStore> {
        let connect = || -> anyhow::Result<Connection> {
            let conn = Connection::open(path)
                .with_context(|| format!("opening the metadata store {}", path.display()))?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            // Reads map the file instead of copying pages through a small cache: a
            // store of a million records keeps its lookups at memory speed (the
            // mapping is address space; the OS pages it in and out).
            conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
            conn.pragma_update(None, "cache_size", -8_192)?;
            // A replaced record's old text (a value since moved to Secrets) is
            // overwritten, not left in free pages of the file.
            conn.pragma_update(None, "secure_delete", "ON")?;
            Ok(conn)
        };
        let writer = connect()?;
        writer
            .execute_batch(SCHEMA)
            .context("creating the metadata schema")?;
        let readers = (0..readers.max(1))
            .map(|_| connect().map(Mutex::new))
            .collect::<anyhow::Result<_>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next: AtomicUsize::new(0),
        })
    }

    /// Every record of `kind`, in every project, live or deleted: for one-off
    /// maintenance at start (moving plain values to Secrets), never for a request.
    pub fn all_of_kind(&self, kind: Kind) -> Result<Vec<Record>, StoreError> {
        let like = format!("{}#%", kind.key_prefix());
        self.read(|c| {
            let mut stmt = c
                .prepare("SELECT pk, sk, parent, version, deleted, due_at, body FROM records WHERE sk LIKE ?1")
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![like], |r| {
                    let pk: String = r.get(0)?;
                    let project = pk
                        .strip_prefix("P#")
                        .and_then(|p| Id::parse(Kind::Project, p));
                    let Some(project) = project else {
                        return Ok(Err(StoreError::backend(format!(
                            "malformed partition key `{pk}` in the metadata store"
                        ))));
                    };
                    row_to_record_at(&project, kind, r, 1)
                })
                .map_err(backend)?;
            rows.map(|r| r.map_err(backend)?).collect()
        })
    }

    /// Folds the write-ahead log into the file and empties it, so no old page
    /// version lingers there.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.write(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(backend)
        })
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        f(&lock(&self.readers[i]))
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        f(&lock(&self.writer))
    }
}

/// A poisoned lock only means another call panicked mid-statement; SQLite rolled that
/// statement back, so the connection is still usable.
fn lock(m: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn row_to_record(
    project: &Id,
    kind: Kind,
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Result<Record, StoreError>> {
    row_to_record_at(project, kind, row, 0)
}

/// A record from a row whose columns from `at` are sk, parent, version, deleted,
/// due_at, body.
fn row_to_record_at(
    project: &Id,
    kind: Kind,
    row: &rusqlite::Row<'_>,
    at: usize,
) -> rusqlite::Result<Result<Record, StoreError>> {
    let sk: String = row.get(at)?;
    let parent: Option<String> = row.get(at + 1)?;
    let version: i64 = row.get(at + 2)?;
    let deleted: i64 = row.get(at + 3)?;
    let due_at: Option<i64> = row.get(at + 4)?;
    let body: String = row.get(at + 5)?;
    let id = sk.split_once('#').and_then(|(_, id)| Id::parse(kind, id));
    let parent = parent.and_then(|p| {
        p.rsplit('#')
            .next()
            .and_then(|id| Id::kind_of(id).and_then(|k| Id::parse(k, id)))
    });
    Ok(match id {
        Some(id) => Ok(Record {
            project: project.clone(),
            kind,
            id,
            parent,
            version: version as u64,
            deleted: deleted != 0,
            due_at,
            body,
        }),
        None => Err(StoreError::backend(format!(
            "malformed sort key `{sk}` in the metadata store"
        ))),
    })
}

#[async_trait]
impl RecordGet for SqliteStore {
    async fn get(&self, project: &Id, kind: Kind, id: &Id) -> Result<Option<Record>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT sk, parent, version, deleted, due_at, body FROM records WHERE pk = ?1 AND sk = ?2").map_err(backend)?;
            let row = stmt.query_row(params![pk(project), sk(kind, id)], |r| row_to_record(project, kind, r)).optional().map_err(backend)?;
            row.transpose()
        })
    }
}

#[async_trait]
impl RecordPut for SqliteStore {
    async fn insert(&self, r: &Record) -> Result<(), StoreError> {
        self.write(|c| {
            let parent = r.parent.as_ref().map(|p| parent_key(&r.project, r.kind, p));
            let res = c
                .prepare_cached("INSERT INTO records (pk, sk, parent, version, deleted, due_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .map_err(backend)?
                .execute(params![pk(&r.project), sk(r.kind, &r.id), parent, r.version as i64, r.deleted as i64, r.due_at, r.body]);
            match res {
                Ok(_) => Ok(()),
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => Err(StoreError::AlreadyExists),
                Err(e) => Err(backend(e)),
            }
        })
    }

    async fn replace(&self, r: &Record) -> Result<(), StoreError> {
        self.write(|c| {
            let parent = r.parent.as_ref().map(|p| parent_key(&r.project, r.kind, p));
            let changed = c
                .prepare_cached("UPDATE records SET parent = ?3, version = ?4, deleted = ?5, due_at = ?6, body = ?7 WHERE pk = ?1 AND sk = ?2 AND version = ?8")
                .map_err(backend)?
                .execute(params![pk(&r.project), sk(r.kind, &r.id), parent, r.version as i64, r.deleted as i64, r.due_at, r.body, r.version as i64 - 1])
                .map_err(backend)?;
            if changed == 1 { Ok(()) } else { Err(StoreError::VersionConflict) }
        })
    }
}

#[async_trait]
impl RecordList for SqliteStore {
    async fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        let limit = q.limit.clamp(1, 1000) as i64;
        let upper = match &q.after {
            Some(after) => sk(q.kind, after),
            None => format!("{}$", q.kind.key_prefix()),
        };
        self.read(|c| {
            let records: Vec<Result<Record, StoreError>> = match &q.parent {
                Some(parent) => {
                    let mut stmt = c
                        .prepare_cached("SELECT sk, parent, version, deleted, due_at, body FROM records WHERE parent = ?1 AND sk < ?2 AND deleted = 0 ORDER BY sk DESC LIMIT ?3")
                        .map_err(backend)?;
                    let rows = stmt.query_map(params![parent_key(&q.project, q.kind, parent), upper, limit + 1], |r| row_to_record(&q.project, q.kind, r)).map_err(backend)?;
                    rows.collect::<Result<_, _>>().map_err(backend)?
                }
                None => {
                    let lower = format!("{}#", q.kind.key_prefix());
                    let mut stmt = c
                        .prepare_cached("SELECT sk, parent, version, deleted, due_at, body FROM records WHERE pk = ?1 AND sk > ?2 AND sk < ?3 AND deleted = 0 ORDER BY sk DESC LIMIT ?4")
                        .map_err(backend)?;
                    let rows = stmt.query_map(params![pk(&q.project), lower, upper, limit + 1], |r| row_to_record(&q.project, q.kind, r)).map_err(backend)?;
                    rows.collect::<Result<_, _>>().map_err(backend)?
                }
            };
            let mut records: Vec<Record> = records.into_iter().collect::<Result<_, _>>()?;
            let more = records.len() as i64 > limit;
            records.truncate(limit as usize);
            let next = if more { records.last().map(|r| r.id.clone()) } else { None };
            Ok(Page { records, next })
        })
    }
}

#[async_trait]
impl RecordDue for SqliteStore {
    async fn due(&self, q: &DueQuery) -> Result<Vec<Record>, StoreError> {
        let limit = q.limit.clamp(1, 1000) as i64;
        // No cursor: before every key.
        let (after_due, after_pk, after_sk) = match &q.after {
            Some(c) => (c.due_at, pk(&c.project), sk(c.kind, &c.id)),
            None => (i64::MIN, String::new(), String::new()),
        };
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT sk, parent, version, deleted, due_at, body, pk FROM records \
                     WHERE due_at IS NOT NULL AND due_at <= ?1 AND (due_at, pk, sk) > (?2, ?3, ?4) \
                     ORDER BY due_at, pk, sk LIMIT ?5",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map(
                    params![q.until, after_due, after_pk, after_sk, limit],
                    |r| {
                        let pk: String = r.get(6)?;
                        let sk: String = r.get(0)?;
                        let project = pk
                            .strip_prefix("P#")
                            .and_then(|p| Id::parse(Kind::Project, p));
                        let kind = sk
                            .split_once('#')
                            .and_then(|(k, _)| Kind::from_key_prefix(k));
                        match (project, kind) {
                            (Some(project), Some(kind)) => row_to_record(&project, kind, r),
                            _ => Ok(Err(StoreError::backend(format!(
                                "malformed key `{pk}` / `{sk}` in the metadata store"
                            )))),
                        }
                    },
                )
                .map_err(backend)?;
            let records: Vec<Result<Record, StoreError>> =
                rows.collect::<Result<_, _>>().map_err(backend)?;
            records.into_iter().collect()
        })
    }
}
