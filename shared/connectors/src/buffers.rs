//! Column buffers handed back once a chunk is written, for the next chunk's
//! decoder to fill.
//!
//! A database source decodes every chunk into buffers of its own (100,000
//! rows of ten columns is about 10 MB). Fresh ones are memory the kernel has
//! to fault in page by page on the first write: a tenth of a table's read in
//! the profile. The buffers of a chunk whose Parquet is written are kept
//! here instead, still mapped, and the next chunk's decoder takes them.
//!
//! A buffer is taken back only whole and unshared (an array a mapping cast
//! made, a slice, or one another batch still holds is left alone), and only
//! as values of its alignment. A vector taken is empty: what its buffer held
//! is never read again (safe code reads nothing past a vector's length), so
//! nothing of one chunk, or one project, reaches another. At most
//! [`MAX_BYTES`] are kept, for [`IDLE_FOR`] at most; [`release`] drops them
//! all when a read is over.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use arrow_array::{Array as _, RecordBatch};
use arrow_buffer::{ArrowNativeType, Buffer};

/// The most bytes of buffers kept.
pub const MAX_BYTES: usize = 256 << 20;
/// How long a buffer is kept unused.
pub const IDLE_FOR: Duration = Duration::from_secs(60);

/// A buffer kept: a vector's, of values aligned to `align` bytes.
struct Kept {
    buffer: Buffer,
    align: usize,
    since: Instant,
}

/// Buffers kept.
#[derive(Default)]
struct Spare {
    kept: Mutex<Vec<Kept>>,
}

static SPARE: std::sync::LazyLock<Spare> = std::sync::LazyLock::new(Spare::default);

/// An empty vector of at least `capacity` values: a buffer kept here when
/// one fits (no more than twice as large), or a new one.
pub fn take<T: ArrowNativeType>(capacity: usize) -> Vec<T> {
    SPARE.take(capacity)
}

/// Keeps the buffers of `batch`'s columns that are its alone.
pub fn give_back(batch: RecordBatch) {
    SPARE.give_back(batch)
}

/// Drops every buffer kept.
pub fn release() {
    SPARE.release()
}

impl Spare {
    fn take<T: ArrowNativeType>(&self, capacity: usize) -> Vec<T> {
        let want = capacity.saturating_mul(std::mem::size_of::<T>());
        let found = {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            kept.retain(|k| now.duration_since(k.since) < IDLE_FOR);
            kept.iter()
                .position(|k| {
                    let size = k.buffer.capacity();
                    k.align == std::mem::align_of::<T>()
                        && size >= want
                        && size / 2 <= want.max(4096)
                })
                .map(|at| kept.swap_remove(at).buffer)
        };
        // Of the alignment, but not a whole number of these values (never,
        // for the types a decoder fills): a new one.
        match found.map(Buffer::into_vec::<T>) {
            Some(Ok(mut values)) => {
                values.clear();
                values
            }
            _ => Vec::with_capacity(capacity),
        }
    }

    fn give_back(&self, batch: RecordBatch) {
        let mut buffers = vec![];
        for column in batch.columns() {
            let (_, _, nulls, _, mut values, children) = column.to_data().into_parts();
            if children.is_empty() {
                buffers.append(&mut values);
                buffers.extend(nulls.map(|n| n.into_inner().into_inner()));
            }
        }
        drop(batch);
        for buffer in buffers {
            self.give(buffer);
        }
    }

    /// Keeps `buffer` when it is whole, unshared and a vector's, and there is
    /// room.
    fn give(&self, buffer: Buffer) {
        let Some((buffer, align)) = vector(buffer) else {
            return;
        };
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let held: usize = kept.iter().map(|k| k.buffer.capacity()).sum();
        if held + buffer.capacity() <= MAX_BYTES {
            kept.push(Kept {
                buffer,
                align,
                since: Instant::now(),
            });
        }
    }

    fn release(&self) {
        let all = std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()));
        drop(all);
    }
}

