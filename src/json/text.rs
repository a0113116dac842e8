//! JSON text in and out for the crate's one model: a reader with `JSON.parse`'s grammar and a
//! writer with `JSON.stringify`'s compact form, written for size (measured against serde_json in
//! the README's size section) and for the wasm core's rule that no input panics.
//!
//! Numbers keep their source text: a value read and written again is byte-identical, which is what
//! the wire needs (the JS side wrote the text with `JSON.stringify`). Numbers made from an `f64` are
//! written as JS's `Number.prototype.toString` writes them (shortest round-trip digits from `ryu`,
//! laid out by ECMAScript's rules: `1e+21`, `1e-7`, `0.000001`, `123456789012345680000`).

use super::{Json, Number, Obj};

/// Objects and arrays may nest this deep (serde_json's limit, which the crate had before).
pub const MAX_DEPTH: usize = 128;

/// Why a text is not JSON; `at` is the byte offset where reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the text.
    pub at: usize,
    /// What was wrong there.
    pub what: &'static str,
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.what)?;
        f.write_str(" at byte ")?;
        f.write_str(&uint_text(self.at as u64))
    }
}

/// Parses one JSON text (surrounding whitespace allowed, nothing after the value).
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut r = Reader { s: text.as_bytes(), text, pos: 0 };
    let v = r.value(0)?;
    r.ws();
    if r.pos < r.s.len() {
        return Err(r.err("trailing characters"));
    }
    Ok(v)
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn err(&self, what: &'static str) -> ParseError {
        ParseError { at: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `word` (a literal) or fails.
    fn word(&mut self, word: &'static str, v: Json) -> Result<Json, ParseError> {
        if self.s.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ParseError> {
        self.ws();
        match self.peek() {
            Some(b'n') => self.word("null", Json::Null),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(open @ (b'[' | b'{')) => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested too deep"));
                }
                self.pos += 1;
                if open == b'[' {
                    self.array(depth + 1)
                } else {
                    self.object(depth + 1)
                }
            }
            Some(_) => Err(self.err("expected a value")),
            None => Err(self.err("unexpected end")),
        }
    }

    /// After `[`.
    fn array(&mut self, depth: usize) -> Result<Json, ParseError> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.err("expected , or ]")),
            }
        }
    }

    /// After `{`. Duplicate keys: first position, last value (as `JSON.parse`).
    fn object(&mut self, depth: usize) -> Result<Json, ParseError> {
        let mut obj = Obj::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(obj));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a key"));
            }
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected :"));
            }
            self.pos += 1;
            let v = self.value(depth)?;
            obj.set(&key, v);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(obj));
                }
                _ => return Err(self.err("expected , or }")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        // The slice is ASCII, so it lies on char boundaries.
        let text = self.text.get(start..self.pos).ok_or(self.err("invalid number"))?;
        Ok(Json::Number(Number(text.into())))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            n = n * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(n)
    }

    /// At `"`; returns the decoded string. Lone surrogates are an error (a Rust string cannot
    /// hold them), as they were with serde_json.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run stops only at ASCII bytes, so both ends are char boundaries.
            out.push_str(self.text.get(run..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.peek().ok_or(self.err("unexpected end"))?;
                    self.pos += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.err("invalid escape")),
                    };
                    out.push(ch);
                }
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    /// After `\u`: one code unit, or a surrogate pair written as two escapes.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.err("lone surrogate"));
                }
                self.pos += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(self.err("lone surrogate"));
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.err("lone surrogate")),
            _ => hi,
        };
        char::from_u32(code).ok_or(self.err("invalid \\u escape"))
    }
}

/// Appends the compact JSON text of `v` (`JSON.stringify(v)`).
pub fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Number(n) => out.push_str(&n.0),
        Json::String(s) => write_str(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::Object(o) => write_obj(o, out),
    }
}

/// Appends the compact JSON text of an object.
pub fn write_obj(o: &Obj, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in o.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(k, out);
        out.push(':');
        write(v, out);
    }
    out.push('}');
}

