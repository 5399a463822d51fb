//! Variable-time Montgomery modular exponentiation modulo an odd `n`, for RSA
//! signature **verification** only (public key, public signature).
//!
//! One generic implementation over the limb type ([`Word`]): `u64` limbs
//! with `u128` products on 64-bit hosts, `u32` limbs with `u64` products on
//! wasm32 (which has a native 32×32→64 multiplication but no 64×64→128) and
//! other 32-bit targets. [`Limb`] is the one chosen for the target; both are
//! always compiled and tested.
//!
//! [`PublicKey`] is the verification entry point: it is built once per RSA
//! key (Montgomery constants and `R^e mod n` precomputed) and computes
//! `s^e mod n` from big-endian bytes to big-endian bytes without allocating,
//! on stack scratch (moduli up to [`MAX_BITS`]).
//!
//! Nothing here is constant-time: never use it with secret exponents or
//! secret bases.
//!
//! The crate is separate from the SDK core so that the WebAssembly build can
//! compile it at `opt-level = 3` while the rest stays size-optimized.
#![deny(unsafe_code)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// AVX-512 IFMA kernel (x86-64 with the `std` feature, for run-time CPU
/// detection): [`x86_ifma::IfmaKey`]. The only module with `unsafe` code.
#[cfg(all(target_arch = "x86_64", feature = "std"))]
#[allow(unsafe_code)]
pub mod x86_ifma;

/// Radix-2^28 product-scanning kernel, SIMD128 on wasm32 (compiled on the
/// host for its tests).
#[cfg(any(test, all(target_arch = "wasm32", target_feature = "simd128")))]
mod wasm_simd;

use alloc::vec;
use alloc::vec::Vec;

/// Largest modulus (in bits) [`PublicKey`] and [`Montgomery`] accept: the
/// exponentiation works on fixed stack scratch of this size.
pub const MAX_BITS: usize = 8192;

/// Limb capacity of the stack scratch (enough `u32` limbs for [`MAX_BITS`]).
const CAP: usize = MAX_BITS / 32;

/// A machine word used as a big-integer limb (`u32` or `u64`).
pub trait Word: Copy + Eq + Ord + Default + core::fmt::Debug + 'static {
    /// Bits per limb.
    const BITS: u32;
    /// Bytes per limb.
    const BYTES: usize;
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// `a·b + c + d` as `(low, high)` limbs (it never overflows two limbs).
    fn mac(a: Self, b: Self, c: Self, d: Self) -> (Self, Self);
    /// `a + b + carry` as `(sum, carry out)`; `carry` is 0 or 1.
    fn adc(a: Self, b: Self, carry: Self) -> (Self, Self);
    /// `a - b - borrow` as `(difference, borrow out)`; `borrow` is 0 or 1.
    fn sbb(a: Self, b: Self, borrow: Self) -> (Self, Self);
    /// `a·b mod 2^BITS`.
    fn wrapping_mul(self, b: Self) -> Self;
    /// `-a mod 2^BITS`.
    fn wrapping_neg(self) -> Self;
    /// `2 - a mod 2^BITS` (Newton step helper).
    fn two_minus(self) -> Self;
    /// Count of leading zero bits.
    fn leading_zeros(self) -> u32;
    /// Bit `i` (`i < BITS`) as a bool.
    fn bit(self, i: u32) -> bool;
    /// `(self << 1) | carry_in`, and the bit shifted out.
    fn shl1(self, carry_in: Self) -> (Self, Self);
    /// `1 << i` (`i < BITS`).
    fn pow2(i: u32) -> Self;
    /// A limb from `BYTES` big-endian bytes (shorter slices are the low bytes).
    fn from_be(bytes: &[u8]) -> Self;
    /// The limb's big-endian bytes, written into `out` (`BYTES` long; a
    /// shorter `out` receives the low bytes).
    fn to_be(self, out: &mut [u8]);
}

