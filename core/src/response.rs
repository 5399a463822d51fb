//! Verification of gateway responses over the exact raw substring
//! (protocol §2): never a re-serialization; the business object is parsed
//! from the verified substring; duplicate nodes rejected; `\/` fallback;
//! `error_response`; `alipay_cert_sn`; encrypted nodes; unsigned answers
//! surfaced as `ERR_UNSIGNED_RESPONSE`, never a success.
//!
//! # How the signed text is located
//!
//! The body is parsed once by `serde_json` into the list of its top-level
//! entries, in order and **with duplicates kept**, each value captured as a
//! borrowed [`RawValue`] (the exact bytes of the value, no whitespace
//! around it). This gives, in one strict pass over a well-tested parser:
//! the exact raw substring of the `<method>_response` node (what Alipay
//! signed), its byte position, and every duplicate top-level key (a map
//! would silently keep only one of them, which is the signature-bypass bug
//! of protocol §2.2). On top of that, any textual occurrence of the node
//! name outside the signed range (before or after it, also nested inside
//! another value) is rejected like the Java SDK does.
//!
//! # Error codes
//!
//! | case | code |
//! |---|---|
//! | empty / HTML / truncated / non-object body, node missing, node neither object nor string, `sign` not a string | `ERR_RESPONSE_FORMAT` |
//! | a top-level key twice (node, `sign`, `alipay_cert_sn`, ...), both the method node and `error_response`, the node name elsewhere in the body | `ERR_DUPLICATE_NODE` |
//! | no `sign` or an empty one | `ERR_UNSIGNED_RESPONSE` (with a [`GatewayDetail`], `verified: false`) |
//! | signature does not verify (also after the `\/` → `/` retry) | `ERR_SIGNATURE` (with a [`GatewayDetail`], `verified: false`, when the node is an object) |
//! | certificate mode: unknown `alipay_cert_sn`, or none and several certificates | `ERR_CERT` |
//! | encrypted node without an AES key, or undecryptable | `ERR_DECRYPT` |
//! | bytes not valid in the response charset ([`Verifier::verify_bytes`]) | `ERR_CHARSET` |
//! | empty `method` | `ERR_INVALID_ARGUMENT` (field `method`) |

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::error::{Error, ErrorCode, GatewayDetail, Result};
use crate::keys::PublicKey;
use crate::sign::SignType;

/// Name of the node the gateway uses for legacy / unknown-method errors.
pub const ERROR_RESPONSE: &str = "error_response";

/// The signed substring located in a response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedContent<'a> {
    /// The node name found (`alipay_trade_pay_response` or `error_response`),
    /// borrowed from the body.
    pub node: &'a str,
    /// The exact raw JSON value text (object, or quoted string when encrypted).
    pub content: &'a str,
    /// Top-level `sign`, if present: the raw text between the quotes, JSON
    /// escapes not processed (see [`SignedContent::sign_value`]).
    pub sign: Option<&'a str>,
    /// Top-level `alipay_cert_sn`, if present: the raw text between the
    /// quotes (see [`SignedContent::cert_sn_value`]).
    pub cert_sn: Option<&'a str>,
}

impl<'a> SignedContent<'a> {
    /// Whether the node is an encrypted (quoted base64) value.
    pub fn is_encrypted(&self) -> bool {
        self.content.starts_with('"')
    }

    /// Whether the node is `error_response` rather than the method's node.
    pub fn is_error_response(&self) -> bool {
        self.node == ERROR_RESPONSE
    }

    /// The `sign` value with JSON escapes (e.g. `\/`) decoded.
    pub fn sign_value(&self) -> Result<Option<Cow<'a, str>>> {
        self.sign.map(|raw| unescape(raw, "sign")).transpose()
    }

    /// The `alipay_cert_sn` value with JSON escapes decoded.
    pub fn cert_sn_value(&self) -> Result<Option<Cow<'a, str>>> {
        self.cert_sn
            .map(|raw| unescape(raw, "alipay_cert_sn"))
            .transpose()
    }
}

