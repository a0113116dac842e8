//! End-to-end tests of [`AuthingClient`] against `FakeHost`: the exact request of each of the
//! twelve methods (method, URL, headers, body bytes) and the exact `[error, data]` tuple of each
//! error path. Each test is named after the protocol rule it pins down; one file per flow, the shared
//! test host and helpers here.

mod account;
mod avatar;
mod code;
/// Tokens rejected in flight and wrong device clocks.
mod in_flight;
mod logout;
mod password;
mod phone;
mod profile;
mod refresh;
mod robustness;
mod sms;
mod state;

use super::args;
use super::client::AuthingClient;
use super::config::Config;
use super::outcome::tuple_text;
use super::password::EncryptType;
use crate::crypto::encoding::{base64_decode, hex_decode};
use crate::error::{Error, HostError, HostErrorKind};
use crate::fake_host::FakeHost;
use crate::hex::hex_lower;
use crate::host::{Host, HttpRequest, HttpResponse, Method, UploadRequest};
use crate::json::{test_obj as obj, Json};
use crate::single_flight::tests::{join_all, YieldOnce};
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;

const APP: &str = "app1";
const POOL: &str = "pool1";
const KEY: &str = "authing:app1:login-state";
const NOW: f64 = 1_700_000_000_000.0;
const TOKEN_ENVELOPE: &str = r#"{"statusCode":200,"message":"","data":{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":1209600,"token_type":"Bearer","scope":"openid profile offline_access"}}"#;
const SAVED: &str = r#"{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":1209600,"token_type":"Bearer","scope":"openid profile offline_access","expires_at":1701209600000}"#;
const RSA_PRIVATE: &str = include_str!("../../../tests/fixtures/rsa-2048-private.pem");
const RSA_SPKI: &str = include_str!("../../../tests/fixtures/rsa-2048-spki.pem");
const RSA_PKCS1: &str = include_str!("../../../tests/fixtures/rsa-2048-pkcs1.pem");

/// FakeHost plus switches this module needs: a failing `wx.login`, and requests that yield once
/// before answering (so concurrent calls interleave).
struct TestHost {
    fake: FakeHost,
    login_fails: Cell<bool>,
    yield_requests: Cell<bool>,
}

impl Host for TestHost {
    async fn request(&self, req: HttpRequest) -> Result<HttpResponse, HostError> {
        if self.yield_requests.get() {
            YieldOnce(false).await;
        }
        self.fake.request(req).await
    }
    async fn upload_file(&self, req: UploadRequest) -> Result<HttpResponse, HostError> {
        self.fake.upload_file(req).await
    }
    async fn login_code(&self) -> Result<String, HostError> {
        if self.login_fails.get() {
            return Err(HostError::new("login", HostErrorKind::Rejected, "login:fail auth deny"));
        }
        self.fake.login_code().await
    }
    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        self.fake.storage_get(key).await
    }
    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        self.fake.storage_set(key, value).await
    }
    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        self.fake.storage_remove(key).await
    }
    fn now_ms(&self) -> f64 {
        self.fake.now_ms()
    }
    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        self.fake.random_bytes(len).await
    }
}

type Responder = fn(&HttpRequest) -> Result<HttpResponse, HostError>;
type Call<'a> = Pin<Box<dyn Future<Output = Result<Json, Error>> + 'a>>;

fn client_with(responder: Responder, platform: Option<&str>) -> AuthingClient<TestHost> {
    let host =
        TestHost { fake: FakeHost::new(responder), login_fails: Cell::new(false), yield_requests: Cell::new(false) };
    // A trailing slash on the host is tolerated.
    let config = Config::new(APP, POOL, Some("https://auth.example/"), platform).unwrap();
    AuthingClient::new(host, config, None)
}

fn client(responder: Responder) -> AuthingClient<TestHost> {
    client_with(responder, None)
}

fn fake(c: &AuthingClient<TestHost>) -> &FakeHost {
    &c.host().fake
}

fn run<T>(f: impl Future<Output = T>) -> T {
    pollster::block_on(f)
}

fn tuple(r: Result<Json, Error>) -> String {
    tuple_text(&r)
}

/// The tuple of a method whose argument the boundary refused (or the `null` tuple if it was read).
fn argument<T>(read: Result<T, Error>) -> String {
    tuple(read.map(|_| Json::Null))
}

fn path_of(url: &str) -> &str {
    url.strip_prefix("https://auth.example").unwrap_or(url)
}