macro_rules! word {
    ($w:ty, $wide:ty) => {
        impl Word for $w {
            const BITS: u32 = <$w>::BITS;
            const BYTES: usize = core::mem::size_of::<$w>();
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn mac(a: Self, b: Self, c: Self, d: Self) -> (Self, Self) {
                let x = <$wide>::from(a) * <$wide>::from(b) + <$wide>::from(c) + <$wide>::from(d);
                (x as $w, (x >> <$w>::BITS) as $w)
            }
            #[inline(always)]
            fn adc(a: Self, b: Self, carry: Self) -> (Self, Self) {
                let x = <$wide>::from(a) + <$wide>::from(b) + <$wide>::from(carry);
                (x as $w, (x >> <$w>::BITS) as $w)
            }
            #[inline(always)]
            fn sbb(a: Self, b: Self, borrow: Self) -> (Self, Self) {
                let x = <$wide>::from(a)
                    .wrapping_sub(<$wide>::from(b))
                    .wrapping_sub(<$wide>::from(borrow));
                (x as $w, ((x >> <$w>::BITS) as $w) & 1)
            }
            #[inline(always)]
            fn wrapping_mul(self, b: Self) -> Self {
                <$w>::wrapping_mul(self, b)
            }
            #[inline(always)]
            fn wrapping_neg(self) -> Self {
                <$w>::wrapping_neg(self)
            }
            #[inline(always)]
            fn two_minus(self) -> Self {
                (2 as $w).wrapping_sub(self)
            }
            #[inline(always)]
            fn leading_zeros(self) -> u32 {
                <$w>::leading_zeros(self)
            }
            #[inline(always)]
            fn bit(self, i: u32) -> bool {
                (self >> i) & 1 == 1
            }
            #[inline(always)]
            fn shl1(self, carry_in: Self) -> (Self, Self) {
                ((self << 1) | carry_in, self >> (<$w>::BITS - 1))
            }
            #[inline(always)]
            fn pow2(i: u32) -> Self {
                1 << i
            }
            #[inline]
            fn from_be(bytes: &[u8]) -> Self {
                bytes.iter().fold(0, |acc, &b| (acc << 8) | <$w>::from(b))
            }
            #[inline]
            fn to_be(self, out: &mut [u8]) {
                let b = self.to_be_bytes();
                let n = out.len();
                out.copy_from_slice(&b[b.len() - n..]);
            }
        }
    };
}

word!(u32, u64);
word!(u64, u128);

/// The limb type of this target: `u64` on 64-bit hosts (with `u128`
/// products), `u32` on wasm32 and 32-bit targets.
#[cfg(all(target_pointer_width = "64", not(target_family = "wasm")))]
pub type Limb = u64;
/// The limb type of this target: `u64` on 64-bit hosts (with `u128`
/// products), `u32` on wasm32 and 32-bit targets.
#[cfg(not(all(target_pointer_width = "64", not(target_family = "wasm"))))]
pub type Limb = u32;

/// A Montgomery context for an odd modulus `n ≥ 3`: `-n⁻¹ mod 2^BITS` and
/// `R² mod n` with `R = 2^(BITS·len)`, computed once per modulus.
#[derive(Clone, PartialEq, Eq)]
pub struct Montgomery<W: Word = Limb> {
    n: Vec<W>,
    /// `-n⁻¹ mod 2^BITS`.
    n0inv: W,
    /// `R² mod n`.
    rr: Vec<W>,
}

impl<W: Word> core::fmt::Debug for Montgomery<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Montgomery")
            .field("limbs", &self.n.len())
            .finish()
    }
}

impl<W: Word> Montgomery<W> {
    /// The context for modulus `n` (little-endian limbs; high zero limbs are
    /// ignored). `None` when `n` is even, smaller than 3, or longer than
    /// [`MAX_BITS`].
    pub fn new(n: &[W]) -> Option<Self> {
        let n = trim(n);
        let n0 = *n.first()?;
        let len = n.len();
        if !n0.bit(0) || (len == 1 && n0 < W::ONE.shl1(W::ONE).0) || len * W::BYTES * 8 > MAX_BITS {
            return None;
        }
        // Newton iteration: x = n0⁻¹ mod 2^BITS (each step doubles the correct
        // bits; n0·n0 ≡ 1 mod 8 gives 3 to start, 5 steps reach 96 ≥ 64)
        let mut x = n0;
        for _ in 0..5 {
            x = x.wrapping_mul(n0.wrapping_mul(x).two_minus());
        }
        let mut m = Montgomery {
            n: n.to_vec(),
            n0inv: x.wrapping_neg(),
            rr: vec![W::ZERO; len],
        };
        m.rr = m.compute_rr();
        Some(m)
    }

