//! The serverless client over any [`Host`]: session, single-flight authorization, one renewal and
//! retry on an invalid token, and the module calls.
//!
//! Session state is kept as the official package keeps it (reference §5): in memory only (token,
//! the options of the last successful authorize, the current auth type), nothing in storage. Unlike
//! 3.1.5, a failed authorization leaves no rejected promise behind, so later calls are not poisoned,
//! and concurrent renewals are merged into one.

use super::authorize::{self, AuthKind};
use super::config::Config;
use super::db;
use super::envelope::{self, is_invalid_token, is_timestamp_rejected, Reply};
use super::errors;
use super::file;
use super::function;
use crate::clock::ServerClock;
use crate::error::Error;
use crate::host::Host;
use crate::json::Json;
use crate::retry::RetryOnce;
use crate::secret::AccessToken;
use crate::single_flight::SingleFlight;
use std::cell::RefCell;

#[derive(Debug, Default)]
struct Session {
    token: Option<AccessToken>,
    /// The flow of the last successful authorize (used to renew).
    kind: Option<AuthKind>,
    /// The options of the last successful authorize, as JSON text (`getInfo` sends them).
    options_json: Option<String>,
    /// `"anonymous"` or `""` after a successful authorize.
    current_auth_type: Option<String>,
}

/// One authenticated RPC, planned: the gateway method and its params text, built (and the caller's
/// arguments checked) before anything is sent. The wasm entry plans every module call this way and
/// sends it through one [`Client::send_rpc`], so the send/renew/retry state machine is compiled
/// once instead of once per method.
#[derive(Debug)]
pub struct Rpc<'a> {
    /// The gateway method.
    pub method: &'a str,
    /// Its params as JSON text (`None` = no params).
    pub params: Option<String>,
}

impl Rpc<'static> {
    fn new(method: &'static str, params: String) -> Self {
        Rpc { method, params: Some(params) }
    }
}

/// The MPServerless client.
pub struct Client<H: Host> {
    host: H,
    cfg: Config,
    session: RefCell<Session>,
    /// One authorization at a time; concurrent callers of the same flow join it.
    flight: SingleFlight<AuthKind, bool, Error>,
    clock: ServerClock,
}

