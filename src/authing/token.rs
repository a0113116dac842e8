//! Token refresh (§6.6): the form body. One refresh in flight however many calls wait on it is
//! [`crate::single_flight::SingleFlight`]'s job.

use super::transport::form_encode;

/// `grant_type=refresh_token&redirect_uri=&refresh_token=<rt>`: the official SDK's order, no
/// `client_id` (the server takes the client from `x-authing-app-id`).
pub fn refresh_body(refresh_token: &str) -> String {
    form_encode(&[("grant_type", "refresh_token"), ("redirect_uri", ""), ("refresh_token", refresh_token)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_body_is_form_encoded_in_the_official_order() {
        assert_eq!(refresh_body("r/1+"), "grant_type=refresh_token&redirect_uri=&refresh_token=r%2F1%2B");
    }
}
