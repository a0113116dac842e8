//! `db.collection(name).<command>(...)` and transactions: one RPC, `serverless.db.default.execute`
//! (reference §8.3).
//!
//! Params are `{"collection"?, "transactionId"?, <args in order>, "options", "command"}`. The JS
//! facade serialises each caller value with `JSON.stringify` (after encoding `RegExp` values, which
//! the official package loses), so user objects keep their key order byte for byte; this module
//! validates them as the official schemas do and splices them in.

use super::envelope::json_str;
use crate::error::Error;
use crate::json::Json;

/// The RPC method of every db command.
pub const METHOD: &str = "serverless.db.default.execute";

/// Validation rule of one positional argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    /// An object that may be omitted.
    OptObject,
    /// A required object.
    Object,
    /// A required, non-empty object (`update` of updateOne/updateMany).
    NonEmptyObject,
    /// A required array (aggregate pipeline).
    Array,
    /// A required string (distinct key).
    Str,
    /// A document to insert: object whose keys (recursively) contain no `.` or `$`.
    Doc,
    /// A non-empty array of such documents.
    Docs,
}

/// Validation rule of one option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    /// Integer ≥ 0.
    Int,
    /// Boolean.
    Bool,
    /// Object.
    Object,
    /// `{field: 1 | -1}`, no `$` in field names.
    Sort,
    /// `{field: 1 | 0}`, no `$` in field names.
    Projection,
}

const FIND_OPTS: &[(&str, Opt)] = &[
    ("limit", Opt::Int),
    ("skip", Opt::Int),
    ("maxTimeMS", Opt::Int),
    ("sort", Opt::Sort),
    ("projection", Opt::Projection),
    ("hint", Opt::Object),
];
const UPSERT_OPTS: &[(&str, Opt)] = &[("upsert", Opt::Bool)];

/// One db command as the official `@alicloud/mp-db-service` defines it.
#[derive(Debug)]
pub struct Command {
    /// `command` value on the wire.
    pub name: &'static str,
    args: &'static [(&'static str, Arg)],
    options: &'static [(&'static str, Opt)],
    /// Allowed inside a transaction (3.x refuses the multi-document ones).
    pub in_transaction: bool,
    /// Operates on a collection (the transaction commands do not need one).
    pub needs_collection: bool,
}

const fn cmd(
    name: &'static str,
    args: &'static [(&'static str, Arg)],
    options: &'static [(&'static str, Opt)],
    in_transaction: bool,
) -> Command {
    Command { name, args, options, in_transaction, needs_collection: true }
}

const fn tx(name: &'static str) -> Command {
    Command { name, args: &[], options: &[], in_transaction: true, needs_collection: false }
}

/// Every command of the reference, in its table's order.
pub const COMMANDS: &[Command] = &[
    cmd("find", &[("query", Arg::OptObject)], FIND_OPTS, false),
    cmd("findOne", &[("query", Arg::OptObject)], FIND_OPTS, true),
    cmd("count", &[("query", Arg::Object)], &[("limit", Opt::Int), ("skip", Opt::Int), ("maxTimeMS", Opt::Int)], false),
    cmd("distinct", &[("key", Arg::Str), ("query", Arg::Object)], &[], false),
    cmd(
        "aggregate",
        &[("pipeline", Arg::Array)],
        &[
            ("explain", Opt::Bool),
            ("allowDiskUse", Opt::Bool),
            ("maxTimeMS", Opt::Int),
            ("bypassDocumentValidation", Opt::Bool),
            ("raw", Opt::Bool),
            ("promoteLongs", Opt::Bool),
            ("promoteValues", Opt::Bool),
            ("promoteBuffers", Opt::Bool),
            ("collation", Opt::Object),
        ],
        false,
    ),
    cmd("insertOne", &[("doc", Arg::Doc)], &[], true),
    cmd("insertMany", &[("docs", Arg::Docs)], &[], false),
    cmd("updateOne", &[("filter", Arg::Object), ("update", Arg::NonEmptyObject)], UPSERT_OPTS, true),
    cmd("updateMany", &[("filter", Arg::Object), ("update", Arg::NonEmptyObject)], UPSERT_OPTS, false),
    cmd("replaceOne", &[("filter", Arg::Object), ("doc", Arg::Object)], UPSERT_OPTS, true),
    cmd(
        "findOneAndUpdate",
        &[("filter", Arg::Object), ("update", Arg::Object)],
        &[
            ("maxTimeMS", Opt::Int),
            ("sort", Opt::Sort),
            ("upsert", Opt::Bool),
            ("projection", Opt::Projection),
            ("returnNewDocument", Opt::Bool),
        ],
        true,
    ),
    cmd(
        "findOneAndReplace",
        &[("filter", Arg::Object), ("replacement", Arg::Object)],
        &[("maxTimeMS", Opt::Int), ("sort", Opt::Sort), ("upsert", Opt::Bool), ("projection", Opt::Projection)],
        true,
    ),
    cmd(
        "findOneAndDelete",
        &[("filter", Arg::Object)],
        &[("maxTimeMS", Opt::Int), ("sort", Opt::Sort), ("projection", Opt::Object)],
        true,
    ),
    cmd("deleteOne", &[("filter", Arg::Object)], &[], true),
    cmd("deleteMany", &[("filter", Arg::Object)], &[], false),
    tx("startTransaction"),
    tx("commitTransaction"),
    tx("abortTransaction"),
];

