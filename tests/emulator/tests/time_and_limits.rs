//! The emulator's clock as tests set it, the `Date` header on every answer, request ids in the
//! gateway's error envelopes, and bodies over the limit answered with the 413 envelope instead of a
//! connection reset.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::{json, Value};

/// One raw HTTP/1.1 exchange: the status line and headers (lower-case names) and the body.
fn raw(emu: &Emulator, method: &str, path: &str, body: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let addr = emu.base.strip_prefix("http://").unwrap().to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\nx-authing-app-id: {APP_ID}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).expect("the whole body is read by the server (no reset)");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("the answer arrives (no reset)");
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = out[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn date_ms(h: &[(String, String)]) -> i64 {
    let d = header(h, "date").expect("a Date header");
    let t = httpdate::parse_http_date(d).unwrap_or_else(|e| panic!("{d:?}: {e}"));
    t.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn machine_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn every_answer_carries_the_emulators_clock_in_a_date_header() {
    let emu = Emulator::start();
    for (method, path) in
        [("GET", "/api/v3/system"), ("POST", "/client"), ("GET", "/__admin/config"), ("GET", "/no/such/path")]
    {
        let (_, h, _) = raw(&emu, method, path, b"");
        assert!((date_ms(&h) - machine_ms()).abs() < 5_000, "{method} {path}: {h:?}");
    }
    // A day ahead: the clock endpoint, the Date header and token expiry all follow.
    emu.advance_clock(86_400_000);
    let clock = emu.get("/__admin/clock", &[]).json();
    assert_eq!(clock["offsetMs"], json!(86_400_000));
    assert!((clock["nowMs"].as_i64().unwrap() - machine_ms() - 86_400_000).abs() < 5_000, "{clock}");
    let (_, h, _) = raw(&emu, "GET", "/api/v3/system", b"");
    assert!((date_ms(&h) - machine_ms() - 86_400_000).abs() < 5_000, "{h:?}");
    // Set it outright, then back to the machine's time.
    let set = emu.post_json("/__admin/clock", &[], &json!({"nowMs": 1_700_000_000_000_i64})).json();
    assert!((set["nowMs"].as_i64().unwrap() - 1_700_000_000_000).abs() < 5_000, "{set}");
    let (_, h, _) = raw(&emu, "GET", "/api/v3/system", b"");
    assert!((date_ms(&h) - 1_700_000_000_000).abs() < 5_000, "{h:?}");
    assert_eq!(emu.post_json("/__admin/clock", &[], &json!({"offsetMs": 0})).json()["offsetMs"], json!(0));
    for bad in [json!({}), json!({"advanceMs": "1"}), json!({"advanceMs": 1, "offsetMs": 2})] {
        let r = emu.post_json("/__admin/clock", &[], &bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
}

#[test]
fn a_clock_moved_past_the_window_rejects_device_timestamps_with_a_request_id() {
    let emu = Emulator::start_with(&["--timestamp-window-secs", "60"]);
    let t = emu.anonymous_token();
    emu.advance_clock(61_000);
    let r = emu.sl_raw("serverless.auth.user.getProfileInfo", None, Some(&t), now_ms(), CLIENT_SECRET);
    let v = r.json();
    assert_sl_error(&v, "InvalidParameter.TimestampExpired");
    assert_eq!(v["requestId"].as_str(), r.request_id.as_deref(), "the body's requestId is the header's");
    // Signed with the emulator's time, the same call passes.
    let ok = emu.sl_raw("serverless.auth.user.getProfileInfo", None, Some(&t), now_ms() + 61_000, CLIENT_SECRET);
    assert_eq!(ok.json()["success"], json!(true), "{}", ok.text());
    // A day later on the moved clock, the session has expired.
    emu.advance_clock(86_400_000);
    let gone = emu.sl_raw("serverless.auth.user.getProfileInfo", None, Some(&t), now_ms() + 86_461_000, CLIENT_SECRET);
    assert_sl_error(&gone.json(), "GATEWAY_INVALID_TOKEN");
}

#[test]
fn bodies_over_the_limit_get_the_413_envelope_not_a_reset() {
    let emu = Emulator::start_with(&["--max-body-bytes", "1024"]);
    // 4 MiB against a 1 KiB limit: the excess is read away before the answer.
    let mut big = b"{\"x\":\"".to_vec();
    big.resize(4 * 1024 * 1024, b'a');
    big.extend_from_slice(b"\"}");
    let (status, h, body) = raw(&emu, "POST", "/client", &big);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_sl_error(&v, "InvalidParameter.BodyTooLarge");
    assert_eq!(v["requestId"].as_str(), header(&h, "request-id"));
    let (_, _, body) = raw(&emu, "POST", "/api/v3/signin", &big);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_authing_error(&v, 413);
    let (status, _, _) = raw(&emu, "POST", "/__admin/users", &big);
    assert_eq!(status, 413);
    // The server is fine afterwards.
    assert_eq!(emu.get("/__admin/config", &[]).status, 200);
}
