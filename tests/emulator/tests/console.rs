//! The console: embedded page and assets, the SDK package served from
//! `--sdk-dir` (MIME types, no path escapes, the "build first" answer), and
//! the read-only admin endpoints it reads: login history, redacted sessions,
//! documents and files.

mod common;

use common::*;
use serde_json::{json, Value};

fn sdk_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("index.mjs"), "export const version = 'fixture';\n").unwrap();
    std::fs::write(dir.path().join("core.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("package.json"), "{}").unwrap();
    std::fs::create_dir(dir.path().join("miniprogram_dist")).unwrap();
    std::fs::write(dir.path().join("miniprogram_dist").join("index.js"), "module.exports = {};\n").unwrap();
    dir
}

#[test]
fn root_redirects_to_the_embedded_console() {
    let emu = Emulator::start();
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    for from in ["/", "/__console"] {
        let r = match agent.get(&emu.url(from)).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(r.status(), 303, "{from}");
        assert_eq!(r.header("location"), Some("/__console/"));
    }

    let page = emu.get("/__console/", &[]);
    assert_eq!(page.status, 200);
    assert_eq!(page.ctype, "text/html; charset=utf-8");
    let html = page.text();
    assert!(html.contains("<script type=\"module\" src=\"console.js\">"), "{html}");
    // Offline by construction: no absolute URL in the page.
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");

    let agent = ureq::AgentBuilder::new().build();
    let r = agent.get(&emu.url("/__console/")).call().unwrap();
    let csp = r.header("content-security-policy").expect("CSP").to_string();
    assert!(csp.contains("default-src 'self'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");

    for (name, ctype) in [
        ("console.js", "text/javascript; charset=utf-8"),
        ("panels.js", "text/javascript; charset=utf-8"),
        ("playground.js", "text/javascript; charset=utf-8"),
        ("traffic.js", "text/javascript; charset=utf-8"),
        ("console.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let r = emu.get(&format!("/__console/{name}"), &[]);
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(r.ctype, ctype, "{name}");
        assert!(!r.bytes.is_empty());
        let text = r.text();
        assert!(!text.contains("https://") || name == "favicon.svg", "{name} must not load anything remote");
    }
    assert_eq!(emu.get("/__console/nope.js", &[]).status, 404);
}

#[test]
fn the_sdk_package_is_served_with_wasm_and_module_types() {
    let sdk = sdk_fixture();
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("secret.txt"), "top secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(secret.path().join("secret.txt"), sdk.path().join("escape.js")).unwrap();
    let emu = Emulator::start_with(&["--sdk-dir", sdk.path().to_str().unwrap()]);

    let status = emu.get("/__console/sdk/", &[]).json();
    assert_eq!(status["available"], json!(true), "{status}");
    assert_eq!(status["wasm"], json!("/__console/sdk/core.wasm"));

    let r = emu.get("/__console/sdk/index.mjs", &[]);
    assert_eq!((r.status, r.ctype.as_str()), (200, "text/javascript; charset=utf-8"));
    assert!(r.text().contains("fixture"));
    let r = emu.get("/__console/sdk/core.wasm", &[]);
    assert_eq!((r.status, r.ctype.as_str()), (200, "application/wasm"));
    assert_eq!(r.bytes, b"\0asm\x01\0\0\0");
    let r = emu.get("/__console/sdk/miniprogram_dist/index.js", &[]);
    assert_eq!((r.status, r.ctype.as_str()), (200, "text/javascript; charset=utf-8"));
    assert_eq!(emu.get("/__console/sdk/package.json", &[]).ctype, "application/json");

    for bad in [
        "/__console/sdk/..%2f..%2fetc%2fpasswd",
        "/__console/sdk/%2e%2e/Cargo.toml",
        "/__console/sdk/.hidden",
        "/__console/sdk/miniprogram_dist",
        "/__console/sdk/missing.js",
        "/__console/sdk/escape.js",
    ] {
        let r = emu.get(bad, &[]);
        assert_eq!(r.status, 404, "{bad}: {}", r.text());
        assert!(!r.text().contains("top secret"));
    }
}

#[test]
fn without_a_built_package_the_playground_is_told_to_build_it() {
    let empty = tempfile::tempdir().unwrap();
    let emu = Emulator::start_with(&["--sdk-dir", empty.path().to_str().unwrap()]);
    let r = emu.get("/__console/sdk/", &[]);
    assert_eq!(r.status, 404);
    let v = r.json();
    assert_eq!(v["available"], json!(false));
    assert!(v["error"]["message"].as_str().unwrap().contains("npm run build"), "{v}");
    let r = emu.get("/__console/sdk/index.mjs", &[]);
    assert_eq!(r.status, 404);
    assert!(r.text().contains("npm run build"));
    // The page itself is still served.
    assert_eq!(emu.get("/__console/", &[]).status, 200);
}

fn history_of(emu: &Emulator, username: &str) -> Value {
    let users = emu.get("/__admin/users", &[]).json();
    let u = users.as_array().unwrap().iter().find(|u| u["username"] == json!(username)).expect("user").clone();
    u["loginHistory"].clone()
}

#[test]
fn login_history_records_successes_and_failures() {
    let emu = Emulator::start_with(&["--sms-interval-secs", "0"]);
    emu.admin_user(json!({"username": "hist", "password": "right-password-1", "phone": "13700000001"}));

    let bad = emu.password_login("hist", "wrong-password", "openid");
    assert_authing_error(&bad, 403);
    let ok = emu.password_login("hist", "right-password-1", "openid profile");
    assert_eq!(ok["statusCode"], json!(200), "{ok}");
    let unknown = emu.password_login("nobody", "whatever-1", "openid");
    assert_authing_error(&unknown, 403);

    let r = emu.post_json(
        "/api/v3/send-sms",
        &[("x-authing-userpool-id", POOL_ID)],
        &json!({"phoneNumber": "13700000001", "channel": "CHANNEL_LOGIN"}),
    );
    assert_eq!(r.json()["statusCode"], json!(200), "{}", r.text());
    let code = emu.latest_sms("13700000001");
    let pc = emu.signin(json!({
        "connection": "PASSCODE",
        "passCodePayload": {"phone": "13700000001", "passCode": code},
    }));
    assert_eq!(pc["statusCode"], json!(200), "{pc}");

    let h = history_of(&emu, "hist");
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 3, "{h:?}");
    assert_eq!((h[0]["connection"].as_str(), h[0]["success"].as_bool()), (Some("PASSCODE"), Some(true)));
    assert_eq!(h[0]["account"], json!("13700000001"));
    assert_eq!((h[1]["connection"].as_str(), h[1]["detail"].as_str()), (Some("PASSWORD"), Some("none")));
    assert_eq!(h[1]["success"], json!(true));
    assert_eq!(h[2]["success"], json!(false));
    assert!(h[2]["message"].as_str().unwrap().contains("password is incorrect"), "{h:?}");
    assert!(h[0]["at"].as_str().unwrap().ends_with('Z'));

    let users = emu.get("/__admin/users", &[]).text();
    assert!(!users.contains("argon2") && !users.contains("right-password-1"), "no hashes or passwords: {users}");
    assert!(users.contains("\"hasPassword\":true"));

    let all = emu.get("/__admin/logins", &[]).json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[1]["account"], json!("nobody"));
    assert_eq!(all[1]["userId"], Value::Null);
    assert_eq!(emu.get("/__admin/logins?limit=1", &[]).json().as_array().unwrap().len(), 1);
    assert_eq!(emu.get("/__admin/logins?limit=x", &[]).status, 400);

    // Mini-program sign-ins are recorded with their connection.
    let code = emu.wx_code("hist-wx");
    let r = emu.post_json(
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP_ID)],
        &json!({
            "connection": "wechat_mini_program_code",
            "extIdpConnidentifier": WECHAT_IDP,
            "wechatMiniProgramCodePayload": {"code": code},
        }),
    );
    assert_eq!(r.json()["statusCode"], json!(200), "{}", r.text());
    let reused = emu.post_json(
        "/api/v3/signin-by-mobile",
        &[("x-authing-app-id", APP_ID)],
        &json!({
            "connection": "wechat_mini_program_code",
            "extIdpConnidentifier": WECHAT_IDP,
            "wechatMiniProgramCodePayload": {"code": code},
        }),
    );
    assert_authing_error(&reused.json(), 400);
    let all = emu.get("/__admin/logins", &[]).json();
    assert_eq!(all[0]["connection"], json!("wechat_mini_program_code"));
    assert_eq!(all[0]["success"], json!(false));
    assert_eq!(all[1]["connection"], json!("wechat_mini_program_code"));
    assert_eq!(all[1]["success"], json!(true));
    assert_eq!(all[1]["detail"], json!(WECHAT_IDP));
    assert!(all[1]["userId"].is_string());

    // Reset wipes the history.
    assert_eq!(emu.post_json("/__admin/reset", &[], &json!({})).status, 200);
    assert_eq!(emu.get("/__admin/logins", &[]).json(), json!([]));
}

