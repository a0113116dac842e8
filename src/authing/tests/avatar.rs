//! `updateAvatar`: upload, then the profile update.

use super::*;

#[test]
fn update_avatar_uploads_without_headers_then_sets_the_photo() {
    let c = client(server);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://tmp/a.jpg"))),
        r#"[null,{"code":200,"message":"上传成功","data":{"key":"avatar/1.jpg","url":"https://f/1.jpg"}}]"#
    );
    let up = fake(&c).uploads.borrow()[0].clone();
    assert_eq!(up.url, "https://auth.example/api/v2/upload?folder=avatar");
    assert_eq!((up.file_path.as_str(), up.name.as_str()), ("wxfile://tmp/a.jpg", "file"));
    assert!(up.headers.is_empty() && up.form.is_empty());
    let reqs = requests(&c);
    assert_eq!(reqs.len(), 1);
    assert_request(
        &reqs[0],
        Method::Post,
        "/api/v3/update-profile",
        &[("x-authing-userpool-id", POOL), ("Authorization", "AT")],
        Some(r#"{"photo":"https://f/1.jpg"}"#),
    );
}

#[test]
fn update_avatar_error_paths() {
    fn upload_500(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.contains("/api/v2/upload") {
            return FakeHost::reply(200, r#"{"code":500,"message":"upload failed"}"#);
        }
        server(req)
    }
    let c = client(upload_500);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://a"))),
        r#"[{"code":"SERVER","message":"upload failed","statusCode":500},null]"#
    );
    fn profile_rejected(req: &HttpRequest) -> Result<HttpResponse, HostError> {
        if req.url.contains("update-profile") {
            return FakeHost::reply(200, r#"{"statusCode":400,"message":"photo invalid"}"#);
        }
        server(req)
    }
    let c = client(profile_rejected);
    log_in(&c);
    assert_eq!(
        tuple(run(c.update_avatar("wxfile://a"))),
        r#"[{"statusCode":400,"message":"photo invalid","code":"SERVER"},null]"#
    );
    assert_eq!(
        tuple(run(c.update_avatar(""))),
        r#"[{"message":"filePath is required","code":"INVALID_ARGUMENT"},null]"#
    );
}
