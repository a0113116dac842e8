//! The MPServerless-compatible serverless client (protocol of `@alicloud/mpserverless-sdk` 3.1.5).
