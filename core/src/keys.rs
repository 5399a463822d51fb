//! App private keys and Alipay public keys, in every format users paste.
//!
//! Private keys: PKCS#1 or PKCS#8, PEM or bare base64, stray whitespace/CRLF.
//! Public keys: SPKI (PEM or bare base64), PKCS#1 `RSA PUBLIC KEY`, or an
//! X.509 certificate (PEM or bare base64 DER). Errors name the mistake
//! (`ERR_KEY_KIND` for a private key where a public key belongs, and the
//! reverse, and for non-RSA keys; `ERR_KEY_FORMAT` for truncated or corrupt
//! input; `ERR_KEY_SIZE` for RSA moduli below 1024 bits). `Debug` never
//! prints key material.
//!
//! Private key material lives in the RustCrypto `rsa` key, which zeroizes
//! its big integers on drop; the derived blinding seed is zeroized too.
//! Cloning a [`PrivateKey`] shares one copy (an `Arc`), it never duplicates
//! the secret. (`ring`'s parsed key, with the `native-crypto` feature, makes
//! no zeroization promise; AWS-LC's, with `native-crypto-awslc`, is freed by
//! AWS-LC, whose allocator clears memory on free.)

use std::sync::Arc;

use base64::Engine as _;
use der::{Decode, Encode};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use crate::crypto::{RsaPrivate, RsaPublic, SharedPrivate};
use crate::error::{Error, ErrorCode, Result};
use crate::sign::SignType;

pub use crate::crypto::Backend;

/// OID of `rsaEncryption` (PKCS#1).
const OID_RSA: &str = "1.2.840.113549.1.1.1";
/// Smallest modulus accepted for RSA2 (SHA256withRSA) signing.
pub const MIN_RSA2_BITS: usize = 2048;
/// Smallest modulus accepted at all (the `rsa` crate's floor).
pub const MIN_BITS: usize = 1024;

/// The ASN.1 syntax a private key was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySyntax {
    /// PKCS#1 `RSAPrivateKey` (`-----BEGIN RSA PRIVATE KEY-----`).
    Pkcs1,
    /// PKCS#8 `PrivateKeyInfo` (`-----BEGIN PRIVATE KEY-----`; what Alipay's
    /// key tool calls "PKCS8/Java").
    Pkcs8,
}

/// How a key's DER was wrapped in the text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyArmor {
    /// PEM with `-----BEGIN ...-----` / `-----END ...-----` lines.
    Pem,
    /// Bare base64 of the DER, no armour (whitespace tolerated).
    Bare,
    /// Raw DER bytes ([`PrivateKey::from_der`]).
    Der,
}

/// The format a [`PrivateKey`] was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFormat {
    /// PKCS#1 or PKCS#8.
    pub syntax: KeySyntax,
    /// PEM or bare base64.
    pub armor: KeyArmor,
}

/// A parsed RSA private key (the app private key). Parse once, sign many times.
#[derive(Clone)]
pub struct PrivateKey {
    inner: SharedPrivate,
    format: KeyFormat,
}

/// A parsed RSA public key (the Alipay public key, or an app public key).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: RsaPublic,
}

// ---------------------------------------------------------------------------
// Text → DER
// ---------------------------------------------------------------------------

fn fmt_err(msg: &str) -> Error {
    Error::new(ErrorCode::KeyFormat, msg)
}

fn kind_err(msg: &str) -> Error {
    Error::new(ErrorCode::KeyKind, msg)
}

/// One PEM block: its label and decoded DER.
struct Block {
    label: String,
    der: Zeroizing<Vec<u8>>,
}

/// The input: either PEM blocks or a bare base64 DER.
enum Armored {
    Pem(Block),
    Bare(Zeroizing<Vec<u8>>),
}

