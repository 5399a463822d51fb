//! Public-key certificate mode (公钥证书模式, protocol §4).
//!
//! `SN = lowercase_hex(MD5(issuerDN + decimal(serial)))`, zero-padded to 32
//! hex digits, where `issuerDN` is what Java's
//! `X500Principal.getName()` (RFC 2253) gives: RDNs most-specific first,
//! `,` between them and no spaces, `+` inside a multi-valued RDN, the
//! keywords `CN C L ST O OU STREET DC UID` and dotted OIDs with a `#hex` DER
//! value for any other attribute, RFC 2253 escaping of `, + " \ < > ;`, a
//! leading `#` or space and a trailing space.
//!
//! Certificates are read from PEM (one or several `CERTIFICATE` blocks,
//! CRLF, indentation and text between blocks tolerated) or from bare base64
//! DER. Every failure is `ERR_CERT`.
//!
//! [`verify_chain`] checks a downloaded Alipay certificate chain against the
//! root bundle (validity dates, RSA signatures up to a root), as the Java
//! SDK's `AntCertificationUtil.isTrusted` does before trusting a new
//! `alipay_cert_sn`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::asn1::AnyRef;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};
use md5::{Digest, Md5};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::error::{Error, ErrorCode, Result};
use crate::keys::PublicKey;
use crate::sign::SignType;

/// OID arc of the RSA signature algorithms (`sha1WithRSAEncryption`,
/// `sha256WithRSAEncryption`, ...): `1.2.840.113549.1.1`.
pub const RSA_SIGNATURE_OID_ARC: &str = "1.2.840.113549.1.1";

/// What the certificate mode needs to know about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The certificate SN (`app_cert_sn` / `alipay_cert_sn`).
    pub sn: String,
    /// The issuer DN in RFC 2253 form (the first half of the MD5 input).
    pub issuer: String,
    /// The subject DN in RFC 2253 form.
    pub subject: String,
    /// The serial number in decimal (the second half of the MD5 input).
    pub serial: String,
    /// The OID of the certificate's signature algorithm (dotted).
    pub signature_algorithm: String,
    /// Start of validity, Unix seconds.
    pub not_before: u64,
    /// End of validity, Unix seconds.
    pub not_after: u64,
}

impl CertInfo {
    /// Whether the certificate is signed with an RSA algorithm
    /// (the ones counted in `alipay_root_cert_sn`).
    pub fn is_rsa_signed(&self) -> bool {
        self.signature_algorithm
            .strip_prefix(RSA_SIGNATURE_OID_ARC)
            .is_some_and(|rest| rest.starts_with('.'))
    }

    /// Whether `now_unix_secs` lies within the validity period.
    pub fn is_valid_at(&self, now_unix_secs: u64) -> bool {
        self.not_before <= now_unix_secs && now_unix_secs <= self.not_after
    }
}

fn cert_err(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Cert, message)
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// DER blobs of every certificate in `text`, in order.
fn der_blocks(text: &str) -> Result<Vec<Vec<u8>>> {
    let decode = |b64: &str| -> Result<Vec<u8>> {
        let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| cert_err("certificate is not valid base64"))
    };
    if !text.contains("-----BEGIN") {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(cert_err("certificate text is empty"));
        }
        return Ok(vec![decode(trimmed)?]);
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let end = after
            .find(END)
            .ok_or_else(|| cert_err("PEM certificate is missing its END line (truncated?)"))?;
        out.push(decode(&after[..end])?);
        rest = &after[end + END.len()..];
    }
    if out.is_empty() {
        return Err(cert_err(
            "no `-----BEGIN CERTIFICATE-----` block found (is this a key instead of a certificate?)",
        ));
    }
    Ok(out)
}

fn parse_certs(text: &str) -> Result<Vec<Certificate>> {
    Ok(parse_certs_raw(text)?.into_iter().map(|(c, _)| c).collect())
}

/// Certificates with their original DER, in order.
fn parse_certs_raw(text: &str) -> Result<Vec<(Certificate, Vec<u8>)>> {
    der_blocks(text)?
        .into_iter()
        .map(|der| {
            Certificate::from_der(&der)
                .map(|c| (c, der))
                .map_err(|e| cert_err(format!("not an X.509 certificate: {e}")))
        })
        .collect()
}

fn first_cert(text: &str) -> Result<Certificate> {
    parse_certs(text)?
        .into_iter()
        .next()
        .ok_or_else(|| cert_err("no certificate found"))
}