#[test]
fn sessions_are_listed_without_their_tokens() {
    let emu = Emulator::start();
    emu.admin_user(json!({"username": "sess", "password": "sess-password-1"}));
    let login = emu.password_login("sess", "sess-password-1", "openid profile offline_access");
    let access = login["data"]["access_token"].as_str().expect("access").to_string();
    let refresh = login["data"]["refresh_token"].as_str().expect("refresh").to_string();
    let sl = emu.anonymous_token();

    let r = emu.get("/__admin/sessions", &[]);
    assert_eq!(r.status, 200);
    let text = r.text();
    for secret in [&access, &refresh, &sl] {
        assert!(!text.contains(secret.as_str()), "a token leaked: {text}");
    }
    // Not even the stored hashes in full.
    for secret in [&refresh, &sl] {
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(secret.as_bytes()));
        assert!(!text.contains(&hash), "a token hash leaked: {text}");
    }
    let v = r.json();
    let a = &v["authing"]["accessTokens"][0];
    assert_eq!(a["status"], json!("active"));
    assert!(a["id"].as_str().unwrap().ends_with('…'));
    assert!(a["expiresAt"].as_str().unwrap() > "2000");
    assert_eq!(v["authing"]["refreshTokens"][0]["status"], json!("active"));
    assert_eq!(v["authing"]["refreshTokens"][0]["scope"], json!("openid profile offline_access"));
    assert_eq!(v["serverless"][0]["authType"], json!("anonymous"));
    assert_eq!(v["serverless"][0]["status"], json!("active"));

    // Revocation shows.
    let r = emu.post_form("/oidc/token/revocation", &[], &format!("client_id={APP_ID}&token={access}"));
    assert_eq!(r.status, 200);
    let v = emu.get("/__admin/sessions", &[]).json();
    assert_eq!(v["authing"]["accessTokens"][0]["status"], json!("revoked"));
}

