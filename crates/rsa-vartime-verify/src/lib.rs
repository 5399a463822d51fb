//! Variable-time Montgomery exponentiation modulo an odd `n`, for RSA
//! signature **verification** only (public key, public signature).
//!
//! Integers are little-endian `u32` limbs (wasm32 has a native 32×32→64
//! multiplication but no 64×64→128). Nothing here is constant-time: never
//! use it with secret exponents or secret bases.
//!
//! The crate is separate from the SDK core so that the WebAssembly build can
//! compile it at `opt-level = 3` while the rest stays size-optimized.
#![forbid(unsafe_code)]
#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

/// A Montgomery context for an odd modulus `n`: `-n⁻¹ mod 2³²` and
/// `R² mod n` with `R = 2^(32·len)`, computed once per modulus.
#[derive(Clone, PartialEq, Eq)]
pub struct Montgomery {
    n: Vec<u32>,
    /// `-n⁻¹ mod 2³²`.
    n0inv: u32,
    /// `R² mod n`.
    rr: Vec<u32>,
}

impl core::fmt::Debug for Montgomery {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Montgomery")
            .field("limbs", &self.n.len())
            .finish()
    }
}

impl Montgomery {
    /// The context for modulus `n` (little-endian limbs; high zero limbs are
    /// ignored). `None` when `n` is even or smaller than 3.
    pub fn new(n: &[u32]) -> Option<Montgomery> {
        let n = trim(n);
        let n0 = *n.first()?;
        if n0 & 1 == 0 || (n.len() == 1 && n0 < 3) {
            return None;
        }
        // Newton iteration: x = n0⁻¹ mod 2^32 (each step doubles the correct bits)
        let mut x: u32 = 1;
        for _ in 0..5 {
            x = x.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(x)));
        }
        let len = n.len();
        // R² mod n by doubling 1 (64·len times), one conditional subtraction each
        let mut rr = vec![0u32; len];
        rr[0] = 1;
        for _ in 0..64 * len {
            let mut carry = 0u32;
            for limb in rr.iter_mut() {
                let v = *limb;
                *limb = (v << 1) | carry;
                carry = v >> 31;
            }
            if carry != 0 || !less_than(&rr, n) {
                sub_assign(&mut rr, n);
            }
        }
        Some(Montgomery {
            n: n.to_vec(),
            n0inv: x.wrapping_neg(),
            rr,
        })
    }

    /// The modulus' limb count.
    pub fn limbs(&self) -> usize {
        self.n.len()
    }

    /// The modulus `n` (little-endian limbs, no high zero limb).
    pub fn modulus(&self) -> &[u32] {
        &self.n
    }

    /// `base^e mod n` (left-to-right square and multiply), little-endian
    /// limbs of length [`Montgomery::limbs`]. `None` when `base ≥ n`.
    pub fn pow(&self, base: &[u32], e: &[u32]) -> Option<Vec<u32>> {
        let len = self.n.len();
        let base = trim(base);
        if base.len() > len {
            return None;
        }
        let mut b = vec![0u32; len];
        b[..base.len()].copy_from_slice(base);
        if !less_than(&b, &self.n) {
            return None;
        }
        let e = trim(e);
        let mut one = vec![0u32; len];
        one[0] = 1;
        let Some(&top) = e.last() else {
            return Some(one); // e = 0 (and n ≥ 3)
        };
        let mut t = vec![0u32; 2 * len + 1];
        let bm = self.mul(&b, &self.rr, &mut t); // base·R
        let mut acc = bm.clone();
        let bits = 32 * e.len() - top.leading_zeros() as usize;
        for i in (0..bits - 1).rev() {
            acc = self.sqr(&acc, &mut t);
            if (e[i / 32] >> (i % 32)) & 1 == 1 {
                acc = self.mul(&acc, &bm, &mut t);
            }
        }
        Some(self.mul(&acc, &one, &mut t)) // leave the Montgomery domain
    }

    /// Montgomery product `a·b·R⁻¹ mod n`, `a, b < n` (separated operand
    /// scanning: product, then reduction); `t` is scratch of `2·len + 1` limbs.
    fn mul(&self, a: &[u32], b: &[u32], t: &mut [u32]) -> Vec<u32> {
        let len = self.n.len();
        let t = &mut t[..2 * len + 1];
        t.fill(0);
        for (i, &ai) in a.iter().enumerate() {
            let ai = u64::from(ai);
            let mut c = 0u64;
            for (tj, &bj) in t[i..i + len].iter_mut().zip(b) {
                let x = u64::from(*tj) + ai * u64::from(bj) + c;
                *tj = x as u32;
                c = x >> 32;
            }
            t[i + len] = c as u32;
        }
        self.reduce(t)
    }

    /// Montgomery square `a²·R⁻¹ mod n`: each cross product once, doubled.
    fn sqr(&self, a: &[u32], t: &mut [u32]) -> Vec<u32> {
        let len = self.n.len();
        let t = &mut t[..2 * len + 1];
        t.fill(0);
        for (i, &ai) in a.iter().enumerate() {
            let ai = u64::from(ai);
            let mut c = 0u64;
            for (tj, &aj) in t[2 * i + 1..i + len].iter_mut().zip(&a[i + 1..]) {
                let x = u64::from(*tj) + ai * u64::from(aj) + c;
                *tj = x as u32;
                c = x >> 32;
            }
            t[i + len] = c as u32;
        }
        // double the cross products (their sum is < a², so no bit is lost)
        let mut carry = 0u32;
        for x in t[..2 * len].iter_mut() {
            let v = *x;
            *x = (v << 1) | carry;
            carry = v >> 31;
        }
        // add the squares a_i² at limb 2i
        let mut c = 0u64;
        for (pair, &ai) in t[..2 * len].chunks_exact_mut(2).zip(a) {
            let sq = u64::from(ai) * u64::from(ai);
            let lo = u64::from(pair[0]) + (sq & 0xffff_ffff) + c;
            pair[0] = lo as u32;
            let hi = u64::from(pair[1]) + (sq >> 32) + (lo >> 32);
            pair[1] = hi as u32;
            c = hi >> 32;
        }
        self.reduce(t)
    }

    /// Montgomery reduction of `t < n·R` (`2·len + 1` limbs): `t·R⁻¹ mod n`.
    fn reduce(&self, t: &mut [u32]) -> Vec<u32> {
        let n = &self.n[..];
        let len = n.len();
        for i in 0..len {
            let m = u64::from(t[i].wrapping_mul(self.n0inv));
            let mut c = 0u64;
            for (tj, &nj) in t[i..i + len].iter_mut().zip(n) {
                let x = u64::from(*tj) + m * u64::from(nj) + c;
                *tj = x as u32;
                c = x >> 32;
            }
            for tk in t[i + len..].iter_mut() {
                if c == 0 {
                    break;
                }
                let x = u64::from(*tk) + c;
                *tk = x as u32;
                c = x >> 32;
            }
        }
        let hi = t[2 * len];
        let mut out = t[len..2 * len].to_vec();
        // the result is < 2n: one conditional subtraction
        if hi != 0 || !less_than(&out, n) {
            sub_assign(&mut out, n);
        }
        out
    }
}

