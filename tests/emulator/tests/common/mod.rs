//! Test harness: starts the real `miniapp-emulator` binary on `--port 0`
//! with a temporary data directory and speaks HTTP to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use md5::Md5;
use serde_json::{json, Value};

pub const APP_ID: &str = "dev-app";
pub const POOL_ID: &str = "dev-pool";
pub const WECHAT_IDP: &str = "dev-wechat";
pub const DOUYIN_IDP: &str = "dev-douyin";
pub const SPACE_ID: &str = "dev-space";
pub const CLIENT_SECRET: &str = "dev-secret";

pub struct Emulator {
    pub base: String,
    child: Option<Child>,
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    args: Vec<String>,
}

fn spawn(data_dir: &Path, args: &[String]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_miniapp-emulator"))
        .arg("--port")
        .arg("0")
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MINIAPP_EMULATOR_PORT")
        .env_remove("MINIAPP_EMULATOR_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn emulator");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut first = String::new();
        let _ = r.read_line(&mut first);
        let _ = tx.send(first);
        // keep draining so the child never blocks on a full pipe
        let mut sink = Vec::new();
        let _ = r.read_to_end(&mut sink);
    });
    let first = rx.recv_timeout(Duration::from_secs(60)).expect("emulator printed nothing within 60 s");
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    (child, base)
}

