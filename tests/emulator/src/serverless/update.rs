//! Mongo-style update operators applied to a JSON document: `$set $unset
//! $inc $mul $min $max $rename $push($each,$position,$slice) $addToSet($each)
//! $pop $pull $pullAll $currentDate $setOnInsert`. Dotted paths create
//! intermediate objects; numeric segments index arrays. `_id` is immutable.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::query::{compile, split_path, total_cmp, values_equal};
use crate::error::{ApiError, ApiResult};
use crate::util;

fn uerr(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameter.InvalidUpdate", msg)
}

const OPERATORS: &[&str] = &[
    "$set",
    "$unset",
    "$inc",
    "$mul",
    "$min",
    "$max",
    "$rename",
    "$push",
    "$addToSet",
    "$pop",
    "$pull",
    "$pullAll",
    "$currentDate",
    "$setOnInsert",
];

/// Checks an update document: non-empty, operators only, known operators.
pub fn validate(update: &Value) -> ApiResult<&Map<String, Value>> {
    let m = update.as_object().ok_or_else(|| uerr("update must be an object"))?;
    if m.is_empty() {
        return Err(uerr("update must not be empty"));
    }
    for (op, arg) in m {
        if !op.starts_with('$') {
            return Err(uerr("update document requires atomic operators (use replaceOne to replace)"));
        }
        if !OPERATORS.contains(&op.as_str()) {
            return Err(uerr(format!("unknown update operator: {op}")));
        }
        let fields = arg.as_object().ok_or_else(|| uerr(format!("{op} needs an object")))?;
        for k in fields.keys() {
            let path = split_path(k).map_err(|_| uerr(format!("invalid field path: {k:?}")))?;
            if path.iter().any(|p| p.starts_with('$')) {
                return Err(uerr("positional operators are not supported"));
            }
            if path[0] == "_id" {
                return Err(uerr("the field _id is immutable"));
            }
        }
    }
    Ok(m)
}