    /// `R² mod n`: `R mod n` by at most `BITS + 1` doublings of the top power
    /// of two below `n`, then `2^j·R` (`j` the odd part of `log2 R`) by `j`
    /// doublings, then Montgomery squarings (each doubles the exponent of 2
    /// while keeping one factor `R`) up to `2^(log2 R)·R = R²`.
    fn compute_rr(&self) -> Vec<W> {
        let n = &self.n[..];
        let len = n.len();
        let top = n[len - 1];
        let nbits = len as u32 * W::BITS - top.leading_zeros();
        let mut x = vec![W::ZERO; len];
        // 2^(nbits-1) ≤ n; it is < n because n is odd and ≥ 3
        let hb = nbits - 1;
        x[(hb / W::BITS) as usize] = W::pow2(hb % W::BITS);
        let rbits = len as u32 * W::BITS;
        for _ in hb..rbits {
            double_mod(&mut x, n);
        }
        // x = R mod n. log2 R = rbits = j·2^t with j odd.
        let t = rbits.trailing_zeros();
        let j = rbits >> t;
        for _ in 0..j {
            double_mod(&mut x, n);
        }
        let mut scratch = [W::ZERO; 2 * CAP + 2];
        let mut y = [W::ZERO; CAP];
        for _ in 0..t {
            self.sqr(&x, &mut y[..len], &mut scratch);
            x.copy_from_slice(&y[..len]);
        }
        x
    }

    /// The modulus' limb count.
    pub fn limbs(&self) -> usize {
        self.n.len()
    }

    /// The modulus `n` (little-endian limbs, no high zero limb).
    pub fn modulus(&self) -> &[W] {
        &self.n
    }

    /// `base^e mod n` (left-to-right square and multiply in the Montgomery
    /// domain), little-endian limbs of length [`Montgomery::limbs`]. `None`
    /// when `base ≥ n`.
    pub fn pow(&self, base: &[W], e: &[W]) -> Option<Vec<W>> {
        let len = self.n.len();
        let base = trim(base);
        if base.len() > len {
            return None;
        }
        let mut b = vec![W::ZERO; len];
        b[..base.len()].copy_from_slice(base);
        if !less_than(&b, &self.n) {
            return None;
        }
        let mut scratch = [W::ZERO; 2 * CAP + 2];
        let mut bm = vec![W::ZERO; len];
        self.mul(&b, &self.rr, &mut bm, &mut scratch); // base·R
        let mut out = vec![W::ZERO; len];
        let mut one = vec![W::ZERO; len];
        one[0] = W::ONE;
        let mut acc = [W::ZERO; CAP];
        if !self.pow_raw(&bm, trim(e), &mut acc[..len], &mut scratch) {
            return Some(one); // e = 0 (and n ≥ 3)
        }
        self.mul(&acc[..len], &one, &mut out, &mut scratch); // leave the Montgomery domain
        Some(out)
    }

    /// Left-to-right square and multiply: `acc = x^e·R^-(e-1)` (so a base in
    /// the Montgomery domain stays in it). `false` (and `acc` untouched) when
    /// `e` is zero. `e` must be trimmed.
    fn pow_raw(&self, x: &[W], e: &[W], acc: &mut [W], scratch: &mut [W]) -> bool {
        let Some(&top) = e.last() else {
            return false;
        };
        let len = self.n.len();
        let mut tmp = [W::ZERO; CAP];
        let tmp = &mut tmp[..len];
        acc.copy_from_slice(x);
        let bits = W::BITS as usize * e.len() - top.leading_zeros() as usize;
        for i in (0..bits - 1).rev() {
            self.sqr(acc, tmp, scratch);
            if e[i / W::BITS as usize].bit((i % W::BITS as usize) as u32) {
                self.mul(tmp, x, acc, scratch);
            } else {
                acc.copy_from_slice(tmp);
            }
        }
        true
    }

    /// Montgomery product `out = a·b·R⁻¹ mod n` for `a, b < n` (separated
    /// operand scanning: the product, then the reduction; measured faster
    /// than the integrated forms CIOS/FIOS and than product scanning, whose
    /// extra carry chains cost more than they save without ADX).
    fn mul(&self, a: &[W], b: &[W], out: &mut [W], scratch: &mut [W]) {
        let len = self.n.len();
        let (a, b) = (&a[..len], &b[..len]);
        let t = &mut scratch[..2 * len];
        t[..len].fill(W::ZERO);
        for (i, &ai) in a.iter().enumerate() {
            let mut c = W::ZERO;
            for (tj, &bj) in t[i..i + len].iter_mut().zip(b) {
                let (lo, hi) = W::mac(ai, bj, *tj, c);
                *tj = lo;
                c = hi;
            }
            t[i + len] = c;
        }
        self.reduce(t, out);
    }

