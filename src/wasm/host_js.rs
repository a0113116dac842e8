//! [`JsHost`]: the JS host object seen through the [`Host`] trait.
//!
//! Each capability is looked up on the host object at call time and called synchronously inside a
//! `catch`; the returned value must be a Promise (or thenable), which is then raced against a
//! timeout. So a missing function, a synchronous throw, a non-Promise return, a rejection and a
//! Promise that never settles each become a typed [`HostError`], never a hang or an uncaught
//! exception.

use super::error_js::describe;
use super::timer::Timeout;
use crate::error::{HostError, HostErrorKind};
use crate::host::{Host, HttpRequest, HttpResponse, UploadRequest};
use crate::json::Json;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Default bound on a host call that never settles.
pub const DEFAULT_CALL_TIMEOUT_MS: u32 = 10_000;
/// Extra time granted beyond a request's own timeout before the bridge gives up on the host.
const REQUEST_GRACE_MS: u32 = 1_000;

/// The host object injected by the JS shim.
pub struct JsHost {
    object: JsValue,
    call_timeout_ms: u32,
}

impl JsHost {
    /// Wraps a host object. `callTimeoutMs` on the object, if a positive number, overrides the
    /// default timeout for calls without their own.
    pub fn new(object: JsValue) -> JsHost {
        let call_timeout_ms = get(&object, "callTimeoutMs")
            .as_f64()
            .filter(|ms| ms.is_finite() && *ms >= 1.0 && *ms <= f64::from(u32::MAX))
            .map_or(DEFAULT_CALL_TIMEOUT_MS, |ms| ms as u32);
        JsHost { object, call_timeout_ms }
    }

