//! Deterministic pseudo-random inputs for the differential tests of every
//! kernel (xorshift64*).

use alloc::vec::Vec;

/// xorshift64* with a fixed seed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 pseudo-random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// `len` pseudo-random bytes (the high byte of each draw).
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next() >> 56) as u8).collect()
    }
}

/// Proptest inputs of the kernels' differential tests: a big-endian modulus
/// (valid when odd and > 1), base and exponent of random lengths, and
/// whether the modulus is a valid one.
pub(crate) fn modexp_inputs(
) -> impl proptest::strategy::Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>, bool)> {
    use proptest::collection::vec;
    use proptest::num::u8::ANY;
    use proptest::strategy::Strategy;
    (vec(ANY, 1..80), vec(ANY, 0..90), vec(ANY, 0..12)).prop_map(|(n, base, e)| {
        let odd = n.last().is_some_and(|b| b & 1 == 1);
        let above_one = n.last().is_some_and(|&b| b > 1) || n.iter().rev().skip(1).any(|&b| b != 0);
        let valid = odd && above_one;
        (n, base, e, valid)
    })
}
