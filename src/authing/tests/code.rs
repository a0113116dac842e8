//! `loginByCode`: the platform code login, its state and error paths.

use super::*;

#[test]
fn login_by_code_sends_a_fresh_login_code_and_stores_the_state_with_expires_at_in_ms() {
    let c = client(server);
    let input = r#"{"extIdpConnidentifier":"my-wx","wechatMiniProgramCodePayload":{"encryptedData":"ED","iv":"IV"},"options":{"scope":"openid profile offline_access"}}"#;
    assert_eq!(tuple(run(c.login_by_code(obj(input)))), format!("[null,{SAVED}]"));
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
    assert_eq!(tuple(run(c.login_by_code(obj(input)))), format!("[null,{SAVED}]"));
    assert_eq!((fake(&c).login_calls.get(), requests(&c).len()), (1, 1));
}

#[test]
fn login_by_code_on_douyin_uses_the_douyin_connection_and_payload() {
    let c = client_with(server, Some("tt"));
    let input = r#"{"extIdpConnidentifier":"dy","douyinMiniProgramCodePayload":{"encryptedData":"E","iv":"I"}}"#;
    assert!(run(c.login_by_code(obj(input))).is_ok());
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
        tuple(run(c.login_by_code(obj(r#"{"wechatMiniProgramCodePayload":{}}"#)))),
        r#"[{"message":"extIdpConnidentifier is required","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        argument(args::options(Some("[1]"), "loginByCode")),
        r#"[{"message":"loginByCode options must be an object","code":"INVALID_ARGUMENT"},null]"#
    );
    c.host().login_fails.set(true);
    assert_eq!(
        tuple(run(c.login_by_code(obj(r#"{"extIdpConnidentifier":"w"}"#)))),
        r#"[{"message":"get wx login code error","code":"HOST_REJECTED"},null]"#
    );
    assert!(requests(&c).is_empty());

    // A used/expired code: the server's body comes back whole, with a code.
    fn used_code(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":400,"apiCode":40163,"message":"code been used","requestId":"r"}"#)
    }
    let c = client(used_code);
    assert_eq!(
        tuple(run(c.login_by_code(obj(r#"{"extIdpConnidentifier":"w"}"#)))),
        r#"[{"statusCode":400,"apiCode":40163,"message":"code been used","requestId":"r","code":"SERVER"},null]"#
    );
    assert!(stored(&c).is_none());

    let c = client(fails);
    assert_eq!(tuple(run(c.login_by_code(obj(r#"{"extIdpConnidentifier":"w"}"#)))), NETWORK_FAILURE);
}

#[test]
fn a_login_answered_without_a_token_clears_the_state() {
    fn no_token(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":200,"message":"","data":{"foo":1}}"#)
    }
    let c = client(no_token);
    store(&c, r#"{"access_token":"old","expires_at":1}"#);
    assert_eq!(
        tuple(run(c.login_by_pass_code(obj(r#"{"passCodePayload":{"passCode":"1","email":"a@b"}}"#)))),
        r#"[{"foo":1,"message":"the server answered without a token","code":"BAD_RESPONSE"},null]"#
    );
    assert!(stored(&c).is_none());
}

#[test]
fn a_login_whose_state_cannot_be_saved_reports_a_storage_error() {
    let c = client(server);
    *fake(&c).storage_fails.borrow_mut() = Some("setStorage:fail exceed storage max size 10MB".into());
    assert_eq!(
        tuple(run(c.login_by_password(obj(r#"{"passwordPayload":{"password":"p","username":"u"}}"#)))),
        r#"[{"message":"storage error: host function `setStorage` failed: setStorage:fail exceed storage max size 10MB","code":"STORAGE"},null]"#
    );
}
