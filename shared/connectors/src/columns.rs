//! Columns as the database sources decode them: values pushed onto vectors
//! (taken from, and handed back to, [`crate::buffers`]), and NULLs marked
//! in a bitmap made at a column's first one, never value by value. Appending
//! a value is a vector's push, small enough to stay inline in a decoder's
//! row loop, where an Arrow builder's append is a call that also keeps a
//! NULL bitmap.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType, UInt8Type, UInt16Type, UInt32Type,
};
use arrow_array::{ArrayRef, BinaryArray, BooleanArray, PrimitiveArray, StringArray};
use arrow_buffer::{
    BooleanBuffer, BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::DataType;

/// A fixed-width column as it is decoded: its values in a vector, a zero
/// where a value is NULL (which ones are, [`set_null`] marks).
pub(crate) struct Fixed<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    data_type: DataType,
}

impl<T: ArrowPrimitiveType> Fixed<T> {
    pub(crate) fn new(rows: usize, data_type: DataType) -> Fixed<T> {
        Fixed {
            values: crate::buffers::take(rows),
            data_type,
        }
    }

    #[inline(always)]
    pub(crate) fn append_value(&mut self, v: T::Native) {
        self.values.push(v);
    }

    pub(crate) fn pad(&mut self) {
        self.values.push(T::Native::default());
    }

    pub(crate) fn finish(&mut self, nulls: Option<NullBuffer>) -> ArrayRef {
        let values = std::mem::take(&mut self.values);
        Arc::new(
            PrimitiveArray::<T>::new(values.into(), nulls).with_data_type(self.data_type.clone()),
        )
    }
}

/// A text or bytes column as it is decoded: its bytes end to end and where
/// each value ends. Text's UTF-8 is checked once, over the whole chunk, when
/// it is finished (a check and a builder call per value took 5% of a
/// table's read in the profile); a chunk with a bad byte has its bad bytes
/// replaced, value by value.
pub(crate) struct Bytes {
    pub(crate) values: Vec<u8>,
    offsets: Vec<i32>,
    /// The values passed what 32-bit offsets reach (2 GiB in one chunk).
    too_long: bool,
}

impl Bytes {
    pub(crate) fn new(rows: usize, bytes: usize) -> Bytes {
        let mut offsets = crate::buffers::take(rows + 1);
        offsets.push(0);
        Bytes {
            values: crate::buffers::take(bytes),
            offsets,
            too_long: false,
        }
    }

    #[inline(always)]
    pub(crate) fn append_value(&mut self, bytes: &[u8]) {
        self.values.extend_from_slice(bytes);
        self.pad();
    }

    /// Ends a value where the last one ended: an empty one, or a NULL.
    #[inline(always)]
    pub(crate) fn pad(&mut self) {
        match i32::try_from(self.values.len()) {
            Ok(end) => self.offsets.push(end),
            Err(_) => {
                self.too_long = true;
                self.offsets.push(i32::MAX);
            }
        }
    }

    pub(crate) fn buffers(&mut self) -> Result<(OffsetBuffer<i32>, Buffer), String> {
        let values = Buffer::from_vec(std::mem::take(&mut self.values));
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        if std::mem::take(&mut self.too_long) {
            return Err(
                "a text or bytes column holds over 2 GiB in one chunk: lower the data mart's \
                 batch size"
                    .into(),
            );
        }
        Ok((OffsetBuffer::new(ScalarBuffer::from(offsets)), values))
    }

    pub(crate) fn finish_binary(&mut self, nulls: Option<NullBuffer>) -> Result<ArrayRef, String> {
        let (offsets, values) = self.buffers()?;
        Ok(Arc::new(BinaryArray::new(offsets, values, nulls)))
    }

    pub(crate) fn finish_text(&mut self, nulls: Option<NullBuffer>) -> Result<ArrayRef, String> {
        let (offsets, values) = self.buffers()?;
        if let Ok(text) = StringArray::try_new(offsets.clone(), values.clone(), nulls.clone()) {
            return Ok(Arc::new(text));
        }
        let mut lossy = StringBuilder::with_capacity(offsets.len() - 1, values.len());
        for (i, w) in offsets.windows(2).enumerate() {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                lossy.append_null();
            } else {
                let bytes = &values[w[0] as usize..w[1] as usize];
                lossy.append_value(String::from_utf8_lossy(bytes));
            }
        }
        Ok(Arc::new(lossy.finish()))
    }
}

