//! Every class of bad input gets the owning service's error envelope:
//! never a 5xx, a panic, a plain-text error or a hang.

mod common;

use common::*;
use serde_json::{json, Value};

const AUTHING_POSTS: &[&str] = &[
    "/api/v3/signin",
    "/api/v3/signin-by-mobile",
    "/api/v3/send-sms",
    "/api/v3/update-profile",
    "/api/v3/update-password",
    "/api/v3/get-wechat-miniprogram-phone",
    "/api/v3/decrypt-douyin-miniprogram-phone",
];

fn all_headers(tok: &str) -> Vec<(&'static str, String)> {
    vec![
        ("x-authing-app-id", APP_ID.to_string()),
        ("x-authing-userpool-id", POOL_ID.to_string()),
        ("authorization", tok.to_string()),
    ]
}

fn borrow<'a>(h: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    h.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn login_token(emu: &Emulator) -> String {
    emu.admin_user(json!({"username": "u", "password": "pw"}));
    emu.password_login("u", "pw", "openid")["data"]["access_token"].as_str().unwrap().to_string()
}

#[test]
fn authing_malformed_json_wrong_types_and_missing_fields() {
    let emu = Emulator::start();
    let tok = login_token(&emu);
    let h = all_headers(&tok);
    let h = borrow(&h);
    for path in AUTHING_POSTS {
        for body in [&b"{not json"[..], b"", b"[1,2]", b"\"str\"", b"null", b"\xff\xfe\x00"] {
            let r = emu.request("POST", path, &h, Some(body));
            assert_eq!(r.status, 200, "{path}");
            let v = r.json();
            assert_authing_error(&v, 400);
        }
    }
    let wrong_types = [
        ("/api/v3/signin", json!({"connection": 1})),
        ("/api/v3/signin", json!({"connection": "PASSWORD", "passwordPayload": "x"})),
        ("/api/v3/signin", json!({"connection": "PASSWORD", "passwordPayload": {"password": 5, "username": "u"}})),
        (
            "/api/v3/signin",
            json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw", "username": "u"}, "options": []}),
        ),
        (
            "/api/v3/signin",
            json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw", "username": "u"}, "options": {"passwordEncryptType": "aes"}}),
        ),
        ("/api/v3/signin", json!({"connection": "PASSWORD", "passwordPayload": {"password": "pw"}})),
        (
            "/api/v3/signin",
            json!({"connection": "PASSCODE", "passCodePayload": {"passCode": 1234, "phone": "13800000000"}}),
        ),
        ("/api/v3/signin", json!({"connection": "SOMETHING"})),
        (
            "/api/v3/signin-by-mobile",
            json!({"connection": "wechat_mini_program_code", "extIdpConnidentifier": WECHAT_IDP}),
        ),
        (
            "/api/v3/signin-by-mobile",
            json!({"connection": "wechat_mini_program_code", "extIdpConnidentifier": WECHAT_IDP, "wechatMiniProgramCodePayload": {"code": ["a"]}}),
        ),
        ("/api/v3/send-sms", json!({"phoneNumber": 13800000000u64, "channel": "CHANNEL_LOGIN"})),
        ("/api/v3/send-sms", json!({"phoneNumber": "13800000000", "channel": "CHANNEL_NOPE"})),
        ("/api/v3/send-sms", json!({"phoneNumber": "abc", "channel": "CHANNEL_LOGIN"})),
        ("/api/v3/update-profile", json!({"nickname": 5})),
        ("/api/v3/update-profile", json!({"customData": "x"})),
        ("/api/v3/update-password", json!({"newPassword": true, "oldPassword": "pw"})),
        ("/api/v3/get-wechat-miniprogram-phone", json!({"extIdpConnidentifier": WECHAT_IDP, "code": {}})),
    ];
    for (path, body) in wrong_types {
        let v = emu.post_json(path, &h, &body).json();
        assert_authing_error(&v, v["statusCode"].as_u64().filter(|s| (400..500).contains(s)).unwrap_or(0));
    }
    let q = emu.get("/api/v3/get-profile?withIdentities=yes", &h).json();
    assert_authing_error(&q, 400);
}