impl Emulator {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(args: &[&str]) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data_dir = tmp.path().join("data");
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (child, base) = spawn(&data_dir, &args);
        Self { base, child: Some(child), data_dir, _tmp: Some(tmp), args }
    }

    /// SIGKILL (no graceful shutdown).
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM (graceful shutdown, as Ctrl-C) and waits up to 30 s for the exit; returns whether
    /// the process exited successfully.
    pub fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else { return false };
        let sent = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status().is_ok_and(|s| s.success());
        assert!(sent, "cannot send SIGTERM");
        for _ in 0..300 {
            if let Ok(Some(status)) = c.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = c.kill();
        let _ = c.wait();
        panic!("the emulator did not exit within 30 s of SIGTERM");
    }

    /// Starts a new process on the same data directory.
    pub fn restart(&mut self) {
        self.kill9();
        let (child, base) = spawn(&self.data_dir, &self.args);
        self.child = Some(child);
        self.base = base;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().ok().flatten().is_none(),
            None => false,
        }
    }

    // ---------- HTTP ----------

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Resp {
        try_request(&self.base, method, path, headers, body)
            .unwrap_or_else(|e| panic!("transport error on {method} {path}: {e}"))
    }

    pub fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Resp {
        let mut h = headers.to_vec();
        h.push(("content-type", "application/json"));
        self.request("POST", path, &h, Some(body.to_string().as_bytes()))
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.request("GET", path, headers, None)
    }

    /// Moves the emulator's clock `ms` forward (`POST /__admin/clock`): expiries are reached
    /// without sleeping, whatever the machine's load.
    pub fn advance_clock(&self, ms: i64) {
        let r = self.post_json("/__admin/clock", &[], &json!({ "advanceMs": ms }));
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub fn post_form(&self, path: &str, headers: &[(&str, &str)], form: &str) -> Resp {
        let mut h = headers.to_vec();
        h.push(("content-type", "application/x-www-form-urlencoded"));
        self.request("POST", path, &h, Some(form.as_bytes()))
    }

    pub fn post_multipart(&self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Resp {
        let (ctype, body) = multipart(fields, file);
        self.request("POST", path, &[("content-type", &ctype)], Some(&body))
    }

    // ---------- Authing helpers ----------

    pub fn admin_user(&self, body: Value) -> Value {
        let r = self.post_json("/__admin/users", &[], &body);
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()
    }

    pub fn signin(&self, body: Value) -> Value {
        self.post_json("/api/v3/signin", &[("x-authing-app-id", APP_ID)], &body).json()
    }

    pub fn password_login(&self, username: &str, password: &str, scope: &str) -> Value {
        self.signin(json!({
            "passwordPayload": {"password": password, "username": username},
            "options": {"scope": scope},
            "connection": "PASSWORD"
        }))
    }

    pub fn wx_code(&self, user: &str) -> String {
        let r = self.post_json("/__platform/wx/login", &[], &json!({"user": user})).json();
        r["code"].as_str().expect("code").to_string()
    }

    pub fn latest_sms(&self, phone: &str) -> String {
        let inbox = self.get(&format!("/__admin/sms?phone={phone}"), &[]).json();
        inbox[0]["code"].as_str().expect("sms code").to_string()
    }

    // ---------- MPServerless helpers ----------

    /// A signed gateway call; returns the parsed JSON body.
    pub fn sl(&self, method: &str, params: Option<&Value>, token: Option<&str>) -> Value {
        self.sl_raw(method, params.map(|p| p.to_string()).as_deref(), token, now_ms(), CLIENT_SECRET).json()
    }

    pub fn sl_raw(&self, method: &str, params: Option<&str>, token: Option<&str>, ts: i64, secret: &str) -> Resp {
        let sig = sign(secret, method, params, SPACE_ID, ts, token);
        let mut body = serde_json::Map::new();
        body.insert("spaceId".into(), json!(SPACE_ID));
        body.insert("method".into(), json!(method));
        if let Some(p) = params {
            body.insert("params".into(), json!(p));
        }
        if let Some(t) = token {
            body.insert("token".into(), json!(t));
        }
        body.insert("timestamp".into(), json!(ts));
        let mut headers = vec![
            ("x-serverless-sign", sig.as_str()),
            ("x-serverless-ua", "pkg_name:@alicloud/mpserverless-sdk;ver:3.1.1;"),
        ];
        if let Some(t) = token {
            headers.push(("x-basement-token", t));
        }
        self.post_json("/client", &headers, &Value::Object(body))
    }

    pub fn anonymous_token(&self) -> String {
        let r = self.sl("serverless.auth.user.anonymousAuthorize", Some(&json!({"clientIdentifier": "APPID"})), None);
        assert_eq!(r["success"], json!(true), "{r}");
        r["data"]["accessToken"].as_str().expect("token").to_string()
    }

    pub fn db(&self, token: &str, params: Value) -> Value {
        self.sl("serverless.db.default.execute", Some(&params), Some(token))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// One HTTP request; `Err` only for transport failures.
pub fn try_request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Resp, String> {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
    let mut req = agent.request(method, &format!("{base}{path}"));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let r = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
    };
    let status = resp.status();
    let ctype = resp.header("content-type").unwrap_or("").to_string();
    let request_id = resp.header("request-id").map(str::to_string);
    let mut bytes = Vec::new();
    resp.into_reader().take(50 * 1024 * 1024).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok(Resp { status, ctype, request_id, bytes })
}

/// A signed gateway call that reports transport failures instead of panicking.
pub fn try_sl(base: &str, method: &str, params: &Value, token: &str) -> Result<Value, String> {
    let p = params.to_string();
    let ts = now_ms();
    let sig = sign(CLIENT_SECRET, method, Some(&p), SPACE_ID, ts, Some(token));
    let body = json!({"spaceId": SPACE_ID, "method": method, "params": p, "token": token, "timestamp": ts});
    let r = try_request(
        base,
        "POST",
        "/client",
        &[("content-type", "application/json"), ("x-serverless-sign", &sig), ("x-basement-token", token)],
        Some(body.to_string().as_bytes()),
    )?;
    serde_json::from_slice(&r.bytes).map_err(|e| e.to_string())
}

pub struct Resp {
    pub status: u16,
    pub ctype: String,
    pub request_id: Option<String>,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).to_string()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): status {} body {:?}", self.status, self.text()))
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The client-side signature, written from the reference independently of the server code.
pub fn sign(secret: &str, method: &str, params: Option<&str>, space: &str, ts: i64, token: Option<&str>) -> String {
    let mut parts = vec![format!("method={method}")];
    if let Some(p) = params.filter(|p| !p.is_empty()) {
        parts.push(format!("params={p}"));
    }
    parts.push(format!("spaceId={space}"));
    parts.push(format!("timestamp={ts}"));
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        parts.push(format!("token={t}"));
    }
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(secret.as_bytes()).expect("hmac");
    mac.update(parts.join("&").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----emulatortestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn assert_authing_error(v: &Value, status: u64) {
    assert_eq!(v["statusCode"], json!(status), "{v}");
    assert!(v["message"].is_string(), "{v}");
    assert!(v["requestId"].is_string(), "{v}");
}

pub fn assert_sl_error(v: &Value, code: &str) {
    assert_eq!(v["success"], json!(false), "{v}");
    assert_eq!(v["error"]["code"], json!(code), "{v}");
    assert!(v["error"]["message"].is_string(), "{v}");
    assert!(v["requestId"].as_str().is_some_and(|r| r.len() == 32), "{v}");
}
