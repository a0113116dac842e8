//! `serverless.function.runtime.invoke`: cloud functions are Rust functions
//! registered by name. To add one, write a `fn(&Context, &Value) ->
//! Result<Value, String>` below and add it to `Registry::builtin()`; the
//! value it returns becomes the response `data` (the SDK's `result`), an
//! `Err(message)` becomes `{code:"FunctionExecuteError", message}`.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::util;

/// What a function knows about its caller.
pub struct Context<'a> {
    pub session: &'a Session,
    pub request_id: &'a str,
}

pub type Function = fn(&Context<'_>, &Value) -> Result<Value, String>;

pub struct Registry {
    functions: HashMap<&'static str, Function>,
}

impl Registry {
    pub fn builtin() -> Self {
        let mut functions: HashMap<&'static str, Function> = HashMap::new();
        functions.insert("echo", echo);
        functions.insert("hello", hello);
        functions.insert("whoami", whoami);
        functions.insert("sum", sum);
        functions.insert("time", time);
        functions.insert("fail", fail);
        Self { functions }
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut n: Vec<_> = self.functions.keys().copied().collect();
        n.sort_unstable();
        n
    }

    pub fn invoke(&self, ctx: &Context<'_>, target: &str, args: &Value) -> ApiResult<Value> {
        let f = self.functions.get(target).ok_or_else(|| {
            ApiError::new(
                404,
                "FunctionNotFound",
                format!("function {target} does not exist; available: {}", self.names().join(", ")),
            )
        })?;
        f(ctx, args).map_err(|m| ApiError::new(500, "FunctionExecuteError", m))
    }
}

/// Returns its arguments unchanged.
fn echo(_: &Context<'_>, args: &Value) -> Result<Value, String> {
    Ok(args.clone())
}

/// `{name?}` → `{message: "hello, <name>"}`
fn hello(_: &Context<'_>, args: &Value) -> Result<Value, String> {
    let name = match args.get("name") {
        None | Some(Value::Null) => "world".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err("name must be a string".into()),
    };
    Ok(json!({ "message": format!("hello, {name}") }))
}

/// The caller's identity as the gateway sees it.
fn whoami(ctx: &Context<'_>, _: &Value) -> Result<Value, String> {
    Ok(json!({
        "spaceId": ctx.session.space_id,
        "userId": ctx.session.user_id,
        "authType": ctx.session.auth_type,
        "oAuthUserId": ctx.session.oauth_user_id,
        "requestId": ctx.request_id,
    }))
}

/// `{numbers: [..]}` → `{sum}`
fn sum(_: &Context<'_>, args: &Value) -> Result<Value, String> {
    let nums = args.get("numbers").and_then(Value::as_array).ok_or("numbers must be an array of numbers")?;
    let mut total = 0.0;
    for n in nums {
        total += n.as_f64().ok_or("numbers must be an array of numbers")?;
    }
    Ok(json!({ "sum": total }))
}

/// The server time (ISO-8601, as MPServerless dates travel).
fn time(_: &Context<'_>, _: &Value) -> Result<Value, String> {
    Ok(json!({ "now": util::iso8601(util::now_ms()) }))
}

/// Always fails with `{message?}`: exercises the error path.
fn fail(_: &Context<'_>, args: &Value) -> Result<Value, String> {
    Err(args.get("message").and_then(Value::as_str).unwrap_or("function failed").to_string())
}
