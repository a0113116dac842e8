//! Hostile inputs and bodies, and the one entry point by JS method name.

use super::*;

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
