//! Generates the GBK tables from `encoding_rs` (the reference) into OUT_DIR:
//! - `decode2.bin`: the 23940 two-byte pointers' BMP code points, delta-coded in pointer
//!   order (gzips to a third of the plain u16 table; `lib.rs` expands it once, on first use).
//!   Per pointer: `0x00` unmapped; `0x01..=0x7f` the code point is the previous mapped one
//!   (0 at the start) plus this; `0x80..=0xff, b` the big-endian 15-bit `v = (b0 & 0x7f) << 8 | b`
//!   gives the delta `v - 0x4000` (`-0x4000..=0x3ffe`), except `v = 0x7fff`, which is followed
//!   by the code point itself as big-endian u16.
//! - `ranges.bin`: (pointer u32, code point u32) LE pairs: four-byte pointers 0..=39419
//!   map to `cp + (p - pointer)` of the last entry with `pointer ≤ p`; cp 0: unmapped run
//! - `enc_fix.bin`: (code point u32, pointer u32) LE pairs where the encoder differs from
//!   "first pointer in decode2 holding the code point" (pointer 0xFFFF_FFFF: not encodable)
use std::{env, fs, path::Path};

fn decode(bytes: &[u8]) -> Option<u32> {
    let s = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut it = s.chars();
    let c = it.next()?;
    assert!(it.next().is_none(), "one sequence, one char");
    Some(c as u32)
}

/// The delta form of the two-byte table (see the module docs).
fn delta_code(dec: &[u16]) -> Vec<u8> {
    const BIAS: i32 = 0x4000;
    let mut out = Vec::with_capacity(dec.len() * 5 / 4);
    let mut prev = 0i32;
    for &cp in dec {
        if cp == 0 {
            out.push(0);
            continue;
        }
        let cp = i32::from(cp);
        let delta = cp - prev;
        assert_ne!(delta, 0, "a code point repeated at the next mapped pointer");
        if (1..=0x7f).contains(&delta) {
            out.push(delta as u8);
        } else if (-BIAS..BIAS - 1).contains(&delta) {
            out.extend_from_slice(&((0x8000 | (delta + BIAS)) as u16).to_be_bytes());
        } else {
            out.extend_from_slice(&[0xff, 0xff]);
            out.extend_from_slice(&(cp as u16).to_be_bytes());
        }
        prev = cp;
    }
    out
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = env::var("OUT_DIR").unwrap();
    let out = Path::new(&out);

    let mut dec = vec![0u16; 126 * 190];
    for (p, slot) in dec.iter_mut().enumerate() {
        let lead = (p / 190) as u8 + 0x81;
        let t = (p % 190) as u8;
        let trail = t + if t < 0x3f { 0x40 } else { 0x41 };
        if let Some(cp) = decode(&[lead, trail]) {
            assert!(cp > 0 && cp <= 0xffff, "two-byte GBK maps to the BMP");
            *slot = cp as u16;
        }
    }
    fs::write(out.join("decode2.bin"), delta_code(&dec)).unwrap();

    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut prev: Option<(u32, u32)> = None; // (pointer, cp) of the last entry
    for p in 0u32..=39419 {
        let b = [
            (p / 12600) as u8 + 0x81,
            (p / 1260 % 10) as u8 + 0x30,
            (p / 10 % 126) as u8 + 0x81,
            (p % 10) as u8 + 0x30,
        ];
        let cp = decode(&b).unwrap_or(0);
        let continues = match prev {
            Some((pp, pc)) => (pc == 0 && cp == 0) || (pc != 0 && cp == pc + (p - pp)),
            None => false,
        };
        if !continues {
            ranges.push((p, cp));
            prev = Some((p, cp));
        }
    }
    let mut bytes = Vec::new();
    for (p, c) in &ranges {
        bytes.extend_from_slice(&p.to_le_bytes());
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    fs::write(out.join("ranges.bin"), bytes).unwrap();

    let mut fix: Vec<(u32, u32)> = Vec::new();
    for cp in 0x80u32..=0xffff {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        if cp == 0x20ac {
            continue; // single byte 0x80, handled in code
        }
        let mut buf = [0u8; 4];
        let (enc, _, err) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
        let want = if err {
            None
        } else {
            assert_eq!(enc.len(), 2, "GBK encodes non-ASCII as two bytes");
            let (l, t) = (u32::from(enc[0]), u32::from(enc[1]));
            Some((l - 0x81) * 190 + t - if t < 0x7f { 0x40 } else { 0x41 })
        };
        let first = dec
            .iter()
            .position(|&v| u32::from(v) == cp)
            .map(|p| p as u32);
        if want != first {
            fix.push((cp, want.unwrap_or(u32::MAX)));
        }
    }
    let mut bytes = Vec::new();
    for (c, p) in &fix {
        bytes.extend_from_slice(&c.to_le_bytes());
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    fs::write(out.join("enc_fix.bin"), bytes).unwrap();
}
