//! In-repo fuzz harness on stable Rust (cargo-fuzz needs nightly): a small deterministic mutation
//! engine (byte flips, inserts, deletions, truncations, splices, structure-aware JSON mutations)
//! seeded from real responses, keys and stored states, driving
//!
//! - the response parsers: `authing::transport::classify`, `avatar::parse_upload`,
//!   `phone::phone_info`, `password::public_key_of`, `serverless::envelope::parse_reply`,
//!   `file::parse_sign`, `db::transaction_id`, and whole client flows (both clients over a scripted
//!   in-memory host answering with mutated bodies, mutated stored login states and host errors);
//! - the key parsers: `crypto::rsa::parse_public_key` (PEM / base64 DER), `crypto::sm2::parse_public_key`
//!   (hex), `encoding::hex_decode` / `base64_decode`, and `encrypt_password` on whatever parses;
//! - the signer: `sign::string_to_sign` / `sign` / `hmac_md5_hex` and `envelope::build_request`;
//! - the storage decoder: the stored login state (`LoginState`, `jwt_exp_ms`, `build_state`) and the
//!   client's read of it; the config/option decoders.
//!
//! The crate is panic-free by lint; a panic anywhere fails the test. Short run (default, bounded,
//! a few seconds in debug): `cargo test --test fuzz_parsers`. Long run:
//!
//! ```sh
//! MINIAPP_FUZZ_ITERS=10000000 cargo test --release --test fuzz_parsers -- --nocapture
//! ```
//!
//! (`MINIAPP_FUZZ_SEED` picks another deterministic stream.) Each target prints executions and
//! executions per second.
#![cfg(all(not(target_arch = "wasm32"), feature = "auth", feature = "serverless"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use miniapp_sdk::authing::client::AuthingClient;
use miniapp_sdk::authing::password::{public_key_of, EncryptType, PasswordLogin};
use miniapp_sdk::authing::state::{build_state, jwt_exp_ms, LoginState};
use miniapp_sdk::authing::transport::{classify, Kind};
use miniapp_sdk::authing::{args, avatar, outcome, phone, Config as AuthConfig, Json, Obj};
use miniapp_sdk::crypto::encoding::{base64_decode, hex_decode};
use miniapp_sdk::crypto::{rsa, sm2, Drbg};
use miniapp_sdk::error::{Error, HostError, HostErrorKind};
use miniapp_sdk::host::{Host, HttpRequest, HttpResponse, UploadRequest};
use miniapp_sdk::serverless::envelope::{build_request, parse_reply};
use miniapp_sdk::serverless::sign::{hmac_md5_hex, sign, string_to_sign, SignFields};
use miniapp_sdk::serverless::{authorize, db, file, function, Client as SlsClient, Config as SlsConfig};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

// ---- deterministic RNG and mutator -------------------------------------------------------------

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const INTERESTING: &[&str] = &[
    "",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e309",
    "-0",
    "NaN",
    "\"\"",
    "[]",
    "{}",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "9007199254740993",
    "1.5",
    "\"200\"",
    "200",
    "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "\"😀\"",
    "\"a\\\"b\"",
    "{\"statusCode\":200}",
    "{\"error\":{}}",
    "{\"error\":\"x\"}",
    "{\"data\":null}",
    "\"-----BEGIN PUBLIC KEY-----\"",
];
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"\\u",
    b"-----BEGIN ",
    b"-----END ",
    b"PUBLIC KEY-----",
    b"\n",
    b"\r\n",
    b"04",
    b"02",
    b"03",
    b"=",
    b"==",
    b"%",
    b"\xff",
    b"\xc3",
    b"\xe4\xb8",
    b"\x00",
    b"eyJ",
    b".",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        match rng.below(11) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(out.len() + 1);
                let t = rng.pick(TOKENS);
                out.splice(i..i, t.iter().copied());
            }
            3 if !out.is_empty() => {
                let i = rng.below(out.len());
                let n = 1 + rng.below((out.len() - i).min(16));
                out.drain(i..i + n);
            }
            4 => out.truncate(rng.below(out.len() + 1)),
            5 => {
                // splice with another seed
                let other = rng.pick(seeds);
                let a = rng.below(out.len() + 1);
                let b = rng.below(other.len() + 1);
                out.truncate(a);
                out.extend_from_slice(&other[b..]);
            }
            6 if !out.is_empty() => {
                // duplicate a chunk (grows nesting / lengths)
                let i = rng.below(out.len());
                let n = 1 + rng.below((out.len() - i).min(64));
                let chunk = out[i..i + n].to_vec();
                out.splice(i..i, chunk);
            }
            7 => json_mutate(rng, &mut out),
            8 => json_mutate(rng, &mut out),
            9 if out.len() < 1 << 16 && rng.chance(8) => {
                // huge: repeat the whole input
                let copy = out.clone();
                for _ in 0..rng.below(8) {
                    out.extend_from_slice(&copy);
                }
            }
            _ => {
                let i = rng.below(out.len() + 1);
                let s = rng.pick(INTERESTING);
                out.splice(i..i, s.bytes());
            }
        }
    }
    out
}

