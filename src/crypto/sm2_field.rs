//! Conversions between the `sm2` crate's field elements and the Montgomery words of
//! `miniapp-sm2-field` (the arithmetic of [`super::sm2_table`]'s hot loop): both hold `x·2^256 mod p`,
//! so a value moves between them as words, without a multiplication.

use sm2::elliptic_curve::bigint::Word;
use sm2::elliptic_curve::hazmat::FieldArithmetic;
use sm2::Sm2;

pub use miniapp_sm2_field::{add, mul, neg, sub, M};

/// An element of the SM2 base field, in the `sm2` crate's type.
pub type Fe = <Sm2 as FieldArithmetic>::FieldElement;

/// Bytes per word of the `sm2` crate's integers.
const WORD_BYTES: usize = core::mem::size_of::<Word>();

/// The Montgomery words of `fe`.
pub fn from_fe(fe: Fe) -> M {
    let mut bytes = [0u8; 32];
    let words = primefield::MontyFieldElement::from(fe).to_montgomery_words();
    for (chunk, w) in bytes.chunks_exact_mut(WORD_BYTES).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    let mut out = [0u32; 8];
    for (o, chunk) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = chunk.iter().rev().fold(0, |acc, b| (acc << 8) | u32::from(*b));
    }
    out
}

/// The field element whose Montgomery words are `m` (which must be below `p`).
pub fn to_fe(m: &M) -> Fe {
    let mut bytes = [0u8; 32];
    for (chunk, w) in bytes.chunks_exact_mut(4).zip(m) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    let mut words = [0 as Word; sm2::U256::LIMBS];
    for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(WORD_BYTES)) {
        *w = chunk.iter().rev().fold(0, |acc, b| (acc << 8) | Word::from(*b));
    }
    Fe::from(primefield::MontyFieldElement::from_montgomery_words(words))
}

/// `a^(p-2)`: the inverse of `a` (zero for zero), in Montgomery words. A fixed addition chain over
/// the runs of ones of `p - 2` (31 ones, 0, 128 ones, 32 zeros, 62 ones, 0, 1): 353 squarings and
/// 14 multiplications, the same for every input. Replaces the `sm2` crate's `invert`, whose
/// divstep code is ~5 KB of wasm, for the one inversion per encryption and per table.
pub fn invert(a: &M) -> M {
    let sq = |x: &M, n: usize| (0..n).fold(*x, |y, _| mul(&y, &y));
    let x1 = *a;
    let x2 = mul(&sq(&x1, 1), &x1);
    let x3 = mul(&sq(&x2, 1), &x1);
    let x4 = mul(&sq(&x3, 1), &x1);
    let x6 = mul(&sq(&x3, 3), &x3);
    let x12 = mul(&sq(&x6, 6), &x6);
    let x15 = mul(&sq(&x12, 3), &x3);
    let x30 = mul(&sq(&x15, 15), &x15);
    let x31 = mul(&sq(&x30, 1), &x1);
    let x62 = mul(&sq(&x31, 31), &x31);
    let x124 = mul(&sq(&x62, 62), &x62);
    let x128 = mul(&sq(&x124, 4), &x4);
    let r = mul(&sq(&sq(&x31, 1), 128), &x128);
    let r = mul(&sq(&sq(&r, 32), 62), &x62);
    mul(&sq(&r, 2), &x1)
}

/// `(p + 1) / 4`, big-endian: `p ≡ 3 (mod 4)`, so `a^((p+1)/4)` is a square root of a square `a`.
const SQRT_EXP: [u8; 32] = [
    0x3f, 0xff, 0xff, 0xff, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// A square root of `a` (Montgomery words), if `a` is a square. Square-and-multiply over the
/// public exponent; used once per parsed public key.
pub fn sqrt(a: &M) -> Option<M> {
    let mut y = from_fe(Fe::ONE);
    for byte in SQRT_EXP {
        for bit in (0..8).rev() {
            y = mul(&y, &y);
            if (byte >> bit) & 1 == 1 {
                y = mul(&y, a);
            }
        }
    }
    (mul(&y, &y) == *a).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::elliptic_curve::ff::Field;

    #[test]
    fn sqrt_agrees_with_the_sm2_crates() {
        let mut x = Fe::from(0x0bad_cafe_f00d_u64);
        let (mut squares, mut non_squares) = (0, 0);
        for _ in 0..60 {
            x = x.square() + Fe::from(5u64);
            match Option::<Fe>::from(x.sqrt()) {
                Some(r) => {
                    let ours = to_fe(&sqrt(&from_fe(x)).unwrap());
                    assert!(ours == r || ours == -r);
                    squares += 1;
                }
                None => {
                    assert!(sqrt(&from_fe(x)).is_none());
                    non_squares += 1;
                }
            }
        }
        assert!(squares > 10 && non_squares > 10);
        assert_eq!(sqrt(&[0; 8]), Some([0; 8]));
    }

    #[test]
    fn invert_agrees_with_the_sm2_crates() {
        assert_eq!(invert(&[0; 8]), [0; 8]);
        let mut x = Fe::from(0x1234_5678_9abc_def1u64);
        for _ in 0..50 {
            x = x.square() + Fe::from(7u64);
            let want = Option::<Fe>::from(x.invert()).unwrap();
            assert_eq!(to_fe(&invert(&from_fe(x))), want);
        }
        assert_eq!(to_fe(&invert(&from_fe(-Fe::ONE))), -Fe::ONE);
        assert_eq!(to_fe(&invert(&from_fe(Fe::ONE))), Fe::ONE);
    }

    #[test]
    fn agrees_with_the_sm2_crates_field() {
        let mut values = vec![Fe::ZERO, Fe::ONE, -Fe::ONE, -Fe::ONE.double(), Fe::from(0xffff_ffffu64)];
        let mut x = Fe::from(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..40 {
            x = x.square() + Fe::from(3u64);
            values.push(x);
            values.push(-x);
        }
        for a in &values {
            assert_eq!(to_fe(&from_fe(*a)), *a);
            assert_eq!(to_fe(&neg(&from_fe(*a))), -*a);
            for b in values.iter().step_by(7) {
                let (ma, mb) = (from_fe(*a), from_fe(*b));
                assert_eq!(to_fe(&mul(&ma, &mb)), *a * b);
                assert_eq!(to_fe(&add(&ma, &mb)), *a + b);
                assert_eq!(to_fe(&sub(&ma, &mb)), *a - b);
            }
        }
    }
}
