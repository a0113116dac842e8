//! Shared state and the router that mounts every service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::cli::Config;
use crate::error::{ApiError, ApiResult};
use crate::keys::{KeyRing, Secrets};
use crate::serverless::function::Registry;
use crate::serverless::tx::TxManager;
use crate::store::Store;
use crate::{admin, authing, clock, console, drain, platform, serverless};

#[derive(Clone)]
pub struct AppState {
    pub cfg: Arc<Config>,
    pub store: Store,
    pub secrets: Arc<Secrets>,
    keyring: Arc<tokio::sync::OnceCell<Arc<KeyRing>>>,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// `127.0.0.1:PORT`
    pub authority: String,
    pub txs: Arc<TxManager>,
    pub functions: Arc<Registry>,
    /// Where the console may find the built SDK package, in order of preference.
    pub sdk_dirs: Arc<Vec<PathBuf>>,
    /// The newest client requests, for the console's traffic panel.
    pub traffic: Arc<crate::traffic::TrafficLog>,
}

impl AppState {
    pub fn new(cfg: Config, store: Store, secrets: Secrets, addr: SocketAddr, sdk_dirs: Vec<PathBuf>) -> Self {
        let authority = format!("127.0.0.1:{}", addr.port());
        let txs = Arc::new(TxManager::new());
        Self {
            cfg: Arc::new(cfg),
            store,
            secrets: Arc::new(secrets),
            keyring: Arc::new(tokio::sync::OnceCell::new()),
            base_url: format!("http://{authority}"),
            authority,
            txs,
            functions: Arc::new(Registry::builtin()),
            sdk_dirs: Arc::new(sdk_dirs),
            traffic: Arc::default(),
        }
    }

    /// The RSA/SM2 keys, generated on first use and persisted.
    pub async fn keyring(&self) -> ApiResult<Arc<KeyRing>> {
        let store = self.store.clone();
        self.keyring
            .get_or_try_init(|| async move { KeyRing::load_or_create(&store).await.map(Arc::new) })
            .await
            .cloned()
    }
}

pub fn router(state: AppState) -> Router {
    let max_body = state.cfg.max_body_bytes;
    Router::new()
        .merge(authing::router(&state))
        .merge(serverless::router(&state))
        .merge(platform::router())
        .merge(admin::router())
        .merge(clock::router())
        .merge(console::router())
        .merge(crate::traffic::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"statusCode": 500, "message": "internal error"})))
                .into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::traffic::record))
        .layer(axum::middleware::from_fn(drain::drain_unread))
        .layer(axum::middleware::map_response(clock::stamp_date))
        .with_state(state)
}

/// Renders an error in the envelope of the service that owns `path`.
pub fn error_for_path(path: &str, err: ApiError) -> Response {
    if path.starts_with("/oidc/") {
        authing::oidc_error(err)
    } else if path.starts_with("/api/") || path.starts_with("/connections/") {
        authing::error_response(err)
    } else if path.starts_with("/client") {
        serverless::error_response(err)
    } else {
        admin::error_response(err)
    }
}

async fn not_found(uri: Uri) -> Response {
    let mut resp =
        error_for_path(uri.path(), ApiError::new(404, "NotFound", format!("no such endpoint: {}", uri.path())));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

async fn method_not_allowed(uri: Uri) -> Response {
    let mut resp =
        error_for_path(uri.path(), ApiError::new(405, "MethodNotAllowed", "method not allowed for this endpoint"));
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp
}
