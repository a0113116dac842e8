//! Client flows against an in-memory gateway: exact envelopes and signatures, authorize precedence
//! and token handling, renewal and retry, single-flight, no poisoning, every module call, errors.

use super::envelope::INVALID_TOKEN_CODES;
use super::errors::{classify, NOT_AUTHORIZED};
use super::sign::hmac_md5_hex;
use super::{Client, Config};
use crate::error::{Error, HostError, HostErrorKind};
use crate::fake_host::FakeHost;
use crate::host::{Host, HttpRequest, HttpResponse, UploadRequest};
use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

const SECRET: &str = "test-client-secret";

fn config() -> Config {
    Config::from_json(
        &json!({"appId": "APPID", "spaceId": "SPACE-1", "clientSecret": SECRET, "endpoint": "https://api.example.com"})
            .to_string(),
    )
    .unwrap()
}

/// What the fake gateway does with the next requests.
#[derive(Default)]
struct Gateway {
    issued: Cell<u32>,
    valid: RefCell<Vec<String>>,
    /// Auth requests to fail with a network error before answering normally.
    auth_network_failures: Cell<u32>,
    /// Answer every authed call with an invalid-token error.
    always_invalid: Cell<bool>,
    /// Answer authed calls with HTTP 401 (no JSON) instead of the gateway code.
    invalid_as_401: Cell<bool>,
    /// Override reply for authed calls: (status, body).
    reply: RefCell<Option<(u16, String)>>,
    /// Network failure (kind, detail) for authed calls.
    network: RefCell<Option<(HostErrorKind, String)>>,
    /// Answer the sign RPC with an OSS callback URL.
    oss_callback: Cell<bool>,
    /// Upload status.
    upload_status: Cell<u16>,
}

fn body_of(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap_or("null")).unwrap()
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn ok(data: Value) -> Result<HttpResponse, HostError> {
    Ok(HttpResponse {
        status: 200,
        headers: vec![("request-id".into(), "rid-1".into())],
        body: json!({"success": true, "data": data}).to_string(),
    })
}

fn gw_error(code: &str, message: &str) -> Result<HttpResponse, HostError> {
    Ok(HttpResponse {
        status: 200,
        headers: vec![],
        body: json!({"success": false, "error": {"code": code, "message": message}}).to_string(),
    })
}

/// The reference's signature check, as the emulator does it (§10).
fn verify_signature(req: &HttpRequest) {
    let b = body_of(req);
    let mut parts = vec![];
    for k in ["method", "params", "spaceId", "timestamp", "token"] {
        match b.get(k) {
            Some(Value::String(s)) if !s.is_empty() => parts.push(format!("{k}={s}")),
            Some(Value::Number(n)) => parts.push(format!("{k}={n}")),
            _ => {}
        }
    }
    assert_eq!(header(req, "x-serverless-sign"), Some(hmac_md5_hex(SECRET, &parts.join("&")).as_str()));
    if let Some(t) = b.get("token").and_then(Value::as_str) {
        assert_eq!(header(req, "x-basement-token"), Some(t));
    } else {
        assert_eq!(header(req, "x-basement-token"), None);
    }
}

impl Gateway {
    fn respond(&self, req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.body.is_none() {
            // The OSS upload.
            return Ok(HttpResponse {
                status: self.upload_status.get().max(200),
                headers: vec![],
                body: String::new(),
            });
        }
        verify_signature(req);
        let b = body_of(req);
        let method = b["method"].as_str().unwrap_or_default().to_string();
        if method.starts_with("serverless.auth.user.") && method != "serverless.auth.user.getProfileInfo" {
            if self.auth_network_failures.get() > 0 {
                self.auth_network_failures.set(self.auth_network_failures.get() - 1);
                return Err(HostError::new("request", HostErrorKind::Rejected, "request:fail connection refused"));
            }
            let n = self.issued.get() + 1;
            self.issued.set(n);
            let token = format!("tok{n}");
            self.valid.borrow_mut().push(token.clone());
            return ok(json!({"accessToken": token, "expiresInSecond": 600}));
        }
        let token = b["token"].as_str().unwrap_or_default().to_string();
        if let Some((kind, detail)) = self.network.borrow().as_ref() {
            return Err(HostError::new("request", *kind, detail.clone()));
        }
        if self.always_invalid.get() || !self.valid.borrow().contains(&token) {
            if self.invalid_as_401.get() {
                return Ok(HttpResponse { status: 401, headers: vec![], body: "Unauthorized".into() });
            }
            return gw_error("GATEWAY_INVALID_TOKEN", "token expired");
        }
        if let Some((status, body)) = self.reply.borrow().clone() {
            return Ok(HttpResponse { status, headers: vec![], body });
        }
        let params: Value = serde_json::from_str(b["params"].as_str().unwrap_or("null")).unwrap();
        match method.as_str() {
            "serverless.db.default.execute" => match params["command"].as_str() {
                Some("startTransaction") => ok(json!({"affectedDocs": 0, "transactionId": "tx-1"})),
                _ => ok(json!({"affectedDocs": 1, "result": [{"_id": "1"}]})),
            },
            "serverless.file.resource.generateProximalSign" => {
                let mut d = json!({"id": "fid", "ossPath": "SPACE-1/a.png", "host": "bucket.oss.example.com",
                    "policy": "POL", "signature": "SIG", "accessKeyId": "AK", "cdnDomain": "cdn.example.com"});
                if self.oss_callback.get() {
                    d["ossCallbackUrl"] = json!("https://cb.example.com");
                }
                ok(d)
            }
            _ => ok(json!({"echo": params})),
        }
    }
}

