//! `miniapp-emulator`: a local emulator of the Authing v3 and MPServerless
//! services with SQLite persistence. See README.md.

mod admin;
mod app;
mod authing;
mod cli;
mod clock;
mod console;
mod drain;
mod error;
mod json;
mod keys;
mod open_data;
mod platform;
mod seed;
mod serverless;
mod snapshot;
mod store;
mod traffic;
mod util;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MINIAPP_EMULATOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("miniapp-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Do not wait for a key generation still running on the blocking pool:
    // nothing of it has been stored yet.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("miniapp-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: cli::Cli) -> Result<(), String> {
    let cfg = cli::Config::from(&cli);
    let store = store::Store::open(&cli.data_dir)?;
    let secrets = keys::Secrets::load(&store)?;
    admin::ensure_collections(&store, &cfg).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cli.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", cli.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = app::AppState::new(cfg, store, secrets, addr, console::sdk_candidates(cli.sdk_dir.as_deref()));
    let mut loaded = None;
    if let Some(dir) = &cli.import {
        let s = snapshot::import(&state.store, dir.clone()).await.map_err(|e| format!("--import: {}", e.message))?;
        admin::ensure_collections(&state.store, &state.cfg).await.map_err(|e| e.to_string())?;
        let rows: usize = s.tables.values().sum();
        loaded = Some(format!("imported snapshot {} ({rows} rows, {} files)", dir.display(), s.files));
    }
    if let Some(file) = &cli.seed {
        let s = seed::load(&state, file).await.map_err(|e| format!("--seed: {}", e.message))?;
        loaded = Some(format!("seeded from {} ({} users, {} documents)", file.display(), s.users, s.documents));
    }

    {
        let mut out = std::io::stdout().lock();
        let c = &state.cfg;
        let lines = [
            format!("listening on {}", state.base_url),
            format!("data dir: {}", cli.data_dir.display()),
            format!(
                "authing: host={} appId={} userPoolId={} wechat extIdpConnidentifier={} douyin extIdpConnidentifier={}",
                state.base_url, c.app_id, c.user_pool_id, c.wechat_idp, c.douyin_idp
            ),
            format!(
                "mpserverless: endpoint={} spaceId={} clientSecret={}",
                state.base_url, c.space_id, c.client_secret
            ),
            format!("admin: {}/__admin/  platform stand-ins: {}/__platform/", state.base_url, state.base_url),
            format!("console: {}/", state.base_url),
        ];
        for l in lines.into_iter().chain(loaded) {
            let _ = writeln!(out, "{l}");
        }
        let _ = out.flush();
    }

    // Warm the RSA/SM2 keys in the background so the first /api/v3/system is fast.
    {
        let s = state.clone();
        tokio::spawn(async move {
            if let Err(e) = s.keyring().await {
                tracing::error!(error = %e, "key generation failed");
            }
        });
    }
    serverless::tx::spawn_reaper(state.txs.clone());

    let router = app::router(state.clone());
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await.map_err(|e| e.to_string())?;
    state.txs.abort_all();
    if let Some(dir) = &cli.export_on_exit {
        let s = snapshot::export(&state.store, dir.clone())
            .await
            .map_err(|e| format!("--export-on-exit: {}", e.message))?;
        let rows: usize = s.tables.values().sum();
        eprintln!("miniapp-emulator: exported snapshot {} ({rows} rows, {} files)", dir.display(), s.files);
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
