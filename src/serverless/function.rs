//! `function.invoke(name, args)`: `serverless.function.runtime.invoke` (reference §8.2).

use super::envelope::json_str;
use crate::error::Error;
use crate::json::Json;

/// RPC method of `function.invoke`.
pub const METHOD: &str = "serverless.function.runtime.invoke";

/// `{"functionTarget":name,"functionArgs":args}`; `args` is the JSON text of the caller's value
/// (`None`, i.e. `undefined`, → `{}`). A `null` (or `NaN`, which JSON renders as `null`) is refused
/// as in 3.x.
pub fn invoke_params(target: &str, args: Option<&str>) -> Result<String, Error> {
    if target.is_empty() {
        return Err(Error::invalid("functionTarget", "functionTarget should be a non-empty string"));
    }
    let args = args.unwrap_or("{}");
    match Json::parse(args) {
        Ok(Json::Null) => {
            return Err(Error::invalid("functionArgs", "functionArgs should not be null"));
        }
        Ok(_) => {}
        Err(_) => return Err(Error::invalid("functionArgs", "functionArgs is not serialisable to JSON")),
    }
    Ok(format!("{{\"functionTarget\":{},\"functionArgs\":{}}}", json_str(target), args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_golden_vector() {
        assert_eq!(
            invoke_params("hello", Some(r#"{"x":"中文","n":1}"#)).unwrap(),
            r#"{"functionTarget":"hello","functionArgs":{"x":"中文","n":1}}"#
        );
        assert_eq!(invoke_params("hello", None).unwrap(), r#"{"functionTarget":"hello","functionArgs":{}}"#);
        assert_eq!(invoke_params("f", Some("[1,2]")).unwrap(), r#"{"functionTarget":"f","functionArgs":[1,2]}"#);
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            invoke_params("", None).unwrap_err(),
            Error::invalid("functionTarget", "functionTarget should be a non-empty string")
        );
        assert_eq!(
            invoke_params("f", Some("null")).unwrap_err(),
            Error::invalid("functionArgs", "functionArgs should not be null")
        );
    }
}
