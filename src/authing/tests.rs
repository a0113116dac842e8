//! End-to-end tests of [`AuthingClient`] against `FakeHost`: the exact request of each of the
//! twelve methods (method, URL, headers, body bytes) and the exact `[error, data]` tuple of each
//! error path. Each test is named after the protocol rule it pins down.

use super::client::AuthingClient;
use super::config::Config;
use super::json::Json;
use super::outcome::{tuple_text, Failure};
use super::password::EncryptType;
use super::token::tests::{join_all, YieldOnce};
use crate::crypto::encoding::{base64_decode, hex_decode, hex_lower};
use crate::error::{Error, HostError, HostErrorKind};
use crate::fake_host::FakeHost;
use crate::host::{Host, HttpRequest, HttpResponse, Method, UploadRequest};
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;

const APP: &str = "app1";
const POOL: &str = "pool1";
const KEY: &str = "authing:app1:login-state";
const NOW: f64 = 1_700_000_000_000.0;
const TOKEN_ENVELOPE: &str = r#"{"statusCode":200,"message":"","data":{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":1209600,"token_type":"Bearer","scope":"openid profile offline_access"}}"#;
const SAVED: &str = r#"{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":1209600,"token_type":"Bearer","scope":"openid profile offline_access","expires_at":1701209600000}"#;
const RSA_PRIVATE: &str = include_str!("../../tests/fixtures/rsa-2048-private.pem");
const RSA_SPKI: &str = include_str!("../../tests/fixtures/rsa-2048-spki.pem");
const RSA_PKCS1: &str = include_str!("../../tests/fixtures/rsa-2048-pkcs1.pem");

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
type Call<'a> = Pin<Box<dyn Future<Output = Result<Json, Failure>> + 'a>>;

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

fn tuple(r: Result<Json, Failure>) -> String {
    tuple_text(&r)
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

// ---- getLoginState --------------------------------------------------------------------------

#[test]
fn get_login_state_returns_the_stored_object_exactly_without_any_request() {
    let c = client(server);
    // As the official SDK stores it (extra keys, its own order).
    let official = r#"{"scope":"openid","access_token":"AT","expires_in":3600,"x":1,"expires_at":1700003600000}"#;
    store(&c, official);
    assert_eq!(tuple(run(c.get_login_state())), format!("[null,{official}]"));
    assert!(requests(&c).is_empty());
}

#[test]
fn get_login_state_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state not found, please login","code":"NOT_LOGGED_IN"},null]"#
    );
    // Expired (strictly: expires_at == now is expired) and no refresh token: the official message, state kept.
    store(&c, r#"{"access_token":"AT","expires_at":1700000000000}"#);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    assert!(stored(&c).is_some());
    store(&c, r#""garbage""#);
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"login state is unreadable, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    *fake(&c).storage_fails.borrow_mut() = Some("getStorage:fail system error".into());
    assert_eq!(
        tuple(run(c.get_login_state())),
        r#"[{"message":"storage error: host function `getStorage` failed: getStorage:fail system error","code":"STORAGE"},null]"#
    );
    assert!(requests(&c).is_empty());
}

// ---- loginByCode ----------------------------------------------------------------------------

#[test]
fn login_by_code_sends_a_fresh_login_code_and_stores_the_state_with_expires_at_in_ms() {
    let c = client(server);
    let input = r#"{"extIdpConnidentifier":"my-wx","wechatMiniProgramCodePayload":{"encryptedData":"ED","iv":"IV"},"options":{"scope":"openid profile offline_access"}}"#;
    assert_eq!(tuple(run(c.login_by_code(input))), format!("[null,{SAVED}]"));
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 1);
    assert_request(
        &reqs[0],
        Method::Post,
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP)],
        Some(
            r#"{"connection":"wechat_mini_program_code","extIdpConnidentifier":"my-wx","wechatMiniProgramCodePayload":{"encryptedData":"ED","iv":"IV","code":"code-1"},"options":{"scope":"openid profile offline_access"}}"#,
        ),
    );
    assert_eq!(stored(&c).as_deref(), Some(SAVED));
    // A valid state short-circuits: no wx.login, no request.
    assert_eq!(tuple(run(c.login_by_code(input))), format!("[null,{SAVED}]"));
    assert_eq!((fake(&c).login_calls.get(), requests(&c).len()), (1, 1));
}