/// Structure-aware: parse as JSON, change one value/key/type somewhere, re-serialise.
fn json_mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) else { return };
    mutate_value(rng, &mut v, 0);
    *bytes = serde_json::to_vec(&v).unwrap();
}

fn random_value(rng: &mut Rng) -> serde_json::Value {
    use serde_json::{json, Value};
    match rng.below(10) {
        0 => Value::Null,
        1 => json!(rng.chance(2)),
        2 => json!(rng.next() as i64 >> rng.below(64)),
        3 => json!(f64::from_bits(rng.next()).clamp(-1e300, 1e300)).as_f64().map_or(Value::Null, |f| json!(f)),
        4 => json!(""),
        5 => json!("x".repeat(rng.below(300))),
        6 => json!([]),
        7 => json!({}),
        8 => json!(*rng.pick(INTERESTING)),
        _ => json!({"statusCode": 200, "data": {"access_token": "eyJ.x.y", "expires_in": rng.below(5000)}}),
    }
}

fn mutate_value(rng: &mut Rng, v: &mut serde_json::Value, depth: usize) {
    use serde_json::Value;
    match v {
        Value::Object(m) if !m.is_empty() && depth < 8 && !rng.chance(4) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = rng.pick(&keys).clone();
            match rng.below(5) {
                0 => {
                    m.remove(&k);
                }
                1 => {
                    let val = m.remove(&k).unwrap();
                    m.insert(format!("{k}{}", rng.below(3)), val);
                }
                _ => mutate_value(rng, m.get_mut(&k).unwrap(), depth + 1),
            }
        }
        Value::Array(a) if !a.is_empty() && depth < 8 && !rng.chance(4) => {
            let i = rng.below(a.len());
            if rng.chance(3) {
                a.remove(i);
            } else {
                mutate_value(rng, &mut a[i], depth + 1);
            }
        }
        _ => *v = random_value(rng),
    }
}

// ---- budget --------------------------------------------------------------------------------------

