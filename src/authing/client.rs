//! [`AuthingClient`]: the twelve public methods, orchestrated over any [`Host`].
//!
//! Every method takes the caller's input already read into a typed value (an [`Obj`], an
//! [`EncryptType`], a path: see [`super::args`], which the boundary in src/wasm/authing_js.rs
//! reads it with once) and returns `Result<Json, Error>`, which the facade turns into
//! `[null, data]` / `[error, undefined]`. No method panics or traps, whatever the input, the server
//! or the host does.

use super::account::{self, Effect, Flow};
use super::config::{Config, Platform};
use super::password::{public_key_of, EncryptType, PasswordLogin, PasswordUpdate};
use super::rejected::token_rejected;
use super::state::{build_state, jwt_seconds, state_key, LoginState};
use super::token::refresh_body;
use super::transport::{self, bad_response, form_encode, Kind, FORM};
use super::{avatar, code, phone, profile, sms};
use crate::clock::ServerClock;
use crate::crypto::{fresh_rng, rsa, sm2};
use crate::error::{Error, ErrorCode, HostError};
use crate::host::{Host, Method};
use crate::json::{Json, Obj};
use crate::retry::RetryOnce;
use crate::secret::AccessToken;
use crate::single_flight::SingleFlight;
use core::cell::Cell;

/// Message of `getLoginState` when nothing is stored.
pub const NO_STATE: &str = "login state not found, please login";
/// Message of `getLoginState` for an expired state (official text).
pub const STATE_EXPIRED: &str = "login state has expired, please login again";
/// Message of `getLoginState` when the stored value is not an object.
pub const STATE_UNREADABLE: &str = "login state is unreadable, please login again";
/// Message of the token-bearing methods when not logged in (official text).
pub const TOKEN_EXPIRED: &str = "Token has expired, please login again";
/// Message of `refreshToken` without a login state (official text).
pub const REFRESH_EXPIRED: &str = "refresh_token has expired, please login again";
/// Message of `refreshToken` without a refresh token (official text).
pub const REFRESH_EMPTY: &str = "refresh_token must not be empty";
/// After a failed automatic refresh, further automatic attempts wait this long.
pub const AUTO_REFRESH_BACKOFF_MS: f64 = 30_000.0;

/// A custom password encryption (the app's `encryptFunction`): `(type, plaintext, public key)`.
pub type Encryptor = Box<dyn Fn(EncryptType, &str, &str) -> Result<String, Error>>;

type RefreshResult = Result<LoginState, Error>;

/// The Authing client.
pub struct AuthingClient<H: Host> {
    host: H,
    config: Config,
    encryptor: Option<Encryptor>,
    refresh: SingleFlight<(), LoginState, Error>,
    /// Bumped whenever a login or logout replaces the state, so a refresh that was in flight does
    /// not overwrite it.
    generation: Cell<u64>,
    auto_refresh_blocked_until: Cell<f64>,
    clock: ServerClock,
}

fn storage_failure(e: HostError) -> Error {
    Error::Storage(e.to_string())
}

