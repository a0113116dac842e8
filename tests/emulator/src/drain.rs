//! Unread request bodies are drained (up to a bound) before the answer goes out.
//!
//! A handler that answers before reading the whole body (a body over the size limit gets its
//! service's 413 envelope) would otherwise leave bytes unread; the server then closes the
//! connection with data in flight and the client sees a reset instead of the answer. This layer
//! hands the unread rest of the body back after the handler and reads it away: at most
//! [`MAX_DRAIN_BYTES`] within [`MAX_DRAIN_TIME`], beyond which the connection is given up.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

/// The most bytes read away after an answer.
pub const MAX_DRAIN_BYTES: u64 = 64 * 1024 * 1024;
/// The longest time spent reading them.
pub const MAX_DRAIN_TIME: Duration = Duration::from_secs(10);

type Slot = Arc<Mutex<Option<Body>>>;

/// A body that puts its unread rest into `slot` when dropped.
struct Returning {
    inner: Option<Body>,
    slot: Slot,
}

impl HttpBody for Returning {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.inner.as_mut() {
            Some(b) => Pin::new(b).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.as_ref().map(HttpBody::size_hint).unwrap_or_default()
    }
}

impl Drop for Returning {
    fn drop(&mut self) {
        if let Some(rest) = self.inner.take().filter(|b| !b.is_end_stream()) {
            if let Ok(mut slot) = self.slot.lock() {
                *slot = Some(rest);
            }
        }
    }
}

pub async fn drain_unread(req: Request, next: Next) -> Response {
    let slot: Slot = Arc::new(Mutex::new(None));
    let req = req.map(|inner| Body::new(Returning { inner: Some(inner), slot: slot.clone() }));
    let res = next.run(req).await;
    let rest = slot.lock().ok().and_then(|mut s| s.take());
    if let Some(rest) = rest {
        let _ = tokio::time::timeout(MAX_DRAIN_TIME, read_away(rest)).await;
    }
    res
}

async fn read_away(mut body: Body) {
    let mut read = 0u64;
    while read <= MAX_DRAIN_BYTES {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len() as u64),
            _ => return,
        }
    }
}