/// Characters dropped from base64 bodies: Unicode whitespace (CR, LF, tab,
/// NBSP, ideographic space) and the invisible characters copy-paste through
/// chat apps and word processors leaves (zero-width space/joiners, BOM).
fn is_noise(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// Zero-width space/joiners, word joiner, BOM.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn decode_b64(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let cleaned: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !is_noise(*c)).collect());
    if cleaned.is_empty() {
        return Err(fmt_err("the key is empty"));
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine
        .decode(cleaned.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| {
            fmt_err("the key is not valid base64 (corrupt, truncated, or not a key at all)")
        })
}

/// Undoes the usual ways a key gets mangled in config files: surrounding
/// quotes, and literal `\n` / `\r\n` escapes (a key pasted into a JSON or
/// `.env` value). A backslash never occurs in base64 or PEM armour, so this
/// cannot change a valid key.
fn unmangle(text: &str) -> Zeroizing<String> {
    let mut t = text.trim_matches(is_noise);
    for q in ['"', '\'', '`'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            t = t[1..t.len() - 1].trim_matches(is_noise);
        }
    }
    let mut out = Zeroizing::new(String::with_capacity(t.len()));
    // Zero-width characters are never part of a key, wherever they are.
    let stripped: Zeroizing<String>;
    let mut rest = if t.contains(is_invisible) {
        stripped = Zeroizing::new(t.chars().filter(|c| !is_invisible(*c)).collect());
        stripped.as_str()
    } else {
        t
    };
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix("r\\n") {
            out.push('\n');
            rest = r;
        } else if let Some(r) = after.strip_prefix('n').or_else(|| after.strip_prefix('r')) {
            out.push('\n');
            rest = r;
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Splits PEM armour off (first block only) or decodes bare base64.
fn unarmor(text: &str) -> Result<Armored> {
    let text = unmangle(text);
    let text = text.as_str();
    if text.is_empty() {
        return Err(fmt_err("the key is empty"));
    }
    let Some(begin) = text.find("-----BEGIN ") else {
        if text.contains("-----END ") {
            return Err(fmt_err("PEM key without its -----BEGIN ...----- line"));
        }
        return decode_b64(text).map(Armored::Bare);
    };
    let after = &text[begin + "-----BEGIN ".len()..];
    let Some(label_end) = after.find("-----") else {
        return Err(fmt_err("malformed PEM -----BEGIN ...----- line"));
    };
    let label = after[..label_end].trim().to_string();
    let body_and_rest = &after[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let Some(end) = body_and_rest.find(&end_marker) else {
        return Err(fmt_err(
            "PEM key is truncated: its -----END ...----- line is missing or does not match",
        ));
    };
    let body = &body_and_rest[..end];
    if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
        return Err(fmt_err(
            "encrypted (password-protected) PEM keys are not supported; export it unencrypted",
        ));
    }
    if label == "ENCRYPTED PRIVATE KEY" {
        return Err(fmt_err(
            "encrypted PKCS#8 keys are not supported; export the key unencrypted",
        ));
    }
    let der = decode_b64(body)?;
    Ok(Armored::Pem(Block { label, der }))
}

// ---------------------------------------------------------------------------
// DER sniffing
// ---------------------------------------------------------------------------

/// What a DER blob turned out to be.
enum Der<'a> {
    Pkcs8Rsa(&'a [u8]),
    Pkcs8Other(String),
    Pkcs1Private,
    Spki(&'a [u8]),
    Pkcs1Public,
    Certificate(Vec<u8>),
    Unknown,
}

fn sniff(der: &[u8]) -> Der<'_> {
    if let Ok(pki) = rsa::pkcs8::PrivateKeyInfoRef::try_from(der) {
        return if pki.algorithm.oid.to_string() == OID_RSA {
            Der::Pkcs8Rsa(pki.private_key.as_bytes())
        } else {
            Der::Pkcs8Other(pki.algorithm.oid.to_string())
        };
    }
    if rsa::pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        return Der::Pkcs1Private;
    }
    if spki::SubjectPublicKeyInfoRef::try_from(der).is_ok() {
        return Der::Spki(der);
    }
    if rsa::pkcs1::RsaPublicKeyRef::from_der(der).is_ok() {
        return Der::Pkcs1Public;
    }
    if let Ok(cert) = x509_cert::Certificate::from_der(der) {
        if let Ok(spki) = cert.tbs_certificate().subject_public_key_info().to_der() {
            return Der::Certificate(spki);
        }
    }
    if looks_like_sec1(der) {
        return Der::Pkcs8Other("EC (SEC1)".into());
    }
    Der::Unknown
}

/// SEC1 `ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING, ... }`.
fn looks_like_sec1(der: &[u8]) -> bool {
    #[derive(der::Sequence)]
    struct Sec1Head<'a> {
        version: u8,
        key: &'a der::asn1::OctetStringRef,
        #[asn1(context_specific = "0", optional = "true")]
        params: Option<der::asn1::AnyRef<'a>>,
        #[asn1(context_specific = "1", optional = "true")]
        public: Option<der::asn1::AnyRef<'a>>,
    }
    matches!(Sec1Head::from_der(der), Ok(h) if h.version == 1 && !h.key.as_bytes().is_empty() && (h.params.is_some() || h.public.is_some()))
}

