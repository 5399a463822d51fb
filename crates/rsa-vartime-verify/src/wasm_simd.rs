//! Radix-2^28 product-scanning Montgomery exponentiation, with the inner
//! dot products in wasm32 SIMD128 (`u64x2_extmul_{low,high}_u32x4`).
//!
//! Limbs hold 28 bits in a `u32`, so every 28×28-bit product is below 2^56
//! and a whole output column (up to `2·(MAX_L + 1)` products, the operand's
//! and the reduction's, plus the carry of the column before) adds up in a
//! `u64` without any per-product carry. Each column is a dot product of two
//! contiguous runs of 4-lane vectors:
//!
//! - `x` interleaves the left operand and the Montgomery quotient digits:
//!   pairs `(a_i, m_i)` (`m_i` is written once column `i` has produced it,
//!   and is zero before),
//! - `y` interleaves the right operand and the modulus, both reversed:
//!   pairs `(b_{L-1-j}, n_{L-1-j})`,
//!
//! so column `k` is `Σ_i (a_i·b_{k-i} + m_i·n_{k-i})`: pairs `i..` of `x`
//! against pairs `L-1-k+i..` of `y`, rounded up to whole vectors (two pairs;
//! the extra pair meets zero padding). Runs start at any pair, so `x` and
//! `y` are also kept shifted by one pair (`x1`, `y1`) and every vector load
//! is aligned.
//!
//! [`lanes`] holds the only target-specific code: on wasm32 with
//! `simd128`, `v128` vectors and `u64x2_extmul_*_u32x4` products; elsewhere
//! `[u32; 4]` and scalar products — the same algorithm, which is how the
//! host tests check it against num-bigint and the crate's limb kernel.
//!
//! Values stay below `2n` between operations (lazy reduction: `R ≥ 4n` is
//! guaranteed by the limb count) and are reduced once, at the end.
//!
//! Nothing here is constant-time: verification only (public data).

use alloc::vec;
use alloc::vec::Vec;

use lanes::{dot, shift_pair, with_odd, V, ZERO};

/// Bits per limb.
const BITS: u32 = 28;
/// Low `BITS` bits.
const MASK: u32 = (1 << BITS) - 1;
/// Most limbs: a column sums at most `2·(MAX_L + 1)` products below 2^56
/// and a carry below 2^37, which stays below 2^64 (moduli up to
/// `28·MAX_L - 2 = 3526` bits; larger ones use the crate's limb kernel).
pub(crate) const MAX_L: usize = 126;
/// Zero padding after reversed operands.
const PAD: usize = 4;
/// Vectors (two pairs each) of an interleaved buffer: pairs `0..=L`, one
/// more vector for the one-pair shift.
const NV: usize = MAX_L / 2 + 2;

/// A modulus (and exponent) prepared for radix-2^28 Montgomery
/// exponentiation: `R = 2^(28·L)` with `R ≥ 4n`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Key28 {
    /// Limb count `L`.
    l: usize,
    /// `n` in radix 2^28 (`L` limbs).
    n: Vec<u32>,
    /// `n` reversed, zero-padded (`L + PAD` limbs).
    nrev: Vec<u32>,
    /// `-n⁻¹ mod 2^28`.
    n0inv: u32,
    /// The exponent, big-endian without leading zero bytes (empty for 0).
    e: Vec<u8>,
    /// `R^e mod n` (`L` limbs, below `2n`).
    re: Vec<u32>,
    /// Byte length of `n`.
    k: usize,
}

impl core::fmt::Debug for Key28 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key28").field("bytes", &self.k).finish()
    }
}

