//! Command line and environment configuration.

use std::path::PathBuf;

use clap::Parser;

/// Local emulator of the Authing v3 and MPServerless services.
#[derive(Debug, Clone, Parser)]
#[command(name = "miniapp-emulator", version, about)]
pub struct Cli {
    /// TCP port on 127.0.0.1 (0 picks a free port).
    #[arg(long, env = "MINIAPP_EMULATOR_PORT", default_value_t = 8787)]
    pub port: u16,

    /// Directory holding the SQLite database and uploaded file bodies.
    #[arg(long, env = "MINIAPP_EMULATOR_DATA", default_value = "./.emulator-data")]
    pub data_dir: PathBuf,

    /// Start from the data snapshot in DIR (written by --export-on-exit or POST /__admin/export),
    /// replacing the data directory's users, documents and files.
    #[arg(long, value_name = "DIR", conflicts_with = "seed")]
    pub import: Option<PathBuf>,

    /// Write a data snapshot to DIR when the emulator stops (Ctrl-C or SIGTERM); also the default
    /// directory of POST /__admin/export.
    #[arg(long, value_name = "DIR")]
    pub export_on_exit: Option<PathBuf>,

    /// Start from the users and documents of a JSON seed file (see tests/emulator/README.md),
    /// replacing the data directory's data.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// The built SDK package served to the console playground at `/__console/sdk/`
    /// (default: `pkg` in the current directory, else the workspace's `pkg`).
    #[arg(long, env = "MINIAPP_EMULATOR_SDK_DIR")]
    pub sdk_dir: Option<PathBuf>,

    /// Authing application id (`x-authing-app-id`).
    #[arg(long, env = "MINIAPP_EMULATOR_APP_ID", default_value = "dev-app")]
    pub app_id: String,

    /// Authing user pool id (`x-authing-userpool-id`).
    #[arg(long, env = "MINIAPP_EMULATOR_USER_POOL_ID", default_value = "dev-pool")]
    pub user_pool_id: String,

    /// WeChat mini-program identity source (`extIdpConnidentifier`).
    #[arg(long, env = "MINIAPP_EMULATOR_WECHAT_IDP", default_value = "dev-wechat")]
    pub wechat_idp: String,

    /// Douyin mini-program identity source (`extIdpConnidentifier`).
    #[arg(long, env = "MINIAPP_EMULATOR_DOUYIN_IDP", default_value = "dev-douyin")]
    pub douyin_idp: String,

    /// Mini-program AppID reported in phone-number watermarks.
    #[arg(long, env = "MINIAPP_EMULATOR_WX_APPID", default_value = "wx0000000000devapp")]
    pub wx_appid: String,

    /// MPServerless space id.
    #[arg(long, env = "MINIAPP_EMULATOR_SPACE_ID", default_value = "dev-space")]
    pub space_id: String,

    /// MPServerless client secret (HMAC-MD5 key).
    #[arg(long, env = "MINIAPP_EMULATOR_CLIENT_SECRET", default_value = "dev-secret")]
    pub client_secret: String,

