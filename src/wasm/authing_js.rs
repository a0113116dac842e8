//! `AuthingCore`: the Authing client exported to JS. The facade (`js-shim/authing.js`) calls
//! `call(method, input)` with the input as JSON text and gets back the JSON text of the
//! `[error, data]` tuple; the promise never rejects. One exported entry point instead of one per
//! method keeps the wasm and its glue small.

use super::error_js::{describe, to_js};
use super::host_js::JsHost;
use crate::authing::client::Encryptor;
use crate::authing::password::EncryptType;
use crate::authing::{tuple_text, AuthingClient, Config};
use crate::error::Error;
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The Authing client bound to one host object.
#[wasm_bindgen]
pub struct AuthingCore {
    client: Rc<AuthingClient<JsHost>>,
}

/// Wraps the app's `encryptFunction(plainText, publicKey)`: a throw, an async function or the
/// `"false"` jsencrypt returns on failure become a `CRYPTO` error instead of garbage on the wire.
fn js_encryptor(f: Function) -> Encryptor {
    Box::new(move |_kind: EncryptType, plaintext: &str, public_key: &str| {
        let out = f
            .call2(&JsValue::NULL, &JsValue::from_str(plaintext), &JsValue::from_str(public_key))
            .map_err(|e| Error::Crypto(format!("encryptFunction threw: {}", describe(&e))))?;
        match out.as_string() {
            Some(s) if !s.is_empty() && s != "false" => Ok(s),
            Some(_) => Err(Error::Crypto("encryptFunction failed (it returned an empty string or \"false\")".into())),
            None => Err(Error::Crypto("encryptFunction must return the ciphertext as a string, synchronously".into())),
        }
    })
}

#[wasm_bindgen]
impl AuthingCore {
    /// Binds a client to `host` (see the `Host` interface). `options` is the JSON text of
    /// `{appId, userPoolId, host?, platform?}`; `encryptFunction`, if a function, replaces the
    /// built-in RSA/SM2 encryption.
    ///
    /// # Errors
    /// An `SdkError` with code `INVALID_ARGUMENT` for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue, options: String, encrypt_function: JsValue) -> Result<AuthingCore, JsValue> {
        let config = Config::from_json(&options).map_err(|f| to_js(&Error::invalid("options", f.message)))?;
        let encryptor = encrypt_function.dyn_into::<Function>().ok().map(js_encryptor);
        Ok(AuthingCore { client: Rc::new(AuthingClient::new(JsHost::new(host), config, encryptor)) })
    }

    /// Runs the method `method` (`getLoginState`, `loginByCode`, ..., `logout`, and `checkLogin`,
    /// the login gate alone) with `input`, the JSON text of its argument (or the file path for
    /// `updateAvatar`); undefined when the app passed none. Resolves the tuple's JSON text.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn call(&self, method: String, input: Option<String>) -> Promise {
        let client = self.client.clone();
        super::promise(Box::pin(async move {
            let result = client.call(&method, input.as_deref()).await;
            Ok(JsValue::from_str(&tuple_text(&result)))
        }))
    }
}
