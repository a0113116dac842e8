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
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

/// A boxed future settling a JS promise.
pub type JsTask = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The one `future_to_promise` instantiation of the crate: every exported async method boxes its
/// future and goes through here, so the promise/task machinery is in the wasm once, not once per
/// method.
pub fn promise(task: JsTask) -> Promise {
    wasm_bindgen_futures::future_to_promise(task)
}

#[wasm_bindgen(typescript_custom_section)]
const HOST_TS: &'static str = r#"
/** An HTTP request the core asks the host to send. */
export interface HostRequest {
  method: 'GET' | 'POST';
  url: string;
  header: Record<string, string>;
  data?: string;
  timeout: number;
}
/** A multipart upload the core asks the host to perform. */
export interface HostUpload {
  url: string;
  filePath: string;
  name: string;
  formData: Record<string, string>;
  header: Record<string, string>;
  timeout: number;
}
/** What the host reports back for a request or upload. `data` is the raw body text. */
export interface HostResponse {
  statusCode: number;
  data: string | object;
  header?: Record<string, string>;
}
/**
 * The platform capabilities the core awaits. Every function returns a Promise; a missing function,
 * a synchronous throw, a non-Promise return, a rejection or a Promise that never settles becomes a
 * typed error (`code` HOST_MISSING, HOST_THREW, HOST_NOT_PROMISE, HOST_REJECTED, TIMEOUT).
 */
export interface Host {
  request(req: HostRequest): Promise<HostResponse>;
  uploadFile?(req: HostUpload): Promise<HostResponse>;
  login?(): Promise<string>;
  getStorage?(key: string): Promise<string | null | undefined>;
  setStorage?(key: string, value: string): Promise<void>;
  removeStorage?(key: string): Promise<void>;
  getRandomValues(length: number): Promise<Uint8Array | ArrayBuffer>;
  /** Milliseconds before a host call that never settles fails with TIMEOUT (default 10000). */
  callTimeoutMs?: number;
}
"#;
