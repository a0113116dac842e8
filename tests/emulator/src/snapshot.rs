//! Data snapshots: `--import DIR`, `--export-on-exit DIR` and `POST /__admin/export`.
//!
//! A snapshot is a directory a developer can commit:
//!
//! ```text
//! DIR/snapshot.json        {"format": "miniapp-emulator-snapshot", "version": 1, "tables": {name: rows}, ...}
//! DIR/tables/<table>.json  the table's rows, oldest first, as objects keyed by column name
//! DIR/files/<id>           uploaded file bodies
//! ```
//!
//! Every table of the database is exported except those in [`SNAPSHOT_EXCLUDED`] (the server's
//! keys, tokens, sessions and one-time codes), so a table added later is included without a change
//! here. Users carry their password hashes (argon2id), never passwords. The version is checked on
//! import: a snapshot written by a newer format is refused with a message saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::store::{table_names, Store, SNAPSHOT_EXCLUDED};
use crate::util;

pub const FORMAT: &str = "miniapp-emulator-snapshot";
/// Bumped when a snapshot written by this emulator could not be read by an older one.
pub const VERSION: u64 = 1;
const MANIFEST: &str = "snapshot.json";
/// Tables an import leaves as they are (every other one is replaced by the snapshot's rows).
const KEPT_ON_IMPORT: &[&str] = &["kv"];

/// What an export wrote or an import loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub dir: PathBuf,
    pub tables: BTreeMap<String, usize>,
    pub files: usize,
}

impl Summary {
    pub fn to_json(&self) -> Value {
        json!({
            "dir": self.dir.display().to_string(),
            "version": VERSION,
            "tables": self.tables,
            "files": self.files,
        })
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidSnapshot", message)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(500, "SnapshotIoError", format!("cannot {what} {}: {e}", path.display()))
}

/// The tables a snapshot holds, in name order.
pub fn exported_tables(conn: &Connection) -> ApiResult<Vec<String>> {
    Ok(table_names(conn)?.into_iter().filter(|t| !SNAPSHOT_EXCLUDED.contains(&t.as_str())).collect())
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn columns(conn: &Connection, table: &str) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info({})", sql_string(table)))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn to_json(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => Value::String(s.to_string()),
            Err(_) => json!({"$base64": base64::engine::general_purpose::STANDARD.encode(t), "$text": true}),
        },
        ValueRef::Blob(b) => json!({"$base64": base64::engine::general_purpose::STANDARD.encode(b)}),
    }
}

fn from_json(table: &str, col: &str, v: &Value) -> ApiResult<SqlValue> {
    let wrong = || bad(format!("{table}.{col}: unsupported value {v}"));
    Ok(match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().ok_or_else(wrong)?),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(m) => {
            let b64 = m.get("$base64").and_then(Value::as_str).ok_or_else(wrong)?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| wrong())?;
            if m.get("$text") == Some(&Value::Bool(true)) {
                SqlValue::Text(String::from_utf8_lossy(&bytes).into_owned())
            } else {
                SqlValue::Blob(bytes)
            }
        }
        Value::Array(_) => return Err(wrong()),
    })
}

/// Every row of `table`, oldest first.
fn dump_table(conn: &Connection, table: &str) -> ApiResult<Vec<Value>> {
    let cols = columns(conn, table)?;
    let mut stmt = conn.prepare(&format!("SELECT * FROM {} ORDER BY rowid", quoted(table)))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut m = Map::with_capacity(cols.len());
        for (i, c) in cols.iter().enumerate() {
            m.insert(c.clone(), to_json(r.get_ref(i)?));
        }
        out.push(Value::Object(m));
    }
    Ok(out)
}

/// Names of stored bodies (`files/<id>`, alphanumeric ids; half-written `.part` files aside).
fn body_names(dir: &Path) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err("read", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io_err("read", dir, e))?;
        if let Some(name) = entry.file_name().to_str() {
            if !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric()) && entry.path().is_file() {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn write_json(path: &Path, v: &Value) -> ApiResult<()> {
    let mut text = serde_json::to_string_pretty(v)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| io_err("write", path, e))
}

