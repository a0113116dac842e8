//! Data snapshots (`--export-on-exit`, `POST /__admin/export`, `--import`) and seed files
//! (`--seed`), through the real binary.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{json, Value};

/// Tables a snapshot must leave out (the server keys; tokens, sessions and one-time codes). Every
/// other table of the database must be in the snapshot, so a table added later is covered.
const EXCLUDED: &[&str] = &[
    "kv",
    "access_tokens",
    "refresh_tokens",
    "sl_sessions",
    "sms_codes",
    "email_codes",
    "platform_codes",
    "verify_tokens",
];

/// Every file under `dir` as text (lossy), by path relative to `dir`.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
            }
        }
    }
    out
}

fn row_counts(db: &Path) -> BTreeMap<String, i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'")
        .unwrap();
    let names: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    names
        .into_iter()
        .map(|t| {
            let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0)).unwrap();
            (t, n)
        })
        .collect()
}

/// A signed-in user with a document, an avatar upload and an MPServerless file; returns the
/// secrets the snapshot must not contain.
fn populate(emu: &Emulator) -> Vec<String> {
    emu.admin_user(json!({"username": "alice", "password": "alice-password-1", "nickname": "Alice"}));
    let login = emu.password_login("alice", "alice-password-1", "openid profile offline_access");
    let access = login["data"]["access_token"].as_str().expect("access token").to_string();
    let refresh = login["data"]["refresh_token"].as_str().expect("refresh token").to_string();
    let t = emu.anonymous_token();
    let ins =
        emu.db(&t, json!({"collection": "books", "command": "insertOne", "doc": {"title": "Dune", "year": 1965}}));
    assert_eq!(ins["success"], json!(true), "{ins}");

    let png: Vec<u8> = (0u8..=255).collect();
    let up = emu.post_multipart("/api/v2/upload?folder=avatar", &[], Some(("me.png", &png))).json();
    assert_eq!(up["code"], json!(200), "{up}");

    let body = b"hello snapshot".to_vec();
    let sign = emu.sl(
        "serverless.file.resource.generateProximalSign",
        Some(&json!({"env": "public", "filename": "note.txt", "size": body.len()})),
        Some(&t),
    );
    let d = &sign["data"];
    let host = d["host"].as_str().unwrap();
    let form = [
        ("success_action_status", "200"),
        ("Content-Type", "text/plain"),
        ("key", d["ossPath"].as_str().unwrap()),
        ("policy", d["policy"].as_str().unwrap()),
        ("Signature", d["signature"].as_str().unwrap()),
        ("OSSAccessKeyId", d["accessKeyId"].as_str().unwrap()),
    ];
    assert_eq!(emu.post_multipart(&host[host.find('/').unwrap()..], &form, Some(("file", &body))).status, 200);
    let rep = emu.sl("serverless.file.resource.report", Some(&json!({"id": d["id"]})), Some(&t));
    assert_eq!(rep["success"], json!(true), "{rep}");
    vec!["alice-password-1".into(), access, refresh, t]
}

fn files_view(emu: &Emulator) -> Vec<(String, Vec<u8>)> {
    let files = emu.get("/__admin/files", &[]).json();
    let mut out = Vec::new();
    for f in files["uploads"].as_array().unwrap().iter().chain(files["serverless"].as_array().unwrap()) {
        let url = f["url"].as_str().unwrap();
        let body = emu.get(url.strip_prefix(&emu.base).unwrap(), &[]);
        assert_eq!(body.status, 200, "{url}");
        out.push((f["key"].as_str().or(f["ossPath"].as_str()).unwrap().to_string(), body.bytes));
    }
    out.sort();
    out
}

fn users_view(emu: &Emulator) -> Vec<Value> {
    let users = emu.get("/__admin/users", &[]).json();
    users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| json!([u["userId"], u["username"], u["nickname"], u["hasPassword"], u["loginsCount"]]))
        .collect()
}

