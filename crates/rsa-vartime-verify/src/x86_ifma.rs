//! AVX-512 IFMA kernel (x86-64, runtime-detected): `s^e mod n` with
//! radix-2^52 limbs, eight to a 512-bit vector, multiplied with
//! `vpmadd52luq`/`vpmadd52huq` (`_mm512_madd52lo_epu64`/`_mm512_madd52hi_epu64`).
//!
//! The Montgomery product is the "almost Montgomery multiplication" of
//! Gueron and Krasnov (as in OpenSSL's `rsaz-*-avx512` code): word by word
//! over the multiplier, each step adds `a_i·b` and `y·n` (low halves), drops
//! the now-zero low limb by shifting the accumulator down one limb, then adds
//! the high halves at the same positions. Limbs are left unnormalized during
//! the loop (64-bit lanes hold the sum of at most `4L` 52-bit terms, `L ≤ 158`,
//! so no lane overflows) and carried once at the end. With `R = 2^(52L)` and
//! `R > 4n`, inputs below `2n` give an output below `2n`; the final result is
//! reduced below `n` once, in scalar code.
//!
//! As in the scalar path, square-and-multiply runs on the plain signature
//! (`x = s^e·R^-(e-1)`), and one last product with `R^e mod n`
//! (precomputed per key with the scalar code) gives `s^e mod n`.
//!
//! Everything here is variable-time (public data only). The vector code is
//! only reached through [`IfmaKey`], which can only be built when
//! [`available`] says the CPU supports AVX-512F and AVX-512 IFMA (and BMI2).

use alloc::vec;
use alloc::vec::Vec;
use core::arch::x86_64::{
    __m512i, _mm256_extracti128_si256, _mm512_add_epi64, _mm512_alignr_epi64, _mm512_and_si512,
    _mm512_castsi512_si256, _mm512_cmpgt_epu64_mask, _mm512_loadu_si512, _mm512_madd52hi_epu64,
    _mm512_madd52lo_epu64, _mm512_mask_madd52hi_epu64, _mm512_mask_madd52lo_epu64,
    _mm512_mask_set1_epi64, _mm512_permutex2var_epi64, _mm512_set1_epi64, _mm512_set_epi64,
    _mm512_setzero_si512, _mm512_srli_epi64, _mm512_storeu_si512, _mm_cvtsi128_si64,
};

use crate::{double_mod, less_than, limbs_from_be, limbs_to_be, sub_assign, Montgomery, MAX_BITS};

/// `2^52 - 1`.
const MASK52: u64 = (1 << 52) - 1;
/// Most vectors of eight 52-bit limbs a modulus of [`MAX_BITS`] needs
/// (`R = 2^(52L) > 4n` takes `L = ⌈(bits + 2) / 52⌉` limbs).
const MAX_VECS: usize = (MAX_BITS + 2).div_ceil(52).div_ceil(8);
/// Capacity, in 52-bit limbs, of the scratch arrays.
const CAP52: usize = MAX_VECS * 8;
/// Capacity, in 64-bit limbs, of the scalar scratch (one spare limb for a
/// value below `2n`).
const CAP64: usize = MAX_BITS / 64 + 1;

/// Whether this CPU (and OS) supports the kernel: AVX-512F and AVX-512 IFMA
/// (and BMI2, for the scalar half, which every such CPU has). The answer is
/// cached by `std` after the first call.
pub fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512ifma")
        && std::is_x86_feature_detected!("bmi2")
}

/// An RSA public key prepared for the AVX-512 IFMA kernel: the modulus in
/// 52-bit limbs, `-n⁻¹ mod 2^52`, the exponent and `R^e mod n` with
/// `R = 2^(52L)`, computed once. Only constructible when [`available`].
#[derive(Clone, PartialEq, Eq)]
pub struct IfmaKey {
    /// `n`, 52-bit limbs, zero-padded to whole vectors.
    n52: Vec<u64>,
    /// `n`, 64-bit limbs (no high zero limb).
    n64: Vec<u64>,
    /// `-n⁻¹ mod 2^52`.
    k0: u64,
    /// `R^e mod n`, 52-bit limbs, zero-padded to whole vectors.
    re52: Vec<u64>,
    /// The exponent, trimmed little-endian 64-bit limbs (empty for 0).
    e: Vec<u64>,
    /// Limb count `L` (`R = 2^(52L)`).
    l: usize,
    /// Byte length of `n`.
    k: usize,
}