/// Decimal text of a two's-complement big-endian integer.
pub fn twos_complement_to_decimal(bytes: &[u8]) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude: Vec<u8> = if negative {
        // -(2^n - x): invert and add one.
        let mut m: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        m
    } else {
        bytes.to_vec()
    };
    let digits = unsigned_to_decimal(&magnitude);
    if negative && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    }
}

/// Decimal text of an unsigned big-endian integer (repeated division by 10^9).
fn unsigned_to_decimal(bytes: &[u8]) -> String {
    let mut num: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if num.is_empty() {
        return "0".to_string();
    }
    let mut chunks: Vec<u32> = Vec::new();
    while !num.is_empty() {
        let mut rem: u64 = 0;
        let mut next = Vec::with_capacity(num.len());
        for &b in &num {
            let cur = (rem << 8) | u64::from(b);
            let q = cur / 1_000_000_000;
            rem = cur % 1_000_000_000;
            if !(next.is_empty() && q == 0) {
                // q < 256 because rem < 10^9 and cur < 256 * 10^9
                next.push(q as u8);
            }
        }
        chunks.push(rem as u32);
        num = next;
    }
    let mut s = String::new();
    for (i, c) in chunks.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&c.to_string());
        } else {
            s.push_str(&format!("{c:09}"));
        }
    }
    s
}

/// The RFC 2253 keyword of an attribute OID, as Java's `X500Principal`.
fn keyword(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// The text of a directory string value, when it is one.
fn directory_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String => std::str::from_utf8(bytes).ok().map(str::to_owned),
        Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            if bytes.is_ascii() {
                std::str::from_utf8(bytes).ok().map(str::to_owned)
            } else {
                None
            }
        }
        // T.61 treated as Latin-1, as Java does in practice.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// RFC 2253 escaping of an attribute value.
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == count => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn format_atv(atv: &AttributeTypeAndValue) -> Result<String> {
    let known = keyword(&atv.oid);
    let text = directory_string(atv.value.tag(), atv.value.value());
    match (known, text) {
        (Some(k), Some(v)) => Ok(format!("{k}={}", escape_value(&v))),
        _ => {
            let der = atv
                .value
                .to_der()
                .map_err(|_| cert_err("cannot re-encode a DN attribute"))?;
            Ok(format!("{}=#{}", atv.oid, hex(&der)))
        }
    }
}

/// A distinguished name in RFC 2253 form (as Java's `X500Principal.getName()`).
pub fn rfc2253(name: &Name) -> Result<String> {
    let rdns: Vec<_> = name.iter_rdn().collect();
    let mut parts = Vec::with_capacity(rdns.len());
    for rdn in rdns.iter().rev() {
        let atvs = rdn.iter().map(format_atv).collect::<Result<Vec<_>>>()?;
        parts.push(atvs.join("+"));
    }
    Ok(parts.join(","))
}

/// MD5 of `text`, lowercase hex, zero-padded to 32 digits.
pub fn md5_hex(text: &str) -> String {
    hex(&Md5::digest(text.as_bytes()))
}

fn info_of(cert: &Certificate) -> Result<CertInfo> {
    let tbs = cert.tbs_certificate();
    let issuer = rfc2253(tbs.issuer())?;
    let subject = rfc2253(tbs.subject())?;
    let serial = twos_complement_to_decimal(tbs.serial_number().as_bytes());
    Ok(CertInfo {
        sn: md5_hex(&format!("{issuer}{serial}")),
        issuer,
        subject,
        serial,
        signature_algorithm: cert.signature_algorithm().oid.to_string(),
        not_before: tbs.validity().not_before.to_unix_duration().as_secs(),
        not_after: tbs.validity().not_after.to_unix_duration().as_secs(),
    })
}

/// Parses the first certificate of `cert_pem` and describes it.
pub fn cert_info(cert_pem: &str) -> Result<CertInfo> {
    info_of(&first_cert(cert_pem)?)
}

/// Describes every certificate of a PEM bundle, in file order.
pub fn bundle_info(bundle_pem: &str) -> Result<Vec<CertInfo>> {
    parse_certs(bundle_pem)?.iter().map(info_of).collect()
}

