//! Arithmetic modulo the SM2 prime `p = 2^256 - 2^224 - 2^96 + 2^64 - 1` on eight 32-bit words in
//! Montgomery form (`R = 2^256`), for the fixed-base tables of miniapp-sdk's SM2 encryption.
//!
//! A crate of its own so that it is compiled at opt-level 3 while the SDK is compiled for size
//! (Cargo's per-package profiles): at opt-level "z" its loops stay loops and a multiplication is
//! 1.5x slower than the `sm2` crate's; at 3 they unroll into straight-line code, 2.4x faster.
//!
//! Why not the `sm2` crate's arithmetic: on wasm32 it runs fiat-crypto's 64-bit backend, whose
//! every 64x64->128 product is a call to `__multi3` (wasm has no wide multiply). Here products are
//! 32x32->64 (`i64.mul`), the Montgomery quotient digit is the low word itself (`-p^-1 = 1 mod
//! 2^32`) and the multiples of `p`'s words (`0`, `2^32-1`, `2^32-2`) fold to shifts. Every function
//! runs the same instructions whatever the values (no branches, no value-dependent indexing):
//! they handle multiples of a secret scalar. Inputs must be reduced (`< p`); outputs are.
#![no_std]

/// A field element in Montgomery form, least significant word first, fully reduced (`< p`).
pub type M = [u32; 8];

/// `p`, least significant word first.
const P: M = [0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_fffe];

/// `t - p` when `t >= p` (with `top` the carry word above `t`), else `t`, in constant time.
fn reduce_once(t: &M, top: u32) -> M {
    let mut r = [0u32; 8];
    let mut borrow = 0u64;
    for ((r, t), p) in r.iter_mut().zip(t).zip(P) {
        let d = u64::from(*t).wrapping_sub(u64::from(p)).wrapping_sub(borrow);
        *r = d as u32;
        borrow = (d >> 63) & 1;
    }
    // Keep t when the subtraction borrowed past the carry word: mask all ones then.
    let keep = (u64::from(top).wrapping_sub(borrow) >> 63) as u32;
    let mask = keep.wrapping_neg();
    let mut out = [0u32; 8];
    for ((o, t), r) in out.iter_mut().zip(t).zip(r) {
        *o = (t & mask) | (r & !mask);
    }
    out
}

/// `a + b mod p`.
pub fn add(a: &M, b: &M) -> M {
    let mut t = [0u32; 8];
    let mut carry = 0u64;
    for ((t, a), b) in t.iter_mut().zip(a).zip(b) {
        let s = u64::from(*a) + u64::from(*b) + carry;
        *t = s as u32;
        carry = s >> 32;
    }
    reduce_once(&t, carry as u32)
}

/// `a - b mod p`.
pub fn sub(a: &M, b: &M) -> M {
    let mut t = [0u32; 8];
    let mut borrow = 0u64;
    for ((t, a), b) in t.iter_mut().zip(a).zip(b) {
        let d = u64::from(*a).wrapping_sub(u64::from(*b)).wrapping_sub(borrow);
        *t = d as u32;
        borrow = (d >> 63) & 1;
    }
    // Add p back when it borrowed.
    let mask = (borrow as u32).wrapping_neg();
    let mut carry = 0u64;
    for (t, p) in t.iter_mut().zip(P) {
        let s = u64::from(*t) + u64::from(p & mask) + carry;
        *t = s as u32;
        carry = s >> 32;
    }
    t
}

/// `-a mod p`.
pub fn neg(a: &M) -> M {
    sub(&[0; 8], a)
}

/// `a·b·R^-1 mod p` (Montgomery multiplication, word-by-word).
pub fn mul(a: &M, b: &M) -> M {
    let mut t = [0u32; 10];
    for bi in b {
        let mut c = 0u64;
        for (t, a) in t.iter_mut().zip(a) {
            let s = u64::from(*t) + u64::from(*a) * u64::from(*bi) + c;
            *t = s as u32;
            c = s >> 32;
        }
        let s = u64::from(t[8]) + c;
        t[8] = s as u32;
        t[9] = (s >> 32) as u32;
        // q = t[0]·(-p^-1) mod 2^32 = t[0]; add q·p and drop the (now zero) low word.
        let q = u64::from(t[0]);
        let mut c = (u64::from(t[0]) + q * u64::from(P[0])) >> 32;
        for j in 1..8 {
            let s = u64::from(t[j]) + q * u64::from(P[j]) + c;
            t[j - 1] = s as u32;
            c = s >> 32;
        }
        let s = u64::from(t[8]) + c;
        t[7] = s as u32;
        t[8] = t[9] + (s >> 32) as u32;
    }
    let mut low = [0u32; 8];
    low.copy_from_slice(&t[..8]);
    reduce_once(&low, t[8])
}