impl<H: Host> AuthingClient<H> {
    /// A client for `config` over `host`. `encryptor`, when given, replaces the built-in RSA/SM2
    /// encryption (the official SDK's `encryptFunction`).
    pub fn new(host: H, config: Config, encryptor: Option<Encryptor>) -> Self {
        AuthingClient {
            host,
            config,
            encryptor,
            refresh: SingleFlight::default(),
            generation: Cell::new(0),
            auto_refresh_blocked_until: Cell::new(f64::NEG_INFINITY),
            clock: ServerClock::default(),
        }
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The offset applied to the device clock (server minus device, ms; see [`crate::clock`]).
    pub fn clock_offset_ms(&self) -> f64 {
        self.clock.offset_ms()
    }

    // ---- transport -------------------------------------------------------------------------

    async fn send(
        &self,
        kind: Kind,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<Json, Error> {
        let req = transport::request(method, self.config.url(path), headers, body);
        let res = self.host.request(req).await?;
        self.clock.observe_response(&res, self.host.now_ms());
        transport::classify(kind, &res)
    }

    /// A token-bearing POST, retried once after a refresh when the token is rejected in flight.
    async fn post_with_token(&self, path: &str, token: AccessToken, body: &Obj) -> Result<Json, Error> {
        self.with_token(Method::Post, path, Some(body.to_text()), token).await
    }

    // ---- state -----------------------------------------------------------------------------

    async fn read_state(&self) -> Result<LoginState, Error> {
        let text = self.host.storage_get(&state_key(&self.config.app_id)).await.map_err(storage_failure)?;
        match text.as_deref().map(Json::parse) {
            None => Err(Error::NotLoggedIn(NO_STATE)),
            Some(Ok(Json::Object(o))) => Ok(LoginState(o)),
            Some(_) => Err(Error::NotLoggedIn(STATE_UNREADABLE)),
        }
    }

    async fn save_state(&self, token: Obj) -> Result<LoginState, Error> {
        let now = self.host.now_ms();
        let iat =
            ["access_token", "id_token"].iter().find_map(|k| token.get_str(k).and_then(|t| jwt_seconds(t, "iat")));
        if let Some(sample) = iat.and_then(|iat| ServerClock::sample(iat, now)) {
            self.clock.observe(sample);
        }
        let state = build_state(token, now, self.clock.offset_ms());
        self.host.storage_set(&state_key(&self.config.app_id), &state.0.to_text()).await.map_err(storage_failure)?;
        // New tokens: a back-off earned by the previous refresh token no longer applies.
        self.auto_refresh_blocked_until.set(f64::NEG_INFINITY);
        Ok(state)
    }

    async fn remove_state(&self) -> Result<(), Error> {
        self.host.storage_remove(&state_key(&self.config.app_id)).await.map_err(storage_failure)
    }

    fn bump_generation(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
    }

    /// The stored state, refreshed first when it is about to expire (or has expired) and a
    /// refresh token is at hand. A failed refresh falls back to the stored state while it is
    /// still valid.
    async fn current_state(&self) -> Result<LoginState, Error> {
        let state = self.read_state().await?;
        let now = self.now_for(&state);
        let valid = state.is_valid(now);
        if valid && !state.refresh_due(now) {
            return Ok(state);
        }
        if state.refresh_token().is_some() && (now >= self.auto_refresh_blocked_until.get() || self.refresh.in_flight())
        {
            match self.refresh_shared(None).await {
                Ok(fresh) => return Ok(fresh),
                Err(_) => self.auto_refresh_blocked_until.set(self.host.now_ms() + AUTO_REFRESH_BACKOFF_MS),
            }
        }
        if state.is_valid(self.now_for(&state)) {
            Ok(state)
        } else {
            Err(Error::NotLoggedIn(STATE_EXPIRED))
        }
    }

    /// The clock a state's expiry is compared with: the device's for `expires_at` (counted from
    /// the device clock), the server's for a JWT `exp`.
    fn now_for(&self, state: &LoginState) -> f64 {
        let device = self.host.now_ms();
        if state.expiry_is_server_time() {
            self.clock.now(device)
        } else {
            device
        }
    }

    /// A token-bearing request (`Authorization` = `token`). When the server rejects the token in
    /// flight (it refused before acting) and a refresh token is stored: one refresh (shared with
    /// every concurrent caller) and one retry with the new token and the same body. A failed
    /// refresh answers with the official `refresh_token has expired, please login again` (or the
    /// host's failure); without a refresh token the server's rejection is returned as it is.
    async fn with_token(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        token: AccessToken,
    ) -> Result<Json, Error> {
        let (mut token, mut retry) = (token, RetryOnce::default());
        loop {
            let headers =
                [("x-authing-userpool-id", self.config.user_pool_id.as_str()), ("Authorization", token.secret())];
            match self.send(Kind::Api, method, path, &headers, body.clone()).await {
                Err(rejection) if token_rejected(&rejection) && retry.take() => {
                    token = self.refresh_after_rejection(rejection, &token).await?;
                }
                other => return other,
            }
        }
    }

    /// The access token that replaces `stale` after the server rejected it: the stored one when a
    /// refresh or login already replaced it, else the result of the (shared) refresh.
    async fn refresh_after_rejection(&self, rejection: Error, stale: &AccessToken) -> Result<AccessToken, Error> {
        match self.refresh_shared(Some(stale)).await {
            Ok(state) => state.access_token().ok_or(Error::NotLoggedIn(TOKEN_EXPIRED)),
            // Nothing to refresh with: the server's answer stands.
            Err(Error::NotLoggedIn(m)) if m == REFRESH_EMPTY || m == REFRESH_EXPIRED => Err(rejection),
            Err(f) => {
                self.auto_refresh_blocked_until.set(self.host.now_ms() + AUTO_REFRESH_BACKOFF_MS);
                Err(match f.code() {
                    ErrorCode::Server | ErrorCode::NotLoggedIn | ErrorCode::BadResponse => {
                        Error::NotLoggedIn(REFRESH_EXPIRED)
                    }
                    _ => f,
                })
            }
        }
    }

    /// The login gate of the token-bearing methods.
    async fn access_token(&self) -> Result<AccessToken, Error> {
        match self.current_state().await {
            Ok(state) => state.access_token().ok_or(Error::NotLoggedIn(TOKEN_EXPIRED)),
            Err(Error::NotLoggedIn(_)) => Err(Error::NotLoggedIn(TOKEN_EXPIRED)),
            Err(f) => Err(f),
        }
    }

    /// The shared refresh. With `replacing`, the refresh of a token the server rejected: skipped
    /// when the stored token is no longer that one (a refresh or a login replaced it meanwhile).
    async fn refresh_shared(&self, replacing: Option<&AccessToken>) -> RefreshResult {
        self.refresh.run((), || self.refresh_once(replacing)).await
    }

    async fn refresh_once(&self, replacing: Option<&AccessToken>) -> RefreshResult {
        let generation = self.generation.get();
        let state = self.read_state().await.map_err(|f| match f {
            Error::NotLoggedIn(_) => Error::NotLoggedIn(REFRESH_EXPIRED),
            f => f,
        })?;
        if let (Some(stale), Some(current)) = (replacing, state.access_token()) {
            if current != *stale {
                return Ok(state);
            }
        }
        let refresh_token = state.refresh_token().ok_or(Error::NotLoggedIn(REFRESH_EMPTY))?;
        let headers = [("content-type", FORM), ("x-authing-app-id", self.config.app_id.as_str())];
        let body = refresh_body(refresh_token.secret());
        let mut token = match self.send(Kind::Token, Method::Post, "/oidc/token", &headers, Some(body)).await? {
            Json::Object(o) => o,
            _ => return Err(bad_response(None, "the token endpoint answered without an object", None)),
        };
        // Keep the refresh token when the response has none (the official SDK loses it).
        if !token.truthy("refresh_token") {
            token.set("refresh_token", Json::str(refresh_token.secret()));
        }
        if self.generation.get() != generation {
            return Err(Error::NotLoggedIn("the login state changed while the token was being refreshed"));
        }
        self.save_state(token).await
    }

    // ---- encryption ------------------------------------------------------------------------

    async fn encrypt(&self, kind: EncryptType, plaintext: &str) -> Result<String, Error> {
        let system = self.send(Kind::System, Method::Get, "/api/v3/system", &[], None).await?;
        let public_key = public_key_of(&system, kind)?;
        if let Some(custom) = &self.encryptor {
            return custom(kind, plaintext, &public_key);
        }
        let mut rng = fresh_rng(&self.host).await?;
        match kind {
            EncryptType::Rsa => rsa::encrypt_password(&public_key, plaintext, &mut rng),
            EncryptType::Sm2 => sm2::encrypt_password(&public_key, plaintext, &mut rng),
        }
    }

    // ---- logins ----------------------------------------------------------------------------

    /// §6.2a: signs in, stores the state with `expires_at`, returns it.
    async fn login(&self, path: &str, body: Obj) -> Result<Json, Error> {
        let headers = [("x-authing-app-id", self.config.app_id.as_str())];
        let res = self.send(Kind::Api, Method::Post, path, &headers, Some(body.to_text())).await?;
        self.bump_generation();
        match res {
            Json::Object(token) if token.truthy("access_token") || token.truthy("id_token") => {
                self.save_state(token).await.map(|s| s.to_json())
            }
            other => {
                // As the official SDK does: a "success" without a token clears the state.
                let _ = self.remove_state().await;
                Err(bad_response(None, "the server answered without a token", other.as_obj().cloned()))
            }
        }
    }

    /// `getLoginCode()`: a fresh platform login code.
    ///
    /// # Errors
    /// Host errors, with "get wx login code error" (or `tt`).
    pub async fn get_login_code(&self) -> Result<Json, Error> {
        self.login_code().await.map(Json::String)
    }

    async fn login_code(&self) -> Result<String, Error> {
        let message = match self.config.platform {
            Platform::Wx => "get wx login code error",
            Platform::Tt => "get tt login code error",
        };
        self.host.login_code().await.map_err(|e| Error::HostWithMessage { kind: e.kind, message })
    }

    /// `clearLoginState()`: forgets the stored state, `true`.
    ///
    /// # Errors
    /// `STORAGE`.
    pub async fn clear_login_state(&self) -> Result<Json, Error> {
        self.bump_generation();
        self.remove_state().await.map(|()| Json::Bool(true))
    }

    /// `saveLoginState(state)`: stores the state with `expires_at` and returns it (the facade
    /// resolves the plain state, as the official SDK does, not a tuple).
    ///
    /// # Errors
    /// `STORAGE`.
    pub async fn save_login_state(&self, token: Obj) -> Result<Json, Error> {
        self.bump_generation();
        self.save_state(token).await.map(|s| s.to_json())
    }

    /// `getPublicKey(type)`: the `rsa` or `sm2` public key of `/api/v3/system`.
    ///
    /// # Errors
    /// `BAD_RESPONSE` without the key, server errors.
    pub async fn get_public_key(&self, kind: EncryptType) -> Result<Json, Error> {
        let system = self.send(Kind::System, Method::Get, "/api/v3/system", &[], None).await?;
        public_key_of(&system, kind).map(Json::String)
    }

    /// `loginByPhone(data)`: the valid state if there is one, else a phone sign-in with a fresh
    /// platform login code.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, host errors of the login code, server errors.
    pub async fn login_by_phone(&self, input: Obj) -> Result<Json, Error> {
        code::check_phone(&input, self.config.platform)?;
        if let Ok(state) = self.current_state().await {
            return Ok(state.to_json());
        }
        let code = self.login_code().await?;
        self.login("/api/v3/signin-by-mobile", code::phone_body(&input, self.config.platform, &code)).await
    }

    /// `bindWxByCode(data)` (always WeChat) and `bindPlatformByCode(data)` (the running
    /// platform, [`Config::platform`]): binds the platform identity of a fresh login code to the
    /// signed-in user. `input` is empty when the app passed none.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, host errors of the login code, server errors.
    pub async fn bind_by_code(&self, input: Obj, platform: Platform) -> Result<Json, Error> {
        let token = self.access_token().await?;
        let code = self.login_code().await?;
        self.post_with_token(account::bind_path(platform), token, &account::bind_body(&input, &code)).await
    }

    /// `decryptData(data)`: the platform's encrypted user data, decrypted by the server.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, server errors.
    pub async fn decrypt_data(&self, input: Obj) -> Result<Json, Error> {
        account::check(&account::DECRYPT_REQUIRED, &input)?;
        let headers = [("x-authing-userpool-id", self.config.user_pool_id.as_str())];
        let path = account::decrypt_path(self.config.platform);
        self.send(Kind::Api, Method::Post, path, &headers, Some(input.to_text())).await
    }

    /// One of [`account::FLOWS`] (`sendEmailCode`, `bindEmail`, ...): the input posted as given
    /// (a `deleteAccountRequest` password encrypted when asked); a successful `deleteAccount`
    /// forgets the stored state.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, `INVALID_ARGUMENT`, `CRYPTO`, `NO_ENTROPY`, server errors.
    pub async fn account_flow(&self, flow: &Flow, mut input: Obj) -> Result<Json, Error> {
        account::check(flow, &input)?;
        let encrypt = account::delete_password(&input)?.filter(|_| flow.effect == Effect::EncryptPassword);
        if !flow.token {
            let headers = [("x-authing-userpool-id", self.config.user_pool_id.as_str())];
            return self.send(Kind::Api, Method::Post, flow.path, &headers, Some(input.to_text())).await;
        }
        let token = self.access_token().await?;
        if let Some((kind, password)) = encrypt {
            input = account::with_cipher(input, self.encrypt(kind, &password).await?);
        }
        let out = self.post_with_token(flow.path, token, &input).await?;
        if flow.effect == Effect::ForgetState {
            self.bump_generation();
            self.remove_state().await?;
        }
        Ok(out)
    }

    /// `getLoginState()`: the stored state while valid (refreshed shortly before it expires).
    ///
    /// # Errors
    /// `NOT_LOGGED_IN` when absent or expired; `STORAGE` when storage fails.
    pub async fn get_login_state(&self) -> Result<Json, Error> {
        self.current_state().await.map(|s| s.to_json())
    }

    /// `loginByCode(data)`: the valid state if there is one, else a sign-in with a fresh platform
    /// login code.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, host errors with "get wx login code error", server errors.
    pub async fn login_by_code(&self, input: Obj) -> Result<Json, Error> {
        code::check(&input)?;
        if let Ok(state) = self.current_state().await {
            return Ok(state.to_json());
        }
        let code = self.login_code().await?;
        self.login("/api/v3/signin-by-mobile", code::body(&input, self.config.platform, &code)).await
    }

    /// `loginByPassword(data)`, encrypting the password first when asked.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, `CRYPTO` (bad key, failing `encryptFunction`), `NO_ENTROPY`, server
    /// errors.
    pub async fn login_by_password(&self, input: Obj) -> Result<Json, Error> {
        let login = PasswordLogin::parse(input)?;
        let cipher = match login.encrypt {
            Some(kind) => Some(self.encrypt(kind, login.password()).await?),
            None => None,
        };
        self.login("/api/v3/signin", login.body(cipher)).await
    }

    /// `sendSms(data)`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, server errors.
    pub async fn send_sms(&self, input: Obj) -> Result<Json, Error> {
        let body = sms::send_sms_body(input)?;
        let headers = [("x-authing-userpool-id", self.config.user_pool_id.as_str())];
        self.send(Kind::Api, Method::Post, "/api/v3/send-sms", &headers, Some(body.to_text())).await
    }

    /// `loginByPassCode(data)`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, server errors.
    pub async fn login_by_pass_code(&self, input: Obj) -> Result<Json, Error> {
        let body = sms::pass_code_body(input)?;
        self.login("/api/v3/signin", body).await
    }

    /// `refreshToken()`: one refresh in flight however many callers wait. Works on an expired
    /// access token too, as long as the server still accepts the refresh token.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN` with the official messages, server errors (`invalid_grant`...).
    pub async fn refresh_token(&self) -> Result<Json, Error> {
        self.refresh_shared(None).await.map(|s| s.to_json())
    }

    /// `getPhone(data)`: the `phone_info` of the user's phone number.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`, server errors, `BAD_RESPONSE` without `phone_info`.
    pub async fn get_phone(&self, input: Obj) -> Result<Json, Error> {
        let platform = self.config.platform;
        phone::check(&input, platform)?;
        let login_code = match platform {
            Platform::Wx => None,
            Platform::Tt => Some(self.login_code().await?),
        };
        let headers = [("x-authing-userpool-id", self.config.user_pool_id.as_str())];
        let body = phone::body(&input, login_code.as_deref()).to_text();
        let data = self.send(Kind::Api, Method::Post, phone::path(platform), &headers, Some(body)).await?;
        phone::phone_info(data)
    }

    /// `updatePassword(data)`: `newPassword` encrypted when asked, `oldPassword` as given.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, `INVALID_ARGUMENT`, `CRYPTO`, `NO_ENTROPY`, server errors.
    pub async fn update_password(&self, input: Obj) -> Result<Json, Error> {
        let update = PasswordUpdate::parse(input)?;
        let token = self.access_token().await?;
        let cipher = match update.encrypt {
            Some(kind) => Some(self.encrypt(kind, update.new_password()).await?),
            None => None,
        };
        self.post_with_token("/api/v3/update-password", token, &update.body(cipher)).await
    }

    /// `getUserInfo(flags?)`. `flags` is `None` when the caller passed nothing (or `null`).
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, server errors.
    pub async fn get_user_info(&self, flags: Option<Obj>) -> Result<Json, Error> {
        let token = self.access_token().await?;
        self.with_token(Method::Get, &profile::get_profile_path(flags.as_ref()), None, token).await
    }

    /// `updateUserInfo(data)`.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, server errors.
    pub async fn update_user_info(&self, body: Obj) -> Result<Json, Error> {
        let token = self.access_token().await?;
        self.post_with_token("/api/v3/update-profile", token, &body).await
    }

    /// Whether the token-bearing methods would run: `[null, true]` or their `NOT_LOGGED_IN` error.
    /// The facade calls it before opening the image picker of `updateAvatar`.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, `STORAGE`.
    pub async fn check_login(&self) -> Result<Json, Error> {
        self.access_token().await.map(|_| Json::Bool(true))
    }

    /// `updateAvatar()` after the facade picked `file_path`: upload, then set `photo`. Unlike the
    /// official SDK, a failed profile update is reported instead of ignored.
    ///
    /// # Errors
    /// `NOT_LOGGED_IN`, host errors of the upload, `SERVER`/`BAD_RESPONSE` of either step.
    pub async fn update_avatar(&self, file_path: &str) -> Result<Json, Error> {
        if file_path.is_empty() {
            return Err(Error::invalid("filePath", "filePath is required"));
        }
        let token = self.access_token().await?;
        let upload = avatar::upload_request(self.config.url(avatar::UPLOAD_PATH), file_path);
        let res = self.host.upload_file(upload).await?;
        let (parsed, url) = avatar::parse_upload(&res)?;
        self.post_with_token("/api/v3/update-profile", token, &Obj::new().with("photo", Json::str(url))).await?;
        Ok(parsed)
    }

    /// `logout()`: revokes the access token while it is valid, then forgets the state.
    ///
    /// # Errors
    /// Host errors of the revocation (the state is then kept, as in the official SDK), `STORAGE`.
    pub async fn logout(&self) -> Result<Json, Error> {
        let state = self.read_state().await;
        self.bump_generation();
        let token = match &state {
            Ok(s) if s.is_valid(self.now_for(s)) => s.access_token(),
            _ => None,
        };
        if let Some(token) = token {
            let body = form_encode(&[("client_id", self.config.app_id.as_str()), ("token", token.secret())]);
            self.send(Kind::Revocation, Method::Post, "/oidc/token/revocation", &[("content-type", FORM)], Some(body))
                .await?;
        }
        self.remove_state().await?;
        Ok(Json::Bool(true))
    }
}