/// Decodes the inside of a JSON string literal (raw text between quotes).
fn unescape<'a>(raw: &'a str, what: &str) -> Result<Cow<'a, str>> {
    if !raw.contains('\\') {
        return Ok(Cow::Borrowed(raw));
    }
    let quoted = format!("\"{raw}\"");
    serde_json::from_str::<String>(&quoted)
        .map(Cow::Owned)
        .map_err(|_| format_err(format!("`{what}` is not a valid JSON string")))
}

/// At most 64 characters of attacker-controlled text for a message.
pub(crate) fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(64) {
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
        None => Cow::Borrowed(text),
    }
}

fn format_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ResponseFormat, message)
}

/// A top-level key, borrowed when written without escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The top-level object of a body: entries in order, duplicates kept.
struct TopLevel<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopLevel<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<TopLevel<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(TopLevel(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Byte offset of `part` inside `whole`, when `part` is a subslice of it.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let w = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p >= w && p.checked_add(part.len())? <= w.checked_add(whole.len())? {
        Some(p - w)
    } else {
        None
    }
}

/// The response node name of a method: `.` → `_`, plus `_response`.
pub fn response_node_name(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// The inside of a top-level string value, or `ERR_RESPONSE_FORMAT`.
fn string_inside<'a>(raw: &'a RawValue, what: &str) -> Result<&'a str> {
    let text = raw.get();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        Ok(&text[1..text.len() - 1])
    } else {
        Err(format_err(format!(
            "top-level `{what}` of the response must be a string"
        )))
    }
}

/// Locates the signed content of `body` for `method`.
///
/// The node is `<method with . → _>_response`, or `error_response` when the
/// method's node is absent. A leading UTF-8 BOM is ignored. A missing `sign`
/// is not an error here (`sign` is then `None`); [`Verifier::verify`] turns
/// it into `ERR_UNSIGNED_RESPONSE`. See the module docs for the error codes.
pub fn extract_signed_content<'a>(body: &'a str, method: &str) -> Result<SignedContent<'a>> {
    if method.trim().is_empty() {
        return Err(Error::invalid_argument(
            "method",
            "method must not be empty",
        ));
    }
    let json = body.strip_prefix('\u{feff}').unwrap_or(body);
    if json.trim().is_empty() {
        return Err(format_err("response body is empty"));
    }
    let top: TopLevel<'a> = serde_json::from_str(json).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Eof => "truncated",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "not an object",
            serde_json::error::Category::Io => "unreadable",
        };
        format_err(format!(
            "response body is not a well-formed JSON object ({kind} at line {} column {})",
            e.line(),
            e.column()
        ))
    })?;

    // Any duplicated top-level key is a forgery attempt (or a broken body):
    // a JSON parser downstream would see a different value than we verify.
    let mut seen = std::collections::HashSet::with_capacity(top.0.len());
    for (k, _) in &top.0 {
        if !seen.insert(k.0.as_ref()) {
            return Err(Error::new(
                ErrorCode::DuplicateNode,
                format!(
                    "response carries the top-level key `{}` more than once",
                    shorten(&k.0)
                ),
            ));
        }
    }
    let find = |name: &str| top.0.iter().find(|(k, _)| k.0 == name);

    let node_name = response_node_name(method);
    let method_node = find(&node_name);
    let error_node = find(ERROR_RESPONSE);
    let (key, raw) = match (method_node, error_node) {
        (Some(_), Some(_)) => {
            return Err(Error::new(
                ErrorCode::DuplicateNode,
                format!("response carries both `{node_name}` and `{ERROR_RESPONSE}`"),
            ))
        }
        (Some(entry), None) | (None, Some(entry)) => entry,
        (None, None) => {
            return Err(format_err(format!(
                "response has neither `{node_name}` nor `{ERROR_RESPONSE}`"
            )))
        }
    };
    let node: &'a str = match &key.0 {
        Cow::Borrowed(s) => s,
        Cow::Owned(_) => {
            return Err(format_err(
                "the response node name is written with JSON escapes",
            ))
        }
    };
    let content: &'a str = raw.get();
    if !(content.starts_with('{') || content.starts_with('"')) {
        return Err(format_err(format!(
            "`{node}` must be a JSON object (or an encrypted string)"
        )));
    }

    // Textual duplicate check (as the Java SDK's lastIndexOf check, both
    // directions): the node name may appear only as the key itself and
    // inside the signed content.
    let key_pos = offset_in(json, node);
    let start = offset_in(json, content)
        .ok_or_else(|| Error::new(ErrorCode::Internal, "raw value not inside the body"))?;
    let end = start + content.len();
    for (pos, _) in json.match_indices(node) {
        let inside = pos >= start && pos + node.len() <= end;
        if !inside && Some(pos) != key_pos {
            return Err(Error::new(
                ErrorCode::DuplicateNode,
                format!("`{node}` occurs again outside the signed node"),
            ));
        }
    }

    let sign = find("sign")
        .map(|(_, v)| string_inside(v, "sign"))
        .transpose()?;
    let cert_sn = find("alipay_cert_sn")
        .map(|(_, v)| string_inside(v, "alipay_cert_sn"))
        .transpose()?;
    Ok(SignedContent {
        node,
        content,
        sign,
        cert_sn,
    })
}

