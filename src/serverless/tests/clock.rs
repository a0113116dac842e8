//! A device clock that is wrong: the timestamp is signed in the server's time learned from `Date`,
//! and a rejected timestamp is corrected from the rejecting answer and retried once.

use super::*;
use crate::clock::parse_imf_fixdate;

const NOW: f64 = 1_700_000_000_000.0;
const WINDOW_MS: f64 = 600_000.0;

/// The IMF-fixdate of `ms` (whole seconds), written independently of the parser under test for
/// the days around 2023-11-14.
fn imf(ms: f64) -> String {
    const MIDNIGHT_14_NOV_2023: i64 = 1_699_920_000;
    let since = (ms / 1000.0).floor() as i64 - MIDNIGHT_14_NOV_2023;
    let (day, s) = (since.div_euclid(86_400), since.rem_euclid(86_400));
    let date = match day {
        -2 => "Sun, 12 Nov",
        -1 => "Mon, 13 Nov",
        0 => "Tue, 14 Nov",
        1 => "Wed, 15 Nov",
        2 => "Thu, 16 Nov",
        d => panic!("day {d} out of range"),
    };
    format!("{date} 2023 {:02}:{:02}:{:02} GMT", s / 3600, s / 60 % 60, s % 60)
}

/// A gateway whose clock is `skew` ms off the device's, accepting timestamps within its window.
fn gateway(skew: f64, always_reject: bool) -> Client<FakeHost> {
    let host = FakeHost::new(move |req| {
        let server_now = NOW + skew;
        let b = body_of(req);
        let ts = b["timestamp"].as_f64().unwrap();
        let body = if always_reject || (ts - server_now).abs() > WINDOW_MS {
            json!({"success": false, "error": {"code": "InvalidParameter.TimestampExpired", "message": "check the device clock"}})
        } else if b["method"].as_str().unwrap().starts_with("serverless.auth.user.") {
            json!({"success": true, "data": {"accessToken": "tok1"}})
        } else {
            json!({"success": true, "data": {"affectedDocs": 1, "result": []}})
        };
        Ok(HttpResponse { status: 200, headers: vec![("Date".into(), imf(server_now))], body: body.to_string() })
    });
    Client::new(host, config())
}

fn timestamps(c: &Client<FakeHost>) -> Vec<i64> {
    c.host().requests.borrow().iter().map(|r| body_of(r)["timestamp"].as_i64().unwrap()).collect()
}

#[test]
fn the_date_writer_of_these_tests_agrees_with_the_parser() {
    for ms in [NOW, NOW - 1_200_000.0, NOW + 86_400_000.0, NOW - 86_400_000.0, NOW + 7_777_000.0] {
        assert_eq!(parse_imf_fixdate(&imf(ms)), Some((ms / 1000.0).floor() as u64), "{}", imf(ms));
    }
}

#[test]
fn a_rejected_timestamp_is_corrected_and_the_call_sent_once_more() {
    for skew in [-1_200_000.0, 1_200_000.0, 86_400_000.0, -86_400_000.0] {
        let c = gateway(skew, false);
        assert!(run(c.authorize(Some(r#"{"authType":"anonymous"}"#))).unwrap(), "skew {skew}");
        let db = run(c.db(Some("books"), None, "count", &[Some("{}")], None));
        assert!(db.is_ok(), "skew {skew}: {db:?}");
        let ts = timestamps(&c);
        // authorize: rejected once, then accepted; the db call is right the first time.
        assert_eq!(ts.len(), 3, "skew {skew}: {ts:?}");
        assert_eq!(ts[0], NOW as i64);
        for t in &ts[1..] {
            assert!((*t as f64 - (NOW + skew)).abs() <= 1_000.0, "skew {skew}: {ts:?}");
        }
        assert!((c.clock_offset_ms() - skew).abs() <= 1_000.0);
    }
}

#[test]
fn an_offset_learned_from_an_accepted_answer_avoids_the_rejection() {
    // 5 min off: inside the gateway's window, but learned and applied from the first Date.
    let c = gateway(300_000.0, false);
    assert!(run(c.authorize(None)).is_ok());
    assert!(run(c.invoke("f", None)).is_ok());
    assert_eq!(timestamps(&c), [NOW as i64, NOW as i64 + 300_500]);
}

#[test]
fn a_right_clock_signs_the_device_time_unchanged() {
    let c = gateway(0.0, false);
    assert!(run(c.authorize(None)).is_ok());
    assert!(run(c.invoke("f", None)).is_ok());
    assert_eq!(timestamps(&c), [NOW as i64, NOW as i64]);
    assert_eq!(c.clock_offset_ms(), 0.0);
}

#[test]
fn a_timestamp_rejected_twice_is_an_error_after_exactly_one_retry() {
    let c = gateway(0.0, true);
    let e = run(c.authorize(None)).unwrap_err();
    assert_eq!(classify(&e).0, "InvalidParameter.TimestampExpired");
    assert_eq!(timestamps(&c).len(), 2);
}
