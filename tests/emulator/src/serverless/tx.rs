//! MPServerless transactions (`startTransaction` / `commitTransaction` /
//! `abortTransaction`): per-id overlays kept in memory, owned by the session
//! user that started them, aborted after 60 s like MongoDB's default
//! `transactionLifetimeLimitSeconds`. A crash aborts open transactions;
//! nothing of them was acknowledged as committed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::docstore::Overlay;
use crate::error::{ApiError, ApiResult};
use crate::util;

pub const LIFETIME: Duration = Duration::from_secs(60);
pub const MAX_OPEN: usize = 256;

pub struct TxState {
    pub space: String,
    pub user_id: String,
    pub deadline: Instant,
    pub overlay: Overlay,
}

#[derive(Default)]
pub struct TxManager {
    map: Mutex<HashMap<String, TxState>>,
}

fn not_found() -> ApiError {
    ApiError::new(
        400,
        "DatabaseError.NoSuchTransaction",
        "transaction does not exist, has expired, was committed or aborted, or is busy",
    )
}

impl TxManager {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TxState>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn start(&self, space: &str, user_id: &str) -> ApiResult<String> {
        let mut m = self.lock();
        let now = Instant::now();
        m.retain(|_, t| t.deadline > now);
        if m.len() >= MAX_OPEN {
            return Err(ApiError::new(429, "DatabaseError.TooManyTransactions", "too many open transactions"));
        }
        let id = util::random_hex(12);
        m.insert(
            id.clone(),
            TxState {
                space: space.to_string(),
                user_id: user_id.to_string(),
                deadline: now + LIFETIME,
                overlay: Overlay::default(),
            },
        );
        Ok(id)
    }

    /// Takes a transaction out for exclusive use; give it back with `put_back`.
    pub fn take(&self, id: &str, space: &str, user_id: &str) -> ApiResult<TxState> {
        let mut m = self.lock();
        let ok = m.get(id).is_some_and(|t| t.space == space && t.user_id == user_id && t.deadline > Instant::now());
        if !ok {
            return Err(not_found());
        }
        m.remove(id).ok_or_else(not_found)
    }

    pub fn put_back(&self, id: String, st: TxState) {
        if st.deadline > Instant::now() {
            self.lock().insert(id, st);
        }
    }

    pub fn abort_all(&self) {
        self.lock().clear();
    }

    pub fn reap(&self) {
        let now = Instant::now();
        self.lock().retain(|_, t| t.deadline > now);
    }
}

pub fn spawn_reaper(txs: Arc<TxManager>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            txs.reap();
        }
    });
}