/// The gateway fields of a business object, as text.
fn detail_of(object: &serde_json::Map<String, serde_json::Value>, verified: bool) -> GatewayDetail {
    let field = |name: &str| -> Option<String> {
        match object.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    GatewayDetail {
        code: field("code"),
        msg: field("msg"),
        sub_code: field("sub_code"),
        sub_msg: field("sub_msg"),
        verified,
    }
}

/// Gateway detail of an unverified node (best effort; empty if encrypted).
fn unverified_detail(content: &str) -> GatewayDetail {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(content)
        .map(|o| detail_of(&o, false))
        .unwrap_or_default()
}

/// Verifies gateway answers with the Alipay public key or certificates.
///
/// Public-key mode: [`Verifier::new`]. Certificate mode: add Alipay
/// certificates with [`Verifier::add_cert`] (or build with
/// [`Verifier::from_certs`]); the key is then chosen by the response's
/// `alipay_cert_sn`:
/// - SN present and a certificate with that SN added → that certificate's key;
/// - SN present but unknown → `ERR_CERT` (download and validate the new
///   certificate, then [`Verifier::add_cert`] it);
/// - SN absent → the only certificate if exactly one was added, else `ERR_CERT`.
///
/// Without certificates an `alipay_cert_sn` in the response is ignored and the
/// public key is used.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: Option<PublicKey>,
    certs: Vec<(String, PublicKey)>,
    sign_type: SignType,
    aes: Option<AesKey>,
    /// Charset the gateway used for answers given as text to [`Verifier::verify`].
    text_charset: Charset,
}

impl Verifier {
    /// Public-key mode.
    pub fn new(alipay_public_key: PublicKey, sign_type: SignType) -> Self {
        Verifier {
            key: Some(alipay_public_key),
            certs: Vec::new(),
            sign_type,
            aes: None,
            text_charset: Charset::Utf8,
        }
    }

    /// Certificate-only mode: every PEM in `alipay_certs` is added with
    /// [`Verifier::add_cert`] (a PEM may hold several certificates).
    /// `ERR_CERT` if there is none or one cannot be parsed.
    pub fn from_certs<S: AsRef<str>>(alipay_certs: &[S], sign_type: SignType) -> Result<Self> {
        let mut v = Verifier {
            key: None,
            certs: Vec::new(),
            sign_type,
            aes: None,
            text_charset: Charset::Utf8,
        };
        for pem in alipay_certs {
            v.add_cert(pem.as_ref())?;
        }
        if v.certs.is_empty() {
            return Err(Error::new(
                ErrorCode::Cert,
                "certificate mode needs at least one Alipay certificate",
            ));
        }
        Ok(v)
    }

    /// Adds an Alipay certificate (certificate mode); answers are checked
    /// with the key whose SN equals their `alipay_cert_sn`. Returns the SN.
    /// Adding a certificate with an SN already present replaces its key.
    pub fn add_cert(&mut self, cert_pem: &str) -> Result<String> {
        let sn = crate::cert::cert_sn(cert_pem)?;
        let key = crate::cert::public_key_from_cert(cert_pem)?;
        self.add_cert_key(sn.clone(), key);
        Ok(sn)
    }