/// Looks a command up by its wire name.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl Command {
    /// Names of the arguments, in order: the JS facade passes each value under its name (the
    /// app's call gives them in this order) and src/wasm/serverless_js.rs reads them in this order.
    pub fn arg_names(&self) -> impl Iterator<Item = &'static str> {
        self.args.iter().map(|(n, _)| *n)
    }
}

fn parse(field: &'static str, text: &str) -> Result<Json, Error> {
    Json::parse(text).map_err(|_| Error::invalid(field, format!("{field} is not serialisable to JSON")))
}

fn has_illegal_key(v: &Json) -> bool {
    match v {
        Json::Object(m) => m.iter().any(|(k, v)| k.contains('.') || k.contains('$') || has_illegal_key(v)),
        _ => false,
    }
}

fn check_arg(field: &'static str, rule: Arg, v: &Json) -> Result<(), Error> {
    let bad = |reason: &str| Err(Error::invalid(field, format!("{field} {reason}")));
    match (rule, v) {
        (Arg::OptObject | Arg::Object, Json::Object(_)) => Ok(()),
        (Arg::NonEmptyObject, Json::Object(m)) if m.is_empty() => bad("should not be an empty object"),
        (Arg::NonEmptyObject, Json::Object(_)) => Ok(()),
        (Arg::Array, Json::Array(_)) | (Arg::Str, Json::String(_)) => Ok(()),
        (Arg::Doc, Json::Object(_)) if has_illegal_key(v) => bad("should not contain illegal character"),
        (Arg::Doc, Json::Object(_)) => Ok(()),
        (Arg::Docs, Json::Array(docs)) if docs.is_empty() => bad("should not be empty"),
        (Arg::Docs, Json::Array(docs)) => {
            for d in docs {
                if !d.is_object() {
                    return bad("should only contain objects");
                }
                if has_illegal_key(d) {
                    return bad("should not contain illegal character");
                }
            }
            Ok(())
        }
        (Arg::Array | Arg::Docs, _) => bad("should be an array"),
        (Arg::Str, _) => bad("should be a string"),
        _ => bad("should be an object"),
    }
}

fn is_one_of(v: &Json, allowed: &[i64]) -> bool {
    v.as_f64().is_some_and(|n| allowed.iter().any(|a| *a as f64 == n))
}

fn check_option(field: &'static str, rule: Opt, v: &Json) -> Result<(), Error> {
    let ok = match rule {
        Opt::Int => v.as_f64().is_some_and(|n| n.fract() == 0.0 && n >= 0.0),
        Opt::Bool => matches!(v, Json::Bool(_)),
        Opt::Object => v.is_object(),
        Opt::Sort | Opt::Projection => match v {
            Json::Object(m) => {
                let allowed: &[i64] = if rule == Opt::Sort { &[1, -1] } else { &[1, 0] };
                m.iter().all(|(k, v)| !k.contains('$') && is_one_of(v, allowed))
            }
            _ => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("options.{field} field type is invalid")))
    }
}

