//! `ServerlessClient`: the MPServerless core exported to the JS facade (`js-shim/mpserverless.js`).
//!
//! Caller values cross the boundary as JSON text serialised by the facade, in one object of named
//! arguments per call, read once by name in `ServerlessClient::run` (measured +142 B brotli on the
//! serverless core against positional arrays); replies come back as the raw gateway body text
//! (`{body, requestId}`), which the facade decodes into the official result shapes. Errors are
//! real JS `Error`s named `MPServerlessError` with the `code` and `type` of
//! [`crate::serverless::errors::classify`], plus `sdkCode` (the core's code) and, for gateway
//! errors, `statusCode`.

use super::error_js::to_js;
use super::host_js::JsHost;
use crate::error::Error;
use crate::serverless::envelope::Reply;
use crate::serverless::{db, errors, Client, Config};
use js_sys::{Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The error an MPServerless app sees: `{name: 'MPServerlessError', code, type, message, sdkCode}`.
pub fn serverless_error(err: &Error) -> JsValue {
    let js = to_js(err);
    let (code, kind) = errors::classify(err);
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&js, &JsValue::from_str(k), &v);
    };
    set("name", JsValue::from_str("MPServerlessError"));
    set("message", JsValue::from_str(&errors::message(err)));
    set("code", JsValue::from_str(&code));
    set("type", JsValue::from_str(kind));
    set("sdkCode", JsValue::from_str(err.code().as_str()));
    js
}

fn reply_to_js(reply: &Reply) -> Object {
    let out = Object::new();
    let _ = Reflect::set(&out, &"body".into(), &JsValue::from_str(&reply.body));
    let _ = Reflect::set(&out, &"statusCode".into(), &JsValue::from(reply.status));
    if let Some(id) = &reply.request_id {
        let _ = Reflect::set(&out, &"requestId".into(), &JsValue::from_str(id));
    }
    out
}

/// The MPServerless client core bound to one host object.
#[wasm_bindgen]
pub struct ServerlessClient {
    /// The client, or the `ValidationFailed` error its config gave: every call rejects with it (a
    /// constructor that cannot throw needs no result slot in the glue).
    inner: Result<Rc<Client<JsHost>>, JsValue>,
}

/// The argument `name` of a call (`undefined` and non-strings are `None`).
fn arg(args: &JsValue, name: &str) -> Option<String> {
    Reflect::get(args, &JsValue::from_str(name)).ok()?.as_string()
}

impl ServerlessClient {
    /// Runs one method; see [`ServerlessClient::call`].
    async fn run(c: Rc<Client<JsHost>>, method: String, a: JsValue) -> Result<JsValue, Error> {
        type C = Client<JsHost>;
        let s = |name: &str| arg(&a, name);
        let forward_method; // borrowed by the `forward` Rpc
        let rpc = match method.as_str() {
            "authorize" => return Ok(JsValue::from_bool(c.authorize(s("options").as_deref()).await?)),
            "uploadFile" => return Ok(JsValue::from_str(&c.upload_file(&s("plan").unwrap_or_default()).await?)),
            "startTransaction" => C::start_transaction_rpc(s("collection").as_deref())?,
            "getInfo" => c.get_info_rpc(s("options").as_deref()),
            "db" => {
                let command = s("command").unwrap_or_default();
                // The command's arguments by name, in its argument order.
                let args: Vec<Option<String>> =
                    db::command(&command).map_or(Vec::new(), |d| d.arg_names().map(s).collect());
                let args: Vec<Option<&str>> = args.iter().map(Option::as_deref).collect();
                let (collection, tx) = (s("collection"), s("transactionId"));
                C::db_rpc(collection.as_deref(), tx.as_deref(), &command, &args, s("options").as_deref())?
            }
            "invoke" => C::invoke_rpc(&s("target").unwrap_or_default(), s("args").as_deref())?,
            "deleteFile" => C::delete_file_rpc(&s("ids").unwrap_or_default())?,
            "fileInfo" => C::file_info_rpc(&s("ids").unwrap_or_default(), s("options").as_deref())?,
            "ossSign" => {
                let (target, size, cloud) = (s("targetPath"), s("size"), s("cloudPath"));
                C::oss_sign_rpc(&s("path").unwrap_or_default(), target.as_deref(), size.as_deref(), cloud.as_deref())?
            }
            "ossReport" => C::oss_report_rpc(&s("id").unwrap_or_default(), s("contentType").as_deref())?,
            "forward" => {
                forward_method = s("method").unwrap_or_default();
                C::forward_rpc(&forward_method, s("params").as_deref())?
            }
            _ => return Err(Error::invalid("method", "unknown method")),
        };
        // One send for every module call (see `Rpc`): the gateway state machine is compiled once.
        let reply = c.send_rpc(rpc).await?;
        let out = reply_to_js(&reply);
        if method == "startTransaction" {
            let id = db::transaction_id(&reply)?;
            let _ = Reflect::set(&out, &"transactionId".into(), &JsValue::from_str(&id));
        }
        Ok(out.into())
    }
}

#[wasm_bindgen]
impl ServerlessClient {
    /// `config` is the JSON text of `{appId, spaceId, clientSecret, endpoint, timeout?, isvAppId?}`;
    /// a bad one makes every call reject with `ValidationFailed` naming the field.
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue, config: String) -> ServerlessClient {
        let inner = Config::from_json(&config).map(|cfg| Rc::new(Client::new(JsHost::new(host), cfg)));
        ServerlessClient { inner: inner.map_err(|e| serverless_error(&e)) }
    }

    /// Runs `method` with `args`, an object of named strings (JSON texts or plain strings; an
    /// omitted or `undefined` field is absent). One exported entry point instead of one per method
    /// keeps the wasm and its glue small. Methods and their arguments:
    ///
    /// - `authorize {options}` resolves a boolean (success);
    /// - `getInfo {options}`, `invoke {target, args}`, `deleteFile {ids}` (comma-joined),
    ///   `fileInfo {ids, options}`, `forward {method, params}` resolve a `ServerlessReply`;
    /// - `db {collection, transactionId, command, options, ...}` plus the command's arguments by
    ///   their names (`query`, `filter`, `update`, ...: [`db::COMMANDS`]) resolves a `ServerlessReply`;
    /// - `startTransaction {collection?}` resolves a `ServerlessReply` plus `transactionId`;
    /// - `ossSign {path, targetPath, size, cloudPath}` (size as decimal text) and
    ///   `ossReport {id, contentType}` resolve a `ServerlessReply`;
    /// - `uploadFile {plan}` resolves the JSON text of `{fileUrl, filePath, fileId}`.
    ///
    /// Rejects with an `MPServerlessError`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn call(&self, method: String, args: JsValue) -> Promise {
        let c = self.inner.clone();
        super::promise(Box::pin(async move { Self::run(c?, method, args).await.map_err(|e| serverless_error(&e)) }))
    }
}