    /// Collections that exist in the space (comma separated); created at start and after reset.
    #[arg(
        long,
        env = "MINIAPP_EMULATOR_COLLECTIONS",
        value_delimiter = ',',
        default_value = "books,todos,users,files"
    )]
    pub collections: Vec<String>,

    /// Create unknown collections on first use instead of answering CollectionNotFound.
    #[arg(long, env = "MINIAPP_EMULATOR_AUTO_CREATE_COLLECTIONS")]
    pub auto_create_collections: bool,

    /// Largest accepted JSON request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest accepted uploaded file, in bytes.
    #[arg(long, default_value_t = 20 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Accepted clock skew of MPServerless `timestamp`, in seconds.
    #[arg(long, default_value_t = 600)]
    pub timestamp_window_secs: i64,

    /// Lifetime of a fresh MPServerless session, in seconds (documented: 10 min).
    #[arg(long, default_value_t = 600)]
    pub session_ttl_secs: i64,

    /// Lifetime of an MPServerless session after each call, in seconds (documented: 30 min).
    #[arg(long, default_value_t = 1800)]
    pub session_extend_secs: i64,

    /// Lifetime of SMS, email and platform (wx.login etc.) codes, in seconds.
    #[arg(long, default_value_t = 300)]
    pub code_ttl_secs: i64,

    /// Minimum interval between two SMS (or emails) to one phone (address) and channel, in seconds.
    #[arg(long, default_value_t = 60)]
    pub sms_interval_secs: i64,

    /// Lifetime of the verify tokens of the update-email / update-phone / delete-account flows
    /// (`tokenExpiresIn`), in seconds.
    #[arg(long, default_value_t = 60)]
    pub verify_token_ttl_secs: i64,

    /// Wrong passwords in a row (since the last successful login, within --login-lock-secs) after
    /// which an account's password logins are refused with apiCode 2005; 0 disables the lock.
    #[arg(long, default_value_t = 5)]
    pub login_fail_limit: u32,

    /// How long failed password attempts count towards the lock, in seconds.
    #[arg(long, default_value_t = 300)]
    pub login_lock_secs: i64,

    /// Authing access/id token lifetime (`expires_in`), in seconds.
    #[arg(long, default_value_t = 1_209_600)]
    pub access_token_ttl_secs: i64,

    /// Authing refresh token lifetime, in seconds.
    #[arg(long, default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl_secs: i64,
}

/// The tenant and limits every handler reads.
#[derive(Debug, Clone)]
pub struct Config {
    pub app_id: String,
    pub user_pool_id: String,
    pub wechat_idp: String,
    pub douyin_idp: String,
    pub wx_appid: String,
    pub space_id: String,
    pub client_secret: String,
    pub collections: Vec<String>,
    pub auto_create_collections: bool,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub timestamp_window_ms: i64,
    pub session_ttl_ms: i64,
    pub session_extend_ms: i64,
    pub code_ttl_ms: i64,
    pub sms_interval_ms: i64,
    pub verify_token_ttl_ms: i64,
    pub login_fail_limit: u32,
    pub login_lock_ms: i64,
    pub access_token_ttl_s: i64,
    pub refresh_token_ttl_ms: i64,
    /// `--export-on-exit`: where the exit snapshot goes and `POST /__admin/export`'s default.
    pub export_on_exit: Option<PathBuf>,
}

impl From<&Cli> for Config {
    fn from(c: &Cli) -> Self {
        Self {
            app_id: c.app_id.clone(),
            user_pool_id: c.user_pool_id.clone(),
            wechat_idp: c.wechat_idp.clone(),
            douyin_idp: c.douyin_idp.clone(),
            wx_appid: c.wx_appid.clone(),
            space_id: c.space_id.clone(),
            client_secret: c.client_secret.clone(),
            collections: c.collections.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            auto_create_collections: c.auto_create_collections,
            max_body_bytes: c.max_body_bytes.max(1024),
            max_upload_bytes: c.max_upload_bytes.max(1024),
            timestamp_window_ms: c.timestamp_window_secs.max(1).saturating_mul(1000),
            session_ttl_ms: c.session_ttl_secs.max(1).saturating_mul(1000),
            session_extend_ms: c.session_extend_secs.max(1).saturating_mul(1000),
            code_ttl_ms: c.code_ttl_secs.max(1).saturating_mul(1000),
            sms_interval_ms: c.sms_interval_secs.max(0).saturating_mul(1000),
            verify_token_ttl_ms: c.verify_token_ttl_secs.max(1).saturating_mul(1000),
            login_fail_limit: c.login_fail_limit,
            login_lock_ms: c.login_lock_secs.max(1).saturating_mul(1000),
            access_token_ttl_s: c.access_token_ttl_secs.max(1),
            refresh_token_ttl_ms: c.refresh_token_ttl_secs.max(1).saturating_mul(1000),
            export_on_exit: c.export_on_exit.clone(),
        }
    }
}