    /// Adds a downloaded Alipay certificate (e.g. the PEM chain of an
    /// `alipay.open.app.alipaycert.download` answer, see
    /// [`crate::cert::decode_downloaded_cert`]) after checking it against the
    /// Alipay root bundle with [`crate::cert::verify_chain`] at
    /// `now_unix_secs`. Returns the SN of the leaf certificate, whose key is
    /// added. `ERR_CERT` if the chain is not trusted.
    pub fn add_trusted_cert(
        &mut self,
        chain_pem: &str,
        root_bundle_pem: &str,
        now_unix_secs: u64,
    ) -> Result<String> {
        let leaf = crate::cert::verify_chain(chain_pem, root_bundle_pem, now_unix_secs)?;
        let key = crate::cert::public_key_for_sn(chain_pem, &leaf.sn)?;
        self.add_cert_key(leaf.sn.clone(), key);
        Ok(leaf.sn)
    }

    /// Adds a key under an explicit certificate SN (e.g. a certificate
    /// downloaded and validated elsewhere).
    pub fn add_cert_key(&mut self, sn: impl Into<String>, key: PublicKey) {
        let sn = sn.into();
        self.certs.retain(|(s, _)| *s != sn);
        self.certs.push((sn, key));
    }

    /// Enables AES decryption of encrypted response nodes.
    pub fn with_aes(mut self, key: AesKey) -> Self {
        self.aes = Some(key);
        self
    }

    /// The configured sign type.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The SNs of the certificates added, in order.
    pub fn cert_sns(&self) -> Vec<&str> {
        self.certs.iter().map(|(s, _)| s.as_str()).collect()
    }

    /// Whether certificates were added (certificate mode).
    pub fn is_cert_mode(&self) -> bool {
        !self.certs.is_empty()
    }

    /// The charset of the requests this verifier's answers respond to
    /// (default UTF-8). The gateway answers in the request charset and signs
    /// those bytes, so [`Verifier::verify`] checks the signature over the
    /// signed node encoded back in `charset` (text decoded from GBK
    /// re-encodes losslessly). Flows, which take answers as text, need it for GBK.
    pub fn with_charset(mut self, charset: Charset) -> Self {
        self.text_charset = charset;
        self
    }

    /// Verifies an already decoded response body for `method` (see
    /// [`Verifier::with_charset`] for answers to GBK requests).
    pub fn verify(&self, body: &str, method: &str) -> Result<VerifiedResponse> {
        self.verify_text(body, method, self.text_charset)
    }

    /// Verifies raw response bytes in `charset`: the body is decoded, the
    /// node located in the text, and the signature checked over the node
    /// encoded back in `charset` (what the Java SDK does).
    pub fn verify_bytes(
        &self,
        body: &[u8],
        charset: Charset,
        method: &str,
    ) -> Result<VerifiedResponse> {
        match charset {
            Charset::Utf8 => {
                let text = std::str::from_utf8(body).map_err(|_| {
                    Error::new(ErrorCode::Charset, "response body is not valid UTF-8")
                })?;
                self.verify_text(text, method, charset)
            }
            _ => {
                let text = charset.decode(body)?;
                self.verify_text(&text, method, charset)
            }
        }
    }