/// wasm32 SIMD128 lanes: `v128`, products by `u64x2_extmul_*_u32x4`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{
        i32x4_shuffle, i64x2_add, u32x4, u32x4_replace_lane, u64x2_extmul_high_u32x4,
        u64x2_extmul_low_u32x4, u64x2_extract_lane, v128,
    };

    /// Four `u32` lanes.
    pub(super) type V = v128;
    /// All lanes zero.
    pub(super) const ZERO: V = u32x4(0, 0, 0, 0);

    /// The vector `(a, b, c, d)`.
    #[inline(always)]
    pub(super) fn v(a: u32, b: u32, c: u32, d: u32) -> V {
        u32x4(a, b, c, d)
    }

    /// `x` with lane 1 (`hi = false`) or 3 (`hi = true`) set to `m`.
    #[inline(always)]
    pub(super) fn with_odd(x: V, hi: bool, m: u32) -> V {
        if hi {
            u32x4_replace_lane::<3>(x, m)
        } else {
            u32x4_replace_lane::<1>(x, m)
        }
    }

    /// Lanes 2, 3 of `a` then 0, 1 of `b` (the pairs shifted by one).
    #[inline(always)]
    pub(super) fn shift_pair(a: V, b: V) -> V {
        i32x4_shuffle::<2, 3, 4, 5>(a, b)
    }

    /// `Σ x·y` over all lanes (the callers bound every product below 2^56
    /// and the sum below 2^64).
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(super) fn dot(x: &[V], y: &[V]) -> u64 {
        let (mut lo, mut hi) = (ZERO, ZERO);
        for (a, b) in x.iter().zip(y) {
            // SAFETY: `a` and `b` are references to `v128`s (valid, aligned).
            // Volatile keeps each whole 16-byte load: otherwise LLVM narrows
            // it into two `i64x2.load32x2_u` and multiplies with
            // `i64x2.mul`, which engines emulate slowly, instead of
            // `extmul` (one `pmuludq` on x86).
            let (a, b) = unsafe { (core::ptr::read_volatile(a), core::ptr::read_volatile(b)) };
            lo = i64x2_add(lo, u64x2_extmul_low_u32x4(a, b));
            hi = i64x2_add(hi, u64x2_extmul_high_u32x4(a, b));
        }
        let s = i64x2_add(lo, hi);
        u64x2_extract_lane::<0>(s).wrapping_add(u64x2_extract_lane::<1>(s))
    }
}

/// Portable lanes: `[u32; 4]`, scalar products (the same algorithm).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    /// Four `u32` lanes.
    pub(super) type V = [u32; 4];
    /// All lanes zero.
    pub(super) const ZERO: V = [0; 4];

    /// The vector `(a, b, c, d)`.
    #[inline(always)]
    pub(super) fn v(a: u32, b: u32, c: u32, d: u32) -> V {
        [a, b, c, d]
    }

    /// `x` with lane 1 (`hi = false`) or 3 (`hi = true`) set to `m`.
    #[inline(always)]
    pub(super) fn with_odd(mut x: V, hi: bool, m: u32) -> V {
        x[if hi { 3 } else { 1 }] = m;
        x
    }

    /// Lanes 2, 3 of `a` then 0, 1 of `b` (the pairs shifted by one).
    #[inline(always)]
    pub(super) fn shift_pair(a: V, b: V) -> V {
        [a[2], a[3], b[0], b[1]]
    }

    /// `Σ x·y` over all lanes (the callers bound every product below 2^56
    /// and the sum below 2^64).
    #[inline(always)]
    pub(super) fn dot(x: &[V], y: &[V]) -> u64 {
        x.iter()
            .flatten()
            .zip(y.iter().flatten())
            .fold(0u64, |s, (&a, &b)| {
                s.wrapping_add(u64::from(a) * u64::from(b))
            })
    }
}

impl Key28 {
    /// Prepares `(n, e)` from big-endian bytes (leading zero bytes allowed).
    /// `None` when `n` is even, below 3, or longer than `28·MAX_L - 2` bits.
    pub(crate) fn from_be_bytes(n: &[u8], e: &[u8]) -> Option<Self> {
        let n = &n[n.iter().position(|&b| b != 0)?..];
        let nbits = n.len() * 8 - n[0].leading_zeros() as usize;
        let l = (nbits + 2).div_ceil(BITS as usize);
        if l > MAX_L || n[n.len() - 1] & 1 == 0 || (n.len() == 1 && n[0] < 3) {
            return None;
        }
        let mut nl = vec![0u32; l];
        if !from_be(n, &mut nl) {
            return None;
        }
        // Newton: x = n0⁻¹ mod 2^32 (n0·n0 ≡ 1 mod 8 starts with 3 bits)
        let mut x = nl[0];
        for _ in 0..5 {
            x = x.wrapping_mul(2u32.wrapping_sub(nl[0].wrapping_mul(x)));
        }
        let mut nrev = vec![0u32; l + PAD];
        for (d, &nj) in nrev.iter_mut().zip(nl.iter().rev()) {
            *d = nj;
        }
        let e = &e[e.iter().position(|&b| b != 0).unwrap_or(e.len())..];
        let mut key = Key28 {
            l,
            n: nl,
            nrev,
            n0inv: x.wrapping_neg() & MASK,
            e: e.to_vec(),
            re: vec![0u32; l],
            k: n.len(),
        };
        key.re = key.compute_re();
        Some(key)
    }

