//! Mongo-style query filters over JSON documents: compiled once (so bad
//! operators and regexes are rejected before any document is scanned), then
//! matched. Supports dotted paths through objects and arrays, `$eq $ne $gt
//! $gte $lt $lte $in $nin $exists $regex/$options $not $size $all $elemMatch
//! $type $mod`, and `$and $or $nor` at any level.

use std::cmp::Ordering;

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

fn qerr(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameter.InvalidQuery", msg)
}

#[derive(Debug)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Nor(Vec<Filter>),
    Field(Vec<String>, Vec<Cond>),
}

#[derive(Debug)]
pub enum Cond {
    Eq(Value),
    Ne(Value),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    In(Vec<InItem>),
    Nin(Vec<InItem>),
    Exists(bool),
    Regex(Regex),
    Not(Vec<Cond>),
    Size(usize),
    All(Vec<Value>),
    ElemMatch(ElemMatch),
    Type(Vec<String>),
    Mod(f64, f64),
}

#[derive(Debug)]
pub enum InItem {
    Value(Value),
    Regex(Regex),
}

#[derive(Debug)]
pub enum ElemMatch {
    /// `{$elemMatch: {a: 1, b: {$gt: 2}}}` on arrays of documents
    Doc(Filter),
    /// `{$elemMatch: {$gt: 1, $lt: 5}}` on arrays of scalars
    Conds(Vec<Cond>),
}

pub const MAX_DEPTH: usize = 32;

pub fn split_path(path: &str) -> ApiResult<Vec<String>> {
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(qerr(format!("invalid field path: {path:?}")));
    }
    Ok(path.split('.').map(str::to_string).collect())
}

/// Compiles a filter document (`null` and `{}` match everything).
pub fn compile(filter: Option<&Value>) -> ApiResult<Filter> {
    match filter {
        None | Some(Value::Null) => Ok(Filter::And(vec![])),
        Some(Value::Object(m)) => compile_doc(m, 0),
        Some(_) => Err(qerr("query must be an object")),
    }
}

fn compile_doc(m: &Map<String, Value>, depth: usize) -> ApiResult<Filter> {
    if depth > MAX_DEPTH {
        return Err(qerr("query is nested too deeply"));
    }
    let mut parts = Vec::with_capacity(m.len());
    for (k, v) in m {
        match k.as_str() {
            "$and" | "$or" | "$nor" => {
                let arr = v
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| qerr(format!("{k} must be a non-empty array")))?;
                let mut subs = Vec::with_capacity(arr.len());
                for s in arr {
                    let o = s.as_object().ok_or_else(|| qerr(format!("{k} entries must be objects")))?;
                    subs.push(compile_doc(o, depth + 1)?);
                }
                parts.push(match k.as_str() {
                    "$and" => Filter::And(subs),
                    "$or" => Filter::Or(subs),
                    _ => Filter::Nor(subs),
                });
            }
            "$comment" => {}
            _ if k.starts_with('$') => {
                return Err(qerr(format!("unknown top level operator: {k}")));
            }
            _ => parts.push(Filter::Field(split_path(k)?, compile_conds(v, depth + 1)?)),
        }
    }
    Ok(Filter::And(parts))
}

fn is_operator_object(v: &Value) -> bool {
    match v {
        Value::Object(o) => !o.is_empty() && o.keys().all(|k| k.starts_with('$')),
        _ => false,
    }
}

