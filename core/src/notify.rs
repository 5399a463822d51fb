//! Asynchronous notification verification (`trade_status_sync`, protocol §3):
//! `sign` and `sign_type` excluded, empty values dropped, values decoded
//! exactly once, the notification's own `charset` honoured.

use crate::error::Result;
use crate::keys::PublicKey;
use crate::sign::SignType;

/// A notification whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Every parameter, decoded, in arrival order (including `sign`).
    pub params: Vec<(String, String)>,
}

impl Notification {
    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Verifies a raw `x-www-form-urlencoded` notification body.
/// `default_sign_type` is used when the notification has no `sign_type`.
pub fn verify_form(
    body: &[u8],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    todo!("{body:?}{key:?}{default_sign_type:?}")
}

/// Verifies already-decoded parameters (e.g. from a web framework).
pub fn verify_params(
    params: &[(String, String)],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    todo!("{params:?}{key:?}{default_sign_type:?}")
}
