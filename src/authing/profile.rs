//! `getUserInfo` (§6.9) and `updateUserInfo` (§6.11).

use super::transport::query_of;
use crate::json::{Json, Obj};

/// `GET /api/v3/get-profile` with the query `wx.request` builds from the data: without an argument
/// the official SDK sends `withCustomData=false&withDepartmentIds=false&withIdentities=false`;
/// with `{}` it sends no query.
pub fn get_profile_path(flags: Option<&Obj>) -> String {
    let default = Obj::new()
        .with("withCustomData", Json::Bool(false))
        .with("withDepartmentIds", Json::Bool(false))
        .with("withIdentities", Json::Bool(false));
    let query = query_of(flags.unwrap_or(&default));
    if query.is_empty() {
        "/api/v3/get-profile".to_string()
    } else {
        format!("/api/v3/get-profile?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_flags_and_explicit_ones() {
        assert_eq!(
            get_profile_path(None),
            "/api/v3/get-profile?withCustomData=false&withDepartmentIds=false&withIdentities=false"
        );
        assert_eq!(get_profile_path(Some(&Obj::new())), "/api/v3/get-profile");
        let flags = Obj::new().with("withIdentities", Json::Bool(true));
        assert_eq!(get_profile_path(Some(&flags)), "/api/v3/get-profile?withIdentities=true");
    }
}
