//! Request/response charsets: UTF-8 and GBK (WHATWG GBK, as `encoding_rs` does it, via the
//! `gbk-lite` crate: only the GBK tables, not every legacy encoding's).

use std::borrow::Cow;

use crate::error::{Error, ErrorCode, Result};

/// The `charset` of a gateway request, its response and a notification.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Charset {
    /// `utf-8` (recommended, the default).
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// `gbk` (also accepts `gb2312`, a subset).
    #[serde(rename = "gbk")]
    Gbk,
}

impl Charset {
    /// The value sent in the `charset` parameter (`utf-8` or `gbk`).
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gbk => "gbk",
        }
    }

    /// Parses a charset name case-insensitively (`utf-8`, `utf8`, `gbk`,
    /// `gb2312`; surrounding whitespace ignored). `ERR_CHARSET` otherwise.
    pub fn parse(name: &str) -> Result<Self> {
        let n = name.trim();
        if n.eq_ignore_ascii_case("utf-8") || n.eq_ignore_ascii_case("utf8") {
            Ok(Charset::Utf8)
        } else if n.eq_ignore_ascii_case("gbk") || n.eq_ignore_ascii_case("gb2312") {
            Ok(Charset::Gbk)
        } else {
            Err(Error::new(
                ErrorCode::Charset,
                format!(
                    "unsupported charset {:?}: use utf-8 or gbk",
                    crate::response::shorten(n)
                ),
            ))
        }
    }

    /// Encodes text in this charset. `ERR_CHARSET` if a character has no
    /// representation (GBK cannot encode every Unicode character; the
    /// HTML-entity substitution `encoding_rs` would do is refused).
    pub fn encode<'a>(self, text: &'a str) -> Result<Cow<'a, [u8]>> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk => {
                if text.is_ascii() {
                    return Ok(Cow::Borrowed(text.as_bytes()));
                }
                // gbk-lite: encoding_rs's GBK without linking every legacy table
                gbk_lite::encode(text).map(Cow::Owned).map_err(|c| {
                    Error::new(
                        ErrorCode::Charset,
                        format!(
                            "text contains a character that GBK cannot encode (U+{:04X})",
                            c as u32
                        ),
                    )
                })
            }
        }
    }

    /// Decodes bytes in this charset. `ERR_CHARSET` on malformed input.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> Result<Cow<'a, str>> {
        let bad = || {
            Error::new(
                ErrorCode::Charset,
                format!("bytes are not valid {}", self.as_str()),
            )
        };
        match self {
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|_| bad()),
            Charset::Gbk if bytes.is_ascii() => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|_| bad()),
            Charset::Gbk => gbk_lite::decode(bytes).map(Cow::Owned).ok_or_else(bad),
        }
    }
}

impl std::fmt::Display for Charset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names() {
        for n in ["utf-8", "UTF-8", "utf8", "Utf8", " utf-8 "] {
            assert_eq!(Charset::parse(n).unwrap(), Charset::Utf8, "{n}");
        }
        for n in ["gbk", "GBK", "gb2312", "GB2312"] {
            assert_eq!(Charset::parse(n).unwrap(), Charset::Gbk, "{n}");
        }
        for n in ["", "latin1", "gb18030", "utf-16"] {
            assert_eq!(
                Charset::parse(n).unwrap_err().code(),
                ErrorCode::Charset,
                "{n}"
            );
        }
    }

    #[test]
    fn gbk_round_trip_and_known_bytes() {
        let b = Charset::Gbk.encode("中文测试").unwrap();
        assert_eq!(&*b, &[0xD6, 0xD0, 0xCE, 0xC4, 0xB2, 0xE2, 0xCA, 0xD4]);
        assert_eq!(Charset::Gbk.decode(&b).unwrap(), "中文测试");
        assert_eq!(&*Charset::Gbk.encode("abc").unwrap(), b"abc");
    }

    #[test]
    fn gbk_refuses_unencodable() {
        let e = Charset::Gbk.encode("pay 😀").unwrap_err();
        assert_eq!(e.code(), ErrorCode::Charset);
        assert!(e.message().contains("U+1F600"));
    }

    #[test]
    fn decode_rejects_malformed() {
        assert_eq!(
            Charset::Utf8.decode(&[0xff, 0xfe]).unwrap_err().code(),
            ErrorCode::Charset
        );
        assert_eq!(
            Charset::Gbk.decode(&[0xD6]).unwrap_err().code(),
            ErrorCode::Charset
        );
        assert_eq!(Charset::Utf8.decode("中".as_bytes()).unwrap(), "中");
    }
}
