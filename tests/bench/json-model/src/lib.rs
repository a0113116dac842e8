//! The workload both models run: what the Authing client does with a login reply (parse the
//! envelope, take `data`, add `expires_at` after the existing keys, serialise it for storage) and
//! with an error body (read `message`), plus building a body with keys in a given order.

#[cfg(not(feature = "value"))]
#[path = "../../../../src/json.rs"]
#[allow(missing_docs, dead_code)]
pub mod json;

#[cfg(not(feature = "value"))]
mod model {
    pub use crate::json::{Json, Obj};
    pub fn parse(t: &str) -> Option<Json> {
        Json::parse(t).ok()
    }
    pub fn text(v: &Json) -> String {
        v.to_text()
    }
    pub fn data(v: Json) -> Option<Obj> {
        match v {
            Json::Object(mut o) => match o.remove("data") {
                Some(Json::Object(d)) => Some(d),
                _ => None,
            },
            _ => None,
        }
    }
    pub fn set_num(o: &mut Obj, k: &str, n: f64) {
        o.set(k, Json::from_f64(n));
    }
    pub fn set_str(o: &mut Obj, k: &str, s: &str) {
        o.set(k, Json::str(s));
    }
    pub fn get_str<'a>(o: &'a Json, k: &str) -> Option<&'a str> {
        o.get(k).and_then(Json::as_str)
    }
    pub fn obj_text(o: Obj) -> String {
        o.to_text()
    }
    pub fn new_obj() -> Obj {
        Obj::new()
    }
}

#[cfg(feature = "value")]
mod model {
    pub use serde_json::{Map, Value as Json};
    pub type Obj = Map<String, Json>;
    pub fn parse(t: &str) -> Option<Json> {
        serde_json::from_str(t).ok()
    }
    pub fn text(v: &Json) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }
    pub fn data(v: Json) -> Option<Obj> {
        match v {
            Json::Object(mut o) => match o.shift_remove("data") {
                Some(Json::Object(d)) => Some(d),
                _ => None,
            },
            _ => None,
        }
    }
    pub fn set_num(o: &mut Obj, k: &str, n: f64) {
        let v = if n.fract() == 0.0 { Json::from(n as i64) } else { Json::from(n) };
        o.insert(k.to_string(), v);
    }
    pub fn set_str(o: &mut Obj, k: &str, s: &str) {
        o.insert(k.to_string(), Json::from(s));
    }
    pub fn get_str<'a>(o: &'a Json, k: &str) -> Option<&'a str> {
        o.get(k).and_then(Json::as_str)
    }
    pub fn obj_text(o: Obj) -> String {
        serde_json::to_string(&o).unwrap_or_default()
    }
    pub fn new_obj() -> Obj {
        Obj::new()
    }
}

pub use model::*;

/// A login reply as the Authing server sends it.
pub const LOGIN_REPLY: &str = r#"{"statusCode":200,"message":"","apiCode":0,"requestId":"r-1","data":{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln","id_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln","refresh_token":"rt-0123456789abcdef","expires_in":1209600,"token_type":"Bearer","scope":"openid profile offline_access phone email"}}"#;
/// A user profile reply (more keys, nesting, arrays).
pub const PROFILE_REPLY: &str = r#"{"statusCode":200,"message":"","data":{"userId":"u1","username":"bob","nickname":"鲍勃","phone":"13800000000","email":"b@example.com","photo":"https://f/1.jpg","gender":"U","birthdate":null,"identities":[{"identityId":"i1","extIdpId":"x","provider":"wechat","type":"openid","userIdInIdp":"o1","originConnIds":["c1"]}],"customData":{"a":1,"b":[1,2,3],"c":{"d":true}},"loginsCount":12,"lastLogin":"2026-11-01T00:00:00Z","createdAt":"2026-01-01T00:00:00Z"}}"#;

/// Parse the login reply, keep `data`, add `expires_at` at the end, serialise: one login's JSON work.
pub fn login_roundtrip(reply: &str, now_ms: f64) -> Option<String> {
    let mut state = data(parse(reply)?)?;
    set_num(&mut state, "expires_at", now_ms + 1_209_600_000.0);
    Some(obj_text(state))
}

/// A request body built in a fixed key order, then serialised.
pub fn build_body(user: &str, pw: &str) -> String {
    let mut o = new_obj();
    set_str(&mut o, "connection", "PASSWORD");
    set_str(&mut o, "passwordPayload", user);
    set_str(&mut o, "password", pw);
    set_str(&mut o, "connection", "PASSWORD");
    obj_text(o)
}

/// The wasm export of the size measurement: every operation of the workload is reachable.
#[no_mangle]
pub extern "C" fn workload(ptr: *const u8, len: usize) -> usize {
    // SAFETY: the size build is never run; the function only keeps the code alive.
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    let text = core::str::from_utf8(bytes).unwrap_or("");
    let a = login_roundtrip(text, 1.0).map_or(0, |s| s.len());
    let b = parse(text).as_ref().and_then(|v| get_str(v, "message")).map_or(0, str::len);
    let c = parse(text).map_or(0, |v| text_len(&v));
    a + b + c + build_body(text, text).len()
}

fn text_len(v: &Json) -> usize {
    text(v).len()
}
