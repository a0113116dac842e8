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
use crate::serverless::{errors, Client, Config};
use js_sys::{Array, Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const SERVERLESS_TS: &'static str = r#"
/** A gateway reply: the raw JSON body text and the `request-id` header. */
export interface ServerlessReply {
  body: string;
  statusCode: number;
  requestId?: string;
  transactionId?: string;
}
"#;

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
    set("sdkCode", JsValue::from_str(err.code()));
    js
}

fn promise<F>(fut: F) -> Promise
where
    F: core::future::Future<Output = Result<JsValue, Error>> + 'static,
{
    future_to_promise(async move { fut.await.map_err(|e| serverless_error(&e)) })
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

#[wasm_bindgen]
impl ServerlessClient {
    /// `config` is the JSON text of `{appId, spaceId, clientSecret, endpoint, timeout?, isvAppId?}`;
    /// throws `ValidationFailed` naming the missing field.
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue, config: String) -> Result<ServerlessClient, JsValue> {
        let cfg = Config::from_json(&config).map_err(|e| serverless_error(&e))?;
        Ok(ServerlessClient { inner: Rc::new(Client::new(JsHost::new(host), cfg)) })
    }

    /// Whether a session token is held.
    #[wasm_bindgen(getter, js_name = isAuthorized)]
    pub fn is_authorized(&self) -> bool {
        self.inner.is_authorized()
    }

    /// Request timeout in milliseconds (after the official parsing rules).
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> u32 {
        self.inner.config().timeout_ms
    }

    /// `user.authorize(options)`; `options` is JSON text or undefined. Resolves a boolean (success).
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn authorize(&self, options: Option<String>) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(JsValue::from_bool(c.authorize(options.as_deref()).await?)) })
    }

    /// `user.getInfo(options)`.
    #[wasm_bindgen(js_name = getInfo, unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn get_info(&self, options: Option<String>) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(reply_to_js(&c.get_info(options.as_deref()).await?).into()) })
    }

    /// One db command: `args` is an array of JSON texts (`undefined` for an omitted argument) in the
    /// command's argument order.
    #[wasm_bindgen(unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn db(
        &self,
        collection: Option<String>,
        transaction_id: Option<String>,
        command: String,
        args: Array,
        options: Option<String>,
    ) -> Promise {
        let c = self.inner.clone();
        let args: Vec<Option<String>> = args.iter().map(|v| v.as_string()).collect();
        promise(async move {
            let refs: Vec<Option<&str>> = args.iter().map(Option::as_deref).collect();
            let reply =
                c.db(collection.as_deref(), transaction_id.as_deref(), &command, &refs, options.as_deref()).await?;
            Ok(reply_to_js(&reply).into())
        })
    }

    /// `db.startTransaction()`: the reply plus `transactionId`.
    #[wasm_bindgen(js_name = startTransaction, unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn start_transaction(&self) -> Promise {
        let c = self.inner.clone();
        promise(async move {
            let (reply, id) = c.start_transaction().await?;
            let out = reply_to_js(&reply);
            let _ = Reflect::set(&out, &"transactionId".into(), &JsValue::from_str(&id));
            Ok(out.into())
        })
    }

    /// `function.invoke(name, args)`; `args` is JSON text or undefined.
    #[wasm_bindgen(unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn invoke(&self, target: String, args: Option<String>) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(reply_to_js(&c.invoke(&target, args.as_deref()).await?).into()) })
    }

    /// `file.uploadFile(options)`: resolves the JSON text of `{fileUrl, filePath, fileId}`.
    #[wasm_bindgen(js_name = uploadFile, unchecked_return_type = "Promise<string>")]
    pub fn upload_file(&self, options: String) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(JsValue::from_str(&c.upload_file(&options).await?)) })
    }

    /// `file.deleteFile(ids)` (comma-joined).
    #[wasm_bindgen(js_name = deleteFile, unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn delete_file(&self, id: String) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(reply_to_js(&c.delete_file(&id).await?).into()) })
    }

    /// `file.info(ids, options)` (ids comma-joined, options JSON text or undefined).
    #[wasm_bindgen(js_name = fileInfo, unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn file_info(&self, ids: String, options: Option<String>) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(reply_to_js(&c.file_info(&ids, options.as_deref()).await?).into()) })
    }

    /// Any authenticated RPC (`network.forward`).
    #[wasm_bindgen(unchecked_return_type = "Promise<ServerlessReply>")]
    pub fn forward(&self, method: String, params: Option<String>) -> Promise {
        let c = self.inner.clone();
        promise(async move { Ok(reply_to_js(&c.forward(&method, params.as_deref()).await?).into()) })
    }
}
