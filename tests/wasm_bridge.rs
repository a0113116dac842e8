//! Browser tests of the wasm boundary (`wasm-pack test --headless --chrome`): the host bridge's
//! typed errors for every way a JS callback can misbehave, and fail-closed randomness.
#![cfg(all(target_arch = "wasm32", feature = "auth"))]

use miniapp_sdk::crypto::fresh_rng;
use miniapp_sdk::host::{Host, HttpRequest, Method};
use miniapp_sdk::wasm::core_js::Core;
use miniapp_sdk::wasm::entropy::seed_entropy;
use miniapp_sdk::wasm::host_js::JsHost;
use miniapp_sdk::HostErrorKind;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function makeHost(kind) {
  const ok = (req) => Promise.resolve({ statusCode: 200, data: 'echo:' + req.method + ' ' + req.url + ' ' + (req.data || ''), header: { 'X-Test': '1' } });
  const rnd = (n) => Promise.resolve(crypto.getRandomValues(new Uint8Array(n)));
  const hosts = {
    ok: { request: ok, getRandomValues: rnd },
    missing: { getRandomValues: rnd },
    throws: { request() { throw new TypeError('boom'); } },
    plain: { request() { return { statusCode: 200, data: 'not a promise' }; } },
    rejectsWx: { request() { return Promise.reject({ errMsg: 'request:fail timeout' }); } },
    rejectsError: { request() { return Promise.reject(new Error('socket hang up')); } },
    never: { request() { return new Promise(() => {}); }, callTimeoutMs: 50 },
    badStatus: { request() { return Promise.resolve({ statusCode: 'x', data: '' }); } },
    objectBody: { request() { return Promise.resolve({ statusCode: 201, data: { a: [1, '二'] } }); } },
    slowRandom: { request: ok, getRandomValues() { return new Promise(() => {}); }, callTimeoutMs: 50 },
    shortRandom: { request: ok, getRandomValues: (n) => Promise.resolve(new Uint8Array(8)) },
    noRandom: { request: ok },
    outOfOrder: {
      request(req) {
        const delay = Number(req.url.split('/').pop());
        return new Promise((r) => setTimeout(() => r({ statusCode: 200, data: req.url }), delay));
      },
      getRandomValues: rnd,
    },
  };
  return hosts[kind];
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = makeHost)]
    fn make_host(kind: &str) -> JsValue;
}

fn get(url: &str) -> HttpRequest {
    HttpRequest { method: Method::Get, url: url.into(), headers: vec![], body: None, timeout_ms: 5_000 }
}

async fn fail_kind(kind: &str) -> (HostErrorKind, String) {
    let err = JsHost::new(make_host(kind)).request(get("https://x.test/")).await.unwrap_err();
    (err.kind, err.to_string())
}

#[wasm_bindgen_test]
async fn a_resolved_host_promise_reaches_rust() {
    let host = JsHost::new(make_host("ok"));
    let mut req = get("https://x.test/a?b=1");
    req.method = Method::Post;
    req.body = Some("{\"k\":\"v\"}".into());
    let res = host.request(req).await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "echo:POST https://x.test/a?b=1 {\"k\":\"v\"}");
    assert_eq!(res.header("x-test"), Some("1"));
}

#[wasm_bindgen_test]
async fn object_bodies_are_serialised_to_json_text() {
    let res = JsHost::new(make_host("objectBody")).request(get("https://x.test/")).await.unwrap();
    assert_eq!((res.status, res.body.as_str()), (201, "{\"a\":[1,\"二\"]}"));
}

#[wasm_bindgen_test]
async fn every_misbehaving_callback_becomes_a_typed_error() {
    assert_eq!(
        fail_kind("missing").await,
        (HostErrorKind::Missing, "host function `request` is not provided by the host".into())
    );
    assert_eq!(fail_kind("throws").await, (HostErrorKind::Threw, "host function `request` threw: boom".into()));
    assert_eq!(
        fail_kind("plain").await,
        (HostErrorKind::NotPromise, "host function `request` did not return a Promise: it returned object".into())
    );
    assert_eq!(
        fail_kind("rejectsWx").await,
        (HostErrorKind::Rejected, "host function `request` failed: request:fail timeout".into())
    );
    assert_eq!(
        fail_kind("rejectsError").await,
        (HostErrorKind::Rejected, "host function `request` failed: socket hang up".into())
    );
    assert_eq!(fail_kind("badStatus").await.0, HostErrorKind::BadValue);
}