/// Applies a validated update. `inserting` enables `$setOnInsert`.
pub fn apply(doc: &mut Value, update: &Map<String, Value>, inserting: bool) -> ApiResult<()> {
    for (op, arg) in update {
        let Some(fields) = arg.as_object() else {
            return Err(uerr(format!("{op} needs an object")));
        };
        for (k, v) in fields {
            let path = split_path(k).map_err(|_| uerr(format!("invalid field path: {k:?}")))?;
            apply_one(doc, op, &path, v, inserting)?;
        }
    }
    Ok(())
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn number_value(f: f64, prefer_int: bool) -> Value {
    if prefer_int && f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

fn apply_one(doc: &mut Value, op: &str, path: &[String], arg: &Value, inserting: bool) -> ApiResult<()> {
    match op {
        "$set" => set_path(doc, path, arg.clone()),
        "$setOnInsert" => {
            if inserting {
                set_path(doc, path, arg.clone())
            } else {
                Ok(())
            }
        }
        "$unset" => {
            remove_path(doc, path);
            Ok(())
        }
        "$inc" | "$mul" => {
            let delta = num(arg).ok_or_else(|| uerr(format!("{op} needs a number")))?;
            let cur = get_path(doc, path);
            let (base, int) = match cur {
                None | Some(Value::Null) if op == "$inc" => (0.0, is_int(arg)),
                None | Some(Value::Null) => (0.0, is_int(arg)),
                Some(v) => (
                    num(v).ok_or_else(|| uerr(format!("cannot apply {op} to a non-numeric field")))?,
                    is_int(v) && is_int(arg),
                ),
            };
            let out = if op == "$inc" { base + delta } else { base * delta };
            if !out.is_finite() {
                return Err(uerr(format!("{op} overflowed")));
            }
            set_path(doc, path, number_value(out, int))
        }
        "$min" | "$max" => {
            let replace = match get_path(doc, path) {
                None => true,
                Some(cur) => {
                    let o = total_cmp(Some(arg), Some(cur));
                    if op == "$min" {
                        o == Ordering::Less
                    } else {
                        o == Ordering::Greater
                    }
                }
            };
            if replace {
                set_path(doc, path, arg.clone())
            } else {
                Ok(())
            }
        }
        "$rename" => {
            let to = arg.as_str().ok_or_else(|| uerr("$rename target must be a string"))?;
            let to_path = split_path(to).map_err(|_| uerr("invalid $rename target"))?;
            if to_path[0] == "_id" || to_path.iter().any(|p| p.starts_with('$')) {
                return Err(uerr("invalid $rename target"));
            }
            if let Some(v) = remove_path(doc, path) {
                set_path(doc, &to_path, v)?;
            }
            Ok(())
        }
        "$currentDate" => {
            let ok = matches!(arg, Value::Bool(true))
                || arg.get("$type").and_then(Value::as_str) == Some("date")
                || arg.get("$type").and_then(Value::as_str) == Some("timestamp");
            if !ok {
                return Err(uerr("$currentDate needs true or {$type:\"date\"}"));
            }
            set_path(doc, path, Value::String(util::iso8601(util::now_ms())))
        }
        "$push" | "$addToSet" => push(doc, op, path, arg),
        "$pop" => {
            let dir = num(arg).filter(|d| *d == 1.0 || *d == -1.0).ok_or_else(|| uerr("$pop needs 1 or -1"))?;
            let arr = array_at(doc, path, op)?;
            if let Some(a) = arr {
                if !a.is_empty() {
                    if dir > 0.0 {
                        a.pop();
                    } else {
                        a.remove(0);
                    }
                }
            }
            Ok(())
        }
        "$pull" => {
            let cond: Box<dyn Fn(&Value) -> bool> = match arg {
                Value::Object(o) if !o.is_empty() => {
                    let is_ops = o.keys().all(|k| k.starts_with('$'));
                    let filter =
                        if is_ops { compile(Some(&serde_json::json!({ "v": arg })))? } else { compile(Some(arg))? };
                    Box::new(move |e: &Value| {
                        if is_ops {
                            filter.matches(&serde_json::json!({ "v": e }))
                        } else {
                            e.is_object() && filter.matches(e)
                        }
                    })
                }
                _ => {
                    let target = arg.clone();
                    Box::new(move |e: &Value| values_equal(e, &target))
                }
            };
            if let Some(a) = array_at(doc, path, op)? {
                a.retain(|e| !cond(e));
            }
            Ok(())
        }
        "$pullAll" => {
            let items = arg.as_array().ok_or_else(|| uerr("$pullAll needs an array"))?.clone();
            if let Some(a) = array_at(doc, path, op)? {
                a.retain(|e| !items.iter().any(|t| values_equal(e, t)));
            }
            Ok(())
        }
        _ => Err(uerr(format!("unknown update operator: {op}"))),
    }
}

fn push(doc: &mut Value, op: &str, path: &[String], arg: &Value) -> ApiResult<()> {
    let (items, position, slice) = match arg {
        Value::Object(o) if o.contains_key("$each") => {
            let each = o.get("$each").and_then(Value::as_array).ok_or_else(|| uerr("$each needs an array"))?.clone();
            for k in o.keys() {
                let allowed: &[&str] = if op == "$push" { &["$each", "$position", "$slice"] } else { &["$each"] };
                if !allowed.contains(&k.as_str()) {
                    return Err(uerr(format!("unsupported {op} modifier: {k}")));
                }
            }
            let position = match o.get("$position") {
                None => None,
                Some(p) => Some(p.as_i64().ok_or_else(|| uerr("$position needs an integer"))?),
            };
            let slice = match o.get("$slice") {
                None => None,
                Some(s) => Some(s.as_i64().ok_or_else(|| uerr("$slice needs an integer"))?),
            };
            (each, position, slice)
        }
        _ => (vec![arg.clone()], None, None),
    };
    if get_path(doc, path).is_none() {
        set_path(doc, path, Value::Array(vec![]))?;
    }
    let Some(a) = array_at(doc, path, op)? else {
        return Ok(());
    };
    if op == "$addToSet" {
        for it in items {
            if !a.iter().any(|e| values_equal(e, &it)) {
                a.push(it);
            }
        }
        return Ok(());
    }
    let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
    let at = match position {
        None => a.len(),
        Some(p) if p < 0 => usize::try_from((len + p).max(0)).unwrap_or(0),
        Some(p) => usize::try_from(p.min(len)).unwrap_or(a.len()),
    };
    for (i, it) in items.into_iter().enumerate() {
        a.insert(at + i, it);
    }
    if let Some(s) = slice {
        let n = usize::try_from(s.unsigned_abs()).unwrap_or(usize::MAX);
        if s >= 0 {
            a.truncate(n);
        } else if a.len() > n {
            a.drain(..a.len() - n);
        }
    }
    Ok(())
}

/// The array at `path` (`None` if missing); an error if it is not an array.
fn array_at<'a>(doc: &'a mut Value, path: &[String], op: &str) -> ApiResult<Option<&'a mut Vec<Value>>> {
    match get_path_mut(doc, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(uerr(format!("cannot apply {op} to a non-array field"))),
    }
}

