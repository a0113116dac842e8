//! An in-memory [`Host`] for native tests: a scripted responder, a request log, storage, login codes
//! and deterministic "random" bytes. Compiled only for tests.

use crate::error::{HostError, HostErrorKind};
use crate::host::{Host, HttpRequest, HttpResponse, UploadRequest};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

type Responder = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, HostError>>;

/// A fake platform.
pub struct FakeHost {
    responder: Responder,
    /// Every request sent, in order.
    pub requests: RefCell<Vec<HttpRequest>>,
    /// Every upload sent, in order.
    pub uploads: RefCell<Vec<UploadRequest>>,
    /// Storage contents (JSON text per key).
    pub storage: RefCell<HashMap<String, String>>,
    /// When set, storage calls fail with this message.
    pub storage_fails: RefCell<Option<String>>,
    /// Login codes handed out, in order (`code-1`, `code-2`, ...).
    pub login_calls: Cell<u32>,
    /// The clock, in ms since the epoch.
    pub now: Cell<f64>,
    /// When false, `random_bytes` fails (no secure source).
    pub has_random: Cell<bool>,
}

impl FakeHost {
    /// A host whose requests are answered by `responder`.
    pub fn new(responder: impl Fn(&HttpRequest) -> Result<HttpResponse, HostError> + 'static) -> Self {
        FakeHost {
            responder: Box::new(responder),
            requests: RefCell::new(Vec::new()),
            uploads: RefCell::new(Vec::new()),
            storage: RefCell::new(HashMap::new()),
            storage_fails: RefCell::new(None),
            login_calls: Cell::new(0),
            now: Cell::new(1_700_000_000_000.0),
            has_random: Cell::new(true),
        }
    }

    /// A response with `status` and a body.
    pub fn reply(status: u16, body: &str) -> Result<HttpResponse, HostError> {
        Ok(HttpResponse { status, headers: Vec::new(), body: body.to_string() })
    }

    fn storage_check(&self, capability: &'static str) -> Result<(), HostError> {
        match self.storage_fails.borrow().as_ref() {
            Some(msg) => Err(HostError::new(capability, HostErrorKind::Rejected, msg.clone())),
            None => Ok(()),
        }
    }
}

impl Host for FakeHost {
    async fn request(&self, req: HttpRequest) -> Result<HttpResponse, HostError> {
        let res = (self.responder)(&req);
        self.requests.borrow_mut().push(req);
        res
    }

    async fn upload_file(&self, req: UploadRequest) -> Result<HttpResponse, HostError> {
        let as_request = HttpRequest {
            method: crate::host::Method::Post,
            url: req.url.clone(),
            headers: req.headers.clone(),
            body: None,
            timeout_ms: req.timeout_ms,
        };
        let res = (self.responder)(&as_request);
        self.uploads.borrow_mut().push(req);
        res
    }

    async fn login_code(&self) -> Result<String, HostError> {
        let n = self.login_calls.get() + 1;
        self.login_calls.set(n);
        Ok(format!("code-{n}"))
    }

    async fn storage_get(&self, key: &str) -> Result<Option<String>, HostError> {
        self.storage_check("getStorage")?;
        Ok(self.storage.borrow().get(key).cloned())
    }

    async fn storage_set(&self, key: &str, value: &str) -> Result<(), HostError> {
        self.storage_check("setStorage")?;
        self.storage.borrow_mut().insert(key.to_string(), value.to_string());
        Ok(())
    }

    async fn storage_remove(&self, key: &str) -> Result<(), HostError> {
        self.storage_check("removeStorage")?;
        self.storage.borrow_mut().remove(key);
        Ok(())
    }

    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    async fn random_bytes(&self, len: usize) -> Result<Vec<u8>, HostError> {
        if !self.has_random.get() {
            return Err(HostError::new("getRandomValues", HostErrorKind::Missing, ""));
        }
        Ok((0..len).map(|i| (i as u8).wrapping_mul(37).wrapping_add(11)).collect())
    }
}
