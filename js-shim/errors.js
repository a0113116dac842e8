// Errors raised by the JS layer itself, shaped like the core's: a real Error named SdkError with a
// stable `code`.

export function sdkError(code, message, extra) {
  const e = new Error(message);
  e.name = 'SdkError';
  e.code = code;
  if (extra) for (const k of Object.keys(extra)) e[k] = extra[k];
  return e;
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