#[test]
fn authing_missing_or_wrong_headers() {
    let emu = Emulator::start();
    let tok = login_token(&emu);
    let login = json!({"passwordPayload": {"password": "pw", "username": "u"}, "connection": "PASSWORD"});
    assert_authing_error(&emu.post_json("/api/v3/signin", &[], &login).json(), 400);
    assert_authing_error(&emu.post_json("/api/v3/signin", &[("x-authing-app-id", "other")], &login).json(), 404);
    let sms = json!({"phoneNumber": "13800000000", "channel": "CHANNEL_LOGIN"});
    assert_authing_error(&emu.post_json("/api/v3/send-sms", &[], &sms).json(), 400);
    assert_authing_error(&emu.post_json("/api/v3/send-sms", &[("x-authing-userpool-id", "x")], &sms).json(), 404);
    assert_authing_error(&emu.get("/api/v3/get-profile", &[("authorization", &tok)]).json(), 400);
    assert_authing_error(&emu.get("/api/v3/get-profile", &[("x-authing-userpool-id", POOL_ID)]).json(), 401);
    assert_authing_error(
        &emu.get("/api/v3/get-profile", &[("x-authing-userpool-id", POOL_ID), ("authorization", "garbage")]).json(),
        401,
    );
    assert_authing_error(
        &emu.post_json("/api/v3/update-profile", &[("x-authing-userpool-id", POOL_ID)], &json!({})).json(),
        401,
    );
    // OIDC endpoints answer with the OAuth envelope
    let r = emu.post_form("/oidc/token", &[("x-authing-app-id", APP_ID)], "");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], json!("invalid_request"));
    let r = emu.post_form("/oidc/token/revocation", &[], "client_id=dev-app");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], json!("invalid_request"));
    // unknown token revocation is fine (RFC 7009)
    assert_eq!(emu.post_form("/oidc/token/revocation", &[], "client_id=dev-app&token=unknown").status, 200);
}

#[test]
fn reused_and_expired_codes() {
    let emu = Emulator::start_with(&["--code-ttl-secs", "1", "--sms-interval-secs", "0"]);
    let up = [("x-authing-userpool-id", POOL_ID)];
    emu.post_json("/api/v3/send-sms", &up, &json!({"phoneNumber": "13800000001", "channel": "CHANNEL_LOGIN"}));
    let code = emu.latest_sms("13800000001");
    emu.advance_clock(1300);
    let r = emu.signin(json!({"passCodePayload": {"passCode": code, "phone": "13800000001"}, "options": {"autoRegister": true}, "connection": "PASSCODE"}));
    assert_authing_error(&r, 400);
    // five wrong attempts burn a code
    emu.post_json("/api/v3/send-sms", &up, &json!({"phoneNumber": "13800000002", "channel": "CHANNEL_LOGIN"}));
    let good = emu.latest_sms("13800000002");
    for _ in 0..5 {
        let r =
            emu.signin(json!({"passCodePayload": {"passCode": "x", "phone": "13800000002"}, "connection": "PASSCODE"}));
        assert_authing_error(&r, 400);
    }
    let r = emu.signin(json!({"passCodePayload": {"passCode": good, "phone": "13800000002"}, "options": {"autoRegister": true}, "connection": "PASSCODE"}));
    assert_authing_error(&r, 400);

    let code = emu.wx_code("x");
    emu.advance_clock(1300);
    let r = emu.sl(
        "serverless.auth.user.authorize",
        Some(&json!({"authProvider": "wechat_openapi", "clientIdentifier": "wx", "authCode": code})),
        None,
    );
    assert_sl_error(&r, "InvalidParameter.InvalidAuthCode");
    let phone =
        emu.post_json("/__platform/wx/phone-code", &[], &json!({})).json()["code"].as_str().unwrap().to_string();
    emu.advance_clock(1300);
    let r = emu
        .post_json(
            "/api/v3/get-wechat-miniprogram-phone",
            &up,
            &json!({"extIdpConnidentifier": WECHAT_IDP, "code": phone}),
        )
        .json();
    assert_authing_error(&r, 400);
}

