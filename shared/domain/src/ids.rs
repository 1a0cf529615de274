//! Time-sortable, kind-prefixed identifiers (`dm_01JD…`): a ULID (48-bit milliseconds,
//! 80 random bits, Crockford base32) after a prefix naming the kind, so ids sort by
//! creation time and say what they point at.

use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The kinds of record Sluice stores; each has an id prefix and a key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Project,
    Storage,
    Source,
    DataMart,
    Destination,
    Report,
    Trigger,
    Run,
    /// A run's extraction step (internal to the run machinery).
    Step,
    /// A run's chunk of rows (internal to the run machinery).
    Chunk,
    /// The connector state (cursors) of a data mart.
    State,
    /// A backfill: a date range cut into windows, one run per window.
    Backfill,
    /// The run slots of a data mart: which runs hold its `max_active_runs`.
    Slots,
    /// The chunk leases of a run: which chunks hold its `parallelism`.
    Leases,
    /// One delivery of a report to its destination.
    ReportRun,
    /// A lookup table of the project (its id derives from its name).
    ValueMap,
    /// A person who signs in (a deployment's record: its id derives from the
    /// e-mail address).
    User,
    /// A sign-in of a user: the family of the refresh tokens rotated from it.
    Session,
    /// One refresh token of a session, stored as its digest.
    RefreshToken,
    /// A machine credential of a project, stored as its digest.
    ApiKey,
    /// The deployment's own record: who signed up first.
    Deployment,
    /// One write through the API: who, through which credential, what, and
    /// the record's versions around it.
    AuditEntry,
    /// Something an operator should look at (a run that failed, an SLA
    /// missed…), raised once per condition and counted, until acknowledged.
    Alarm,
    /// A user's membership of a project: their role there, and the data marts
    /// it is scoped to, if any.
    Member,
    /// A project's own role: a set of permissions, each an action on a kind
    /// of resource.
    CustomRole,
    /// An invitation to join a project with a role, good once, until it expires.
    Invitation,
}

impl Kind {
    pub const ALL: [Kind; 26] = [
        Kind::Project,
        Kind::Storage,
        Kind::Source,
        Kind::DataMart,
        Kind::Destination,
        Kind::Report,
        Kind::Trigger,
        Kind::Run,
        Kind::Step,
        Kind::Chunk,
        Kind::State,
        Kind::Backfill,
        Kind::Slots,
        Kind::Leases,
        Kind::ReportRun,
        Kind::ValueMap,
        Kind::User,
        Kind::Session,
        Kind::RefreshToken,
        Kind::ApiKey,
        Kind::Deployment,
        Kind::AuditEntry,
        Kind::Alarm,
        Kind::Member,
        Kind::CustomRole,
        Kind::Invitation,
    ];

    /// Prefix of the id, before the underscore.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Project => "prj",
            Kind::Storage => "sto",
            Kind::Source => "src",
            Kind::DataMart => "dm",
            Kind::Destination => "dst",
            Kind::Report => "rpt",
            Kind::Trigger => "trg",
            Kind::Run => "run",
            Kind::Step => "stp",
            Kind::Chunk => "chk",
            Kind::State => "cst",
            Kind::Backfill => "bf",
            Kind::Slots => "slt",
            Kind::Leases => "lse",
            Kind::ReportRun => "rr",
            Kind::ValueMap => "vm",
            Kind::User => "usr",
            Kind::Session => "ses",
            Kind::RefreshToken => "rtk",
            Kind::ApiKey => "key",
            Kind::Deployment => "dep",
            Kind::AuditEntry => "aud",
            Kind::Alarm => "alm",
            Kind::Member => "mbr",
            Kind::CustomRole => "rol",
            Kind::Invitation => "inv",
        }
    }

    /// Segment used in store keys (`P#{project}#DM#{id}`).
    pub fn key_prefix(self) -> &'static str {
        match self {
            Kind::Project => "PRJ",
            Kind::Storage => "STO",
            Kind::Source => "SRC",
            Kind::DataMart => "DM",
            Kind::Destination => "DST",
            Kind::Report => "RPT",
            Kind::Trigger => "TRG",
            Kind::Run => "RUN",
            Kind::Step => "STP",
            Kind::Chunk => "CHK",
            Kind::State => "CST",
            Kind::Backfill => "BF",
            Kind::Slots => "SLT",
            Kind::Leases => "LSE",
            Kind::ReportRun => "RR",
            Kind::ValueMap => "VM",
            Kind::User => "USR",
            Kind::Session => "SES",
            Kind::RefreshToken => "RTK",
            Kind::ApiKey => "KEY",
            Kind::Deployment => "DEP",
            Kind::AuditEntry => "AUD",
            Kind::Alarm => "ALM",
            Kind::Member => "MBR",
            Kind::CustomRole => "ROL",
            Kind::Invitation => "INV",
        }
    }

    /// The word used in messages ("data mart dm_… not found").
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::Storage => "storage",
            Kind::Source => "source",
            Kind::DataMart => "data mart",
            Kind::Destination => "destination",
            Kind::Report => "report",
            Kind::Trigger => "trigger",
            Kind::Run => "run",
            Kind::Step => "extraction step",
            Kind::Chunk => "chunk",
            Kind::State => "connector state",
            Kind::Backfill => "backfill",
            Kind::Slots => "run slots",
            Kind::Leases => "chunk leases",
            Kind::ReportRun => "report run",
            Kind::ValueMap => "value map",
            Kind::User => "user",
            Kind::Session => "session",
            Kind::RefreshToken => "refresh token",
            Kind::ApiKey => "API key",
            Kind::Deployment => "deployment",
            Kind::AuditEntry => "audit entry",
            Kind::Alarm => "alarm",
            Kind::Member => "member",
            Kind::CustomRole => "role",
            Kind::Invitation => "invitation",
        }
    }

    /// Whether records of this kind are the deployment's, kept in the identity
    /// partition (users, sessions, keys, memberships, roles, invitations),
    /// rather than in their project's.
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            Kind::User
                | Kind::Session
                | Kind::RefreshToken
                | Kind::ApiKey
                | Kind::Deployment
                | Kind::Member
                | Kind::CustomRole
                | Kind::Invitation
        )
    }

    pub fn from_key_prefix(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key_prefix() == s)
    }
}

