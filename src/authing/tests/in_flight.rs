//! An access token the server rejects in flight: one shared refresh, one retry, never a loop; and a
//! device clock a day off, corrected from the server's `Date` and the token's `iat`.

use super::*;

const REJECTED: &str = r#"{"statusCode":401,"apiCode":2020,"message":"尚未登录，无权限访问此请求"}"#;
const INVALID_GRANT: &str = r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
const REFRESH_EXPIRED: &str =
    r#"[{"message":"refresh_token has expired, please login again","code":"NOT_LOGGED_IN"},null]"#;

fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers.iter().find(|(k, _)| k == "Authorization").map(|(_, v)| v.as_str())
}

fn token_bearing(req: &HttpRequest) -> bool {
    ["/api/v3/get-profile", "/api/v3/update-profile", "/api/v3/update-password"]
        .iter()
        .any(|p| path_of(&req.url).split('?').next() == Some(*p))
}

/// The server no longer accepts `AT` (it expired on the way), only the refreshed `AT2`.
fn rejects_the_old_token(req: &HttpRequest) -> Result<HttpResponse, HostError> {
    if token_bearing(req) && authorization(req) == Some("AT") {
        return FakeHost::reply(200, REJECTED);
    }
    server(req)
}

/// The server rejects every token, and refreshes succeed.
fn rejects_every_token(req: &HttpRequest) -> Result<HttpResponse, HostError> {
    if token_bearing(req) {
        return FakeHost::reply(401, REJECTED);
    }
    server(req)
}

/// The server rejects every token and the refresh token too.
fn rejects_the_refresh_too(req: &HttpRequest) -> Result<HttpResponse, HostError> {
    if path_of(&req.url) == "/oidc/token" {
        return FakeHost::reply(400, INVALID_GRANT);
    }
    rejects_every_token(req)
}

fn paths(c: &AuthingClient<TestHost>) -> Vec<String> {
    requests(c)
        .iter()
        .map(|r| format!("{} {}", path_of(&r.url).split('?').next().unwrap_or(""), authorization(r).unwrap_or("-")))
        .collect()
}

