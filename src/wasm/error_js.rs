//! The one place that turns a core [`Error`] into a JS value.

use crate::error::Error;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A real JS `Error` named `SdkError`, with `code` and, for server errors, `statusCode` and
/// `apiCode`. Rejections from the core are always of this shape.
pub fn to_js(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    let obj: &JsValue = js.as_ref();
    // Through Reflect::set like the other members (an `Error.name` setter would be one more import).
    let _ = Reflect::set(obj, &"name".into(), &"SdkError".into());
    let _ = Reflect::set(obj, &"code".into(), &err.code().as_str().into());
    match err {
        Error::Server { status, api_code, .. } => {
            let _ = Reflect::set(obj, &"statusCode".into(), &JsValue::from(*status));
            if let Some(code) = api_code {
                let _ = Reflect::set(obj, &"apiCode".into(), &JsValue::from_str(code));
            }
        }
        Error::Host(h) => {
            let _ = Reflect::set(obj, &"capability".into(), &JsValue::from_str(h.capability));
        }
        _ => {}
    }
    js.into()
}

/// Best human-readable text of a thrown or rejected JS value: `Error.message`, the `errMsg` of a
/// wx/my failure object, a string itself, or a description of the value's type.
pub fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    if value.is_object() {
        for key in ["errMsg", "message", "errorMessage"] {
            if let Ok(v) = Reflect::get(value, &JsValue::from_str(key)) {
                if let Some(s) = v.as_string() {
                    return s;
                }
            }
        }
        return "a non-Error object".into();
    }
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}
