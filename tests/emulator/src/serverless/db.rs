//! `serverless.db.default.execute`: every command of the client SDK's `db`
//! module over JSON documents stored in SQLite. Replies are
//! `{affectedDocs, result}` (plus `transactionId` for `startTransaction`).

use serde_json::{json, Map, Value};

use super::aggregate::{self, parse_sort, project, sort_docs};
use super::docstore::{DocStore, OverlayDocs, SqliteDocs};
use super::query::{self, resolve, split_path, values_equal};
use super::session::Session;
use super::update;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::json::{as_u64, opt_bool, opt_obj, opt_str, req_str};
use crate::util;

/// Largest `find` page (also the default), per the service docs.
pub const MAX_FIND: usize = 500;
pub const MAX_INSERT_MANY: usize = 1000;
const MAX_DOC_DEPTH: usize = 64;

pub fn valid_collection_name(n: &str) -> bool {
    let mut b = n.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && n.len() <= 64
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

fn derr(code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(400, code, msg)
}

pub async fn execute(state: &AppState, s: &Session, p: Map<String, Value>) -> ApiResult<Value> {
    let command = req_str(&p, "command")?.to_string();
    match command.as_str() {
        "startTransaction" => {
            // 3.1.5's `collection.transaction()` names the collection it starts on; a transaction
            // spans collections, so the name is only checked.
            if let Some(c) = opt_str(&p, "collection")? {
                if !valid_collection_name(c) {
                    return Err(derr("InvalidParameter", "collection must match [A-Za-z_][A-Za-z0-9_-]{0,63}"));
                }
            }
            let id = state.txs.start(&s.space_id, &s.user_id)?;
            return Ok(json!({"affectedDocs": 0, "transactionId": id}));
        }
        "commitTransaction" | "abortTransaction" => {
            let id = req_str(&p, "transactionId")?;
            let st = state.txs.take(id, &s.space_id, &s.user_id)?;
            if command == "abortTransaction" {
                return Ok(json!({"affectedDocs": 0, "result": true}));
            }
            let space = s.space_id.clone();
            let n = state.store.tx(move |tx| st.overlay.commit(tx, &space)).await?;
            return Ok(json!({"affectedDocs": n, "result": true}));
        }
        _ => {}
    }
    let coll = req_str(&p, "collection")?.to_string();
    if !valid_collection_name(&coll) {
        return Err(derr("InvalidParameter", "collection must match [A-Za-z_][A-Za-z0-9_-]{0,63}"));
    }
    let auto = state.cfg.auto_create_collections;
    let space = s.space_id.clone();
    match opt_str(&p, "transactionId")? {
        Some(id) => {
            if !ALLOWED_IN_TX.contains(&command.as_str()) {
                return Err(derr(
                    "DatabaseError.TransactionError",
                    format!("transaction not support action [{command}]"),
                ));
            }
            let id = id.to_string();
            let mut st = state.txs.take(&id, &s.space_id, &s.user_id)?;
            let (r, st) = state
                .store
                .call(move |conn| {
                    let r = {
                        let mut docs =
                            OverlayDocs { base: SqliteDocs { conn, space: &space }, overlay: &mut st.overlay };
                        run(&mut docs, &coll, &command, &p, auto)
                    };
                    Ok((r, st))
                })
                .await?;
            state.txs.put_back(id, st);
            r
        }
        None => {
            state
                .store
                .tx(move |tx| {
                    let mut docs = SqliteDocs { conn: tx, space: &space };
                    run(&mut docs, &coll, &command, &p, auto)
                })
                .await
        }
    }
}

/// Commands the client allows inside a transaction.
const ALLOWED_IN_TX: &[&str] = &[
    "findOne",
    "insertOne",
    "updateOne",
    "replaceOne",
    "findOneAndUpdate",
    "findOneAndReplace",
    "findOneAndDelete",
    "deleteOne",
];

fn collection_not_found(coll: &str) -> ApiError {
    derr("DatabaseError.CollectionNotFound", format!("collection {coll} does not exist"))
}

fn ensure_collection(docs: &mut dyn DocStore, coll: &str, auto: bool) -> ApiResult<()> {
    if docs.collection_exists(coll)? {
        return Ok(());
    }
    if auto {
        return docs.create_collection(coll);
    }
    Err(collection_not_found(coll))
}

struct Opts<'a> {
    raw: Option<&'a Map<String, Value>>,
}

