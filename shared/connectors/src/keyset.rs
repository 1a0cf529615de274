//! Reading a database table by keyset in key ranges at once (the `postgres`
//! and `mysql` sources). The first step of a run splits the table's key into
//! up to the mart's `parallelism` ranges; every step then reads a chunk of
//! each unfinished range per round, each range over its own connection on a
//! task of its own, so decoding runs on as many cores as there are ranges.
//!
//! A range remembers the last key it read. A step repeated from the same
//! continuation reads the same rows of every range, in the same order, so its
//! chunks are the same.

use arrow_array::RecordBatch;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sluice_domain::pipeline::ChunkFormat;

use crate::{Budget, ConnectorError, RawChunk};

/// One range of a table's key, and how far it has been read. The bounds are
/// the key's columns, as the connector keeps a key's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range<K> {
    /// The first key of the range (inclusive); `None` from the table's start.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub from: Option<Vec<K>>,
    /// The key the range ends before; `None` to the table's end.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub below: Option<Vec<K>>,
    /// The last key read; `None` before the range's first chunk.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub after: Option<Vec<K>>,
    /// Rows read of the range so far (a table without a key reads its pages
    /// by this offset).
    #[serde(default)]
    pub read: u64,
    #[serde(default)]
    pub done: bool,
}

fn none<K>() -> Option<K> {
    None
}

impl<K> Range<K> {
    /// The whole table, as one range.
    pub fn whole() -> Range<K> {
        Range {
            from: None,
            below: None,
            after: None,
            read: 0,
            done: false,
        }
    }

    /// The ranges between `bounds` (each a key, in key order): before the
    /// first, between each two, and from the last on.
    pub fn between(bounds: Vec<Vec<K>>) -> Vec<Range<K>>
    where
        K: Clone,
    {
        let mut out = vec![];
        let mut from = None;
        for b in bounds {
            out.push(Range {
                from: from.take(),
                below: Some(b.clone()),
                ..Range::whole()
            });
            from = Some(b);
        }
        out.push(Range {
            from,
            ..Range::whole()
        });
        out
    }

    /// Where the range's next chunk starts: after the last key read, else at
    /// its first key. `(key, inclusive)`.
    pub fn start(&self) -> Option<(&[K], bool)> {
        match (&self.after, &self.from) {
            (Some(after), _) => Some((after, false)),
            (None, Some(from)) => Some((from, true)),
            (None, None) => None,
        }
    }
}

/// The boundaries that cut integer keys `min..=max` into `n` ranges of about
/// equal width (fewer where the span is narrower than `n`).
pub fn integer_bounds(min: i128, max: i128, n: usize) -> Vec<i128> {
    let span = max - min + 1;
    if n < 2 || span < n as i128 {
        return vec![];
    }
    (1..n as i128).map(|i| min + span * i / n as i128).collect()
}

/// How many ranges a table of about `rows` rows is read in, at most
/// `parallelism`: one per two chunks of `limit` rows, so a small table is one.
pub fn ranges_for(rows: u64, limit: usize, parallelism: usize) -> usize {
    let chunks = rows / (2 * limit.max(1) as u64);
    (chunks as usize).clamp(1, parallelism.max(1))
}

/// The bounds cutting a key into `n` ranges at the quantiles of `sample` (keys
/// in key order, as the server sorted them): at most `n - 1`, none twice.
pub fn quantile_bounds<K: Clone + PartialEq>(sample: &[Vec<K>], n: usize) -> Vec<Vec<K>> {
    let mut bounds: Vec<Vec<K>> = (1..n)
        .filter_map(|i| sample.get(sample.len() * i / n).cloned())
        .collect();
    bounds.dedup();
    bounds
}

/// One chunk of a range: its rows, and the last row's key (`None` when a key
/// column of it is NULL, or for a table read by offset).
pub struct Read<K> {
    pub batch: RecordBatch,
    pub last: Option<Vec<K>>,
}

/// Reads a chunk of a range over a connection of its own.
#[async_trait]
pub trait RangeReader<K>: Send + 'static {
    /// The next `limit` rows of `range` in key order.
    async fn read(&mut self, range: &Range<K>, limit: usize) -> Result<Read<K>, ConnectorError>;
    /// Whether the table is read by keys (else by offset).
    fn keyed(&self) -> bool;
    /// Whether a round's reads run together on the thread that drives the step
    /// rather than spread over the runtime's threads: for a client whose every
    /// packet takes a buffer from a pool all its connections share, readers on
    /// several cores spend more time passing that pool between the cores than
    /// they gain.
    const ON_ONE_THREAD: bool = false;
}