fn non_rsa(what: &str) -> Error {
    kind_err(&format!(
        "not an RSA key (algorithm {what}); Alipay RSA/RSA2 signing needs an RSA key"
    ))
}

/// Parses a PKCS#1 `RSAPrivateKey` DER with precise errors.
fn rsa_private_from_pkcs1(der: &[u8]) -> Result<rsa::PrivateKey> {
    match rsa::PrivateKey::from_pkcs1_der(der) {
        Ok(k) => check_min_bits(k.n().bit_width() as usize).map(|_| k),
        Err(_) => {
            if let Ok(raw) = rsa::pkcs1::RsaPrivateKeyRef::from_der(der) {
                let bits = uint_bits(raw.modulus.as_bytes());
                if bits < MIN_BITS {
                    return Err(Error::new(
                        ErrorCode::KeySize,
                        format!(
                            "RSA key of {bits} bits is too small (at least 2048 bits for RSA2)"
                        ),
                    ));
                }
                if raw.other_prime_infos.is_some() {
                    return Err(fmt_err("multi-prime RSA keys are not supported"));
                }
            }
            Err(fmt_err(
                "the RSA private key is malformed (its numbers are inconsistent)",
            ))
        }
    }
}

fn rsa_public_from_pkcs1(der: &[u8]) -> Result<rsa::PublicKey> {
    match rsa::PublicKey::from_pkcs1_der(der) {
        Ok(k) => check_min_bits(k.n().bit_width() as usize).map(|_| k),
        Err(_) => {
            if let Ok(raw) = rsa::pkcs1::RsaPublicKeyRef::from_der(der) {
                let bits = uint_bits(raw.modulus.as_bytes());
                if bits < MIN_BITS {
                    return Err(Error::new(
                        ErrorCode::KeySize,
                        format!("RSA key of {bits} bits is too small"),
                    ));
                }
            }
            Err(fmt_err("the RSA public key is malformed"))
        }
    }
}

fn rsa_public_from_spki(der: &[u8]) -> Result<rsa::PublicKey> {
    let spki = spki::SubjectPublicKeyInfoRef::try_from(der)
        .map_err(|_| fmt_err("the public key is not a valid SubjectPublicKeyInfo"))?;
    let oid = spki.algorithm.oid.to_string();
    if oid != OID_RSA {
        return Err(non_rsa(&oid));
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| fmt_err("the public key bit string is malformed"))?;
    rsa_public_from_pkcs1(bits)
}

/// `ERR_KEY_SIZE` for moduli under [`MIN_BITS`].
fn check_min_bits(bits: usize) -> Result<()> {
    if bits < MIN_BITS {
        return Err(Error::new(
            ErrorCode::KeySize,
            format!("RSA key of {bits} bits is too small (at least 2048 bits for RSA2)"),
        ));
    }
    Ok(())
}

fn uint_bits(bytes: &[u8]) -> usize {
    let bytes = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    bytes.len() * 8 - bytes[0].leading_zeros() as usize
}

// ---------------------------------------------------------------------------
// PrivateKey
// ---------------------------------------------------------------------------

impl PrivateKey {
    /// Parses a PKCS#1 or PKCS#8 key, PEM or bare base64 (whitespace, CRLF,
    /// a BOM or a missing final newline tolerated).
    ///
    /// Errors: `ERR_KEY_KIND` for a public key or certificate, or a non-RSA
    /// key (EC, Ed25519, ...); `ERR_KEY_FORMAT` for corrupt/truncated input or
    /// encrypted keys; `ERR_KEY_SIZE` for moduli under 1024 bits.
    pub fn parse(text: &str) -> Result<Self> {
        match unarmor(text)? {
            Armored::Pem(b) => Self::from_der_labelled(&b.der, KeyArmor::Pem, Some(&b.label)),
            Armored::Bare(d) => Self::from_der_labelled(&d, KeyArmor::Bare, None),
        }
    }