fn iterations(default: u64) -> u64 {
    std::env::var("MINIAPP_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}
fn seed() -> u64 {
    std::env::var("MINIAPP_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_0001)
}

fn run(name: &str, default_iters: u64, seeds: Vec<Vec<u8>>, mut target: impl FnMut(&mut Rng, &[u8])) {
    let iters = iterations(default_iters);
    let mut rng = Rng(seed() ^ name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let started = Instant::now();
    for seed_input in &seeds {
        target(&mut rng, seed_input);
    }
    for _ in 0..iters {
        let base = rng.pick(&seeds).clone();
        let input = mutate(&mut rng, &seeds, &base);
        target(&mut rng, &input);
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let total = iters + seeds.len() as u64;
    println!("fuzz {name}: {total} executions in {secs:.2} s ({:.0} exec/s), no panic", total as f64 / secs);
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---- seeds ---------------------------------------------------------------------------------------

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const SM2_KEY: &str = "04\
09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020\
ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln";

fn response_seeds() -> Vec<Vec<u8>> {
    let token = format!(
        r#"{{"access_token":"{JWT}","id_token":"{JWT}","refresh_token":"rt-1","expires_in":7200,"token_type":"Bearer","scope":"openid offline_access"}}"#
    );
    let spki = serde_json::to_string(&fixture("rsa-2048-spki.pem")).unwrap();
    vec![
        format!(r#"{{"statusCode":200,"message":"","data":{token}}}"#),
        token.clone(),
        format!(r#"{{"rsa":{{"publicKey":{spki}}},"sm2":{{"publicKey":"{SM2_KEY}"}}}}"#),
        r#"{"statusCode":400,"message":"账号或密码错误","apiCode":2333,"requestId":"r"}"#.into(),
        r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#.into(),
        r#"{"statusCode":200,"message":"","data":{"phone_info":{"phoneNumber":"13800000000","countryCode":"86"}}}"#
            .into(),
        r#"{"code":200,"data":{"key":"avatar/1.png","url":"https://cdn/x.png"}}"#.into(),
        r#"{"success":true,"data":{"accessToken":"tok","expiresInSecond":600}}"#.into(),
        r#"{"success":true,"data":{"affectedDocs":0,"transactionId":"tx-1"}}"#.into(),
        r#"{"success":false,"error":{"code":"GATEWAY_INVALID_TOKEN","message":"token expired"}}"#.into(),
        r#"{"success":true,"data":{"id":"f1","ossPath":"p/f1.png","host":"127.0.0.1:1/__oss","policy":"cA==","signature":"s","accessKeyId":"k","cdnDomain":"127.0.0.1:1/__oss"}}"#.into(),
        r#"{"success":true,"data":{"affectedDocs":2,"result":[{"_id":"a","t":"2024-01-01T00:00:00.000Z"}]}}"#.into(),
        "<html><body>502 Bad Gateway</body></html>".into(),
        String::new(),
        r#"{"statusCode":200,"data":{"access_tok"#.into(),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

fn key_seeds() -> Vec<Vec<u8>> {
    let spki = fixture("rsa-2048-spki.pem");
    let pkcs1 = fixture("rsa-2048-pkcs1.pem");
    let bare: String = spki.lines().filter(|l| !l.starts_with("-----")).collect();
    vec![
        spki,
        pkcs1,
        bare,
        SM2_KEY.into(),
        SM2_KEY[2..].into(),
        SM2_KEY.to_uppercase(),
        format!("02{}", &SM2_KEY[2..66]),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

// ---- a scripted host for whole-client flows -------------------------------------------------------

enum Answer {
    Reply(u16, String),
    Fail(HostErrorKind),
}

struct ScriptHost {
    answers: RefCell<VecDeque<Answer>>,
    storage: RefCell<HashMap<String, String>>,
    storage_fails: Cell<bool>,
    now: f64,
    requests: Cell<u32>,
}

impl ScriptHost {
    fn new(now: f64) -> ScriptHost {
        ScriptHost {
            answers: RefCell::default(),
            storage: RefCell::default(),
            storage_fails: Cell::new(false),
            now,
            requests: Cell::new(0),
        }
    }
    fn answer(&self) -> Result<HttpResponse, HostError> {
        self.requests.set(self.requests.get() + 1);
        match self.answers.borrow_mut().pop_front() {
            Some(Answer::Reply(status, body)) => Ok(HttpResponse { status, headers: vec![], body }),
            Some(Answer::Fail(kind)) => Err(HostError::new("request", kind, "request:fail simulated")),
            None => Err(HostError::new("request", HostErrorKind::Rejected, "request:fail no more answers")),
        }
    }
    fn storage_err(&self, cap: &'static str) -> Result<(), HostError> {
        if self.storage_fails.get() {
            Err(HostError::new(cap, HostErrorKind::Rejected, "setStorage:fail exceed storage max size 10MB"))
        } else {
            Ok(())
        }
    }
}

impl Host for &ScriptHost {
    async fn request(&self, _req: HttpRequest) -> Result<HttpResponse, HostError> {
        self.answer()
    }
    async fn upload_file(&self, _req: UploadRequest) -> Result<HttpResponse, HostError> {
        self.answer()
    }
    async fn login_code(&self) -> Result<String, HostError> {
        Ok("code-1".into())
    }
    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        self.storage_err("getStorage")?;
        Ok(self.storage.borrow().get(key).cloned())
    }
    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        self.storage_err("setStorage")?;
        self.storage.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        self.storage_err("removeStorage")?;
        self.storage.borrow_mut().remove(key);
        Ok(())
    }
    fn now_ms(&self) -> f64 {
        self.now
    }
    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        Ok((0..len).map(|i| (i as u8).wrapping_mul(151).wrapping_add(7)).collect())
    }
}

const NOW: f64 = 1_700_000_000_000.0;

fn queue_answers(rng: &mut Rng, host: &ScriptHost, seeds: &[Vec<u8>], first: &[u8]) {
    let mut q = host.answers.borrow_mut();
    q.clear();
    for i in 0..4 {
        if rng.chance(10) {
            q.push_back(Answer::Fail(*rng.pick(&[
                HostErrorKind::Rejected,
                HostErrorKind::Timeout,
                HostErrorKind::BadValue,
            ])));
            continue;
        }
        let status = *rng.pick(&[200u16, 200, 200, 400, 401, 500, 502, 503]);
        let body = if i == 0 {
            text(first)
        } else {
            let base = rng.pick(seeds).clone();
            text(&mutate(rng, seeds, &base))
        };
        q.push_back(Answer::Reply(status, body));
    }
}

/// The structural promise of every Authing failure: a non-empty message and a code (the tuple's
/// error object), whatever the input.
fn check_failure(f: &Error) {
    let j = outcome::error_json(f);
    let o = j.as_obj().expect("failure is an object");
    assert!(o.get_str("message").is_some_and(|m| !m.is_empty()), "failure without a message: {}", j.to_text());
    assert!(o.get_str("code").is_some_and(|c| !c.is_empty()), "failure without a code: {}", j.to_text());
}

// ---- targets ------------------------------------------------------------------------------------

#[test]
fn fuzz_authing_response_parsers() {
    let seeds = response_seeds();
    run("authing-response-parsers", 20_000, seeds, |_, input| {
        let body = text(input);
        for status in [200u16, 400, 500] {
            let res = HttpResponse { status, headers: vec![], body: body.clone() };
            for kind in [Kind::Api, Kind::Token, Kind::System, Kind::Revocation] {
                match classify(kind, &res) {
                    Ok(j) => {
                        let _ = j.to_text();
                        let _ = public_key_of(&j, EncryptType::Rsa);
                        let _ = public_key_of(&j, EncryptType::Sm2);
                        let _ = phone::phone_info(j);
                    }
                    Err(f) => check_failure(&f),
                }
            }
            if let Err(f) = avatar::parse_upload(&res) {
                check_failure(&f);
            }
        }
        if let Ok(Json::Object(o)) = Json::parse(&body) {
            let _ = PasswordLogin::parse(o.clone()).map(|p| p.body(None));
            let _ = miniapp_sdk::authing::sms::send_sms_body(o.clone());
            let _ = miniapp_sdk::authing::sms::pass_code_body(o);
        }
        let _ = AuthConfig::from_json(&body);
    });
}

#[test]
fn fuzz_serverless_response_parsers() {
    let seeds = response_seeds();
    run("serverless-response-parsers", 20_000, seeds, |_, input| {
        let body = text(input);
        for status in [200u16, 401, 500] {
            let res = HttpResponse { status, headers: vec![("request-id".into(), "r".into())], body: body.clone() };
            match parse_reply(res) {
                Ok(reply) => {
                    assert!(reply.json.is_object(), "a non-object reply accepted: {}", reply.body);
                    let _ = file::parse_sign(&reply);
                    let _ = db::transaction_id(&reply);
                    let _ = reply.data_str("accessToken");
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    let _ = miniapp_sdk::serverless::errors::classify(&e);
                }
            }
        }
        let _ = SlsConfig::from_json(&body);
        let _ = authorize::parse_options(Some(&body));
        let _ = function::invoke_params("f", Some(&body));
        let _ = file::info_params(&body, Some(&body));
        let _ = file::delete_params(&body);
        if let Ok(o) = serde_json::from_str::<file::UploadOptions>(&body) {
            let _ = file::plan_upload(&o);
        }
        if let Some(cmd) = db::command("updateOne") {
            let _ = db::build_params(Some("books"), None, cmd, &[Some(&body), Some(&body)], Some(&body));
        }
    });
}

/// The crate's JSON reader against serde_json's: the same texts accepted (except numbers out of
/// f64's range, which `JSON.parse` reads as infinity or 0 and serde_json refuses), the same values
/// (numbers within 1e-15: neither reader is correctly rounded for long decimals), a written text
/// that reads back to itself, and strings escaped as serde_json (and `JSON.stringify`) escape them.
#[test]
fn fuzz_json_reader_against_serde_json() {
    fn same(ours: &Json, theirs: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (ours, theirs) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                a == b || ((a - b) / b).abs() < 1e-15
            }
            (Json::String(a), Value::String(b)) => a == b,
            (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
            (Json::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
            }
            _ => false,
        }
    }
    let mut seeds = response_seeds();
    for extra in [
        r#"["\u0041\ud83d\ude00\n\"\\\/\b\f\r\t", -0, 1e+21, 1.5e-7, 0.1, 12345678901234567890]"#,
        r#"{"a":1,"a":{"b":[true,false,null]},"c":"\u00e9\u4e2d"}"#,
        "  [ {} , [] , \"\" ]  ",
    ] {
        seeds.push(extra.as_bytes().to_vec());
    }
    run("json-reader", 30_000, seeds, |_, input| {
        let body = text(input);
        let ours = Json::parse(&body);
        match (serde_json::from_str::<serde_json::Value>(&body), &ours) {
            (Ok(theirs), Ok(v)) => assert!(same(v, &theirs), "values differ for {body:?}"),
            (Ok(_), Err(e)) => panic!("serde_json reads {body:?}, ours does not: {e}"),
            (Err(e), Ok(_)) => assert!(e.to_string().contains("out of range"), "ours reads {body:?}, serde_json: {e}"),
            (Err(_), Err(_)) => {}
        }
        if let Ok(v) = ours {
            let written = v.to_text();
            assert_eq!(Json::parse(&written).map(|w| w.to_text()).ok().as_deref(), Some(written.as_str()), "{body:?}");
            if let Json::String(s) = &v {
                let mut out = String::new();
                miniapp_sdk::json::text::write_str(s, &mut out);
                assert_eq!(out, serde_json::to_string(s).unwrap());
            }
        }
    });
}

#[test]
fn fuzz_key_parsers_and_encryption() {
    let seeds = key_seeds();
    let mut drbg = Drbg::new();
    drbg.reseed(&[7u8; 48]).unwrap();
    let mut parsed = 0u64;
    run("key-parsers", 10_000, seeds, |rng, input| {
        let key = text(input);
        let _ = hex_decode(&key, "key");
        let _ = base64_decode(&key, "key");
        // Encryption is expensive (RSA-2048 / SM2 scalar mult): only on a sample of what parses.
        let encrypt = rng.chance(16);
        let mut rng_bytes = drbg.fork().unwrap();
        if let Ok(k) = rsa::parse_public_key(&key) {
            parsed += 1;
            if encrypt {
                let _ = rsa::encrypt(&k, "密码 password 😀", &mut rng_bytes);
            }
        }
        if let Ok(k) = sm2::parse_public_key(&key) {
            parsed += 1;
            if encrypt {
                let _ = sm2::encrypt(&k, "密码 password 😀", &mut rng_bytes);
            }
        }
    });
    println!("  key-parsers: {parsed} mutated inputs parsed as keys");
}

#[test]
fn fuzz_signer() {
    let seeds = response_seeds();
    let cfg =
        SlsConfig::from_json(r#"{"appId":"a","spaceId":"s","clientSecret":"sec","endpoint":"http://127.0.0.1:1"}"#)
            .unwrap();
    run("signer", 20_000, seeds, |rng, input| {
        let s = text(input);
        let ts = rng.next() >> rng.below(64);
        let f = SignFields { method: &s, params: Some(&s), space_id: &s, timestamp: ts, token: Some(&s) };
        let a = sign(&s, &f);
        assert_eq!(a.len(), 32, "HMAC-MD5 hex is 32 chars");
        assert_eq!(a, hmac_md5_hex(&s, &string_to_sign(&f)));
        let req = build_request(&cfg, &s, Some(&s), Some(&s), ts);
        assert!(req.body.as_deref().is_some_and(|b| serde_json::from_str::<serde_json::Value>(b).is_ok()));
    });
}

/// One Authing method with its argument, as the boundary would run it.
type AuthCall<H> = fn(&AuthingClient<H>) -> Pin<Box<dyn Future<Output = Result<Json, Error>> + '_>>;

/// A method's object argument, read as the boundary reads it.
fn obj(text: &str) -> Obj {
    args::object(Some(text), "test input").unwrap()
}

#[test]
fn fuzz_storage_decoder() {
    let mut seeds = response_seeds();
    seeds.push(
        format!(r#"{{"access_token":"{JWT}","refresh_token":"rt","expires_in":7200,"expires_at":{}}}"#, NOW + 1e6)
            .into_bytes(),
    );
    seeds.push(format!(r#"{{"access_token":"{JWT}","expires_at":null}}"#).into_bytes());
    seeds.push(b"\"a string\"".to_vec());
    let answers = response_seeds();
    run("storage-decoder", 20_000, seeds, |rng, input| {
        let s = text(input);
        let _ = jwt_exp_ms(&s);
        if let Ok(Json::Object(o)) = Json::parse(&s) {
            let st = LoginState(o.clone());
            let _ = st.expires_at();
            let _ = st.is_valid(NOW);
            let _ = st.refresh_due(NOW);
            let _ = st.access_token();
            let _ = st.refresh_token();
            let _ = st.to_json().to_text();
            let _ = build_state(o, NOW, -86_400_000.0).0.to_text();
        }
        // The client's own read of a corrupted stored state: every method is a tuple, no panic.
        let host = ScriptHost::new(NOW);
        host.storage.borrow_mut().insert("authing:app:login-state".into(), s);
        let client = AuthingClient::new(&host, AuthConfig::new("app", "pool", Some("http://h"), None).unwrap(), None);
        let method = rng.below(5);
        let answer = text(rng.pick::<Vec<u8>>(&answers));
        host.answers.borrow_mut().push_back(Answer::Reply(200, answer));
        let out = pollster::block_on(async {
            match method {
                0 => client.get_login_state().await,
                1 => client.get_user_info(None).await,
                2 => client.refresh_token().await,
                3 => client.logout().await,
                _ => client.check_login().await,
            }
        });
        if let Err(f) = out {
            check_failure(&f);
        }
    });
}

#[test]
fn fuzz_client_flows() {
    let seeds = response_seeds();
    run("client-flows", 10_000, seeds.clone(), |rng, input| {
        // Authing: a valid or expiring stored state, then a method whose answers are mutated.
        let host = ScriptHost::new(NOW);
        if rng.chance(2) {
            let exp = NOW + [1e3, 1e5, 1e7][rng.below(3)];
            host.storage.borrow_mut().insert(
                "authing:app:login-state".into(),
                format!(r#"{{"access_token":"{JWT}","refresh_token":"rt","expires_in":7200,"expires_at":{exp}}}"#),
            );
        }
        host.storage_fails.set(rng.chance(12));
        queue_answers(rng, &host, &seeds, input);
        let client = AuthingClient::new(&host, AuthConfig::new("app", "pool", Some("http://h"), None).unwrap(), None);
        let auth_methods: &[AuthCall<&ScriptHost>] = &[
            |c| {
                Box::pin(c.login_by_password(obj(
                    r#"{"passwordPayload":{"username":"bob","password":"pw"},"options":{"passwordEncryptType":"sm2","scope":"openid offline_access"}}"#,
                )))
            },
            |c| {
                Box::pin(c.login_by_password(obj(
                    r#"{"passwordPayload":{"account":"bob","password":"pw"},"options":{"passwordEncryptType":"rsa"}}"#,
                )))
            },
            |c| Box::pin(c.login_by_code(obj(r#"{"extIdpConnidentifier":"wx"}"#))),
            |c| Box::pin(c.send_sms(obj(r#"{"phoneNumber":"13800000000","channel":"CHANNEL_LOGIN"}"#))),
            |c| {
                Box::pin(
                    c.login_by_pass_code(obj(r#"{"passCodePayload":{"phone":"13800000000","passCode":"123456"}}"#)),
                )
            },
            |c| Box::pin(c.get_login_state()),
            |c| Box::pin(c.refresh_token()),
            |c| Box::pin(c.get_user_info(None)),
            |c| Box::pin(c.get_phone(obj(r#"{"extIdpConnidentifier":"wx","code":"c"}"#))),
            |c| Box::pin(c.update_user_info(obj(r#"{"nickname":"n"}"#))),
            |c| Box::pin(c.update_password(obj(r#"{"newPassword":"n","oldPassword":"o"}"#))),
            |c| Box::pin(c.update_avatar("wxfile://a.png")),
            |c| Box::pin(c.logout()),
        ];
        let method = rng.pick(auth_methods);
        match pollster::block_on(method(&client)) {
            Ok(j) => {
                let _ = j.to_text();
            }
            Err(f) => check_failure(&f),
        }
        // The stored state is never left unreadable: either absent or a JSON object.
        if !host.storage_fails.get() {
            if let Some(s) = host.storage.borrow().get("authing:app:login-state") {
                assert!(matches!(Json::parse(s), Ok(Json::Object(_))), "torn state: {s}");
            }
        }

        // MPServerless: authorize, then one call, with mutated answers.
        let host = ScriptHost::new(NOW);
        queue_answers(rng, &host, &seeds, input);
        let cfg =
            SlsConfig::from_json(r#"{"appId":"a","spaceId":"s","clientSecret":"sec","endpoint":"http://127.0.0.1:1"}"#)
                .unwrap();
        let client = SlsClient::new(&host, cfg);
        pollster::block_on(async {
            let opts =
                if rng.chance(2) { r#"{"authType":"anonymous"}"# } else { r#"{"authProvider":"wechat_openapi"}"# };
            if client.authorize(Some(opts)).await.is_ok() {
                let _ = match rng.below(4) {
                    0 => client.invoke("echo", Some(&text(input))).await.map(|_| ()),
                    1 => client.db(Some("books"), None, "find", &[Some("{}")], None).await.map(|_| ()),
                    2 => client.start_transaction(None).await.map(|_| ()),
                    _ => client.upload_file(r#"{"filePath":"wxfile://a.png","fileSize":3}"#).await.map(|_| ()),
                };
            }
        });
        assert!(host.requests.get() <= 8, "bounded retries: {} requests", host.requests.get());
    });
}

// ---- secrets in Debug output ----------------------------------------------------------------------

/// A recording host: every request, upload and response is kept for Debug formatting.
struct RecordingHost {
    inner: ScriptHost,
    seen: RefCell<Vec<String>>,
}

impl Host for &RecordingHost {
    async fn request(&self, req: HttpRequest) -> Result<HttpResponse, HostError> {
        self.seen.borrow_mut().push(format!("{req:?}"));
        let r = (&self.inner).request(req).await;
        self.seen.borrow_mut().push(format!("{r:?}"));
        r
    }
    async fn upload_file(&self, req: UploadRequest) -> Result<HttpResponse, HostError> {
        self.seen.borrow_mut().push(format!("{req:?}"));
        (&self.inner).upload_file(req).await
    }
    async fn login_code(&self) -> Result<String, HostError> {
        Ok("LOGINCODE-s3cr3t".into())
    }
    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        (&self.inner).storage_get(key).await
    }
    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        (&self.inner).storage_set(key, value).await
    }
    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        (&self.inner).storage_remove(key).await
    }
    fn now_ms(&self) -> f64 {
        NOW
    }
    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        (&self.inner).random_bytes(len).await
    }
}

/// Debug output of every request, response, error, state, config and reply of a full scenario of
/// both clients contains none of the secrets (password, tokens, SMS code, login code, clientSecret).
#[test]
fn debug_output_of_a_full_scenario_has_no_secrets() {
    const SECRETS: &[&str] = &[
        "PASSWORD-s3cr3t",
        "NEWPASS-s3cr3t",
        "ACCESS-s3cr3t",
        "IDTOKEN-s3cr3t",
        "REFRESH-s3cr3t",
        "SMS-975310",
        "LOGINCODE-s3cr3t",
        "CLIENTSECRET-s3cr3t",
        "SESSION-s3cr3t",
    ];
    let token = r#"{"access_token":"ACCESS-s3cr3t","id_token":"IDTOKEN-s3cr3t","refresh_token":"REFRESH-s3cr3t","expires_in":7200}"#;
    let host = RecordingHost { inner: ScriptHost::new(NOW), seen: RefCell::default() };
    let mut out: Vec<String> = Vec::new();
    {
        let mut q = host.inner.answers.borrow_mut();
        q.push_back(Answer::Reply(200, format!(r#"{{"statusCode":200,"data":{token}}}"#))); // signin
        q.push_back(Answer::Reply(200, r#"{"statusCode":200,"message":"ok"}"#.into())); // send-sms
        q.push_back(Answer::Reply(200, format!(r#"{{"statusCode":200,"data":{token}}}"#))); // passcode
        q.push_back(Answer::Reply(200, token.into())); // refresh
        q.push_back(Answer::Reply(200, r#"{"statusCode":200,"data":{"userId":"u"}}"#.into())); // profile
        q.push_back(Answer::Reply(200, r#"{"statusCode":400,"message":"wrong"}"#.into())); // update-password
        q.push_back(Answer::Reply(400, r#"{"error":"invalid_grant","error_description":"bad REFRESH"}"#.into()));
        q.push_back(Answer::Reply(200, format!(r#"{{"statusCode":200,"data":{token}}}"#))); // code login
        q.push_back(Answer::Reply(200, String::new())); // revocation
    }
    let cfg = AuthConfig::new("app", "pool", Some("http://h"), None).unwrap();
    out.push(format!("{cfg:?}"));
    let client = AuthingClient::new(&host, cfg, None);
    let calls: &[AuthCall<&RecordingHost>] = &[
        |c| {
            Box::pin(c.login_by_password(obj(r#"{"passwordPayload":{"username":"bob","password":"PASSWORD-s3cr3t"}}"#)))
        },
        |c| Box::pin(c.send_sms(obj(r#"{"phoneNumber":"13800000000","channel":"CHANNEL_LOGIN"}"#))),
        |c| {
            Box::pin(
                c.login_by_pass_code(obj(r#"{"passCodePayload":{"phone":"13800000000","passCode":"SMS-975310"}}"#)),
            )
        },
        |c| Box::pin(c.refresh_token()),
        |c| Box::pin(c.get_user_info(None)),
        |c| Box::pin(c.update_password(obj(r#"{"newPassword":"NEWPASS-s3cr3t","oldPassword":"PASSWORD-s3cr3t"}"#))),
        |c| Box::pin(c.refresh_token()),
        |c| Box::pin(c.login_by_code(obj(r#"{"extIdpConnidentifier":"wx"}"#))),
        |c| Box::pin(c.logout()),
        |c| {
            Box::pin(c.login_by_password(obj(
                r#"{"passwordPayload":{"username":"bob","password":"PASSWORD-s3cr3t"},"options":{"passwordEncryptType":"aes"}}"#,
            )))
        },
    ];
    for call in calls {
        let r = pollster::block_on(call(&client));
        out.push(format!("{r:?}"));
        if let Err(f) = &r {
            out.push(outcome::error_json(f).to_text()); // the error the app sees
        }
    }
    for v in host.inner.storage.borrow().values() {
        if let Ok(Json::Object(o)) = Json::parse(v) {
            out.push(format!("{:?}", LoginState(o)));
        }
    }

    let host2 = RecordingHost { inner: ScriptHost::new(NOW), seen: RefCell::default() };
    {
        let mut q = host2.inner.answers.borrow_mut();
        q.push_back(Answer::Reply(
            200,
            r#"{"success":true,"data":{"accessToken":"SESSION-s3cr3t","expiresInSecond":600}}"#.into(),
        ));
        q.push_back(Answer::Reply(200, r#"{"success":true,"data":{"echo":1}}"#.into()));
        q.push_back(Answer::Reply(
            200,
            r#"{"success":false,"error":{"code":"GATEWAY_INVALID_TOKEN","message":"token invalid"}}"#.into(),
        ));
        q.push_back(Answer::Reply(
            200,
            r#"{"success":true,"data":{"accessToken":"SESSION-s3cr3t","expiresInSecond":600}}"#.into(),
        ));
        q.push_back(Answer::Reply(
            200,
            r#"{"success":false,"error":{"code":"FunctionExecuteError","message":"boom"}}"#.into(),
        ));
    }
    let cfg = SlsConfig::from_json(
        r#"{"appId":"a","spaceId":"s","clientSecret":"CLIENTSECRET-s3cr3t","endpoint":"http://127.0.0.1:1"}"#,
    )
    .unwrap();
    out.push(format!("{cfg:?}"));
    let sls = SlsClient::new(&host2, cfg);
    out.push(format!("{:?}", pollster::block_on(sls.authorize(Some(r#"{"authProvider":"wechat_openapi"}"#)))));
    let reply = pollster::block_on(sls.invoke("echo", Some("{}")));
    out.push(format!("{reply:?}"));
    let failed = pollster::block_on(sls.invoke("fail", Some("{}")));
    out.push(format!("{failed:?}"));
    if let Err(e) = &failed {
        out.push(e.to_string());
    }
    // The authorize reply as the parser returns it (it carries the session token in its body).
    let session = HttpResponse {
        status: 200,
        headers: vec![],
        body: r#"{"success":true,"data":{"accessToken":"SESSION-s3cr3t","expiresInSecond":600}}"#.into(),
    };
    out.push(format!("{:?}", parse_reply(session)));
    out.extend(host.seen.borrow().iter().cloned());
    out.extend(host2.seen.borrow().iter().cloned());
    let all = out.join("\n");
    let leaks: Vec<&str> = SECRETS.iter().copied().filter(|s| all.contains(s)).collect();
    assert!(leaks.is_empty(), "secrets in Debug output / error messages: {leaks:?}\n{all}");
    println!(
        "secrets: {} Debug lines / error messages checked, none contains any of {} secrets",
        out.len(),
        SECRETS.len()
    );
}