impl core::fmt::Debug for IfmaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IfmaKey").field("bytes", &self.k).finish()
    }
}

impl IfmaKey {
    /// Prepares the key `(n, e)` from big-endian bytes (leading zero bytes
    /// allowed). `None` when the CPU lacks AVX-512 IFMA (see [`available`]),
    /// or `n` is even, below 3, or above [`MAX_BITS`].
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Option<Self> {
        if !available() {
            return None;
        }
        let n = &n[n.iter().position(|&b| b != 0)?..];
        if n.len() > MAX_BITS / 8 {
            return None;
        }
        let mut n64 = vec![0u64; n.len().div_ceil(8)];
        limbs_from_be(n, &mut n64);
        let mont = Montgomery::<u64>::new(&n64)?;
        let e = e.get(e.iter().position(|&b| b != 0).unwrap_or(e.len())..)?;
        let mut el = vec![0u64; e.len().div_ceil(8)];
        limbs_from_be(e, &mut el);
        let top = n64[n64.len() - 1];
        let nbits = n64.len() * 64 - top.leading_zeros() as usize;
        let l = (nbits + 2).div_ceil(52);
        // R mod n (R = 2^(52L) > n): doublings of 2^(nbits-1) < n
        let mut r = vec![0u64; n64.len()];
        r[(nbits - 1) / 64] = 1 << ((nbits - 1) % 64);
        for _ in nbits - 1..52 * l {
            double_mod(&mut r, &n64);
        }
        // R^e mod n with the scalar code, once per key
        let re = mont.pow(&r, &el)?;
        let vecs = l.div_ceil(8);
        let mut n52 = vec![0u64; vecs * 8];
        to52(&n64, &mut n52);
        let mut re52 = vec![0u64; vecs * 8];
        to52(&re, &mut re52);
        Some(IfmaKey {
            n52,
            n64,
            k0: mont.n0inv & MASK52,
            re52,
            e: el,
            l,
            k: n.len(),
        })
    }

    /// Byte length of the modulus.
    pub fn modulus_len(&self) -> usize {
        self.k
    }

    /// `out = base^e mod n`, both big-endian and exactly
    /// [`IfmaKey::modulus_len`] bytes. `false` (and `out` unspecified) on a
    /// length mismatch or when `base ≥ n`. Never allocates.
    pub fn pow_be(&self, base: &[u8], out: &mut [u8]) -> bool {
        if base.len() != self.k || out.len() != self.k {
            return false;
        }
        let len = self.n64.len();
        let mut s64 = [0u64; CAP64];
        if !limbs_from_be(base, &mut s64[..len]) || !less_than(&s64[..len], &self.n64) {
            return false;
        }
        let mut res64 = [0u64; CAP64];
        if self.e.is_empty() {
            res64[0] = 1; // s^0 = 1 (n ≥ 3)
        } else {
            let mut s52 = [0u64; CAP52];
            to52(&s64[..len], &mut s52[..self.n52.len()]);
            let mut r52 = [0u64; CAP52];
            if !self.pow52(&s52, &mut r52) {
                return false;
            }
            // r < 2n: at most one subtraction of n
            from52(&r52[..self.n52.len()], &mut res64[..len + 1]);
            if res64[len] != 0 || !less_than(&res64[..len], &self.n64) {
                sub_assign(&mut res64[..len], &self.n64);
            }
        }
        limbs_to_be(&res64[..len], out);
        true
    }

    /// `out = s^e·R^e·R^-e = s^e mod n` (below `2n`) in 52-bit limbs, with
    /// the kernel for this key's vector count.
    fn pow52(&self, s: &[u64; CAP52], out: &mut [u64; CAP52]) -> bool {
        macro_rules! by_vecs {
            ($($v:literal)*) => {
                match self.n52.len() / 8 {
                    $(
                        // SAFETY: an `IfmaKey` exists only when `available()`
                        // confirmed AVX-512F, AVX-512 IFMA and BMI2 at run
                        // time, the features `pow_kernel` is compiled for.
                        $v => unsafe { pow_kernel::<$v>(self, s, out) },
                    )*
                    _ => return false,
                }
            };
        }
        by_vecs!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20);
        true
    }
}