/// 128-bit FNV-1a over `parts`, each followed by a separator byte.
fn fnv(parts: &[&str]) -> u128 {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(0x0000000001000000000000000000013B);
        }
    }
    h
}

/// An id of some kind. Parsing checks prefix, length and alphabet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_LEN: usize = 26;

static LAST: Mutex<(u64, u128)> = Mutex::new((0, 0));

impl Id {
    /// A new id of `kind` for the instant `unix_ms`. Ids made in the same millisecond
    /// by this process still sort in creation order (monotonic random part).
    pub fn generate(kind: Kind, unix_ms: u64) -> Id {
        let random = {
            let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
            let r = if unix_ms <= last.0 {
                // Same (or earlier, after a clock step back) millisecond: keep order.
                let next = (last.1 + 1) & ((1u128 << 80) - 1);
                *last = (last.0, next);
                return Id::encode(kind, last.0, next);
            } else {
                let mut bytes = [0u8; 10];
                // getrandom fails only when the OS has no entropy source at all.
                getrandom::fill(&mut bytes).expect("the OS random source is available");
                bytes
                    .iter()
                    .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
                    >> 1
            };
            *last = (unix_ms, r);
            r
        };
        Id::encode(kind, unix_ms, random)
    }

    /// The same id every time for the same `kind` and `parts`: records a retried or
    /// redelivered step writes again land on one key (a 128-bit FNV-1a hash).
    pub fn derived(kind: Kind, parts: &[&str]) -> Id {
        // Top bit clear: a ULID's first character is at most `7`.
        let value = fnv(parts) >> 1;
        Id::encode(kind, (value >> 80) as u64, value & ((1u128 << 80) - 1))
    }

    /// The same id every time for the same `kind`, `unix_ms` and `parts`, sorting by
    /// `unix_ms` like a generated one: a scheduled run started twice by two ticks
    /// lands on one key, and still lists in time order.
    pub fn derived_at(kind: Kind, unix_ms: u64, parts: &[&str]) -> Id {
        Id::encode(kind, unix_ms, fnv(parts) & ((1u128 << 80) - 1))
    }

    fn encode(kind: Kind, ms: u64, random: u128) -> Id {
        // 47 bits of milliseconds (until the year 6429): the first character stays
        // at most `7`, as `parse` requires.
        let value: u128 = (u128::from(ms & ((1 << 47) - 1)) << 80) | random;
        let mut out = String::with_capacity(kind.id_prefix().len() + 1 + ULID_LEN);
        out.push_str(kind.id_prefix());
        out.push('_');
        for i in (0..ULID_LEN).rev() {
            let idx = ((value >> (i * 5)) & 0x1f) as usize;
            out.push(CROCKFORD[idx] as char);
        }
        Id(out)
    }

    /// Parses an id that must be of `kind`; `None` for anything else.
    pub fn parse(kind: Kind, s: &str) -> Option<Id> {
        let rest = s.strip_prefix(kind.id_prefix())?.strip_prefix('_')?;
        let ok = rest.len() == ULID_LEN
            && rest.bytes().all(|b| CROCKFORD.contains(&b))
            && rest.as_bytes()[0] <= b'7';
        ok.then(|| Id(s.to_string()))
    }

