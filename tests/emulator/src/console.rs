//! The local console: a plain HTML/CSS/JS page at `/__console/` (embedded in
//! the binary, so it works offline and from any directory) that reads the
//! admin API, and the built SDK package served from disk at
//! `/__console/sdk/` for the page's playground. `/` redirects to the console.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;

/// Embedded console assets: name, content type, body.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../console/index.html")),
    ("console.css", "text/css; charset=utf-8", include_bytes!("../console/console.css")),
    ("console.js", "text/javascript; charset=utf-8", include_bytes!("../console/console.js")),
    ("panels.js", "text/javascript; charset=utf-8", include_bytes!("../console/panels.js")),
    ("playground.js", "text/javascript; charset=utf-8", include_bytes!("../console/playground.js")),
    ("traffic.js", "text/javascript; charset=utf-8", include_bytes!("../console/traffic.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../console/favicon.svg")),
];

/// Nothing outside the emulator's own origin (and loopback images) may load:
/// the page works offline by construction. Wasm compilation needs
/// `wasm-unsafe-eval`.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' data: blob: http://127.0.0.1:* http://localhost:*; \
                   connect-src 'self' http://127.0.0.1:* http://localhost:*; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

pub const SDK_HINT: &str = "the SDK package is not built: run `npm run build` (or `node .ci/build.mjs`) \
                            in the workspace, or start the emulator with --sdk-dir <pkg directory>";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/__console/") }))
        .route("/__console", get(|| async { Redirect::to("/__console/") }))
        .route("/__console/", get(|| async { asset("index.html") }))
        .route("/__console/{file}", get(|UrlPath(file): UrlPath<String>| async move { asset(&file) }))
        .route("/__console/sdk", get(|| async { Redirect::to("/__console/sdk/") }))
        .route("/__console/sdk/", get(sdk_status))
        .route("/__console/sdk/{*path}", get(sdk_file))
}

fn no_cache(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

fn not_found(message: &str) -> Response {
    no_cache((StatusCode::NOT_FOUND, Json(json!({"error": {"code": "NotFound", "message": message}}))).into_response())
}

fn asset(name: &str) -> Response {
    let Some((_, ctype, body)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return not_found(&format!("no console asset named {name}"));
    };
    let mut r = ([(header::CONTENT_TYPE, *ctype)], *body).into_response();
    if ctype.starts_with("text/html") {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        r.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    no_cache(r)
}

/// Where to look for the built package: the `--sdk-dir` flag alone, or else
/// `pkg` in the current directory and the workspace's `pkg` (found from this
/// crate's source location), in that order.
pub fn sdk_candidates(flag: Option<&Path>) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if let Some(p) = flag {
        return vec![cwd.join(p)];
    }
    let mut out = vec![cwd.join("pkg")];
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("pkg");
    if !out.contains(&workspace) {
        out.push(workspace);
    }
    out
}

/// The first candidate that holds a built package (`index.mjs`), checked at
/// each request so a package built after the emulator started is found.
pub fn sdk_dir(state: &AppState) -> Option<PathBuf> {
    state.sdk_dirs.iter().find(|d| d.join("index.mjs").is_file()).cloned()
}

async fn sdk_status(State(state): State<AppState>) -> Response {
    match sdk_dir(&state) {
        Some(dir) => no_cache(
            Json(json!({
                "available": true,
                "dir": dir.display().to_string(),
                "module": "/__console/sdk/index.mjs",
                "wasm": "/__console/sdk/core.wasm",
            }))
            .into_response(),
        ),
        None => {
            let looked: Vec<String> = state.sdk_dirs.iter().map(|d| d.display().to_string()).collect();
            no_cache(
                (
                    StatusCode::NOT_FOUND,
                    Json(json!({
                        "available": false,
                        "looked": looked,
                        "error": {"code": "SdkNotBuilt", "message": SDK_HINT},
                    })),
                )
                    .into_response(),
            )
        }
    }
}

/// The content type of a package file.
pub fn sdk_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "wasm" => "application/wasm",
        "mjs" | "js" | "cjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "ts" | "md" | "txt" => "text/plain; charset=utf-8",
        "html" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A relative path made only of plain segments (no `.`/`..`, no hidden files).
fn safe_relative(path: &str) -> Option<PathBuf> {
    let segs: Vec<&str> = path.split('/').collect();
    if segs.is_empty() || segs.len() > 8 || path.len() > 512 {
        return None;
    }
    let mut out = PathBuf::new();
    for s in segs {
        if s.is_empty() || s.starts_with('.') || !s.bytes().all(|c| c.is_ascii_alphanumeric() || b"._-@".contains(&c)) {
            return None;
        }
        out.push(s);
    }
    Some(out)
}

async fn sdk_file(State(state): State<AppState>, UrlPath(path): UrlPath<String>) -> Response {
    let Some(dir) = sdk_dir(&state) else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": {"code": "SdkNotBuilt", "message": SDK_HINT}})))
            .into_response();
    };
    let Some(rel) = safe_relative(&path) else {
        return not_found("no such file in the SDK package");
    };
    let file = dir.join(&rel);
    // Symlinks must not lead outside the package directory.
    let inside = match (tokio::fs::canonicalize(&dir).await, tokio::fs::canonicalize(&file).await) {
        (Ok(d), Ok(f)) => f.starts_with(&d),
        _ => false,
    };
    if !inside {
        return not_found("no such file in the SDK package");
    }
    match tokio::fs::metadata(&file).await {
        Ok(m) if m.is_file() => {}
        _ => return not_found("no such file in the SDK package"),
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => no_cache(([(header::CONTENT_TYPE, sdk_mime(&path))], bytes).into_response()),
        Err(_) => not_found("no such file in the SDK package"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types_of_package_files() {
        assert_eq!(sdk_mime("core.wasm"), "application/wasm");
        assert_eq!(sdk_mime("index.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(sdk_mime("index.js"), "text/javascript; charset=utf-8");
        assert_eq!(sdk_mime("package.json"), "application/json");
        assert_eq!(sdk_mime("core.wasm.br"), "application/octet-stream");
        assert_eq!(sdk_mime("index.d.ts"), "text/plain; charset=utf-8");
    }

    #[test]
    fn only_plain_relative_paths() {
        assert_eq!(safe_relative("index.mjs"), Some(PathBuf::from("index.mjs")));
        assert_eq!(safe_relative("miniprogram_dist/index.js"), Some(PathBuf::from("miniprogram_dist/index.js")));
        for bad in ["", "../Cargo.toml", "a/../../b", "./x", ".hidden", "a//b", "a/", "/etc/passwd", "a\\b", "x y"] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_asset_is_embedded() {
        for (name, ctype, body) in ASSETS {
            assert!(!body.is_empty(), "{name} is empty");
            assert!(!ctype.is_empty());
        }
        assert!(ASSETS.iter().any(|(n, _, _)| *n == "index.html"));
    }

    #[test]
    fn candidates_prefer_the_flag() {
        let c = sdk_candidates(Some(Path::new("/tmp/some-pkg")));
        assert_eq!(c, vec![PathBuf::from("/tmp/some-pkg")]);
        let d = sdk_candidates(None);
        assert!(!d.is_empty() && d.iter().all(|p| p.ends_with("pkg")), "{d:?}");
    }
}
