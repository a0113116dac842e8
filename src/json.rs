//! The crate's one JSON model: an order-preserving value used by both clients.
//!
//! The official Authing SDK builds its bodies with object spreads (`{...data, connection: 'PASSWORD'}`)
//! and the platform serialises them with `JSON.stringify`, so key order is part of the wire format.
//! Objects here are vectors of pairs, [`Obj::set`] has the semantics of a JS property assignment
//! (replace in place, or append), and serialisation is `JSON.stringify`'s compact form. The text
//! reader and writer are the crate's own ([`text`]; serde_json was measured against them, see the
//! README's size section); serde's traits are implemented for callers that convert with serde.
//!
//! `Debug` never prints values: these objects carry passwords and tokens.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

pub mod text;
pub use text::ParseError;

/// A JSON number, kept as its JSON text: read and written again byte for byte; made from an
/// `f64` it is the text JS prints ([`Json::from_f64`]).
#[derive(Clone, PartialEq)]
pub struct Number(Box<str>);

impl Number {
    /// The value (`JSON.parse`'s, within a few ulps for long decimals: see [`text::number_value`]).
    pub fn as_f64(&self) -> Option<f64> {
        Some(text::number_value(&self.0))
    }

    /// The value when the text is a non-negative integer (no fraction, no exponent) that fits.
    pub fn as_u64(&self) -> Option<u64> {
        if self.0.is_empty() || self.0.len() > 20 || !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.0.bytes().try_fold(0u64, |a, b| a.checked_mul(10)?.checked_add(u64::from(b - b'0')))
    }

    /// The JSON text.
    pub fn as_text(&self) -> &str {
        &self.0
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number(text::uint_text(n).into())
    }
}

impl core::fmt::Display for Number {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A JSON value whose objects keep their key order.
///
/// `repr(u32)`: a 4-byte tag puts every payload (the `bool` too) at offset 4, so moves of a `Json`
/// are aligned word copies. With the default byte tag the payload union starts at offset 1 and LLVM
/// moves it with unaligned 8-byte loads and stores, which wasm2js expands byte by byte (the Alipay
/// build: alipay-serverless.js -7.9 KB, the JSON reader 13.3 -> 6.5 KB of JS).
#[derive(Clone, PartialEq)]
#[repr(u32)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, in insertion order.
    Object(Obj),
}

/// A JSON object in insertion order.
#[derive(Clone, PartialEq, Default)]
pub struct Obj(Vec<(String, Json)>);

impl core::fmt::Debug for Json {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Json::Null => write!(f, "null"),
            Json::Bool(_) => write!(f, "bool"),
            Json::Number(_) => write!(f, "number"),
            Json::String(_) => write!(f, "string"),
            Json::Array(a) => write!(f, "array[{}]", a.len()),
            Json::Object(o) => o.fmt(f),
        }
    }
}

impl core::fmt::Debug for Obj {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(k, _)| k)).finish()
    }
}

impl Json {
    /// Parses JSON text.
    ///
    /// # Errors
    /// When the text is not JSON (or nests deeper than [`text::MAX_DEPTH`]).
    pub fn parse(text: &str) -> Result<Json, ParseError> {
        text::parse(text)
    }

    /// Compact JSON text, as `JSON.stringify(value)` writes it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        text::write(self, &mut out);
        out
    }

    /// A number from an `f64`, written as JS writes it (`1.5`, `1e+21`, `1796557101522`); NaN and
    /// infinities become `null`, as `JSON.stringify` writes them.
    pub fn from_f64(n: f64) -> Json {
        text::js_number_text(n).map_or(Json::Null, |t| Json::Number(Number(t.into())))
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::String(s.into())
    }

    /// JS truthiness: `null`, `false`, `0`, `NaN` and `""` are falsy; everything else is truthy.
    pub fn truthy(&self) -> bool {
        match self {
            Json::Null => false,
            Json::Bool(b) => *b,
            Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Json::String(s) => !s.is_empty(),
            Json::Array(_) | Json::Object(_) => true,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// The object, if this is one.
    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A member of an object (`None` for non-objects and absent keys).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_obj().and_then(|o| o.get(key))
    }
}