fn compile_conds(v: &Value, depth: usize) -> ApiResult<Vec<Cond>> {
    if depth > MAX_DEPTH {
        return Err(qerr("query is nested too deeply"));
    }
    let Value::Object(o) = v else {
        return Ok(vec![Cond::Eq(v.clone())]);
    };
    if !is_operator_object(v) {
        if o.keys().any(|k| k.starts_with('$')) {
            return Err(qerr("cannot mix operators and fields in one condition"));
        }
        return Ok(vec![Cond::Eq(v.clone())]);
    }
    let options = match o.get("$options") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(qerr("$options must be a string")),
    };
    let mut out = Vec::with_capacity(o.len());
    for (op, arg) in o {
        let c = match op.as_str() {
            "$eq" => Cond::Eq(arg.clone()),
            "$ne" => Cond::Ne(arg.clone()),
            "$gt" => Cond::Gt(arg.clone()),
            "$gte" => Cond::Gte(arg.clone()),
            "$lt" => Cond::Lt(arg.clone()),
            "$lte" => Cond::Lte(arg.clone()),
            "$in" => Cond::In(in_items(op, arg)?),
            "$nin" => Cond::Nin(in_items(op, arg)?),
            "$exists" => Cond::Exists(truthy(arg)),
            "$regex" => {
                let pat = arg.as_str().ok_or_else(|| qerr("$regex must be a string"))?;
                Cond::Regex(build_regex(pat, options)?)
            }
            "$options" => {
                if !o.contains_key("$regex") {
                    return Err(qerr("$options needs a $regex"));
                }
                continue;
            }
            "$not" => match arg {
                Value::Object(_) if is_operator_object(arg) => Cond::Not(compile_conds(arg, depth + 1)?),
                Value::String(s) => Cond::Not(vec![Cond::Regex(build_regex(s, None)?)]),
                _ => return Err(qerr("$not needs an operator object or a regex string")),
            },
            "$size" => Cond::Size(
                crate::json::as_u64(arg)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| qerr("$size must be a non-negative integer"))?,
            ),
            "$all" => Cond::All(arg.as_array().ok_or_else(|| qerr("$all must be an array"))?.clone()),
            "$elemMatch" => {
                let eo = arg.as_object().ok_or_else(|| qerr("$elemMatch must be an object"))?;
                if is_operator_object(arg) {
                    Cond::ElemMatch(ElemMatch::Conds(compile_conds(arg, depth + 1)?))
                } else {
                    Cond::ElemMatch(ElemMatch::Doc(compile_doc(eo, depth + 1)?))
                }
            }
            "$type" => {
                let names = match arg {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| qerr("$type must be a type name or an array of names"))?,
                    _ => return Err(qerr("$type must be a type name or an array of names")),
                };
                for n in &names {
                    if !TYPE_NAMES.contains(&n.as_str()) {
                        return Err(qerr(format!("unknown $type: {n}")));
                    }
                }
                Cond::Type(names)
            }
            "$mod" => {
                let a = arg.as_array().filter(|a| a.len() == 2);
                let (d, r) = match a.map(|a| (a[0].as_f64(), a[1].as_f64())) {
                    Some((Some(d), Some(r))) if d != 0.0 => (d, r),
                    _ => return Err(qerr("$mod needs [divisor, remainder] with a non-zero divisor")),
                };
                Cond::Mod(d, r)
            }
            _ => return Err(qerr(format!("unknown operator: {op}"))),
        };
        out.push(c);
    }
    Ok(out)
}

const TYPE_NAMES: &[&str] =
    &["double", "string", "object", "array", "bool", "null", "int", "long", "number", "decimal"];

fn in_items(op: &str, arg: &Value) -> ApiResult<Vec<InItem>> {
    let arr = arg.as_array().ok_or_else(|| qerr(format!("{op} needs an array")))?;
    arr.iter()
        .map(|v| match v {
            Value::Object(o) if o.contains_key("$regex") => {
                let pat = o.get("$regex").and_then(Value::as_str).ok_or_else(|| qerr("$regex must be a string"))?;
                let opts = o.get("$options").and_then(Value::as_str);
                Ok(InItem::Regex(build_regex(pat, opts)?))
            }
            _ => Ok(InItem::Value(v.clone())),
        })
        .collect()
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => true,
    }
}

