//! Aggregation pipelines plus the projection and sort helpers `find` shares.
//! Stages: `$match $project $addFields/$set $unset $sort $skip $limit $count
//! $group $unwind $lookup $replaceRoot`. Expressions: field paths (`"$a.b"`),
//! literals, and `$add $subtract $multiply $divide $mod $concat $toUpper
//! $toLower $ifNull $size $literal $eq $ne $gt $gte $lt $lte $cond $and $or
//! $not $arrayElemAt`. Accumulators: `$sum $avg $min $max $first $last $push
//! $addToSet $count`.

use std::cmp::Ordering;

use serde_json::{json, Map, Number, Value};

use super::query::{self, compare_same_type, resolve, split_path, total_cmp, values_equal};
use super::update::{get_path, remove_path, set_path};
use crate::error::{ApiError, ApiResult};

fn aerr(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameter.InvalidPipeline", msg)
}

pub const MAX_STAGES: usize = 64;

/// A loader of another collection's documents (for `$lookup`).
pub type Loader<'a> = dyn FnMut(&str) -> ApiResult<Vec<Value>> + 'a;

pub fn run(docs: Vec<Value>, pipeline: &[Value], loader: &mut Loader<'_>) -> ApiResult<Vec<Value>> {
    if pipeline.len() > MAX_STAGES {
        return Err(aerr("pipeline has too many stages"));
    }
    let mut docs = docs;
    for stage in pipeline {
        let m = stage
            .as_object()
            .filter(|m| m.len() == 1)
            .ok_or_else(|| aerr("each stage must be an object with exactly one key"))?;
        let Some((name, arg)) = m.iter().next() else {
            return Err(aerr("empty stage"));
        };
        docs = match name.as_str() {
            "$match" => {
                let f = query::compile(Some(arg))?;
                docs.into_iter().filter(|d| f.matches(d)).collect()
            }
            "$project" => {
                let spec = arg.as_object().ok_or_else(|| aerr("$project needs an object"))?;
                docs.iter().map(|d| project(d, spec)).collect::<ApiResult<_>>()?
            }
            "$addFields" | "$set" => {
                let spec = arg.as_object().ok_or_else(|| aerr(format!("{name} needs an object")))?;
                let mut out = Vec::with_capacity(docs.len());
                for mut d in docs {
                    for (k, e) in spec {
                        let v = eval(e, &d)?;
                        set_path(&mut d, &split_path(k)?, v)?;
                    }
                    out.push(d);
                }
                out
            }
            "$unset" => {
                let fields: Vec<String> = match arg {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect::<Option<_>>()
                        .ok_or_else(|| aerr("$unset needs field names"))?,
                    _ => return Err(aerr("$unset needs field names")),
                };
                let paths = fields.iter().map(|f| split_path(f)).collect::<ApiResult<Vec<_>>>()?;
                docs.into_iter()
                    .map(|mut d| {
                        for p in &paths {
                            remove_path(&mut d, p);
                        }
                        d
                    })
                    .collect()
            }
            "$sort" => {
                let spec = parse_sort(arg)?;
                sort_docs(&mut docs, &spec);
                docs
            }
            "$skip" => {
                let n = usize_arg(arg, "$skip")?;
                docs.into_iter().skip(n).collect()
            }
            "$limit" => {
                let n = usize_arg(arg, "$limit")?;
                if n == 0 {
                    return Err(aerr("$limit must be positive"));
                }
                docs.into_iter().take(n).collect()
            }
            "$count" => {
                let f = arg
                    .as_str()
                    .filter(|s| !s.is_empty() && !s.starts_with('$') && !s.contains('.'))
                    .ok_or_else(|| aerr("$count needs a field name"))?;
                if docs.is_empty() {
                    vec![]
                } else {
                    vec![json!({ f: docs.len() })]
                }
            }
            "$group" => group(&docs, arg)?,
            "$unwind" => unwind(docs, arg)?,
            "$lookup" => lookup(docs, arg, loader)?,
            "$replaceRoot" => {
                let e = arg.get("newRoot").ok_or_else(|| aerr("$replaceRoot needs newRoot"))?;
                docs.iter()
                    .map(|d| match eval(e, d)? {
                        v @ Value::Object(_) => Ok(v),
                        _ => Err(aerr("newRoot must evaluate to an object")),
                    })
                    .collect::<ApiResult<_>>()?
            }
            _ => return Err(aerr(format!("unsupported pipeline stage: {name}"))),
        };
    }
    Ok(docs)
}