fn setup() -> (Rc<Gateway>, Client<FakeHost>) {
    let gw = Rc::new(Gateway::default());
    let g = gw.clone();
    let host = FakeHost::new(move |req| g.respond(req));
    (gw, Client::new(host, config()))
}

fn run<F: Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

fn sent(c: &Client<FakeHost>) -> Vec<(String, Option<String>, Option<String>)> {
    c.host()
        .requests
        .borrow()
        .iter()
        .map(|r| {
            let b = body_of(r);
            (
                b["method"].as_str().unwrap_or_default().to_string(),
                b["params"].as_str().map(str::to_string),
                b["token"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn methods(c: &Client<FakeHost>) -> Vec<String> {
    sent(c).into_iter().map(|(m, _, _)| m).collect()
}

// Reference §2: the anonymous authorize request of 3.1.5, byte for byte, with its golden signature.
#[test]
fn anonymous_authorize_sends_the_reference_envelope() {
    let (_, c) = setup();
    assert!(run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap());
    let reqs = c.host().requests.borrow();
    let req = reqs.first().unwrap();
    assert_eq!(req.url, "https://api.example.com/client");
    assert_eq!(
        req.body.as_deref(),
        Some(
            r#"{"spaceId":"SPACE-1","method":"serverless.auth.user.anonymousAuthorize","params":"{\"clientIdentifier\":\"APPID\"}","timestamp":1700000000000}"#
        )
    );
    assert_eq!(header(req, "x-serverless-sign"), Some("eac791ea1945848044d1ae5d00b57594"));
    assert_eq!(header(req, "Content-Type"), Some("application/json"));
}

// Golden vectors 4 and 5: an authenticated invoke and a db count carry token tok1 in body and header.
#[test]
fn authenticated_calls_match_the_golden_vectors() {
    let (_, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    c.host().now.set(1_700_000_000_002.0);
    run(c.invoke("hello", Some(r#"{"x":"中文","n":1}"#))).unwrap();
    c.host().now.set(1_700_000_000_003.0);
    run(c.db(Some("books"), None, "count", &[Some("{}")], None)).unwrap();
    let reqs = c.host().requests.borrow();
    let sigs: Vec<_> = reqs.iter().map(|r| header(r, "x-serverless-sign").unwrap_or_default()).collect();
    assert_eq!(sigs.get(1..), Some(&["1b432d97e002f94dc35bf7b675f63d37", "29954c42c2b9ba4e98500918670d4b62"][..]));
    assert_eq!(
        reqs.get(1).and_then(|r| r.body.clone()).unwrap(),
        r#"{"spaceId":"SPACE-1","method":"serverless.function.runtime.invoke","params":"{\"functionTarget\":\"hello\",\"functionArgs\":{\"x\":\"中文\",\"n\":1}}","token":"tok1","timestamp":1700000000002}"#
    );
}

// Provider flow: a fresh platform login code, then authorize with the provider's params.
#[test]
fn provider_authorize_uses_a_login_code() {
    let (_, c) = setup();
    assert!(run(c.authorize(Some(r#"{"authProvider":"wechat_openapi"}"#))).unwrap());
    assert_eq!(c.host().login_calls.get(), 1);
    assert_eq!(
        sent(&c),
        vec![(
            "serverless.auth.user.authorize".to_string(),
            Some(r#"{"authProvider":"wechat_openapi","clientIdentifier":"APPID","authCode":"code-1"}"#.to_string()),
            None
        )]
    );
    // authType absent: 3.x re-authorizes every time (currentAuthType "" !== undefined).
    assert!(run(c.authorize(Some(r#"{"authProvider":"wechat_openapi"}"#))).unwrap());
    assert_eq!(c.host().login_calls.get(), 2);
}

// Defect fix: a second authorize() with the same authType resolves {success:true}, not undefined,
// and reuses the session.
#[test]
fn second_authorize_with_same_auth_type_succeeds_without_a_request() {
    let (_, c) = setup();
    assert!(run(c.authorize(None)).unwrap());
    assert_eq!(methods(&c), ["serverless.auth.user.authorize"]);
    assert!(run(c.authorize(None)).unwrap());
    assert!(run(c.authorize(Some(r#"{"authType":"","authProvider":"alipay_openapi"}"#))).unwrap());
    assert_eq!(methods(&c).len(), 1);
    // Anonymous always runs: a fresh identity.
    assert!(run(c.authorize(Some(r#"{"authType":"anonymous","authProvider":"alipay_openapi"}"#))).unwrap());
    assert_eq!(methods(&c).len(), 2);
    assert_eq!(methods(&c).last().map(String::as_str), Some("serverless.auth.user.anonymousAuthorize"));
}

#[test]
fn bad_authorize_options_send_nothing() {
    let (_, c) = setup();
    let err = run(c.authorize(Some("{}"))).unwrap_err();
    assert_eq!(classify(&err), ("ValidationFailed".to_string(), "validation"));
    assert!(c.host().requests.borrow().is_empty());
}

#[test]
fn calls_before_authorize_are_unauthorized_and_send_nothing() {
    let (_, c) = setup();
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(err, Error::NotLoggedIn(NOT_AUTHORIZED));
    assert_eq!(classify(&err), ("UnauthorizedError".to_string(), "unauthorized"));
    assert!(c.host().requests.borrow().is_empty());
}

// Reference §5: on GATEWAY_INVALID_TOKEN the stored flow runs again and the call is retried once,
// re-signed with the new token and timestamp.
#[test]
fn invalid_token_reauthorizes_once_and_retries() {
    for code in INVALID_TOKEN_CODES {
        let (gw, c) = setup();
        run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
        gw.valid.borrow_mut().clear(); // the session expired server-side
        let _ = code;
        let reply = run(c.invoke("f", None)).unwrap();
        assert!(reply.body.contains("\"echo\""));
        let s = sent(&c);
        let tokens: Vec<_> = s.iter().map(|(m, _, t)| (m.as_str(), t.as_deref())).collect();
        assert_eq!(
            tokens,
            [
                ("serverless.auth.user.anonymousAuthorize", None),
                ("serverless.function.runtime.invoke", Some("tok1")),
                ("serverless.auth.user.anonymousAuthorize", None),
                ("serverless.function.runtime.invoke", Some("tok2")),
            ]
        );
        assert_eq!(s.get(1).map(|x| &x.1), s.get(3).map(|x| &x.1), "same params on retry");
    }
}

// A provider session renews with a fresh login code.
#[test]
fn provider_session_renews_with_a_new_login_code() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authProvider":"wechat_openapi"}"#))).unwrap();
    gw.valid.borrow_mut().clear();
    run(c.db(Some("books"), None, "find", &[None], None)).unwrap();
    assert_eq!(c.host().login_calls.get(), 2);
    let s = sent(&c);
    assert_eq!(
        s.get(2).and_then(|x| x.1.clone()).as_deref(),
        Some(r#"{"authProvider":"wechat_openapi","clientIdentifier":"APPID","authCode":"code-2"}"#)
    );
}

// HTTP 401 renews too (3.x only looks at the two codes; 2.x and the Alipay path needed 401).
#[test]
fn http_401_reauthorizes_too() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    gw.valid.borrow_mut().clear();
    gw.invalid_as_401.set(true);
    run(c.invoke("f", None)).unwrap();
    assert_eq!(methods(&c).len(), 4);
}

// Still invalid after renewal: the gateway error, and only one renewal.
#[test]
fn invalid_token_twice_gives_up_after_one_renewal() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    gw.always_invalid.set(true);
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(
        err,
        Error::Server {
            status: 200,
            api_code: Some("GATEWAY_INVALID_TOKEN".into()),
            message: "token expired".into(),
            body: None
        }
    );
    assert_eq!(classify(&err), ("GATEWAY_INVALID_TOKEN".to_string(), "gateway"));
    assert_eq!(methods(&c).len(), 4);
}

// Defect fix: a failed login does not leave every later call failing.
#[test]
fn failed_login_does_not_poison_later_calls() {
    let (gw, c) = setup();
    gw.auth_network_failures.set(1);
    let err = run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap_err();
    assert_eq!(classify(&err), ("NETWORK_ERROR".to_string(), "network"));
    assert_eq!(run(c.invoke("f", None)).unwrap_err(), Error::NotLoggedIn(NOT_AUTHORIZED));
    assert!(run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap());
    assert!(run(c.invoke("f", None)).is_ok());
}

// A failed renewal is reported and the next call tries again.
#[test]
fn failed_renewal_does_not_poison_later_calls() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    gw.valid.borrow_mut().clear();
    gw.auth_network_failures.set(1);
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(classify(&err).0, "NETWORK_ERROR");
    assert!(run(c.invoke("f", None)).is_ok());
}

/// A host whose requests take one extra poll, so concurrent calls interleave.
struct SlowHost(FakeHost);

async fn yield_once() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

impl Host for SlowHost {
    async fn request(&self, req: HttpRequest) -> Result<HttpResponse, HostError> {
        yield_once().await;
        self.0.request(req).await
    }
    async fn upload_file(&self, req: UploadRequest) -> Result<HttpResponse, HostError> {
        self.0.upload_file(req).await
    }
    async fn login_code(&self) -> Result<String, HostError> {
        yield_once().await;
        self.0.login_code().await
    }
    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        self.0.storage_get(key).await
    }
    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        self.0.storage_set(key, value).await
    }
    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        self.0.storage_remove(key).await
    }
    fn now_ms(&self) -> f64 {
        self.0.now_ms()
    }
    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        self.0.random_bytes(len).await
    }
}

async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

fn slow_setup() -> (Rc<Gateway>, Client<SlowHost>) {
    let gw = Rc::new(Gateway::default());
    let g = gw.clone();
    (gw, Client::new(SlowHost(FakeHost::new(move |req| g.respond(req))), config()))
}

fn slow_methods(c: &Client<SlowHost>) -> Vec<String> {
    c.host().0.requests.borrow().iter().map(|r| body_of(r)["method"].as_str().unwrap_or_default().to_string()).collect()
}

// Two concurrent calls both refused: exactly one renewal, both retried and answered.
#[test]
fn concurrent_invalid_tokens_share_one_renewal() {
    let (gw, c) = slow_setup();
    run(c.authorize(Some(r#"{"authProvider":"alipay_openapi"}"#))).unwrap();
    gw.valid.borrow_mut().clear();
    let (a, b) = run(join2(c.invoke("a", None), c.invoke("b", None)));
    assert!(a.is_ok() && b.is_ok());
    let m = slow_methods(&c);
    assert_eq!(m.iter().filter(|m| m.as_str() == "serverless.auth.user.authorize").count(), 2, "{m:?}");
    assert_eq!(c.host().0.login_calls.get(), 2);
}

// Calls made while authorize is in flight wait for it instead of failing as unauthorized.
#[test]
fn calls_wait_for_an_authorize_in_flight() {
    let (_, c) = slow_setup();
    let (auth, call) = run(join2(c.authorize(Some(r#"{"authType":"anonymous"}"#)), c.invoke("f", None)));
    assert!(auth.unwrap());
    assert!(call.is_ok());
    // Two concurrent identical authorizations are merged.
    let (a, b) =
        run(join2(c.authorize(Some(r#"{"authType":"anonymous"}"#)), c.authorize(Some(r#"{"authType":"anonymous"}"#))));
    assert!(a.unwrap() && b.unwrap());
    assert_eq!(slow_methods(&c).iter().filter(|m| m.contains("anonymousAuthorize")).count(), 2);
}

#[test]
fn get_info_params_follow_3x() {
    let (_, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    run(c.get_info(None)).unwrap();
    let (_, c2) = setup();
    run(c2.authorize(Some(r#"{"authProvider":"wechat_openapi"}"#))).unwrap();
    run(c2.get_info(None)).unwrap();
    run(c2.get_info(Some(r#"{"x":1}"#))).unwrap();
    assert_eq!(sent(&c).get(1).and_then(|x| x.1.clone()).as_deref(), Some(r#"{"authType":"anonymous"}"#));
    let p: Vec<_> = sent(&c2).into_iter().skip(1).map(|x| x.1.unwrap_or_default()).collect();
    assert_eq!(p, [r#"{"authProvider":"wechat_openapi"}"#, r#"{"x":1}"#]);
}

#[test]
fn transactions_carry_the_id_and_fail_loudly_without_one() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    let (_, id) = run(c.start_transaction(None)).unwrap();
    assert_eq!(id, "tx-1");
    run(c.db(Some("books"), Some(&id), "insertOne", &[Some(r#"{"a":1}"#)], None)).unwrap();
    run(c.db(Some("books"), Some(&id), "commitTransaction", &[], None)).unwrap();
    let p: Vec<_> = sent(&c).into_iter().skip(1).map(|x| x.1.unwrap_or_default()).collect();
    assert_eq!(
        p,
        [
            r#"{"options":{},"command":"startTransaction"}"#,
            r#"{"collection":"books","transactionId":"tx-1","doc":{"a":1},"options":{},"command":"insertOne"}"#,
            r#"{"collection":"books","transactionId":"tx-1","options":{},"command":"commitTransaction"}"#,
        ]
    );
    // The collection-level chain (`db.collection(n).transaction()`) names its collection.
    let (_, id) = run(c.start_transaction(Some("todos"))).unwrap();
    assert_eq!(id, "tx-1");
    assert_eq!(
        sent(&c).last().and_then(|x| x.1.clone()).as_deref(),
        Some(r#"{"collection":"todos","options":{},"command":"startTransaction"}"#)
    );
    *gw.reply.borrow_mut() = Some((200, r#"{"success":true,"data":{"result":{}}}"#.into()));
    let err = run(c.start_transaction(None)).unwrap_err();
    assert_eq!(err, Error::bad_response("startTransaction reply has no transactionId"));
}

#[test]
fn upload_signs_uploads_and_reports() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    let out = run(c.upload_file(r#"{"filePath":"wxfile://tmp_1.png","fileSize":42}"#)).unwrap();
    assert_eq!(out, r#"{"fileUrl":"https://cdn.example.com/SPACE-1/a.png","filePath":"SPACE-1/a.png","fileId":"fid"}"#);
    let p: Vec<_> = sent(&c).into_iter().skip(1).map(|x| (x.0, x.1.unwrap_or_default())).collect();
    assert_eq!(
        p,
        [
            (
                "serverless.file.resource.generateProximalSign".to_string(),
                r#"{"env":"public","filename":"tmp_1.png","size":42}"#.to_string()
            ),
            ("serverless.file.resource.report".to_string(), r#"{"id":"fid","contentType":"image/png"}"#.to_string()),
        ]
    );
    let ups = c.host().uploads.borrow();
    let up = ups.first().unwrap();
    assert_eq!(
        (up.url.as_str(), up.file_path.as_str(), up.name.as_str()),
        ("https://bucket.oss.example.com", "wxfile://tmp_1.png", "file")
    );
    drop(ups);
    // With an OSS callback there is no report; a failed upload is an error, not a silent success.
    gw.oss_callback.set(true);
    run(c.upload_file(r#"{"filePath":"wxfile://tmp_1.png"}"#)).unwrap();
    assert_eq!(methods(&c).last().map(String::as_str), Some("serverless.file.resource.generateProximalSign"));
    gw.upload_status.set(403);
    let err = run(c.upload_file(r#"{"filePath":"wxfile://tmp_1.png"}"#)).unwrap_err();
    assert_eq!(classify(&err), ("UPLOAD_FAILED".to_string(), "gateway"));
    let err = run(c.upload_file(r#"{"filePath":7}"#)).unwrap_err();
    assert_eq!(classify(&err).0, "ValidationFailed");
}

// `file.getOSSUploadOptionsFromPath` and `file.reportOSSUpload` on their own, as 3.1.5 sends them.
#[test]
fn oss_sign_and_report_alone() {
    let (_, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    run(c.oss_sign("dir/a b.png", Some("avatars"), Some("42"), Some("/x/y.png"))).unwrap();
    run(c.oss_sign("plain.jpg", Some(""), None, None)).unwrap();
    run(c.oss_report("fid", Some("image/png"))).unwrap();
    run(c.oss_report("fid", None)).unwrap();
    let p: Vec<_> = sent(&c).into_iter().skip(1).map(|x| (x.0, x.1.unwrap_or_default())).collect();
    let sign = "serverless.file.resource.generateProximalSign".to_string();
    let report = "serverless.file.resource.report".to_string();
    assert_eq!(
        p,
        [
            (
                sign.clone(),
                r#"{"env":"public","filename":"a b.png","size":42,"targetPath":"avatars","fileId":"/x/y.png"}"#
                    .to_string()
            ),
            (sign, r#"{"env":"public","filename":"plain.jpg"}"#.to_string()),
            (report.clone(), r#"{"id":"fid","contentType":"image/png"}"#.to_string()),
            (report, r#"{"id":"fid"}"#.to_string()),
        ]
    );
    for err in
        [run(c.oss_sign("a.png", None, Some("1.5"), None)).unwrap_err(), run(c.oss_report("", None)).unwrap_err()]
    {
        assert_eq!(classify(&err).0, "ValidationFailed");
    }
    assert_eq!(sent(&c).len(), 5, "refused arguments send nothing");
}

#[test]
fn delete_info_and_forward() {
    let (_, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();
    run(c.delete_file("a,b")).unwrap();
    run(c.file_info("a", Some(r#"{"maxAge":60}"#))).unwrap();
    run(c.forward("custom.method", Some(r#"{"k":1}"#))).unwrap();
    let p: Vec<_> = sent(&c).into_iter().skip(1).map(|x| (x.0, x.1.unwrap_or_default())).collect();
    assert_eq!(
        p,
        [
            ("serverless.file.resource.delete".to_string(), r#"{"id":"a,b"}"#.to_string()),
            ("serverless.file.resource.info".to_string(), r#"{"id":"a","maxAge":60}"#.to_string()),
            ("custom.method".to_string(), r#"{"k":1}"#.to_string()),
        ]
    );
}

// Each error path, end to end through the client, with the code and type apps see.
#[test]
fn error_paths_reach_the_caller_typed() {
    let (gw, c) = setup();
    run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap();

    *gw.reply.borrow_mut() =
        Some((200, json!({"success": false, "error": {"code": "DB_ERROR", "message": "dup key"}}).to_string()));
    let err = run(c.db(Some("b"), None, "insertOne", &[Some("{}")], None)).unwrap_err();
    assert_eq!((classify(&err), err.to_string()), (("DB_ERROR".to_string(), "gateway"), "dup key".to_string()));

    *gw.reply.borrow_mut() = Some((500, "oops".into()));
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(
        (classify(&err), err.to_string()),
        (("GATEWAY_ERROR".to_string(), "gateway"), "gateway answered HTTP 500".to_string())
    );

    *gw.reply.borrow_mut() = Some((200, "not json".into()));
    assert_eq!(classify(&run(c.invoke("f", None)).unwrap_err()).0, "BAD_RESPONSE");
    *gw.reply.borrow_mut() = None;

    // The bridge reports a platform timeout as the `Timeout` kind (the adapter marks it).
    *gw.network.borrow_mut() = Some((HostErrorKind::Timeout, "request:fail timeout".into()));
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(classify(&err), ("TIMEOUT".to_string(), "timeout"));
    *gw.network.borrow_mut() = Some((HostErrorKind::Rejected, "request:fail net::ERR_CONNECTION_REFUSED".into()));
    let err = run(c.invoke("f", None)).unwrap_err();
    assert_eq!(classify(&err), ("NETWORK_ERROR".to_string(), "network"));
    assert_eq!(err.to_string(), "host function `request` failed: request:fail net::ERR_CONNECTION_REFUSED");
    *gw.network.borrow_mut() = None;

    let err = run(c.invoke("", None)).unwrap_err();
    assert_eq!(classify(&err), ("ValidationFailed".to_string(), "validation"));
    let err = run(c.db(Some("b"), Some("tx"), "find", &[None], None)).unwrap_err();
    assert_eq!(classify(&err), ("TransactionError".to_string(), "validation"));
    assert!(c.host().requests.borrow().len() == 6, "validation errors send nothing");
}

// The byte-scan helpers agree with `str::rfind` / `str::contains`.
#[test]
fn byte_scan_helpers_match_std() {
    for (hay, needle) in [
        ("wxfile://tmp/a://b.png", "://"),
        ("", "://"),
        ("://", "://"),
        ("ab", "abc"),
        ("中文ms中", "ms"),
        ("x", ""),
        ("request:fail TIMEOUT", "timeout"),
    ] {
        assert_eq!(super::rfind_str(hay, needle), hay.rfind(needle), "{hay:?} {needle:?}");
        assert_eq!(super::contains_str(hay, needle), hay.contains(needle), "{hay:?} {needle:?}");
    }
}

/// Wrong device clocks and rejected timestamps.
mod clock;