fn sl_body(method: &str, params: Option<&str>, ts: Value, token: Option<&str>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("spaceId".into(), json!(SPACE_ID));
    m.insert("method".into(), json!(method));
    if let Some(p) = params {
        m.insert("params".into(), json!(p));
    }
    if let Some(t) = token {
        m.insert("token".into(), json!(t));
    }
    m.insert("timestamp".into(), ts);
    Value::Object(m)
}

#[test]
fn gateway_envelope_for_every_bad_request() {
    let emu = Emulator::start();
    let anon = "serverless.auth.user.anonymousAuthorize";
    let check = |r: Resp, code: &str| {
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.request_id.is_some());
        assert_sl_error(&r.json(), code);
    };
    let good_sig = |p: Option<&str>, ts: i64| sign(CLIENT_SECRET, anon, p, SPACE_ID, ts, None);
    for body in [&b"{oops"[..], b"", b"[]", b"42", b"\x00\x01"] {
        check(emu.request("POST", "/client", &[("content-type", "application/json")], Some(body)), "InvalidParameter");
    }
    let ts = now_ms();
    let sig = good_sig(Some("{}"), ts);
    let h = [("x-serverless-sign", sig.as_str())];
    check(emu.post_json("/client", &h, &json!({"method": anon, "params": "{}", "timestamp": ts})), "InvalidParameter");
    check(
        emu.post_json("/client", &h, &json!({"spaceId": SPACE_ID, "params": "{}", "timestamp": ts})),
        "InvalidParameter",
    );
    check(emu.post_json("/client", &h, &sl_body(anon, Some("{}"), json!(null), None)), "InvalidParameter");
    check(emu.post_json("/client", &h, &sl_body(anon, Some("{}"), json!(ts.to_string()), None)), "InvalidParameter");
    check(emu.post_json("/client", &h, &sl_body(anon, Some("{}"), json!(1.5), None)), "InvalidParameter");
    let mut obj_params = sl_body(anon, None, json!(ts), None);
    obj_params["params"] = json!({"clientIdentifier": "x"});
    check(emu.post_json("/client", &h, &obj_params), "InvalidParameter");
    let mut wrong_space = sl_body(anon, Some("{}"), json!(ts), None);
    wrong_space["spaceId"] = json!("nope");
    check(emu.post_json("/client", &h, &wrong_space), "InvalidParameter.SpaceNotFound");
    // signature
    check(
        emu.post_json("/client", &[], &sl_body(anon, Some("{}"), json!(ts), None)),
        "InvalidParameter.SignatureDoesNotMatch",
    );
    check(
        emu.post_json(
            "/client",
            &[("x-serverless-sign", "00112233445566778899aabbccddeeff")],
            &sl_body(anon, Some("{}"), json!(ts), None),
        ),
        "InvalidParameter.SignatureDoesNotMatch",
    );
    check(emu.sl_raw(anon, Some("{}"), None, ts, "wrong-secret"), "InvalidParameter.SignatureDoesNotMatch");
    // the signed params must be the bytes sent: re-serialised params fail
    let signed_for = good_sig(Some(r#"{"a":1}"#), ts);
    check(
        emu.post_json(
            "/client",
            &[("x-serverless-sign", &signed_for)],
            &sl_body(anon, Some(r#"{"a": 1}"#), json!(ts), None),
        ),
        "InvalidParameter.SignatureDoesNotMatch",
    );
    // replay window
    check(emu.sl_raw(anon, Some("{}"), None, now_ms() - 3_600_000, CLIENT_SECRET), "InvalidParameter.TimestampExpired");
    check(emu.sl_raw(anon, Some("{}"), None, now_ms() + 3_600_000, CLIENT_SECRET), "InvalidParameter.TimestampExpired");
    // params not JSON / not an object (correctly signed)
    check(emu.sl_raw(anon, Some("{bad"), None, now_ms(), CLIENT_SECRET), "InvalidParameter");
    check(emu.sl_raw(anon, Some("[1]"), None, now_ms(), CLIENT_SECRET), "InvalidParameter");
    check(emu.sl_raw(anon, Some(r#"{"clientIdentifier":5}"#), None, now_ms(), CLIENT_SECRET), "InvalidParameter");
    check(
        emu.sl_raw(
            "serverless.auth.user.authorize",
            Some(r#"{"authProvider":"qq_openapi","authCode":"x"}"#),
            None,
            now_ms(),
            CLIENT_SECRET,
        ),
        "InvalidParameter",
    );

    // token problems
    let t = emu.anonymous_token();
    check(
        emu.sl_raw("serverless.auth.user.getProfileInfo", Some("{}"), None, now_ms(), CLIENT_SECRET),
        "GATEWAY_INVALID_TOKEN",
    );
    let ts = now_ms();
    let sig = sign(CLIENT_SECRET, "serverless.auth.user.getProfileInfo", Some("{}"), SPACE_ID, ts, Some(&t));
    let body = sl_body("serverless.auth.user.getProfileInfo", Some("{}"), json!(ts), Some(&t));
    check(emu.post_json("/client", &[("x-serverless-sign", &sig)], &body), "GATEWAY_INVALID_TOKEN");
    check(
        emu.post_json("/client", &[("x-serverless-sign", &sig), ("x-basement-token", "other")], &body),
        "GATEWAY_INVALID_TOKEN",
    );
    check(
        emu.sl_raw("serverless.no.such.method", Some("{}"), Some(&t), now_ms(), CLIENT_SECRET),
        "InvalidParameter.MethodNotFound",
    );

    // db
    let db = |p: Value| emu.db(&t, p);
    assert_sl_error(
        &db(json!({"collection": "ghosts", "query": {}, "options": {}, "command": "find"})),
        "DatabaseError.CollectionNotFound",
    );
    assert_sl_error(
        &db(json!({"collection": "a/b", "query": {}, "options": {}, "command": "find"})),
        "InvalidParameter",
    );
    assert_sl_error(&db(json!({"collection": 5, "command": "find"})), "InvalidParameter");
    assert_sl_error(&db(json!({"collection": "books", "options": {}, "command": "drop"})), "InvalidParameter");
    assert_sl_error(
        &db(json!({"collection": "books", "query": {"$where": "1"}, "options": {}, "command": "find"})),
        "InvalidParameter.InvalidQuery",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "query": {"a": {"$regex": "(?<=x)"}}, "options": {}, "command": "find"})),
        "InvalidParameter.InvalidQuery",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "query": [], "options": {}, "command": "find"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "query": {}, "options": {"limit": -1}, "command": "find"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "query": {}, "options": {"sort": {"a": 0}}, "command": "find"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "doc": {"a.b": 1}, "options": {}, "command": "insertOne"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "doc": "x", "options": {}, "command": "insertOne"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "docs": [], "options": {}, "command": "insertMany"})),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "filter": {}, "update": {"a": 1}, "options": {}, "command": "updateOne"})),
        "InvalidParameter.InvalidUpdate",
    );
    assert_sl_error(
        &db(
            json!({"collection": "books", "filter": {}, "update": {"$set": {"_id": "x"}}, "options": {}, "command": "updateMany"}),
        ),
        "InvalidParameter.InvalidUpdate",
    );
    assert_sl_error(
        &db(
            json!({"collection": "books", "filter": {}, "doc": {"$set": {"a": 1}}, "options": {}, "command": "replaceOne"}),
        ),
        "InvalidParameter",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "pipeline": [{"$out": "x"}], "options": {}, "command": "aggregate"})),
        "InvalidParameter.InvalidPipeline",
    );
    assert_sl_error(
        &db(
            json!({"collection": "books", "pipeline": [{"$lookup": {"from": "ghosts", "localField": "a", "foreignField": "b", "as": "c"}}], "options": {}, "command": "aggregate"}),
        ),
        "DatabaseError.CollectionNotFound",
    );
    assert_sl_error(
        &db(json!({"collection": "books", "transactionId": "nope", "query": {}, "options": {}, "command": "findOne"})),
        "DatabaseError.NoSuchTransaction",
    );
    assert_sl_error(
        &emu.sl("serverless.function.runtime.invoke", Some(&json!({"functionArgs": {}})), Some(&t)),
        "InvalidParameter",
    );
    assert_sl_error(
        &emu.sl(
            "serverless.file.resource.generateProximalSign",
            Some(&json!({"env": "private", "filename": "a.png", "size": 1})),
            Some(&t),
        ),
        "InvalidParameter",
    );
    assert_sl_error(
        &emu.sl(
            "serverless.file.resource.generateProximalSign",
            Some(&json!({"filename": "a.png", "size": -1})),
            Some(&t),
        ),
        "InvalidParameter",
    );
    assert_sl_error(
        &emu.sl(
            "serverless.file.resource.generateProximalSign",
            Some(&json!({"filename": "a.png", "fileId": "/../../etc/passwd"})),
            Some(&t),
        ),
        "InvalidParameter",
    );
    assert_sl_error(&emu.sl("serverless.file.resource.delete", Some(&json!({"id": 5})), Some(&t)), "InvalidParameter");
    assert_sl_error(
        &emu.sl("serverless.file.resource.report", Some(&json!({"id": "missing"})), Some(&t)),
        "InvalidParameter.FileNotFound",
    );
}