// Every key size must have its kernel instance.
const _: () = assert!(MAX_VECS <= 20);

/// `V` vectors from `8·V` limbs.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma,bmi2")]
fn load<const V: usize>(x: &[u64; CAP52]) -> [__m512i; V] {
    let mut v = [_mm512_setzero_si512(); V];
    for (k, vk) in v.iter_mut().enumerate() {
        // SAFETY: `V ≤ MAX_VECS`, so limbs `8k..8k+8` are inside the
        // `CAP52`-limb array; `loadu` has no alignment requirement.
        *vk = unsafe { _mm512_loadu_si512(x.as_ptr().add(8 * k).cast()) };
    }
    v
}

/// `8·V` limbs from `V` vectors.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma,bmi2")]
fn store<const V: usize>(v: &[__m512i; V], x: &mut [u64; CAP52]) {
    for (k, vk) in v.iter().enumerate() {
        // SAFETY: as in `load`, limbs `8k..8k+8` are in bounds; `storeu` has
        // no alignment requirement.
        unsafe { _mm512_storeu_si512(x.as_mut_ptr().add(8 * k).cast(), *vk) };
    }
}

/// Square-and-multiply over the key's exponent, then the product with
/// `R^e mod n`; `out` is `s^e mod n` plus possibly `n` (below `2n`).
#[target_feature(enable = "avx512f,avx512ifma,bmi2")]
fn pow_kernel<const V: usize>(key: &IfmaKey, s: &[u64; CAP52], out: &mut [u64; CAP52]) {
    let mut tmp = [0u64; CAP52];
    tmp[..8 * V].copy_from_slice(&key.n52[..8 * V]);
    let n = load::<V>(&tmp);
    tmp[..8 * V].copy_from_slice(&key.re52[..8 * V]);
    let re = load::<V>(&tmp);
    let sv = load::<V>(s);
    let ctx = Ctx {
        n,
        n012: [key.n52[0], key.n52[1], key.n52[2]],
        k0: key.k0,
        l: key.l,
    };
    let e = &key.e[..];
    let top = e[e.len() - 1];
    let bits = 64 * e.len() - top.leading_zeros() as usize;
    let mut acc = sv;
    for i in (0..bits - 1).rev() {
        store(&acc, &mut tmp);
        acc = ctx.ams(&tmp, &acc);
        if (e[i / 64] >> (i % 64)) & 1 == 1 {
            store(&acc, &mut tmp);
            acc = ctx.amm(&tmp, &sv, [s[0], s[1], s[2]]);
        }
    }
    store(&acc, &mut tmp);
    let r = ctx.amm(&tmp, &re, [key.re52[0], key.re52[1], key.re52[2]]);
    store(&r, out);
}

/// The modulus and its constants, for [`Ctx::amm`].
struct Ctx<const V: usize> {
    n: [__m512i; V],
    /// The three low limbs of `n`.
    n012: [u64; 3],
    /// `-n⁻¹ mod 2^52`.
    k0: u64,
    /// Limb count `L`.
    l: usize,
}

