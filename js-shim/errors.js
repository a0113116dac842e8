// Errors raised by the JS layer itself, shaped like the core's: a real Error named SdkError with a
// stable `code`.

/** A real Error named `name` carrying the own properties of `props` (code, ...). */
export function makeError(name, message, props) {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, props);
}

export function sdkError(code, message, extra) {
  return makeError('SdkError', message, Object.assign({ code }, extra));
}

/** Text of any thrown/rejected value: Error.message, a wx/my `errMsg`/`errorMessage`, or a string. */
export function messageOf(err) {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    if (typeof err.errMsg === 'string') return err.errMsg;
    if (typeof err.message === 'string') return err.message;
    if (typeof err.errorMessage === 'string') return err.errorMessage;
  }
  return String(err);
}

/** A real Error shaped like the core's MPServerless errors: `{name: 'MPServerlessError', code, type, message}`. */
export function mpError(code, type, message, extra) {
  return makeError('MPServerlessError', message, Object.assign({ code, type }, extra));
}

/** The MPServerless client's `ValidationFailed` error for argument `field`. */
export function mpInvalid(field, reason) {
  return mpError('ValidationFailed', 'validation', 'invalid argument `' + field + '`: ' + reason, { sdkCode: 'INVALID_ARGUMENT', field });
}