impl<H: Host> Client<H> {
    /// A client for `cfg` over `host`. No I/O happens until `authorize`.
    pub fn new(host: H, cfg: Config) -> Client<H> {
        Client {
            host,
            cfg,
            session: RefCell::new(Session::default()),
            flight: SingleFlight::default(),
            clock: ServerClock::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Sends one signed RPC and classifies the reply. The timestamp is the server's time as
    /// [`ServerClock`] knows it; when the gateway rejects it anyway, the clock adopts the rejecting
    /// answer's `Date` and the RPC is re-signed and sent once more.
    async fn send(&self, method: &str, params: Option<&str>, token: Option<&str>) -> Result<Reply, Error> {
        let mut retry = RetryOnce::default();
        loop {
            let ts = envelope::timestamp(self.clock.now(self.host.now_ms()));
            let req = envelope::build_request(&self.cfg, method, params, token, ts);
            let res = self.host.request(req).await?;
            let sample = self.clock.observe_response(&res, self.host.now_ms());
            match (envelope::parse_reply(res), sample) {
                (Err(e), Some(offset)) if is_timestamp_rejected(&e) && retry.take() => self.clock.adopt(offset),
                (reply, _) => return reply,
            }
        }
    }

    /// The offset applied to the device clock (server minus device, ms).
    pub fn clock_offset_ms(&self) -> f64 {
        self.clock.offset_ms()
    }

    /// `user.authorize(options)`: `Ok(true)` = `{success: true}`. `options` is the JSON text of the
    /// caller's options (`None` = no argument: the official default, Alipay).
    ///
    /// Anonymous always runs (a fresh identity). A provider login is skipped, as in 3.x, when a
    /// session of the same `authType` exists; 3.x then resolves `undefined`, this resolves `true`.
    pub async fn authorize(&self, options: Option<&str>) -> Result<bool, Error> {
        let opts = authorize::parse_options(options)?;
        if opts.kind != AuthKind::Anonymous {
            let s = self.session.borrow();
            if s.token.is_some() && s.current_auth_type.is_some() && s.current_auth_type == opts.auth_type {
                return Ok(true);
            }
        }
        self.run_auth(opts.kind, Some(opts.json)).await
    }

    /// Runs (or joins) an authorization of this kind.
    async fn run_auth(&self, kind: AuthKind, options_json: Option<String>) -> Result<bool, Error> {
        self.flight
            .run(kind.clone(), || async move {
                let Some(token) = self.auth_rpc(&kind).await? else { return Ok(false) };
                let mut s = self.session.borrow_mut();
                s.token = Some(AccessToken::new(token));
                s.current_auth_type = Some(if kind == AuthKind::Anonymous { "anonymous" } else { "" }.into());
                s.kind = Some(kind);
                if let Some(j) = options_json {
                    s.options_json = Some(j);
                }
                Ok(true)
            })
            .await
    }

    /// The authorize RPC itself: the new access token, if the gateway gave one.
    async fn auth_rpc(&self, kind: &AuthKind) -> Result<Option<String>, Error> {
        let reply = match kind {
            AuthKind::Anonymous => {
                let params = authorize::anonymous_params(&self.cfg);
                self.send(authorize::METHOD_ANONYMOUS, Some(&params), None).await?
            }
            AuthKind::Provider(provider) => {
                let code = self.host.login_code().await?;
                let params = authorize::provider_params(&self.cfg, provider, &code);
                self.send(authorize::METHOD_PROVIDER, Some(&params), None).await?
            }
        };
        Ok(reply.data_str("accessToken").map(str::to_string))
    }

    /// The session token, after any authorization in flight has finished.
    async fn token(&self) -> Result<AccessToken, Error> {
        self.flight.idle().await;
        self.session.borrow().token.clone().ok_or(Error::NotLoggedIn(errors::NOT_AUTHORIZED))
    }

    /// Renews the session after `stale` was refused (joined with any concurrent renewal).
    async fn renew(&self, stale: &AccessToken, refused: Error) -> Result<(), Error> {
        self.flight.idle().await;
        let (current, kind) = {
            let s = self.session.borrow();
            (s.token.clone(), s.kind.clone())
        };
        if current.as_ref().is_some_and(|t| t != stale) {
            return Ok(()); // someone else renewed meanwhile
        }
        let Some(kind) = kind else { return Err(refused) };
        match self.run_auth(kind, None).await? {
            true => Ok(()),
            false => Err(refused),
        }
    }

    /// An authenticated RPC: token in body and header; on an invalid-token reply, one renewal (the
    /// stored flow) and one retry, re-signed with a new timestamp and token.
    pub async fn call(&self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        let mut retry = RetryOnce::default();
        loop {
            let token = self.token().await?;
            match self.send(method, params, Some(token.secret())).await {
                Err(e) if is_invalid_token(&e) && retry.take() => self.renew(&token, e).await?,
                other => return other,
            }
        }
    }

    /// Sends a planned RPC (see [`Rpc`]) with [`Client::call`].
    pub async fn send_rpc(&self, rpc: Rpc<'_>) -> Result<Reply, Error> {
        self.call(rpc.method, rpc.params.as_deref()).await
    }

    /// `user.getInfo(options)`.
    pub fn get_info_rpc(&self, options: Option<&str>) -> Rpc<'static> {
        let s = self.session.borrow();
        let params = authorize::profile_params(s.current_auth_type.as_deref(), options, s.options_json.as_deref());
        Rpc::new(authorize::METHOD_PROFILE, params)
    }

    /// One db command (see [`db::build_params`]).
    pub fn db_rpc(
        collection: Option<&str>,
        transaction_id: Option<&str>,
        command: &str,
        args: &[Option<&str>],
        options: Option<&str>,
    ) -> Result<Rpc<'static>, Error> {
        let cmd =
            db::command(command).ok_or_else(|| Error::invalid("command", format!("unknown command {command}")))?;
        Ok(Rpc::new(db::METHOD, db::build_params(collection, transaction_id, cmd, args, options)?))
    }

