//! `application/x-www-form-urlencoded` encoding and decoding in a charset.
//!
//! Encoding follows java `URLEncoder`: `A-Z a-z 0-9 * - . _` are kept, a
//! space becomes `+`, every other byte of the text *in the charset* becomes
//! `%XX` (upper-case hex).
//!
//! Decoding: `+` is a space, `%XX` is decoded exactly once, the resulting
//! bytes are interpreted in the charset. A malformed `%` sequence (`%`, `%4`,
//! `%G1`) is an `ERR_INVALID_ARGUMENT` error, like java `URLDecoder` which
//! throws: a notification or request that is not well-formed is refused
//! rather than guessed at.

use crate::charset::Charset;
use crate::error::{Error, Result};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

fn push_encoded(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        if is_unreserved(b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// Percent-encodes `value` in `charset` (space as `+`, as java `URLEncoder`).
/// `ERR_CHARSET` if `value` is not encodable in `charset`.
pub fn encode_component(value: &str, charset: Charset) -> Result<String> {
    let bytes = charset.encode(value)?;
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    push_encoded(&mut out, &bytes);
    Ok(out)
}

/// Encodes pairs as `k=v&k=v` in `charset`, in the given order.
pub fn encode_pairs<'a, I>(pairs: I, charset: Charset) -> Result<String>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(&mut out, &charset.encode(k)?);
        out.push('=');
        push_encoded(&mut out, &charset.encode(v)?);
    }
    Ok(out)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form component (`+` → space, `%XX` → byte) and interprets
/// the bytes in `charset`. `ERR_INVALID_ARGUMENT` for a malformed `%`
/// sequence, `ERR_CHARSET` for bytes invalid in `charset`.
pub fn decode_component(input: &[u8], charset: Charset) -> Result<String> {
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_val);
                let lo = input.get(i + 2).copied().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => bytes.push(h << 4 | l),
                    _ => {
                        return Err(Error::invalid_argument(
                            "form",
                            format!("malformed percent-escape at byte {i}"),
                        ))
                    }
                }
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    Ok(charset.decode(&bytes)?.into_owned())
}

/// Decodes a form body or query string: `+` is a space, `%XX` bytes are
/// decoded once and interpreted in `charset`. Order and duplicates kept;
/// empty segments (`a=1&&b=2`) skipped; a segment without `=` is a key with
/// an empty value. A leading `?` is not stripped (pass the query only).
pub fn decode_pairs(input: &[u8], charset: Charset) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for seg in input.split(|b| *b == b'&') {
        if seg.is_empty() {
            continue;
        }
        let (k, v) = match seg.iter().position(|b| *b == b'=') {
            Some(p) => (&seg[..p], &seg[p + 1..]),
            None => (seg, &seg[seg.len()..]),
        };
        out.push((decode_component(k, charset)?, decode_component(v, charset)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn encode_like_java_urlencoder() {
        assert_eq!(
            encode_component("a b*-._~!'()/?:@&=+,;$#%", Charset::Utf8).unwrap(),
            "a+b*-._%7E%21%27%28%29%2F%3F%3A%40%26%3D%2B%2C%3B%24%23%25"
        );
        assert_eq!(encode_component("中", Charset::Utf8).unwrap(), "%E4%B8%AD");
        assert_eq!(encode_component("中", Charset::Gbk).unwrap(), "%D6%D0");
        assert_eq!(
            encode_component("{\"k\":\"v\"}", Charset::Utf8).unwrap(),
            "%7B%22k%22%3A%22v%22%7D"
        );
        assert_eq!(
            encode_component("😀", Charset::Gbk).unwrap_err().code(),
            ErrorCode::Charset
        );
    }

    #[test]
    fn encode_pairs_in_order() {
        assert_eq!(
            encode_pairs([("b", "1 2"), ("a", "&=")], Charset::Utf8).unwrap(),
            "b=1+2&a=%26%3D"
        );
        assert_eq!(encode_pairs(std::iter::empty(), Charset::Utf8).unwrap(), "");
    }

    #[test]
    fn decode_basic() {
        let p = decode_pairs(b"a=1+2&b=%E4%b8%ad&&c&d=&a=x%3Dy", Charset::Utf8).unwrap();
        let want = [
            ("a", "1 2"),
            ("b", "中"),
            ("c", ""),
            ("d", ""),
            ("a", "x=y"),
        ];
        assert_eq!(p.len(), want.len());
        for (got, want) in p.iter().zip(want) {
            assert_eq!((got.0.as_str(), got.1.as_str()), want);
        }
        let g = decode_pairs(b"subject=%D6%D0%CE%C4", Charset::Gbk).unwrap();
        assert_eq!(g[0].1, "中文");
    }

    #[test]
    fn decode_once_only() {
        let p = decode_pairs(b"a=%2541", Charset::Utf8).unwrap();
        assert_eq!(p[0].1, "%41");
    }

    #[test]
    fn decode_errors() {
        for bad in [&b"a=%"[..], b"a=%4", b"a=%G1", b"a=%4g", b"%=1"] {
            assert_eq!(
                decode_pairs(bad, Charset::Utf8).unwrap_err().code(),
                ErrorCode::InvalidArgument,
                "{bad:?}"
            );
        }
        assert_eq!(
            decode_pairs(b"a=%FF", Charset::Utf8).unwrap_err().code(),
            ErrorCode::Charset
        );
        assert_eq!(
            decode_pairs(b"a=%D6", Charset::Gbk).unwrap_err().code(),
            ErrorCode::Charset
        );
    }
}