    fn encode<'t>(charset: Charset, text: &'t str) -> Result<Cow<'t, [u8]>> {
        match charset {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            _ => charset.encode(text),
        }
    }

    /// Chooses the key: returns it and the SN of the certificate used.
    pub(crate) fn select_key(&self, cert_sn: Option<&str>) -> Result<(&PublicKey, Option<String>)> {
        if self.certs.is_empty() {
            return match &self.key {
                Some(k) => Ok((k, None)),
                None => Err(Error::new(ErrorCode::Cert, "no Alipay key configured")),
            };
        }
        match cert_sn {
            Some(sn) => self
                .certs
                .iter()
                .find(|(s, _)| s == sn)
                .map(|(s, k)| (k, Some(s.clone())))
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::Cert,
                        format!(
                            "signed with the Alipay certificate `{}`, which is not configured (download it, validate it and add it)",
                            shorten(sn)
                        ),
                    )
                    .with_field("alipay_cert_sn")
                }),
            None if self.certs.len() == 1 => {
                let (s, k) = &self.certs[0];
                Ok((k, Some(s.clone())))
            }
            None => Err(Error::new(
                ErrorCode::Cert,
                "response has no alipay_cert_sn and several Alipay certificates are configured",
            )
            .with_field("alipay_cert_sn")),
        }
    }

    /// Verifies an already decoded response body for `method` and returns
    /// the verified business object as JSON text: the signed bytes
    /// themselves (borrowed from `body`), or, for an encrypted node, the
    /// decrypted object serialized again. For callers that hand the object to a JSON parser of
    /// their own (the JavaScript bindings: one `JSON.parse`); same checks and
    /// errors as [`Verifier::verify`].
    pub fn verify_json<'a>(&self, body: &'a str, method: &str) -> Result<Cow<'a, str>> {
        let (sc, _) = self.check_signature(body, method, self.text_charset)?;
        if sc.is_encrypted() {
            let object = self.decrypt_node(sc.content, self.text_charset)?;
            return serde_json::to_string(&object).map(Cow::Owned).map_err(|_| {
                Error::new(ErrorCode::Internal, "cannot serialize the decrypted object")
            });
        }
        // RawValue checked the syntax; an object is what a gateway node is
        if !sc.content.trim_start().starts_with('{') {
            return Err(format_err(format!("`{}` is not a JSON object", sc.node)));
        }
        Ok(Cow::Borrowed(sc.content))
    }

    fn verify_text(&self, body: &str, method: &str, charset: Charset) -> Result<VerifiedResponse> {
        let (sc, used_sn) = self.check_signature(body, method, charset)?;
        let object = if sc.is_encrypted() {
            self.decrypt_node(sc.content, charset)?
        } else {
            serde_json::from_str(sc.content)
                .map_err(|_| format_err(format!("`{}` is not a JSON object", sc.node)))?
        };
        Ok(VerifiedResponse {
            method: method.to_string(),
            object,
            cert_sn: used_sn,
        })
    }

    /// Locates the signed node of `body` and checks its signature (over the
    /// node encoded in `charset`); returns the node and the certificate SN
    /// used, if any.
    fn check_signature<'a>(
        &self,
        body: &'a str,
        method: &str,
        charset: Charset,
    ) -> Result<(SignedContent<'a>, Option<String>)> {
        let sc = extract_signed_content(body, method)?;
        let sign = sc.sign_value()?.filter(|s| !s.is_empty());
        let Some(sign) = sign else {
            let detail = unverified_detail(sc.content);
            let message = match (&detail.code, &detail.sub_code) {
                (Some(code), Some(sub)) => format!(
                    "unsigned gateway answer (code {code}, sub_code {sub}); never a success"
                ),
                (Some(code), None) => {
                    format!("unsigned gateway answer (code {code}); never a success")
                }
                _ => "unsigned gateway answer; never a success".to_string(),
            };
            return Err(Error::new(ErrorCode::UnsignedResponse, message).with_gateway(detail));
        };
        let cert_sn = sc.cert_sn_value()?;
        let (key, used_sn) = self.select_key(cert_sn.as_deref())?;

        let bytes = Self::encode(charset, sc.content)?;
        let first = crate::sign::verify_base64(&bytes, &sign, key, self.sign_type);
        if let Err(e) = first {
            if e.code() != ErrorCode::Signature {
                return Err(e);
            }
            let retried = if sc.content.contains("\\/") {
                let replaced = sc.content.replace("\\/", "/");
                let bytes = Self::encode(charset, &replaced)?;
                crate::sign::verify_base64(&bytes, &sign, key, self.sign_type).is_ok()
            } else {
                false
            };
            if !retried {
                return Err(Error::new(
                    ErrorCode::Signature,
                    format!(
                        "the signature of `{}` does not verify with the configured Alipay {} ({}); check that the Alipay public key (not the app public key) is configured",
                        sc.node,
                        if used_sn.is_some() { "certificate" } else { "public key" },
                        self.sign_type.as_str()
                    ),
                )
                .with_gateway(unverified_detail(sc.content)));
            }
        }

        Ok((sc, used_sn))
    }

    fn decrypt_node(
        &self,
        content: &str,
        charset: Charset,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let aes = self.aes.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::Decrypt,
                "the response is encrypted (encrypt_type=AES) but no AES key is configured",
            )
        })?;
        let ciphertext: String = serde_json::from_str(content)
            .map_err(|_| Error::new(ErrorCode::Decrypt, "encrypted node is not a JSON string"))?;
        let plain = aes.decrypt(&ciphertext)?;
        let text = match charset {
            Charset::Utf8 => String::from_utf8(plain).map_err(|_| {
                Error::new(ErrorCode::Decrypt, "decrypted response is not valid UTF-8")
            })?,
            _ => charset
                .decode(&plain)
                .map_err(|_| {
                    Error::new(
                        ErrorCode::Decrypt,
                        format!("decrypted response is not valid {}", charset.as_str()),
                    )
                })?
                .into_owned(),
        };
        serde_json::from_str(text.trim()).map_err(|_| {
            Error::new(
                ErrorCode::Decrypt,
                "decrypted response is not a JSON object (wrong AES key?)",
            )
        })
    }
}

