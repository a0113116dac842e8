//! The 17 methods of 5.1.18 beyond the twelve: exact requests, storage effects and error tuples.

use super::*;

const OK: &str = r#"[null,{"ok":true}]"#;
const BEARER: [(&str, &str); 2] = [("x-authing-userpool-id", POOL), ("Authorization", "AT")];

#[test]
fn each_token_flow_posts_the_input_as_given_with_the_token() {
    let cases = [
        ("bindEmail", "/api/v3/bind-email", r#"{"email":"a@b.c","passCode":"1234"}"#),
        (
            "updateEmailRequest",
            "/api/v3/verify-update-email-request",
            r#"{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"n@b.c","newEmailPassCode":"1"}}"#,
        ),
        ("updateEmail", "/api/v3/update-email", r#"{"updateEmailToken":"UET"}"#),
        ("bindPhone", "/api/v3/bind-phone", r#"{"phoneNumber":"138","passCode":"1234"}"#),
        ("updatePhoneRequest", "/api/v3/verify-update-phone-request", r#"{"verifyMethod":"PHONE_PASSCODE"}"#),
        ("updatePhone", "/api/v3/update-phone", r#"{"updatePhoneToken":"UPT"}"#),
        (
            "deleteAccountRequest",
            "/api/v3/verify-delete-account-request",
            r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"p"}}"#,
        ),
    ];
    for (method, path, input) in cases {
        let c = client(server);
        assert_eq!(tuple(run(c.call(method, Some(input)))), TOKEN_EXPIRED, "{method}");
        assert!(requests(&c).is_empty(), "{method}");
        log_in(&c);
        assert_eq!(tuple(run(c.call(method, Some(input)))), OK, "{method}");
        assert_request(&requests(&c)[0], Method::Post, path, &BEARER, Some(input));
        assert!(stored(&c).is_some(), "{method}");
    }
}

#[test]
fn argument_checks_come_before_any_request() {
    let c = client(server);
    log_in(&c);
    for (method, input, message) in [
        ("bindEmail", r#"{"email":"a@b.c"}"#, "passCode is required"),
        ("bindPhone", r#"{"passCode":"1"}"#, "phoneNumber is required"),
        ("updateEmail", "{}", "updateEmailToken is required"),
        ("updatePhone", r#"{"updatePhoneToken":""}"#, "updatePhoneToken is required"),
        ("deleteAccount", "{}", "deleteAccountToken is required"),
        ("deleteAccountRequest", "{}", "verifyMethod is required"),
        ("sendEmailCode", r#"{"channel":"CHANNEL_VERIFY_EMAIL_LINK"}"#, "email is required"),
        ("decryptData", r#"{"extIdpConnidentifier":"w","iv":"I"}"#, "encryptedData is required"),
        ("bindEmail", "3", "bindEmail options must be an object"),
    ] {
        assert_eq!(
            tuple(run(c.call(method, Some(input)))),
            format!(r#"[{{"message":"{message}","code":"INVALID_ARGUMENT"}},null]"#),
            "{method}"
        );
    }
    assert!(requests(&c).is_empty());
}

#[test]
fn delete_account_request_encrypts_the_password_when_asked() {
    let c = client(server);
    log_in(&c);
    let input = r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"s3cret","passwordEncryptType":"rsa"}}"#;
    assert_eq!(tuple(run(c.call("deleteAccountRequest", Some(input)))), OK);
    let reqs = requests(&c);
    assert_request(&reqs[0], Method::Get, "/api/v3/system", &[], None);
    let body = Json::parse(reqs[1].body.as_deref().unwrap()).unwrap();
    let cipher = body.get("passwordPayload").and_then(|p| p.get("password")).and_then(Json::as_str).unwrap();
    assert_eq!(rsa_decrypt(cipher), "s3cret");
    assert_eq!(reqs[1].url, "https://auth.example/api/v3/verify-delete-account-request");
}

#[test]
fn delete_account_forgets_the_state_only_on_success() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.call("deleteAccount", Some(r#"{"deleteAccountToken":"DAT"}"#)))), OK);
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/delete-account",
        &BEARER,
        Some(r#"{"deleteAccountToken":"DAT"}"#),
    );
    assert_eq!(stored(&c), None);
    fn expired(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":400,"apiCode":1640,"message":"token expired"}"#)
    }
    let c = client(expired);
    log_in(&c);
    assert_eq!(
        tuple(run(c.call("deleteAccount", Some(r#"{"deleteAccountToken":"old"}"#)))),
        r#"[{"statusCode":400,"apiCode":1640,"message":"token expired","code":"SERVER"},null]"#
    );
    assert!(stored(&c).is_some());
}

#[test]
fn send_email_code_and_decrypt_data_need_no_login() {
    let c = client(server);
    let input = r#"{"email":"a@b.c","channel":"CHANNEL_BIND_EMAIL"}"#;
    assert_eq!(tuple(run(c.call("sendEmailCode", Some(input)))), OK);
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/send-email",
        &[("x-authing-userpool-id", POOL)],
        Some(input),
    );
    let input = r#"{"extIdpConnidentifier":"w","encryptedData":"E","iv":"I","code":"C"}"#;
    assert_eq!(tuple(run(c.call("decryptData", Some(input)))), OK);
    let pool = [("x-authing-userpool-id", POOL)];
    assert_request(&requests(&c)[1], Method::Post, "/api/v3/decrypt-wechat-miniprogram-data", &pool, Some(input));
    let c = client_with(server, Some("tt"));
    assert_eq!(tuple(run(c.call("decryptData", Some(input)))), OK);
    assert_request(&requests(&c)[0], Method::Post, "/api/v3/decrypt-douyin-miniprogram-data", &pool, Some(input));
}

#[test]
fn social_binds_send_a_fresh_login_code_first() {
    let c = client_with(server, Some("tt"));
    assert_eq!(tuple(run(c.call("bindPlatformByCode", None))), TOKEN_EXPIRED);
    log_in(&c);
    assert_eq!(tuple(run(c.call("bindPlatformByCode", Some(r#"{"extIdpConnidentifier":"dy"}"#)))), OK);
    let bind = r#"{"code":"code-1","extIdpConnidentifier":"dy"}"#;
    assert_request(&requests(&c)[0], Method::Post, "/connections/social/douyin-miniprogram/bind", &BEARER, Some(bind));
    // bindWxByCode binds WeChat on every platform.
    assert_eq!(tuple(run(c.call("bindWxByCode", None))), OK);
    let path = "/connections/social/wechat-miniprogram/bind";
    assert_request(&requests(&c)[1], Method::Post, path, &BEARER, Some(r#"{"code":"code-2"}"#));
    c.host().login_fails.set(true);
    assert_eq!(
        tuple(run(c.call("bindWxByCode", None))),
        r#"[{"message":"get tt login code error","code":"HOST_REJECTED"},null]"#
    );
}

#[test]
fn login_by_phone_signs_in_with_a_fresh_code_unless_a_valid_state_is_stored() {
    let input = r#"{"extIdpConnidentifier":"w","wechatMiniProgramCodeAndPhonePayload":{"wxPhoneInfo":{"code":"P"}}}"#;
    let c = client(server);
    assert_eq!(tuple(run(c.call("loginByPhone", Some(input)))), format!("[null,{SAVED}]"));
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP)],
        Some(
            r#"{"connection":"wechat_mini_program_code_and_phone","extIdpConnidentifier":"w","wechatMiniProgramCodeAndPhonePayload":{"wxPhoneInfo":{"code":"P"},"wxLoginInfo":{"encryptedData":"","iv":"","code":"code-1"}}}"#,
        ),
    );
    assert_eq!(stored(&c).as_deref(), Some(SAVED));
    assert_eq!(tuple(run(c.call("loginByPhone", Some(input)))), format!("[null,{SAVED}]"));
    assert_eq!(requests(&c).len(), 1);
    assert_eq!(
        tuple(run(client(server).call("loginByPhone", Some(r#"{"extIdpConnidentifier":"w"}"#)))),
        r#"[{"message":"wxPhoneInfo.code is required","code":"INVALID_ARGUMENT"},null]"#
    );
}

#[test]
fn local_methods_clear_save_and_code() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.call("clearLoginState", None))), "[null,true]");
    assert_eq!(stored(&c), None);
    let saved = tuple(run(c.call("saveLoginState", Some(r#"{"access_token":"A","expires_in":60}"#))));
    assert_eq!(saved, r#"[null,{"access_token":"A","expires_in":60,"expires_at":1700000060000}]"#);
    assert_eq!(stored(&c).as_deref(), Some(r#"{"access_token":"A","expires_in":60,"expires_at":1700000060000}"#));
    assert_eq!(tuple(run(c.call("getLoginCode", None))), r#"[null,"code-1"]"#);
    assert!(requests(&c).is_empty());
}

#[test]
fn get_public_key_reads_the_system_keys() {
    let c = client(server);
    let out = run(c.call("getPublicKey", Some(r#""rsa""#))).unwrap();
    assert_eq!(out, Json::str(RSA_SPKI));
    assert_request(&requests(&c)[0], Method::Get, "/api/v3/system", &[], None);
    assert_eq!(
        tuple(run(c.call("getPublicKey", Some(r#""des""#)))),
        r#"[{"message":"encryptType must be \"rsa\" or \"sm2\"","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(tuple(run(client(fails).call("getPublicKey", Some(r#""sm2""#)))), NETWORK_FAILURE);
}
