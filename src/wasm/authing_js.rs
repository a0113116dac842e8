//! `AuthingCore`: the Authing client exported to JS. The facade (`js-shim/authing.js`) calls
//! `call(method, input)` with the input as JSON text and gets back the JSON text of the
//! `[error, data]` tuple; the promise never rejects. One exported entry point instead of one per
//! method keeps the wasm and its glue small. [`pick`] is the one place a JS name picks a method of
//! [`AuthingClient`] and its argument is read (once, with [`args`]) into the typed value the
//! method takes.

use super::error_js::{describe, to_js};
use super::host_js::JsHost;
use crate::authing::account;
use crate::authing::args::{self, encrypt_type, object, optional_object, options};
use crate::authing::client::Encryptor;
use crate::authing::password::EncryptType;
use crate::authing::{outcome, tuple_text, AuthingClient, Config, Json, Platform};
use crate::error::Error;
use core::future::Future;
use core::pin::Pin;
use js_sys::{Array, Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The Authing client bound to one host object.
#[wasm_bindgen]
pub struct AuthingCore {
    /// The client, or the `SdkError` its options gave: every call rejects with it (a constructor
    /// that cannot throw needs no result slot in the glue).
    client: Result<Rc<AuthingClient<JsHost>>, JsValue>,
}

/// Wraps the app's `encryptFunction(plainText, publicKey)`: a throw, an async function or the
/// `"false"` jsencrypt returns on failure become a `CRYPTO` error instead of garbage on the wire.
fn js_encryptor(f: Function) -> Encryptor {
    Box::new(move |_kind: EncryptType, plaintext: &str, public_key: &str| {
        // `apply`, the import the host calls use, rather than a `call2` import of its own.
        let args: Array = [JsValue::from_str(plaintext), JsValue::from_str(public_key)].iter().collect();
        let out = f
            .apply(&JsValue::NULL, &args)
            .map_err(|e| Error::Crypto(format!("encryptFunction threw: {}", describe(&e))))?;
        match out.as_string() {
            Some(s) if !s.is_empty() && s != "false" => Ok(s),
            Some(_) => Err(Error::Crypto("encryptFunction failed (it returned an empty string or \"false\")".into())),
            None => Err(Error::Crypto("encryptFunction must return the ciphertext as a string, synchronously".into())),
        }
    })
}

/// A method of [`AuthingClient`] with its argument, ready to run.
type Task<'a> = Pin<Box<dyn Future<Output = Result<Json, Error>> + 'a>>;

/// The method whose JS name is `method`, with `input` (the JSON text of its argument, the file path
/// for `updateAvatar`; `None` when the app passed none) read into the value it takes. A plain
/// function returning one boxed future per method keeps each method's state machine its own
/// (measured smaller than one `async` match over all of them).
fn pick<'a>(c: &'a AuthingClient<JsHost>, method: &str, input: Option<&'a str>) -> Result<Task<'a>, Error> {
    let platform = c.config().platform;
    Ok(match method {
        "getLoginState" => Box::pin(c.get_login_state()),
        "loginByCode" => Box::pin(c.login_by_code(options(input, method)?)),
        "loginByPassword" => Box::pin(c.login_by_password(options(input, method)?)),
        "sendSms" => Box::pin(c.send_sms(options(input, method)?)),
        "loginByPassCode" => Box::pin(c.login_by_pass_code(options(input, method)?)),
        "refreshToken" => Box::pin(c.refresh_token()),
        "getPhone" => Box::pin(c.get_phone(options(input, method)?)),
        "updatePassword" => Box::pin(c.update_password(options(input, method)?)),
        "getUserInfo" => Box::pin(c.get_user_info(optional_object(input, "getUserInfo options")?)),
        "updateUserInfo" => Box::pin(c.update_user_info(options(input, method)?)),
        "checkLogin" => Box::pin(c.check_login()),
        "updateAvatar" => Box::pin(c.update_avatar(input.unwrap_or_default())),
        "logout" => Box::pin(c.logout()),
        "clearLoginState" => Box::pin(c.clear_login_state()),
        "saveLoginState" => Box::pin(c.save_login_state(object(input, "saveLoginState state")?)),
        "getLoginCode" => Box::pin(c.get_login_code()),
        "getPublicKey" => Box::pin(c.get_public_key(encrypt_type(input)?)),
        "loginByPhone" => Box::pin(c.login_by_phone(options(input, method)?)),
        "bindWxByCode" | "bindPlatformByCode" => {
            let input = optional_object(input, "bind options")?.unwrap_or_default();
            Box::pin(c.bind_by_code(input, if method == "bindWxByCode" { Platform::Wx } else { platform }))
        }
        "decryptData" => Box::pin(c.decrypt_data(options(input, method)?)),
        _ => match account::FLOWS.iter().find(|(name, _)| *name == method) {
            Some((_, flow)) => Box::pin(c.account_flow(flow, options(input, method)?)),
            None => return Err(args::unknown_method(method)),
        },
    })
}

#[wasm_bindgen]
impl AuthingCore {
    /// Binds a client to `host` (see the `Host` interface). `options` is the JSON text of
    /// `{appId, userPoolId, host?, platform?}`; `encryptFunction`, if a function, replaces the
    /// built-in RSA/SM2 encryption.
    ///
    /// Bad options make every call reject with an `SdkError` of code `INVALID_ARGUMENT`.
    #[wasm_bindgen(constructor)]
    pub fn new(host: JsValue, options: String, encrypt_function: JsValue) -> AuthingCore {
        let client = Config::from_json(&options)
            .map_err(|e| to_js(&Error::invalid("options", outcome::message(&e))))
            .map(|config| {
                let encryptor = encrypt_function.dyn_into::<Function>().ok().map(js_encryptor);
                Rc::new(AuthingClient::new(JsHost::new(host), config, encryptor))
            });
        AuthingCore { client }
    }

    /// Runs the method `method` (`getLoginState`, `loginByCode`, ..., `logout`, and `checkLogin`,
    /// the login gate alone) with `input`, the JSON text of its argument (or the file path for
    /// `updateAvatar`); undefined when the app passed none. Resolves the tuple's JSON text.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn call(&self, method: String, input: Option<String>) -> Promise {
        let client = self.client.clone();
        super::promise(Box::pin(async move {
            let client = client?;
            let result = match pick(&client, &method, input.as_deref()) {
                Ok(task) => task.await,
                Err(f) => Err(f),
            };
            Ok(JsValue::from_str(&tuple_text(&result)))
        }))
    }
}
