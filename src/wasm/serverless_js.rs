//! `ServerlessClient`: the MPServerless core exported to the JS facade (`js-shim/mpserverless.js`).
//!
//! Caller values cross the boundary as JSON text serialised by the facade; replies come back as the
//! raw gateway body text (`{body, requestId}`), which the facade decodes into the official result
//! shapes. Errors are real JS `Error`s named `MPServerlessError` with the `code` and `type` of
//! [`crate::serverless::errors::classify`], plus `sdkCode` (the core's code) and, for gateway
//! errors, `statusCode`.

use super::error_js::to_js;
use super::host_js::JsHost;
use crate::error::Error;
use crate::serverless::envelope::Reply;
use crate::serverless::{db, errors, Client, Config};
use js_sys::{Array, Object, Promise, Reflect};
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
    inner: Rc<Client<JsHost>>,
}

/// The `index`th argument of a call (`undefined` and non-strings are `None`).
fn arg(args: &[Option<String>], index: usize) -> Option<&str> {
    args.get(index).and_then(|a| a.as_deref())
}

impl ServerlessClient {
    /// Runs one method; see [`ServerlessClient::call`].
    async fn run(c: Rc<Client<JsHost>>, method: String, a: Vec<Option<String>>) -> Result<JsValue, Error> {
        type C = Client<JsHost>;
        let rpc = match method.as_str() {
            "authorize" => return Ok(JsValue::from_bool(c.authorize(arg(&a, 0)).await?)),
            "uploadFile" => return Ok(JsValue::from_str(&c.upload_file(arg(&a, 0).unwrap_or_default()).await?)),
            "startTransaction" => C::start_transaction_rpc(arg(&a, 0))?,
            "getInfo" => c.get_info_rpc(arg(&a, 0)),
            "db" => {
                let rest: Vec<Option<&str>> = a.iter().skip(4).map(Option::as_deref).collect();
                C::db_rpc(arg(&a, 0), arg(&a, 1), arg(&a, 2).unwrap_or_default(), &rest, arg(&a, 3))?
            }
            "invoke" => C::invoke_rpc(arg(&a, 0).unwrap_or_default(), arg(&a, 1))?,
            "deleteFile" => C::delete_file_rpc(arg(&a, 0).unwrap_or_default())?,
            "fileInfo" => C::file_info_rpc(arg(&a, 0).unwrap_or_default(), arg(&a, 1))?,
            "ossSign" => C::oss_sign_rpc(arg(&a, 0).unwrap_or_default(), arg(&a, 1), arg(&a, 2), arg(&a, 3))?,
            "ossReport" => C::oss_report_rpc(arg(&a, 0).unwrap_or_default(), arg(&a, 1))?,
            "forward" => C::forward_rpc(arg(&a, 0).unwrap_or_default(), arg(&a, 1))?,
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
    /// throws `ValidationFailed` naming the missing field.
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue, config: String) -> Result<ServerlessClient, JsValue> {
        let cfg = Config::from_json(&config).map_err(|e| serverless_error(&e))?;
        Ok(ServerlessClient { inner: Rc::new(Client::new(JsHost::new(host), cfg)) })
    }

    /// Runs `method` with `args`, an array of strings (JSON texts or plain strings; `undefined` for
    /// an omitted argument). One exported entry point instead of one per method keeps the wasm and
    /// its glue small. Methods and their arguments:
    ///
    /// - `authorize [options]` resolves a boolean (success);
    /// - `getInfo [options]`, `invoke [target, args]`, `deleteFile [ids]` (comma-joined),
    ///   `fileInfo [ids, options]`, `forward [method, params]` resolve a `ServerlessReply`;
    /// - `db [collection, transactionId, command, options, ...args]` (args in the command's
    ///   argument order) resolves a `ServerlessReply`;
    /// - `startTransaction [collection?]` resolves a `ServerlessReply` plus `transactionId`;
    /// - `ossSign [path, targetPath, size, cloudPath]` (size as decimal text) and
    ///   `ossReport [id, contentType]` resolve a `ServerlessReply`;
    /// - `uploadFile [options]` resolves the JSON text of `{fileUrl, filePath, fileId}`.
    ///
    /// Rejects with an `MPServerlessError`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn call(&self, method: String, args: Array) -> Promise {
        let c = self.inner.clone();
        let a: Vec<Option<String>> = args.iter().map(|v| v.as_string()).collect();
        super::promise(Box::pin(async move { Self::run(c, method, a).await.map_err(|e| serverless_error(&e)) }))
    }
}
