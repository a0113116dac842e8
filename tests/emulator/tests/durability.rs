//! A `kill -9` during a stream of writes loses no acknowledged write.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const WRITERS: usize = 3;
const MAX_PER_WRITER: usize = 150;
const KILL_AFTER: usize = 90;

#[test]
fn sigkill_mid_stream_loses_no_acknowledged_write() {
    let mut emu = Emulator::start();
    let tokens: Vec<String> = (0..WRITERS).map(|_| emu.anonymous_token()).collect();
    let acked_docs: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let acked_users: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    let mut handles = Vec::new();
    for (w, token) in tokens.iter().cloned().enumerate() {
        let base = emu.base.clone();
        let acked = acked_docs.clone();
        let count = count.clone();
        let stop = stop.clone();
        handles.push(std::thread::spawn(move || {
            for n in 0..MAX_PER_WRITER {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let params = json!({"collection": "todos", "doc": {"writer": w, "n": n, "pad": "x".repeat(200)}, "options": {}, "command": "insertOne"});
                match try_sl(&base, "serverless.db.default.execute", &params, &token) {
                    Ok(v) if v["success"] == json!(true) => {
                        acked.lock().unwrap().push(v["data"]["result"].as_str().unwrap().to_string());
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(v) => panic!("write refused: {v}"),
                    Err(_) => break, // the server died under us
                }
            }
        }));
    }
    {
        let base = emu.base.clone();
        let acked = acked_users.clone();
        let stop = stop.clone();
        handles.push(std::thread::spawn(move || {
            for n in 0..MAX_PER_WRITER {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let name = format!("durable{n}");
                let body = json!({"username": name});
                match try_request(
                    &base,
                    "POST",
                    "/__admin/users",
                    &[("content-type", "application/json")],
                    Some(body.to_string().as_bytes()),
                ) {
                    Ok(r) if r.status == 201 => acked.lock().unwrap().push(name),
                    Ok(r) => panic!("user refused: {}", r.text()),
                    Err(_) => break,
                }
            }
        }));
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::SeqCst) < KILL_AFTER && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    emu.kill9(); // SIGKILL while writers are mid-request
    stop.store(true, Ordering::SeqCst);
    for h in handles {
        h.join().expect("writer thread");
    }
    let docs = acked_docs.lock().unwrap().clone();
    let users = acked_users.lock().unwrap().clone();
    assert!(docs.len() >= KILL_AFTER.min(WRITERS * MAX_PER_WRITER) - WRITERS, "only {} acked", docs.len());

    emu.restart();
    let t = emu.anonymous_token();
    let mut stored: Vec<String> = Vec::new();
    let mut skip = 0;
    loop {
        let page = emu.db(&t, json!({"collection": "todos", "query": {}, "options": {"skip": skip, "limit": 500, "projection": {"_id": 1}}, "command": "find"}));
        let items = page["data"]["result"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        skip += items.len();
        stored.extend(items.iter().filter_map(|d| d["_id"].as_str().map(str::to_string)));
    }
    for id in &docs {
        assert!(stored.contains(id), "acknowledged document {id} was lost");
    }
    let listed: Vec<Value> = emu.get("/__admin/users", &[]).json().as_array().cloned().unwrap();
    for name in &users {
        assert!(listed.iter().any(|u| u["username"] == json!(name)), "acknowledged user {name} was lost");
    }
    // the database is consistent and writable after the crash
    let r = emu.db(&t, json!({"collection": "todos", "doc": {"after": true}, "options": {}, "command": "insertOne"}));
    assert_eq!(r["success"], json!(true), "{r}");
}