/// `app_cert_sn` / `alipay_cert_sn` of a PEM certificate:
/// lowercase hex MD5 of the RFC 2253 issuer DN + decimal serial.
/// A PEM holding several certificates gives the SN of the first one.
pub fn cert_sn(cert_pem: &str) -> Result<String> {
    Ok(cert_info(cert_pem)?.sn)
}

/// `alipay_root_cert_sn` of a PEM bundle: SNs of the RSA-signed certificates
/// only, in file order, joined by `_`. `ERR_CERT` if none is RSA-signed.
pub fn root_cert_sn(bundle_pem: &str) -> Result<String> {
    let sns: Vec<String> = bundle_info(bundle_pem)?
        .into_iter()
        .filter(CertInfo::is_rsa_signed)
        .map(|i| i.sn)
        .collect();
    if sns.is_empty() {
        return Err(cert_err(
            "the root certificate bundle holds no RSA-signed certificate",
        ));
    }
    Ok(sns.join("_"))
}

fn key_of(cert: &Certificate) -> Result<PublicKey> {
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|_| cert_err("cannot encode the certificate's public key"))?;
    PublicKey::parse(&STANDARD.encode(spki))
}

/// The subject public key of a PEM certificate (the first one of the text).
pub fn public_key_from_cert(cert_pem: &str) -> Result<PublicKey> {
    key_of(&first_cert(cert_pem)?)
}

/// The subject public key of the certificate of `pem` (one or several
/// certificates) whose SN is `sn`. `ERR_CERT` if none has it.
pub fn public_key_for_sn(pem: &str, sn: &str) -> Result<PublicKey> {
    for cert in parse_certs(pem)? {
        if info_of(&cert)?.sn == sn {
            return key_of(&cert);
        }
    }
    Err(cert_err(format!(
        "no certificate with SN `{}` in the PEM text",
        crate::response::shorten(sn)
    )))
}

/// The exact DER bytes of the `tbsCertificate` inside a certificate's DER
/// (what the issuer signed), without re-encoding anything.
fn tbs_der(cert_der: &[u8]) -> Result<&[u8]> {
    let bad = |_: der::Error| cert_err("malformed certificate DER");
    let outer = AnyRef::from_der(cert_der).map_err(bad)?;
    let mut reader = SliceReader::new(outer.value()).map_err(bad)?;
    let tbs: AnyRef<'_> = reader.decode().map_err(bad)?;
    // DER lengths are minimal, so the re-computed length is the original one
    let len = usize::try_from(tbs.encoded_len().map_err(bad)?).map_err(bad)?;
    outer
        .value()
        .get(..len)
        .ok_or_else(|| cert_err("malformed certificate DER"))
}

/// Verifies that `child` (with its DER) was signed by `issuer`'s key.
fn check_signed_by(child: &Certificate, child_der: &[u8], issuer: &Certificate) -> Result<()> {
    let oid = child.signature_algorithm().oid.to_string();
    let sign_type = match oid.as_str() {
        "1.2.840.113549.1.1.11" => SignType::Rsa2,
        "1.2.840.113549.1.1.5" => SignType::Rsa,
        other => {
            return Err(cert_err(format!(
                "unsupported certificate signature algorithm {other} (only sha256WithRSA and sha1WithRSA)"
            )))
        }
    };
    let key =
        key_of(issuer).map_err(|e| cert_err(format!("issuer key unusable: {}", e.message())))?;
    let signature = child
        .signature()
        .as_bytes()
        .ok_or_else(|| cert_err("certificate signature has unused bits"))?;
    key.verify(tbs_der(child_der)?, signature, sign_type)
        .map_err(|_| cert_err("certificate signature does not verify with its issuer's key"))
}