    /// `db.startTransaction()` (no collection) or `db.collection(name).transaction()`: the RPC;
    /// [`db::transaction_id`] reads its reply.
    pub fn start_transaction_rpc(collection: Option<&str>) -> Result<Rpc<'static>, Error> {
        Self::db_rpc(collection, None, "startTransaction", &[], None)
    }

    /// `function.invoke(name, args)`.
    pub fn invoke_rpc(target: &str, args: Option<&str>) -> Result<Rpc<'static>, Error> {
        Ok(Rpc::new(function::METHOD, function::invoke_params(target, args)?))
    }

    /// `file.getOSSUploadOptionsFromPath(path, targetPath, size, cloudPath)`: the sign RPC alone
    /// (`size` is the decimal text of a whole number of bytes, or `None`).
    pub fn oss_sign_rpc(
        path: &str,
        target_path: Option<&str>,
        size: Option<&str>,
        cloud_path: Option<&str>,
    ) -> Result<Rpc<'static>, Error> {
        if size.is_some_and(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit())) {
            return Err(Error::invalid("size", "size should be a whole number of bytes"));
        }
        Ok(Rpc::new(file::METHOD_SIGN, file::sign_params(path, size, target_path, cloud_path)))
    }

    /// `file.reportOSSUpload(id, contentType)`: the report RPC alone.
    pub fn oss_report_rpc(id: &str, content_type: Option<&str>) -> Result<Rpc<'static>, Error> {
        if id.is_empty() {
            return Err(Error::invalid("id", "id should be a non-empty string"));
        }
        Ok(Rpc::new(file::METHOD_REPORT, file::report_params(id, content_type.filter(|t| !t.is_empty()))))
    }

    /// `file.deleteFile(ids)`.
    pub fn delete_file_rpc(id: &str) -> Result<Rpc<'static>, Error> {
        Ok(Rpc::new(file::METHOD_DELETE, file::delete_params(id)?))
    }

    /// `file.info(ids, options)`.
    pub fn file_info_rpc(ids: &str, options: Option<&str>) -> Result<Rpc<'static>, Error> {
        Ok(Rpc::new(file::METHOD_INFO, file::info_params(ids, options)?))
    }

    /// `network.forward(method, params)` (3.x escape hatch): any method, caller's params JSON text.
    pub fn forward_rpc<'a>(method: &'a str, params: Option<&str>) -> Result<Rpc<'a>, Error> {
        if method.is_empty() {
            return Err(Error::invalid("method", "method should be a non-empty string"));
        }
        if let Some(p) = params {
            Json::parse(p).map_err(|_| Error::invalid("params", "params is not serialisable to JSON"))?;
        }
        Ok(Rpc { method, params: params.map(str::to_string) })
    }

    /// `file.uploadFile(options)`: resolves the JSON text of `{fileUrl, filePath, fileId}`.
    pub async fn upload_file(&self, options: &str) -> Result<String, Error> {
        let o = file::UploadOptions::from_json(options)
            .map_err(|e| Error::invalid("options", format!("uploadFile options are invalid: {e}")))?;
        let plan = file::plan_upload(&o)?;
        let reply = self.call(file::METHOD_SIGN, Some(&plan.sign_params)).await?;
        let sign = file::parse_sign(&reply)?;
        let upload = file::upload_request(&plan, &sign, &o, &self.cfg.space_id);
        let res = self.host.upload_file(upload).await?;
        file::check_upload_status(res.status)?;
        if sign.oss_callback_url.is_none() {
            let params = file::report_params(&sign.id, plan.content_type);
            self.call(file::METHOD_REPORT, Some(&params)).await?;
        }
        Ok(file::upload_result(&sign))
    }

    /// `user.getInfo(options)`, planned and sent.
    pub async fn get_info(&self, options: Option<&str>) -> Result<Reply, Error> {
        self.send_rpc(self.get_info_rpc(options)).await
    }

    /// One db command, planned and sent.
    pub async fn db(
        &self,
        collection: Option<&str>,
        transaction_id: Option<&str>,
        command: &str,
        args: &[Option<&str>],
        options: Option<&str>,
    ) -> Result<Reply, Error> {
        self.send_rpc(Self::db_rpc(collection, transaction_id, command, args, options)?).await
    }

    /// Starts a transaction: the reply and the transaction id (an error if the gateway gave none,
    /// where 3.1.5 silently continues without a transaction).
    pub async fn start_transaction(&self, collection: Option<&str>) -> Result<(Reply, String), Error> {
        let reply = self.send_rpc(Self::start_transaction_rpc(collection)?).await?;
        let id = db::transaction_id(&reply)?;
        Ok((reply, id))
    }

    /// `function.invoke(name, args)`, planned and sent.
    pub async fn invoke(&self, target: &str, args: Option<&str>) -> Result<Reply, Error> {
        self.send_rpc(Self::invoke_rpc(target, args)?).await
    }

    /// The OSS sign RPC, planned and sent.
    pub async fn oss_sign(
        &self,
        path: &str,
        target_path: Option<&str>,
        size: Option<&str>,
        cloud_path: Option<&str>,
    ) -> Result<Reply, Error> {
        self.send_rpc(Self::oss_sign_rpc(path, target_path, size, cloud_path)?).await
    }

    /// The OSS report RPC, planned and sent.
    pub async fn oss_report(&self, id: &str, content_type: Option<&str>) -> Result<Reply, Error> {
        self.send_rpc(Self::oss_report_rpc(id, content_type)?).await
    }

    /// `file.deleteFile(ids)`, planned and sent.
    pub async fn delete_file(&self, id: &str) -> Result<Reply, Error> {
        self.send_rpc(Self::delete_file_rpc(id)?).await
    }

    /// `file.info(ids, options)`, planned and sent.
    pub async fn file_info(&self, ids: &str, options: Option<&str>) -> Result<Reply, Error> {
        self.send_rpc(Self::file_info_rpc(ids, options)?).await
    }

    /// `network.forward(method, params)`, planned and sent.
    pub async fn forward(&self, method: &str, params: Option<&str>) -> Result<Reply, Error> {
        self.send_rpc(Self::forward_rpc(method, params)?).await
    }
}
