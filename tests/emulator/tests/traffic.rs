//! The traffic log (`GET /__admin/traffic`): every client request, newest first, with bodies.

mod common;

use common::*;
use serde_json::{json, Value};

fn entries(emu: &Emulator, query: &str) -> Vec<Value> {
    let r = emu.get(&format!("/__admin/traffic{query}"), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["entries"].as_array().unwrap().clone()
}

#[test]
fn client_requests_are_logged_newest_first_with_bodies_and_answers() {
    let emu = Emulator::start();
    emu.admin_user(json!({"username": "dave", "password": "dave-password-1"}));
    let login = emu.request(
        "POST",
        "/api/v3/signin",
        &[("x-authing-app-id", APP_ID), ("content-type", "application/json"), ("user-agent", "traffic-test/1")],
        Some(
            json!({"connection": "PASSWORD", "passwordPayload": {"username": "dave", "password": "wrong"}})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(login.status, 200);
    let t = emu.anonymous_token();
    emu.db(&t, json!({"collection": "nope", "command": "find", "query": {}}));
    let png: Vec<u8> = (0u8..=255).collect();
    emu.post_multipart("/api/v2/upload?folder=avatar", &[], Some(("me.png", &png)));

    let all = entries(&emu, "");
    // newest first: upload, db call, anonymous authorize, sign-in; the admin calls are not logged
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(all.iter().all(|e| !e["path"].as_str().unwrap().starts_with("/__admin")));
    let ids: Vec<u64> = all.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    let upload = &all[0];
    assert_eq!(upload["path"], json!("/api/v2/upload"));
    assert_eq!(upload["query"], json!("folder=avatar"));
    assert_eq!(upload["service"], json!("authing"));
    assert!(upload["requestBody"].as_str().unwrap().contains("bytes of multipart/form-data"), "{upload}");

    let db = &all[1];
    assert_eq!(db["service"], json!("mpserverless"));
    assert_eq!(db["gatewayMethod"], json!("serverless.db.default.execute"));
    assert_eq!(db["status"], json!(200));
    assert!(db["responseBody"].as_str().unwrap().contains("CollectionNotFound"), "{db}");

    let signin = &all[3];
    assert_eq!(signin["method"], json!("POST"));
    assert_eq!(signin["path"], json!("/api/v3/signin"));
    assert_eq!(signin["userAgent"], json!("traffic-test/1"));
    assert!(signin["requestBody"].as_str().unwrap().contains("passwordPayload"));
    assert!(signin["responseBody"].as_str().unwrap().contains("statusCode"), "{signin}");
    assert!(signin["durationMs"].as_f64().unwrap() >= 0.0);
    assert_eq!(signin["requestHeaders"]["x-authing-app-id"], json!(APP_ID));

    let only = entries(&emu, "?service=mpserverless");
    assert_eq!(only.len(), 2);
    assert!(only.iter().all(|e| e["service"] == "mpserverless"));
    assert_eq!(entries(&emu, "?limit=1").len(), 1);

    assert_eq!(emu.request("DELETE", "/__admin/traffic", &[], None).status, 200);
    assert!(entries(&emu, "").is_empty());
}
