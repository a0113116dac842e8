//! `--seed FILE`: a known starting state for tests, written by hand.
//!
//! ```json
//! {
//!   "users": [{"username": "alice", "password": "alice-password-1", "nickname": "Alice"}],
//!   "collections": {"books": [{"title": "Dune", "year": 1965}], "todos": []}
//! }
//! ```
//!
//! Users take the fields of `POST /__admin/users` (passwords are hashed on load); each collection
//! is created and its documents inserted as `insertOne` would (an `_id` is generated unless the
//! document has a 24-hex one). The data already in the data directory is wiped first.

use std::path::Path;

use serde_json::Value;

use crate::admin;
use crate::app::AppState;
use crate::authing::users;
use crate::error::{ApiError, ApiResult};
use crate::serverless::db::{prepare_new, valid_collection_name};
use crate::serverless::docstore::{DocStore, SqliteDocs};

fn bad(path: &Path, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(400, "InvalidSeed", format!("seed file {}: {message}", path.display()))
}

/// How many users and documents a seed file loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub users: usize,
    pub documents: usize,
}

pub async fn load(state: &AppState, path: &Path) -> ApiResult<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|e| bad(path, format_args!("cannot read it: {e}")))?;
    let Value::Object(root) = serde_json::from_str::<Value>(&text).map_err(|e| bad(path, e))? else {
        return Err(bad(path, "must hold a JSON object"));
    };
    if let Some(k) = root.keys().find(|k| !matches!(k.as_str(), "users" | "collections" | "$schema")) {
        return Err(bad(path, format_args!("unknown key {k:?} (expected users, collections)")));
    }
    let mut new_users = Vec::new();
    match root.get("users") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, u) in list.iter().enumerate() {
                let m = u.as_object().ok_or_else(|| bad(path, format_args!("users[{i}] must be an object")))?;
                new_users
                    .push(admin::new_user(m).await.map_err(|e| bad(path, format_args!("users[{i}]: {}", e.message)))?);
            }
        }
        Some(_) => return Err(bad(path, "users must be an array")),
    }
    let mut collections = Vec::new();
    match root.get("collections") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (name, docs) in m {
                if !valid_collection_name(name) {
                    return Err(bad(path, format_args!("invalid collection name {name:?}")));
                }
                let docs =
                    docs.as_array().ok_or_else(|| bad(path, format_args!("collections.{name} must be an array")))?;
                let mut prepared = Vec::with_capacity(docs.len());
                for (i, d) in docs.iter().enumerate() {
                    prepared.push(
                        prepare_new(d)
                            .map_err(|e| bad(path, format_args!("collections.{name}[{i}]: {}", e.message)))?,
                    );
                }
                collections.push((name.clone(), prepared));
            }
        }
        Some(_) => return Err(bad(path, "collections must be an object of arrays")),
    }
    admin::wipe(state).await?;
    let pool = state.cfg.user_pool_id.clone();
    let space = state.cfg.space_id.clone();
    let shown = path.to_path_buf();
    state
        .store
        .tx(move |tx| {
            let users = new_users.len();
            for (i, u) in new_users.into_iter().enumerate() {
                users::create(tx, &pool, u).map_err(|e| bad(&shown, format_args!("users[{i}]: {}", e.message)))?;
            }
            let mut docs = SqliteDocs { conn: tx, space: &space };
            let mut documents = 0;
            for (name, list) in collections {
                docs.create_collection(&name)?;
                for (id, doc) in list {
                    docs.insert(&name, &id, &doc)
                        .map_err(|e| bad(&shown, format_args!("collections.{name}: {}", e.message)))?;
                    documents += 1;
                }
            }
            Ok(Loaded { users, documents })
        })
        .await
}
