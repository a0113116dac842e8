//! Hostile inputs and bodies, and the typed methods answering as the JS names did.

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
        // What the boundary reads: objects reach the methods, anything else is refused by name.
        let Ok(input) = args::options(Some(input), "m") else { continue };
        let _ = run(c.login_by_code(input.clone()));
        let _ = run(c.login_by_password(input.clone()));
        let _ = run(c.send_sms(input.clone()));
        let _ = run(c.login_by_pass_code(input.clone()));
        let _ = run(c.get_phone(input.clone()));
        let _ = run(c.update_password(input.clone()));
        let _ = run(c.get_user_info(Some(input.clone())));
        let _ = run(c.update_user_info(input.clone()));
    }
    for input in inputs {
        let _ = run(c.update_avatar(input));
    }
    let _ = run(c.refresh_token());
    let _ = run(c.logout());
}

#[test]
fn typed_methods_answer_as_the_js_names_did() {
    let c = client(server);
    assert_eq!(tuple(run(c.logout())), "[null,true]");
    assert_eq!(
        argument(args::options(None, "loginByCode")),
        r#"[{"message":"loginByCode options must be an object","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(run(c.send_sms(obj(r#"{"phoneNumber":"1","channel":"CHANNEL_LOGIN"}"#)))),
        r#"[null,{"statusCode":200,"message":"发送成功","requestId":"q1"}]"#
    );
    assert_eq!(tuple(run(c.check_login())), TOKEN_EXPIRED);
    log_in(&c);
    assert!(run(c.get_user_info(args::optional_object(None, "getUserInfo options").unwrap())).is_ok());
    assert_eq!(
        requests(&c).last().unwrap().url,
        "https://auth.example/api/v3/get-profile?withCustomData=false&withDepartmentIds=false&withIdentities=false"
    );
    assert_eq!(
        tuple(run(c.update_avatar(""))),
        r#"[{"message":"filePath is required","code":"INVALID_ARGUMENT"},null]"#
    );
    assert_eq!(
        tuple(Err(args::unknown_method("constructor"))),
        r#"[{"message":"unknown method \"constructor\"","code":"INVALID_ARGUMENT"},null]"#
    );
}