pub fn get_path<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = doc;
    for p in path {
        cur = match cur {
            Value::Object(o) => o.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn get_path_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut cur = doc;
    for p in path {
        cur = match cur {
            Value::Object(o) => o.get_mut(p)?,
            Value::Array(a) => a.get_mut(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

const MAX_ARRAY_PAD: usize = 10_000;

pub fn set_path(doc: &mut Value, path: &[String], v: Value) -> ApiResult<()> {
    let Some((last, parents)) = path.split_last() else {
        return Err(uerr("empty field path"));
    };
    let mut cur = doc;
    for p in parents {
        cur = match cur {
            Value::Object(o) => o.entry(p.clone()).or_insert_with(|| Value::Object(Map::new())),
            Value::Array(a) => {
                let i = p.parse::<usize>().map_err(|_| uerr(format!("cannot create field {p} in an array")))?;
                if i > MAX_ARRAY_PAD {
                    return Err(uerr("array index is too large"));
                }
                while a.len() <= i {
                    a.push(Value::Null);
                }
                let slot = &mut a[i];
                if slot.is_null() {
                    *slot = Value::Object(Map::new());
                }
                slot
            }
            _ => return Err(uerr(format!("cannot create field {p} in a non-object value"))),
        };
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
    }
    match cur {
        Value::Object(o) => {
            o.insert(last.clone(), v);
            Ok(())
        }
        Value::Array(a) => {
            let i = last.parse::<usize>().map_err(|_| uerr(format!("cannot create field {last} in an array")))?;
            if i > MAX_ARRAY_PAD {
                return Err(uerr("array index is too large"));
            }
            while a.len() <= i {
                a.push(Value::Null);
            }
            a[i] = v;
            Ok(())
        }
        _ => Err(uerr(format!("cannot create field {last} in a non-object value"))),
    }
}

pub fn remove_path(doc: &mut Value, path: &[String]) -> Option<Value> {
    let (last, parents) = path.split_last()?;
    let parent = get_path_mut(doc, parents)?;
    match parent {
        Value::Object(o) => o.shift_remove(last),
        Value::Array(a) => {
            let i = last.parse::<usize>().ok()?;
            a.get_mut(i).map(|slot| std::mem::replace(slot, Value::Null))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: Value, update: Value) -> Value {
        let mut d = doc;
        let u = validate(&update).unwrap().clone();
        apply(&mut d, &u, false).unwrap();
        d
    }

    #[test]
    fn set_unset_inc_mul() {
        let d = run(
            json!({"_id": "x", "a": 1, "b": {"c": 2}}),
            json!({
                "$set": {"b.d": 3, "e.f": "g"}, "$unset": {"a": ""}, "$inc": {"b.c": 5, "n": 1}, "$mul": {"m": 3}
            }),
        );
        assert_eq!(d, json!({"_id": "x", "b": {"c": 7, "d": 3}, "e": {"f": "g"}, "n": 1, "m": 0}));
        let d = run(json!({"p": 1.5}), json!({"$inc": {"p": 1}}));
        assert_eq!(d, json!({"p": 2.5}));
    }

    #[test]
    fn min_max_rename_current_date() {
        let d = run(
            json!({"lo": 5, "hi": 5, "old": 1}),
            json!({
                "$min": {"lo": 3}, "$max": {"hi": 3}, "$rename": {"old": "new"}, "$currentDate": {"t": true}
            }),
        );
        assert_eq!(d["lo"], json!(3));
        assert_eq!(d["hi"], json!(5));
        assert_eq!(d["new"], json!(1));
        assert!(d.get("old").is_none());
        assert!(d["t"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn array_operators() {
        let d = run(json!({"a": [1, 2]}), json!({"$push": {"a": 3, "b": {"$each": [1, 2, 3], "$slice": -2}}}));
        assert_eq!(d, json!({"a": [1, 2, 3], "b": [2, 3]}));
        let d = run(json!({"a": [1, 2]}), json!({"$push": {"a": {"$each": [0], "$position": 0}}}));
        assert_eq!(d["a"], json!([0, 1, 2]));
        let d = run(json!({"a": [1, 2]}), json!({"$addToSet": {"a": {"$each": [2, 3]}}}));
        assert_eq!(d["a"], json!([1, 2, 3]));
        let d = run(json!({"a": [1, 2, 3], "b": [1, 2, 3]}), json!({"$pop": {"a": 1, "b": -1}}));
        assert_eq!(d, json!({"a": [1, 2], "b": [2, 3]}));
        let d = run(
            json!({"a": [1, 5, 7], "o": [{"k": 1}, {"k": 2}]}),
            json!({"$pull": {"a": {"$gte": 5}, "o": {"k": 2}}}),
        );
        assert_eq!(d, json!({"a": [1], "o": [{"k": 1}]}));
        let d = run(json!({"a": [1, 2, 3, 2]}), json!({"$pullAll": {"a": [2, 3]}}));
        assert_eq!(d["a"], json!([1]));
    }

    #[test]
    fn set_on_insert_only_when_inserting() {
        let u = validate(&json!({"$setOnInsert": {"c": 1}})).unwrap().clone();
        let mut d = json!({});
        apply(&mut d, &u, false).unwrap();
        assert_eq!(d, json!({}));
        apply(&mut d, &u, true).unwrap();
        assert_eq!(d, json!({"c": 1}));
    }

    #[test]
    fn invalid_updates() {
        for bad in [
            json!({}),
            json!({"a": 1}),
            json!({"$foo": {"a": 1}}),
            json!({"$set": 1}),
            json!({"$set": {"_id": "y"}}),
            json!({"$set": {"a.$.b": 1}}),
            json!({"$set": {"": 1}}),
        ] {
            assert!(validate(&bad).is_err(), "{bad}");
        }
        let u = validate(&json!({"$inc": {"a": 1}})).unwrap().clone();
        let mut d = json!({"a": "text"});
        assert!(apply(&mut d, &u, false).is_err());
        let u = validate(&json!({"$push": {"a": 1}})).unwrap().clone();
        let mut d = json!({"a": 1});
        assert!(apply(&mut d, &u, false).is_err());
        let u = validate(&json!({"$set": {"a.b": 1}})).unwrap().clone();
        let mut d = json!({"a": 1});
        assert!(apply(&mut d, &u, false).is_err());
    }
}
