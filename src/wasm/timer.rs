//! A cancellable timer over the host's `setTimeout`, used to bound every host call.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &Function, ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = clearTimeout, catch)]
    fn clear_timeout(id: &JsValue) -> Result<JsValue, JsValue>;
}

/// A pending timeout; dropping it clears the host timer so nothing keeps the event loop alive,
/// and resolves the timer's promise: a `JsFuture` whose promise never settles leaks its two
/// callbacks (two glue heap handles and their state in wasm memory) for good, once per host call.
pub struct Timeout {
    id: Option<JsValue>,
    resolve: Option<Function>,
    /// Resolves when the time is up.
    pub fired: JsFuture,
}

impl Timeout {
    /// Starts a timer of `ms` milliseconds. If the host has no `setTimeout`, the returned future
    /// never resolves (the call is then unbounded rather than failing spuriously).
    pub fn start(ms: u32) -> Timeout {
        let mut id = None;
        let mut resolve_fn = None;
        let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
            id = set_timeout(&resolve, f64::from(ms)).ok();
            resolve_fn = Some(resolve);
        });
        Timeout { id, resolve: resolve_fn, fired: JsFuture::from(promise) }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = clear_timeout(&id);
        }
        // Settle the promise so the JsFuture's callbacks run once and free themselves. `call1`, not
        // `call0`: wasm-bindgen-futures imports `call1` already, so this adds no import of its own.
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::UNDEFINED);
        }
    }
}