    /// The kind an id string names, from its prefix.
    pub fn kind_of(s: &str) -> Option<Kind> {
        let prefix = s.split('_').next()?;
        let kind = Kind::ALL.into_iter().find(|k| k.id_prefix() == prefix)?;
        Id::parse(kind, s).map(|_| kind)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl schemars::JsonSchema for Id {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Kind-prefixed ULID, e.g. `dm_01JD3Z6Q8H4W9V2C5N7R0T1B3K`.",
            "pattern": "^[a-z]+_[0-7][0-9A-HJKMNP-TV-Z]{25}$"
        })
    }
}

/// An id of one type of record only (`IdOf<DataMart>`): passing a run's id
/// where a data mart's is wanted does not compile. On the wire it is the same
/// string as [`Id`]; reading one of another kind fails.
///
/// ```compile_fail
/// use sluice_domain::{IdOf, entities::{DataMart, Run}};
/// fn wants_a_mart(_: &IdOf<DataMart>) {}
/// let run: IdOf<Run> = IdOf::parse("run_01JD3Z6Q8H4W9V2C5N7R0T1B3K").unwrap();
/// wants_a_mart(&run);
/// ```
pub struct IdOf<E>(Id, std::marker::PhantomData<fn() -> E>);

impl<E: crate::entities::Entity> IdOf<E> {
    /// Parses an id of `E`'s kind; `None` for anything else.
    pub fn parse(s: &str) -> Option<IdOf<E>> {
        Id::parse(E::KIND, s).map(|id| IdOf(id, std::marker::PhantomData))
    }

    /// `id` as an id of `E`, if it is of `E`'s kind.
    pub fn of(id: Id) -> Option<IdOf<E>> {
        (Id::parse(E::KIND, id.as_str()).is_some()).then_some(IdOf(id, std::marker::PhantomData))
    }

    /// A new id of `E`'s kind, as [`Id::generate`] makes one.
    pub fn generate(millis: u64) -> IdOf<E> {
        IdOf(Id::generate(E::KIND, millis), std::marker::PhantomData)
    }

    /// The id of a record of `E` (its `meta.id`).
    pub fn of_record(e: &E) -> IdOf<E> {
        IdOf(e.meta().id.clone(), std::marker::PhantomData)
    }
}

impl<E> IdOf<E> {
    pub fn as_id(&self) -> &Id {
        &self.0
    }

    pub fn into_id(self) -> Id {
        self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<E> std::ops::Deref for IdOf<E> {
    type Target = Id;
    fn deref(&self) -> &Id {
        &self.0
    }
}

impl<E> Clone for IdOf<E> {
    fn clone(&self) -> Self {
        IdOf(self.0.clone(), std::marker::PhantomData)
    }
}

impl<E> PartialEq for IdOf<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<E> Eq for IdOf<E> {}

impl<E> PartialEq<Id> for IdOf<E> {
    fn eq(&self, other: &Id) -> bool {
        &self.0 == other
    }
}

impl<E> PartialEq<IdOf<E>> for Id {
    fn eq(&self, other: &IdOf<E>) -> bool {
        self == &other.0
    }
}

impl<E> std::hash::Hash for IdOf<E> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl<E> fmt::Debug for IdOf<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<E> fmt::Display for IdOf<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<E> From<IdOf<E>> for Id {
    fn from(id: IdOf<E>) -> Id {
        id.0
    }
}

impl<E> Serialize for IdOf<E> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, E: crate::entities::Entity> Deserialize<'de> for IdOf<E> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IdOf::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{} is not a {} id",
                crate::error::quote(&s),
                E::KIND.noun()
            ))
        })
    }
}

impl<E> schemars::JsonSchema for IdOf<E> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Id::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_sort_by_creation() {
        let a = Id::generate(Kind::DataMart, 1_700_000_000_000);
        let b = Id::generate(Kind::DataMart, 1_700_000_000_000);
        let c = Id::generate(Kind::DataMart, 1_700_000_000_001);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(Id::parse(Kind::DataMart, a.as_str()), Some(a.clone()));
        assert_eq!(Id::kind_of(a.as_str()), Some(Kind::DataMart));
    }

    #[test]
    fn ids_of_another_kind_or_shape_do_not_parse() {
        let a = Id::generate(Kind::Source, 1_700_000_000_000);
        assert_eq!(Id::parse(Kind::DataMart, a.as_str()), None);
        assert_eq!(Id::parse(Kind::DataMart, "dm_short"), None);
        assert_eq!(
            Id::parse(Kind::DataMart, "dm_01JD3Z6Q8H4W9V2C5N7R0T1B3U"),
            None
        ); // U is not Crockford
        assert_eq!(Id::parse(Kind::DataMart, "dm_../../etc/passwd"), None);
    }
}
