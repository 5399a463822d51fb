//! Asynchronous notification verification (`trade_status_sync`, protocol §3):
//! `sign` and `sign_type` excluded, empty values dropped, values decoded
//! exactly once, the notification's own `charset` honoured.
//!
//! Two rules exist (protocol §3): payment notifications (当面付
//! `trade_status_sync`) use the **V1** rule ([`verify_form`],
//! [`verify_params`]: `sign_type` is *not* signed); gateway messages such as
//! service-market orders use the **V2** rule ([`verify_form_v2`],
//! [`verify_params_v2`]: `sign_type` *is* signed). Both drop `sign` and
//! empty values, sort by key and join `k=v` with `&`.
//!
//! Charset: the `charset` parameter of the notification (default UTF-8)
//! decodes a form body, and the sign content is encoded back in that charset
//! before verifying (a GBK notification is signed over GBK bytes).
//!
//! Certificate mode: [`verify_form_with`] / [`verify_params_with`] take a
//! [`Verifier`] and pick the key by the notification's `alipay_cert_sn`
//! (whether Alipay sends and signs it is UNCONFIRMED; the content is tried
//! with it, as the Java SDK does, then without it).
//!
//! Errors: `ERR_SIGNATURE` (no `sign`, bad base64, mismatch),
//! `ERR_INVALID_ARGUMENT` (a parameter present twice, field = its name; an
//! unknown `sign_type`), `ERR_CHARSET` (unknown charset, bytes invalid in it,
//! text not encodable in it), and the errors of form decoding.

use crate::charset::Charset;
use crate::error::{Error, ErrorCode, Result};
use crate::keys::PublicKey;
use crate::response::Verifier;
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

    /// `notify_type` (`trade_status_sync` for payments).
    pub fn notify_type(&self) -> Option<&str> {
        self.get("notify_type")
    }

    /// `notify_id` (stable across Alipay's retries: use it for idempotency).
    pub fn notify_id(&self) -> Option<&str> {
        self.get("notify_id")
    }

    /// `trade_status` (`WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_FINISHED`, `TRADE_CLOSED`).
    pub fn trade_status(&self) -> Option<&str> {
        self.get("trade_status")
    }

    /// Whether `trade_status` says the trade is paid (`TRADE_SUCCESS` or
    /// `TRADE_FINISHED`). Still check the order fields with [`Notification::expect`].
    pub fn is_paid(&self) -> bool {
        matches!(
            self.trade_status(),
            Some("TRADE_SUCCESS" | "TRADE_FINISHED")
        )
    }

    /// `out_trade_no`.
    pub fn out_trade_no(&self) -> Option<&str> {
        self.get("out_trade_no")
    }

    /// `trade_no`.
    pub fn trade_no(&self) -> Option<&str> {
        self.get("trade_no")
    }

    /// `total_amount` (yuan, decimal string).
    pub fn total_amount(&self) -> Option<&str> {
        self.get("total_amount")
    }

    /// `app_id`.
    pub fn app_id(&self) -> Option<&str> {
        self.get("app_id")
    }

    /// `seller_id`.
    pub fn seller_id(&self) -> Option<&str> {
        self.get("seller_id")
    }

    /// Checks that a parameter equals what the merchant expects (protocol
    /// §3: after verifying, check `app_id`, `out_trade_no`, `total_amount`,
    /// `seller_id` against the order). `ERR_INVALID_ARGUMENT` with the
    /// parameter as field otherwise.
    pub fn expect(&self, name: &str, expected: &str) -> Result<()> {
        match self.get(name) {
            Some(v) if v == expected => Ok(()),
            Some(v) => Err(Error::invalid_argument(
                name,
                format!("notification {name} is {v:?}, expected {expected:?}"),
            )),
            None => Err(Error::invalid_argument(
                name,
                format!("notification has no {name}, expected {expected:?}"),
            )),
        }
    }

    /// The parameters as a JSON object (for bindings and logs).
    pub fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        self.params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect()
    }
}

/// Which parameters besides `sign` are excluded from the sign content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Payment notifications: `sign_type` excluded too.
    V1,
    /// Gateway messages: `sign_type` signed.
    V2,
}

/// Minimal `%XX`/`+` decoding of an ASCII token (used only to find `charset`).
fn ascii_decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let s = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(s, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok().filter(|s| s.is_ascii())
}

