//! Secret newtypes whose `Debug` output is redacted, so a token or password can never reach a log
//! or an error message by accident. Read the value only through `.secret()`.

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret value.
            ///
            /// # Security Warning
            /// Do not log or format the returned string.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// An OIDC access token or id token.
    AccessToken
);
secret_type!(
    /// An OIDC refresh token.
    RefreshToken
);
secret_type!(
    /// The MPServerless client secret.
    ClientSecret
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_secret_is_readable() {
        let p = ClientSecret::new("hunter2");
        assert_eq!(format!("{p:?}"), "ClientSecret([redacted])");
        assert_eq!(p.secret(), "hunter2");
        let t = AccessToken::new("eyJ");
        assert!(!format!("{:?}", Some(t)).contains("eyJ"));
    }
}
