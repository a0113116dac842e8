//! The server's clock, learned from its answers: one building block for both clients.
//!
//! Phones have wrong clocks. Each client keeps a [`ServerClock`]: an offset between the device
//! clock (`Host::now_ms`) and the server's, estimated from what the server tells about its time:
//! the HTTP `Date` header (IMF-fixdate, one-second steps) and the `iat` of a JWT it issued.
//! Samples are coarse (a second of truncation plus the network's latency), so an offset is applied
//! only when it is at least [`APPLY_THRESHOLD_MS`]: with a right clock the offset stays 0 and no
//! byte on the wire changes. Once applied, an offset is replaced only by a sample that differs
//! from it by the same threshold (no jitter from one answer to the next).
//!
//! The MPServerless client signs `timestamp` with [`ServerClock::now`]; when the gateway still
//! rejects the timestamp, the client adopts the rejecting answer's sample unconditionally
//! ([`ServerClock::adopt`]) and retries once. The Authing client converts the server-time JWT
//! `exp` into device time with the offset (its stored `expires_at` stays device time, as the
//! official package keeps it).

use crate::host::HttpResponse;
use core::cell::Cell;

/// Offsets smaller than this are noise (a `Date` second plus latency) and are not applied.
pub const APPLY_THRESHOLD_MS: f64 = 5_000.0;
/// The step of the `Date` header and of JWT `iat`: one second.
pub const SECOND_MS: f64 = 1_000.0;

/// The estimated offset of the server clock from the device clock.
#[derive(Debug, Default)]
pub struct ServerClock {
    offset_ms: Cell<f64>,
}

impl ServerClock {
    /// The applied offset in ms (server minus device); 0 while the device clock is right.
    pub fn offset_ms(&self) -> f64 {
        self.offset_ms.get()
    }

    /// The server's time now, given the device's.
    pub fn now(&self, device_ms: f64) -> f64 {
        device_ms + self.offset_ms.get()
    }

    /// The device time at which the server's clock reads `server_ms`.
    pub fn to_device(&self, server_ms: f64) -> f64 {
        server_ms - self.offset_ms.get()
    }

    /// The offset one sample suggests: the server read `server_s` whole seconds some time before
    /// the device read `device_ms` (the middle of the second is the best guess). `None` for a
    /// sample that is not a finite time.
    pub fn sample(server_s: f64, device_ms: f64) -> Option<f64> {
        let offset = server_s * SECOND_MS + SECOND_MS / 2.0 - device_ms;
        (offset.is_finite() && server_s > 0.0 && device_ms.is_finite()).then_some(offset)
    }

    /// Takes a sample into account, applying it only when it matters (see the module head).
    pub fn observe(&self, sample_ms: f64) {
        let current = self.offset_ms.get();
        if (sample_ms - current).abs() < APPLY_THRESHOLD_MS {
            return;
        }
        self.offset_ms.set(if sample_ms.abs() < APPLY_THRESHOLD_MS { 0.0 } else { sample_ms });
    }

    /// Takes a sample as it is: the server rejected our time, so even a small offset matters.
    pub fn adopt(&self, sample_ms: f64) {
        self.offset_ms.set(sample_ms);
    }

    /// The sample of a response's `Date` header received at `device_ms`, if it has a valid one.
    pub fn sample_of(res: &HttpResponse, device_ms: f64) -> Option<f64> {
        let secs = res.header("date").and_then(parse_imf_fixdate)?;
        ServerClock::sample(secs as f64, device_ms)
    }

    /// Observes a response's `Date` header; returns the sample it gave.
    pub fn observe_response(&self, res: &HttpResponse, device_ms: f64) -> Option<f64> {
        let sample = ServerClock::sample_of(res, device_ms)?;
        self.observe(sample);
        Some(sample)
    }
}

