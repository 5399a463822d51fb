//! GBK as the [WHATWG Encoding Standard](https://encoding.spec.whatwg.org/#gbk)
//! defines it (the decoder is the gb18030 decoder, so four-byte sequences
//! decode; the encoder writes ASCII, `0x80` for `€` and two-byte sequences),
//! behaving exactly like `encoding_rs::GBK` without replacement: malformed
//! input and unencodable characters are errors.
//!
//! Only the GBK tables are linked (about 32 KB, 17 KB gzipped): the two-byte
//! index (delta-coded; expanded into a 47 KB table on the heap the first time
//! a non-ASCII GBK character is decoded or encoded), the four-byte ranges and a
//! short list of encoder exceptions, generated from `encoding_rs` by `build.rs`
//! and tested exhaustively against it. Encoding a non-ASCII character scans the
//! two-byte index (tens of microseconds at worst): fine for request parameters,
//! not meant for bulk text.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

/// Number of two-byte pointers (126 lead bytes × 190 trail bytes).
const POINTERS: usize = 126 * 190;

/// The two-byte index, delta-coded by `build.rs` (format in its docs).
static DECODE2_DELTA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/decode2.bin"));
/// Four-byte ranges: (first pointer, code point or 0 for an unmapped run), LE u32 pairs.
static RANGES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ranges.bin"));
/// Encoder exceptions sorted by code point: (code point, pointer or u32::MAX), LE u32 pairs.
static ENC_FIX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/enc_fix.bin"));

fn u32_pair(table: &[u8], i: usize) -> (u32, u32) {
    let e = &table[8 * i..8 * i + 8];
    (
        u32::from_le_bytes([e[0], e[1], e[2], e[3]]),
        u32::from_le_bytes([e[4], e[5], e[6], e[7]]),
    )
}

/// Expands [`DECODE2_DELTA`]: two-byte pointer → BMP code point (0 = unmapped).
fn expand(delta: &[u8]) -> Vec<u16> {
    let mut out = Vec::with_capacity(POINTERS);
    let mut prev = 0u16;
    let mut i = 0;
    while let Some(&b) = delta.get(i) {
        let cp = match b {
            0 => {
                out.push(0);
                i += 1;
                continue;
            }
            0x01..=0x7f => {
                i += 1;
                prev.wrapping_add(u16::from(b))
            }
            _ => {
                let lo = delta.get(i + 1).copied().unwrap_or(0);
                let v = u16::from(b & 0x7f) << 8 | u16::from(lo);
                i += 2;
                if v == 0x7fff {
                    let hi = delta.get(i).copied().unwrap_or(0);
                    let lo = delta.get(i + 1).copied().unwrap_or(0);
                    i += 2;
                    u16::from_be_bytes([hi, lo])
                } else {
                    prev.wrapping_add(v).wrapping_sub(0x4000)
                }
            }
        };
        out.push(cp);
        prev = cp;
    }
    out
}

/// The two-byte index, expanded on first use.
fn decode2() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| expand(DECODE2_DELTA))
}

fn two_byte(pointer: usize) -> Option<char> {
    match *decode2().get(pointer)? {
        0 => None,
        cp => char::from_u32(u32::from(cp)),
    }
}

fn four_byte(pointer: u32) -> Option<char> {
    if (189_000..=1_237_575).contains(&pointer) {
        return char::from_u32(0x1_0000 + pointer - 189_000);
    }
    if pointer > 39_419 {
        return None;
    }
    let n = RANGES.len() / 8;
    // last entry whose first pointer is ≤ pointer (entry 0 starts at pointer 0)
    let (mut lo, mut hi) = (0usize, n);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if u32_pair(RANGES, mid).0 <= pointer {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (start, cp) = u32_pair(RANGES, lo);
    if cp == 0 {
        return None;
    }
    char::from_u32(cp + (pointer - start))
}

/// Decodes GBK bytes; `None` when they are malformed or unmapped.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x00..=0x7f => {
                out.push(char::from(b));
                i += 1;
            }
            0x80 => {
                out.push('\u{20ac}');
                i += 1;
            }
            0xff => return None,
            _ => {
                let b2 = *bytes.get(i + 1)?;
                match b2 {
                    0x30..=0x39 => {
                        let b3 = *bytes.get(i + 2)?;
                        let b4 = *bytes.get(i + 3)?;
                        if !(0x81..=0xfe).contains(&b3) || !(0x30..=0x39).contains(&b4) {
                            return None;
                        }
                        let pointer = ((u32::from(b - 0x81) * 10 + u32::from(b2 - 0x30)) * 126
                            + u32::from(b3 - 0x81))
                            * 10
                            + u32::from(b4 - 0x30);
                        out.push(four_byte(pointer)?);
                        i += 4;
                    }
                    0x40..=0x7e | 0x80..=0xfe => {
                        let offset = if b2 < 0x7f { 0x40 } else { 0x41 };
                        let pointer = usize::from(b - 0x81) * 190 + usize::from(b2 - offset);
                        out.push(two_byte(pointer)?);
                        i += 2;
                    }
                    _ => return None,
                }
            }
        }
    }
    Some(out)
}

