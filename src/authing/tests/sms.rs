//! `sendSms` and `loginByPassCode`.

use super::*;

#[test]
fn send_sms_posts_the_input_with_the_default_country_code_and_returns_the_envelope() {
    let c = client(server);
    let out = run(c.send_sms(obj(r#"{"phoneNumber":"188xxxx8888","channel":"CHANNEL_LOGIN"}"#)));
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
        tuple(run(client(rate_limited).send_sms(obj(input)))),
        r#"[{"statusCode":429,"apiCode":2011,"message":"每个手机号同一 Channel 在一分钟内只能发送一次","code":"SERVER"},null]"#
    );
    fn gateway(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(502, "<html>502 Bad Gateway</html>")
    }
    assert_eq!(
        tuple(run(client(gateway).send_sms(obj(input)))),
        r#"[{"message":"the server answered HTTP 502 with a body that is not a JSON object: <html>502 Bad Gateway</html>","statusCode":502,"code":"BAD_RESPONSE"},null]"#
    );
    fn http_500(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(500, r#"{"statusCode":500,"message":"Internal Server Error"}"#)
    }
    assert_eq!(
        tuple(run(client(http_500).send_sms(obj(input)))),
        r#"[{"statusCode":500,"message":"Internal Server Error","code":"SERVER"},null]"#
    );
    assert_eq!(tuple(run(client(fails).send_sms(obj(input)))), NETWORK_FAILURE);
}

#[test]
fn login_by_pass_code_posts_passcode_with_the_country_code_default() {
    let c = client(server);
    let input = r#"{"passCodePayload":{"passCode":"1234","phone":"188xxxx8888"},"options":{"scope":"openid profile offline_access"}}"#;
    assert_eq!(tuple(run(c.login_by_pass_code(obj(input)))), format!("[null,{SAVED}]"));
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