/// The `charset` named in a raw form body (first occurrence), if any.
fn form_charset(body: &[u8]) -> Result<Charset> {
    for pair in body.split(|b| *b == b'&') {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        if ascii_decode(k).as_deref() == Some("charset") {
            let name = ascii_decode(v).ok_or_else(|| {
                Error::new(
                    ErrorCode::Charset,
                    "the notification's charset is not ASCII",
                )
            })?;
            if name.trim().is_empty() {
                return Ok(Charset::Utf8);
            }
            return Charset::parse(name.trim());
        }
    }
    Ok(Charset::Utf8)
}

/// Where the verification key comes from.
#[derive(Clone, Copy)]
enum Keys<'k> {
    /// One Alipay public key.
    Key(&'k PublicKey),
    /// A [`Verifier`]: its public key, or in certificate mode the
    /// certificate named by the notification's `alipay_cert_sn`.
    Verifier(&'k Verifier),
}

fn verify_form_rule(
    body: &[u8],
    keys: Keys<'_>,
    default_sign_type: SignType,
    rule: Rule,
) -> Result<Notification> {
    let charset = form_charset(body)?;
    let params = crate::form::decode_pairs(body, charset)?;
    verify_rule(params, keys, default_sign_type, rule)
}

fn content_of(params: &[(String, String)], rule: Rule, without_cert_sn: bool) -> String {
    crate::sign::sign_content(
        params
            .iter()
            .filter(|(k, _)| !(rule == Rule::V1 && k == "sign_type"))
            .filter(|(k, _)| !(without_cert_sn && k == "alipay_cert_sn"))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// The V1 sign content of decoded notification parameters (`sign` and
/// `sign_type` excluded, empty values dropped, sorted, `k=v&...`), e.g. to
/// compare with what Alipay signed when a verification fails.
pub fn sign_content_v1(params: &[(String, String)]) -> String {
    content_of(params, Rule::V1, false)
}

/// The V2 sign content (only `sign` excluded).
pub fn sign_content_v2(params: &[(String, String)]) -> String {
    content_of(params, Rule::V2, false)
}

fn verify_rule(
    params: Vec<(String, String)>,
    keys: Keys<'_>,
    default_sign_type: SignType,
    rule: Rule,
) -> Result<Notification> {
    let mut seen = std::collections::HashSet::with_capacity(params.len());
    for (k, _) in &params {
        if !seen.insert(k.as_str()) {
            let k = crate::response::shorten(k);
            return Err(Error::invalid_argument(
                &k,
                format!("notification parameter `{k}` appears more than once"),
            ));
        }
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let sign = get("sign").filter(|s| !s.is_empty()).ok_or_else(|| {
        Error::new(
            ErrorCode::Signature,
            "the notification has no sign parameter",
        )
    })?;
    let sign_type = match get("sign_type").filter(|s| !s.is_empty()) {
        Some(s) => SignType::parse(s)?,
        None => default_sign_type,
    };
    let charset = match get("charset").map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => Charset::parse(name)?,
        None => Charset::Utf8,
    };
    let cert_sn = get("alipay_cert_sn").filter(|s| !s.is_empty());
    let key = match keys {
        Keys::Key(k) => k,
        Keys::Verifier(v) => v.select_key(cert_sn)?.0,
    };
    // With an `alipay_cert_sn` parameter (certificate mode, UNCONFIRMED
    // whether Alipay signs it): Java keeps it in the content, other SDKs
    // drop it; accept either. It only ever selects a key that must verify.
    let mut variants = vec![false];
    if cert_sn.is_some() {
        variants.push(true);
    }
    let mut last = None;
    for without_cert_sn in variants {
        let content = content_of(&params, rule, without_cert_sn);
        let bytes = charset.encode(&content)?;
        match crate::sign::verify_base64(&bytes, sign, key, sign_type) {
            Ok(()) => return Ok(Notification { params }),
            Err(e) if e.code() == ErrorCode::Signature => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    let detail = last.map(|e| e.message().to_string()).unwrap_or_default();
    Err(Error::new(
        ErrorCode::Signature,
        format!(
            "the notification signature does not verify ({} rule, {}, {}): {detail}",
            match rule {
                Rule::V1 => "V1",
                Rule::V2 => "V2",
            },
            sign_type.as_str(),
            charset.as_str(),
        ),
    ))
}

/// Verifies a raw `x-www-form-urlencoded` notification body.
/// `default_sign_type` is used when the notification has no `sign_type`.
pub fn verify_form(
    body: &[u8],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    verify_form_rule(body, Keys::Key(key), default_sign_type, Rule::V1)
}

/// Verifies already-decoded parameters (e.g. from a web framework).
pub fn verify_params(
    params: &[(String, String)],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    verify_rule(params.to_vec(), Keys::Key(key), default_sign_type, Rule::V1)
}

/// Like [`verify_form`] with the V2 rule (`sign_type` is part of the sign
/// content): gateway messages (生活号, service market), not payments.
pub fn verify_form_v2(
    body: &[u8],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    verify_form_rule(body, Keys::Key(key), default_sign_type, Rule::V2)
}

/// Like [`verify_params`] with the V2 rule (`sign_type` is part of the sign
/// content): gateway messages (生活号, service market), not payments.
pub fn verify_params_v2(
    params: &[(String, String)],
    key: &PublicKey,
    default_sign_type: SignType,
) -> Result<Notification> {
    verify_rule(params.to_vec(), Keys::Key(key), default_sign_type, Rule::V2)
}

/// Verifies a raw form notification (V1 rule) with a [`Verifier`]: its
/// public key, or in certificate mode the certificate selected by the
/// notification's `alipay_cert_sn` (same rules as for responses: unknown SN
/// or no SN with several certificates is `ERR_CERT`). The verifier's sign
/// type is the default when the notification has no `sign_type`.
pub fn verify_form_with(body: &[u8], verifier: &Verifier) -> Result<Notification> {
    verify_form_rule(
        body,
        Keys::Verifier(verifier),
        verifier.sign_type(),
        Rule::V1,
    )
}

/// Like [`verify_form_with`] for already-decoded parameters.
pub fn verify_params_with(
    params: &[(String, String)],
    verifier: &Verifier,
) -> Result<Notification> {
    verify_rule(
        params.to_vec(),
        Keys::Verifier(verifier),
        verifier.sign_type(),
        Rule::V1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_charset_in_raw_body() {
        assert_eq!(form_charset(b"a=1&charset=gbk&b=2").unwrap(), Charset::Gbk);
        assert_eq!(form_charset(b"a=1&ch%61rset=GBK").unwrap(), Charset::Gbk);
        assert_eq!(form_charset(b"a=1&charset=utf-8").unwrap(), Charset::Utf8);
        assert_eq!(form_charset(b"a=1").unwrap(), Charset::Utf8);
        assert_eq!(form_charset(b"charset=").unwrap(), Charset::Utf8);
        assert_eq!(form_charset(b"").unwrap(), Charset::Utf8);
        assert_eq!(
            form_charset(b"charset=latin-1").unwrap_err().code(),
            ErrorCode::Charset
        );
        assert_eq!(
            form_charset(b"charset=%E4%B8%AD").unwrap_err().code(),
            ErrorCode::Charset
        );
        assert_eq!(
            form_charset(b"charset=%G1").unwrap_err().code(),
            ErrorCode::Charset
        );
    }

    #[test]
    fn ascii_decode_is_total() {
        assert_eq!(ascii_decode(b"a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(ascii_decode(b"%"), None);
        assert_eq!(ascii_decode(b"%4"), None);
        assert_eq!(ascii_decode(b"%zz"), None);
        assert_eq!(ascii_decode(b"%+1"), None);
    }

    #[test]
    fn accessors() {
        let n = Notification {
            params: vec![
                ("trade_status".into(), "TRADE_FINISHED".into()),
                ("out_trade_no".into(), "o1".into()),
                ("total_amount".into(), "0.10".into()),
            ],
        };
        assert!(n.is_paid());
        assert_eq!(n.out_trade_no(), Some("o1"));
        n.expect("total_amount", "0.10").unwrap();
        let e = n.expect("total_amount", "0.11").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("total_amount"));
        assert_eq!(n.expect("app_id", "1").unwrap_err().field(), Some("app_id"));
        assert_eq!(n.to_map().len(), 3);
    }
}