impl<const V: usize> Ctx<V> {
    /// Almost Montgomery product `a·b·R⁻¹ mod n`, below `2n` for `a, b < 2n`
    /// (52-bit limbs in, normalized 52-bit limbs out). `b012` is `b`'s three
    /// low limbs.
    ///
    /// Two accumulator sets (`a_i·b` and `y_i·n` terms), so that each
    /// vector chain has two dependent multiply-adds per step, not four. The
    /// low limb, which decides `y_{i+1}`, is tracked in scalar code (the
    /// vectors' lane 0 is never read: it only ever shifts out), and so is
    /// lane 1, from lane 2 read one step earlier: the `y` chain never waits
    /// for the vector latencies (multiply-add, shift, lane extraction).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,bmi2")]
    fn amm(&self, a: &[u64; CAP52], b: &[__m512i; V], b012: [u64; 3]) -> [__m512i; V] {
        let zero = _mm512_setzero_si512();
        let [b0, b1, b2] = b012;
        let [n0, n1, n2] = self.n012;
        let mut pa = [zero; V];
        let mut pn = [zero; V];
        // lanes 0 and 1 of the accumulator before step i, exactly
        let (mut t0, mut t1) = (0u64, 0u64);
        for &ai in &a[..self.l] {
            // lane 2 before this step's additions
            let v = _mm512_add_epi64(pa[0], pn[0]);
            let l2 =
                _mm_cvtsi128_si64(_mm256_extracti128_si256::<1>(_mm512_castsi512_si256(v))) as u64;
            let p0 = u128::from(ai) * u128::from(b0);
            let p1 = u128::from(ai) * u128::from(b1);
            let t = t0 + (p0 as u64 & MASK52);
            let y = t.wrapping_mul(self.k0) & MASK52;
            let bi = _mm512_set1_epi64(ai as i64);
            let yv = _mm512_set1_epi64(y as i64);
            for k in 0..V {
                pa[k] = _mm512_madd52lo_epu64(pa[k], bi, b[k]);
                pn[k] = _mm512_madd52lo_epu64(pn[k], yv, self.n[k]);
            }
            for k in 0..V - 1 {
                pa[k] = _mm512_alignr_epi64::<1>(pa[k + 1], pa[k]);
                pn[k] = _mm512_alignr_epi64::<1>(pn[k + 1], pn[k]);
            }
            pa[V - 1] = _mm512_alignr_epi64::<1>(zero, pa[V - 1]);
            pn[V - 1] = _mm512_alignr_epi64::<1>(zero, pn[V - 1]);
            for k in 0..V {
                pa[k] = _mm512_madd52hi_epu64(pa[k], bi, b[k]);
                pn[k] = _mm512_madd52hi_epu64(pn[k], yv, self.n[k]);
            }
            // the next lanes 0 and 1: each gets the low products of the
            // lane above and the high products of its own; lane 0 also the
            // carry of t + lo(y·n_0), which is ≡ 0 mod 2^52 (shifted out):
            // (t >> 52) + (t mod 2^52 ≠ 0), known before y
            let carry = (t >> 52) + u64::from(t & MASK52 != 0);
            let q0 = u128::from(y) * u128::from(n0);
            let q1 = u128::from(y) * u128::from(n1);
            let ahead0 = t1 + (p1 as u64 & MASK52) + (p0 >> 52) as u64 + carry;
            t0 = ahead0 + ((q1 as u64 & MASK52) + (q0 >> 52) as u64);
            let ahead1 = l2 + (ai.wrapping_mul(b2) & MASK52) + (p1 >> 52) as u64;
            t1 = ahead1 + ((y.wrapping_mul(n2) & MASK52) + (q1 >> 52) as u64);
        }
        let mut acc = [zero; V];
        for k in 0..V {
            acc[k] = _mm512_add_epi64(pa[k], pn[k]);
        }
        acc[0] = _mm512_mask_set1_epi64(acc[0], 1, t0 as i64);
        normalize(&mut acc);
        acc
    }
}