#[test]
fn login_by_code_on_douyin_uses_the_douyin_connection_and_payload() {
    let c = client_with(server, Some("tt"));
    let input = r#"{"extIdpConnidentifier":"dy","douyinMiniProgramCodePayload":{"encryptedData":"E","iv":"I"}}"#;
    assert!(run(c.login_by_code(input)).is_ok());
    assert_eq!(
        requests(&c)[0].body.as_deref(),
        Some(
            r#"{"connection":"douyin_mini_program_code","extIdpConnidentifier":"dy","douyinMiniProgramCodePayload":{"encryptedData":"E","iv":"I","code":"code-1"}}"#
        )
    );
}

#[test]
fn login_by_code_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.login_by_code(r#"{"wechatMiniProgramCodePayload":{}}"#))),
        r#"[{"message":"extIdpConnidentifier is required","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.login_by_code("[1]"))),
        r#"[{"message":"loginByCode options must be an object","code":"INVALID_ARGUMENT"},null]"#
    );
    c.host().login_fails.set(true);
    assert_eq!(
        tuple(run(c.login_by_code(r#"{"extIdpConnidentifier":"w"}"#))),
        r#"[{"message":"get wx login code error","code":"HOST_REJECTED"},null]"#
    );
    assert!(requests(&c).is_empty());

    // A used/expired code: the server's body comes back whole, with a code.
    fn used_code(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":400,"apiCode":40163,"message":"code been used","requestId":"r"}"#)
    }
    let c = client(used_code);
    assert_eq!(
        tuple(run(c.login_by_code(r#"{"extIdpConnidentifier":"w"}"#))),
        r#"[{"statusCode":400,"apiCode":40163,"message":"code been used","requestId":"r","code":"SERVER"},null]"#
    );
    assert!(stored(&c).is_none());

    let c = client(fails);
    assert_eq!(tuple(run(c.login_by_code(r#"{"extIdpConnidentifier":"w"}"#))), NETWORK_FAILURE);
}

#[test]
fn a_login_answered_without_a_token_clears_the_state() {
    fn no_token(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":200,"message":"","data":{"foo":1}}"#)
    }
    let c = client(no_token);
    store(&c, r#"{"access_token":"old","expires_at":1}"#);
    assert_eq!(
        tuple(run(c.login_by_pass_code(r#"{"passCodePayload":{"passCode":"1","email":"a@b"}}"#))),
        r#"[{"foo":1,"message":"the server answered without a token","code":"BAD_RESPONSE"},null]"#
    );
    assert!(stored(&c).is_none());
}

#[test]
fn a_login_whose_state_cannot_be_saved_reports_a_storage_error() {
    let c = client(server);
    *fake(&c).storage_fails.borrow_mut() = Some("setStorage:fail exceed storage max size 10MB".into());
    assert_eq!(
        tuple(run(c.login_by_password(r#"{"passwordPayload":{"password":"p","username":"u"}}"#))),
        r#"[{"message":"storage error: host function `setStorage` failed: setStorage:fail exceed storage max size 10MB","code":"STORAGE"},null]"#
    );
}

// ---- loginByPassword ------------------------------------------------------------------------

#[test]
fn login_by_password_plaintext_forces_the_password_connection() {
    let c = client(server);
    let input = r#"{"passwordPayload":{"password":"USER_PASSWORD","username":"USER_NAME"},"options":{"scope":"offline_access openid profile"}}"#;
    assert_eq!(tuple(run(c.login_by_password(input))), format!("[null,{SAVED}]"));
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 1);
    assert_request(
        &reqs[0],
        Method::Post,
        "/api/v3/signin",
        &[("x-authing-app-id", APP)],
        Some(
            r#"{"passwordPayload":{"password":"USER_PASSWORD","username":"USER_NAME"},"options":{"scope":"offline_access openid profile"},"connection":"PASSWORD"}"#,
        ),
    );
}

#[test]
fn login_by_password_with_rsa_fetches_the_system_key_and_sends_pkcs1_base64_of_utf8() {
    let c = client(server);
    let input = r#"{"passwordPayload":{"password":"密码 pässwörd 😀","account":"bob"},"options":{"passwordEncryptType":"rsa"}}"#;
    assert!(run(c.login_by_password(input)).is_ok());
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 2);
    assert_request(&reqs[0], Method::Get, "/api/v3/system", &[], None);
    let body = Json::parse(reqs[1].body.as_deref().unwrap()).unwrap();
    let cipher = body.get("passwordPayload").and_then(|p| p.get("password")).and_then(Json::as_str).unwrap();
    assert_eq!(cipher.len(), 344, "full-length 2048-bit ciphertext in base64");
    assert_eq!(rsa_decrypt(cipher), "密码 pässwörd 😀");
    assert_eq!(
        body.to_text().replace(cipher, "C"),
        r#"{"passwordPayload":{"password":"C","account":"bob"},"options":{"passwordEncryptType":"rsa"},"connection":"PASSWORD"}"#
    );
}

#[test]
fn login_by_password_with_sm2_sends_c1c3c2_lowercase_hex_without_04_even_for_a_bare_key() {
    fn bare_sm2_key(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.ends_with("/api/v3/system") {
            let bare = &sm2_public_hex()[2..];
            return FakeHost::reply(200, &format!(r#"{{"sm2":{{"publicKey":"{bare}"}}}}"#));
        }
        server(req)
    }
    let c = client(bare_sm2_key);
    let input = r#"{"passwordPayload":{"password":"口令","username":"u"},"options":{"passwordEncryptType":"sm2"}}"#;
    assert!(run(c.login_by_password(input)).is_ok());
    let body = Json::parse(requests(&c)[1].body.as_deref().unwrap()).unwrap();
    let cipher = body.get("passwordPayload").and_then(|p| p.get("password")).and_then(Json::as_str).unwrap();
    assert_eq!(cipher.len(), 2 * (64 + 32 + "口令".len()));
    assert_eq!(cipher, cipher.to_lowercase());
    assert_eq!(sm2_decrypt(cipher), "口令");
}

#[test]
fn login_by_password_accepts_a_pkcs1_rsa_key() {
    fn pkcs1(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.ends_with("/api/v3/system") {
            return FakeHost::reply(200, &format!(r#"{{"rsa":{{"publicKey":{}}}}}"#, Json::str(RSA_PKCS1).to_text()));
        }
        server(req)
    }
    let c = client(pkcs1);
    assert!(run(
        c.login_by_password(r#"{"passwordPayload":{"password":"pw"},"options":{"passwordEncryptType":"rsa"}}"#)
    )
    .is_ok());
    let body = Json::parse(requests(&c)[1].body.as_deref().unwrap()).unwrap();
    let cipher = body.get("passwordPayload").and_then(|p| p.get("password")).and_then(Json::as_str).unwrap();
    assert_eq!(rsa_decrypt(cipher), "pw");
}

#[test]
fn login_by_password_bad_keys_fail_before_anything_is_sent() {
    fn bad_key(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.ends_with("/api/v3/system") {
            return FakeHost::reply(200, r#"{"rsa":{"publicKey":"not a key"},"sm2":{"publicKey":"04abcd"}}"#);
        }
        server(req)
    }
    let c = client(bad_key);
    assert_eq!(
        tuple(run(
            c.login_by_password(r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"rsa"}}"#)
        )),
        r#"[{"message":"crypto error: RSA public key: not base64","code":"CRYPTO"},null]"#
    );
    assert_eq!(
        tuple(run(
            c.login_by_password(r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"sm2"}}"#)
        )),
        r#"[{"message":"crypto error: SM2 public key must be 04-prefixed (130 hex digits), bare x||y (128) or compressed (66), got 6 hex digits","code":"CRYPTO"},null]"#
    );
    assert!(requests(&c).iter().all(|r| r.url.ends_with("/api/v3/system")));
}

#[test]
fn login_by_password_key_and_entropy_error_paths() {
    fn enveloped(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":200,"data":{"rsa":{"publicKey":"K"}}}"#)
    }
    let rsa = r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"rsa"}}"#;
    // An enveloped system answer is an error, as in the official SDK.
    let c = client(enveloped);
    assert_eq!(
        tuple(run(c.login_by_password(rsa))),
        r#"[{"statusCode":200,"data":{"rsa":{"publicKey":"K"}},"message":"request failed with statusCode 200","code":"SERVER"},null]"#
    );
    fn numeric_key(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"rsa":{"publicKey":1}}"#)
    }
    let c = client(numeric_key);
    assert_eq!(
        tuple(run(c.login_by_password(rsa))),
        r#"[{"message":"publicKey of rsa is not a string, please contact the administrator","code":"BAD_RESPONSE"},null]"#
    );
    let c = client(server);
    fake(&c).has_random.set(false);
    assert_eq!(
        tuple(run(c.login_by_password(rsa))),
        r#"[{"message":"no secure random source: the host has no secure random source (wx.getRandomValues needs base library 2.15.0 and is not available in plugins)","code":"NO_ENTROPY"},null]"#
    );
    assert_eq!(requests(&c).len(), 1, "the key was fetched, nothing was signed in");
    assert_eq!(
        tuple(run(
            c.login_by_password(r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"RSA"}}"#)
        )),
        r#"[{"message":"passwordEncryptType must be \"none\", \"rsa\" or \"sm2\"","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.login_by_password(r#"{"passwordPayload":{"username":"u"}}"#))),
        r#"[{"message":"passwordPayload.password is required","code":"INVALID_ARGUMENT"},null]"#
    );
}

#[test]
fn an_app_encrypt_function_is_honoured_and_its_failure_is_an_error_not_a_rejection() {
    let host =
        TestHost { fake: FakeHost::new(server), login_fails: Cell::new(false), yield_requests: Cell::new(false) };
    let config = Config::new(APP, POOL, Some("https://auth.example"), None).unwrap();
    let c = AuthingClient::new(
        host,
        config,
        Some(Box::new(|kind: EncryptType, plain: &str, pk: &str| {
            if plain == "throw" {
                return Err(Error::Crypto("encryptFunction threw: boom".into()));
            }
            Ok(format!("{}:{plain}:{}", kind.as_str(), pk.len()))
        })),
    );
    assert!(
        run(c.login_by_password(r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"sm2"}}"#))
            .is_ok()
    );
    let reqs = c.host().fake.requests.borrow().clone();
    assert_eq!(
        reqs[1].body.as_deref(),
        Some(
            r#"{"passwordPayload":{"password":"sm2:p:130"},"options":{"passwordEncryptType":"sm2"},"connection":"PASSWORD"}"#
        )
    );
    assert_eq!(
        tuple(run(
            c.login_by_password(r#"{"passwordPayload":{"password":"throw"},"options":{"passwordEncryptType":"rsa"}}"#)
        )),
        r#"[{"message":"crypto error: encryptFunction threw: boom","code":"CRYPTO"},null]"#
    );
}

// ---- sendSms / loginByPassCode --------------------------------------------------------------

#[test]
fn send_sms_posts_the_input_with_the_default_country_code_and_returns_the_envelope() {
    let c = client(server);
    let out = run(c.send_sms(r#"{"phoneNumber":"188xxxx8888","channel":"CHANNEL_LOGIN"}"#));
    assert_eq!(tuple(out), r#"[null,{"statusCode":200,"message":"发送成功","requestId":"q1"}]"#);
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/send-sms",
        &[("x-authing-userpool-id", POOL)],
        Some(r#"{"phoneNumber":"188xxxx8888","channel":"CHANNEL_LOGIN","phoneCountryCode":"+86"}"#),
    );
}

#[test]
fn send_sms_error_envelopes_and_http_errors() {
    fn rate_limited(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(
            200,
            r#"{"statusCode":429,"apiCode":2011,"message":"每个手机号同一 Channel 在一分钟内只能发送一次"}"#,
        )
    }
    let input = r#"{"phoneNumber":"1","channel":"CHANNEL_LOGIN"}"#;
    assert_eq!(
        tuple(run(client(rate_limited).send_sms(input))),
        r#"[{"statusCode":429,"apiCode":2011,"message":"每个手机号同一 Channel 在一分钟内只能发送一次","code":"SERVER"},null]"#
    );
    fn gateway(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(502, "<html>502 Bad Gateway</html>")
    }
    assert_eq!(
        tuple(run(client(gateway).send_sms(input))),
        r#"[{"message":"the server answered HTTP 502 with a body that is not a JSON object: <html>502 Bad Gateway</html>","statusCode":502,"code":"BAD_RESPONSE"},null]"#
    );
    fn http_500(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(500, r#"{"statusCode":500,"message":"Internal Server Error"}"#)
    }
    assert_eq!(
        tuple(run(client(http_500).send_sms(input))),
        r#"[{"statusCode":500,"message":"Internal Server Error","code":"SERVER"},null]"#
    );
    assert_eq!(tuple(run(client(fails).send_sms(input))), NETWORK_FAILURE);
}

#[test]
fn login_by_pass_code_posts_passcode_with_the_country_code_default() {
    let c = client(server);
    let input = r#"{"passCodePayload":{"passCode":"1234","phone":"188xxxx8888"},"options":{"scope":"openid profile offline_access"}}"#;
    assert_eq!(tuple(run(c.login_by_pass_code(input))), format!("[null,{SAVED}]"));
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/signin",
        &[("x-authing-app-id", APP)],
        Some(
            r#"{"passCodePayload":{"passCode":"1234","phone":"188xxxx8888","phoneCountryCode":"+86"},"options":{"scope":"openid profile offline_access"},"connection":"PASSCODE"}"#,
        ),
    );
}

// ---- refreshToken ---------------------------------------------------------------------------

#[test]
fn refresh_token_posts_the_form_and_keeps_the_refresh_token_the_response_lacks() {
    let c = client(server);
    log_in(&c);
    let expected = r#"{"access_token":"AT2","id_token":"IT2","expires_in":7200,"token_type":"Bearer","scope":"openid","refresh_token":"RT","expires_at":1700007200000}"#;
    assert_eq!(tuple(run(c.refresh_token())), format!("[null,{expected}]"));
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/oidc/token",
        &[("content-type", "application/x-www-form-urlencoded"), ("x-authing-app-id", APP)],
        Some("grant_type=refresh_token&redirect_uri=&refresh_token=RT"),
    );
    assert_eq!(stored(&c).as_deref(), Some(expected));
}

#[test]
fn refresh_token_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"message":"refresh_token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#
    );
    store(&c, r#"{"access_token":"AT","expires_at":1800000000000}"#);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"message":"refresh_token must not be empty","code":"NOT_LOGGED_IN"},null]"#
    );
    fn invalid_grant(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(400, r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#)
    }
    let c = client(invalid_grant);
    log_in(&c);
    let before = stored(&c);
    assert_eq!(
        tuple(run(c.refresh_token())),
        r#"[{"error":"invalid_grant","error_description":"grant request is invalid","message":"grant request is invalid","statusCode":400,"code":"SERVER"},null]"#
    );
    assert_eq!(stored(&c), before, "a failed refresh leaves the state alone");
}

#[test]
fn an_expired_access_token_is_refreshed_instead_of_forcing_a_new_login() {
    let c = client(server);
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1699999999000}"#);
    let out = tuple(run(c.get_user_info(None)));
    assert!(out.starts_with(r#"[null,{"userId":"u1""#), "{out}");
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].url.ends_with("/oidc/token"));
    assert_eq!(reqs[1].headers[1], ("Authorization".to_string(), "AT2".to_string()));
}

#[test]
fn a_token_close_to_expiry_is_refreshed_once_however_many_calls_wait_on_it() {
    let c = client(server);
    // Four minutes left: inside the five-minute margin.
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1700000240000}"#);
    c.host().yield_requests.set(true);
    let futs: Vec<Call<'_>> = vec![
        Box::pin(c.get_user_info(None)),
        Box::pin(c.update_user_info(r#"{"nickname":"n"}"#)),
        Box::pin(c.get_login_state()),
        Box::pin(c.refresh_token()),
    ];
    let outs = join_all(futs);
    assert!(outs.iter().all(Result::is_ok), "{outs:?}");
    let reqs = requests(&c);
    let refreshes = reqs.iter().filter(|r| r.url.ends_with("/oidc/token")).count();
    assert_eq!(refreshes, 1);
    for r in reqs.iter().filter(|r| r.url.contains("profile")) {
        assert!(r.headers.contains(&("Authorization".to_string(), "AT2".to_string())));
    }
}

#[test]
fn a_failed_automatic_refresh_falls_back_to_the_valid_token_backs_off_and_does_not_poison_later_calls() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFRESH_FAILS: AtomicBool = AtomicBool::new(true);
    fn flaky(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.ends_with("/oidc/token") && REFRESH_FAILS.load(Ordering::SeqCst) {
            return Err(HostError::new("request", HostErrorKind::Timeout, "no answer within 61000 ms"));
        }
        server(req)
    }
    let c = client(flaky);
    store(&c, r#"{"access_token":"AT","refresh_token":"RT","expires_in":3600,"expires_at":1700000240000}"#);
    assert!(run(c.get_user_info(None)).is_ok());
    assert!(run(c.get_user_info(None)).is_ok());
    let urls: Vec<String> = requests(&c).iter().map(|r| path_of(&r.url).to_string()).collect();
    // One refresh attempt, then 30 s of backoff; both profile calls used the still-valid token.
    assert_eq!(urls.iter().filter(|u| u.as_str() == "/oidc/token").count(), 1, "{urls:?}");
    REFRESH_FAILS.store(false, Ordering::SeqCst);
    fake(&c).now.set(NOW + 31_000.0);
    assert!(run(c.get_user_info(None)).is_ok());
    assert_eq!(requests(&c).iter().filter(|r| r.url.ends_with("/oidc/token")).count(), 2);
    assert!(stored(&c).unwrap().contains("AT2"));
}

#[test]
fn a_new_login_lifts_the_back_off_of_a_failed_automatic_refresh() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFRESH_FAILS: AtomicBool = AtomicBool::new(true);
    // 40 s tokens: the refresh margin is half the lifetime (20 s), shorter than the 30 s back-off.
    fn short_lived(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        match path_of(&req.url) {
            "/api/v3/signin" => FakeHost::reply(
                200,
                r#"{"statusCode":200,"message":"","data":{"access_token":"AT","id_token":"IT","refresh_token":"RT","expires_in":40,"token_type":"Bearer","scope":"openid offline_access"}}"#,
            ),
            "/oidc/token" if REFRESH_FAILS.load(Ordering::SeqCst) => {
                Err(HostError::new("request", HostErrorKind::Rejected, "request:fail timeout"))
            }
            _ => server(req),
        }
    }
    let c = client(short_lived);
    let login = r#"{"passwordPayload":{"password":"pw","username":"u"}}"#;
    assert!(run(c.login_by_password(login)).is_ok());
    fake(&c).now.set(NOW + 25_000.0); // 15 s left: refresh due
    assert!(run(c.get_user_info(None)).is_ok(), "the failed refresh falls back to the valid token");
    REFRESH_FAILS.store(false, Ordering::SeqCst);
    assert!(run(c.login_by_password(login)).is_ok());
    fake(&c).now.set(NOW + 50_000.0); // 15 s left again, still inside the old 30 s back-off
    assert!(run(c.get_user_info(None)).is_ok());
    let refreshes = requests(&c).iter().filter(|r| r.url.ends_with("/oidc/token")).count();
    assert_eq!(refreshes, 2, "the fresh login's tokens are refreshed without waiting out the old back-off");
    assert!(stored(&c).unwrap().contains("AT2"));
}

// ---- getPhone -------------------------------------------------------------------------------

#[test]
fn get_phone_posts_the_button_code_and_returns_phone_info() {
    let c = client(server);
    let out = tuple(run(c.get_phone(r#"{"extIdpConnidentifier":"my-wx","code":"PHONECODE"}"#)));
    assert_eq!(
        out,
        r#"[null,{"phoneNumber":"+8613800000000","purePhoneNumber":"13800000000","countryCode":"86","watermark":{"timestamp":1700000000,"appid":"wx1"}}]"#
    );
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/get-wechat-miniprogram-phone",
        &[("x-authing-userpool-id", POOL)],
        Some(r#"{"extIdpConnidentifier":"my-wx","code":"PHONECODE"}"#),
    );
    assert_eq!(fake(&c).login_calls.get(), 0);
}

#[test]
fn get_phone_on_douyin_adds_a_fresh_tt_login_code() {
    let c = client_with(server, Some("tt"));
    assert!(run(c.get_phone(r#"{"extIdpConnidentifier":"dy","encryptedData":"PE","iv":"PI"}"#)).is_ok());
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/decrypt-douyin-miniprogram-phone",
        &[("x-authing-userpool-id", POOL)],
        Some(r#"{"extIdpConnidentifier":"dy","encryptedData":"PE","iv":"PI","code":"code-1"}"#),
    );
}

#[test]
fn get_phone_error_paths() {
    let c = client(server);
    assert_eq!(
        tuple(run(c.get_phone(r#"{"extIdpConnidentifier":"my-wx"}"#))),
        r#"[{"message":"code or extIdpConnidentifier is required","code":"INVALID_ARGUMENT"},null]"#
    );
    fn no_phone_info(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":200,"message":"","data":{"phoneNumber":"138"}}"#)
    }
    assert_eq!(
        tuple(run(client(no_phone_info).get_phone(r#"{"extIdpConnidentifier":"w","code":"c"}"#))),
        r#"[{"phoneNumber":"138","message":"the server answered without phone_info","code":"BAD_RESPONSE"},null]"#
    );
}

// ---- updatePassword -------------------------------------------------------------------------

#[test]
fn update_password_sends_the_token_raw_and_encrypts_only_the_new_password() {
    let c = client(server);
    log_in(&c);
    let out = run(c.update_password(r#"{"newPassword":"新密码","oldPassword":"old","passwordEncryptType":"rsa"}"#));
    assert_eq!(tuple(out), r#"[null,{"statusCode":200,"message":"操作成功"}]"#);
    let reqs = requests(&c);
    assert_request(&reqs[0], Method::Get, "/api/v3/system", &[], None);
    let body = Json::parse(reqs[1].body.as_deref().unwrap()).unwrap();
    let cipher = body.get("newPassword").and_then(Json::as_str).unwrap();
    assert_eq!(rsa_decrypt(cipher), "新密码");
    assert_request(
        &reqs[1],
        Method::Post,
        "/api/v3/update-password",
        &[("x-authing-userpool-id", POOL), ("Authorization", "AT")],
        Some(&format!(r#"{{"newPassword":"{cipher}","oldPassword":"old","passwordEncryptType":"rsa"}}"#)),
    );
}

#[test]
fn token_bearing_methods_without_a_login_return_the_official_message_and_send_nothing() {
    let c = client(server);
    assert_eq!(tuple(run(c.update_password(r#"{"newPassword":"n","oldPassword":"o"}"#))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.get_user_info(None))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.update_user_info(r#"{"address":"a"}"#))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.update_avatar("wxfile://tmp/a.jpg"))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.check_login())), TOKEN_EXPIRED);
    // Expired, no refresh token.
    store(&c, r#"{"access_token":"AT","expires_at":1}"#);
    assert_eq!(tuple(run(c.get_user_info(None))), TOKEN_EXPIRED);
    assert!(requests(&c).is_empty());
    assert!(fake(&c).uploads.borrow().is_empty());
}

// ---- getUserInfo / updateUserInfo -----------------------------------------------------------

#[test]
fn get_user_info_sends_the_default_flags_as_a_query_string() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.get_user_info(None))), r#"[null,{"userId":"u1","photo":"https://f/x.jpg"}]"#);
    assert!(run(c.get_user_info(Some("{}"))).is_ok());
    assert!(run(c.get_user_info(Some(r#"{"withIdentities":true}"#))).is_ok());
    let reqs = requests(&c);
    let auth = [("x-authing-userpool-id", POOL), ("Authorization", "AT")];
    assert_request(
        &reqs[0],
        Method::Get,
        "/api/v3/get-profile?withCustomData=false&withDepartmentIds=false&withIdentities=false",
        &auth,
        None,
    );
    assert_request(&reqs[1], Method::Get, "/api/v3/get-profile", &auth, None);
    assert_request(&reqs[2], Method::Get, "/api/v3/get-profile?withIdentities=true", &auth, None);
    assert_eq!(
        tuple(run(c.get_user_info(Some("3")))),
        r#"[{"message":"getUserInfo options must be an object","code":"INVALID_ARGUMENT"},null]"#
    );
}

#[test]
fn get_user_info_server_rejection_is_returned_whole() {
    fn unauthorized(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":401,"apiCode":2020,"message":"尚未登录，无权限访问此请求"}"#)
    }
    let c = client(unauthorized);
    // No refresh token stored: nothing to recover with, the server's answer is returned as is.
    store(&c, r#"{"access_token":"AT","expires_in":3600,"expires_at":1700003600000}"#);
    assert_eq!(
        tuple(run(c.get_user_info(None))),
        r#"[{"statusCode":401,"apiCode":2020,"message":"尚未登录，无权限访问此请求","code":"SERVER"},null]"#
    );
    assert_eq!(requests(&c).len(), 1);
}

#[test]
fn update_user_info_posts_the_input_verbatim() {
    let c = client(server);
    log_in(&c);
    assert!(run(c.update_user_info(r#"{"address":"YOUR_ADDRESS","customData":{"a":1},"gender":"M"}"#)).is_ok());
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/update-profile",
        &[("x-authing-userpool-id", POOL), ("Authorization", "AT")],
        Some(r#"{"address":"YOUR_ADDRESS","customData":{"a":1},"gender":"M"}"#),
    );
}

// ---- updateAvatar ---------------------------------------------------------------------------

#[test]
fn update_avatar_uploads_without_headers_then_sets_the_photo() {
    let c = client(server);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://tmp/a.jpg"))),
        r#"[null,{"code":200,"message":"上传成功","data":{"key":"avatar/1.jpg","url":"https://f/1.jpg"}}]"#
    );
    let up = fake(&c).uploads.borrow()[0].clone();
    assert_eq!(up.url, "https://auth.example/api/v2/upload?folder=avatar");
    assert_eq!((up.file_path.as_str(), up.name.as_str()), ("wxfile://tmp/a.jpg", "file"));
    assert!(up.headers.is_empty() && up.form.is_empty());
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 1);
    assert_request(
        &reqs[0],
        Method::Post,
        "/api/v3/update-profile",
        &[("x-authing-userpool-id", POOL), ("Authorization", "AT")],
        Some(r#"{"photo":"https://f/1.jpg"}"#),
    );
}

#[test]
fn update_avatar_error_paths() {
    fn upload_500(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.contains("/api/v2/upload") {
            return FakeHost::reply(200, r#"{"code":500,"message":"upload failed"}"#);
        }
        server(req)
    }
    let c = client(upload_500);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://a"))),
        r#"[{"code":"SERVER","message":"upload failed","statusCode":500},null]"#
    );
    fn profile_rejected(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.contains("update-profile") {
            return FakeHost::reply(200, r#"{"statusCode":400,"message":"photo invalid"}"#);
        }
        server(req)
    }
    let c = client(profile_rejected);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://a"))),
        r#"[{"statusCode":400,"message":"photo invalid","code":"SERVER"},null]"#
    );
    assert_eq!(
        tuple(run(c.update_avatar(""))),
        r#"[{"message":"filePath is required","code":"INVALID_ARGUMENT"},null]"#
    );
}

// ---- logout ---------------------------------------------------------------------------------

#[test]
fn logout_revokes_the_access_token_then_removes_the_state() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/oidc/token/revocation",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some("client_id=app1&token=AT"),
    );
    assert!(stored(&c).is_none());
    // Logged out already: no request, still [null, true].
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert_eq!(requests(&c).len(), 1);
}

#[test]
fn logout_with_an_expired_state_just_forgets_it() {
    let c = client(server);
    store(&c, r#"{"access_token":"AT","expires_at":1}"#);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert!(requests(&c).is_empty() && stored(&c).is_none());
}

#[test]
fn logout_on_a_network_failure_keeps_the_state_and_reports_it() {
    let c = client(fails);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), NETWORK_FAILURE);
    assert!(stored(&c).is_some());
}

#[test]
fn logout_whatever_the_revocation_answers() {
    fn html(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(500, "<html>oops</html>")
    }
    let c = client(html);
    log_in(&c);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert!(stored(&c).is_none());
}

#[test]
fn a_refresh_finishing_after_a_logout_does_not_bring_the_state_back() {
    let c = client(server);
    log_in(&c);
    c.host().yield_requests.set(true);
    let futs: Vec<Call<'_>> = vec![Box::pin(c.refresh_token()), Box::pin(c.logout())];
    let outs = join_all(futs);
    assert_eq!(tuple(outs[1].clone()), "[null,true]");
    assert_eq!(
        tuple(outs[0].clone()),
        r#"[{"message":"the login state changed while the token was being refreshed","code":"NOT_LOGGED_IN"},null]"#
    );
    assert!(stored(&c).is_none());
}

// ---- robustness -----------------------------------------------------------------------------

#[test]
fn hostile_inputs_and_bodies_never_panic() {
    fn hostile(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        let n = req.url.len() % 5;
        let body = ["null", "[]", "\"str\"", "{\"statusCode\":200,\"data\":[1]}", "{\"rsa\":{}}"][n];
        FakeHost::reply(200, body)
    }
    let c = client(hostile);
    log_in(&c);
    let inputs =
        ["", "null", "1e999", "{", "[]", "{\"passwordPayload\":null}", "{\"options\":{\"passwordEncryptType\":5}}"];
    for input in inputs {
        let _ = run(c.login_by_code(input));
        let _ = run(c.login_by_password(input));
        let _ = run(c.send_sms(input));
        let _ = run(c.login_by_pass_code(input));
        let _ = run(c.get_phone(input));
        let _ = run(c.update_password(input));
        let _ = run(c.get_user_info(Some(input)));
        let _ = run(c.update_user_info(input));
        let _ = run(c.update_avatar(input));
    }
    let _ = run(c.refresh_token());
    let _ = run(c.logout());
}

#[test]
fn the_single_entry_point_dispatches_by_js_method_name() {
    let c = client(server);
    assert_eq!(tuple(run(c.call("logout", None))), "[null,true]");
    assert_eq!(
        tuple(run(c.call("loginByCode", None))),
        r#"[{"message":"loginByCode options must be an object","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.call("sendSms", Some(r#"{"phoneNumber":"1","channel":"CHANNEL_LOGIN"}"#)))),
        r#"[null,{"statusCode":200,"message":"发送成功","requestId":"q1"}]"#
    );
    assert_eq!(tuple(run(c.call("checkLogin", None))), TOKEN_EXPIRED);
    log_in(&c);
    assert!(run(c.call("getUserInfo", None)).is_ok());
    assert_eq!(
        requests(&c).last().unwrap().url,
        "https://auth.example/api/v3/get-profile?withCustomData=false&withDepartmentIds=false&withIdentities=false"
    );
    assert_eq!(
        tuple(run(c.call("updateAvatar", None))),
        r#"[{"message":"filePath is required","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.call("constructor", None))),
        r#"[{"message":"unknown method \"constructor\"","code":"INVALID_ARGUMENT"},null]"#
    );
}

/// Tokens rejected in flight and wrong device clocks.
mod in_flight;