/// Compiles a regex with Mongo's `i m s x` options. Patterns may also be
/// written `/source/flags`. Lookaround and backreferences are not supported.
pub fn build_regex(pattern: &str, options: Option<&str>) -> ApiResult<Regex> {
    let slashed = match (pattern.strip_prefix('/'), options) {
        (Some(rest), None) => rest.rfind('/').and_then(|idx| {
            let flags = &rest[idx + 1..];
            flags.chars().all(|c| "imsxug".contains(c)).then(|| (&rest[..idx], flags))
        }),
        _ => None,
    };
    let (pat, flags) = slashed.unwrap_or((pattern, options.unwrap_or("")));
    if pat.len() > 4096 {
        return Err(qerr("regex is too long"));
    }
    let mut b = RegexBuilder::new(pat);
    b.size_limit(1 << 20).dfa_size_limit(1 << 20);
    for f in flags.chars() {
        match f {
            'i' => {
                b.case_insensitive(true);
            }
            'm' => {
                b.multi_line(true);
            }
            's' => {
                b.dot_matches_new_line(true);
            }
            'x' => {
                b.ignore_whitespace(true);
            }
            'u' | 'g' => {}
            _ => return Err(qerr(format!("unsupported regex option: {f}"))),
        }
    }
    b.build().map_err(|e| qerr(format!("invalid regex: {}", first_line(&e.to_string()))))
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or("").trim().chars().take(200).collect()
}

// ---------- matching ----------

/// The values at `path`, descending through arrays of documents.
pub fn resolve<'a>(v: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let mut out = Vec::new();
    resolve_into(v, path, &mut out);
    out
}

fn resolve_into<'a>(v: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    let Some((head, rest)) = path.split_first() else {
        out.push(v);
        return;
    };
    match v {
        Value::Object(o) => {
            if let Some(child) = o.get(head) {
                resolve_into(child, rest, out);
            }
        }
        Value::Array(a) => {
            if let Ok(i) = head.parse::<usize>() {
                if let Some(child) = a.get(i) {
                    resolve_into(child, rest, out);
                }
            } else {
                for e in a {
                    if e.is_object() {
                        resolve_into(e, path, out);
                    }
                }
            }
        }
        _ => {}
    }
}

impl Filter {
    pub fn matches(&self, doc: &Value) -> bool {
        match self {
            Filter::And(fs) => fs.iter().all(|f| f.matches(doc)),
            Filter::Or(fs) => fs.iter().any(|f| f.matches(doc)),
            Filter::Nor(fs) => !fs.iter().any(|f| f.matches(doc)),
            Filter::Field(path, conds) => {
                let vals = resolve(doc, path);
                conds.iter().all(|c| cond_matches(c, &vals))
            }
        }
    }
}

/// Each value plus, for arrays, their elements (Mongo's implicit array match).
fn expanded<'a>(vals: &[&'a Value]) -> Vec<&'a Value> {
    let mut out = Vec::with_capacity(vals.len());
    for v in vals {
        out.push(*v);
        if let Value::Array(a) = v {
            out.extend(a.iter());
        }
    }
    out
}

fn eq_matches(target: &Value, vals: &[&Value]) -> bool {
    if target.is_null() && (vals.is_empty() || vals.iter().any(|v| v.is_null())) {
        return true;
    }
    expanded(vals).iter().any(|v| values_equal(v, target))
}

fn in_matches(items: &[InItem], vals: &[&Value]) -> bool {
    items.iter().any(|it| match it {
        InItem::Value(t) => eq_matches(t, vals),
        InItem::Regex(r) => expanded(vals).iter().any(|v| v.as_str().is_some_and(|s| r.is_match(s))),
    })
}

fn cmp_matches(target: &Value, vals: &[&Value], ok: fn(Ordering) -> bool) -> bool {
    expanded(vals).iter().any(|v| compare_same_type(v, target).is_some_and(ok))
}