impl<const V: usize> Ctx<V> {
    /// Almost Montgomery square `a²·R⁻¹ mod n`, below `2n` for `a < 2n`
    /// (`a` as limbs and as vectors; normalized limbs out), as [`Ctx::amm`]
    /// but with each cross product `a_i·a_j` computed once: step `i` adds
    /// `a_i·a_j` for `j > i` only (masked multiply-adds, whole vectors
    /// skipped) into a third accumulator set that is doubled when read, and
    /// the squares `a_j²` enter the `y·n` set, precomputed, at the top of the
    /// window as it shifts. About a fifth fewer multiply-adds at 2048 bits.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma,bmi2")]
    fn ams(&self, a: &[u64; CAP52], av: &[__m512i; V]) -> [__m512i; V] {
        let zero = _mm512_setzero_si512();
        // the squares: limb 2j gets the low half of a_j², limb 2j+1 the high half
        let mut d = [0u64; 2 * CAP52];
        let lo_idx = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
        let hi_idx = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
        for (k, &x) in av.iter().enumerate() {
            let lo = _mm512_madd52lo_epu64(zero, x, x);
            let hi = _mm512_madd52hi_epu64(zero, x, x);
            // SAFETY: `16k + 16 ≤ 16·V ≤ 2·CAP52`: both stores are inside
            // `d`; `storeu` has no alignment requirement.
            unsafe {
                let p = d.as_mut_ptr().add(16 * k);
                _mm512_storeu_si512(p.cast(), _mm512_permutex2var_epi64(lo, lo_idx, hi));
                _mm512_storeu_si512(p.add(8).cast(), _mm512_permutex2var_epi64(lo, hi_idx, hi));
            }
        }
        let [n0, n1, n2] = self.n012;
        // cross products (to be doubled), and y·n plus the squares
        let mut po = [zero; V];
        let mut pn = [zero; V];
        for (k, v) in pn.iter_mut().enumerate() {
            // SAFETY: `8k + 8 ≤ 8·V ≤ 2·CAP52`, inside `d`; unaligned load.
            *v = unsafe { _mm512_loadu_si512(d.as_ptr().add(8 * k).cast()) };
        }
        // lanes 0 and 1 of the (doubled) accumulator before step i, exactly
        let (mut t0, mut t1) = (d[0], d[1]);
        for (i, &ai) in a[..self.l].iter().enumerate() {
            // lane 2 before this step's additions
            let v = _mm512_add_epi64(_mm512_add_epi64(po[0], po[0]), pn[0]);
            let l2 =
                _mm_cvtsi128_si64(_mm256_extracti128_si256::<1>(_mm512_castsi512_si256(v))) as u64;
            let t = t0;
            let y = t.wrapping_mul(self.k0) & MASK52;
            let bi = _mm512_set1_epi64(ai as i64);
            let yv = _mm512_set1_epi64(y as i64);
            // lanes j > i of vector k (none when 8k + 7 ≤ i)
            let mask = |k: usize| -> u8 {
                if 8 * k > i {
                    0xff
                } else {
                    0xffu8.checked_shl((i + 1 - 8 * k) as u32).unwrap_or(0)
                }
            };
            for k in 0..V {
                if 8 * k + 7 > i {
                    po[k] = _mm512_mask_madd52lo_epu64(po[k], mask(k), bi, av[k]);
                }
                pn[k] = _mm512_madd52lo_epu64(pn[k], yv, self.n[k]);
            }
            for k in 0..V - 1 {
                po[k] = _mm512_alignr_epi64::<1>(po[k + 1], po[k]);
                pn[k] = _mm512_alignr_epi64::<1>(pn[k + 1], pn[k]);
            }
            po[V - 1] = _mm512_alignr_epi64::<1>(zero, po[V - 1]);
            // the squares' limb i + 8V enters at the top
            let next = _mm512_set1_epi64(d[8 * V + i] as i64);
            pn[V - 1] = _mm512_alignr_epi64::<1>(next, pn[V - 1]);
            for k in 0..V {
                if 8 * k + 7 > i {
                    po[k] = _mm512_mask_madd52hi_epu64(po[k], mask(k), bi, av[k]);
                }
                pn[k] = _mm512_madd52hi_epu64(pn[k], yv, self.n[k]);
            }
            // the next lanes 0 and 1, as in `amm`; the cross products reach
            // them only in steps 0 and 1
            let carry = (t >> 52) + u64::from(t & MASK52 != 0);
            let q0 = u128::from(y) * u128::from(n0);
            let q1 = u128::from(y) * u128::from(n1);
            let (mut c0, mut c1) = (0u64, 0u64);
            if i < 2 {
                let p2 = u128::from(ai) * u128::from(a[2]);
                c1 = 2 * (p2 as u64 & MASK52);
                if i == 0 {
                    let p1 = u128::from(ai) * u128::from(a[1]);
                    c0 = 2 * (p1 as u64 & MASK52);
                    c1 += 2 * (p1 >> 52) as u64;
                }
            }
            t0 = t1 + carry + c0 + ((q1 as u64 & MASK52) + (q0 >> 52) as u64);
            t1 = l2 + c1 + ((y.wrapping_mul(n2) & MASK52) + (q1 >> 52) as u64);
        }
        let mut acc = [zero; V];
        for k in 0..V {
            acc[k] = _mm512_add_epi64(_mm512_add_epi64(po[k], po[k]), pn[k]);
        }
        acc[0] = _mm512_mask_set1_epi64(acc[0], 1, t0 as i64);
        normalize(&mut acc);
        acc
    }
}