    /// Byte length of the modulus.
    #[cfg(test)]
    fn modulus_len(&self) -> usize {
        self.k
    }

    /// `R^e mod n` (below `2n`): `R mod n` by doublings from the top power
    /// of two below `n`, then `2^j·R` (`28·L = j·2^t`, `j` odd), `t`
    /// Montgomery squarings up to `R²`, then square-and-multiply on `R²`
    /// (`R^(e+1)`) and one reduction.
    fn compute_re(&self) -> Vec<u32> {
        let l = self.l;
        let n = &self.n[..];
        let mut x = vec![0u32; l];
        // the top limb may be zero (R ≥ 4n)
        let top = n.iter().rposition(|&x| x != 0).unwrap_or(0);
        let nbits = top as u32 * BITS + (32 - n[top].leading_zeros());
        let hb = nbits - 1; // 2^hb < n (n odd, n ≥ 3)
        x[(hb / BITS) as usize] = 1 << (hb % BITS);
        let rbits = l as u32 * BITS;
        let t = rbits.trailing_zeros();
        for _ in hb..rbits + (rbits >> t) {
            double_mod(&mut x, n);
        }
        let mut buf = Bufs::new();
        let mut y = vec![0u32; l];
        for _ in 0..t {
            self.mul(&x, &x, &mut y, &mut buf);
            x.copy_from_slice(&y);
        }
        let mut one = vec![0u32; l];
        one[0] = 1;
        let mut re = vec![0u32; l];
        if self.pow_raw(&x, &mut y, &mut buf) {
            self.mul(&y, &one, &mut re, &mut buf);
        } else {
            re.copy_from_slice(&one);
        }
        re
    }

    /// `out = a·b·R⁻¹ mod n`, below `2n` for `a, b < 2n` (`L` limbs each).
    fn mul(&self, a: &[u32], b: &[u32], out: &mut [u32], buf: &mut Bufs) {
        let l = self.l;
        // vectors holding pairs 0..=L (zero beyond L)
        let nv = l / 2 + 1;
        let mut ap = [0u32; MAX_L + PAD];
        ap[..l].copy_from_slice(&a[..l]);
        let mut br = [0u32; MAX_L + PAD];
        for (d, &bi) in br.iter_mut().zip(b[..l].iter().rev()) {
            *d = bi;
        }
        let nr = &self.nrev[..];
        let Bufs { x0, x1, y0, y1 } = buf;
        for v in 0..nv {
            let i = 2 * v;
            x0[v] = lanes::v(ap[i], 0, ap[i + 1], 0);
            y0[v] = lanes::v(br[i], nr[i], br[i + 1], nr[i + 1]);
            y1[v] = lanes::v(br[i + 1], nr[i + 1], br[i + 2], nr[i + 2]);
        }
        x0[nv] = ZERO;
        let n0 = u64::from(self.n[0]);
        let mut acc = 0u64;
        for k in 0..l {
            // pairs i in 0..=k, rounded up to whole vectors (m_k is still 0)
            let cv = (k + 1).div_ceil(2);
            let j = l - 1 - k;
            let y = if j.is_multiple_of(2) {
                &y0[j / 2..]
            } else {
                &y1[j / 2..]
            };
            acc += dot(&x0[..cv], &y[..cv]);
            let m = (acc as u32).wrapping_mul(self.n0inv) & MASK;
            x0[k / 2] = with_odd(x0[k / 2], k % 2 == 1, m);
            acc = (acc + u64::from(m) * n0) >> BITS;
        }
        for v in 0..nv {
            x1[v] = shift_pair(x0[v], x0[v + 1]);
        }
        for k in l..2 * l {
            // pairs i in k-l+1..l, rounded up to whole vectors
            let lo = k + 1 - l;
            let cv = (l - lo).div_ceil(2);
            let x = if lo.is_multiple_of(2) {
                &x0[lo / 2..]
            } else {
                &x1[lo / 2..]
            };
            acc += dot(&x[..cv], &y0[..cv]);
            out[k - l] = acc as u32 & MASK;
            acc >>= BITS;
        }
    }