/// Builds the params JSON text of one command.
///
/// `args` holds the JSON text of each positional argument in [`Command::arg_names`] order (`None`
/// when the caller passed `undefined`); `options` the JSON text of the options (`None` → `{}`).
pub fn build_params(
    collection: Option<&str>,
    transaction_id: Option<&str>,
    cmd: &Command,
    args: &[Option<&str>],
    options: Option<&str>,
) -> Result<String, Error> {
    if transaction_id.is_some() && !cmd.in_transaction {
        return Err(Error::invalid("transaction", format!("transaction not support action [{}]", cmd.name)));
    }
    let collection = collection.filter(|c| !c.is_empty());
    if cmd.needs_collection && collection.is_none() {
        return Err(Error::invalid("collection", "collection name is required"));
    }
    let mut out = String::from("{");
    let mut push = |key: &str, raw: &str| {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&json_str(key));
        out.push(':');
        out.push_str(raw);
    };
    if let Some(c) = collection {
        push("collection", &json_str(c));
    }
    if let Some(t) = transaction_id {
        push("transactionId", &json_str(t));
    }
    for (i, (name, rule)) in cmd.args.iter().enumerate() {
        match args.get(i).copied().flatten() {
            Some(text) => {
                check_arg(name, *rule, &parse(name, text)?)?;
                push(name, text);
            }
            None if *rule == Arg::OptObject => {}
            None => return Err(Error::invalid(name, format!("{name} is required"))),
        }
    }
    let options = options.unwrap_or("{}");
    match parse("options", options)? {
        Json::Object(m) => {
            for (name, rule) in cmd.options {
                if let Some(v) = m.get(name) {
                    check_option(name, *rule, v)?;
                }
            }
        }
        _ => return Err(Error::invalid("options", "options should be an object")),
    }
    push("options", options);
    push("command", &json_str(cmd.name));
    out.push('}');
    Ok(out)
}