    /// Montgomery square `out = a²·R⁻¹ mod n` for `a < n`: each cross
    /// product once (doubled), then a separate reduction.
    fn sqr(&self, a: &[W], out: &mut [W], scratch: &mut [W]) {
        let n = &self.n[..];
        let len = n.len();
        let t = &mut scratch[..2 * len];
        t.fill(W::ZERO);
        for (i, &ai) in a[..len].iter().enumerate() {
            let mut c = W::ZERO;
            for (tj, &aj) in t[2 * i + 1..i + len].iter_mut().zip(&a[i + 1..len]) {
                let (lo, hi) = W::mac(ai, aj, *tj, c);
                *tj = lo;
                c = hi;
            }
            t[i + len] = c;
        }
        // double the cross products (their sum is < a², so no bit is lost),
        // and add the squares a_i² at limb 2i
        let mut shifted = W::ZERO;
        let mut c = W::ZERO;
        for (pair, &ai) in t.chunks_exact_mut(2).zip(&a[..len]) {
            let (d0, s0) = pair[0].shl1(shifted);
            let (d1, s1) = pair[1].shl1(s0);
            shifted = s1;
            let (lo, hi) = W::mac(ai, ai, d0, c);
            let (hi, k) = W::adc(d1, hi, W::ZERO);
            pair[0] = lo;
            pair[1] = hi;
            c = k;
        }
        self.reduce(t, out);
    }

    /// Montgomery reduction of `t < n·R` (`2·len` limbs): `out = t·R⁻¹ mod n`.
    fn reduce(&self, t: &mut [W], out: &mut [W]) {
        let n = &self.n[..];
        let len = n.len();
        let mut top = W::ZERO;
        for i in 0..len {
            let m = t[i].wrapping_mul(self.n0inv);
            let mut c = W::ZERO;
            let row = &mut t[i..i + len + 1];
            let (row, last) = row.split_at_mut(len);
            for (tj, &nj) in row.iter_mut().zip(n) {
                let (lo, hi) = W::mac(m, nj, *tj, c);
                *tj = lo;
                c = hi;
            }
            let (x, k) = W::adc(last[0], c, top);
            last[0] = x;
            top = k;
        }
        finish(&t[len..2 * len], top != W::ZERO, n, out);
    }
}

/// `out = t` or `t - n`, for `t + carry·R < 2n` (the last step of a
/// Montgomery product).
#[inline]
fn finish<W: Word>(t: &[W], carry: bool, n: &[W], out: &mut [W]) {
    if carry || !less_than(t, n) {
        let mut borrow = W::ZERO;
        for ((o, &x), &y) in out.iter_mut().zip(t).zip(n) {
            let (d, b) = W::sbb(x, y, borrow);
            *o = d;
            borrow = b;
        }
    } else {
        out.copy_from_slice(t);
    }
}

/// `x = 2x mod n` for `x < n`.
fn double_mod<W: Word>(x: &mut [W], n: &[W]) {
    let mut carry = W::ZERO;
    for limb in x.iter_mut() {
        let (v, c) = limb.shl1(carry);
        *limb = v;
        carry = c;
    }
    if carry != W::ZERO || !less_than(x, n) {
        sub_assign(x, n);
    }
}

/// `a` without its high zero limbs.
fn trim<W: Word>(a: &[W]) -> &[W] {
    let used = a.iter().rposition(|&x| x != W::ZERO).map_or(0, |i| i + 1);
    &a[..used]
}