/// `buffer` and the alignment of its values when it is a vector's, whole and
/// unshared; `None` for any other (shared, a slice, or allocated by Arrow's
/// own aligned allocations, which no vector takes).
fn vector(buffer: Buffer) -> Option<(Buffer, usize)> {
    fn as_vec<T: ArrowNativeType>(b: Buffer) -> Result<(Buffer, usize), Buffer> {
        b.into_vec::<T>()
            .map(|v| (Buffer::from_vec(v), std::mem::align_of::<T>()))
    }
    as_vec::<u8>(buffer)
        .or_else(as_vec::<u16>)
        .or_else(as_vec::<u32>)
        .or_else(as_vec::<u64>)
        .or_else(as_vec::<i128>)
        .ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::{Decimal128Type, Int64Type};
    use arrow_array::{ArrayRef, PrimitiveArray, StringArray};
    use arrow_buffer::{OffsetBuffer, ScalarBuffer};

    use super::*;

    fn batch(columns: Vec<ArrayRef>) -> RecordBatch {
        let named = columns
            .into_iter()
            .enumerate()
            .map(|(i, c)| (format!("c{i}"), c));
        RecordBatch::try_from_iter(named).expect("a batch")
    }

    fn ints(values: Vec<i64>) -> ArrayRef {
        Arc::new(PrimitiveArray::<Int64Type>::new(values.into(), None))
    }

    #[test]
    fn a_written_chunks_buffers_are_the_next_chunks_to_fill() {
        let spare = Spare::default();
        let values: Vec<i64> = (0..10_000).collect();
        let at = values.as_ptr() as usize;
        let offsets: Vec<i32> = vec![0, 3, 3, 7];
        let text_at = offsets.as_ptr() as usize;
        let text = StringArray::new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(b"abcdefg".to_vec()),
            None,
        );
        spare.give_back(batch(vec![ints(values)]));
        spare.give_back(batch(vec![Arc::new(text)]));
        // Taken as the same element type and as one of its layout.
        let again: Vec<f64> = spare.take(9_000);
        assert_eq!(again.as_ptr() as usize, at);
        assert!(again.is_empty() && again.capacity() >= 9_000);
        let offsets: Vec<u32> = spare.take(4);
        assert_eq!(offsets.as_ptr() as usize, text_at);
        // The text's bytes are kept too; nothing else is.
        let bytes: Vec<u8> = spare.take(7);
        assert_eq!(bytes.capacity(), 7);
        let fresh: Vec<i64> = spare.take(10);
        assert_ne!(fresh.as_ptr() as usize, at);
        // Sixteen-byte decimals go to decimals.
        let decimals: Vec<i128> = vec![7; 5_000];
        let decimals_at = decimals.as_ptr() as usize;
        let array = PrimitiveArray::<Decimal128Type>::new(decimals.into(), None);
        spare.give_back(batch(vec![Arc::new(array)]));
        let not_wide: Vec<u64> = spare.take(10_000);
        assert_ne!(not_wide.as_ptr() as usize, decimals_at);
        let again: Vec<i128> = spare.take(5_000);
        assert_eq!(again.as_ptr() as usize, decimals_at);
    }

    #[test]
    fn a_buffer_another_array_holds_or_that_is_too_large_or_of_another_layout_is_not_taken() {
        let spare = Spare::default();
        let shared = ints((0..100).collect());
        let held = Arc::clone(&shared);
        spare.give_back(batch(vec![shared]));
        assert!(spare.kept.lock().expect("the lock").is_empty());
        drop(held);

        // Eight-byte values are no bytes' vector.
        let wide: Vec<i64> = (0..100).collect();
        let at_wide = wide.as_ptr() as usize;
        spare.give_back(batch(vec![ints(wide)]));
        let bytes: Vec<u8> = spare.take(800);
        assert_ne!(bytes.as_ptr() as usize, at_wide);
        // Nor is a buffer of a million values spent on ten.
        let big: Vec<i64> = vec![0; 1 << 20];
        spare.give_back(batch(vec![ints(big)]));
        let small: Vec<i64> = spare.take(10);
        assert!(small.capacity() < 1 << 20);
    }

    #[test]
    fn no_more_than_max_bytes_are_kept_and_release_drops_them_all() {
        let spare = Spare::default();
        for _ in 0..5 {
            spare.give(Buffer::from_vec(Vec::<u8>::with_capacity(MAX_BYTES / 4)));
        }
        let held = |s: &Spare| -> usize {
            s.kept
                .lock()
                .expect("the lock")
                .iter()
                .map(|k| k.buffer.capacity())
                .sum()
        };
        assert_eq!(held(&spare), MAX_BYTES);
        spare.release();
        assert_eq!(held(&spare), 0);
    }
}