/// `a` without its high zero limbs.
fn trim(a: &[u32]) -> &[u32] {
    let used = a.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
    &a[..used]
}

/// `a < b` for equal-length little-endian limbs.
fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(32·len)` (equal lengths).
fn sub_assign(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0i64;
    for (o, &bj) in a.iter_mut().zip(b) {
        let d = i64::from(*o) - i64::from(bj) + borrow;
        *o = d as u32;
        borrow = d >> 32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use num_bigint::BigUint;

    /// xorshift64*: deterministic pseudo-random limbs for differential tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u32 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
        }
        fn limbs(&mut self, len: usize) -> Vec<u32> {
            (0..len).map(|_| self.next()).collect()
        }
    }

    fn padded(x: &BigUint, len: usize) -> Vec<u32> {
        let mut v = x.to_u32_digits();
        v.resize(len, 0);
        v
    }

    #[test]
    fn pow_matches_num_bigint_on_random_odd_moduli() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for len in [1usize, 2, 3, 8, 32, 64, 96, 128] {
            for _ in 0..4 {
                let mut n = rng.limbs(len);
                n[0] |= 1;
                n[len - 1] |= 0x8000_0000;
                let nb = BigUint::new(n.clone());
                let m = Montgomery::new(&n).expect("odd");
                assert_eq!(m.limbs(), len);
                let base = BigUint::new(rng.limbs(len)) % &nb;
                for e in [
                    BigUint::from(65537u32),
                    BigUint::from(3u32),
                    BigUint::from(1u32),
                    BigUint::from(2u32),
                    BigUint::new(rng.limbs(2)),
                ] {
                    let got = m
                        .pow(&base.to_u32_digits(), &e.to_u32_digits())
                        .expect("base < n");
                    assert_eq!(got, padded(&base.modpow(&e, &nb), len), "len {len} e {e}");
                }
            }
        }
    }

    #[test]
    fn edge_cases() {
        let n = [0xffff_fffbu32, 0xffff_ffff]; // odd
        let m = Montgomery::new(&n).expect("odd");
        // e = 0 → 1; base 0 → 0; base ≥ n refused
        assert_eq!(m.pow(&[5], &[]), Some(vec![1, 0]));
        assert_eq!(m.pow(&[5], &[0, 0]), Some(vec![1, 0]));
        assert_eq!(m.pow(&[], &[65537]), Some(vec![0, 0]));
        assert_eq!(m.pow(&n, &[3]), None);
        assert_eq!(m.pow(&[0, 0, 1], &[3]), None);
        // high zero limbs of n are ignored
        let m2 = Montgomery::new(&[0xffff_fffb, 0xffff_ffff, 0, 0]).expect("odd");
        assert_eq!(m, m2);
        assert_eq!(m2.modulus(), &n[..]);
        // even, zero, one: no context
        assert!(Montgomery::new(&[10]).is_none());
        assert!(Montgomery::new(&[]).is_none());
        assert!(Montgomery::new(&[0, 0]).is_none());
        assert!(Montgomery::new(&[1]).is_none());
        assert_eq!(format!("{m:?}"), "Montgomery { limbs: 2 }");
    }
}
