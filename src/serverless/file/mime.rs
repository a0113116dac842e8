//! The file extensions 3.x accepts and the Content-Type it sends for each.

/// File extensions 3.x accepts in the file path (`D` in `@alicloud/mp-file-service`).
pub const EXTENSIONS: [&str; 30] = [
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "wbmp", "svg", "image", "audio", "au", "mp2", "mp3", "3gpp", "mp4",
    "mpeg", "flv", "avi", "video", "wmv", "mpg", "mpga", "pdf", "xls", "xlsx", "doc", "docx", "ppt", "pptx", "txt",
];

/// `mime/lite` `getType` for the whitelisted extensions, as 3.x computes the upload Content-Type.
pub fn mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "au" => "audio/basic",
        "mp2" | "mp3" | "mpga" => "audio/mpeg",
        "3gpp" => "video/3gpp",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "txt" => "text/plain",
        _ => return None,
    })
}