/// The transaction id a `startTransaction` reply carries: `data.transactionId` (or top level).
pub fn transaction_id(reply: &super::envelope::Reply) -> Result<String, Error> {
    reply
        .data_str("transactionId")
        .map(str::to_string)
        .ok_or_else(|| Error::bad_response("startTransaction reply has no transactionId"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JS facade's table of db commands and their argument names, in the app's order
    /// (`js-shim/mpserverless/db.js`, `DB_ARGS`), read at compile time: a missing file fails the build.
    const JS_DB: &str = include_str!("../../js-shim/mpserverless/db.js");

    // The facade names each of the app's positional arguments with its table and the boundary reads
    // them by COMMANDS' names, so the two must agree on every command and on the order of its
    // argument names.
    #[test]
    fn the_js_facade_and_the_core_agree_on_the_db_command_table() {
        let start = JS_DB.find("const DB_ARGS = {").expect("DB_ARGS in db.js") + "const DB_ARGS = {".len();
        let body = &JS_DB[start..start + JS_DB[start..].find("};").expect("end of DB_ARGS")];
        let js: Vec<(String, Vec<String>)> = body
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| {
                let (name, args) = e.split_once(':').expect("name: 'args'");
                let args = args.trim().trim_matches('\'');
                (name.trim().to_string(), args.split(' ').map(str::to_string).collect())
            })
            .collect();
        let rust: Vec<(String, Vec<String>)> = COMMANDS
            .iter()
            .filter(|c| c.needs_collection)
            .map(|c| (c.name.to_string(), c.arg_names().map(str::to_string).collect()))
            .collect();
        assert_eq!(js, rust);
        for name in ["startTransaction", "commitTransaction", "abortTransaction"] {
            assert!(command(name).is_some_and(|c| !c.needs_collection), "{name}");
        }
        assert!(JS_DB.contains("'commitTransaction'") && JS_DB.contains("'abortTransaction'"));
    }

    fn params(name: &str, args: &[Option<&str>], options: Option<&str>) -> Result<String, Error> {
        build_params(Some("books"), None, command(name).unwrap(), args, options)
    }

    // The golden vector's params (reference §3): count with an empty query and default options.
    #[test]
    fn count_matches_the_golden_vector() {
        assert_eq!(
            params("count", &[Some("{}")], None).unwrap(),
            r#"{"collection":"books","query":{},"options":{},"command":"count"}"#
        );
    }

    // Every command: argument keys in the official order, options always sent (3.x), command last.
    #[test]
    fn every_command_builds_the_official_params() {
        let q = r#"{"b":1,"a":{"$gt":2}}"#;
        let cases: &[(&str, &[Option<&str>], &str)] = &[
            (
                "find",
                &[Some(q)],
                r#"{"collection":"books","query":{"b":1,"a":{"$gt":2}},"options":{},"command":"find"}"#,
            ),
            ("find", &[None], r#"{"collection":"books","options":{},"command":"find"}"#),
            ("findOne", &[Some("{}")], r#"{"collection":"books","query":{},"options":{},"command":"findOne"}"#),
            (
                "count",
                &[Some(q)],
                r#"{"collection":"books","query":{"b":1,"a":{"$gt":2}},"options":{},"command":"count"}"#,
            ),
            (
                "distinct",
                &[Some(r#""tag""#), Some("{}")],
                r#"{"collection":"books","key":"tag","query":{},"options":{},"command":"distinct"}"#,
            ),
            (
                "aggregate",
                &[Some(r#"[{"$match":{}}]"#)],
                r#"{"collection":"books","pipeline":[{"$match":{}}],"options":{},"command":"aggregate"}"#,
            ),
            (
                "insertOne",
                &[Some(r#"{"t":"x"}"#)],
                r#"{"collection":"books","doc":{"t":"x"},"options":{},"command":"insertOne"}"#,
            ),
            (
                "insertMany",
                &[Some(r#"[{"t":1},{"t":2}]"#)],
                r#"{"collection":"books","docs":[{"t":1},{"t":2}],"options":{},"command":"insertMany"}"#,
            ),
            (
                "updateOne",
                &[Some("{}"), Some(r#"{"$set":{"t":1}}"#)],
                r#"{"collection":"books","filter":{},"update":{"$set":{"t":1}},"options":{},"command":"updateOne"}"#,
            ),
            (
                "updateMany",
                &[Some("{}"), Some(r#"{"$inc":{"n":1}}"#)],
                r#"{"collection":"books","filter":{},"update":{"$inc":{"n":1}},"options":{},"command":"updateMany"}"#,
            ),
            (
                "replaceOne",
                &[Some("{}"), Some(r#"{"t":1}"#)],
                r#"{"collection":"books","filter":{},"doc":{"t":1},"options":{},"command":"replaceOne"}"#,
            ),
            (
                "findOneAndUpdate",
                &[Some("{}"), Some(r#"{"$set":{"t":1}}"#)],
                r#"{"collection":"books","filter":{},"update":{"$set":{"t":1}},"options":{},"command":"findOneAndUpdate"}"#,
            ),
            (
                "findOneAndReplace",
                &[Some("{}"), Some(r#"{"t":1}"#)],
                r#"{"collection":"books","filter":{},"replacement":{"t":1},"options":{},"command":"findOneAndReplace"}"#,
            ),
            (
                "findOneAndDelete",
                &[Some("{}")],
                r#"{"collection":"books","filter":{},"options":{},"command":"findOneAndDelete"}"#,
            ),
            ("deleteOne", &[Some("{}")], r#"{"collection":"books","filter":{},"options":{},"command":"deleteOne"}"#),
            ("deleteMany", &[Some("{}")], r#"{"collection":"books","filter":{},"options":{},"command":"deleteMany"}"#),
        ];
        for (name, args, expected) in cases {
            assert_eq!(&params(name, args, None).unwrap(), expected, "{name}");
        }
        // Options are passed through as the caller serialised them.
        assert_eq!(
            params("find", &[Some("{}")], Some(r#"{"sort":{"t":-1},"limit":10,"projection":{"t":1}}"#)).unwrap(),
            r#"{"collection":"books","query":{},"options":{"sort":{"t":-1},"limit":10,"projection":{"t":1}},"command":"find"}"#
        );
    }

    #[test]
    fn transaction_commands_and_ids() {
        let start = build_params(None, None, command("startTransaction").unwrap(), &[], None).unwrap();
        assert_eq!(start, r#"{"options":{},"command":"startTransaction"}"#);
        let commit =
            build_params(Some("books"), Some("tx1"), command("commitTransaction").unwrap(), &[], None).unwrap();
        assert_eq!(
            commit,
            r#"{"collection":"books","transactionId":"tx1","options":{},"command":"commitTransaction"}"#
        );
        let abort = build_params(None, Some("tx1"), command("abortTransaction").unwrap(), &[], None).unwrap();
        assert_eq!(abort, r#"{"transactionId":"tx1","options":{},"command":"abortTransaction"}"#);
        let ins = build_params(Some("books"), Some("tx1"), command("insertOne").unwrap(), &[Some(r#"{"a":1}"#)], None)
            .unwrap();
        assert_eq!(
            ins,
            r#"{"collection":"books","transactionId":"tx1","doc":{"a":1},"options":{},"command":"insertOne"}"#
        );
        // 3.x: the multi-document commands are refused inside a transaction.
        for name in ["find", "count", "distinct", "aggregate", "insertMany", "updateMany", "deleteMany"] {
            let err = build_params(Some("books"), Some("tx1"), command(name).unwrap(), &[], None).unwrap_err();
            assert_eq!(err, Error::invalid("transaction", format!("transaction not support action [{name}]")));
        }
    }

    #[test]
    fn validation_follows_the_official_schemas() {
        let inv = |f: &'static str, r: &str| Error::invalid(f, r.to_string());
        assert_eq!(params("count", &[None], None).unwrap_err(), inv("query", "query is required"));
        assert_eq!(params("find", &[Some("[]")], None).unwrap_err(), inv("query", "query should be an object"));
        assert_eq!(
            params("updateOne", &[Some("{}"), Some("{}")], None).unwrap_err(),
            inv("update", "update should not be an empty object")
        );
        assert_eq!(params("insertMany", &[Some("[]")], None).unwrap_err(), inv("docs", "docs should not be empty"));
        assert_eq!(
            params("insertOne", &[Some(r#"{"a":{"b.c":1}}"#)], None).unwrap_err(),
            inv("doc", "doc should not contain illegal character")
        );
        assert_eq!(
            params("aggregate", &[Some("{}")], None).unwrap_err(),
            inv("pipeline", "pipeline should be an array")
        );
        assert_eq!(
            params("distinct", &[Some("1"), Some("{}")], None).unwrap_err(),
            inv("key", "key should be a string")
        );
        assert_eq!(
            params("find", &[None], Some(r#"{"limit":-1}"#)).unwrap_err(),
            inv("limit", "options.limit field type is invalid")
        );
        assert_eq!(
            params("find", &[None], Some(r#"{"sort":{"a":2}}"#)).unwrap_err(),
            inv("sort", "options.sort field type is invalid")
        );
        assert_eq!(
            params("find", &[None], Some(r#"{"projection":{"$a":1}}"#)).unwrap_err(),
            inv("projection", "options.projection field type is invalid")
        );
        assert_eq!(
            params("updateOne", &[Some("{}"), Some(r#"{"$set":{}}"#)], Some(r#"{"upsert":"yes"}"#)).unwrap_err(),
            inv("upsert", "options.upsert field type is invalid")
        );
        assert_eq!(params("find", &[None], Some("[]")).unwrap_err(), inv("options", "options should be an object"));
        assert_eq!(
            build_params(None, None, command("find").unwrap(), &[None], None).unwrap_err(),
            inv("collection", "collection name is required")
        );
        assert_eq!(
            params("find", &[Some("{nope")], None).unwrap_err(),
            inv("query", "query is not serialisable to JSON")
        );
        // Unknown option keys pass through, as in the official validator.
        assert!(params("find", &[None], Some(r#"{"custom":true}"#)).is_ok());
    }
}