/// A response whose signature verified; the object comes from the signed bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResponse {
    /// The API method.
    pub method: String,
    /// The business object (decrypted if it was encrypted).
    pub object: serde_json::Map<String, serde_json::Value>,
    /// The `alipay_cert_sn` that selected the key, in certificate mode.
    pub cert_sn: Option<String>,
}

impl VerifiedResponse {
    /// A string field of the business object.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.object.get(field).and_then(|v| v.as_str())
    }

    /// The gateway `code` (`10000`, `10003`, `20000`, `40004`, ...).
    pub fn code(&self) -> &str {
        self.get_str("code").unwrap_or("")
    }

    /// The `sub_code`, if any.
    pub fn sub_code(&self) -> Option<&str> {
        self.get_str("sub_code").filter(|s| !s.is_empty())
    }

    /// The `sub_msg`, if any.
    pub fn sub_msg(&self) -> Option<&str> {
        self.get_str("sub_msg").filter(|s| !s.is_empty())
    }

    /// The gateway fields as a [`GatewayDetail`] with `verified: true`
    /// (e.g. to attach to an `ERR_GATEWAY` error).
    pub fn gateway_detail(&self) -> GatewayDetail {
        detail_of(&self.object, true)
    }

    /// Deserializes the business object into a typed response from [`crate::model`].
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(serde_json::Value::Object(self.object.clone())).map_err(|e| {
            crate::Error::new(
                crate::ErrorCode::ResponseFormat,
                format!("{} response has an unexpected shape: {e}", self.method),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(body: &str) -> ErrorCode {
        extract_signed_content(body, "alipay.trade.pay")
            .unwrap_err()
            .code()
    }

    #[test]
    fn with_charset_verifies_text_decoded_from_gbk() {
        use base64::Engine as _;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/keys");
        let pem = std::fs::read_to_string(format!("{dir}/app-private-key.pem")).unwrap();
        let key = crate::PrivateKey::parse(&pem).unwrap();
        let content = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
        let gbk = Charset::Gbk.encode(content).unwrap();
        let sig = base64::engine::general_purpose::STANDARD
            .encode(key.sign(&gbk, SignType::Rsa2).unwrap());
        let body = format!(r#"{{"alipay_trade_query_response":{content},"sign":"{sig}"}}"#);
        let v = Verifier::new(key.public_key(), SignType::Rsa2);
        let e = v.verify(&body, "alipay.trade.query").unwrap_err();
        assert_eq!(e.code(), ErrorCode::Signature);
        let v = v.with_charset(Charset::Gbk);
        let r = v.verify(&body, "alipay.trade.query").unwrap();
        assert_eq!(r.sub_msg(), Some("交易不存在"));
    }

    #[test]
    fn extracts_exact_raw_node_with_whitespace() {
        let body = "\u{feff} { \"alipay_trade_pay_response\" :  {\"a\": \"x\\/y\" , \"b\":[1, {\"c\":\"}\"}]}\n, \"alipay_cert_sn\":\"abc\",\"sign\" : \"s\\/g\"} ";
        let sc = extract_signed_content(body, "alipay.trade.pay").unwrap();
        assert_eq!(sc.node, "alipay_trade_pay_response");
        assert_eq!(sc.content, "{\"a\": \"x\\/y\" , \"b\":[1, {\"c\":\"}\"}]}");
        assert_eq!(sc.sign, Some("s\\/g"));
        assert_eq!(sc.sign_value().unwrap().as_deref(), Some("s/g"));
        assert_eq!(sc.cert_sn, Some("abc"));
        assert!(!sc.is_encrypted());
        assert!(!sc.is_error_response());
    }

    #[test]
    fn error_response_is_used_when_node_missing() {
        let sc = extract_signed_content(
            r#"{"error_response":{"code":"40002"},"sign":"x"}"#,
            "alipay.trade.pay",
        )
        .unwrap();
        assert!(sc.is_error_response());
        assert_eq!(sc.content, r#"{"code":"40002"}"#);
    }

    #[test]
    fn malformed_bodies_are_format_errors() {
        for body in [
            "",
            "   ",
            "<html><body>502 Bad Gateway</body></html>",
            "[1,2]",
            "\"x\"",
            "{\"alipay_trade_pay_response\":{\"code\":\"10000\"",
            "{\"alipay_trade_pay_response\":{\"code\":\"10000\"},\"sign\":\"x\"}}",
            "{\"other_response\":{},\"sign\":\"x\"}",
            "{\"alipay_trade_pay_response\":[1],\"sign\":\"x\"}",
            "{\"alipay_trade_pay_response\":null,\"sign\":\"x\"}",
            "{\"alipay_trade_pay_response\":{},\"sign\":1}",
            "{\"alipay_trade_pay_response\":{},\"alipay_cert_sn\":2,\"sign\":\"x\"}",
            "{\"alipay_trade_pay_respons\\u0065\":{},\"sign\":\"x\"}",
        ] {
            assert_eq!(code_of(body), ErrorCode::ResponseFormat, "{body:?}");
        }
    }

    #[test]
    fn duplicates_are_rejected() {
        for body in [
            r#"{"alipay_trade_pay_response":{"code":"10000"},"sign":"x","alipay_trade_pay_response":{"code":"10000"}}"#,
            r#"{"alipay_trade_pay_response":{"code":"40004"},"alipay_trade_pay_response":{"code":"10000"},"sign":"x"}"#,
            r#"{"alipay_trade_pay_response":{"code":"10000"},"sign":"x","alipay_trade_pay_respons\u0065":{}}"#,
            r#"{"alipay_trade_pay_response":{"code":"10000"},"sign":"x","sign":"y"}"#,
            r#"{"alipay_trade_pay_response":{"code":"10000"},"error_response":{},"sign":"x"}"#,
            r#"{"x":{"alipay_trade_pay_response":{}},"alipay_trade_pay_response":{"code":"10000"},"sign":"x"}"#,
            r#"{"alipay_trade_pay_response":{"code":"10000"},"sign":"x","y":"alipay_trade_pay_response"}"#,
        ] {
            assert_eq!(code_of(body), ErrorCode::DuplicateNode, "{body}");
        }
    }

    #[test]
    fn empty_method_is_invalid_argument() {
        let e = extract_signed_content("{}", " ").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.field(), Some("method"));
    }

    #[test]
    fn detail_stringifies_non_string_fields() {
        let d = unverified_detail(r#"{"code":10000,"msg":"ok","sub_code":null}"#);
        assert_eq!(d.code.as_deref(), Some("10000"));
        assert_eq!(d.msg.as_deref(), Some("ok"));
        assert_eq!(d.sub_code, None);
        assert!(!d.verified);
        assert_eq!(unverified_detail("\"enc\""), GatewayDetail::default());
    }

    #[test]
    fn node_name_of_method() {
        assert_eq!(
            response_node_name("alipay.trade.fastpay.refund.query"),
            "alipay_trade_fastpay_refund_query_response"
        );
    }
}