#[test]
fn oversized_bodies_get_envelopes() {
    let emu = Emulator::start_with(&["--max-body-bytes", "4096", "--max-upload-bytes", "2048"]);
    // 1.5x the limit: the server rejects before reading everything; a body small enough for the
    // loopback socket buffers keeps the client from seeing a reset instead of the envelope (with
    // 64 KiB, a rejected upload's unread bytes made the kernel reset the connection now and then).
    let big = vec![b'a'; 6 * 1024];
    let mut json_big = b"{\"x\":\"".to_vec();
    json_big.extend_from_slice(&big);
    json_big.extend_from_slice(b"\"}");
    let r = emu.request(
        "POST",
        "/api/v3/signin",
        &[("content-type", "application/json"), ("x-authing-app-id", APP_ID)],
        Some(&json_big),
    );
    assert_eq!(r.status, 200);
    assert_authing_error(&r.json(), 413);
    let r = emu.request("POST", "/client", &[("content-type", "application/json")], Some(&json_big));
    assert_eq!(r.status, 200);
    assert_sl_error(&r.json(), "InvalidParameter.BodyTooLarge");
    let r = emu.request("POST", "/__admin/users", &[("content-type", "application/json")], Some(&json_big));
    assert_eq!(r.status, 413);
    assert!(r.json()["error"]["code"].is_string());
    let r = emu.post_multipart("/api/v2/upload?folder=avatar", &[], Some(("big.png", &big)));
    assert_eq!(r.json()["code"], json!(413), "{}", r.text());
    let r = emu.post_multipart("/__oss", &[("key", "k")], Some(("big.png", &big)));
    assert!(r.status == 400 && r.text().contains("<Code>EntityTooLarge</Code>"), "{} {}", r.status, r.text());
    let t = emu.anonymous_token();
    let s = emu.sl(
        "serverless.file.resource.generateProximalSign",
        Some(&json!({"filename": "a.png", "size": 1_000_000})),
        Some(&t),
    );
    assert_sl_error(&s, "InvalidParameter.FileTooLarge");
}