    /// Calls `host[name](...args)` and awaits its Promise, bounded by `timeout_ms`.
    async fn call(&self, name: &'static str, args: &[JsValue], timeout_ms: u32) -> Result<JsValue, HostError> {
        let func = get(&self.object, name)
            .dyn_into::<Function>()
            .map_err(|_| HostError::new(name, HostErrorKind::Missing, ""))?;
        let arr: Array = args.iter().collect();
        let ret =
            func.apply(&self.object, &arr).map_err(|e| HostError::new(name, HostErrorKind::Threw, describe(&e)))?;
        if !is_thenable(&ret) {
            return Err(HostError::new(
                name,
                HostErrorKind::NotPromise,
                format!("it returned {}", describe_type(&ret)),
            ));
        }
        let mut settled = JsFuture::from(Promise::resolve(&ret));
        let mut timeout = Timeout::start(timeout_ms);
        let outcome = poll_fn(|cx| {
            if let Poll::Ready(r) = Pin::new(&mut settled).poll(cx) {
                return Poll::Ready(Some(r));
            }
            match Pin::new(&mut timeout.fired).poll(cx) {
                Poll::Ready(_) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match outcome {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(HostError::new(name, rejection_kind(&e), describe(&e))),
            None => Err(HostError::new(name, HostErrorKind::Timeout, format!("no answer within {timeout_ms} ms"))),
        }
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// How a rejection is classified: structured, never from its text. An adapter that knows the
/// platform call timed out (wx `request:fail timeout`, Alipay error 13) rejects with
/// `kind: 'timeout'`; everything else is a plain rejection.
fn rejection_kind(e: &JsValue) -> HostErrorKind {
    match get(e, "kind").as_string().as_deref() {
        Some("timeout") => HostErrorKind::Timeout,
        _ => HostErrorKind::Rejected,
    }
}

/// An object with a `then` function (a native Promise is one: no `instanceof Promise` import).
fn is_thenable(v: &JsValue) -> bool {
    get(v, "then").is_function()
}

/// `JSON.stringify(v)`, when it gives text.
fn stringify(v: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string())
}

fn describe_type(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else {
        v.js_typeof().as_string().unwrap_or_else(|| "a value".into())
    }
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn header_object(headers: &[(String, String)]) -> Object {
    let obj = Object::new();
    for (k, v) in headers {
        set(&obj, k, &JsValue::from_str(v));
    }
    obj
}

/// Reads `{statusCode, data, header}` as resolved by the host's request/upload function.
fn parse_response(capability: &'static str, v: &JsValue) -> Result<HttpResponse, HostError> {
    let bad = |what: &str| HostError::new(capability, HostErrorKind::BadValue, what.to_string());
    if !v.is_object() {
        return Err(bad("expected an object with statusCode and data"));
    }
    let status = get(v, "statusCode")
        .as_f64()
        .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
        .ok_or_else(|| bad("statusCode is not an HTTP status"))? as u16;
    let data = get(v, "data");
    let body = if let Some(s) = data.as_string() {
        s
    } else if data.is_undefined() || data.is_null() {
        String::new()
    } else if get(&data, "byteLength").as_f64().is_some() {
        // An ArrayBuffer (also from another realm: no `instanceof` import), read as UTF-8.
        String::from_utf8_lossy(&Uint8Array::new(&data).to_vec()).into_owned()
    } else if data.is_object() {
        stringify(&data).ok_or_else(|| bad("data cannot be serialised"))?
    } else {
        return Err(bad("data is neither text nor an object"));
    };
    let mut headers = Vec::new();
    // The string members of `header`, read as JSON text by the crate's one reader (no
    // Object.entries / Array.from / index imports); a header object JSON cannot write has none.
    let header = get(v, "header");
    if let Some(Json::Object(o)) =
        header.is_object().then(|| stringify(&header)).flatten().and_then(|t| Json::parse(&t).ok())
    {
        for (k, val) in o.iter() {
            if let Some(s) = val.as_str() {
                headers.push((k.into(), s.into()));
            }
        }
    }
    Ok(HttpResponse { status, headers, body })
}

impl Host for JsHost {
    async fn request(&self, req: HttpRequest) -> Result<HttpResponse, HostError> {
        let obj = Object::new();
        set(&obj, "method", &JsValue::from_str(req.method.as_str()));
        set(&obj, "url", &JsValue::from_str(&req.url));
        set(&obj, "header", &header_object(&req.headers));
        if let Some(body) = &req.body {
            set(&obj, "data", &JsValue::from_str(body));
        }
        set(&obj, "timeout", &JsValue::from(req.timeout_ms));
        let v = self.call("request", &[obj.into()], req.timeout_ms.saturating_add(REQUEST_GRACE_MS)).await?;
        parse_response("request", &v)
    }

    async fn upload_file(&self, req: UploadRequest) -> Result<HttpResponse, HostError> {
        let obj = Object::new();
        set(&obj, "url", &JsValue::from_str(&req.url));
        set(&obj, "filePath", &JsValue::from_str(&req.file_path));
        set(&obj, "name", &JsValue::from_str(&req.name));
        set(&obj, "formData", &header_object(&req.form));
        set(&obj, "header", &header_object(&req.headers));
        set(&obj, "timeout", &JsValue::from(req.timeout_ms));
        let v = self.call("uploadFile", &[obj.into()], req.timeout_ms.saturating_add(REQUEST_GRACE_MS)).await?;
        parse_response("uploadFile", &v)
    }

    async fn login_code(&self) -> Result<String, HostError> {
        let v = self.call("login", &[], self.call_timeout_ms).await?;
        let code = v.as_string().or_else(|| get(&v, "code").as_string()).or_else(|| get(&v, "authCode").as_string());
        match code {
            Some(c) if !c.is_empty() => Ok(c),
            _ => Err(HostError::new("login", HostErrorKind::BadValue, "expected a non-empty login code")),
        }
    }

    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        let v = self.call("getStorage", &[JsValue::from_str(key)], self.call_timeout_ms).await?;
        // wx hands back "" for a key that was never set.
        if v.is_undefined() || v.is_null() || v.as_string().is_some_and(|s| s.is_empty()) {
            return Ok(None);
        }
        stringify(&v)
            .map(Some)
            .ok_or_else(|| HostError::new("getStorage", HostErrorKind::BadValue, "stored value cannot be read as JSON"))
    }

    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        // Store the JSON value natively (objects stay objects, as the official SDKs store them).
        let parsed = js_sys::JSON::parse(value).unwrap_or_else(|_| JsValue::from_str(value));
        self.call("setStorage", &[JsValue::from_str(key), parsed], self.call_timeout_ms).await?;
        Ok(())
    }

    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        self.call("removeStorage", &[JsValue::from_str(key)], self.call_timeout_ms).await?;
        Ok(())
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        let len_js = JsValue::from(u32::try_from(len).unwrap_or(u32::MAX));
        let v = self.call("getRandomValues", &[len_js], self.call_timeout_ms).await?;
        // Any ArrayBuffer, typed array or array of bytes, also from another realm (no instanceof).
        let is_bytes =
            v.is_object() && (get(&v, "byteLength").as_f64().is_some() || get(&v, "length").as_f64().is_some());
        if !is_bytes {
            return Err(HostError::new(
                "getRandomValues",
                HostErrorKind::BadValue,
                "expected a Uint8Array or ArrayBuffer",
            ));
        }
        let bytes = Uint8Array::new(&v).to_vec();
        if bytes.len() < len {
            return Err(HostError::new(
                "getRandomValues",
                HostErrorKind::BadValue,
                format!("asked for {len} bytes, got {}", bytes.len()),
            ));
        }
        Ok(bytes)
    }
}