/// Refuses to replace a directory that holds something other than a snapshot.
fn check_replaceable(dir: &Path) -> ApiResult<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(bad(format!("{} exists and is not a directory", dir.display())));
    }
    let empty = std::fs::read_dir(dir).map_err(|e| io_err("read", dir, e))?.next().is_none();
    if empty || dir.join(MANIFEST).is_file() {
        Ok(())
    } else {
        Err(bad(format!(
            "{} exists and is not a snapshot (no {MANIFEST}): choose an empty or new directory",
            dir.display()
        )))
    }
}

/// Writes a snapshot of the store to `dir`, replacing a snapshot already there. The rows are read
/// while holding the store's connection, so no request changes them meanwhile; the directory is
/// written next to `dir` first and renamed into place, so a failed export leaves the old one.
pub async fn export(store: &Store, dir: PathBuf) -> ApiResult<Summary> {
    let files_dir = store.files_dir().to_path_buf();
    store
        .call(move |conn| {
            check_replaceable(&dir)?;
            let parent = match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&parent).map_err(|e| io_err("create", &parent, e))?;
            let base = dir.file_name().and_then(|n| n.to_str()).unwrap_or("snapshot");
            let stage = parent.join(format!(".{base}.partial-{}", util::random_hex(4)));
            let result = write_stage(conn, &files_dir, &stage).and_then(|(tables, files)| {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(|e| io_err("replace", &dir, e))?;
                }
                std::fs::rename(&stage, &dir).map_err(|e| io_err("create", &dir, e))?;
                Ok(Summary { dir: dir.clone(), tables, files })
            });
            if result.is_err() {
                let _ = std::fs::remove_dir_all(&stage);
            }
            result
        })
        .await
}

fn write_stage(conn: &mut Connection, files_dir: &Path, stage: &Path) -> ApiResult<(BTreeMap<String, usize>, usize)> {
    let tables_dir = stage.join("tables");
    let bodies_dir = stage.join("files");
    for d in [&tables_dir, &bodies_dir] {
        std::fs::create_dir_all(d).map_err(|e| io_err("create", d, e))?;
    }
    // One read transaction: every table from the same state.
    let tx = conn.transaction()?;
    let mut counts = BTreeMap::new();
    for table in exported_tables(&tx)? {
        let rows = dump_table(&tx, &table)?;
        counts.insert(table.clone(), rows.len());
        write_json(&tables_dir.join(format!("{table}.json")), &Value::Array(rows))?;
    }
    let names = body_names(files_dir)?;
    for name in &names {
        let (from, to) = (files_dir.join(name), bodies_dir.join(name));
        std::fs::copy(&from, &to).map_err(|e| io_err("copy", &from, e))?;
    }
    tx.finish()?;
    write_json(
        &stage.join(MANIFEST),
        &json!({
            "format": FORMAT,
            "version": VERSION,
            "emulator": env!("CARGO_PKG_VERSION"),
            "exportedAt": util::iso8601(util::now_ms()),
            "tables": counts,
            "files": names.len(),
            "note": "users carry password hashes, never passwords; tokens, sessions, codes and the server keys are not included",
        }),
    )?;
    Ok((counts, names.len()))
}

fn read_json(path: &Path) -> ApiResult<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err("read", path, e))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("{} is not valid JSON: {e}", path.display())))
}

/// Checks the manifest: ours, and a version this emulator reads.
fn check_manifest(dir: &Path) -> ApiResult<Map<String, Value>> {
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        return Err(bad(format!("{} is not a miniapp-emulator snapshot: {MANIFEST} is missing", dir.display())));
    }
    let Value::Object(m) = read_json(&path)? else {
        return Err(bad(format!("{} must hold a JSON object", path.display())));
    };
    if m.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad(format!("{} is not a miniapp-emulator snapshot (format must be {FORMAT:?})", path.display())));
    }
    let version = m.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version == 0 {
        return Err(bad(format!("{} has no valid version", path.display())));
    }
    if version > VERSION {
        let by = m.get("emulator").and_then(Value::as_str).unwrap_or("a newer version");
        return Err(bad(format!(
            "snapshot {} has version {version} (written by miniapp-emulator {by}); this miniapp-emulator {} reads \
             snapshot version {VERSION} and older: upgrade miniapp-emulator to import it",
            dir.display(),
            env!("CARGO_PKG_VERSION"),
        )));
    }
    Ok(m)
}

