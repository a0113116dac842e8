//! "Recover and retry once", the one retry policy of both clients.
//!
//! A call the server refused *before acting on it* (an access token rejected in flight, a signed
//! timestamp outside the gateway's window, an expired gateway session) may be sent again once its
//! cause is fixed (a token refresh, a clock correction, a new authorization). Each such call runs
//! in a loop whose one retry is granted by [`RetryOnce`]: the second answer is final, never a
//! loop. (A loop with one `await` rather than a generic "run, recover, run again" helper: the
//! helper's two awaits emitted each request's state machine twice and cost 0.4 KB of brotli per
//! use in the wasm, measured.)

/// Grants one retry.
#[derive(Debug, Default)]
pub struct RetryOnce(bool);

impl RetryOnce {
    /// `true` the first time (retry), `false` ever after (the answer is final).
    pub fn take(&mut self) -> bool {
        !core::mem::replace(&mut self.0, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_retry_is_granted() {
        let mut r = RetryOnce::default();
        assert!(r.take());
        assert!(!r.take());
        assert!(!r.take());
    }
}