/// Seconds since the Unix epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110
/// §5.6.7), the only form servers are allowed to send. Anything else is `None`.
pub fn parse_imf_fixdate(text: &str) -> Option<u64> {
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let b = text.trim().as_bytes();
    if b.len() != 29 || b.get(3..5) != Some(b", ") || b.get(25..29) != Some(b" GMT") {
        return None;
    }
    // u32 parts (4-digit years): only the final product is 64-bit, since wasm2js expands every
    // 64-bit operation into 32-bit halves (the Alipay build).
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |acc, d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(7, b' ') && sep(11, b' ') && sep(16, b' ') && sep(19, b':') && sep(22, b':')) {
        return None;
    }
    let day = num(5, 2)?;
    let month = MONTHS.iter().position(|m| b.get(8..11) == Some(&m[..]))? as u32 + 1;
    let year = num(12, 4)?;
    let (hour, minute, second) = (num(17, 2)?, num(20, 2)?, num(23, 2)?);
    if !(1..=31).contains(&day) || year < 1970 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(u64::from(days_from_civil(year, month, day)?) * 86_400 + u64::from(hour * 3_600 + minute * 60 + second))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`), for
/// years 1970..=9999.
fn days_from_civil(year: u32, month: u32, day: u32) -> Option<u32> {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_date(date: &str) -> HttpResponse {
        HttpResponse { status: 200, headers: vec![("Date".into(), date.into())], body: String::new() }
    }

    #[test]
    fn imf_fixdates_parse_to_epoch_seconds() {
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_imf_fixdate("Tue, 14 Nov 2023 22:13:20 GMT"), Some(1_700_000_000));
        assert_eq!(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_imf_fixdate("Thu, 29 Feb 2024 12:00:00 GMT"), Some(1_709_208_000));
        assert_eq!(parse_imf_fixdate(" Fri, 31 Dec 2100 23:59:59 GMT "), Some(4_133_980_799));
        assert_eq!(parse_imf_fixdate("Fri, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799));
    }

    #[test]
    fn other_date_forms_and_garbage_are_refused() {
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nox 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 19a4 08:49:37 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT",
            "Sun, 06 Nov 1994 08:49:3７GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_right_clock_keeps_a_zero_offset() {
        let clock = ServerClock::default();
        let device = 1_700_000_000_900.0; // 0.9 s into the server's second: latency and truncation
        assert_eq!(clock.observe_response(&with_date("Tue, 14 Nov 2023 22:13:20 GMT"), device), Some(-400.0));
        assert_eq!(clock.offset_ms(), 0.0);
        assert_eq!(clock.now(device), device);
        // 4 s off is still noise.
        clock.observe(-4_000.0);
        assert_eq!(clock.offset_ms(), 0.0);
    }

    #[test]
    fn a_wrong_clock_is_corrected_and_does_not_jitter() {
        let clock = ServerClock::default();
        // The device runs 20 min fast.
        let device = 1_700_000_000_000.0 + 1_200_000.0;
        clock.observe_response(&with_date("Tue, 14 Nov 2023 22:13:20 GMT"), device);
        assert_eq!(clock.offset_ms(), -1_199_500.0);
        assert!((clock.now(device) - 1_700_000_000_500.0).abs() < 1.0);
        assert_eq!(clock.to_device(1_700_000_000_500.0), device);
        // A sample 2 s away from the applied offset changes nothing; one a day away replaces it.
        clock.observe(-1_201_500.0);
        assert_eq!(clock.offset_ms(), -1_199_500.0);
        clock.observe(86_400_000.0);
        assert_eq!(clock.offset_ms(), 86_400_000.0);
        // Back to a right clock: the offset returns to exactly 0.
        clock.observe(300.0);
        assert_eq!(clock.offset_ms(), 0.0);
    }

    #[test]
    fn adopted_samples_apply_even_when_small() {
        let clock = ServerClock::default();
        clock.adopt(3_000.0);
        assert_eq!(clock.offset_ms(), 3_000.0);
    }

    #[test]
    fn responses_without_a_usable_date_teach_nothing() {
        let clock = ServerClock::default();
        assert_eq!(clock.observe_response(&with_date("yesterday"), 1.0e12), None);
        let none = HttpResponse { status: 200, headers: vec![], body: String::new() };
        assert_eq!(clock.observe_response(&none, 1.0e12), None);
        assert_eq!(ServerClock::sample(1.0e9, f64::NAN), None);
        assert_eq!(clock.offset_ms(), 0.0);
    }
}