/// The two-byte pointer the GBK encoder uses for `c`, if any.
fn pointer_of(c: char) -> Option<usize> {
    let cp = c as u32;
    let n = ENC_FIX.len() / 8;
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (fc, fp) = u32_pair(ENC_FIX, mid);
        if fc == cp {
            return usize::try_from(fp)
                .ok()
                .filter(|&p| fp != u32::MAX && p < POINTERS);
        }
        if fc < cp {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let cp = u16::try_from(cp).ok()?;
    decode2().iter().position(|&e| e == cp)
}

/// Encodes text as GBK; `Err(c)` with the first character GBK cannot encode.
pub fn encode(text: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if c == '\u{20ac}' {
            out.push(0x80);
        } else {
            let p = pointer_of(c).ok_or(c)?;
            let lead = (p / 190) as u8 + 0x81;
            let t = (p % 190) as u8;
            out.push(lead);
            out.push(t + if t < 0x3f { 0x40 } else { 0x41 });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_decode(bytes: &[u8]) -> Option<String> {
        encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned())
    }

    #[test]
    fn delta_table_expands_to_every_pointer() {
        let t = decode2();
        assert_eq!(t.len(), POINTERS);
        // spot checks against the reference: first pointer, a GB2312 hanzi, the last pointer
        assert_eq!(t[0], 0x4e02);
        assert_eq!(
            char::from_u32(u32::from(t[(0xb0 - 0x81) * 190 + (0xa1 - 0x41)])),
            Some('啊')
        );
        assert_eq!(
            reference_decode(&[0xfe, 0xfe]),
            char::from_u32(u32::from(t[POINTERS - 1])).map(String::from)
        );
    }

    #[test]
    fn every_single_and_two_byte_sequence_decodes_like_encoding_rs() {
        for a in 0..=255u8 {
            assert_eq!(decode(&[a]), reference_decode(&[a]), "{a:02x}");
            for b in 0..=255u8 {
                let s = [a, b];
                assert_eq!(decode(&s), reference_decode(&s), "{a:02x}{b:02x}");
                let s = [b'x', a, b, b'y'];
                assert_eq!(decode(&s), reference_decode(&s), "x{a:02x}{b:02x}y");
            }
        }
    }

    #[test]
    fn four_byte_sequences_decode_like_encoding_rs() {
        for b1 in 0x81..=0xfeu8 {
            for b2 in [0x30u8, 0x31, 0x35, 0x39, 0x2f, 0x3a] {
                for b3 in 0x7f..=0xffu8 {
                    for b4 in 0x2f..=0x3au8 {
                        let s = [b1, b2, b3, b4];
                        assert_eq!(decode(&s), reference_decode(&s), "{s:02x?}");
                    }
                }
            }
        }
        // every pointer of the BMP ranges
        for p in 0u32..=39_419 {
            let s = [
                (p / 12600) as u8 + 0x81,
                (p / 1260 % 10) as u8 + 0x30,
                (p / 10 % 126) as u8 + 0x81,
                (p % 10) as u8 + 0x30,
            ];
            assert_eq!(decode(&s), reference_decode(&s), "{p}");
        }
        // truncated sequences
        for s in [
            &[0x81u8][..],
            &[0x81, 0x30],
            &[0x81, 0x30, 0x81],
            &[0x81, 0x30, 0x81, 0x3a],
        ] {
            assert_eq!(decode(s), None);
            assert_eq!(reference_decode(s), None);
        }
    }

    #[test]
    fn every_character_encodes_like_encoding_rs() {
        for cp in 0..=0x10_ffffu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            let (want, _, err) = encoding_rs::GBK.encode(s);
            let got = encode(s);
            if err {
                assert_eq!(got, Err(c), "U+{cp:04X}");
            } else {
                assert_eq!(got.as_deref(), Ok(&want[..]), "U+{cp:04X}");
            }
        }
    }

    #[test]
    fn mixed_text_round_trips() {
        let text = "subject=测试商品 A&B=1 €100 ¥ 𠀀 ﹏";
        let want = encoding_rs::GBK.encode(text);
        match encode(text) {
            Ok(bytes) => {
                assert!(!want.2);
                assert_eq!(bytes, &want.0[..]);
                assert_eq!(decode(&bytes).as_deref(), Some(text));
            }
            Err(c) => assert!(want.2, "{c}"),
        }
        assert_eq!(encode("中文\u{1F600}"), Err('\u{1F600}'));
        assert_eq!(encode(""), Ok(vec![]));
        assert_eq!(decode(b""), Some(String::new()));
    }
}
