//! The Authing-compatible auth client (protocol of `@authing/miniapp-*` 5.1.18).
