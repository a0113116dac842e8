//! MPServerless gateway against the real binary.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn anonymous_and_provider_authorize_and_profile() {
    let emu = Emulator::start();
    let r = emu.sl("serverless.auth.user.anonymousAuthorize", Some(&json!({})), None);
    assert_eq!(r["success"], json!(true), "{r}");
    assert_eq!(r["data"]["expiresInSecond"], json!(600));
    // uniCloud style: params "{}"; and no params at all
    let raw = emu.sl_raw("serverless.auth.user.anonymousAuthorize", None, None, now_ms(), CLIENT_SECRET).json();
    assert_eq!(raw["success"], json!(true), "{raw}");

    let t1 = emu.anonymous_token();
    let t2 = emu.anonymous_token();
    let p1 = emu.sl("serverless.auth.user.getProfileInfo", Some(&json!({"authType": "anonymous"})), Some(&t1));
    let p2 = emu.sl("serverless.auth.user.getProfileInfo", Some(&json!({})), Some(&t2));
    assert_eq!(p1["data"]["spaceId"], json!(SPACE_ID));
    assert_ne!(p1["data"]["userId"], p2["data"]["userId"], "each anonymous auth is a new identity");

    // WeChat: wx.login code → stable user
    let wx = |user: &str| {
        let code = emu.wx_code(user);
        emu.sl(
            "serverless.auth.user.authorize",
            Some(&json!({"authProvider": "wechat_openapi", "clientIdentifier": "wx123", "authCode": code})),
            None,
        )
    };
    let a = wx("w1");
    assert_eq!(a["success"], json!(true), "{a}");
    let b = wx("w1");
    let ida = emu.sl("serverless.auth.user.getProfileInfo", None, a["data"]["accessToken"].as_str())["data"].clone();
    let idb = emu.sl("serverless.auth.user.getProfileInfo", None, b["data"]["accessToken"].as_str())["data"].clone();
    assert_eq!(ida["userId"], idb["userId"]);
    assert!(ida["oAuthUserId"].as_str().unwrap().starts_with('o'));

    // Alipay: my.getAuthCode
    let code = emu.post_json("/__platform/my/getAuthCode", &[], &json!({"user": "ali"})).json()["authCode"]
        .as_str()
        .unwrap()
        .to_string();
    let al = emu.sl(
        "serverless.auth.user.authorize",
        Some(&json!({"authProvider": "alipay_openapi", "clientIdentifier": "2021", "authCode": code})),
        None,
    );
    assert_eq!(al["success"], json!(true), "{al}");
    let reused = emu.sl(
        "serverless.auth.user.authorize",
        Some(&json!({"authProvider": "alipay_openapi", "clientIdentifier": "2021", "authCode": code})),
        None,
    );
    assert_sl_error(&reused, "InvalidParameter.InvalidAuthCode");
    let wrong_platform = emu.sl("serverless.auth.user.authorize", Some(&json!({"authProvider": "wechat_openapi", "authCode": emu.post_json("/__platform/my/getAuthCode", &[], &json!({})).json()["authCode"]})), None);
    assert_sl_error(&wrong_platform, "InvalidParameter.InvalidAuthCode");
}

#[test]
fn sessions_expire_and_slide() {
    let emu = Emulator::start_with(&["--session-ttl-secs", "1", "--session-extend-secs", "3"]);
    let t = emu.anonymous_token();
    let ok = emu.sl("serverless.auth.user.getProfileInfo", None, Some(&t));
    assert_eq!(ok["success"], json!(true));
    // the call extended the session to 3 s: still alive after 1.5 s
    emu.advance_clock(1500);
    assert_eq!(emu.sl("serverless.auth.user.getProfileInfo", None, Some(&t))["success"], json!(true));
    emu.advance_clock(3300);
    assert_sl_error(&emu.sl("serverless.auth.user.getProfileInfo", None, Some(&t)), "GATEWAY_INVALID_TOKEN");
    // a fresh token dies after its 1 s initial lifetime without calls
    let t2 = emu.anonymous_token();
    emu.advance_clock(1300);
    assert_sl_error(&emu.sl("serverless.auth.user.getProfileInfo", None, Some(&t2)), "GATEWAY_INVALID_TOKEN");
    assert_sl_error(&emu.sl("serverless.auth.user.getProfileInfo", None, Some("nonsense")), "GATEWAY_INVALID_TOKEN");
}

