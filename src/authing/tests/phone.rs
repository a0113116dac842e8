//! `getPhone`.

use super::*;

#[test]
fn get_phone_posts_the_button_code_and_returns_phone_info() {
    let c = client(server);
    let out = tuple(run(c.get_phone(obj(r#"{"extIdpConnidentifier":"my-wx","code":"PHONECODE"}"#))));
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
    assert!(run(c.get_phone(obj(r#"{"extIdpConnidentifier":"dy","encryptedData":"PE","iv":"PI"}"#))).is_ok());
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
        tuple(run(c.get_phone(obj(r#"{"extIdpConnidentifier":"my-wx"}"#)))),
        r#"[{"message":"code or extIdpConnidentifier is required","code":"INVALID_ARGUMENT"},null]"#
    );
    fn no_phone_info(_: &HttpRequest) -> Result<HttpResponse, HostError> {
        FakeHost::reply(200, r#"{"statusCode":200,"message":"","data":{"phoneNumber":"138"}}"#)
    }
    assert_eq!(
        tuple(run(client(no_phone_info).get_phone(obj(r#"{"extIdpConnidentifier":"w","code":"c"}"#)))),
        r#"[{"phoneNumber":"138","message":"the server answered without phone_info","code":"BAD_RESPONSE"},null]"#
    );
}
