//! `file.uploadFile`, `file.deleteFile`, `file.info` (reference §8.4), sans-I/O.
//!
//! Upload: `generateProximalSign` → multipart POST to the OSS host → `report` (unless OSS calls
//! back). Differences from 3.1.5 (defect fixes): every extension of the path whitelist is accepted
//! as `extension` (3.1.5 rejects `webp`/`bmp` reported by `getImageInfo`), the extension falls back
//! to the file path when the platform has no `getImageInfo`, `http://` hosts of a local gateway are
//! kept, the upload's own `timeout` option is honoured and a failed upload is reported.
//!
//! - [`options`]: the `uploadFile` options as the facade passes them;
//! - [`mime`]: the extension whitelist and the Content-Type of each;
//! - [`params`]: validation and the params of `generateProximalSign`, `report`, `delete`, `info`;
//! - [`oss`]: the sign reply, the multipart form posted to OSS and the upload's result.

pub mod mime;
pub mod options;
pub mod oss;
pub mod params;

pub use mime::{mime, EXTENSIONS};
pub use options::{UploadHeaders, UploadOptions};
pub use oss::{check_upload_status, parse_sign, upload_request, upload_result, SignData, DEFAULT_UPLOAD_TIMEOUT_MS};
pub use params::{delete_params, info_params, plan_upload, report_params, sign_params, UploadPlan};

/// RPC: signed OSS upload policy.
pub const METHOD_SIGN: &str = "serverless.file.resource.generateProximalSign";
/// RPC: report a finished upload.
pub const METHOD_REPORT: &str = "serverless.file.resource.report";
/// RPC: delete files.
pub const METHOD_DELETE: &str = "serverless.file.resource.delete";
/// RPC: file info.
pub const METHOD_INFO: &str = "serverless.file.resource.info";
