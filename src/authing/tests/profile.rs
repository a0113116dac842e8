//! `getUserInfo` and `updateUserInfo`.

use super::*;

#[test]
fn get_user_info_sends_the_default_flags_as_a_query_string() {
    let c = client(server);
    log_in(&c);
    assert_eq!(tuple(run(c.get_user_info(None))), r#"[null,{"userId":"u1","photo":"https://f/x.jpg"}]"#);
    assert!(run(c.get_user_info(Some(obj("{}")))).is_ok());
    assert!(run(c.get_user_info(Some(obj(r#"{"withIdentities":true}"#)))).is_ok());
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
        argument(args::optional_object(Some("3"), "getUserInfo options")),
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
    assert!(run(c.update_user_info(obj(r#"{"address":"YOUR_ADDRESS","customData":{"a":1},"gender":"M"}"#))).is_ok());
    assert_request(
        &requests(&c)[0],
        Method::Post,
        "/api/v3/update-profile",
        &[("x-authing-userpool-id", POOL), ("Authorization", "AT")],
        Some(r#"{"address":"YOUR_ADDRESS","customData":{"a":1},"gender":"M"}"#),
    );
}