#[test]
fn documents_and_files_are_listed() {
    let emu = Emulator::start();
    let t = emu.anonymous_token();
    for i in 0..3 {
        let r = emu.db(&t, json!({"collection": "books", "command": "insertOne", "doc": {"title": format!("b{i}")}}));
        assert_eq!(r["success"], json!(true), "{r}");
    }
    let v = emu.get("/__admin/collections/books/documents", &[]).json();
    assert_eq!(v["total"], json!(3));
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0]["title"], json!("b2"), "newest first: {v}");
    assert!(docs[0]["_id"].is_string());
    let v = emu.get("/__admin/collections/books/documents?limit=1&skip=1", &[]).json();
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
    assert_eq!(v["documents"][0]["title"], json!("b1"));
    assert_eq!(emu.get("/__admin/collections/nope/documents", &[]).status, 404);
    assert_eq!(emu.get("/__admin/collections/books/documents?skip=-1", &[]).status, 400);
    assert_eq!(emu.get("/__admin/collections/books/documents?limit=0", &[]).status, 400);

    // An Authing upload and an MPServerless file.
    let png = b"\x89PNG\r\n\x1a\nnot really";
    let up = emu.post_multipart("/api/v2/upload?folder=avatar", &[], Some(("a.png", png))).json();
    let key = up["data"]["key"].as_str().expect("key").to_string();
    let sign = emu.sl(
        "serverless.file.resource.generateProximalSign",
        Some(&json!({"env": "public", "filename": "photo.png", "size": png.len()})),
        Some(&t),
    );
    let d = &sign["data"];
    let form = [
        ("key", d["ossPath"].as_str().unwrap()),
        ("policy", d["policy"].as_str().unwrap()),
        ("Signature", d["signature"].as_str().unwrap()),
        ("OSSAccessKeyId", d["accessKeyId"].as_str().unwrap()),
    ];
    let pending = emu.get("/__admin/files", &[]).json();
    assert_eq!(pending["serverless"][0]["status"], json!("pending"));
    assert_eq!(pending["serverless"][0]["url"], Value::Null);
    assert!(emu.post_multipart("/__oss", &form, Some(("photo.png", png))).status < 300);

    let v = emu.get("/__admin/files", &[]).json();
    let u = &v["uploads"][0];
    assert_eq!(u["key"], json!(key));
    assert_eq!(u["contentType"], json!("image/png"));
    assert_eq!(u["size"], json!(png.len()));
    let url = u["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/files/{key}", emu.base));
    assert_eq!(emu.get(&url[emu.base.len()..], &[]).bytes, png);
    let f = &v["serverless"][0];
    assert_eq!(f["status"], json!("uploaded"));
    assert_eq!(f["filename"], json!("photo.png"));
    assert_eq!(f["contentType"], json!("image/png"));
    let url = f["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/__oss/", emu.base)), "{url}");
    assert_eq!(emu.get(&url[emu.base.len()..], &[]).bytes, png);
}