/// Reads `ranges` until each is done or `budget` is spent: every round, a
/// chunk of each unfinished range, ranges at once, each on one of `readers`
/// (as many as there are unfinished ranges at most). The chunks come in range
/// order within a round. `table` names the table in messages.
pub async fn read<K, R>(
    readers: &mut Vec<R>,
    ranges: &mut [Range<K>],
    limit: usize,
    budget: Budget,
    table: &str,
) -> Result<Vec<RawChunk>, ConnectorError>
where
    K: Clone + Send + Sync + 'static,
    R: RangeReader<K>,
{
    let mut chunks = vec![];
    while !budget.spent(chunks.len()) {
        let pending: Vec<usize> = (0..ranges.len()).filter(|&i| !ranges[i].done).collect();
        if pending.is_empty() {
            break;
        }
        let mut jobs = vec![];
        for &i in pending.iter().take(readers.len()) {
            let Some(mut reader) = readers.pop() else {
                break;
            };
            let range = ranges[i].clone();
            jobs.push((i, async move {
                let read = reader
                    .read(&range, limit)
                    .await
                    .map(|r| (r.batch.num_rows(), r.batch, r.last));
                (reader, read)
            }));
        }
        let (order, jobs): (Vec<usize>, Vec<_>) = jobs.into_iter().unzip();
        let done = if R::ON_ONE_THREAD {
            futures_util::future::join_all(jobs).await
        } else {
            let tasks: Vec<_> = jobs.into_iter().map(tokio::spawn).collect();
            let mut done = vec![];
            for task in tasks {
                done.push(task.await.map_err(|e| {
                    ConnectorError::upstream(
                        format!("reading {table}: a reader stopped: {e}"),
                        true,
                    )
                })?);
            }
            done
        };
        let mut failed = None;
        for (i, (reader, read)) in order.into_iter().zip(done) {
            let keyed = reader.keyed();
            readers.push(reader);
            let (rows, batch, last) = match read {
                Ok(r) => r,
                Err(e) => {
                    failed.get_or_insert(e);
                    continue;
                }
            };
            let range = &mut ranges[i];
            if rows > 0 {
                chunks.push(RawChunk {
                    format: ChunkFormat::ArrowIpc,
                    bytes: vec![],
                    batch: Some(batch),
                    rows: rows as u64,
                    errors: vec![],
                });
                range.read += rows as u64;
                if keyed {
                    range.after = Some(last.ok_or_else(|| {
                        ConnectorError::upstream(
                            format!(
                                "{table} has a NULL in its key; it cannot be read in key order"
                            ),
                            false,
                        )
                    })?);
                }
            }
            if rows < limit {
                range.done = true;
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(chunks)
}

/// The continuation after a step: `None` once every range is done.
pub fn next<P: Serialize>(
    position: &P,
    ranges: &[Range<impl Sized>],
) -> Result<Option<serde_json::Value>, ConnectorError> {
    if ranges.iter().all(|r| r.done) {
        return Ok(None);
    }
    serde_json::to_value(position)
        .map(Some)
        .map_err(|e| ConnectorError::upstream(format!("the continuation: {e}"), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_are_cut_into_ranges_of_about_equal_width() {
        assert_eq!(integer_bounds(1, 100, 4), vec![26, 51, 76]);
        assert_eq!(
            integer_bounds(1, 3, 4),
            Vec::<i128>::new(),
            "narrower than n"
        );
        assert_eq!(integer_bounds(5, 5, 1), Vec::<i128>::new());
        assert_eq!(integer_bounds(-10, 9, 2), vec![0]);
        let ranges = Range::between(vec![vec![26], vec![51]]);
        assert_eq!(ranges.len(), 3);
        assert_eq!(
            (ranges[0].from.clone(), ranges[0].below.clone()),
            (None, Some(vec![26]))
        );
        assert_eq!(
            (ranges[1].from.clone(), ranges[1].below.clone()),
            (Some(vec![26]), Some(vec![51]))
        );
        assert_eq!(
            (ranges[2].from.clone(), ranges[2].below.clone()),
            (Some(vec![51]), None)
        );
        assert_eq!(ranges[1].start(), Some((&[26][..], true)));
    }

    #[test]
    fn a_sampled_key_is_cut_at_its_quantiles_each_bound_once() {
        let sample: Vec<Vec<&str>> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|k| vec![*k])
            .collect();
        assert_eq!(
            quantile_bounds(&sample, 4),
            [vec!["c"], vec!["e"], vec!["g"]]
        );
        let few = vec![vec!["x"], vec!["x"]];
        assert_eq!(
            quantile_bounds(&few, 4),
            [vec!["x"]],
            "a repeated key bounds once"
        );
        assert!(quantile_bounds::<&str>(&[], 4).is_empty());
    }

    #[test]
    fn a_small_table_is_one_range_and_a_large_one_as_many_as_the_parallelism() {
        assert_eq!(ranges_for(0, 1_000, 4), 1);
        assert_eq!(ranges_for(3_999, 1_000, 4), 1);
        assert_eq!(ranges_for(6_000, 1_000, 4), 3);
        assert_eq!(ranges_for(10_000_000, 10_000, 4), 4);
        assert_eq!(ranges_for(10_000_000, 10_000, 0), 1);
    }
}
