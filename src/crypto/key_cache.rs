//! A one-entry cache of a parsed public key, keyed by the key's exact text.
//!
//! An app encrypts with its user pool's one server key, and parsing can cost more than the
//! encryption (RSA computes R² mod n; SM2 keys build their fixed-base table on reuse, which only
//! pays off if the parsed key is kept). Keys are public, so holding them is harmless.

use crate::error::Error;
use std::cell::RefCell;
use std::rc::Rc;

/// The last key parsed, by its text. Meant to live in a `thread_local!`.
pub struct LastKey<T>(RefCell<Option<(String, Rc<T>)>>);

impl<T> LastKey<T> {
    /// An empty cache.
    pub const fn new() -> Self {
        LastKey(RefCell::new(None))
    }

    /// The cached key when `text` is the cached text; otherwise `parse(text)`, which then replaces
    /// the entry. A parse error leaves the cache as it was.
    ///
    /// # Errors
    /// What `parse` returns.
    pub fn get_or_parse(&self, text: &str, parse: impl FnOnce(&str) -> Result<T, Error>) -> Result<Rc<T>, Error> {
        if let Ok(slot) = self.0.try_borrow() {
            if let Some((_, key)) = slot.as_ref().filter(|(cached, _)| cached == text) {
                return Ok(Rc::clone(key));
            }
        }
        let key = Rc::new(parse(text)?);
        // Never re-entered (parse does not touch the cache); if it were, the key is just not kept.
        if let Ok(mut slot) = self.0.try_borrow_mut() {
            *slot = Some((text.to_owned(), Rc::clone(&key)));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_per_text_and_keeps_the_last_good_key() {
        let cache = LastKey::<String>::new();
        let calls = std::cell::Cell::new(0);
        let parse = |t: &str| {
            calls.set(calls.get() + 1);
            if t == "bad" {
                Err(Error::Crypto("bad key".into()))
            } else {
                Ok(t.to_uppercase())
            }
        };
        assert_eq!(*cache.get_or_parse("a", parse).unwrap(), "A");
        assert_eq!(*cache.get_or_parse("a", parse).unwrap(), "A");
        assert_eq!(calls.get(), 1);
        assert!(cache.get_or_parse("bad", parse).is_err());
        assert_eq!(*cache.get_or_parse("a", parse).unwrap(), "A");
        assert_eq!(calls.get(), 2, "a failed parse does not evict the cached key");
        assert_eq!(*cache.get_or_parse("b", parse).unwrap(), "B");
        assert_eq!(*cache.get_or_parse("a", parse).unwrap(), "A");
        assert_eq!(calls.get(), 4);
    }
}