/// `a < b` for equal-length little-endian limbs.
#[inline]
fn less_than<W: Word>(a: &[W], b: &[W]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(BITS·len)` (equal lengths).
fn sub_assign<W: Word>(a: &mut [W], b: &[W]) {
    let mut borrow = W::ZERO;
    for (o, &bj) in a.iter_mut().zip(b) {
        let (d, br) = W::sbb(*o, bj, borrow);
        *o = d;
        borrow = br;
    }
}

/// Little-endian limbs from big-endian bytes, into `out` (zero-padded).
/// `false` when the value does not fit `out`.
fn limbs_from_be<W: Word>(bytes: &[u8], out: &mut [W]) -> bool {
    let mut chunks = bytes.rchunks(W::BYTES);
    for o in out.iter_mut() {
        *o = chunks.next().map_or(W::ZERO, W::from_be);
    }
    chunks.all(|c| c.iter().all(|&b| b == 0))
}

/// Big-endian bytes (exactly `out.len()`) from little-endian limbs; the
/// value must fit.
fn limbs_to_be<W: Word>(limbs: &[W], out: &mut [u8]) {
    let mut limbs = limbs.iter();
    for chunk in out.rchunks_mut(W::BYTES) {
        limbs.next().copied().unwrap_or(W::ZERO).to_be(chunk);
    }
}

/// An RSA public key prepared for variable-time verification with the
/// target's [`Limb`]: [`PublicKeyOf`] with non-generic methods, so that the
/// arithmetic is compiled in this crate (the wasm build optimizes it for
/// speed while the rest, where generic code would be instantiated, is
/// optimized for size). On wasm32 built with `simd128`, moduli up to 3526
/// bits use the radix-2^28 SIMD128 kernel (`wasm_simd.rs`) instead.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PublicKey(
    PublicKeyOf<Limb>,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))] Option<wasm_simd::Key28>,
);

impl PublicKey {
    /// Prepares the key `(n, e)` from big-endian bytes (leading zero bytes
    /// allowed). `None` when `n` is even, below 3, or above [`MAX_BITS`].
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Option<Self> {
        let key = PublicKeyOf::from_be_bytes(n, e)?;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let key = PublicKey(key, wasm_simd::Key28::from_be_bytes(n, e));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let key = PublicKey(key);
        Some(key)
    }

    /// Byte length of the modulus.
    pub fn modulus_len(&self) -> usize {
        self.0.modulus_len()
    }

    /// `out = base^e mod n`, both big-endian and exactly
    /// [`PublicKey::modulus_len`] bytes. `false` (and `out` unspecified) on a
    /// length mismatch or when `base ≥ n`. Never allocates.
    pub fn pow_be(&self, base: &[u8], out: &mut [u8]) -> bool {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(k) = &self.1 {
            return k.pow_be(base, out);
        }
        self.0.pow_be(base, out)
    }
}

/// An RSA public key prepared for variable-time verification: the
/// Montgomery context of `n`, the exponent and `R^e mod n`, computed once.
/// Generic over the limb; [`PublicKey`] is the target's choice.
///
/// [`PublicKey::pow_be`] computes `s^e mod n` as `x·R^e·R⁻¹` where
/// `x = s^e·R^-(e-1)` comes from square-and-multiply on the plain `s`: no
/// conversion into the Montgomery domain and none out of it (for
/// `e = 65537`: 16 squarings and 2 multiplications).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKeyOf<W: Word> {
    mont: Montgomery<W>,
    /// The exponent, trimmed little-endian limbs (empty for 0).
    e: Vec<W>,
    /// `R^e mod n`.
    re: Vec<W>,
    /// Byte length of `n`.
    k: usize,
}

impl<W: Word> core::fmt::Debug for PublicKeyOf<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PublicKey").field("bytes", &self.k).finish()
    }
}

impl<W: Word> PublicKeyOf<W> {
    /// Prepares the key `(n, e)` from big-endian bytes (leading zero bytes
    /// allowed). `None` when `n` is even, below 3, or above [`MAX_BITS`].
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Option<Self> {
        let n = &n[n.iter().position(|&b| b != 0)?..];
        if n.len() > MAX_BITS / 8 {
            return None;
        }
        let mut nl = vec![W::ZERO; n.len().div_ceil(W::BYTES)];
        limbs_from_be(n, &mut nl);
        let mont = Montgomery::new(&nl)?;
        let e = e.get(e.iter().position(|&b| b != 0).unwrap_or(e.len())..)?;
        let mut el = vec![W::ZERO; e.len().div_ceil(W::BYTES)];
        limbs_from_be(e, &mut el);
        let len = mont.limbs();
        // R^e mod n: the Montgomery form of R^(e-1), i.e. (R in Montgomery
        // form = R² mod n) to the power e-1 ... computed as R^e·R·R⁻¹:
        // pow_raw on R² gives (R²)^e·R^-(e-1) = R^(e+1); one reduction → R^e.
        let mut scratch = [W::ZERO; 2 * CAP + 2];
        let mut acc = [W::ZERO; CAP];
        let mut re = vec![W::ZERO; len];
        let mut one = vec![W::ZERO; len];
        one[0] = W::ONE;
        if mont.pow_raw(&mont.rr, &el, &mut acc[..len], &mut scratch) {
            mont.mul(&acc[..len], &one, &mut re, &mut scratch);
        } else {
            re.copy_from_slice(&one); // e = 0: R^0 = 1
        }
        Some(PublicKeyOf {
            mont,
            e: el,
            re,
            k: n.len(),
        })
    }

    /// Byte length of the modulus.
    pub fn modulus_len(&self) -> usize {
        self.k
    }

    /// The Montgomery context of the modulus.
    pub fn montgomery(&self) -> &Montgomery<W> {
        &self.mont
    }

    /// `out = base^e mod n`, both big-endian and exactly
    /// [`PublicKeyOf::modulus_len`] bytes. `false` (and `out` unspecified)
    /// on a length mismatch or when `base ≥ n`. Never allocates.
    pub fn pow_be(&self, base: &[u8], out: &mut [u8]) -> bool {
        if base.len() != self.k || out.len() != self.k {
            return false;
        }
        let len = self.mont.limbs();
        let mut s = [W::ZERO; CAP];
        let s = &mut s[..len];
        if !limbs_from_be(base, s) || !less_than(s, &self.mont.n) {
            return false;
        }
        let mut scratch = [W::ZERO; 2 * CAP + 2];
        let mut acc = [W::ZERO; CAP];
        let acc = &mut acc[..len];
        let mut res = [W::ZERO; CAP];
        let res = &mut res[..len];
        if self.mont.pow_raw(s, &self.e, acc, &mut scratch) {
            // acc = s^e·R^-(e-1); ·R^e·R⁻¹ = s^e
            self.mont.mul(acc, &self.re, res, &mut scratch);
        } else {
            res[0] = W::ONE; // e = 0 (n ≥ 3)
        }
        limbs_to_be(res, out);
        true
    }
}

#[cfg(test)]
mod test_rng;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use num_bigint::BigUint;

    use crate::test_rng::Rng;

    /// Limbs of `x` for either word size, padded to `len`.
    fn to_limbs<W: Word>(x: &BigUint, len: usize) -> Vec<W> {
        let be = x.to_bytes_be();
        let mut v = vec![W::ZERO; len.max(be.len().div_ceil(W::BYTES))];
        assert!(limbs_from_be(&be, &mut v));
        v.truncate(len.max(trim(&v).len()));
        v
    }

    fn from_limbs<W: Word>(x: &[W]) -> BigUint {
        let mut be = vec![0u8; x.len() * W::BYTES];
        limbs_to_be(x, &mut be);
        BigUint::from_bytes_be(&be)
    }

    fn check_pow<W: Word>(rng: &mut Rng, nbytes: usize) {
        let mut nb = rng.bytes(nbytes);
        nb[nbytes - 1] |= 1;
        if nbytes > 1 {
            nb[0] |= 0x80 >> (rng.next() % 8);
        } else {
            nb[0] |= 3;
        }
        let n = BigUint::from_bytes_be(&nb);
        let len = nbytes.div_ceil(W::BYTES);
        let m = Montgomery::<W>::new(&to_limbs(&n, len)).expect("odd");
        assert_eq!(m.limbs(), len);
        assert_eq!(
            from_limbs(&m.rr),
            (BigUint::from(1u8) << (2 * 8 * W::BYTES * len)) % &n
        );
        let mut es = alloc::vec![
            BigUint::from(65537u32),
            BigUint::from(3u32),
            BigUint::from(1u32),
            BigUint::from(2u32),
            BigUint::from(0u32),
            BigUint::from_bytes_be(&rng.bytes(9)),
        ];
        if nbytes <= 64 {
            es.push(BigUint::from_bytes_be(&rng.bytes(nbytes)));
        }
        for e in es {
            let base = BigUint::from_bytes_be(&rng.bytes(nbytes)) % &n;
            let want = base.modpow(&e, &n);
            let got = m
                .pow(&to_limbs::<W>(&base, 0), &to_limbs::<W>(&e, 0))
                .expect("base < n");
            assert_eq!(from_limbs(&got), want, "n {n:x} e {e}");
            // the byte-oriented key
            let key = PublicKeyOf::<W>::from_be_bytes(&nb, &e.to_bytes_be()).expect("odd");
            assert_eq!(key.modulus_len(), nbytes);
            let mut sig = base.to_bytes_be();
            while sig.len() < nbytes {
                sig.insert(0, 0);
            }
            let mut out = alloc::vec![0u8; nbytes];
            assert!(key.pow_be(&sig, &mut out));
            assert_eq!(BigUint::from_bytes_be(&out), want, "n {n:x} e {e}");
        }
    }

    #[test]
    fn pow_matches_num_bigint_on_random_odd_moduli_both_limb_sizes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for nbytes in [
            1usize, 2, 3, 4, 5, 8, 9, 12, 16, 17, 33, 64, 100, 128, 256, 384, 512,
        ] {
            for _ in 0..3 {
                check_pow::<u32>(&mut rng, nbytes);
                check_pow::<u64>(&mut rng, nbytes);
            }
        }
        check_pow::<Limb>(&mut rng, MAX_BITS / 8);
    }

    fn edge_cases_for<W: Word + From<u32>>() {
        let w = |x: u32| W::from(x);
        let n = [w(0xffff_fffb), w(0xffff_ffff)]; // odd
        let m = Montgomery::new(&n).expect("odd");
        let one_zero = vec![W::ONE, W::ZERO];
        // e = 0 → 1; base 0 → 0; base ≥ n refused
        assert_eq!(m.pow(&[w(5)], &[]), Some(one_zero.clone()));
        assert_eq!(m.pow(&[w(5)], &[W::ZERO, W::ZERO]), Some(one_zero));
        assert_eq!(m.pow(&[], &[w(65537)]), Some(vec![W::ZERO, W::ZERO]));
        assert_eq!(m.pow(&n, &[w(3)]), None);
        assert_eq!(m.pow(&[W::ZERO, W::ZERO, W::ONE], &[w(3)]), None);
        // high zero limbs of n are ignored
        let m2 = Montgomery::new(&[w(0xffff_fffb), w(0xffff_ffff), W::ZERO, W::ZERO]).expect("odd");
        assert_eq!(m, m2);
        assert_eq!(m2.modulus(), &n[..]);
        // even, zero, one: no context; 3 is the smallest modulus
        assert!(Montgomery::<W>::new(&[w(10)]).is_none());
        assert!(Montgomery::<W>::new(&[]).is_none());
        assert!(Montgomery::<W>::new(&[W::ZERO, W::ZERO]).is_none());
        assert!(Montgomery::<W>::new(&[W::ONE]).is_none());
        let three = Montgomery::new(&[w(3)]).expect("3");
        assert_eq!(three.pow(&[w(2)], &[w(65537)]), Some(vec![w(2)]));
        assert_eq!(format!("{m:?}"), "Montgomery { limbs: 2 }");
        // too long
        assert!(Montgomery::<W>::new(&vec![W::ONE; MAX_BITS / 8 / W::BYTES + 1]).is_none());
    }

    #[test]
    fn edge_cases() {
        edge_cases_for::<u32>();
        edge_cases_for::<u64>();
    }

    fn malformed_for<W: Word>() {
        // even, zero, one, empty, too long: no key, no panic
        assert!(PublicKeyOf::<W>::from_be_bytes(&[0x10], &[3]).is_none());
        assert!(PublicKeyOf::<W>::from_be_bytes(&[0, 0], &[3]).is_none());
        assert!(PublicKeyOf::<W>::from_be_bytes(&[1], &[3]).is_none());
        assert!(PublicKeyOf::<W>::from_be_bytes(&[], &[3]).is_none());
        assert!(PublicKeyOf::<W>::from_be_bytes(&[0xff; MAX_BITS / 8 + 1], &[3]).is_none());
        // leading zero bytes of n and e are ignored
        let k = PublicKeyOf::<W>::from_be_bytes(&[0, 0, 0xc5], &[0, 0, 1, 0, 1]).expect("odd");
        assert_eq!(k.modulus_len(), 1);
        assert_eq!(format!("{k:?}"), "PublicKey { bytes: 1 }");
        let mut out = [0u8; 1];
        let nk = PublicKey::from_be_bytes(&[0xc5], &[3]).expect("odd");
        assert_eq!(format!("{nk:?}"), "PublicKey(PublicKey { bytes: 1 })");
        assert!(nk.pow_be(&[2], &mut out) && out == [8]);
        assert!(k.pow_be(&[2], &mut out));
        assert_eq!(
            BigUint::from(out[0]),
            BigUint::from(2u8).modpow(&BigUint::from(65537u32), &BigUint::from(0xc5u8))
        );
        // s ≥ n, wrong lengths
        assert!(!k.pow_be(&[0xc5], &mut out));
        assert!(!k.pow_be(&[0xff], &mut out));
        assert!(!k.pow_be(&[0, 2], &mut out));
        assert!(!k.pow_be(&[], &mut out));
        assert!(!k.pow_be(&[2], &mut [0u8; 2]));
        // e = 0 and empty e: s^0 = 1
        for e in [&[][..], &[0, 0][..]] {
            let k0 = PublicKeyOf::<W>::from_be_bytes(&[0xc5], e).expect("odd");
            assert!(k0.pow_be(&[7], &mut out));
            assert_eq!(out, [1]);
        }
        // a modulus whose top limb is small, full limbs of 0xff, n - 1
        let n: Vec<u8> = [&[1u8][..], &[0u8; 40][..], &[0x01][..]].concat();
        let k = PublicKeyOf::<W>::from_be_bytes(&n, &[1, 0, 1]).expect("odd");
        let mut s = n.clone();
        *s.last_mut().expect("nonempty") = 0; // n - 1
        let mut out = vec![0u8; n.len()];
        assert!(k.pow_be(&s, &mut out)); // (-1)^odd = n-1
        assert_eq!(out, s);
    }

    #[test]
    fn malformed_inputs_never_panic() {
        malformed_for::<u32>();
        malformed_for::<u64>();
    }

    #[test]
    fn byte_limb_round_trip() {
        let mut rng = Rng(7);
        for len in 0..40 {
            let b = rng.bytes(len);
            let mut l32 = vec![0u32; len.div_ceil(4)];
            let mut l64 = vec![0u64; len.div_ceil(8)];
            assert!(limbs_from_be(&b, &mut l32));
            assert!(limbs_from_be(&b, &mut l64));
            let mut back = vec![0u8; len];
            limbs_to_be(&l32, &mut back);
            assert_eq!(back, b);
            limbs_to_be(&l64, &mut back);
            assert_eq!(back, b);
            assert_eq!(from_limbs(&l32), BigUint::from_bytes_be(&b));
        }
        let mut small = [0u32; 1];
        assert!(!limbs_from_be(&[1, 0, 0, 0, 0], &mut small));
        assert!(limbs_from_be(&[0, 0, 0, 0, 5], &mut small));
        assert_eq!(small, [5]);
    }

    /// `base^e mod n` through [`PublicKey`] and [`Montgomery::pow`] for one
    /// limb size, against num-bigint (`None` when `n` has no context).
    fn both_paths<W: Word>(n: &[u8], base: &[u8], e: &[u8]) -> Option<(BigUint, BigUint)> {
        let key = PublicKeyOf::<W>::from_be_bytes(n, e)?;
        let nb = BigUint::from_bytes_be(n);
        let b = BigUint::from_bytes_be(base) % &nb;
        let mut sig = b.to_bytes_be();
        let k = key.modulus_len();
        while sig.len() < k {
            sig.insert(0, 0);
        }
        let mut out = vec![0u8; k];
        assert!(key.pow_be(&sig, &mut out));
        let eb = BigUint::from_bytes_be(e);
        let via_pow = key
            .montgomery()
            .pow(&to_limbs::<W>(&b, 0), &to_limbs::<W>(&eb, 0))
            .expect("base < n");
        assert_eq!(from_limbs(&via_pow), BigUint::from_bytes_be(&out));
        Some((BigUint::from_bytes_be(&out), b.modpow(&eb, &nb)))
    }

    proptest::proptest! {
        #[test]
        fn random_moduli_bases_exponents(
            (n, base, e, valid) in crate::test_rng::modexp_inputs(),
        ) {
            let nb = BigUint::from_bytes_be(&n);
            proptest::prop_assert_eq!(valid, nb.bit(0) && nb > BigUint::from(1u8));
            for got in [both_paths::<u32>(&n, &base, &e), both_paths::<u64>(&n, &base, &e)] {
                match got {
                    Some((got, want)) => proptest::prop_assert_eq!(got, want),
                    None => proptest::prop_assert!(!valid),
                }
            }
        }
    }
}