/// Checks that the certificate of `chain_pem` that issues none of the
/// others (the leaf) chains up through the other certificates of
/// `chain_pem` to a certificate of `root_bundle_pem`: every link's RSA
/// signature verifies and every certificate on the path (the root
/// included) is valid at `now_unix_secs`. Returns the leaf's description.
///
/// `ERR_CERT` on any failure (expired, not yet valid, unknown issuer, bad
/// signature, unsupported algorithm, malformed input).
pub fn verify_chain(
    chain_pem: &str,
    root_bundle_pem: &str,
    now_unix_secs: u64,
) -> Result<CertInfo> {
    let chain = parse_certs_raw(chain_pem)?;
    let roots = parse_certs(root_bundle_pem)?;
    let subject_of = |c: &Certificate| c.tbs_certificate().subject().clone();
    let issuer_of = |c: &Certificate| c.tbs_certificate().issuer().clone();
    // the leaf: issues none of the others
    let leaf_index = (0..chain.len())
        .find(|&i| {
            let subject = subject_of(&chain[i].0);
            !chain
                .iter()
                .enumerate()
                .any(|(j, (c, _))| j != i && issuer_of(c) == subject)
        })
        .ok_or_else(|| cert_err("the certificate chain has no leaf (it is a cycle)"))?;
    let leaf_info = info_of(&chain[leaf_index].0)?;

    let mut current = leaf_index;
    for _ in 0..=chain.len() {
        let (cert, der) = &chain[current];
        let info = info_of(cert)?;
        if !info.is_valid_at(now_unix_secs) {
            return Err(cert_err(format!(
                "certificate `{}` is not valid at this time (valid {}..{} Unix seconds)",
                shorten_dn(&info.subject),
                info.not_before,
                info.not_after
            )));
        }
        let issuer = issuer_of(cert);
        // a root of the bundle first
        let mut root_error = None;
        for root in roots.iter().filter(|r| subject_of(r) == issuer) {
            match check_signed_by(cert, der, root) {
                Ok(()) => {
                    let root_info = info_of(root)?;
                    if !root_info.is_valid_at(now_unix_secs) {
                        return Err(cert_err(format!(
                            "root certificate `{}` is not valid at this time",
                            shorten_dn(&root_info.subject)
                        )));
                    }
                    return Ok(leaf_info);
                }
                Err(e) => root_error = Some(e),
            }
        }
        if let Some(e) = root_error {
            return Err(e);
        }
        // then an intermediate of the chain
        let next = (0..chain.len())
            .find(|&j| j != current && subject_of(&chain[j].0) == issuer)
            .ok_or_else(|| {
                cert_err(format!(
                    "certificate `{}` is not issued by a trusted root",
                    shorten_dn(&info.subject)
                ))
            })?;
        check_signed_by(cert, der, &chain[next].0)?;
        current = next;
    }
    Err(cert_err("the certificate chain is too long or loops"))
}

fn shorten_dn(dn: &str) -> std::borrow::Cow<'_, str> {
    crate::response::shorten(dn)
}

/// The PEM text of an `alipay.open.app.alipaycert.download` answer's
/// `alipay_cert_content` (base64 of the PEM chain).
pub fn decode_downloaded_cert(alipay_cert_content: &str) -> Result<String> {
    let compact: String = alipay_cert_content
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| cert_err("alipay_cert_content is not valid base64"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| cert_err("alipay_cert_content is not PEM text"))?;
    if !text.contains(BEGIN) {
        return Err(cert_err("alipay_cert_content holds no PEM certificate"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_conversion() {
        assert_eq!(twos_complement_to_decimal(&[]), "0");
        assert_eq!(twos_complement_to_decimal(&[0]), "0");
        assert_eq!(twos_complement_to_decimal(&[0x7f]), "127");
        assert_eq!(twos_complement_to_decimal(&[0x00, 0xff]), "255");
        assert_eq!(twos_complement_to_decimal(&[0xff]), "-1");
        assert_eq!(twos_complement_to_decimal(&[0x80]), "-128");
        assert_eq!(
            twos_complement_to_decimal(&[0x3b, 0x9a, 0xca, 0x00]),
            "1000000000"
        );
        assert_eq!(
            twos_complement_to_decimal(&[0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            u64::MAX.to_string()
        );
        // 2^128
        let mut v = vec![1u8];
        v.extend([0u8; 16]);
        assert_eq!(
            twos_complement_to_decimal(&v),
            "340282366920938463463374607431768211456"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_value("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_value("#x "), "\\#x\\ ");
        assert_eq!(escape_value(" a#"), "\\ a#");
        assert_eq!(escape_value("q\"<>;\\"), "q\\\"\\<\\>\\;\\\\");
        assert_eq!(escape_value("a\nb"), "a\\0ab");
    }

    #[test]
    fn md5_is_padded() {
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex("").len(), 32);
    }

    #[test]
    fn garbage_is_cert_error() {
        for bad in [
            "",
            "   ",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nAAAA",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "not base64 at all",
        ] {
            assert_eq!(cert_sn(bad).unwrap_err().code(), ErrorCode::Cert, "{bad}");
            assert_eq!(root_cert_sn(bad).unwrap_err().code(), ErrorCode::Cert);
        }
    }
}