fn cond_matches(c: &Cond, vals: &[&Value]) -> bool {
    match c {
        Cond::Eq(t) => eq_matches(t, vals),
        Cond::Ne(t) => !eq_matches(t, vals),
        Cond::Gt(t) => cmp_matches(t, vals, |o| o == Ordering::Greater),
        Cond::Gte(t) => cmp_matches(t, vals, |o| o != Ordering::Less),
        Cond::Lt(t) => cmp_matches(t, vals, |o| o == Ordering::Less),
        Cond::Lte(t) => cmp_matches(t, vals, |o| o != Ordering::Greater),
        Cond::In(items) => in_matches(items, vals),
        Cond::Nin(items) => !in_matches(items, vals),
        Cond::Exists(want) => vals.is_empty() != *want,
        Cond::Regex(r) => expanded(vals).iter().any(|v| v.as_str().is_some_and(|s| r.is_match(s))),
        Cond::Not(cs) => !cs.iter().all(|c| cond_matches(c, vals)),
        Cond::Size(n) => vals.iter().any(|v| v.as_array().is_some_and(|a| a.len() == *n)),
        Cond::All(items) => !items.is_empty() && items.iter().all(|t| eq_matches(t, vals)),
        Cond::ElemMatch(em) => vals.iter().any(|v| {
            v.as_array().is_some_and(|a| {
                a.iter().any(|e| match em {
                    ElemMatch::Doc(f) => e.is_object() && f.matches(e),
                    ElemMatch::Conds(cs) => cs.iter().all(|c| cond_matches(c, &[e])),
                })
            })
        }),
        Cond::Type(names) => vals.iter().any(|v| names.iter().any(|n| has_type(v, n))),
        Cond::Mod(d, r) => expanded(vals)
            .iter()
            .any(|v| v.as_f64().is_some_and(|x| ((x.trunc() % d.trunc()) - r.trunc()).abs() < f64::EPSILON)),
    }
}

fn has_type(v: &Value, name: &str) -> bool {
    match name {
        "string" => v.is_string(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "bool" => v.is_boolean(),
        "null" => v.is_null(),
        "int" | "long" => v.is_i64() || v.is_u64(),
        "double" | "decimal" => v.is_f64(),
        "number" => v.is_number(),
        _ => false,
    }
}

/// Equality with numeric normalisation (1 == 1.0) and key-order-insensitive objects.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Ordering between two values of the same type class (`None` across types,
/// Mongo's type bracketing for `$gt`-style operators).
pub fn compare_same_type(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => Some(total_cmp(Some(a), Some(b))),
        _ => None,
    }
}

fn type_rank(v: Option<&Value>) -> u8 {
    match v {
        None | Some(Value::Null) => 1,
        Some(Value::Number(_)) => 2,
        Some(Value::String(_)) => 3,
        Some(Value::Object(_)) => 4,
        Some(Value::Array(_)) => 5,
        Some(Value::Bool(_)) => 6,
    }
}

