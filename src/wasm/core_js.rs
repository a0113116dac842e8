//! `Core`: the low-level handle of the full entry's `init()`. It checks the bridge and encrypts
//! passwords; the Authing and MPServerless clients are separate classes. (Compiled with the `auth`
//! feature only, see `wasm/mod.rs`.)

use super::error_js::to_js;
use super::host_js::JsHost;
use crate::crypto::{fresh_rng, rsa, sm2};
use crate::error::Error;
use crate::host::{Host, HttpRequest, Method};
use js_sys::{Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The low-level core bound to one host object.
#[wasm_bindgen]
pub struct Core {
    host: Rc<JsHost>,
}

fn promise<F>(fut: F) -> Promise
where
    F: core::future::Future<Output = Result<JsValue, Error>> + 'static,
{
    super::promise(Box::pin(async move { fut.await.map_err(|e| to_js(&e)) }))
}

#[wasm_bindgen]
impl Core {
    /// Binds the core to a host object (see the `Host` interface).
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue) -> Core {
        Core { host: Rc::new(JsHost::new(host)) }
    }

    /// Sends `GET url` through the host's `request` and resolves `{statusCode, data}`: a check that
    /// the host adapter works end to end.
    #[wasm_bindgen(unchecked_return_type = "Promise<{statusCode: number, data: string}>")]
    pub fn ping(&self, url: String) -> Promise {
        let host = self.host.clone();
        promise(async move {
            if url.is_empty() {
                return Err(Error::invalid("url", "must not be empty"));
            }
            let res = host
                .request(HttpRequest { method: Method::Get, url, headers: Vec::new(), body: None, timeout_ms: 5_000 })
                .await?;
            let out = Object::new();
            let _ = Reflect::set(&out, &"statusCode".into(), &JsValue::from(res.status));
            let _ = Reflect::set(&out, &"data".into(), &JsValue::from_str(&res.body));
            Ok(out.into())
        })
    }

    /// Encrypts a password as the Authing add-ons do: `kind` is `rsa` (PKCS#1 v1.5, base64) or
    /// `sm2` (C1C3C2 hex without `04`). Fresh host entropy is mixed in first.
    #[wasm_bindgen(js_name = encryptPassword, unchecked_return_type = "Promise<string>")]
    pub fn encrypt_password(&self, kind: String, public_key: String, plaintext: String) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let encrypt = match kind.as_str() {
                "rsa" => rsa::encrypt_password,
                "sm2" => sm2::encrypt_password,
                _ => return Err(Error::invalid("kind", "must be \"rsa\" or \"sm2\"")),
            };
            let mut rng = fresh_rng(host.as_ref()).await?;
            Ok(JsValue::from_str(&encrypt(&public_key, &plaintext, &mut rng)?))
        })
    }
}