impl<'a> Opts<'a> {
    fn parse(p: &'a Map<String, Value>) -> ApiResult<Self> {
        let raw = opt_obj(p, "options")?;
        if let Some(o) = raw {
            if let Some(t) = o.get("maxTimeMS") {
                if as_u64(t).is_none() {
                    return Err(ApiError::bad_request("options.maxTimeMS must be a non-negative integer"));
                }
            }
        }
        Ok(Self { raw })
    }
    fn usize(&self, key: &str) -> ApiResult<Option<usize>> {
        match self.raw {
            None => Ok(None),
            Some(o) => match o.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => as_u64(v)
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| ApiError::bad_request(format!("options.{key} must be a non-negative integer"))),
            },
        }
    }
    fn bool(&self, key: &str) -> ApiResult<bool> {
        match self.raw {
            None => Ok(false),
            Some(o) => Ok(opt_bool(o, key)
                .map_err(|_| ApiError::bad_request(format!("options.{key} must be a boolean")))?
                .unwrap_or(false)),
        }
    }
    fn sort(&self) -> ApiResult<aggregate::SortSpec> {
        match self.raw.and_then(|o| o.get("sort")) {
            None | Some(Value::Null) => Ok(vec![]),
            Some(v) => parse_sort(v),
        }
    }
    fn projection(&self) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.raw.and_then(|o| o.get("projection")) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) if m.is_empty() => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(ApiError::bad_request("options.projection must be an object")),
        }
    }
}

fn filter_arg<'a>(p: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a Value>> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be an object"))),
    }
}

