//! Public-key certificate mode (公钥证书模式, protocol §4).

use crate::error::Result;
use crate::keys::PublicKey;

/// `app_cert_sn` / `alipay_cert_sn` of a PEM certificate:
/// lowercase hex MD5 of the RFC 2253 issuer DN + decimal serial.
pub fn cert_sn(cert_pem: &str) -> Result<String> {
    todo!("{cert_pem}")
}

/// `alipay_root_cert_sn` of a PEM bundle: SNs of the RSA-signed certificates
/// only, in file order, joined by `_`.
pub fn root_cert_sn(bundle_pem: &str) -> Result<String> {
    todo!("{bundle_pem}")
}

/// The subject public key of a PEM certificate.
pub fn public_key_from_cert(cert_pem: &str) -> Result<PublicKey> {
    todo!("{cert_pem}")
}