#[test]
fn a_snapshot_holds_every_table_but_no_secret_and_imports_into_a_fresh_emulator() {
    let tmp = tempfile::tempdir().unwrap();
    let on_exit = tmp.path().join("on-exit");
    let on_demand = tmp.path().join("on-demand");
    let mut a = Emulator::start_with(&["--export-on-exit", on_exit.to_str().unwrap()]);
    let secrets = populate(&a);

    let r = a.post_json("/__admin/export", &[], &json!({"dir": on_demand.to_str().unwrap()}));
    assert_eq!(r.status, 200, "{}", r.text());
    let summary = r.json();
    assert_eq!(summary["version"], json!(1));
    assert_eq!(summary["tables"]["users"], json!(1), "{summary}");
    assert_eq!(summary["files"], json!(2), "{summary}");

    let docs_before = a.get("/__admin/collections/books/documents", &[]).json()["documents"].clone();
    let users_before = users_view(&a);
    let files_before = files_view(&a);
    assert_eq!(files_before.len(), 2);
    assert!(a.terminate(), "graceful exit");
    let counts = row_counts(&a.data_dir.join("emulator.sqlite3"));

    for dir in [&on_exit, &on_demand] {
        let tree = read_tree(dir);
        let manifest: Value = serde_json::from_str(&tree["snapshot.json"]).unwrap();
        assert_eq!(manifest["format"], json!("miniapp-emulator-snapshot"));
        let listed: BTreeSet<String> = manifest["tables"].as_object().unwrap().keys().cloned().collect();
        for (table, n) in &counts {
            if EXCLUDED.contains(&table.as_str()) {
                assert!(!listed.contains(table), "{table} must not be in a snapshot");
                assert!(!tree.contains_key(&format!("tables/{table}.json")));
            } else {
                assert!(listed.contains(table), "table {table} is not in the snapshot: export it or exclude it");
                assert_eq!(manifest["tables"][table], json!(n), "{table} row count");
            }
        }
        let all: String = tree.values().cloned().collect();
        for s in &secrets {
            assert!(!all.contains(s.as_str()), "the snapshot contains a secret ({}…)", &s[..6]);
        }
        assert!(tree["tables/users.json"].contains("$argon2id$"), "users keep their password hashes");
        assert_eq!(tree.keys().filter(|k| k.starts_with("files/")).count(), 2);
    }

    // A fresh emulator started from the snapshot shows the same users, documents and files.
    let b = Emulator::start_with(&["--import", on_exit.to_str().unwrap()]);
    assert_eq!(users_view(&b), users_before);
    assert_eq!(b.get("/__admin/collections/books/documents", &[]).json()["documents"], docs_before);
    assert_eq!(files_view(&b), files_before);
    let sessions = b.get("/__admin/sessions", &[]).json();
    assert_eq!(sessions["authing"]["refreshTokens"], json!([]), "no token came along");
    assert_eq!(sessions["serverless"], json!([]));
    let login = b.password_login("alice", "alice-password-1", "openid");
    assert!(login["data"]["access_token"].is_string(), "the password hash works after import: {login}");
    // and its own export is the same data again
    let again = tmp.path().join("again");
    assert_eq!(b.post_json("/__admin/export", &[], &json!({"dir": again.to_str().unwrap()})).status, 200);
    let t1 = read_tree(&on_exit);
    let t2 = read_tree(&again);
    assert_eq!(t1.get("tables/sl_docs.json"), t2.get("tables/sl_docs.json"));
    assert_eq!(t1.get("tables/uploads.json"), t2.get("tables/uploads.json"));
}

fn run_failing(args: &[&str]) -> String {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_miniapp-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(data.path())
        .args(args)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the emulator must refuse to start: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_snapshot_from_a_future_version_or_a_foreign_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let snap = tmp.path().join("snap");
    let emu = Emulator::start();
    emu.admin_user(json!({"username": "bob", "password": "pw-bob-1"}));
    assert_eq!(emu.post_json("/__admin/export", &[], &json!({"dir": snap.to_str().unwrap()})).status, 200);

    let manifest_path = snap.join("snapshot.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["version"] = json!(99);
    manifest["emulator"] = json!("9.0.0");
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let err = run_failing(&["--import", snap.to_str().unwrap()]);
    assert!(err.contains("version 99") && err.contains("upgrade miniapp-emulator"), "{err}");

    let err = run_failing(&["--import", tmp.path().join("nothing-here").to_str().unwrap()]);
    assert!(err.contains("not a miniapp-emulator snapshot"), "{err}");

    // Export refuses to replace a directory that is not a snapshot (it would delete its files).
    let foreign = tmp.path().join("src");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("main.rs"), "fn main() {}").unwrap();
    let r = emu.post_json("/__admin/export", &[], &json!({"dir": foreign.to_str().unwrap()}));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(foreign.join("main.rs").is_file());
    // and without a dir or --export-on-exit there is nowhere to write
    assert_eq!(emu.post_json("/__admin/export", &[], &json!({})).status, 400);
}

#[test]
fn a_seed_file_gives_a_known_starting_state() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = tmp.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({
            "users": [
                {"username": "carol", "password": "carol-password-1", "nickname": "Carol"},
                {"phone": "13800000001"}
            ],
            "collections": {
                "books": [{"_id": "65a000000000000000000001", "title": "Solaris"}, {"title": "Ubik"}],
                "shelves": []
            }
        })
        .to_string(),
    )
    .unwrap();
    let emu = Emulator::start_with(&["--seed", seed.to_str().unwrap()]);
    let users = emu.get("/__admin/users", &[]).json();
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");
    let login = emu.password_login("carol", "carol-password-1", "openid");
    assert!(login["data"]["access_token"].is_string(), "{login}");
    let docs = emu.get("/__admin/collections/books/documents", &[]).json();
    assert_eq!(docs["total"], json!(2));
    let t = emu.anonymous_token();
    let found = emu.db(&t, json!({"collection": "books", "command": "find", "query": {"title": "Solaris"}}));
    assert_eq!(found["data"]["result"][0]["_id"], json!("65a000000000000000000001"), "{found}");
    let colls = emu.get("/__admin/collections", &[]).json();
    assert!(colls.as_array().unwrap().iter().any(|c| c["name"] == "shelves"), "{colls}");

    std::fs::write(&seed, r#"{"users": [{"password": "x"}]}"#).unwrap();
    let err = run_failing(&["--seed", seed.to_str().unwrap()]);
    assert!(err.contains("users[0]") && err.contains("one of username, email, phone"), "{err}");
    std::fs::write(&seed, r#"{"documents": []}"#).unwrap();
    assert!(run_failing(&["--seed", seed.to_str().unwrap()]).contains("unknown key \"documents\""));
}
