//! The `map` op: a project's value map applied to a column, as a scalar function
//! of the mapping's own session, so it sits in a column's chain of ops exactly
//! where the definition puts it. A batch costs one hash look-up per row and one
//! `take` over the map's values, whatever the size of the map.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, StringArray, UInt32Array,
};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;
use sluice_domain::entities::{MapValueType, ValueMap, value_text};

/// A value map ready to apply with one op's default: its keys (folded when it
/// ignores case) to the index of their value, and the values as one typed
/// array whose last element is the default.
#[derive(Debug)]
pub struct Lookup {
    /// The function's name in the mapping's session.
    name: String,
    /// The value map's name, for messages.
    map: String,
    case_insensitive: bool,
    index: HashMap<String, u32>,
    values: ArrayRef,
    signature: Signature,
}

impl Lookup {
    /// `map` with `default`, as the function `name`.
    pub fn new(name: String, map: &ValueMap, default: Option<&Value>) -> Lookup {
        let mut values: Vec<&Value> = map.entries.iter().map(|e| &e.value).collect();
        values.push(default.unwrap_or(&Value::Null));
        let ty = MapValueType::of(values.iter().copied());
        let array: ArrayRef = match ty {
            MapValueType::String => Arc::new(StringArray::from(
                values.iter().map(|v| value_text(v)).collect::<Vec<_>>(),
            )),
            MapValueType::Int => Arc::new(Int64Array::from(
                values.iter().map(|v| v.as_i64()).collect::<Vec<_>>(),
            )),
            MapValueType::Float => Arc::new(Float64Array::from(
                values.iter().map(|v| v.as_f64()).collect::<Vec<_>>(),
            )),
            MapValueType::Bool => Arc::new(BooleanArray::from(
                values.iter().map(|v| v.as_bool()).collect::<Vec<_>>(),
            )),
        };
        let index = map
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (map.fold(&e.key), i as u32))
            .collect();
        Lookup {
            name,
            map: map.name.clone(),
            case_insensitive: map.case_insensitive,
            index,
            values: array,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    /// The function's name, as an expression calls it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type of the column the op makes.
    pub fn data_type(&self) -> &DataType {
        self.values.data_type()
    }

    /// `input` mapped: each value's text looked up; a missing key takes the
    /// default, a null stays null.
    pub fn apply(&self, input: &ArrayRef) -> DfResult<ArrayRef> {
        let text = match input.data_type() {
            DataType::Utf8 => input.clone(),
            _ => cast(input, &DataType::Utf8)?,
        };
        let text = text.as_string::<i32>();
        let default = (self.values.len() - 1) as u32;
        let mut folded = String::new();
        let indices: UInt32Array = text
            .iter()
            .map(|v| {
                v.map(|v| {
                    let key = if self.case_insensitive {
                        folded.clear();
                        folded.extend(v.chars().flat_map(char::to_lowercase));
                        folded.as_str()
                    } else {
                        v
                    };
                    self.index.get(key).copied().unwrap_or(default)
                })
            })
            .collect();
        Ok(take(self.values.as_ref(), &indices, None)?)
    }

    /// The op as a function of a session.
    pub fn udf(self: &Arc<Self>) -> ScalarUDF {
        ScalarUDF::new_from_impl(MapFunction(self.clone()))
    }
}

/// [`Lookup`] as DataFusion calls it.
#[derive(Debug)]
struct MapFunction(Arc<Lookup>);

impl PartialEq for MapFunction {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for MapFunction {}

impl Hash for MapFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl ScalarUDFImpl for MapFunction {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn signature(&self) -> &Signature {
        &self.0.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(self.0.data_type().clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return Err(DataFusionError::Execution(format!(
                "value map `{}` takes one value",
                self.0.map
            )));
        };
        let input = arg.to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(self.0.apply(&input)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(case_insensitive: bool, pairs: &[(&str, Value)]) -> ValueMap {
        let entries: Vec<Value> = pairs
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        serde_json::from_value(json!({
            "id": "vm_01JD0000000000000000000001",
            "project_id": "prj_01JD0000000000000000000001",
            "version": 1,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "created_by": "t",
            "name": "m",
            "title": "M",
            "case_insensitive": case_insensitive,
            "entries": entries,
        }))
        .expect("a value map")
    }

    fn texts(a: &ArrayRef) -> Vec<Option<String>> {
        let s = cast(a, &DataType::Utf8).expect("text");
        s.as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn found_keys_take_their_value_others_the_default_and_nulls_stay_null() {
        let m = map(false, &[("To Do", json!("new")), ("Done", json!("done"))]);
        let l = Lookup::new("f".into(), &m, Some(&json!("other")));
        assert_eq!(l.data_type(), &DataType::Utf8);
        let input: ArrayRef = Arc::new(StringArray::from(vec![
            Some("Done"),
            Some("done"),
            None,
            Some("To Do"),
            Some("Blocked"),
        ]));
        assert_eq!(
            texts(&l.apply(&input).expect("mapped")),
            vec![
                Some("done".into()),
                Some("other".into()),
                None,
                Some("new".into()),
                Some("other".into())
            ]
        );
        // Without a default a missing key is null.
        let l = Lookup::new("f".into(), &m, None);
        assert_eq!(
            texts(&l.apply(&input).expect("mapped"))[4],
            None,
            "no default"
        );
    }

    #[test]
    fn case_insensitive_maps_match_in_lower_case() {
        let m = map(true, &[("Done", json!(3)), ("ÉTÉ", json!(4))]);
        let l = Lookup::new("f".into(), &m, None);
        assert_eq!(l.data_type(), &DataType::Int64);
        let input: ArrayRef = Arc::new(StringArray::from(vec!["DONE", "done", "été", "x"]));
        let out = l.apply(&input).expect("mapped");
        let ints = out.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        assert_eq!(
            ints.iter().collect::<Vec<_>>(),
            vec![Some(3), Some(3), Some(4), None]
        );
    }

    #[test]
    fn numbers_are_matched_by_their_text_and_the_type_follows_the_values() {
        let m = map(false, &[("1", json!(1)), ("2", json!(2.5))]);
        let l = Lookup::new("f".into(), &m, Some(&json!(0)));
        assert_eq!(l.data_type(), &DataType::Float64);
        let input: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        assert_eq!(
            texts(&l.apply(&input).expect("mapped")),
            vec![Some("1.0".into()), Some("2.5".into()), Some("0.0".into())]
        );
        // Mixed kinds are text: non-strings as their JSON.
        let m = map(false, &[("a", json!(true)), ("b", json!("x"))]);
        let l = Lookup::new("f".into(), &m, Some(&json!(7)));
        assert_eq!(l.data_type(), &DataType::Utf8);
        let input: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "c"]));
        assert_eq!(
            texts(&l.apply(&input).expect("mapped")),
            vec![Some("true".into()), Some("x".into()), Some("7".into())]
        );
    }
}
