//! `s^65537 mod n` for 2048-, 3072- and 4096-bit moduli: the AVX-512 IFMA
//! kernel (x86-64 CPUs with it) and the scalar kernel with both limb sizes.
//!
//! `cargo bench -p rsa-vartime-verify --bench pow -- --warm-up-time 1 --measurement-time 2`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rsa_vartime_verify::{PublicKeyOf, Word};

/// Deterministic pseudo-random bytes (xorshift64*).
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn bench_one<W: Word>(c: &mut Criterion, name: &str, bits: usize) {
    let mut n = bytes(bits as u64, bits / 8);
    n[0] |= 0x80;
    *n.last_mut().unwrap() |= 1;
    let mut s = bytes(99, bits / 8);
    s[0] &= 0x7f;
    let key = PublicKeyOf::<W>::from_be_bytes(&n, &[1, 0, 1]).unwrap();
    let mut out = vec![0u8; bits / 8];
    c.bench_function(&format!("pow65537_{bits}/{name}"), |b| {
        b.iter(|| assert!(key.pow_be(black_box(&s), &mut out)))
    });
    if bits == 2048 {
        c.bench_function(&format!("key_setup_{bits}/{name}"), |b| {
            b.iter(|| PublicKeyOf::<W>::from_be_bytes(black_box(&n), &[1, 0, 1]).unwrap())
        });
    }
}

/// The AVX-512 IFMA kernel (skipped, with a note, on CPUs without it).
#[cfg(target_arch = "x86_64")]
fn bench_ifma(c: &mut Criterion, bits: usize) {
    use rsa_vartime_verify::x86_ifma::IfmaKey;
    let mut n = bytes(bits as u64, bits / 8);
    n[0] |= 0x80;
    *n.last_mut().unwrap() |= 1;
    let mut s = bytes(99, bits / 8);
    s[0] &= 0x7f;
    let Some(key) = IfmaKey::from_be_bytes(&n, &[1, 0, 1]) else {
        eprintln!("note: no AVX-512 IFMA on this CPU, ifma rows skipped");
        return;
    };
    let mut out = vec![0u8; bits / 8];
    c.bench_function(&format!("pow65537_{bits}/ifma"), |b| {
        b.iter(|| assert!(key.pow_be(black_box(&s), &mut out)))
    });
    if bits == 2048 {
        c.bench_function(&format!("key_setup_{bits}/ifma"), |b| {
            b.iter(|| IfmaKey::from_be_bytes(black_box(&n), &[1, 0, 1]).unwrap())
        });
    }
}

fn bench(c: &mut Criterion) {
    for bits in [2048, 3072, 4096] {
        #[cfg(target_arch = "x86_64")]
        bench_ifma(c, bits);
        bench_one::<u64>(c, "u64", bits);
        bench_one::<u32>(c, "u32", bits);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