#[test]
fn uploads_reject_malformed_multipart() {
    let emu = Emulator::start();
    let r = emu.post_json("/api/v2/upload", &[], &json!({"file": "x"}));
    assert_eq!(r.json()["code"], json!(400));
    let r = emu.request(
        "POST",
        "/api/v2/upload",
        &[("content-type", "multipart/form-data; boundary=zz")],
        Some(b"--zz\r\ngarbage"),
    );
    assert_eq!(r.json()["code"], json!(400));
    let r = emu.post_multipart("/api/v2/upload?folder=../x", &[], Some(("a.png", b"x")));
    assert_eq!(r.json()["code"], json!(400));
    let r = emu.post_multipart("/api/v2/upload", &[("other", "1")], None);
    assert_eq!(r.json()["code"], json!(400));
    let r = emu.post_multipart(
        "/__oss",
        &[("OSSAccessKeyId", "emulator"), ("policy", "bm90IGpzb24="), ("Signature", "x")],
        Some(("a", b"x")),
    );
    assert_eq!(r.status, 403);
    let r = emu.request("POST", "/__oss", &[("content-type", "text/plain")], Some(b"hi"));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("<Error>"));
}

#[test]
fn unknown_routes_methods_and_platform_input() {
    let emu = Emulator::start();
    let r = emu.get("/api/v3/nope", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["statusCode"], json!(404));
    let r = emu.get("/api/v3/signin", &[]);
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["statusCode"], json!(405));
    let r = emu.get("/client", &[]);
    assert_eq!(r.json()["success"], json!(false));
    assert_eq!(emu.get("/oidc/token", &[]).json()["error"], json!("invalid_request"));
    assert_eq!(emu.get("/__oss/none/such", &[]).status, 404);
    assert_eq!(emu.get("/files/avatar/none.png", &[]).status, 404);
    let r = emu.post_json("/__platform/wx/login", &[], &json!({"user": 5}));
    assert_eq!(r.status, 400);
    let r = emu.post_json("/__platform/wx/phone-code", &[], &json!({"phoneNumber": "12ab"}));
    assert_eq!(r.status, 400);
    let r = emu.request("POST", "/__platform/wx/login", &[], Some(b"{{"));
    assert_eq!(r.status, 400);
    let r = emu.post_json("/__admin/users", &[], &json!({}));
    assert_eq!(r.status, 400);
    let r = emu.post_json("/__admin/collections", &[], &json!({"name": "bad name"}));
    assert_eq!(r.status, 400);
}