fn coll(t: &str, emu: &Emulator, command: &str, extra: Value) -> Value {
    let mut p = json!({"collection": "books"});
    if let (Some(o), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
        o.entry("options").or_insert(json!({}));
        o.insert("command".into(), json!(command));
    }
    let r = emu.db(t, p);
    assert_eq!(r["success"], json!(true), "{command}: {r}");
    r["data"].clone()
}

#[test]
fn db_commands() {
    let emu = Emulator::start();
    let t = emu.anonymous_token();
    let d = coll(
        &t,
        &emu,
        "insertOne",
        json!({"doc": {"title": "Dune", "year": 1965, "tags": ["sf"], "author": {"name": "Herbert"}}}),
    );
    assert_eq!(d["affectedDocs"], json!(1));
    let dune_id = d["result"].as_str().unwrap().to_string();
    assert_eq!(dune_id.len(), 24);
    let d = coll(
        &t,
        &emu,
        "insertMany",
        json!({"docs": [
            {"title": "Neuromancer", "year": 1984, "tags": ["sf", "cyber"]},
            {"title": "Emma", "year": 1815, "tags": ["classic"], "created": "2024-05-01T10:00:00.000Z"},
            {"title": "Snow Crash", "year": 1992, "tags": ["sf", "cyber"]}
        ]}),
    );
    assert_eq!(d["affectedDocs"], json!(3));
    assert!(d["result"]["0"].is_string() && d["result"]["2"].is_string());

    let d = coll(
        &t,
        &emu,
        "find",
        json!({"query": {"tags": "sf"}, "options": {"sort": {"year": -1}, "limit": 2, "projection": {"title": 1, "_id": 0}}}),
    );
    assert_eq!(d["result"], json!([{"title": "Snow Crash"}, {"title": "Neuromancer"}]));
    assert_eq!(d["affectedDocs"], json!(2));
    let d = coll(&t, &emu, "find", json!({"query": {"title": {"$regex": "^s", "$options": "i"}}}));
    assert_eq!(d["result"][0]["title"], json!("Snow Crash"));
    let d = coll(
        &t,
        &emu,
        "find",
        json!({"query": {"$or": [{"year": {"$lt": 1900}}, {"author.name": "Herbert"}]}, "options": {"sort": {"year": 1}, "skip": 1}}),
    );
    assert_eq!(d["result"].as_array().unwrap().len(), 1);
    assert_eq!(d["result"][0]["title"], json!("Dune"));
    let d = coll(&t, &emu, "findOne", json!({"query": {"_id": dune_id}}));
    assert_eq!(d["result"]["title"], json!("Dune"));
    let d = coll(&t, &emu, "findOne", json!({"query": {"title": "none"}}));
    assert_eq!(d["result"], Value::Null);
    assert_eq!(coll(&t, &emu, "count", json!({"query": {"tags": "cyber"}}))["result"], json!(2));
    let d = coll(&t, &emu, "distinct", json!({"key": "tags", "query": {}}));
    assert_eq!(d["result"], json!(["sf", "cyber", "classic"]));
    let d = coll(
        &t,
        &emu,
        "aggregate",
        json!({"pipeline": [
            {"$unwind": "$tags"}, {"$group": {"_id": "$tags", "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}
        ]}),
    );
    assert_eq!(d["result"][0], json!({"_id": "sf", "n": 3}));

    let d = coll(
        &t,
        &emu,
        "updateOne",
        json!({"filter": {"title": "Dune"}, "update": {"$set": {"rating": 5}, "$push": {"tags": "classic"}, "$inc": {"reads": 1}}}),
    );
    assert_eq!(d["affectedDocs"], json!(1));
    let d = coll(&t, &emu, "updateMany", json!({"filter": {"tags": "cyber"}, "update": {"$set": {"cyber": true}}}));
    assert_eq!(d["affectedDocs"], json!(2));
    let d = coll(
        &t,
        &emu,
        "updateOne",
        json!({"filter": {"title": "Solaris"}, "update": {"$set": {"year": 1961}, "$setOnInsert": {"new": true}}, "options": {"upsert": true}}),
    );
    assert_eq!(d["result"]["upsertedId"].as_str().unwrap().len(), 24);
    let solaris = coll(&t, &emu, "findOne", json!({"query": {"title": "Solaris"}}));
    assert_eq!(solaris["result"]["new"], json!(true));
    assert_eq!(solaris["result"]["year"], json!(1961));
    let d = coll(&t, &emu, "replaceOne", json!({"filter": {"title": "Emma"}, "doc": {"title": "Emma", "year": 1816}}));
    assert_eq!(d["affectedDocs"], json!(1));
    let d = coll(
        &t,
        &emu,
        "findOneAndUpdate",
        json!({"filter": {"title": "Emma"}, "update": {"$inc": {"year": 1}}, "options": {"returnNewDocument": true}}),
    );
    assert_eq!(d["result"]["year"], json!(1817));
    let d = coll(&t, &emu, "findOneAndUpdate", json!({"filter": {"title": "Emma"}, "update": {"$inc": {"year": 1}}}));
    assert_eq!(d["result"]["year"], json!(1817), "original by default");
    let d = coll(
        &t,
        &emu,
        "findOneAndReplace",
        json!({"filter": {"title": "Emma"}, "replacement": {"title": "Emma", "v": 2}, "options": {"returnNewDocument": true}}),
    );
    assert_eq!(d["result"]["v"], json!(2));
    assert!(d["result"].get("year").is_none());
    let d = coll(&t, &emu, "findOneAndDelete", json!({"filter": {"title": "Emma"}}));
    assert_eq!(d["result"]["title"], json!("Emma"));
    let d = coll(&t, &emu, "deleteOne", json!({"filter": {"tags": "cyber"}}));
    assert_eq!(d["affectedDocs"], json!(1));
    let d = coll(&t, &emu, "deleteMany", json!({"filter": {}}));
    assert_eq!(d["affectedDocs"], json!(3));
    assert_eq!(coll(&t, &emu, "count", json!({"query": {}}))["result"], json!(0));

    // duplicate _id
    let id = "5f0000000000000000000001";
    coll(&t, &emu, "insertOne", json!({"doc": {"_id": id}}));
    let dup = emu.db(&t, json!({"collection": "books", "doc": {"_id": id}, "options": {}, "command": "insertOne"}));
    assert_sl_error(&dup, "DatabaseError.DuplicateKey");
}

#[test]
fn transactions_commit_abort_conflict() {
    let emu = Emulator::start();
    let t = emu.anonymous_token();
    let other = emu.anonymous_token();
    let start = emu.db(&t, json!({"options": {}, "command": "startTransaction"}));
    assert_eq!(start["data"]["affectedDocs"], json!(0), "{start}");
    let tx = start["data"]["transactionId"].as_str().unwrap().to_string();
    let r = emu.db(&t, json!({"collection": "todos", "transactionId": tx, "doc": {"_id": "6f0000000000000000000001", "n": 1}, "options": {}, "command": "insertOne"}));
    assert_eq!(r["success"], json!(true), "{r}");
    let seen = emu.db(
        &t,
        json!({"collection": "todos", "transactionId": tx, "query": {"n": 1}, "options": {}, "command": "findOne"}),
    );
    assert_eq!(seen["data"]["result"]["n"], json!(1), "own writes visible inside");
    let outside = emu.db(&t, json!({"collection": "todos", "query": {}, "options": {}, "command": "count"}));
    assert_eq!(outside["data"]["result"], json!(0), "not visible before commit");
    let not_allowed =
        emu.db(&t, json!({"collection": "todos", "transactionId": tx, "query": {}, "options": {}, "command": "find"}));
    assert_sl_error(&not_allowed, "DatabaseError.TransactionError");
    let stolen = emu.db(
        &other,
        json!({"collection": "todos", "transactionId": tx, "query": {}, "options": {}, "command": "findOne"}),
    );
    assert_sl_error(&stolen, "DatabaseError.NoSuchTransaction");
    let c =
        emu.db(&t, json!({"collection": "todos", "transactionId": tx, "options": {}, "command": "commitTransaction"}));
    assert_eq!(c["success"], json!(true), "{c}");
    assert_eq!(
        emu.db(&t, json!({"collection": "todos", "query": {}, "options": {}, "command": "count"}))["data"]["result"],
        json!(1)
    );
    let twice =
        emu.db(&t, json!({"collection": "todos", "transactionId": tx, "options": {}, "command": "commitTransaction"}));
    assert_sl_error(&twice, "DatabaseError.NoSuchTransaction");

    // abort discards
    let tx2 = emu.db(&t, json!({"options": {}, "command": "startTransaction"}))["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    emu.db(
        &t,
        json!({"collection": "todos", "transactionId": tx2, "filter": {}, "options": {}, "command": "deleteOne"}),
    );
    let a =
        emu.db(&t, json!({"collection": "todos", "transactionId": tx2, "options": {}, "command": "abortTransaction"}));
    assert_eq!(a["success"], json!(true));
    assert_eq!(
        emu.db(&t, json!({"collection": "todos", "query": {}, "options": {}, "command": "count"}))["data"]["result"],
        json!(1)
    );

    // write conflict: the document changes outside the transaction before commit
    let tx3 = emu.db(&t, json!({"options": {}, "command": "startTransaction"}))["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let u = emu.db(&t, json!({"collection": "todos", "transactionId": tx3, "filter": {"n": 1}, "update": {"$set": {"by": "tx"}}, "options": {}, "command": "updateOne"}));
    assert_eq!(u["data"]["affectedDocs"], json!(1), "{u}");
    emu.db(&other, json!({"collection": "todos", "filter": {"n": 1}, "update": {"$set": {"by": "other"}}, "options": {}, "command": "updateOne"}));
    let c =
        emu.db(&t, json!({"collection": "todos", "transactionId": tx3, "options": {}, "command": "commitTransaction"}));
    assert_sl_error(&c, "DatabaseError.WriteConflict");
    let doc = emu.db(&t, json!({"collection": "todos", "query": {}, "options": {}, "command": "findOne"}));
    assert_eq!(doc["data"]["result"]["by"], json!("other"));

    // 3.1.5's collection.transaction() names its collection; a bad name is refused with the envelope.
    let named = emu.db(&t, json!({"collection": "todos", "options": {}, "command": "startTransaction"}));
    assert!(named["data"]["transactionId"].is_string(), "{named}");
    for bad in [json!("no spaces"), json!(7)] {
        let r = emu.db(&t, json!({"collection": bad, "options": {}, "command": "startTransaction"}));
        assert_sl_error(&r, "InvalidParameter");
    }
}

#[test]
fn functions() {
    let emu = Emulator::start();
    let t = emu.anonymous_token();
    let r = emu.sl_raw(
        "serverless.function.runtime.invoke",
        Some(r#"{"functionTarget":"echo","functionArgs":{"x":"中文","n":1}}"#),
        Some(&t),
        now_ms(),
        CLIENT_SECRET,
    );
    assert!(r.request_id.is_some(), "request-id header");
    let v = r.json();
    assert_eq!(v["data"], json!({"x": "中文", "n": 1}), "{v}");
    let h = emu.sl(
        "serverless.function.runtime.invoke",
        Some(&json!({"functionTarget": "hello", "functionArgs": {"name": "mp"}})),
        Some(&t),
    );
    assert_eq!(h["data"]["message"], json!("hello, mp"));
    let w = emu.sl(
        "serverless.function.runtime.invoke",
        Some(&json!({"functionTarget": "whoami", "functionArgs": {}})),
        Some(&t),
    );
    assert_eq!(w["data"]["authType"], json!("anonymous"));
    let s = emu.sl(
        "serverless.function.runtime.invoke",
        Some(&json!({"functionTarget": "sum", "functionArgs": {"numbers": [1, 2.5]}})),
        Some(&t),
    );
    assert_eq!(s["data"]["sum"], json!(3.5));
    assert_sl_error(
        &emu.sl(
            "serverless.function.runtime.invoke",
            Some(&json!({"functionTarget": "nope", "functionArgs": {}})),
            Some(&t),
        ),
        "FunctionNotFound",
    );
    assert_sl_error(
        &emu.sl(
            "serverless.function.runtime.invoke",
            Some(&json!({"functionTarget": "fail", "functionArgs": {"message": "boom"}})),
            Some(&t),
        ),
        "FunctionExecuteError",
    );
}

#[test]
fn file_flow() {
    let emu = Emulator::start();
    let t = emu.anonymous_token();
    let body = b"hello file body".to_vec();
    let sign = emu.sl(
        "serverless.file.resource.generateProximalSign",
        Some(&json!({"env": "public", "filename": "note.txt", "size": body.len()})),
        Some(&t),
    );
    assert_eq!(sign["success"], json!(true), "{sign}");
    let d = &sign["data"];
    for k in ["id", "ossPath", "host", "policy", "signature", "accessKeyId", "cdnDomain"] {
        assert!(d[k].is_string(), "{k}: {d}");
    }
    let host = d["host"].as_str().unwrap();
    let path = &host[host.find('/').unwrap()..];
    let key = d["ossPath"].as_str().unwrap();
    let form = [
        ("success_action_status", "200"),
        ("Cache-Control", "max-age=2592000"),
        ("Content-Type", "text/plain"),
        ("key", key),
        ("policy", d["policy"].as_str().unwrap()),
        ("Signature", d["signature"].as_str().unwrap()),
        ("OSSAccessKeyId", d["accessKeyId"].as_str().unwrap()),
    ];
    // tampered signature is refused in OSS style
    let mut bad = form;
    bad[5] = ("Signature", "AAAA");
    let r = emu.post_multipart(path, &bad, Some(("file", &body)));
    assert_eq!(r.status, 403);
    assert!(r.text().contains("<Code>SignatureDoesNotMatch</Code>"));
    let mut other_key = form;
    other_key[3] = ("key", "dev-space/other.txt");
    assert_eq!(emu.post_multipart(path, &other_key, Some(("file", &body))).status, 403);

    let r = emu.post_multipart(path, &form, Some(("file", &body)));
    assert_eq!(r.status, 200, "{}", r.text());
    let id = d["id"].as_str().unwrap();
    let rep =
        emu.sl("serverless.file.resource.report", Some(&json!({"id": id, "contentType": "text/plain"})), Some(&t));
    assert_eq!(rep["success"], json!(true), "{rep}");
    let got = emu.get(&format!("/__oss/{key}"), &[]);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, body);
    assert_eq!(got.ctype, "text/plain");

    let info = emu.sl("serverless.file.resource.info", Some(&json!({"id": format!("{id},missing")})), Some(&t));
    assert_eq!(info["data"][0]["fileId"], json!(id), "{info}");
    assert_eq!(info["data"][0]["size"], json!(body.len()));
    assert_eq!(info["data"][1]["errorCode"], json!("ParamInvalid"));

    let del = emu.sl("serverless.file.resource.delete", Some(&json!({"id": format!("{id},missing")})), Some(&t));
    assert_eq!(del["data"][0], json!({"success": true, "fileId": id}), "{del}");
    assert_eq!(del["data"][1]["success"], json!(false));
    assert_eq!(emu.get(&format!("/__oss/{key}"), &[]).status, 404);

    // report before upload is refused
    let s2 = emu.sl(
        "serverless.file.resource.generateProximalSign",
        Some(&json!({"env": "public", "filename": "a.png", "size": 1})),
        Some(&t),
    );
    let early = emu.sl("serverless.file.resource.report", Some(&json!({"id": s2["data"]["id"]})), Some(&t));
    assert_sl_error(&early, "InvalidParameter.FileNotUploaded");
}

#[test]
fn state_survives_restart() {
    let mut emu = Emulator::start();
    let t = emu.anonymous_token();
    emu.db(&t, json!({"collection": "todos", "doc": {"x": 1}, "options": {}, "command": "insertOne"}));
    emu.admin_user(json!({"username": "persist", "password": "pw"}));
    emu.restart();
    let r = emu.db(&t, json!({"collection": "todos", "query": {}, "options": {}, "command": "count"}));
    assert_eq!(r["data"]["result"], json!(1), "session and data survive: {r}");
    assert_eq!(emu.password_login("persist", "pw", "openid")["statusCode"], json!(200));
}
