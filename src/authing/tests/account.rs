//! The 17 methods of 5.1.18 beyond the twelve: exact requests, storage effects and error tuples.

use super::*;
use crate::authing::account::{self, Flow};
use crate::authing::{Obj, Platform};

const OK: &str = r#"[null,{"ok":true}]"#;
const BEARER: [(&str, &str); 2] = [("x-authing-userpool-id", POOL), ("Authorization", "AT")];

#[test]
fn each_token_flow_posts_the_input_as_given_with_the_token() {
    let cases: [(&Flow, &str, &str); 7] = [
        (&account::BIND_EMAIL, "/api/v3/bind-email", r#"{"email":"a@b.c","passCode":"1234"}"#),
        (
            &account::UPDATE_EMAIL_REQUEST,
            "/api/v3/verify-update-email-request",
            r#"{"verifyMethod":"EMAIL_PASSCODE","emailPassCodePayload":{"newEmail":"n@b.c","newEmailPassCode":"1"}}"#,
        ),
        (&account::UPDATE_EMAIL, "/api/v3/update-email", r#"{"updateEmailToken":"UET"}"#),
        (&account::BIND_PHONE, "/api/v3/bind-phone", r#"{"phoneNumber":"138","passCode":"1234"}"#),
        (&account::UPDATE_PHONE_REQUEST, "/api/v3/verify-update-phone-request", r#"{"verifyMethod":"PHONE_PASSCODE"}"#),
        (&account::UPDATE_PHONE, "/api/v3/update-phone", r#"{"updatePhoneToken":"UPT"}"#),
        (
            &account::DELETE_ACCOUNT_REQUEST,
            "/api/v3/verify-delete-account-request",
            r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"p"}}"#,
        ),
    ];
    for (flow, path, input) in cases {
        let c = client(server);
        assert_eq!(tuple(run(c.account_flow(flow, obj(input)))), TOKEN_EXPIRED, "{path}");
        assert!(requests(&c).is_empty(), "{path}");
        log_in(&c);
        assert_eq!(tuple(run(c.account_flow(flow, obj(input)))), OK, "{path}");
        assert_request(&requests(&c)[0], Method::Post, path, &BEARER, Some(input));
        assert!(stored(&c).is_some(), "{path}");
    }
}

#[test]
fn argument_checks_come_before_any_request() {
    let c = client(server);
    log_in(&c);
    let refused = |message: &str| format!(r#"[{{"message":"{message}","code":"INVALID_ARGUMENT"}},null]"#);
    for (flow, input, message) in [
        (&account::BIND_EMAIL, r#"{"email":"a@b.c"}"#, "passCode is required"),
        (&account::BIND_PHONE, r#"{"passCode":"1"}"#, "phoneNumber is required"),
        (&account::UPDATE_EMAIL, "{}", "updateEmailToken is required"),
        (&account::UPDATE_PHONE, r#"{"updatePhoneToken":""}"#, "updatePhoneToken is required"),
        (&account::DELETE_ACCOUNT, "{}", "deleteAccountToken is required"),
        (&account::DELETE_ACCOUNT_REQUEST, "{}", "verifyMethod is required"),
        (&account::SEND_EMAIL_CODE, r#"{"channel":"CHANNEL_VERIFY_EMAIL_LINK"}"#, "email is required"),
    ] {
        assert_eq!(tuple(run(c.account_flow(flow, obj(input)))), refused(message), "{}", flow.path);
    }
    let input = obj(r#"{"extIdpConnidentifier":"w","iv":"I"}"#);
    assert_eq!(tuple(run(c.decrypt_data(input.clone()))), refused("encryptedData is required"));
    assert_eq!(argument(args::options(Some("3"), "bindEmail")), refused("bindEmail options must be an object"));
    assert!(requests(&c).is_empty());
}

#[test]
fn delete_account_request_encrypts_the_password_when_asked() {
    let c = client(server);
    log_in(&c);
    let input = r#"{"verifyMethod":"PASSWORD","passwordPayload":{"password":"s3cret","passwordEncryptType":"rsa"}}"#;
    assert_eq!(tuple(run(c.account_flow(&account::DELETE_ACCOUNT_REQUEST, obj(input)))), OK);
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
    assert_eq!(tuple(run(c.account_flow(&account::DELETE_ACCOUNT, obj(r#"{"deleteAccountToken":"DAT"}"#)))), OK);
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
        tuple(run(c.account_flow(&account::DELETE_ACCOUNT, obj(r#"{"deleteAccountToken":"old"}"#)))),
        r#"[{"statusCode":400,"apiCode":1640,"message":"token expired","code":"SERVER"},null]"#
    );
    assert!(stored(&c).is_some());
}

#[test]
fn send_email_code_and_decrypt_data_need_no_login() {
    let c = client(server);
    let input = r#"{"email":"a@b.c","channel":"CHANNEL_BIND_EMAIL"}"#;
    assert_eq!(tuple(run(c.account_flow(&account::SEND_EMAIL_CODE, obj(input)))), OK);
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/send-email",
        &[("x-authing-userpool-id", POOL)],
        Some(input),
    );
    let input = r#"{"extIdpConnidentifier":"w","encryptedData":"E","iv":"I","code":"C"}"#;
    assert_eq!(tuple(run(c.decrypt_data(obj(input)))), OK);
    let pool = [("x-authing-userpool-id", POOL)];
    assert_request(&requests(&c)[1], Method::Post, "/api/v3/decrypt-wechat-miniprogram-data", &pool, Some(input));
    let c = client_with(server, Some("tt"));
    assert_eq!(tuple(run(c.decrypt_data(obj(input)))), OK);
    assert_request(&requests(&c)[0], Method::Post, "/api/v3/decrypt-douyin-miniprogram-data", &pool, Some(input));
}

#[test]
fn social_binds_send_a_fresh_login_code_first() {
    let c = client_with(server, Some("tt"));
    assert_eq!(tuple(run(c.bind_by_code(Obj::new(), c.config().platform))), TOKEN_EXPIRED);
    log_in(&c);
    assert_eq!(tuple(run(c.bind_by_code(obj(r#"{"extIdpConnidentifier":"dy"}"#), c.config().platform))), OK);
    let bind = r#"{"code":"code-1","extIdpConnidentifier":"dy"}"#;
    assert_request(&requests(&c)[0], Method::Post, "/connections/social/douyin-miniprogram/bind", &BEARER, Some(bind));
    // bindWxByCode binds WeChat on every platform.
    assert_eq!(tuple(run(c.bind_by_code(Obj::new(), Platform::Wx))), OK);
    let path = "/connections/social/wechat-miniprogram/bind";
    assert_request(&requests(&c)[1], Method::Post, path, &BEARER, Some(r#"{"code":"code-2"}"#));
    c.host().login_fails.set(true);
    assert_eq!(
        tuple(run(c.bind_by_code(Obj::new(), Platform::Wx))),
        r#"[{"message":"get tt login code error","code":"HOST_REJECTED"},null]"#
    );
}

#[test]
fn login_by_phone_signs_in_with_a_fresh_code_unless_a_valid_state_is_stored() {
    let input = r#"{"extIdpConnidentifier":"w","wechatMiniProgramCodeAndPhonePayload":{"wxPhoneInfo":{"code":"P"}}}"#;
    let c = client(server);
    assert_eq!(tuple(run(c.login_by_phone(obj(input)))), format!("[null,{SAVED}]"));
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
    assert_eq!(tuple(run(c.login_by_phone(obj(input)))), format!("[null,{SAVED}]"));
    assert_eq!(requests(&c).len(), 1);
    assert_eq!(
        tuple(run(client(server).login_by_phone(obj(r#"{"extIdpConnidentifier":"w"}"#)))),
        r#"[{"message":"wxPhoneInfo.code is required","code":"INVALID_ARGUMENT"},null]"#
    );
}

#[test]
fn local_methods_clear_save_and_code() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.clear_login_state())), "[null,true]");
    assert_eq!(stored(&c), None);
    let saved = tuple(run(c.save_login_state(obj(r#"{"access_token":"A","expires_in":60}"#))));
    assert_eq!(saved, r#"[null,{"access_token":"A","expires_in":60,"expires_at":1700000060000}]"#);
    assert_eq!(stored(&c).as_deref(), Some(r#"{"access_token":"A","expires_in":60,"expires_at":1700000060000}"#));
    assert_eq!(tuple(run(c.get_login_code())), r#"[null,"code-1"]"#);
    assert!(requests(&c).is_empty());
}

#[test]
fn get_public_key_reads_the_system_keys() {
    let c = client(server);
    let out = run(c.get_public_key(EncryptType::Rsa)).unwrap();
    assert_eq!(out, Json::str(RSA_SPKI));
    assert_request(&requests(&c)[0], Method::Get, "/api/v3/system", &[], None);
    assert_eq!(
        argument(args::encrypt_type(Some(r#""des""#))),
        r#"[{"message":"encryptType must be \"rsa\" or \"sm2\"","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(tuple(run(client(fails).get_public_key(EncryptType::Sm2))), NETWORK_FAILURE);
}
