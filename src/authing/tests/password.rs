//! `loginByPassword` (plaintext, RSA, SM2, custom `encryptFunction`) and `updatePassword`.

use super::*;

#[test]
fn login_by_password_plaintext_forces_the_password_connection() {
    let c = client(server);
    let input = r#"{"passwordPayload":{"password":"USER_PASSWORD","username":"USER_NAME"},"options":{"scope":"offline_access openid profile"}}"#;
    assert_eq!(tuple(run(c.login_by_password(obj(input)))), format!("[null,{SAVED}]"));
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
    assert!(run(c.login_by_password(obj(input))).is_ok());
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
    assert!(run(c.login_by_password(obj(input))).is_ok());
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
        c.login_by_password(obj(r#"{"passwordPayload":{"password":"pw"},"options":{"passwordEncryptType":"rsa"}}"#))
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
        tuple(run(c.login_by_password(obj(
            r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"rsa"}}"#
        )))),
        r#"[{"message":"crypto error: RSA public key: not base64","code":"CRYPTO"},null]"#
    );
    assert_eq!(
        tuple(run(c.login_by_password(obj(
            r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"sm2"}}"#
        )))),
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
        tuple(run(c.login_by_password(obj(rsa)))),
        r#"[{"statusCode":200,"data":{"rsa":{"publicKey":"K"}},"message":"request failed with statusCode 200","code":"SERVER"},null]"#
    );
    fn numeric_key(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"rsa":{"publicKey":1}}"#)
    }
    let c = client(numeric_key);
    assert_eq!(
        tuple(run(c.login_by_password(obj(rsa)))),
        r#"[{"message":"publicKey of rsa is not a string, please contact the administrator","code":"BAD_RESPONSE"},null]"#
    );
    let c = client(server);
    fake(&c).has_random.set(false);
    assert_eq!(
        tuple(run(c.login_by_password(obj(rsa)))),
        r#"[{"message":"no secure random source: the host has no secure random source (wx.getRandomValues needs base library 2.15.0 and is not available in plugins)","code":"NO_ENTROPY"},null]"#
    );
    assert_eq!(requests(&c).len(), 1, "the key was fetched, nothing was signed in");
    assert_eq!(
        tuple(run(c.login_by_password(obj(
            r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"RSA"}}"#
        )))),
        r#"[{"message":"passwordEncryptType must be \"none\", \"rsa\" or \"sm2\"","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.login_by_password(obj(r#"{"passwordPayload":{"username":"u"}}"#)))),
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
    assert!(run(
        c.login_by_password(obj(r#"{"passwordPayload":{"password":"p"},"options":{"passwordEncryptType":"sm2"}}"#))
    )
    .is_ok());
    let reqs = c.host().fake.requests.borrow().clone();
    assert_eq!(
        reqs[1].body.as_deref(),
        Some(
            r#"{"passwordPayload":{"password":"sm2:p:130"},"options":{"passwordEncryptType":"sm2"},"connection":"PASSWORD"}"#
        )
    );
    assert_eq!(
        tuple(run(c.login_by_password(obj(
            r#"{"passwordPayload":{"password":"throw"},"options":{"passwordEncryptType":"rsa"}}"#
        )))),
        r#"[{"message":"crypto error: encryptFunction threw: boom","code":"CRYPTO"},null]"#
    );
}

#[test]
fn update_password_sends_the_token_raw_and_encrypts_only_the_new_password() {
    let c = client(server);
    log_in(&c);
    let out =
        run(c.update_password(obj(r#"{"newPassword":"新密码","oldPassword":"old","passwordEncryptType":"rsa"}"#)));
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
    assert_eq!(tuple(run(c.update_password(obj(r#"{"newPassword":"n","oldPassword":"o"}"#)))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.get_user_info(None))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.update_user_info(obj(r#"{"address":"a"}"#)))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.update_avatar("wxfile://tmp/a.jpg"))), TOKEN_EXPIRED);
    assert_eq!(tuple(run(c.check_login())), TOKEN_EXPIRED);
    // Expired, no refresh token.
    store(&c, r#"{"access_token":"AT","expires_at":1}"#);
    assert_eq!(tuple(run(c.get_user_info(None))), TOKEN_EXPIRED);
    assert!(requests(&c).is_empty());
    assert!(fake(&c).uploads.borrow().is_empty());
}
