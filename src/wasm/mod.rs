//! The wasm boundary: every `#[wasm_bindgen]` item of the crate lives under this module.
//!
//! - [`host_js`]: the JS host object, implementing [`crate::host::Host`] with typed errors and
//!   timeouts for every way a callback can misbehave.
//! - [`entropy`]: the module-wide DRBG and its seeding from the host.
//! - [`error_js`]: the one conversion from [`crate::Error`] to a JS `Error` with a `code`.
//! - [`core_js`]: the low-level `Core` class (bridge check and password encryption).

#[cfg(feature = "auth")]
pub mod authing_js;
// The low-level `Core` (bridge check, password encryption) is reached only through the full
// entry's `init()`: the serverless-only artifact does not carry it.
#[cfg(feature = "auth")]
pub mod core_js;
#[cfg(feature = "auth")]
pub mod entropy;
pub mod error_js;
pub mod host_js;
#[cfg(feature = "serverless")]
pub mod serverless_js;
mod timer;

use core::future::Future;
use core::pin::Pin;
use js_sys::Promise;
use wasm_bindgen::prelude::JsValue;

/// A boxed future settling a JS promise.
pub type JsTask = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The one `future_to_promise` instantiation of the crate: every exported async method boxes its
/// future and goes through here, so the promise/task machinery is in the wasm once, not once per
/// method.
pub fn promise(task: JsTask) -> Promise {
    wasm_bindgen_futures::future_to_promise(task)
}

// The `Host` interface the JS shim implements is typed once, in pkg-template/index.d.ts (the
// package ships those hand-written typings, not the generated ones).

/// The allocator: talc instead of std's dlmalloc (measured smaller; see Cargo.toml).
// SAFETY: the wasm module is single-threaded (no shared memory, no threads), which is what
// `TalckWasm`'s `AssumeUnlockable` lock requires.
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