/// Test helper: the object a JSON text spells (panics on anything else; tests only).
#[cfg(test)]
pub fn test_obj(text: &str) -> Obj {
    Json::parse(text).unwrap().as_obj().unwrap().clone()
}

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The string under `key`, if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// The object under `key`, if it is an object.
    pub fn get_obj(&self, key: &str) -> Option<&Obj> {
        self.get(key).and_then(Json::as_obj)
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Whether the value under `key` is present and truthy (JS `if (obj[key])`).
    pub fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(Json::truthy)
    }

    /// `obj[key] = value`: replaces the value in place when the key exists, else appends.
    pub fn set(&mut self, key: &str, value: Json) {
        match self.get_mut(key) {
            Some(slot) => *slot = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// Builder form of [`Obj::set`].
    pub fn with(mut self, key: &str, value: Json) -> Obj {
        self.set(key, value);
        self
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compact JSON text of the object.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        text::write_obj(self, &mut out);
        out
    }
}

impl From<Obj> for Json {
    fn from(o: Obj) -> Json {
        Json::Object(o)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => match (n.as_u64(), n.as_f64()) {
                (Some(u), _) => s.serialize_u64(u),
                (None, Some(f)) => s.serialize_f64(f),
                (None, None) => s.serialize_unit(),
            },
            Json::String(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(o) => o.serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        let n = Number::from(v.unsigned_abs());
        Ok(Json::Number(if v < 0 { Number(["-", &n.0].concat().into()) } else { n }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(Number::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from_f64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        // JSON.parse semantics for duplicate keys: first position, last value.
        let mut obj = Obj::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            obj.set(&k, v);
        }
        Ok(Json::Object(obj))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_survives_a_round_trip() {
        let text = r#"{"z":1,"a":{"y":true,"b":null},"m":[1,"x",{"q":2.5}]}"#;
        assert_eq!(Json::parse(text).unwrap().to_text(), text);
    }

    #[test]
    fn set_replaces_in_place_or_appends_like_an_object_spread() {
        // {...{connection: 'X', a: 1}, connection: 'PASSWORD'} keeps `connection` first.
        let mut o = Json::parse(r#"{"connection":"X","a":1}"#).unwrap().as_obj().unwrap().clone();
        o.set("connection", Json::str("PASSWORD"));
        assert_eq!(o.to_text(), r#"{"connection":"PASSWORD","a":1}"#);
        o.set("b", Json::Bool(false));
        assert_eq!(o.to_text(), r#"{"connection":"PASSWORD","a":1,"b":false}"#);
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value_like_json_parse() {
        assert_eq!(Json::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap().to_text(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn strings_are_escaped_as_json_stringify_escapes_them() {
        let v = Json::str("密码 \"q\" \\ \n\t\u{1} 😀 /");
        assert_eq!(v.to_text(), "\"密码 \\\"q\\\" \\\\ \\n\\t\\u0001 😀 /\"");
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(Json::from_f64(1_796_557_101_522.0).to_text(), "1796557101522");
        assert_eq!(Json::from_f64(1.5).to_text(), "1.5");
        assert_eq!(Json::from_f64(f64::NAN).to_text(), "null");
        assert_eq!(Json::parse("1209600").unwrap().to_text(), "1209600");
    }

    #[test]
    fn truthiness_follows_javascript() {
        for (text, t) in [("null", false), ("0", false), ("0.0", false), ("\"\"", false), ("false", false)] {
            assert_eq!(Json::parse(text).unwrap().truthy(), t, "{text}");
        }
        for text in ["1", "\"0\"", "[]", "{}", "true", "-1"] {
            assert!(Json::parse(text).unwrap().truthy(), "{text}");
        }
    }

    #[test]
    fn debug_never_shows_values() {
        let v = Json::parse(r#"{"password":"hunter2","access_token":"eyJ"}"#).unwrap();
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains("eyJ"), "{dbg}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(Json::parse(&text).is_err());
    }
}