/// Replaces the store's data with the snapshot in `dir` (the server keys stay; tokens and
/// sessions are dropped, they belonged to the replaced data). Nothing changes if the snapshot is
/// refused.
pub async fn import(store: &Store, dir: PathBuf) -> ApiResult<Summary> {
    let manifest = check_manifest(&dir)?;
    let listed: Vec<String> = match manifest.get("tables") {
        Some(Value::Object(t)) => t.keys().cloned().collect(),
        _ => return Err(bad(format!("{}: tables must be an object", dir.join(MANIFEST).display()))),
    };
    let mut data = Vec::with_capacity(listed.len());
    for table in listed {
        if table.is_empty() || !table.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(bad(format!("invalid table name {table:?} in the snapshot")));
        }
        let path = dir.join("tables").join(format!("{table}.json"));
        let Value::Array(rows) = read_json(&path)? else {
            return Err(bad(format!("{} must hold a JSON array of rows", path.display())));
        };
        data.push((table, rows));
    }
    let bodies_dir = dir.join("files");
    let names = body_names(&bodies_dir)?;
    let files_dir = store.files_dir().to_path_buf();
    store
        .call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let exported = exported_tables(&tx)?;
            let mut counts = BTreeMap::new();
            for t in table_names(&tx)? {
                if !KEPT_ON_IMPORT.contains(&t.as_str()) {
                    tx.execute(&format!("DELETE FROM {}", quoted(&t)), [])?;
                }
            }
            for (table, rows) in &data {
                if !exported.contains(table) {
                    return Err(bad(format!(
                        "the snapshot holds table {table}, which this emulator does not snapshot"
                    )));
                }
                let cols = columns(&tx, table)?;
                for (i, row) in rows.iter().enumerate() {
                    let Value::Object(m) = row else {
                        return Err(bad(format!("{table} row {i} must be an object")));
                    };
                    let mut names = Vec::with_capacity(m.len());
                    let mut values = Vec::with_capacity(m.len());
                    for (k, v) in m {
                        if !cols.contains(k) {
                            return Err(bad(format!("{table} row {i}: unknown column {k}")));
                        }
                        names.push(quoted(k));
                        values.push(from_json(table, k, v)?);
                    }
                    let marks = vec!["?"; names.len()].join(", ");
                    let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", quoted(table), names.join(", "));
                    tx.execute(&sql, rusqlite::params_from_iter(values)).map_err(|e| match e {
                        rusqlite::Error::SqliteFailure(_, Some(msg)) => bad(format!("{table} row {i}: {msg}")),
                        other => ApiError::from(other),
                    })?;
                }
                counts.insert(table.clone(), rows.len());
            }
            // The bodies last: a refused snapshot leaves the old ones in place.
            if files_dir.exists() {
                std::fs::remove_dir_all(&files_dir).map_err(|e| io_err("clear", &files_dir, e))?;
            }
            std::fs::create_dir_all(&files_dir).map_err(|e| io_err("create", &files_dir, e))?;
            for name in &names {
                let (from, to) = (bodies_dir.join(name), files_dir.join(name));
                std::fs::copy(&from, &to).map_err(|e| io_err("copy", &from, e))?;
            }
            tx.commit()?;
            Ok(Summary { dir: dir.clone(), tables: counts, files: names.len() })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_json() {
        for v in [
            SqlValue::Null,
            SqlValue::Integer(-7),
            SqlValue::Real(1.5),
            SqlValue::Text("héllo".into()),
            SqlValue::Blob(vec![0, 255, 3]),
        ] {
            let j = to_json(ValueRef::from(&v));
            assert_eq!(from_json("t", "c", &j).unwrap(), v);
        }
        assert!(from_json("t", "c", &json!([1])).is_err());
        assert!(from_json("t", "c", &json!({"x": 1})).is_err());
    }

    #[test]
    fn every_excluded_table_exists_in_the_schema() {
        // A renamed token table must not silently start being exported.
        let conn = crate::store::memory_connection();
        let tables = table_names(&conn).unwrap();
        for t in SNAPSHOT_EXCLUDED {
            assert!(tables.iter().any(|n| n == t), "SNAPSHOT_EXCLUDED names {t}, which is not a table");
        }
        let exported = exported_tables(&conn).unwrap();
        for t in ["users", "identities", "sl_docs", "sl_collections", "sl_files", "uploads"] {
            assert!(exported.iter().any(|n| n == t), "{t} must be exported");
        }
    }
}
