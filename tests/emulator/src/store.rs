//! Embedded SQLite store: schema, pragmas and the async bridge.
//!
//! Durability: WAL journal with `synchronous=FULL`, so every committed
//! transaction is fsynced before the handler answers. A `kill -9` (or even a
//! power loss) after an acknowledged write cannot lose it. Each request's
//! writes happen inside one SQLite transaction, so a crash mid-request leaves
//! either all or none of them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{ApiError, ApiResult};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS kv (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    username TEXT,
    email TEXT,
    phone TEXT,
    phone_country_code TEXT,
    password_hash TEXT,
    profile TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    logins_count INTEGER NOT NULL DEFAULT 0,
    last_login INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users(pool_id, username) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users(pool_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS users_phone ON users(pool_id, phone) WHERE phone IS NOT NULL;
CREATE TABLE IF NOT EXISTS identities (
    pool_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    ext_idp_conn TEXT NOT NULL,
    openid TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, provider, ext_idp_conn, openid)
);
CREATE TABLE IF NOT EXISTS sms_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_country_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    code TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sms_codes_phone ON sms_codes(pool_id, phone, channel);
CREATE TABLE IF NOT EXISTS email_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    email TEXT NOT NULL,
    channel TEXT NOT NULL,
    code TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS email_codes_email ON email_codes(pool_id, email, channel);
CREATE TABLE IF NOT EXISTS verify_tokens (
    token_hash TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE IF NOT EXISTS access_tokens (
    jti TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    user_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS login_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id TEXT NOT NULL,
    user_id TEXT,
    account TEXT,
    connection TEXT NOT NULL,
    detail TEXT,
    success INTEGER NOT NULL,
    message TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_events_user ON login_events(user_id, id);
CREATE TABLE IF NOT EXISTS platform_codes (
    code_hash TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    phone TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE IF NOT EXISTS uploads (
    key TEXT PRIMARY KEY,
    file_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sl_users (
    space_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    oauth_user_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, provider, oauth_user_id)
);
CREATE TABLE IF NOT EXISTS sl_sessions (
    token_hash TEXT PRIMARY KEY,
    space_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    auth_type TEXT NOT NULL,
    oauth_user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sl_collections (
    space_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, name)
);
CREATE TABLE IF NOT EXISTS sl_docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sl_docs_id ON sl_docs(space_id, collection, id);
CREATE TABLE IF NOT EXISTS sl_files (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL,
    oss_path TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    declared_size INTEGER NOT NULL,
    size INTEGER,
    content_type TEXT,
    status TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    uploaded_at INTEGER
);
"#;

/// Tables wiped by `POST /__admin/reset` (the server keys in `kv` survive).
pub const DATA_TABLES: &[&str] = &[
    "users",
    "identities",
    "sms_codes",
    "email_codes",
    "verify_tokens",
    "access_tokens",
    "refresh_tokens",
    "login_events",
    "platform_codes",
    "uploads",
    "sl_users",
    "sl_sessions",
    "sl_collections",
    "sl_docs",
    "sl_files",
];

/// Tables a data snapshot leaves out (`src/snapshot.rs`). Every other table of the database is
/// exported, so a table added later is included without touching the snapshot code: the server's
/// keys (`kv`), and tokens, sessions and one-time codes, which must never end up in a directory a
/// developer commits (refresh tokens are stored hashed, but a snapshot holds none at all).
pub const SNAPSHOT_EXCLUDED: &[&str] = &[
    "kv",
    "access_tokens",
    "refresh_tokens",
    "sl_sessions",
    "sms_codes",
    "email_codes",
    "platform_codes",
    "verify_tokens",
];

/// Every table of the database (SQLite's own `sqlite_*` tables aside), by name.
pub fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    db_path: PathBuf,
    files_dir: PathBuf,
}

/// Opens a connection with the pragmas every connection needs.
pub fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// An in-memory database with the schema, for unit tests.
#[cfg(test)]
pub fn memory_connection() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory sqlite");
    conn.execute_batch(SCHEMA).expect("schema");
    conn
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
        let files_dir = data_dir.join("files");
        std::fs::create_dir_all(&files_dir).map_err(|e| format!("cannot create {}: {e}", files_dir.display()))?;
        let db_path = data_dir.join("emulator.sqlite3");
        let conn = open_connection(&db_path).map_err(|e| format!("cannot open {}: {e}", db_path.display()))?;
        conn.execute_batch(SCHEMA).map_err(|e| format!("cannot create schema: {e}"))?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), db_path, files_dir })
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Where uploaded file bodies live, one file per id.
    pub fn files_dir(&self) -> &Path {
        &self.files_dir
    }

    /// Runs `f` on the shared connection on the blocking pool.
    pub async fn call<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&mut Connection) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| ApiError::internal("storage task failed"))?
    }

    /// Runs `f` inside one immediate transaction and commits it.
    pub async fn tx<F, R>(&self, f: F) -> ApiResult<R>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<R> + Send + 'static,
        R: Send + 'static,
    {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}

pub fn kv_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT v FROM kv WHERE k = ?1", params![key], |r| r.get(0)).optional()
}

/// Inserts `value` unless the key exists; returns the stored value.
pub fn kv_get_or_insert(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<String> {
    conn.execute("INSERT OR IGNORE INTO kv (k, v) VALUES (?1, ?2)", params![key, value])?;
    conn.query_row("SELECT v FROM kv WHERE k = ?1", params![key], |r| r.get(0))
}

impl Store {
    fn body_path(&self, id: &str) -> ApiResult<PathBuf> {
        if id.is_empty() || !id.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::internal("invalid file id"));
        }
        Ok(self.files_dir.join(id))
    }

    /// Writes a file body durably (temp file, fsync, rename, fsync dir)
    /// before the caller records it in the database and acknowledges it.
    pub async fn write_body(&self, id: &str, bytes: Vec<u8>) -> ApiResult<()> {
        let path = self.body_path(id)?;
        let dir = self.files_dir.clone();
        tokio::task::spawn_blocking(move || -> ApiResult<()> {
            use std::io::Write;
            let tmp = path.with_extension("part");
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &path)?;
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })
        .await
        .map_err(|_| ApiError::internal("file write task failed"))?
    }

    pub async fn read_body(&self, id: &str) -> ApiResult<Option<Vec<u8>>> {
        let path = self.body_path(id)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn remove_body(&self, id: &str) -> ApiResult<()> {
        let path = self.body_path(id)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every stored body (admin reset).
    pub async fn remove_all_bodies(&self) -> ApiResult<()> {
        let dir = self.files_dir.clone();
        tokio::task::spawn_blocking(move || -> ApiResult<()> {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir_all(&dir)?;
            Ok(())
        })
        .await
        .map_err(|_| ApiError::internal("file removal task failed"))?
    }
}

/// A MIME type for a file extension (without dot).
pub fn mime_for_ext(ext: &str) -> &'static str {
    match ext.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "wbmp" => "image/vnd.wap.wbmp",
        "svg" => "image/svg+xml",
        "mp3" | "mpga" => "audio/mpeg",
        "mp2" => "audio/mpeg",
        "au" => "audio/basic",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "3gpp" => "video/3gpp",
        "flv" => "video/x-flv",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        "pdf" => "application/pdf",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// The lowercase extension of a file name, if it is short and alphanumeric.
pub fn extension_of(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 8 && ext.bytes().all(|c| c.is_ascii_alphanumeric()))
        .then(|| ext.to_ascii_lowercase())
}