/// Carries every limb above 52 bits into the next one, until all limbs are
/// below 2^52 (the value fits `8·V` limbs, so nothing leaves the top).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma,bmi2")]
fn normalize<const V: usize>(acc: &mut [__m512i; V]) {
    let mask = _mm512_set1_epi64(MASK52 as i64);
    loop {
        let mut prev = _mm512_setzero_si512();
        let mut over = 0u8;
        for a in acc.iter_mut() {
            let c = _mm512_srli_epi64::<52>(*a);
            let lo = _mm512_and_si512(*a, mask);
            *a = _mm512_add_epi64(lo, _mm512_alignr_epi64::<7>(c, prev));
            over |= _mm512_cmpgt_epu64_mask(*a, mask);
            prev = c;
        }
        if over == 0 {
            return;
        }
    }
}

/// 52-bit limbs (all of `dst`) from 64-bit limbs.
fn to52(src: &[u64], dst: &mut [u64]) {
    for (j, d) in dst.iter_mut().enumerate() {
        let bit = 52 * j;
        let (w, sh) = (bit / 64, bit % 64);
        let mut x = src.get(w).map_or(0, |v| v >> sh);
        if sh > 12 {
            x |= src.get(w + 1).map_or(0, |v| v << (64 - sh));
        }
        *d = x & MASK52;
    }
}