#[test]
fn a_token_rejected_in_flight_is_refreshed_once_and_the_call_retried_once() {
    type Method = for<'a> fn(&'a AuthingClient<TestHost>) -> Call<'a>;
    let methods: [(&str, Method); 3] = [
        ("/api/v3/get-profile", |c| Box::pin(c.get_user_info(None))),
        ("/api/v3/update-profile", |c| Box::pin(c.update_user_info(obj(r#"{"nickname":"n"}"#)))),
        ("/api/v3/update-password", |c| Box::pin(c.update_password(obj(r#"{"newPassword":"n2","oldPassword":"n1"}"#)))),
    ];
    for (path, call) in methods {
        let c = client(rejects_the_old_token);
        log_in(&c);
        let out = tuple(run(call(&c)));
        assert!(out.starts_with("[null,"), "{path}: {out}");
        assert_eq!(paths(&c), [format!("{path} AT"), "/oidc/token -".into(), format!("{path} AT2")]);
        // The retry is the same request with the new token.
        let reqs = requests(&c);
        assert_eq!(reqs[0].body, reqs[2].body);
        assert!(stored(&c).unwrap().contains(r#""access_token":"AT2""#));
    }
}

#[test]
fn a_second_rejection_is_final_and_a_failed_refresh_gives_the_official_message() {
    let c = client(rejects_every_token);
    log_in(&c);
    assert_eq!(
        tuple(run(c.get_user_info(None))),
        r#"[{"statusCode":401,"apiCode":2020,"message":"尚未登录，无权限访问此请求","code":"SERVER"},null]"#
    );
    assert_eq!(paths(&c), ["/api/v3/get-profile AT", "/oidc/token -", "/api/v3/get-profile AT2"]);

    let c = client(rejects_the_refresh_too);
    log_in(&c);
    assert_eq!(tuple(run(c.update_user_info(obj(r#"{"nickname":"n"}"#)))), REFRESH_EXPIRED);
    assert_eq!(paths(&c), ["/api/v3/update-profile AT", "/oidc/token -"], "no retry after a failed refresh");
}

#[test]
fn a_thousand_calls_rejected_in_flight_share_one_refresh() {
    let c = client(rejects_the_old_token);
    log_in(&c);
    c.host().yield_requests.set(true);
    let futs: Vec<Call<'_>> = (0..1000).map(|_| Box::pin(c.get_user_info(None)) as Call<'_>).collect();
    let outs = join_all(futs);
    assert!(outs.iter().all(Result::is_ok), "{:?}", outs.iter().find(|r| r.is_err()));
    let all = paths(&c);
    assert_eq!(all.iter().filter(|p| p.starts_with("/oidc/token")).count(), 1);
    assert_eq!(all.iter().filter(|p| p.as_str() == "/api/v3/get-profile AT2").count(), 1000);
    assert!(all.iter().filter(|p| p.as_str() == "/api/v3/get-profile AT").count() <= 1000);
}

/// `{"exp":1699917200,"iat":1699913600}`: an hour-long token issued at the server's
/// 2023-11-13 22:13:20, a day before the device's clock (`NOW`).
fn jwt_a_day_behind() -> String {
    use base64ct::Encoding;
    let claims = base64ct::Base64UrlUnpadded::encode_string(br#"{"exp":1699917200,"iat":1699913600}"#);
    format!("eyJhbGciOiJub25lIn0.{claims}.")
}

fn server_a_day_behind(req: &HttpRequest) -> Result<HttpResponse, HostError> {
    let mut res = if path_of(&req.url) == "/api/v3/signin" {
        let body =
            format!(r#"{{"statusCode":200,"data":{{"access_token":"{}","refresh_token":"RT"}}}}"#, jwt_a_day_behind());
        FakeHost::reply(200, &body)?
    } else {
        server(req)?
    };
    res.headers.push(("Date".into(), "Mon, 13 Nov 2023 22:13:20 GMT".into()));
    Ok(res)
}

#[test]
fn a_device_clock_a_day_fast_reads_a_server_exp_in_device_time() {
    let c = client(server_a_day_behind);
    let input = r#"{"passwordPayload":{"password":"p","username":"u"}}"#;
    assert!(run(c.login_by_password(obj(input))).is_ok());
    assert_eq!(c.clock_offset_ms(), -86_399_500.0);
    // The JWT's exp, an hour after the server's now, is an hour after the device's now.
    let state = Json::parse(&stored(&c).unwrap()).unwrap();
    let expires_at = state.get("expires_at").and_then(Json::as_f64).unwrap();
    assert!((expires_at - (NOW + 3_600_000.0)).abs() <= 1_000.0, "{expires_at}");
    assert!(run(c.get_user_info(None)).is_ok());
    assert_eq!(requests(&c).len(), 2, "no refresh: the token is valid for another hour");
    // A state stored without expires_at (the official package's NaN) is judged by the server's clock.
    store(&c, &format!(r#"{{"access_token":"{}","refresh_token":"RT","expires_at":null}}"#, jwt_a_day_behind()));
    assert!(run(c.get_login_state()).is_ok());
    assert_eq!(requests(&c).len(), 2);
}

#[test]
fn a_right_clock_learns_no_offset() {
    fn server_on_time(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        let mut res = server(req)?;
        res.headers.push(("Date".into(), "Tue, 14 Nov 2023 22:13:20 GMT".into()));
        Ok(res)
    }
    let c = client(server_on_time);
    let input = r#"{"passwordPayload":{"password":"USER_PASSWORD","username":"USER_NAME"},"options":{"scope":"offline_access openid profile"}}"#;
    assert_eq!(tuple(run(c.login_by_password(obj(input)))), format!("[null,{SAVED}]"));
    assert_eq!(c.clock_offset_ms(), 0.0);
}
