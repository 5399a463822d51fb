//! `application/x-www-form-urlencoded` encoding and decoding in a charset.

use crate::charset::Charset;
use crate::error::Result;

/// Percent-encodes `value` in `charset` (space as `+`, as java `URLEncoder`).
pub fn encode_component(value: &str, charset: Charset) -> Result<String> {
    todo!("{value}{charset:?}")
}

/// Encodes pairs as `k=v&k=v` in `charset`.
pub fn encode_pairs<'a, I>(pairs: I, charset: Charset) -> Result<String>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let _ = (pairs.into_iter(), charset);
    todo!()
}

/// Decodes a form body or query string: `+` is a space, `%XX` bytes are
/// decoded once and interpreted in `charset`. Order and duplicates kept.
pub fn decode_pairs(input: &[u8], charset: Charset) -> Result<Vec<(String, String)>> {
    todo!("{input:?}{charset:?}")
}
