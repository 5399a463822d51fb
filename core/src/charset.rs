//! Request/response charsets: UTF-8 and GBK (via `encoding_rs`).

use crate::error::Result;

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

    /// Parses a charset name case-insensitively (`utf-8`, `utf8`, `gbk`, `gb2312`).
    pub fn parse(name: &str) -> Result<Self> {
        todo!("{name}")
    }

    /// Encodes text in this charset. `ERR_CHARSET` if a character has no
    /// representation (GBK cannot encode every Unicode character).
    pub fn encode<'a>(self, text: &'a str) -> Result<std::borrow::Cow<'a, [u8]>> {
        todo!("{text}")
    }

    /// Decodes bytes in this charset. `ERR_CHARSET` on malformed input.
    pub fn decode<'a>(self, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, str>> {
        todo!("{bytes:?}")
    }
}