fn doc_id(d: &Value) -> ApiResult<String> {
    d.get("_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::internal("stored document has no _id"))
}

/// Matching documents, sorted, before skip/limit.
fn select(
    docs: &mut dyn DocStore,
    coll: &str,
    filter: Option<&Value>,
    sort: &aggregate::SortSpec,
) -> ApiResult<Vec<Value>> {
    let f = query::compile(filter)?;
    let mut out: Vec<Value> = docs.all(coll)?.into_iter().filter(|d| f.matches(d)).collect();
    sort_docs(&mut out, sort);
    Ok(out)
}

fn maybe_project(d: Value, proj: Option<&Map<String, Value>>) -> ApiResult<Value> {
    match proj {
        Some(p) => project(&d, p),
        None => Ok(d),
    }
}

pub fn run(docs: &mut dyn DocStore, coll: &str, command: &str, p: &Map<String, Value>, auto: bool) -> ApiResult<Value> {
    ensure_collection(docs, coll, auto)?;
    let o = Opts::parse(p)?;
    match command {
        "find" | "findOne" => {
            let matched = select(docs, coll, filter_arg(p, "query")?, &o.sort()?)?;
            let skip = o.usize("skip")?.unwrap_or(0);
            let limit = if command == "findOne" {
                1
            } else {
                o.usize("limit")?.filter(|l| *l > 0).unwrap_or(MAX_FIND).min(MAX_FIND)
            };
            let proj = o.projection()?;
            let page: Vec<Value> =
                matched.into_iter().skip(skip).take(limit).map(|d| maybe_project(d, proj)).collect::<ApiResult<_>>()?;
            if command == "findOne" {
                let n = page.len();
                let first = page.into_iter().next().unwrap_or(Value::Null);
                Ok(json!({"affectedDocs": n, "result": first}))
            } else {
                Ok(json!({"affectedDocs": page.len(), "result": page}))
            }
        }
        "count" => {
            let matched = select(docs, coll, filter_arg(p, "query")?, &vec![])?;
            let skip = o.usize("skip")?.unwrap_or(0);
            let limit = o.usize("limit")?.filter(|l| *l > 0).unwrap_or(usize::MAX);
            let n = matched.len().saturating_sub(skip).min(limit);
            Ok(json!({"affectedDocs": n, "result": n}))
        }
        "distinct" => {
            let key = split_path(req_str(p, "key")?)?;
            let matched = select(docs, coll, filter_arg(p, "query")?, &vec![])?;
            let mut vals: Vec<Value> = Vec::new();
            for d in &matched {
                for v in resolve(d, &key) {
                    let items: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for it in items {
                        if !vals.iter().any(|x| values_equal(x, it)) {
                            vals.push(it.clone());
                        }
                    }
                }
            }
            Ok(json!({"affectedDocs": vals.len(), "result": vals}))
        }
        "aggregate" => {
            let pipeline = p
                .get("pipeline")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::bad_request("pipeline must be an array"))?;
            let base = docs.all(coll)?;
            let mut loader = |name: &str| -> ApiResult<Vec<Value>> {
                if !valid_collection_name(name) || !docs.collection_exists(name)? {
                    return Err(collection_not_found(name));
                }
                docs.all(name)
            };
            let out = aggregate::run(base, pipeline, &mut loader)?;
            Ok(json!({"affectedDocs": out.len(), "result": out}))
        }
        "insertOne" => {
            let doc = p.get("doc").ok_or_else(|| ApiError::bad_request("doc is required"))?;
            let (id, doc) = prepare_new(doc)?;
            docs.insert(coll, &id, &doc)?;
            Ok(json!({"affectedDocs": 1, "result": id}))
        }
        "insertMany" => {
            let arr = p
                .get("docs")
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| ApiError::bad_request("docs must be a non-empty array"))?;
            if arr.len() > MAX_INSERT_MANY {
                return Err(ApiError::bad_request(format!("insertMany accepts at most {MAX_INSERT_MANY} documents")));
            }
            let mut ids = Map::new();
            for (i, d) in arr.iter().enumerate() {
                let (id, doc) = prepare_new(d)?;
                docs.insert(coll, &id, &doc)?;
                ids.insert(i.to_string(), Value::String(id));
            }
            Ok(json!({"affectedDocs": arr.len(), "result": ids}))
        }
        "updateOne" | "updateMany" => {
            let filter = filter_arg(p, "filter")?;
            let upd = p.get("update").ok_or_else(|| ApiError::bad_request("update is required"))?;
            let upd = update::validate(upd)?.clone();
            let many = command == "updateMany";
            let matched = select(docs, coll, filter, &vec![])?;
            let mut n_matched = 0usize;
            let mut n_modified = 0usize;
            for d in matched.into_iter().take(if many { usize::MAX } else { 1 }) {
                n_matched += 1;
                let mut nd = d.clone();
                update::apply(&mut nd, &upd, false)?;
                if nd != d {
                    docs.replace(coll, &doc_id(&d)?, &nd)?;
                    n_modified += 1;
                }
            }
            let mut upserted = Value::Null;
            if n_matched == 0 && o.bool("upsert")? {
                let mut nd = upsert_seed(filter)?;
                update::apply(&mut nd, &upd, true)?;
                let (id, nd) = prepare_new(&nd)?;
                docs.insert(coll, &id, &nd)?;
                upserted = Value::String(id);
                n_modified = 1;
            }
            Ok(json!({
                "affectedDocs": n_modified,
                "result": {"matchedCount": n_matched, "modifiedCount": n_modified, "upsertedId": upserted}
            }))
        }
        "replaceOne" => {
            let filter = filter_arg(p, "filter")?;
            let doc = p.get("doc").ok_or_else(|| ApiError::bad_request("doc is required"))?;
            check_replacement(doc)?;
            let matched = select(docs, coll, filter, &vec![])?;
            if let Some(d) = matched.into_iter().next() {
                let id = doc_id(&d)?;
                let nd = with_id(doc, &id)?;
                let modified = usize::from(nd != d);
                if modified == 1 {
                    docs.replace(coll, &id, &nd)?;
                }
                return Ok(json!({
                    "affectedDocs": modified,
                    "result": {"matchedCount": 1, "modifiedCount": modified, "upsertedId": null}
                }));
            }
            if o.bool("upsert")? {
                let (id, nd) = prepare_new(&merge_seed(filter, doc)?)?;
                docs.insert(coll, &id, &nd)?;
                return Ok(json!({
                    "affectedDocs": 1,
                    "result": {"matchedCount": 0, "modifiedCount": 0, "upsertedId": id}
                }));
            }
            Ok(json!({"affectedDocs": 0, "result": {"matchedCount": 0, "modifiedCount": 0, "upsertedId": null}}))
        }
        "findOneAndUpdate" | "findOneAndReplace" => {
            let filter = filter_arg(p, "filter")?;
            let replace = command == "findOneAndReplace";
            let (upd, replacement) = if replace {
                let r = p.get("replacement").ok_or_else(|| ApiError::bad_request("replacement is required"))?;
                check_replacement(r)?;
                (None, Some(r))
            } else {
                let u = p.get("update").ok_or_else(|| ApiError::bad_request("update is required"))?;
                (Some(update::validate(u)?.clone()), None)
            };
            let return_new = o.bool("returnNewDocument")?;
            let proj = o.projection()?;
            let matched = select(docs, coll, filter, &o.sort()?)?;
            if let Some(d) = matched.into_iter().next() {
                let id = doc_id(&d)?;
                let nd = match (&upd, replacement) {
                    (Some(u), _) => {
                        let mut nd = d.clone();
                        update::apply(&mut nd, u, false)?;
                        nd
                    }
                    (None, Some(r)) => with_id(r, &id)?,
                    (None, None) => d.clone(),
                };
                if nd != d {
                    docs.replace(coll, &id, &nd)?;
                }
                let shown = if return_new { nd } else { d };
                return Ok(json!({"affectedDocs": 1, "result": maybe_project(shown, proj)?}));
            }
            if o.bool("upsert")? {
                let seed = match (&upd, replacement) {
                    (Some(u), _) => {
                        let mut nd = upsert_seed(filter)?;
                        update::apply(&mut nd, u, true)?;
                        nd
                    }
                    (None, Some(r)) => merge_seed(filter, r)?,
                    (None, None) => upsert_seed(filter)?,
                };
                let (id, nd) = prepare_new(&seed)?;
                docs.insert(coll, &id, &nd)?;
                let shown = if return_new { maybe_project(nd, proj)? } else { Value::Null };
                return Ok(json!({"affectedDocs": 1, "result": shown}));
            }
            Ok(json!({"affectedDocs": 0, "result": null}))
        }
        "findOneAndDelete" => {
            let proj = o.projection()?;
            let matched = select(docs, coll, filter_arg(p, "filter")?, &o.sort()?)?;
            match matched.into_iter().next() {
                Some(d) => {
                    docs.delete(coll, &doc_id(&d)?)?;
                    Ok(json!({"affectedDocs": 1, "result": maybe_project(d, proj)?}))
                }
                None => Ok(json!({"affectedDocs": 0, "result": null})),
            }
        }
        "deleteOne" | "deleteMany" => {
            let matched = select(docs, coll, filter_arg(p, "filter")?, &vec![])?;
            let take = if command == "deleteOne" { 1 } else { usize::MAX };
            let mut n = 0usize;
            for d in matched.into_iter().take(take) {
                docs.delete(coll, &doc_id(&d)?)?;
                n += 1;
            }
            Ok(json!({"affectedDocs": n, "result": {"deletedCount": n}}))
        }
        _ => Err(derr("InvalidParameter", format!("unsupported db command: {command}"))),
    }
}