/// The routing of a well-behaved server.
fn server(req: &HttpRequest) -> Result<HttpResponse, HostError> {
    let body = match path_of(&req.url).split('?').next().unwrap() {
        "/api/v3/system" => {
            let sm2 = sm2_public_hex();
            format!(r#"{{"rsa":{{"publicKey":{}}},"sm2":{{"publicKey":"{sm2}"}}}}"#, Json::str(RSA_SPKI).to_text())
        }
        "/api/v3/signin" | "/api/v3/signin-by-mobile" => TOKEN_ENVELOPE.to_string(),
        "/oidc/token" => r#"{"access_token":"AT2","id_token":"IT2","expires_in":7200,"token_type":"Bearer","scope":"openid"}"#.to_string(),
        "/oidc/token/revocation" => String::new(),
        "/api/v3/send-sms" => r#"{"statusCode":200,"message":"发送成功","requestId":"q1"}"#.to_string(),
        "/api/v3/update-password" => r#"{"statusCode":200,"message":"操作成功"}"#.to_string(),
        "/api/v3/get-profile" | "/api/v3/update-profile" => {
            r#"{"statusCode":200,"message":"","data":{"userId":"u1","photo":"https://f/x.jpg"}}"#.to_string()
        }
        "/api/v3/get-wechat-miniprogram-phone" | "/api/v3/decrypt-douyin-miniprogram-phone" => {
            r#"{"statusCode":200,"message":"","data":{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"+8613800000000","purePhoneNumber":"13800000000","countryCode":"86","watermark":{"timestamp":1700000000,"appid":"wx1"}}}}"#.to_string()
        }
        "/api/v3/send-email" | "/api/v3/bind-email" | "/api/v3/verify-update-email-request" | "/api/v3/update-email"
        | "/api/v3/bind-phone" | "/api/v3/verify-update-phone-request" | "/api/v3/update-phone"
        | "/api/v3/verify-delete-account-request" | "/api/v3/delete-account"
        | "/api/v3/decrypt-wechat-miniprogram-data" | "/api/v3/decrypt-douyin-miniprogram-data"
        | "/connections/social/wechat-miniprogram/bind" | "/connections/social/douyin-miniprogram/bind" => {
            r#"{"statusCode":200,"message":"","data":{"ok":true}}"#.to_string()
        }
        "/api/v2/upload" => r#"{"code":200,"message":"上传成功","data":{"key":"avatar/1.jpg","url":"https://f/1.jpg"}}"#.to_string(),
        _ => r#"{"statusCode":404,"message":"no route"}"#.to_string(),
    };
    FakeHost::reply(200, &body)
}

fn sm2_secret() -> sm2::SecretKey {
    sm2::SecretKey::from_slice(&[7; 32]).unwrap()
}

fn sm2_public_hex() -> String {
    hex_lower(&sm2_secret().public_key().to_sec1_bytes())
}

fn rsa_decrypt(b64: &str) -> String {
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(RSA_PRIVATE).unwrap();
    String::from_utf8(key.decrypt(rsa::Pkcs1v15Encrypt, &base64_decode(b64, "c").unwrap()).unwrap()).unwrap()
}

fn sm2_decrypt(hex: &str) -> String {
    use sm2::pke::{DecryptingKey, Mode};
    let mut bytes = hex_decode(hex, "c").unwrap();
    bytes.insert(0, 0x04);
    let dk = DecryptingKey::new_with_mode(sm2_secret().to_nonzero_scalar(), Mode::C1C3C2);
    String::from_utf8(dk.decrypt(&bytes).unwrap()).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    v.push(("x-authing-request-from".into(), "sdk-miniapp".into()));
    v.push(("x-authing-sdk-version".into(), "5.1.18".into()));
    v
}

fn assert_request(req: &HttpRequest, method: Method, path: &str, hdrs: &[(&str, &str)], body: Option<&str>) {
    assert_eq!(req.method, method, "{path}");
    assert_eq!(req.url, format!("https://auth.example{path}"));
    assert_eq!(req.headers, headers(hdrs), "{path}");
    assert_eq!(req.body.as_deref(), body, "{path}");
    assert_eq!(req.timeout_ms, 60_000);
}

fn requests(c: &AuthingClient<TestHost>) -> Vec<HttpRequest> {
    fake(c).requests.borrow().clone()
}

fn stored(c: &AuthingClient<TestHost>) -> Option<String> {
    fake(c).storage.borrow().get(KEY).cloned()
}

fn store(c: &AuthingClient<TestHost>, state: &str) {
    fake(c).storage.borrow_mut().insert(KEY.into(), state.into());
}

/// A logged-in state expiring in an hour, with a refresh token.
fn log_in(c: &AuthingClient<TestHost>) {
    store(c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1700003600000}"#);
}

fn fails(_: &HttpRequest) -> Result<HttpResponse, HostError> {
    Err(HostError::new("request", HostErrorKind::Rejected, "request:fail timeout"))
}

const NETWORK_FAILURE: &str =
    r#"[{"message":"host function `request` failed: request:fail timeout","code":"HOST_REJECTED"},null]"#;
const TOKEN_EXPIRED: &str = r#"[{"message":"Token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#;