/// Total order used by sort: null/missing < numbers < strings < objects < arrays < booleans.
pub fn total_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for (p, q) in x.iter().zip(y) {
                let o = total_cmp(Some(p), Some(q));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                let o = ka.cmp(kb).then_with(|| total_cmp(Some(va), Some(vb)));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(filter: Value, doc: Value) -> bool {
        compile(Some(&filter)).unwrap().matches(&doc)
    }

    #[test]
    fn equality_and_paths() {
        let d = json!({"a": 1, "b": {"c": "x"}, "tags": ["red", "blue"], "items": [{"n": 1}, {"n": 5}]});
        assert!(m(json!({}), d.clone()));
        assert!(m(json!({"a": 1.0}), d.clone()));
        assert!(m(json!({"b.c": "x"}), d.clone()));
        assert!(m(json!({"b": {"c": "x"}}), d.clone()));
        assert!(m(json!({"tags": "red"}), d.clone()));
        assert!(m(json!({"tags": ["red", "blue"]}), d.clone()));
        assert!(m(json!({"tags.1": "blue"}), d.clone()));
        assert!(m(json!({"items.n": 5}), d.clone()));
        assert!(!m(json!({"items.n": 3}), d.clone()));
        assert!(m(json!({"missing": null}), d.clone()));
        assert!(!m(json!({"a": 2}), d));
    }

    #[test]
    fn comparison_operators() {
        let d = json!({"n": 5, "s": "m", "d": "2024-01-02T00:00:00.000Z"});
        assert!(m(json!({"n": {"$gt": 4, "$lte": 5}}), d.clone()));
        assert!(!m(json!({"n": {"$lt": 5}}), d.clone()));
        assert!(m(json!({"n": {"$gte": 5}}), d.clone()));
        assert!(!m(json!({"n": {"$gt": "4"}}), d.clone()), "type bracketing");
        assert!(m(json!({"s": {"$gt": "a", "$lt": "z"}}), d.clone()));
        assert!(m(json!({"d": {"$gt": "2024-01-01T00:00:00.000Z"}}), d.clone()));
        assert!(m(json!({"n": {"$ne": 4}}), d.clone()));
        assert!(m(json!({"n": {"$in": [1, 5]}}), d.clone()));
        assert!(m(json!({"n": {"$nin": [1, 2]}}), d.clone()));
        assert!(m(json!({"n": {"$mod": [2, 1]}}), d.clone()));
        assert!(m(json!({"n": {"$type": "number"}}), d));
    }

    #[test]
    fn exists_regex_not() {
        let d = json!({"name": "Alice Smith", "x": null});
        assert!(m(json!({"name": {"$exists": true}}), d.clone()));
        assert!(m(json!({"x": {"$exists": true}}), d.clone()));
        assert!(m(json!({"y": {"$exists": false}}), d.clone()));
        assert!(m(json!({"name": {"$regex": "^alice", "$options": "i"}}), d.clone()));
        assert!(!m(json!({"name": {"$regex": "^alice"}}), d.clone()));
        assert!(m(json!({"name": {"$regex": "/smith$/i"}}), d.clone()));
        assert!(m(json!({"name": {"$not": {"$regex": "^Bob"}}}), d.clone()));
        assert!(m(json!({"name": {"$in": [{"$regex": "^Ali"}]}}), d));
    }

    #[test]
    fn logical_and_arrays() {
        let d = json!({"a": 1, "b": 2, "arr": [1, 2, 3], "docs": [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}]});
        assert!(m(json!({"$or": [{"a": 2}, {"b": 2}]}), d.clone()));
        assert!(m(json!({"$and": [{"a": 1}, {"b": 2}]}), d.clone()));
        assert!(m(json!({"$nor": [{"a": 2}, {"b": 3}]}), d.clone()));
        assert!(m(json!({"arr": {"$size": 3}}), d.clone()));
        assert!(m(json!({"arr": {"$all": [1, 3]}}), d.clone()));
        assert!(!m(json!({"arr": {"$all": [1, 4]}}), d.clone()));
        assert!(m(json!({"arr": {"$elemMatch": {"$gt": 2, "$lt": 4}}}), d.clone()));
        assert!(m(json!({"docs": {"$elemMatch": {"k": 2, "v": "b"}}}), d.clone()));
        assert!(!m(json!({"docs": {"$elemMatch": {"k": 2, "v": "a"}}}), d));
    }

    #[test]
    fn bad_queries_are_errors() {
        for bad in [
            json!({"$where": "1"}),
            json!({"a": {"$foo": 1}}),
            json!({"a": {"$regex": "("}}),
            json!({"a": {"$regex": "(?=x)"}}),
            json!({"$or": []}),
            json!({"$and": {"a": 1}}),
            json!({"a": {"$in": 1}}),
            json!({"a": {"$size": -1}}),
            json!({"a.": 1}),
            json!({"a": {"$mod": [0, 1]}}),
        ] {
            assert!(compile(Some(&bad)).is_err(), "{bad}");
        }
        assert!(compile(Some(&json!([1]))).is_err());
    }

    #[test]
    fn sort_order_is_total() {
        let mut v = [json!("b"), json!(2), json!(null), json!(true), json!("a"), json!(1.5)];
        v.sort_by(|a, b| total_cmp(Some(a), Some(b)));
        assert_eq!(Value::Array(v.to_vec()), json!([null, 1.5, 2, "a", "b", true]));
    }
}