#[wasm_bindgen_test]
async fn a_host_call_that_never_settles_times_out() {
    // A request is bounded by its own timeout plus a 1 s grace for the host to report it.
    let mut req = get("https://x.test/");
    req.timeout_ms = 10;
    let err = JsHost::new(make_host("never")).request(req).await.unwrap_err();
    assert_eq!(err.kind, HostErrorKind::Timeout);
    assert_eq!(err.to_string(), "host function `request` timed out: no answer within 1010 ms");
    // Other calls are bounded by the host's callTimeoutMs (50 ms here).
    let err = fresh_rng(&JsHost::new(make_host("slowRandom"))).await.err().unwrap();
    assert_eq!(
        err.to_string(),
        "no secure random source: host function `getRandomValues` timed out: no answer within 50 ms"
    );
}

#[wasm_bindgen_test]
async fn concurrent_calls_complete_out_of_order_with_their_own_results() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let host = Rc::new(JsHost::new(make_host("outOfOrder")));
    let finished = Rc::new(RefCell::new(Vec::new()));
    let delays = [60, 10, 40, 0, 25];
    let promises: js_sys::Array = delays
        .iter()
        .map(|d| {
            let (host, finished, d) = (host.clone(), finished.clone(), *d);
            JsValue::from(wasm_bindgen_futures::future_to_promise(async move {
                let url = format!("https://x.test/{d}");
                let body = host.request(get(&url)).await.map_err(|e| JsValue::from_str(&e.to_string()))?.body;
                finished.borrow_mut().push(d);
                Ok(JsValue::from_str(&body))
            }))
        })
        .collect();
    let all = JsFuture::from(js_sys::Promise::all(&promises)).await.unwrap();
    let bodies: Vec<String> = js_sys::Array::from(&all).iter().filter_map(|v| v.as_string()).collect();
    let expected: Vec<String> = delays.iter().map(|d| format!("https://x.test/{d}")).collect();
    assert_eq!(bodies, expected, "each call gets its own response");
    assert_eq!(*finished.borrow(), vec![0, 10, 25, 40, 60], "the calls were in flight together");
}

#[wasm_bindgen_test]
fn getrandom_draws_from_the_host_seeded_drbg() {
    // The custom backend is the module's DRBG: seeded here (other tests may have seeded it too).
    seed_entropy(&[7u8; 48]).unwrap();
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    getrandom::fill(&mut a).unwrap();
    getrandom::fill(&mut b).unwrap();
    assert_ne!(a, [0u8; 32]);
    assert_ne!(a, b);
}

#[wasm_bindgen_test]
fn short_or_zero_seeds_are_refused() {
    assert!(seed_entropy(&[1u8; 8]).is_err());
    assert!(seed_entropy(&[0u8; 48]).is_err());
}

#[wasm_bindgen_test]
async fn crypto_fails_closed_without_a_working_random_source() {
    for kind in ["noRandom", "slowRandom", "shortRandom"] {
        let err = fresh_rng(&JsHost::new(make_host(kind))).await.err().unwrap();
        assert_eq!(err.code(), miniapp_sdk::ErrorCode::NoEntropy, "{kind}: {err}");
    }
    assert!(fresh_rng(&JsHost::new(make_host("ok"))).await.is_ok());
}

#[wasm_bindgen_test]
async fn exported_core_rejects_with_sdk_errors_and_keeps_working() {
    let core = Core::new(make_host("ok"));
    let err = JsFuture::from(core.encrypt_password("rsa".into(), "not a key".into(), "pw".into())).await.unwrap_err();
    let code = js_sys::Reflect::get(&err, &"code".into()).unwrap();
    assert_eq!(code.as_string().as_deref(), Some("CRYPTO"));
    assert!(err.is_instance_of::<js_sys::Error>());
    let key = include_str!("fixtures/rsa-2048-spki.pem");
    let cipher = JsFuture::from(core.encrypt_password("rsa".into(), key.into(), "pw".into())).await.unwrap();
    assert_eq!(cipher.as_string().map(|s| s.len()), Some(344));
    let pong = JsFuture::from(core.ping("https://x.test/p".into())).await.unwrap();
    let data = js_sys::Reflect::get(&pong, &"data".into()).unwrap();
    assert_eq!(data.as_string().as_deref(), Some("echo:GET https://x.test/p "));
}