/// 64-bit limbs (all of `dst`) from normalized 52-bit limbs.
fn from52(src: &[u64], dst: &mut [u64]) {
    for (w, d) in dst.iter_mut().enumerate() {
        let bit = 64 * w;
        let (j, sh) = (bit / 52, bit % 52);
        let mut x = src.get(j).map_or(0, |v| v >> sh);
        x |= src.get(j + 1).map_or(0, |v| v << (52 - sh));
        if sh > 40 {
            x |= src.get(j + 2).map_or(0, |v| v << (104 - sh));
        }
        *d = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PublicKeyOf;
    use num_bigint::BigUint;

    use crate::test_rng::Rng;

    /// `false` (after a note) when the CPU cannot run the kernel.
    fn have_ifma() -> bool {
        let ok = available();
        if !ok {
            std::eprintln!("note: no AVX-512 IFMA on this CPU, IFMA tests skipped");
        }
        ok
    }

    fn padded(x: &BigUint, k: usize) -> Vec<u8> {
        let b = x.to_bytes_be();
        let mut v = vec![0u8; k - b.len()];
        v.extend_from_slice(&b);
        v
    }

    /// IFMA, scalar (u64) and num-bigint agree on `base^e mod n`.
    fn check(n: &[u8], base: &BigUint, e: &[u8]) {
        let nb = BigUint::from_bytes_be(n);
        let key = IfmaKey::from_be_bytes(n, e).expect("odd modulus");
        let scalar = PublicKeyOf::<u64>::from_be_bytes(n, e).expect("odd modulus");
        let k = key.modulus_len();
        assert_eq!(k, scalar.modulus_len());
        let sig = padded(base, k);
        let mut got = vec![0u8; k];
        let mut want_scalar = vec![0u8; k];
        assert!(key.pow_be(&sig, &mut got));
        assert!(scalar.pow_be(&sig, &mut want_scalar));
        let want = base.modpow(&BigUint::from_bytes_be(e), &nb);
        assert_eq!(BigUint::from_bytes_be(&got), want, "n {nb:x} e {e:?}");
        assert_eq!(got, want_scalar);
    }

    fn random_modulus(rng: &mut Rng, bits: usize) -> Vec<u8> {
        let k = bits.div_ceil(8);
        let mut n = rng.bytes(k);
        let top = bits - 8 * (k - 1); // bits in the first byte, 1..=8
        n[0] &= (0xffu16 >> (8 - top)) as u8;
        n[0] |= 1 << (top - 1);
        n[k - 1] |= 1;
        if bits == 2 {
            n[0] = 3;
        }
        n
    }

    #[test]
    fn matches_scalar_and_num_bigint_on_random_moduli() {
        if !have_ifma() {
            return;
        }
        let mut rng = Rng(0x1f2e_3d4c_5b6a_7988);
        let sizes = [
            2048usize,
            3072,
            4096,
            1024 + 52,
            1024,
            2047,
            2049,
            2050,
            2080,
            2078,
            2079,
            4094,
            4095,
            8192,
            MAX_BITS - 1,
            512,
            416,
            415,
            414,
            64,
            52,
            50,
            8,
            2,
        ];
        for bits in sizes {
            for _ in 0..3 {
                let n = random_modulus(&mut rng, bits);
                let nb = BigUint::from_bytes_be(&n);
                let one = BigUint::from(1u8);
                let bases = [
                    BigUint::from(0u8),
                    one.clone(),
                    &nb - &one,
                    BigUint::from_bytes_be(&rng.bytes(n.len())) % &nb,
                    BigUint::from_bytes_be(&rng.bytes(n.len())) % &nb,
                ];
                let rand_e = rng.bytes(if bits <= 1100 { n.len() } else { 9 });
                for e in [&[1u8, 0, 1][..], &[3], &[1], &[2], &[], &[0, 0], &rand_e] {
                    for b in &bases {
                        check(&n, b, e);
                    }
                }
            }
        }
    }

    #[test]
    fn malformed_inputs_are_refused_without_panic() {
        if !have_ifma() {
            return;
        }
        assert!(IfmaKey::from_be_bytes(&[0x10], &[3]).is_none());
        assert!(IfmaKey::from_be_bytes(&[0, 0], &[3]).is_none());
        assert!(IfmaKey::from_be_bytes(&[1], &[3]).is_none());
        assert!(IfmaKey::from_be_bytes(&[], &[3]).is_none());
        assert!(IfmaKey::from_be_bytes(&[0xff; MAX_BITS / 8 + 1], &[3]).is_none());
        let n = [0xc5u8; 256];
        let key = IfmaKey::from_be_bytes(&[&[0u8, 0][..], &n].concat(), &[1, 0, 1]).expect("odd");
        assert_eq!(key.modulus_len(), 256);
        assert_eq!(std::format!("{key:?}"), "IfmaKey { bytes: 256 }");
        let mut out = [0u8; 256];
        assert!(!key.pow_be(&n, &mut out)); // s = n
        assert!(!key.pow_be(&[0xff; 256], &mut out)); // s > n
        assert!(!key.pow_be(&[1; 255], &mut out));
        assert!(!key.pow_be(&[1; 256], &mut out[..255]));
        assert!(key.pow_be(&[1; 256], &mut out));
    }

    #[test]
    fn limb_repacking_round_trips() {
        let mut rng = Rng(5);
        for len in 1usize..40 {
            let x: Vec<u64> = (0..len).map(|_| rng.next()).collect();
            let mut l52 = vec![0u64; (64 * len).div_ceil(52)];
            to52(&x, &mut l52);
            assert!(l52.iter().all(|&v| v <= MASK52));
            let mut back = vec![0u64; len];
            from52(&l52, &mut back);
            assert_eq!(back, x);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn random_inputs_agree_with_scalar(
            n in proptest::collection::vec(proptest::num::u8::ANY, 1..600),
            base in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
            e in proptest::collection::vec(proptest::num::u8::ANY, 0..6),
        ) {
            if available() {
                let nb = BigUint::from_bytes_be(&n);
                if nb.bit(0) && nb > BigUint::from(1u8) {
                    check(&n, &(BigUint::from_bytes_be(&base) % &nb), &e);
                } else {
                    proptest::prop_assert!(IfmaKey::from_be_bytes(&n, &e).is_none());
                }
            }
        }
    }
}