/// Deterministic garbage to every endpoint: the server answers every
/// request without a 5xx and keeps running.
#[test]
fn garbage_never_breaks_the_server() {
    let mut emu = Emulator::start();
    let paths = [
        "/api/v3/signin",
        "/api/v3/signin-by-mobile",
        "/api/v3/send-sms",
        "/api/v3/update-profile",
        "/api/v3/update-password",
        "/api/v3/get-wechat-miniprogram-phone",
        "/api/v3/send-email",
        "/api/v3/bind-email",
        "/api/v3/verify-update-phone-request",
        "/api/v3/verify-delete-account-request",
        "/api/v3/decrypt-wechat-miniprogram-data",
        "/connections/social/douyin-miniprogram/bind",
        "/__platform/tt/encrypted-data",
        "/oidc/token",
        "/oidc/token/revocation",
        "/api/v2/upload",
        "/client",
        "/__oss",
        "/__admin/users",
        "/__admin/collections",
        "/__platform/wx/login",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let samples: Vec<Vec<u8>> = vec![
        br#"{"connection":"PASSWORD","passwordPayload":{"password":"\ud800","username":"u"}}"#.to_vec(),
        br#"{"spaceId":"dev-space","method":"x","timestamp":1e400}"#.to_vec(),
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        format!("{{\"a\":{}1{}}}", "{\"b\":".repeat(200), "}".repeat(200)).into_bytes(),
    ];
    for path in paths {
        for i in 0..12 {
            let body: Vec<u8> = if i < samples.len() {
                samples[i].clone()
            } else {
                (0..(next() % 300)).map(|_| (next() & 0xff) as u8).collect()
            };
            for ctype in ["application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"] {
                let r = emu.request("POST", path, &[("content-type", ctype)], Some(&body));
                assert!(r.status < 500, "{path} {ctype}: {} {}", r.status, r.text());
            }
        }
    }
    assert!(emu.is_running());
    assert_eq!(emu.get("/__admin/config", &[]).status, 200);
}