/// A column being decoded, as the Arrow type it is built as.
pub(crate) enum Builder {
    Bool(BooleanBufferBuilder),
    I8(Fixed<Int8Type>),
    I16(Fixed<Int16Type>),
    I32(Fixed<Int32Type>),
    I64(Fixed<Int64Type>),
    U8(Fixed<UInt8Type>),
    U16(Fixed<UInt16Type>),
    U32(Fixed<UInt32Type>),
    F32(Fixed<Float32Type>),
    F64(Fixed<Float64Type>),
    Dec(Fixed<Decimal128Type>),
    Str(Bytes),
    Date(Fixed<Date32Type>),
    Ts(Fixed<TimestampMicrosecondType>),
    Bin(Bytes),
}

impl Builder {
    /// A builder of type `t` for `rows` values; a text or bytes one with
    /// room for `bytes` of them (16 a value when 0). Decimals are of a
    /// precision of 1 to 38 and a scale within it, as the decoders make them.
    pub(crate) fn new(t: DataType, rows: usize, bytes: usize) -> Builder {
        let bytes = if bytes == 0 { rows * 16 } else { bytes };
        match t {
            DataType::Boolean => Builder::Bool(BooleanBufferBuilder::new(rows)),
            DataType::Int8 => Builder::I8(Fixed::new(rows, t)),
            DataType::Int16 => Builder::I16(Fixed::new(rows, t)),
            DataType::Int32 => Builder::I32(Fixed::new(rows, t)),
            DataType::Int64 => Builder::I64(Fixed::new(rows, t)),
            DataType::UInt8 => Builder::U8(Fixed::new(rows, t)),
            DataType::UInt16 => Builder::U16(Fixed::new(rows, t)),
            DataType::UInt32 => Builder::U32(Fixed::new(rows, t)),
            DataType::Float32 => Builder::F32(Fixed::new(rows, t)),
            DataType::Float64 => Builder::F64(Fixed::new(rows, t)),
            DataType::Decimal128(..) => Builder::Dec(Fixed::new(rows, t)),
            DataType::Date32 => Builder::Date(Fixed::new(rows, t)),
            DataType::Timestamp(..) => Builder::Ts(Fixed::new(rows, t)),
            DataType::Binary => Builder::Bin(Bytes::new(rows, bytes)),
            _ => Builder::Str(Bytes::new(rows, bytes)),
        }
    }

    /// Takes the place of a NULL value.
    pub(crate) fn pad(&mut self) {
        match self {
            Builder::Bool(b) => b.append(false),
            Builder::I8(b) => b.pad(),
            Builder::I16(b) => b.pad(),
            Builder::I32(b) => b.pad(),
            Builder::I64(b) => b.pad(),
            Builder::U8(b) => b.pad(),
            Builder::U16(b) => b.pad(),
            Builder::U32(b) => b.pad(),
            Builder::F32(b) => b.pad(),
            Builder::F64(b) => b.pad(),
            Builder::Dec(b) => b.pad(),
            Builder::Str(b) => b.pad(),
            Builder::Date(b) => b.pad(),
            Builder::Ts(b) => b.pad(),
            Builder::Bin(b) => b.pad(),
        }
    }

    pub(crate) fn finish(&mut self, nulls: Option<NullBuffer>) -> Result<ArrayRef, String> {
        Ok(match self {
            Builder::Bool(b) => Arc::new(BooleanArray::new(b.finish(), nulls)),
            Builder::I8(b) => b.finish(nulls),
            Builder::I16(b) => b.finish(nulls),
            Builder::I32(b) => b.finish(nulls),
            Builder::I64(b) => b.finish(nulls),
            Builder::U8(b) => b.finish(nulls),
            Builder::U16(b) => b.finish(nulls),
            Builder::U32(b) => b.finish(nulls),
            Builder::F32(b) => b.finish(nulls),
            Builder::F64(b) => b.finish(nulls),
            Builder::Dec(b) => b.finish(nulls),
            Builder::Str(b) => b.finish_text(nulls)?,
            Builder::Date(b) => b.finish(nulls),
            Builder::Ts(b) => b.finish(nulls),
            Builder::Bin(b) => b.finish_binary(nulls)?,
        })
    }
}

/// Marks `row` of a column NULL in its bitmap `valid`, made (every value
/// there, for `hint` rows or more) at the column's first NULL.
#[cold]
pub(crate) fn set_null(valid: &mut Vec<u64>, row: usize, hint: usize) {
    let word = row / 64;
    if valid.len() <= word {
        valid.resize((word + 1).max(hint.div_ceil(64)), u64::MAX);
    }
    valid[word] &= !(1 << (row % 64));
}

/// The NULLs of a column of `rows` values that [`set_null`] marked in
/// `valid`; `None` when it marked none.
pub(crate) fn null_buffer(mut valid: Vec<u64>, rows: usize) -> Option<NullBuffer> {
    if valid.is_empty() {
        return None;
    }
    valid.resize(rows.div_ceil(64), u64::MAX);
    Some(NullBuffer::new(BooleanBuffer::new(
        Buffer::from_vec(valid),
        0,
        rows,
    )))
}