/// Checks keys (no `.`, no leading `$`, bounded depth) of a stored document.
fn check_keys(v: &Value, depth: usize) -> ApiResult<()> {
    if depth > MAX_DOC_DEPTH {
        return Err(ApiError::bad_request("document is nested too deeply"));
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.is_empty() || k.contains('.') || k.starts_with('$') {
                    return Err(ApiError::bad_request(format!(
                        "invalid document key {k:?}: keys must be non-empty and contain no '.' and no leading '$'"
                    )));
                }
                check_keys(x, depth + 1)?;
            }
            Ok(())
        }
        Value::Array(a) => a.iter().try_for_each(|x| check_keys(x, depth + 1)),
        _ => Ok(()),
    }
}

fn check_replacement(doc: &Value) -> ApiResult<()> {
    let m = doc.as_object().ok_or_else(|| ApiError::bad_request("replacement document must be an object"))?;
    if m.keys().any(|k| k.starts_with('$')) {
        return Err(ApiError::bad_request("replacement document must not contain update operators"));
    }
    check_keys(doc, 0)
}

/// Validates a new document and gives it an `_id` (24-hex ObjectId string).
pub fn prepare_new(doc: &Value) -> ApiResult<(String, Value)> {
    let m = doc.as_object().ok_or_else(|| ApiError::bad_request("document must be an object"))?;
    check_keys(doc, 0)?;
    let id = match m.get("_id") {
        None | Some(Value::Null) => util::object_id(),
        Some(Value::String(s)) if util::is_object_id(s) => s.to_ascii_lowercase(),
        Some(_) => return Err(ApiError::bad_request("_id must be a 24-character hexadecimal ObjectId string")),
    };
    let mut out = Map::with_capacity(m.len() + 1);
    out.insert("_id".into(), Value::String(id.clone()));
    for (k, v) in m {
        if k != "_id" {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok((id, Value::Object(out)))
}

/// A replacement keeping the matched document's `_id`.
fn with_id(doc: &Value, id: &str) -> ApiResult<Value> {
    let m = doc.as_object().ok_or_else(|| ApiError::bad_request("replacement document must be an object"))?;
    if let Some(other) = m.get("_id") {
        if other.as_str() != Some(id) {
            return Err(ApiError::bad_request("the field _id is immutable"));
        }
    }
    let mut out = Map::with_capacity(m.len() + 1);
    out.insert("_id".into(), Value::String(id.to_string()));
    for (k, v) in m {
        if k != "_id" {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

/// The document an upsert starts from: the filter's equality conditions.
fn upsert_seed(filter: Option<&Value>) -> ApiResult<Value> {
    let mut doc = Value::Object(Map::new());
    if let Some(Value::Object(m)) = filter {
        seed_from(&mut doc, m, 0)?;
    }
    Ok(doc)
}

fn seed_from(doc: &mut Value, m: &Map<String, Value>, depth: usize) -> ApiResult<()> {
    if depth > query::MAX_DEPTH {
        return Ok(());
    }
    for (k, v) in m {
        if k == "$and" {
            for sub in v.as_array().into_iter().flatten() {
                if let Value::Object(sm) = sub {
                    seed_from(doc, sm, depth + 1)?;
                }
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        let val = match v {
            Value::Object(o) if o.keys().any(|x| x.starts_with('$')) => match o.get("$eq") {
                Some(eq) => eq.clone(),
                None => continue,
            },
            other => other.clone(),
        };
        update::set_path(doc, &split_path(k)?, val)?;
    }
    Ok(())
}

fn merge_seed(filter: Option<&Value>, doc: &Value) -> ApiResult<Value> {
    let seed = upsert_seed(filter)?;
    let mut out = doc.clone();
    if let (Some(id), Value::Object(o)) = (seed.get("_id"), &mut out) {
        o.entry("_id").or_insert_with(|| id.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_names() {
        assert!(valid_collection_name("books"));
        assert!(valid_collection_name("_a-b_1"));
        assert!(!valid_collection_name(""));
        assert!(!valid_collection_name("1abc"));
        assert!(!valid_collection_name("a.b"));
        assert!(!valid_collection_name("a/b"));
    }

    #[test]
    fn new_documents_get_ids_and_key_checks() {
        let (id, d) = prepare_new(&json!({"a": 1})).unwrap();
        assert!(util::is_object_id(&id));
        assert_eq!(d["_id"], json!(id));
        assert!(prepare_new(&json!({"a.b": 1})).is_err());
        assert!(prepare_new(&json!({"x": {"$set": 1}})).is_err());
        assert!(prepare_new(&json!({"_id": "nope"})).is_err());
        assert!(prepare_new(&json!([1])).is_err());
        let (id, _) = prepare_new(&json!({"_id": "5F0000000000000000000001"})).unwrap();
        assert_eq!(id, "5f0000000000000000000001");
    }

    #[test]
    fn upsert_seed_uses_equalities() {
        let s = upsert_seed(Some(&json!({"a": 1, "b": {"$gt": 1}, "c.d": {"$eq": 2}, "$and": [{"e": 3}]}))).unwrap();
        assert_eq!(s, json!({"a": 1, "c": {"d": 2}, "e": 3}));
    }
}