    /// Left-to-right square and multiply: `acc = x^e·R^-(e-1)` (below
    /// `2n`). `false` when `e` is zero.
    fn pow_raw(&self, x: &[u32], acc: &mut [u32], buf: &mut Bufs) -> bool {
        let Some(&top) = self.e.first() else {
            return false;
        };
        let mut tmp = [0u32; MAX_L];
        let tmp = &mut tmp[..self.l];
        acc.copy_from_slice(x);
        let bits = self.e.len() * 8 - top.leading_zeros() as usize;
        for i in (0..bits - 1).rev() {
            self.mul(acc, acc, tmp, buf);
            let byte = self.e[self.e.len() - 1 - i / 8];
            if (byte >> (i % 8)) & 1 == 1 {
                self.mul(tmp, x, acc, buf);
            } else {
                acc.copy_from_slice(tmp);
            }
        }
        true
    }

    /// `out = base^e mod n`, both big-endian and exactly the modulus' byte
    /// length. `false` on a length mismatch or when `base ≥ n`. Never
    /// allocates.
    pub(crate) fn pow_be(&self, base: &[u8], out: &mut [u8]) -> bool {
        if base.len() != self.k || out.len() != self.k {
            return false;
        }
        let l = self.l;
        let mut s = [0u32; MAX_L];
        let s = &mut s[..l];
        if !from_be(base, s) || !less_than(s, &self.n) {
            return false;
        }
        let mut buf = Bufs::new();
        let mut acc = [0u32; MAX_L];
        let acc = &mut acc[..l];
        let mut res = [0u32; MAX_L];
        let res = &mut res[..l];
        if self.pow_raw(s, acc, &mut buf) {
            // acc = s^e·R^-(e-1); ·R^e·R⁻¹ = s^e (below 2n)
            self.mul(acc, &self.re, res, &mut buf);
            if !less_than(res, &self.n) {
                sub_assign(res, &self.n);
            }
        } else {
            res[0] = 1; // e = 0 (n ≥ 3)
        }
        to_be(res, out);
        true
    }
}

/// The interleaved operands of [`Key28::mul`], as vectors of two pairs:
/// `x0` pairs `(a_i, m_i)`, `y0` pairs `(b_{L-1-j}, n_{L-1-j})`, and both
/// shifted by one pair (`x1`, `y1`).
struct Bufs {
    x0: [V; NV + 1],
    x1: [V; NV],
    y0: [V; NV],
    y1: [V; NV],
}

impl Bufs {
    fn new() -> Self {
        Bufs {
            x0: [ZERO; NV + 1],
            x1: [ZERO; NV],
            y0: [ZERO; NV],
            y1: [ZERO; NV],
        }
    }
}

