//! The argument of an Authing method as the boundary receives it (the JSON text the facade
//! serialised, `None` when the app passed none), read once into the typed value the method takes.
//! src/wasm/authing_js.rs picks the method by its JS name and reads its argument with these; the
//! messages are the ones the app sees.

use super::password::EncryptType;
use crate::error::Error;
use crate::json::{Json, Obj};

fn parse(input: Option<&str>) -> Option<Json> {
    Json::parse(input?).ok()
}

fn not_an_object(what: &str) -> Error {
    Error::invalid("options", format!("{what} must be an object"))
}

/// The object `what` (`loginByCode options`, ...).
///
/// # Errors
/// `INVALID_ARGUMENT` "`what` must be an object" for anything else, absence included.
pub fn object(input: Option<&str>, what: &str) -> Result<Obj, Error> {
    match parse(input) {
        Some(Json::Object(o)) => Ok(o),
        _ => Err(not_an_object(what)),
    }
}

/// The options object of `method`: [`object`] named "`method` options".
///
/// # Errors
/// `INVALID_ARGUMENT` "`method` options must be an object".
pub fn options(input: Option<&str>, method: &str) -> Result<Obj, Error> {
    object(input, &format!("{method} options"))
}

/// An optional object `what`: `None` when absent or `null`.
///
/// # Errors
/// `INVALID_ARGUMENT` "`what` must be an object" for anything else.
pub fn optional_object(input: Option<&str>, what: &str) -> Result<Option<Obj>, Error> {
    match input {
        None => Ok(None),
        Some(_) => match parse(input) {
            Some(Json::Null) => Ok(None),
            Some(Json::Object(o)) => Ok(Some(o)),
            _ => Err(not_an_object(what)),
        },
    }
}

/// The encryption type of `getPublicKey`: `"rsa"` or `"sm2"`.
///
/// # Errors
/// `INVALID_ARGUMENT` for anything else.
pub fn encrypt_type(input: Option<&str>) -> Result<EncryptType, Error> {
    match EncryptType::from_option(parse(input).as_ref()) {
        Ok(Some(kind)) => Ok(kind),
        _ => Err(Error::invalid("encryptType", "encryptType must be \"rsa\" or \"sm2\"")),
    }
}

/// The answer to a JS name the boundary does not know.
pub fn unknown_method(method: &str) -> Error {
    Error::invalid("method", format!("unknown method \"{method}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authing::tuple_text;

    fn err(r: Result<impl Sized, Error>) -> String {
        tuple_text(&r.map(|_| Json::Null))
    }

    #[test]
    fn objects_are_read_once_and_anything_else_is_refused_by_name() {
        assert_eq!(object(Some(r#"{"a":1,"b":[2]}"#), "x").unwrap().to_text(), r#"{"a":1,"b":[2]}"#);
        for input in [None, Some("null"), Some("3"), Some("[]"), Some("{"), Some("")] {
            assert_eq!(
                err(options(input, "loginByCode")),
                r#"[{"message":"loginByCode options must be an object","code":"INVALID_ARGUMENT"},null]"#,
                "{input:?}"
            );
        }
        assert_eq!(
            err(object(Some("true"), "saveLoginState state")),
            r#"[{"message":"saveLoginState state must be an object","code":"INVALID_ARGUMENT"},null]"#
        );
    }

    #[test]
    fn optional_objects_accept_absence_and_null_only() {
        assert_eq!(optional_object(None, "x").unwrap(), None);
        assert_eq!(optional_object(Some("null"), "x").unwrap(), None);
        assert_eq!(optional_object(Some("{}"), "x").unwrap(), Some(Obj::new()));
        for input in ["3", "\"s\"", "[]", "{"] {
            assert_eq!(
                err(optional_object(Some(input), "getUserInfo options")),
                r#"[{"message":"getUserInfo options must be an object","code":"INVALID_ARGUMENT"},null]"#,
                "{input}"
            );
        }
    }

    #[test]
    fn encrypt_types_are_rsa_or_sm2() {
        assert_eq!(encrypt_type(Some(r#""rsa""#)).unwrap(), EncryptType::Rsa);
        assert_eq!(encrypt_type(Some(r#""sm2""#)).unwrap(), EncryptType::Sm2);
        for input in [None, Some("null"), Some(r#""none""#), Some(r#""des""#), Some("5")] {
            assert_eq!(
                err(encrypt_type(input)),
                r#"[{"message":"encryptType must be \"rsa\" or \"sm2\"","code":"INVALID_ARGUMENT"},null]"#,
                "{input:?}"
            );
        }
    }

    #[test]
    fn unknown_names_are_quoted() {
        assert_eq!(
            tuple_text(&Err(unknown_method("constructor"))),
            r#"[{"message":"unknown method \"constructor\"","code":"INVALID_ARGUMENT"},null]"#
        );
    }
}