/// Appends `s` as a JSON string literal, escaped as `JSON.stringify` escapes it.
pub fn write_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` is an ASCII byte, so `run..i` lies on char boundaries.
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + 1;
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Decimal text of an unsigned integer (no `core::fmt`).
pub fn uint_text(mut n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).map(|d| d.iter().map(|&c| char::from(c)).collect()).unwrap_or_default()
}

/// `Number.prototype.toString()` of a finite `f64`; `None` for NaN and infinities.
pub fn js_number_text(n: f64) -> Option<String> {
    if !n.is_finite() {
        return None;
    }
    let mut s = String::new();
    if n < 0.0 {
        s.push('-');
    }
    let a = n.abs();
    if a.fract() == 0.0 && a < 9_007_199_254_740_992.0 {
        // Integers (and -0, which JS prints as 0) need no float formatting.
        if a == 0.0 {
            return Some("0".into());
        }
        s.push_str(&uint_text(a as u64));
        return Some(s);
    }
    // ryu gives the shortest round-trip digits (the digits ECMAScript asks for) as `d.ddd`,
    // `0.000ddd`, `ddd.0` or `d.ddde-7`; take the significant digits and the decimal point's
    // position (value = 0.DIGITS x 10^point), then lay them out by ECMAScript's rules.
    let mut buf = ryu::Buffer::new();
    let mut digits: Vec<u8> = Vec::with_capacity(20);
    let mut point: i64 = 0;
    let mut seen_point = false;
    let mut exp: i64 = 0;
    let mut exp_neg = false;
    let mut in_exp = false;
    for b in buf.format_finite(a).bytes() {
        match b {
            b'.' => seen_point = true,
            b'e' => in_exp = true,
            b'-' => exp_neg = true,
            b'0'..=b'9' if in_exp => exp = exp * 10 + i64::from(b - b'0'),
            // Leading zeros: after the point they move it, before it they are nothing.
            b'0' if digits.is_empty() && seen_point => point -= 1,
            b'0' if digits.is_empty() => {}
            b'0'..=b'9' => {
                digits.push(b);
                if !seen_point {
                    point += 1;
                }
            }
            _ => {}
        }
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
        // Trailing zeros before the point were counted in `point` already.
    }
    point += if exp_neg { -exp } else { exp };
    let k = digits.len() as i64;
    let push_digits = |s: &mut String, d: &[u8]| s.extend(d.iter().map(|&c| char::from(c)));
    if k <= point && point <= 21 {
        push_digits(&mut s, &digits);
        s.extend(core::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        for (i, &c) in digits.iter().enumerate() {
            if i as i64 == point {
                s.push('.');
            }
            s.push(char::from(c));
        }
    } else if -6 < point && point <= 0 {
        s.push_str("0.");
        s.extend(core::iter::repeat_n('0', (-point) as usize));
        push_digits(&mut s, &digits);
    } else {
        for (i, &c) in digits.iter().enumerate() {
            if i == 1 {
                s.push('.');
            }
            s.push(char::from(c));
        }
        let e = point - 1;
        s.push_str(if e < 0 { "e-" } else { "e+" });
        s.push_str(&uint_text(e.unsigned_abs()));
    }
    Some(s)
}

/// The value of a JSON number text (as validated by the reader): integers below 2^53 and
/// decimals with at most 15 significant digits and a small exponent are exact (correctly
/// rounded, Clinger's fast path); others are within a few units in the last place (no big
/// power-of-five tables in the wasm). Out of range is +/-infinity or 0, as `JSON.parse`.
pub fn number_value(text: &str) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (mant, exp_text) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or(""), body.get(i + 1..).unwrap_or("")),
        None => (body, ""),
    };
    // Significant digits into a u64 (19 at most), the rest only move the decimal exponent.
    let mut w: u64 = 0;
    let mut nd = 0u32;
    // i32 exponents (saturating): 64-bit arithmetic is what wasm2js expands most.
    let mut exp: i32 = 0;
    let mut after_point = false;
    for b in mant.bytes() {
        match b {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                if nd < 19 {
                    if w != 0 || b != b'0' {
                        nd += 1;
                    }
                    w = w * 10 + u64::from(b - b'0');
                    if after_point {
                        exp -= 1;
                    }
                } else if !after_point {
                    exp = exp.saturating_add(1);
                }
            }
            _ => {}
        }
    }
    let e_neg = exp_text.starts_with('-');
    let e_abs = exp_text.trim_start_matches(['+', '-']).bytes().fold(0i32, |a, b| {
        if a > 100_000 {
            a
        } else {
            a * 10 + i32::from(b.wrapping_sub(b'0'))
        }
    });
    exp = exp.saturating_add(if e_neg { -e_abs } else { e_abs });
    let v = if w == 0 {
        0.0
    } else if w < (1 << 53) && (-22..=22).contains(&exp) {
        let p = POW10.get(exp.unsigned_abs() as usize).copied().unwrap_or(1.0);
        if exp < 0 {
            w as f64 / p
        } else {
            w as f64 * p
        }
    } else {
        // Scale in steps of 1e22 (exact) so that intermediate results stay in range as long as
        // the value does.
        let mut v = w as f64;
        let mut e = exp;
        while e > 22 && v.is_finite() {
            v *= 1e22;
            e -= 22;
        }
        while e < -22 && v != 0.0 {
            v /= 1e22;
            e += 22;
        }
        let p = POW10.get(e.unsigned_abs() as usize).copied().unwrap_or(1.0);
        if e < 0 {
            v / p
        } else {
            v * p
        }
    };
    if neg {
        -v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text() {
        for t in ["0", "-0", "1", "-1.5", "1e+21", "1E5", "0.1", "12345678901234567890", "1e400", "-2.5e-8"] {
            assert_eq!(parse(t).unwrap().to_text(), t);
        }
    }

    #[test]
    fn invalid_numbers_are_errors() {
        for t in ["01", "-", "1.", ".1", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "--1", "1.e5"] {
            assert!(parse(t).is_err(), "{t}");
        }
    }

    #[test]
    fn number_values() {
        for (t, v) in [
            ("0", 0.0),
            ("1209600", 1_209_600.0),
            ("1796557101522", 1_796_557_101_522.0),
            ("0.1", 0.1),
            ("2.5", 2.5),
            ("-3.75e2", -375.0),
            ("1e22", 1e22),
            ("9007199254740991", 9_007_199_254_740_991.0),
            ("123.456", 123.456),
            ("0.000001", 0.000_001),
        ] {
            assert_eq!(number_value(t), v, "{t}");
        }
        assert_eq!(number_value("1e400"), f64::INFINITY);
        assert_eq!(number_value("-1e400"), f64::NEG_INFINITY);
        assert_eq!(number_value("1e-400"), 0.0);
        assert_eq!(number_value("1e-99999999999999999999"), 0.0);
        let max = number_value("1.7976931348623157e308");
        assert!(max.is_finite() && (max / f64::MAX - 1.0).abs() < 1e-15, "{max}");
        let big = number_value("12345678901234567890123");
        assert!((big / 1.234_567_890_123_456_8e22 - 1.0).abs() < 1e-15, "{big}");
        let tiny = number_value("4.9406564584124654e-324");
        assert!(tiny > 0.0 && tiny < 1e-320, "{tiny}");
    }

    #[test]
    fn f64_text_is_what_javascript_prints() {
        for (v, t) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.000_001, "0.000001"),
            (0.000_001_5, "0.0000015"),
            (9_007_199_254_740_993.0, "9007199254740992"),
            (2f64.powi(60), "1152921504606847000"),
            (1.797_693_134_862_315_7e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (1_700_000_000_123.5, "1700000000123.5"),
            (-1e300, "-1e+300"),
        ] {
            assert_eq!(js_number_text(v).as_deref(), Some(t), "{v:e}");
        }
        assert_eq!(js_number_text(f64::NAN), None);
        assert_eq!(js_number_text(f64::INFINITY), None);
    }

    #[test]
    fn strings_decode_every_escape_and_surrogate_pairs() {
        let v = parse(r#""a\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00z""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"\\/\u{8}\u{c}\n\r\tAé中😀z"));
        assert_eq!(parse("\"密码\"").unwrap().as_str(), Some("密码"));
        for bad in
            [r#""\ud800""#, r#""\udc00""#, r#""\ud800\u0041""#, r#""\x""#, r#""\u12""#, "\"a\u{1}\"", "\"abc", "\"\\"]
        {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_are_written_as_json_stringify_writes_them() {
        let mut out = String::new();
        write_str("\u{0}\u{1f}\u{7f}\"\\/\u{8}\u{c}\n\r\té😀", &mut out);
        assert_eq!(out, "\"\\u0000\\u001f\u{7f}\\\"\\\\/\\b\\f\\n\\r\\té😀\"");
    }

    #[test]
    fn structure_errors_and_whitespace() {
        assert_eq!(parse(" \t\r\n{ \"a\" : [ 1 , true , null ] } \n").unwrap().to_text(), r#"{"a":[1,true,null]}"#);
        for bad in [
            "",
            " ",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "[1 2]",
            "{\"a\" 1}",
            "nul",
            "truex",
            "[1]x",
            "{\"a\":}",
            "\u{a0}1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn depth_limit() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep).unwrap_err().what, "nested too deep");
        let objs = "{\"a\":".repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
        assert!(parse(&objs).is_err());
    }

    #[test]
    fn uint_text_prints_decimal() {
        for n in [0u64, 7, 10, 1_234_567, u64::MAX] {
            assert_eq!(uint_text(n), n.to_string());
        }
    }
}