/// `a < b` (equal lengths).
fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(28·len)`.
fn sub_assign(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *x = d & MASK;
        borrow = d >> 31;
    }
}

/// `x = 2x mod n` for `x < n`.
fn double_mod(x: &mut [u32], n: &[u32]) {
    let mut carry = 0;
    for limb in x.iter_mut() {
        let v = (*limb << 1) | carry;
        *limb = v & MASK;
        carry = v >> BITS;
    }
    if carry != 0 || !less_than(x, n) {
        sub_assign(x, n); // the borrow cancels the carry
    }
}

/// Radix-2^28 limbs from big-endian bytes into `out` (zero-padded);
/// `false` when the value does not fit.
fn from_be(bytes: &[u8], out: &mut [u32]) -> bool {
    let mut bytes = bytes.iter().rev();
    let (mut buf, mut have) = (0u64, 0u32);
    for o in out.iter_mut() {
        while have < BITS {
            match bytes.next() {
                Some(&b) => {
                    buf |= u64::from(b) << have;
                    have += 8;
                }
                None => break,
            }
        }
        *o = buf as u32 & MASK;
        buf >>= BITS;
        have = have.saturating_sub(BITS);
    }
    buf == 0 && bytes.all(|&b| b == 0)
}

/// Big-endian bytes (exactly `out.len()`) from radix-2^28 limbs; the value
/// must fit.
fn to_be(limbs: &[u32], out: &mut [u8]) {
    let mut limbs = limbs.iter();
    let (mut buf, mut have) = (0u64, 0u32);
    for o in out.iter_mut().rev() {
        if have < 8 {
            buf |= u64::from(limbs.next().copied().unwrap_or(0)) << have;
            have += BITS;
        }
        *o = buf as u8;
        buf >>= 8;
        have -= 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PublicKeyOf;
    use num_bigint::BigUint;

    use crate::test_rng::Rng;

    fn value(limbs: &[u32]) -> BigUint {
        limbs.iter().rev().fold(BigUint::from(0u8), |acc, &x| {
            (acc << BITS) + BigUint::from(x)
        })
    }

    #[test]
    fn radix_conversions_round_trip() {
        let mut rng = Rng(3);
        for len in 0..80 {
            let b = rng.bytes(len);
            let mut limbs = vec![0u32; (len * 8).div_ceil(28) + 1];
            assert!(from_be(&b, &mut limbs));
            assert!(limbs.iter().all(|&x| x <= MASK));
            assert_eq!(value(&limbs), BigUint::from_bytes_be(&b));
            let mut back = vec![0u8; len];
            to_be(&limbs, &mut back);
            assert_eq!(back, b);
        }
        let mut small = [0u32; 1];
        assert!(!from_be(&[0x10, 0, 0, 0], &mut small)); // 2^28 does not fit
        assert!(from_be(&[0x0f, 0xff, 0xff, 0xff], &mut small));
        assert_eq!(small, [MASK]);
        assert!(!from_be(&[1, 0, 0, 0, 0, 0], &mut small));
    }

    /// `mul` against num-bigint for operands up to `2n - 1` (lazy range),
    /// including the worst case of all-ones operands.
    #[test]
    fn mul_matches_num_bigint_in_the_lazy_range() {
        let mut rng = Rng(11);
        for nbytes in [1usize, 3, 4, 7, 8, 27, 64, 128, 256, 384, 440] {
            for round in 0..4 {
                let mut nb = rng.bytes(nbytes);
                nb[0] |= 0x80;
                nb[nbytes - 1] |= 1;
                if nbytes == 1 {
                    nb[0] |= 3;
                }
                if round == 3 {
                    nb.fill(0xff); // n = 2^k - 1
                }
                let key = Key28::from_be_bytes(&nb, &[1, 0, 1]).expect("valid");
                let n = BigUint::from_bytes_be(&nb);
                let r = BigUint::from(1u8) << (BITS as usize * key.l);
                assert!(r >= &n * 4u8);
                let rinv = r.modinv(&n).expect("odd");
                let two_n_minus_1 = &n * 2u8 - 1u8;
                let cases = [
                    (BigUint::from_bytes_be(&rng.bytes(nbytes + 1)) % &n * 2u8 % &two_n_minus_1),
                    two_n_minus_1.clone(),
                    BigUint::from(0u8),
                    BigUint::from(1u8),
                    &n - 1u8,
                ];
                let mut buf = Bufs::new();
                for a in &cases {
                    for b in &cases {
                        let mut al = vec![0u32; key.l];
                        let mut bl = vec![0u32; key.l];
                        assert!(from_be(&a.to_bytes_be(), &mut al));
                        assert!(from_be(&b.to_bytes_be(), &mut bl));
                        let mut out = vec![0u32; key.l];
                        key.mul(&al, &bl, &mut out, &mut buf);
                        let got = value(&out);
                        assert!(got < &n * 2u8, "lazy bound");
                        assert_eq!(got % &n, a * b * &rinv % &n, "n {n:x}");
                    }
                }
            }
        }
    }

    /// `pow_be` against num-bigint and the crate's limb kernel.
    #[test]
    fn pow_matches_num_bigint_and_the_limb_kernel() {
        let mut rng = Rng(0x5eed);
        for nbytes in [1usize, 2, 5, 16, 33, 100, 128, 256, 384, 440] {
            for _ in 0..3 {
                let mut nb = rng.bytes(nbytes);
                nb[0] |= 0x80 >> (rng.next() % 8);
                nb[nbytes - 1] |= 1;
                if nbytes == 1 {
                    nb[0] |= 3;
                }
                let n = BigUint::from_bytes_be(&nb);
                for e in [
                    vec![1, 0, 1],
                    vec![3],
                    vec![1],
                    vec![2],
                    vec![],
                    vec![0, 0],
                    rng.bytes(9),
                ] {
                    let key = Key28::from_be_bytes(&nb, &e).expect("valid");
                    let limb = PublicKeyOf::<u32>::from_be_bytes(&nb, &e).expect("valid");
                    assert_eq!(key.modulus_len(), limb.modulus_len());
                    let eb = BigUint::from_bytes_be(&e);
                    for base in [
                        BigUint::from_bytes_be(&rng.bytes(nbytes)) % &n,
                        &n - 1u8,
                        BigUint::from(0u8),
                        BigUint::from(1u8),
                    ] {
                        let mut sig = vec![0u8; nbytes];
                        let bb = base.to_bytes_be();
                        sig[nbytes - bb.len()..].copy_from_slice(&bb);
                        let mut got = vec![0u8; nbytes];
                        let mut via_limbs = vec![0u8; nbytes];
                        assert!(key.pow_be(&sig, &mut got));
                        assert!(limb.pow_be(&sig, &mut via_limbs));
                        assert_eq!(got, via_limbs);
                        assert_eq!(BigUint::from_bytes_be(&got), base.modpow(&eb, &n));
                    }
                }
            }
        }
    }

    #[test]
    fn bad_input_is_refused_without_panic() {
        // even, zero, one, empty, too long for the radix-2^28 buffers
        assert!(Key28::from_be_bytes(&[0x10], &[3]).is_none());
        assert!(Key28::from_be_bytes(&[0, 0], &[3]).is_none());
        assert!(Key28::from_be_bytes(&[1], &[3]).is_none());
        assert!(Key28::from_be_bytes(&[], &[3]).is_none());
        assert!(Key28::from_be_bytes(&[0xff; 512], &[3]).is_none());
        // the largest accepted size: 28·MAX_L - 2 bits
        let bits = 28 * MAX_L - 2;
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        n[0] = 0xff >> (n.len() * 8 - bits);
        assert!(Key28::from_be_bytes(&n, &[3]).is_some());
        n.insert(0, 1);
        assert!(Key28::from_be_bytes(&n, &[3]).is_none());
        let k = Key28::from_be_bytes(&[0, 0xc5], &[0, 1, 0, 1]).expect("odd");
        assert_eq!(alloc::format!("{k:?}"), "Key28 { bytes: 1 }");
        let mut out = [0u8; 1];
        assert!(!k.pow_be(&[0xc5], &mut out)); // s = n
        assert!(!k.pow_be(&[0xff], &mut out)); // s > n
        assert!(!k.pow_be(&[0, 2], &mut out)); // wrong lengths
        assert!(!k.pow_be(&[], &mut out));
        assert!(!k.pow_be(&[2], &mut [0u8; 2]));
        assert!(k.pow_be(&[2], &mut out));
        assert_eq!(
            BigUint::from(out[0]),
            BigUint::from(2u8).modpow(&BigUint::from(65537u32), &BigUint::from(0xc5u8))
        );
    }

    proptest::proptest! {
        #[test]
        fn random_moduli_bases_exponents(
            (n, base, e, valid) in crate::test_rng::modexp_inputs(),
        ) {
            let nb = BigUint::from_bytes_be(&n);
            proptest::prop_assert_eq!(valid, nb.bit(0) && nb > BigUint::from(1u8));
            match Key28::from_be_bytes(&n, &e) {
                None => proptest::prop_assert!(!valid),
                Some(key) => {
                    proptest::prop_assert!(valid);
                    let b = BigUint::from_bytes_be(&base) % &nb;
                    let k = key.modulus_len();
                    let mut sig = vec![0u8; k];
                    let bb = b.to_bytes_be();
                    sig[k - bb.len()..].copy_from_slice(&bb);
                    let mut out = vec![0u8; k];
                    proptest::prop_assert!(key.pow_be(&sig, &mut out));
                    proptest::prop_assert_eq!(
                        BigUint::from_bytes_be(&out),
                        b.modpow(&BigUint::from_bytes_be(&e), &nb)
                    );
                }
            }
        }
    }
}