    /// Parses a PKCS#1 `RSAPrivateKey` or PKCS#8 `PrivateKeyInfo` DER.
    /// Same errors as [`PrivateKey::parse`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_der_labelled(der, KeyArmor::Der, None)
    }

    fn from_der_labelled(der: &[u8], armor: KeyArmor, label: Option<&str>) -> Result<Self> {
        if let Some(label) = label {
            match label {
                "RSA PRIVATE KEY" | "PRIVATE KEY" => {}
                "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                    return Err(kind_err(
                        "this is a public key; the app PRIVATE key is needed here",
                    ))
                }
                "CERTIFICATE" => {
                    return Err(kind_err(
                        "this is a certificate; the app PRIVATE key is needed here",
                    ))
                }
                "EC PRIVATE KEY" | "OPENSSH PRIVATE KEY" | "DSA PRIVATE KEY" => {
                    return Err(non_rsa(label))
                }
                _ => return Err(fmt_err("unsupported PEM label; expected a private key")),
            }
        }
        let (key, syntax) = match sniff(der) {
            Der::Pkcs8Rsa(inner) => (rsa_private_from_pkcs1(inner)?, KeySyntax::Pkcs8),
            Der::Pkcs8Other(oid) => return Err(non_rsa(&oid)),
            Der::Pkcs1Private => (rsa_private_from_pkcs1(der)?, KeySyntax::Pkcs1),
            Der::Spki(_) | Der::Pkcs1Public => {
                return Err(kind_err(
                    "this is a public key; the app PRIVATE key is needed here",
                ))
            }
            Der::Certificate(_) => {
                return Err(kind_err(
                    "this is a certificate; the app PRIVATE key is needed here",
                ))
            }
            Der::Unknown => {
                return Err(fmt_err(
                    "not a PKCS#1 or PKCS#8 private key (corrupt or truncated?)",
                ))
            }
        };
        // A PEM label that disagrees with the content (PKCS#8 labelled
        // `RSA PRIVATE KEY` or the reverse) is tolerated: the content decides.
        Self::from_rsa(key, KeyFormat { syntax, armor })
    }

    fn from_rsa(key: rsa::PrivateKey, format: KeyFormat) -> Result<Self> {
        Ok(PrivateKey {
            inner: Arc::new(RsaPrivate::new(key)?),
            format,
        })
    }

    /// Generates a new key of `bits` bits (public exponent 65537) from the
    /// given cryptographically secure RNG (the core has no randomness of its
    /// own). `ERR_KEY_SIZE` below 1024 bits or above 8192. Slow: seconds for
    /// 2048 bits in debug builds. The key reports PKCS#8 PEM as its format.
    pub fn generate<R>(bits: usize, rng: &mut R) -> Result<Self>
    where
        R: rand_core::CryptoRng + ?Sized,
    {
        if !(MIN_BITS..=8192).contains(&bits) {
            return Err(Error::new(
                ErrorCode::KeySize,
                format!("cannot generate a {bits}-bit key: 1024..=8192 bits"),
            ));
        }
        let key = rsa::PrivateKey::new(rng, bits)
            .map_err(|_| Error::new(ErrorCode::Internal, "RSA key generation failed"))?;
        Self::from_rsa(
            key,
            KeyFormat {
                syntax: KeySyntax::Pkcs8,
                armor: KeyArmor::Pem,
            },
        )
    }

    /// The format this key was parsed from.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public().clone(),
        }
    }

    /// Checks the key is large enough for `sign_type`: `ERR_KEY_SIZE` when
    /// an RSA2 key has fewer than 2048 bits.
    pub fn check_size(&self, sign_type: SignType) -> Result<()> {
        if sign_type == SignType::Rsa2 && self.bits() < MIN_RSA2_BITS {
            return Err(Error::new(
                ErrorCode::KeySize,
                format!(
                    "RSA2 needs a key of at least 2048 bits; this key has {} bits",
                    self.bits()
                ),
            ));
        }
        Ok(())
    }

    /// RSASSA-PKCS1-v1_5 signature of `message` (SHA-256 for RSA2, SHA-1 for
    /// RSA) with the default backend. `ERR_KEY_SIZE` for RSA2 with a key
    /// under 2048 bits.
    pub fn sign(&self, message: &[u8], sign_type: SignType) -> Result<Vec<u8>> {
        self.check_size(sign_type)?;
        self.inner.sign(message, sign_type)
    }

    /// Like [`PrivateKey::sign`] with an explicit backend (for benchmarks
    /// and cross-checks; unsupported operations fall back to
    /// [`Backend::Portable`]).
    pub fn sign_with_backend(
        &self,
        message: &[u8],
        sign_type: SignType,
        backend: Backend,
    ) -> Result<Vec<u8>> {
        self.check_size(sign_type)?;
        self.inner.sign_with(backend, message, sign_type)
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`, LF line endings).
    pub fn to_pkcs1_pem(&self) -> Result<Zeroizing<String>> {
        self.inner
            .rsa()
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|_| fmt_err("cannot encode the private key"))
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.inner
            .rsa()
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| fmt_err("cannot encode the private key"))
    }

    /// Bare base64 of the PKCS#1 DER, one line (python/php SDK style).
    pub fn to_pkcs1_der_base64(&self) -> Result<Zeroizing<String>> {
        let der = self
            .inner
            .rsa()
            .to_pkcs1_der()
            .map_err(|_| fmt_err("cannot encode the private key"))?;
        Ok(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(der.as_bytes()),
        ))
    }

    /// Bare base64 of the PKCS#8 DER, one line (java SDK / Alipay key tool style).
    pub fn to_pkcs8_der_base64(&self) -> Result<Zeroizing<String>> {
        let der = self
            .inner
            .rsa()
            .to_pkcs8_der()
            .map_err(|_| fmt_err("cannot encode the private key"))?;
        Ok(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(der.as_bytes()),
        ))
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// PublicKey
// ---------------------------------------------------------------------------

impl PublicKey {
    /// Parses SPKI PEM/base64, PKCS#1 `RSA PUBLIC KEY` PEM/base64, or an
    /// X.509 certificate (PEM or base64 DER; its subject public key; for a
    /// PEM bundle the first certificate).
    ///
    /// Errors: `ERR_KEY_KIND` for a private key or a non-RSA key;
    /// `ERR_KEY_FORMAT` for corrupt/truncated input.
    pub fn parse(text: &str) -> Result<Self> {
        match unarmor(text)? {
            Armored::Pem(b) => Self::from_der_labelled(&b.der, Some(&b.label)),
            Armored::Bare(d) => Self::from_der_labelled(&d, None),
        }
    }

    /// Parses an SPKI, PKCS#1 `RSAPublicKey` or X.509 certificate DER.
    /// Same errors as [`PublicKey::parse`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_der_labelled(der, None)
    }

    fn from_der_labelled(der: &[u8], label: Option<&str>) -> Result<Self> {
        let private_here = || {
            kind_err("this is a private key; a PUBLIC key (the Alipay public key) is needed here")
        };
        if let Some(label) = label {
            match label {
                "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {}
                "RSA PRIVATE KEY" | "PRIVATE KEY" | "EC PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
                    return Err(private_here())
                }
                _ => return Err(fmt_err("unsupported PEM label; expected a public key")),
            }
        }
        let key = match sniff(der) {
            Der::Spki(d) => rsa_public_from_spki(d)?,
            Der::Pkcs1Public => rsa_public_from_pkcs1(der)?,
            Der::Certificate(spki) => rsa_public_from_spki(&spki)?,
            Der::Pkcs8Rsa(_) | Der::Pkcs1Private | Der::Pkcs8Other(_) => return Err(private_here()),
            Der::Unknown => {
                return Err(fmt_err(
                    "not an SPKI/PKCS#1 public key or certificate (corrupt or truncated?)",
                ))
            }
        };
        Ok(PublicKey {
            inner: RsaPublic::new(key)?,
        })
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits()
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature. `Ok(())` or `ERR_SIGNATURE`.
    pub fn verify(&self, message: &[u8], signature: &[u8], sign_type: SignType) -> Result<()> {
        self.inner.verify(message, signature, sign_type)
    }

    /// Like [`PublicKey::verify`] with an explicit backend (for benchmarks
    /// and cross-checks).
    pub fn verify_with_backend(
        &self,
        message: &[u8],
        signature: &[u8],
        sign_type: SignType,
        backend: Backend,
    ) -> Result<()> {
        self.inner
            .verify_with(backend, message, signature, sign_type)
    }

    /// Whether `private` is the private half of this public key.
    pub fn matches(&self, private: &PrivateKey) -> bool {
        self.inner == *private.inner.public()
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`, LF line endings).
    pub fn to_spki_pem(&self) -> String {
        let b64 = self.to_spki_base64();
        let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
        out.push_str("-----BEGIN PUBLIC KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            // base64 output is ASCII
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    /// Bare base64 of the SPKI DER, one line (what the Alipay console shows).
    pub fn to_spki_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.inner.spki_der())
    }

    /// The SPKI DER (`SubjectPublicKeyInfo`).
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.inner.spki_der().to_vec()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// Detects the classic mistake of configuring the app public key where the
/// Alipay public key belongs: `ERR_KEY_MISMATCH` if `alipay_public_key`
/// verifies a probe signed by `app_private_key`.
pub fn check_not_app_key(
    app_private_key: &PrivateKey,
    alipay_public_key: &PublicKey,
) -> Result<()> {
    let probe = b"alipay-f2f key probe: is the configured Alipay public key the app's own?";
    let sig = app_private_key.inner.sign(probe, SignType::Rsa2)?;
    if alipay_public_key
        .verify(probe, &sig, SignType::Rsa2)
        .is_ok()
    {
        return Err(Error::new(
            ErrorCode::KeyMismatch,
            "the configured Alipay public key is the APP public key (it matches the app private key); \
             use the Alipay public key shown in the console (支付宝公钥), not the app public key (应用公钥)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_send_and_sync() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<PrivateKey>();
        check::<PublicKey>();
        check::<crate::request::Signer>();
    }

    #[test]
    fn unmangle_rules() {
        assert_eq!(unmangle("  \"abc\"  ").as_str(), "abc");
        assert_eq!(unmangle("'a\\nb'").as_str(), "a\nb");
        assert_eq!(unmangle("a\\r\\nb\\rc").as_str(), "a\nb\nc");
        assert_eq!(unmangle("a\\xb").as_str(), "a\\xb");
        assert_eq!(unmangle("a\u{200b}b\u{feff}").as_str(), "ab");
        assert_eq!(unmangle("\"").as_str(), "\"");
        assert_eq!(unmangle("trailing\\").as_str(), "trailing\\");
    }

    #[test]
    fn modulus_bits() {
        assert_eq!(uint_bits(&[]), 0);
        assert_eq!(uint_bits(&[0, 0]), 0);
        assert_eq!(uint_bits(&[0, 1]), 1);
        assert_eq!(uint_bits(&[0x80, 0]), 16);
        assert_eq!(uint_bits(&[0, 0x7f, 0xff]), 15);
    }

    #[test]
    fn pem_armour_errors() {
        for (text, code) in [
            ("-----BEGIN PRIVATE KEY", ErrorCode::KeyFormat),
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n", ErrorCode::KeyFormat),
            ("AAAA\n-----END PRIVATE KEY-----", ErrorCode::KeyFormat),
            (
                "-----BEGIN FOO-----\nAAAA\n-----END FOO-----",
                ErrorCode::KeyFormat,
            ),
            (
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
                ErrorCode::KeyKind,
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
                ErrorCode::KeyKind,
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                ErrorCode::KeyKind,
            ),
        ] {
            assert_eq!(PrivateKey::parse(text).unwrap_err().code(), code, "{text}");
        }
    }

    #[test]
    fn sec1_detection() {
        // SEQUENCE { INTEGER 1, OCTET STRING (1 byte), [0] { OID } }
        let sec1 = [
            0x30, 0x0e, 0x02, 0x01, 0x01, 0x04, 0x01, 0x07, 0xa0, 0x06, 0x06, 0x04, 0x2b, 0x81,
            0x04, 0x00,
        ];
        assert!(looks_like_sec1(&sec1));
        assert!(!looks_like_sec1(&sec1[..10]));
        assert!(!looks_like_sec1(&[0x30, 0x00]));
    }
}