fn usize_arg(v: &Value, name: &str) -> ApiResult<usize> {
    crate::json::as_u64(v)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| aerr(format!("{name} needs a non-negative integer")))
}

// ---------- sort ----------

pub type SortSpec = Vec<(Vec<String>, bool)>;

/// `{field: 1|-1, …}` in key order.
pub fn parse_sort(v: &Value) -> ApiResult<SortSpec> {
    let m = v.as_object().ok_or_else(|| ApiError::bad_request("sort must be an object"))?;
    let mut out = Vec::with_capacity(m.len());
    for (k, d) in m {
        let asc = match d.as_f64() {
            Some(1.0) => true,
            Some(-1.0) => false,
            _ => return Err(ApiError::bad_request("sort values must be 1 or -1")),
        };
        out.push((split_path(k)?, asc));
    }
    Ok(out)
}

pub fn sort_docs(docs: &mut [Value], spec: &SortSpec) {
    if spec.is_empty() {
        return;
    }
    docs.sort_by(|a, b| {
        for (path, asc) in spec {
            let va = resolve(a, path).into_iter().next();
            let vb = resolve(b, path).into_iter().next();
            let o = total_cmp(va, vb);
            if o != Ordering::Equal {
                return if *asc { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    });
}

// ---------- projection ----------

fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        _ => None,
    }
}

/// Inclusion (`{a:1}`, computed fields allowed) or exclusion (`{a:0}`) projection.
pub fn project(doc: &Value, spec: &Map<String, Value>) -> ApiResult<Value> {
    let mut include_id = true;
    let mut inclusion: Option<bool> = None;
    for (k, v) in spec {
        if k == "_id" {
            if let Some(f) = flag(v) {
                include_id = f;
                continue;
            }
        }
        let mode = flag(v).unwrap_or(true);
        match inclusion {
            None => inclusion = Some(mode),
            Some(m) if m != mode => return Err(ApiError::bad_request("projection cannot mix inclusion and exclusion")),
            _ => {}
        }
    }
    match inclusion {
        Some(false) => {
            let mut out = doc.clone();
            for (k, _) in spec.iter().filter(|(k, _)| *k != "_id") {
                remove_path(&mut out, &split_path(k)?);
            }
            if !include_id {
                remove_path(&mut out, &["_id".to_string()]);
            }
            Ok(out)
        }
        _ => {
            let mut out = Value::Object(Map::new());
            if include_id {
                if let Some(id) = doc.get("_id") {
                    set_path(&mut out, &["_id".to_string()], id.clone())?;
                }
            }
            for (k, v) in spec {
                if k == "_id" && flag(v).is_some() {
                    continue;
                }
                let path = split_path(k)?;
                match flag(v) {
                    Some(true) => {
                        if let Some(val) = get_path(doc, &path) {
                            set_path(&mut out, &path, val.clone())?;
                        }
                    }
                    Some(false) => {}
                    None => {
                        let val = eval(v, doc)?;
                        set_path(&mut out, &path, val)?;
                    }
                }
            }
            Ok(out)
        }
    }
}

// ---------- expressions ----------

fn field_value(doc: &Value, path: &str) -> ApiResult<Value> {
    let p = split_path(path)?;
    let vals = resolve(doc, &p);
    Ok(match vals.len() {
        0 => Value::Null,
        1 => vals[0].clone(),
        _ => Value::Array(vals.into_iter().cloned().collect()),
    })
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn args(v: &Value, doc: &Value) -> ApiResult<Vec<Value>> {
    match v {
        Value::Array(a) => a.iter().map(|x| eval(x, doc)).collect(),
        other => Ok(vec![eval(other, doc)?]),
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => true,
    }
}

pub fn eval(e: &Value, doc: &Value) -> ApiResult<Value> {
    match e {
        Value::String(s) if s.starts_with("$$") => Err(aerr("variables are not supported")),
        Value::String(s) if s.starts_with('$') => field_value(doc, &s[1..]),
        Value::Array(a) => a.iter().map(|x| eval(x, doc)).collect::<ApiResult<Vec<_>>>().map(Value::Array),
        Value::Object(o) if o.len() == 1 && o.keys().all(|k| k.starts_with('$')) => {
            let Some((op, arg)) = o.iter().next() else {
                return Ok(Value::Null);
            };
            eval_op(op, arg, doc)
        }
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                if k.starts_with('$') {
                    return Err(aerr(format!("unknown expression: {k}")));
                }
                out.insert(k.clone(), eval(v, doc)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn nums(a: &[Value], op: &str) -> ApiResult<Option<Vec<f64>>> {
    if a.iter().any(Value::is_null) {
        return Ok(None);
    }
    a.iter()
        .map(|v| v.as_f64().ok_or_else(|| aerr(format!("{op} needs numbers"))))
        .collect::<ApiResult<Vec<_>>>()
        .map(Some)
}

fn eval_op(op: &str, arg: &Value, doc: &Value) -> ApiResult<Value> {
    if op == "$literal" {
        return Ok(arg.clone());
    }
    let a = args(arg, doc)?;
    let two = |a: &[Value]| -> ApiResult<(Value, Value)> {
        match a {
            [x, y] => Ok((x.clone(), y.clone())),
            _ => Err(aerr(format!("{op} needs two arguments"))),
        }
    };
    Ok(match op {
        "$add" => match nums(&a, op)? {
            Some(n) => number(n.iter().sum()),
            None => Value::Null,
        },
        "$multiply" => match nums(&a, op)? {
            Some(n) => number(n.iter().product()),
            None => Value::Null,
        },
        "$subtract" | "$divide" | "$mod" => {
            let (x, y) = two(&a)?;
            match nums(&[x, y], op)? {
                Some(n) => {
                    if op != "$subtract" && n[1] == 0.0 {
                        return Err(aerr(format!("{op} by zero")));
                    }
                    number(match op {
                        "$subtract" => n[0] - n[1],
                        "$divide" => n[0] / n[1],
                        _ => n[0] % n[1],
                    })
                }
                None => Value::Null,
            }
        }
        "$concat" => {
            if a.iter().any(Value::is_null) {
                Value::Null
            } else {
                let mut s = String::new();
                for v in &a {
                    s.push_str(v.as_str().ok_or_else(|| aerr("$concat needs strings"))?);
                }
                Value::String(s)
            }
        }
        "$toUpper" | "$toLower" => {
            let s = match a.first() {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            Value::String(if op == "$toUpper" { s.to_uppercase() } else { s.to_lowercase() })
        }
        "$ifNull" => a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null),
        "$size" => match a.first() {
            Some(Value::Array(x)) => json!(x.len()),
            _ => return Err(aerr("$size needs an array")),
        },
        "$eq" | "$ne" => {
            let (x, y) = two(&a)?;
            let eq = values_equal(&x, &y);
            Value::Bool(if op == "$eq" { eq } else { !eq })
        }
        "$gt" | "$gte" | "$lt" | "$lte" => {
            let (x, y) = two(&a)?;
            let o = compare_same_type(&x, &y).unwrap_or_else(|| total_cmp(Some(&x), Some(&y)));
            Value::Bool(match op {
                "$gt" => o == Ordering::Greater,
                "$gte" => o != Ordering::Less,
                "$lt" => o == Ordering::Less,
                _ => o != Ordering::Greater,
            })
        }
        "$and" => Value::Bool(a.iter().all(truthy)),
        "$or" => Value::Bool(a.iter().any(truthy)),
        "$not" => Value::Bool(!a.first().is_some_and(truthy)),
        "$cond" => {
            let (c, t, f) = match arg {
                Value::Object(o) => (
                    o.get("if").ok_or_else(|| aerr("$cond needs if"))?,
                    o.get("then").ok_or_else(|| aerr("$cond needs then"))?,
                    o.get("else").ok_or_else(|| aerr("$cond needs else"))?,
                ),
                Value::Array(x) if x.len() == 3 => (&x[0], &x[1], &x[2]),
                _ => return Err(aerr("$cond needs {if,then,else} or [if,then,else]")),
            };
            if truthy(&eval(c, doc)?) {
                eval(t, doc)?
            } else {
                eval(f, doc)?
            }
        }
        "$arrayElemAt" => {
            let (arr, idx) = two(&a)?;
            let arr = arr.as_array().ok_or_else(|| aerr("$arrayElemAt needs an array"))?;
            let i = idx.as_i64().ok_or_else(|| aerr("$arrayElemAt needs an integer index"))?;
            let len = i64::try_from(arr.len()).unwrap_or(i64::MAX);
            let pos = if i < 0 { len + i } else { i };
            usize::try_from(pos).ok().and_then(|p| arr.get(p)).cloned().unwrap_or(Value::Null)
        }
        _ => return Err(aerr(format!("unsupported expression operator: {op}"))),
    })
}

// ---------- $group ----------

enum Acc {
    Sum(f64, bool),
    Avg(f64, usize),
    Min(Option<Value>),
    Max(Option<Value>),
    First(Option<Value>),
    Last(Value),
    Push(Vec<Value>),
    AddToSet(Vec<Value>),
}

fn group(docs: &[Value], arg: &Value) -> ApiResult<Vec<Value>> {
    let spec = arg.as_object().ok_or_else(|| aerr("$group needs an object"))?;
    let id_expr = spec.get("_id").ok_or_else(|| aerr("$group needs an _id"))?;
    let mut accs_spec: Vec<(String, String, Value)> = Vec::new();
    for (k, v) in spec {
        if k == "_id" {
            continue;
        }
        let o = v
            .as_object()
            .filter(|o| o.len() == 1)
            .ok_or_else(|| aerr(format!("accumulator {k} must be an object with one operator")))?;
        let Some((op, e)) = o.iter().next() else {
            return Err(aerr("empty accumulator"));
        };
        if !["$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet", "$count"].contains(&op.as_str()) {
            return Err(aerr(format!("unsupported accumulator: {op}")));
        }
        accs_spec.push((k.clone(), op.clone(), e.clone()));
    }
    let mut groups: Vec<(Value, Vec<Acc>)> = Vec::new();
    for d in docs {
        let key = eval(id_expr, d)?;
        let idx = match groups.iter().position(|(k, _)| values_equal(k, &key)) {
            Some(i) => i,
            None => {
                let accs = accs_spec
                    .iter()
                    .map(|(_, op, _)| match op.as_str() {
                        "$sum" | "$count" => Acc::Sum(0.0, true),
                        "$avg" => Acc::Avg(0.0, 0),
                        "$min" => Acc::Min(None),
                        "$max" => Acc::Max(None),
                        "$first" => Acc::First(None),
                        "$last" => Acc::Last(Value::Null),
                        "$push" => Acc::Push(vec![]),
                        _ => Acc::AddToSet(vec![]),
                    })
                    .collect();
                groups.push((key, accs));
                groups.len() - 1
            }
        };
        for (acc, (_, op, e)) in groups[idx].1.iter_mut().zip(&accs_spec) {
            let v = if op == "$count" { json!(1) } else { eval(e, d)? };
            match acc {
                Acc::Sum(s, int) => {
                    if let Some(f) = v.as_f64() {
                        *s += f;
                        *int &= v.is_i64() || v.is_u64();
                    }
                }
                Acc::Avg(s, n) => {
                    if let Some(f) = v.as_f64() {
                        *s += f;
                        *n += 1;
                    }
                }
                Acc::Min(m) => {
                    if !v.is_null() && m.as_ref().is_none_or(|c| total_cmp(Some(&v), Some(c)) == Ordering::Less) {
                        *m = Some(v);
                    }
                }
                Acc::Max(m) => {
                    if !v.is_null() && m.as_ref().is_none_or(|c| total_cmp(Some(&v), Some(c)) == Ordering::Greater) {
                        *m = Some(v);
                    }
                }
                Acc::First(f) => {
                    if f.is_none() {
                        *f = Some(v);
                    }
                }
                Acc::Last(l) => *l = v,
                Acc::Push(p) => p.push(v),
                Acc::AddToSet(s) => {
                    if !s.iter().any(|x| values_equal(x, &v)) {
                        s.push(v);
                    }
                }
            }
        }
    }
    Ok(groups
        .into_iter()
        .map(|(key, accs)| {
            let mut out = Map::new();
            out.insert("_id".into(), key);
            for (acc, (name, _, _)) in accs.into_iter().zip(&accs_spec) {
                let v = match acc {
                    Acc::Sum(s, int) => {
                        if int {
                            number(s)
                        } else {
                            Number::from_f64(s).map(Value::Number).unwrap_or(Value::Null)
                        }
                    }
                    Acc::Avg(s, n) => {
                        if n == 0 {
                            Value::Null
                        } else {
                            Number::from_f64(s / n as f64).map(Value::Number).unwrap_or(Value::Null)
                        }
                    }
                    Acc::Min(m) | Acc::Max(m) | Acc::First(m) => m.unwrap_or(Value::Null),
                    Acc::Last(l) => l,
                    Acc::Push(p) | Acc::AddToSet(p) => Value::Array(p),
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        })
        .collect())
}

// ---------- $unwind / $lookup ----------

fn unwind(docs: Vec<Value>, arg: &Value) -> ApiResult<Vec<Value>> {
    let (path, keep) = match arg {
        Value::String(s) => (s.clone(), false),
        Value::Object(o) => (
            o.get("path").and_then(Value::as_str).ok_or_else(|| aerr("$unwind needs a path"))?.to_string(),
            o.get("preserveNullAndEmptyArrays").and_then(Value::as_bool).unwrap_or(false),
        ),
        _ => return Err(aerr("$unwind needs a path")),
    };
    let field = path.strip_prefix('$').ok_or_else(|| aerr("$unwind path must start with $"))?;
    let p = split_path(field)?;
    let mut out = Vec::new();
    for d in docs {
        match get_path(&d, &p).cloned() {
            Some(Value::Array(items)) if !items.is_empty() => {
                for it in items {
                    let mut c = d.clone();
                    set_path(&mut c, &p, it)?;
                    out.push(c);
                }
            }
            Some(Value::Array(_)) | Some(Value::Null) | None => {
                if keep {
                    out.push(d);
                }
            }
            Some(_) => out.push(d),
        }
    }
    Ok(out)
}

fn lookup(docs: Vec<Value>, arg: &Value, loader: &mut Loader<'_>) -> ApiResult<Vec<Value>> {
    let o = arg.as_object().ok_or_else(|| aerr("$lookup needs an object"))?;
    let get = |k: &str| o.get(k).and_then(Value::as_str).ok_or_else(|| aerr(format!("$lookup needs {k}")));
    let (from, local, foreign, as_) = (get("from")?, get("localField")?, get("foreignField")?, get("as")?);
    let (lp, fp, ap) = (split_path(local)?, split_path(foreign)?, split_path(as_)?);
    let others = loader(from)?;
    let mut out = Vec::with_capacity(docs.len());
    for mut d in docs {
        let mut locals: Vec<Value> = Vec::new();
        for v in resolve(&d, &lp) {
            match v {
                Value::Array(a) => locals.extend(a.iter().cloned()),
                other => locals.push(other.clone()),
            }
        }
        if locals.is_empty() {
            locals.push(Value::Null);
        }
        let matched: Vec<Value> = others
            .iter()
            .filter(|f| {
                let fv = resolve(f, &fp);
                locals.iter().any(|l| {
                    if fv.is_empty() {
                        l.is_null()
                    } else {
                        fv.iter().any(|x| {
                            values_equal(x, l) || x.as_array().is_some_and(|a| a.iter().any(|y| values_equal(y, l)))
                        })
                    }
                })
            })
            .cloned()
            .collect();
        set_path(&mut d, &ap, Value::Array(matched))?;
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_loader(_: &str) -> ApiResult<Vec<Value>> {
        Ok(vec![])
    }

    #[test]
    fn group_sort_project() {
        let docs = vec![
            json!({"_id": "1", "cat": "a", "n": 1}),
            json!({"_id": "2", "cat": "b", "n": 2}),
            json!({"_id": "3", "cat": "a", "n": 3.5}),
        ];
        let out = run(
            docs,
            &[
                json!({"$match": {"n": {"$gte": 1}}}),
                json!({"$group": {"_id": "$cat", "total": {"$sum": "$n"}, "count": {"$sum": 1}, "ns": {"$push": "$n"}, "avg": {"$avg": "$n"}}}),
                json!({"$sort": {"_id": 1}}),
                json!({"$project": {"total": 1, "count": 1, "double": {"$multiply": ["$count", 2]}}}),
            ],
            &mut no_loader,
        )
        .unwrap();
        assert_eq!(
            out,
            vec![
                json!({"_id": "a", "total": 4.5, "count": 2, "double": 4}),
                json!({"_id": "b", "total": 2, "count": 1, "double": 2}),
            ]
        );
    }

    #[test]
    fn unwind_count_lookup() {
        let docs = vec![json!({"_id": "1", "tags": ["x", "y"], "ref": "k"}), json!({"_id": "2", "tags": []})];
        let out = run(docs.clone(), &[json!({"$unwind": "$tags"}), json!({"$count": "n"})], &mut no_loader).unwrap();
        assert_eq!(out, vec![json!({"n": 2})]);
        let mut loader = |name: &str| -> ApiResult<Vec<Value>> {
            assert_eq!(name, "other");
            Ok(vec![json!({"_id": "o1", "key": "k"}), json!({"_id": "o2", "key": "z"})])
        };
        let out = run(
            docs,
            &[
                json!({"$lookup": {"from": "other", "localField": "ref", "foreignField": "key", "as": "joined"}}),
                json!({"$limit": 1}),
            ],
            &mut loader,
        )
        .unwrap();
        assert_eq!(out[0]["joined"], json!([{"_id": "o1", "key": "k"}]));
    }

    #[test]
    fn projections() {
        let d = json!({"_id": "1", "a": 1, "b": {"c": 2, "d": 3}});
        let inc = project(&d, json!({"b.c": 1}).as_object().unwrap()).unwrap();
        assert_eq!(inc, json!({"_id": "1", "b": {"c": 2}}));
        let exc = project(&d, json!({"b": 0, "_id": 0}).as_object().unwrap()).unwrap();
        assert_eq!(exc, json!({"a": 1}));
        assert!(project(&d, json!({"a": 1, "b": 0}).as_object().unwrap()).is_err());
    }

    #[test]
    fn bad_pipelines() {
        for bad in [
            json!({"$where": {}}),
            json!({"$match": 1}),
            json!({"$limit": 0}),
            json!({"$group": {"total": {"$sum": 1}}}),
            json!({"$group": {"_id": null, "x": {"$median": "$a"}}}),
            json!({"$project": {"x": {"$regexFind": "a"}}}),
            json!({"$sort": {"a": 2}}),
            json!({"$a": 1, "$b": 2}),
        ] {
            assert!(
                run(vec![json!({"_id": "1", "a": 1})], std::slice::from_ref(&bad), &mut no_loader).is_err(),
                "{bad}"
            );
        }
    }
}
