//! Where documents live. `SqliteDocs` reads and writes the committed data
//! (inside the caller's SQLite transaction); `OverlayDocs` serves a
//! multi-request MPServerless transaction: its writes are buffered in an
//! in-memory overlay, and `commit` applies them atomically after checking
//! that no document it touched was changed by someone else meanwhile
//! (optimistic concurrency, like MongoDB's write-conflict abort). No SQLite
//! lock is held between requests.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

pub trait DocStore {
    fn collection_exists(&mut self, coll: &str) -> ApiResult<bool>;
    fn create_collection(&mut self, coll: &str) -> ApiResult<()>;
    /// All documents of a collection, in insertion order.
    fn all(&mut self, coll: &str) -> ApiResult<Vec<Value>>;
    fn get(&mut self, coll: &str, id: &str) -> ApiResult<Option<Value>>;
    fn insert(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()>;
    fn replace(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()>;
    fn delete(&mut self, coll: &str, id: &str) -> ApiResult<()>;
}

pub fn duplicate_key(coll: &str, id: &str) -> ApiError {
    ApiError::new(
        400,
        "DatabaseError.DuplicateKey",
        format!("E11000 duplicate key error collection: {coll} index: _id_ dup key: {{ _id: \"{id}\" }}"),
    )
}

fn corrupt() -> ApiError {
    ApiError::internal("stored document is unreadable")
}

pub struct SqliteDocs<'a> {
    pub conn: &'a Connection,
    pub space: &'a str,
}

impl SqliteDocs<'_> {
    pub fn get_raw(&self, coll: &str, id: &str) -> ApiResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM sl_docs WHERE space_id = ?1 AND collection = ?2 AND id = ?3",
                params![self.space, coll, id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

impl DocStore for SqliteDocs<'_> {
    fn collection_exists(&mut self, coll: &str) -> ApiResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM sl_collections WHERE space_id = ?1 AND name = ?2",
                params![self.space, coll],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn create_collection(&mut self, coll: &str) -> ApiResult<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO sl_collections (space_id, name, created_at) VALUES (?1, ?2, ?3)",
            params![self.space, coll, crate::util::now_ms()],
        )?;
        Ok(())
    }

    fn all(&mut self, coll: &str) -> ApiResult<Vec<Value>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM sl_docs WHERE space_id = ?1 AND collection = ?2 ORDER BY seq")?;
        let rows = stmt.query_map(params![self.space, coll], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(serde_json::from_str(&r?).map_err(|_| corrupt())?);
        }
        Ok(out)
    }

    fn get(&mut self, coll: &str, id: &str) -> ApiResult<Option<Value>> {
        match self.get_raw(coll, id)? {
            None => Ok(None),
            Some(s) => Ok(Some(serde_json::from_str(&s).map_err(|_| corrupt())?)),
        }
    }

    fn insert(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()> {
        let r = self.conn.execute(
            "INSERT INTO sl_docs (space_id, collection, id, body) VALUES (?1, ?2, ?3, ?4)",
            params![self.space, coll, id, doc.to_string()],
        );
        match r {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(duplicate_key(coll, id))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn replace(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()> {
        self.conn.execute(
            "UPDATE sl_docs SET body = ?4 WHERE space_id = ?1 AND collection = ?2 AND id = ?3",
            params![self.space, coll, id, doc.to_string()],
        )?;
        Ok(())
    }

    fn delete(&mut self, coll: &str, id: &str) -> ApiResult<()> {
        self.conn.execute(
            "DELETE FROM sl_docs WHERE space_id = ?1 AND collection = ?2 AND id = ?3",
            params![self.space, coll, id],
        )?;
        Ok(())
    }
}

type Key = (String, String);

/// The buffered state of one MPServerless transaction.
#[derive(Default)]
pub struct Overlay {
    /// New body per touched document (`None` = deleted), in first-touch order.
    writes: Vec<(Key, Option<Value>)>,
    /// The committed body each touched document had when first touched.
    originals: Vec<(Key, Option<String>)>,
    created_collections: Vec<String>,
}

impl Overlay {
    fn write_of(&self, coll: &str, id: &str) -> Option<&Option<Value>> {
        self.writes.iter().find(|((c, i), _)| c == coll && i == id).map(|(_, v)| v)
    }

    fn set_write(&mut self, coll: &str, id: &str, v: Option<Value>) {
        if let Some(slot) = self.writes.iter_mut().find(|((c, i), _)| c == coll && i == id) {
            slot.1 = v;
        } else {
            self.writes.push(((coll.to_string(), id.to_string()), v));
        }
    }

    /// Applies the overlay inside `conn`'s open transaction.
    pub fn commit(self, conn: &Connection, space: &str) -> ApiResult<usize> {
        let base = SqliteDocs { conn, space };
        for ((coll, id), original) in &self.originals {
            if base.get_raw(coll, id)? != *original {
                return Err(ApiError::new(
                    409,
                    "DatabaseError.WriteConflict",
                    format!("write conflict on {coll}/{id}: the transaction was aborted"),
                ));
            }
        }
        let mut base = base;
        for c in &self.created_collections {
            base.create_collection(c)?;
        }
        let n = self.writes.len();
        for ((coll, id), w) in self.writes {
            match w {
                Some(doc) => {
                    if base.get_raw(&coll, &id)?.is_some() {
                        base.replace(&coll, &id, &doc)?;
                    } else {
                        base.insert(&coll, &id, &doc)?;
                    }
                }
                None => base.delete(&coll, &id)?,
            }
        }
        Ok(n)
    }
}

pub struct OverlayDocs<'a> {
    pub base: SqliteDocs<'a>,
    pub overlay: &'a mut Overlay,
}

impl OverlayDocs<'_> {
    fn touch(&mut self, coll: &str, id: &str) -> ApiResult<()> {
        if !self.overlay.originals.iter().any(|((c, i), _)| c == coll && i == id) {
            let raw = self.base.get_raw(coll, id)?;
            self.overlay.originals.push(((coll.to_string(), id.to_string()), raw));
        }
        Ok(())
    }
}

impl DocStore for OverlayDocs<'_> {
    fn collection_exists(&mut self, coll: &str) -> ApiResult<bool> {
        Ok(self.overlay.created_collections.iter().any(|c| c == coll) || self.base.collection_exists(coll)?)
    }

    fn create_collection(&mut self, coll: &str) -> ApiResult<()> {
        if !self.overlay.created_collections.iter().any(|c| c == coll) {
            self.overlay.created_collections.push(coll.to_string());
        }
        Ok(())
    }

    fn all(&mut self, coll: &str) -> ApiResult<Vec<Value>> {
        let base = self.base.all(coll)?;
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::with_capacity(base.len());
        for d in base {
            let id = d.get("_id").and_then(Value::as_str).unwrap_or("").to_string();
            match self.overlay.write_of(coll, &id) {
                Some(Some(new)) => out.push(new.clone()),
                Some(None) => {}
                None => out.push(d),
            }
            seen.push(id);
        }
        for ((c, i), w) in &self.overlay.writes {
            if c == coll && !seen.contains(i) {
                if let Some(doc) = w {
                    out.push(doc.clone());
                }
            }
        }
        Ok(out)
    }

    fn get(&mut self, coll: &str, id: &str) -> ApiResult<Option<Value>> {
        match self.overlay.write_of(coll, id) {
            Some(w) => Ok(w.clone()),
            None => self.base.get(coll, id),
        }
    }

    fn insert(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()> {
        if self.get(coll, id)?.is_some() {
            return Err(duplicate_key(coll, id));
        }
        self.touch(coll, id)?;
        self.overlay.set_write(coll, id, Some(doc.clone()));
        Ok(())
    }

    fn replace(&mut self, coll: &str, id: &str, doc: &Value) -> ApiResult<()> {
        self.touch(coll, id)?;
        self.overlay.set_write(coll, id, Some(doc.clone()));
        Ok(())
    }

    fn delete(&mut self, coll: &str, id: &str) -> ApiResult<()> {
        self.touch(coll, id)?;
        self.overlay.set_write(coll, id, None);
        Ok(())
    }
}
