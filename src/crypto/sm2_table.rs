//! Constant-time scalar multiplication on the SM2 curve for the two products of an encryption,
//! `[k]G` and `[k]P` with a fresh secret `k`, on the word arithmetic of [`super::sm2_field`].
//!
//! First use of a point: a signed radix-16 ladder (256 doublings, 65 additions of a looked-up
//! multiple). From the second use on, a [`FixedBaseTable`]: `k` split into [`ROWS`] signed digits
//! of [`WINDOW`] bits (each in `-31..=32`) and, for each digit position `i`, the affine multiples
//! `1..=32` of `2^(6i)·P` kept as Montgomery words, all normalised with one inversion; `[k]P` is
//! then [`ROWS`] mixed additions and no doubling. The formulas are the complete ones of
//! Renes-Costello-Batina 2015 for `a = -3` (algorithms 4, 5 and 6, as in `primeorder`). A lookup
//! reads every entry of its table and keeps one with word masks, and a zero digit keeps the sum
//! through a mask, so neither time nor memory access depends on `k`.
//!
//! Measured in wasm (Node, 2 products per encryption), against the earlier radix-16 table of
//! projective entries selected with `subtle` (66 full additions and 4 doublings): affine entries
//! through `subtle`/`cmov` 1.2x (the per-limb `cmov` calls were a quarter of the time); raw words
//! with masks 1.55x with 5-bit windows, 1.78x with 6-bit, 1.72x with 7-bit; then the 32-bit word
//! field arithmetic instead of the `sm2` crate's another 1.4x.
//!
//! A table costs 88 KB and about 6 ladder multiplications to build, which is why [`FixedBase`]
//! only builds one for a point it has already multiplied once: a one-off login (the common case,
//! right after a cold start) pays for neither table, a second encryption builds them.

use super::sm2_field::{add, from_fe, invert, mul, neg, sqrt, sub, to_fe, Fe, M};
use primeorder::PrimeCurveParams;
use sm2::elliptic_curve::ff::PrimeField;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::{AffinePoint, Scalar, Sm2};
use std::cell::{Cell, OnceCell};

/// One table entry: the Montgomery words of `x`, then of `y`.
type Entry = [u32; 16];

/// Bits per signed digit of the tables.
const WINDOW: usize = 6;
/// Multiples kept per row: `1..=2^(WINDOW-1)` (the sign is applied after the lookup).
const ENTRIES: usize = 1 << (WINDOW - 1);
/// Digit positions: enough for 256 bits plus the carry of the signed recoding.
const ROWS: usize = 257_usize.div_ceil(WINDOW);
/// Digit positions of the first-use ladder (4-bit digits).
const LADDER_DIGITS: usize = 257_usize.div_ceil(4);

/// All ones when `a == b`, else zero, without a branch.
fn eq_mask(a: u32, b: u32) -> u32 {
    let d = a ^ b;
    ((d | d.wrapping_neg()) >> 31).wrapping_sub(1)
}

/// `b` where `mask` is all ones, `a` where it is zero.
fn pick(a: &M, b: &M, mask: u32) -> M {
    let mut out = *a;
    for (o, b) in out.iter_mut().zip(b) {
        *o ^= (*o ^ b) & mask;
    }
    out
}

fn triple(v: &M) -> M {
    add(&add(v, v), v)
}

/// The curve's `b`, in Montgomery words.
fn curve_b() -> M {
    from_fe(<Sm2 as PrimeCurveParams>::EQUATION_B)
}

/// A point in homogeneous projective coordinates `(X : Y : Z)`, the identity being `(0 : 1 : 0)`.
#[derive(Clone, Copy)]
pub struct Point {
    x: M,
    y: M,
    z: M,
}

impl Point {
    fn identity() -> Point {
        Point { x: [0; 8], y: from_fe(Fe::ONE), z: [0; 8] }
    }

    /// The same point as `a` (the identity for the identity).
    pub fn from_affine(a: &AffinePoint) -> Point {
        match (Option::<Fe>::from(Fe::from_repr(a.x())), Option::<Fe>::from(Fe::from_repr(a.y()))) {
            (Some(x), Some(y)) if !bool::from(a.is_identity()) => {
                Point { x: from_fe(x), y: from_fe(y), z: from_fe(Fe::ONE) }
            }
            _ => Point::identity(),
        }
    }

    /// `self + other` (Renes-Costello-Batina algorithm 4).
    fn add(&self, other: &Point, b: &M) -> Point {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&other.x, &other.y, &other.z);
        let xx = mul(x1, x2);
        let yy = mul(y1, y2);
        let zz = mul(z1, z2);
        let xy_pairs = sub(&mul(&add(x1, y1), &add(x2, y2)), &add(&xx, &yy));
        let yz_pairs = sub(&mul(&add(y1, z1), &add(y2, z2)), &add(&yy, &zz));
        let xz_pairs = sub(&mul(&add(x1, z1), &add(x2, z2)), &add(&xx, &zz));
        let bzz3_part = triple(&sub(&xz_pairs, &mul(b, &zz)));
        let zz3 = triple(&zz);
        let bxz3_part = triple(&sub(&mul(b, &xz_pairs), &add(&zz3, &xx)));
        Point::finish(&yy, &bzz3_part, &xx, &zz3, &xy_pairs, &yz_pairs, &bxz3_part)
    }

    /// `self + (x2, y2)` for an affine point, never the identity (algorithm 5).
    fn add_affine(&self, x2: &M, y2: &M, b: &M) -> Point {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let xx = mul(x1, x2);
        let yy = mul(y1, y2);
        let xy_pairs = sub(&mul(&add(x1, y1), &add(x2, y2)), &add(&xx, &yy));
        let yz_pairs = add(&mul(y2, z1), y1);
        let xz_pairs = add(&mul(x2, z1), x1);
        let bz3_part = triple(&sub(&xz_pairs, &mul(b, z1)));
        let z3 = triple(z1);
        let bxz3_part = triple(&sub(&mul(b, &xz_pairs), &add(&z3, &xx)));
        Point::finish(&yy, &bz3_part, &xx, &z3, &xy_pairs, &yz_pairs, &bxz3_part)
    }

    /// The last steps shared by algorithms 4 and 5.
    fn finish(yy: &M, bzz3: &M, xx: &M, zz3: &M, xy_pairs: &M, yz_pairs: &M, bxz3: &M) -> Point {
        let yy_m_bzz3 = sub(yy, bzz3);
        let yy_p_bzz3 = add(yy, bzz3);
        let xx3_m_zz3 = sub(&triple(xx), zz3);
        Point {
            x: sub(&mul(&yy_p_bzz3, xy_pairs), &mul(yz_pairs, bxz3)),
            y: add(&mul(&yy_p_bzz3, &yy_m_bzz3), &mul(&xx3_m_zz3, bxz3)),
            z: add(&mul(&yy_m_bzz3, yz_pairs), &mul(xy_pairs, &xx3_m_zz3)),
        }
    }

    /// `2·self` (algorithm 6).
    fn double(&self, b: &M) -> Point {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let xx = mul(x, x);
        let yy = mul(y, y);
        let zz = mul(z, z);
        let xy = mul(x, y);
        let xy2 = add(&xy, &xy);
        let xz = mul(x, z);
        let xz2 = add(&xz, &xz);
        let bzz3_part = triple(&sub(&mul(b, &zz), &xz2));
        let yy_m_bzz3 = sub(&yy, &bzz3_part);
        let yy_p_bzz3 = add(&yy, &bzz3_part);
        let zz3 = triple(&zz);
        let bxz6_part = triple(&sub(&mul(b, &xz2), &add(&zz3, &xx)));
        let xx3_m_zz3 = sub(&triple(&xx), &zz3);
        let yz = mul(y, z);
        let yz2 = add(&yz, &yz);
        let yz2yy = mul(&yz2, &yy);
        let yz4yy = add(&yz2yy, &yz2yy);
        Point {
            x: sub(&mul(&yy_m_bzz3, &xy2), &mul(&bxz6_part, &yz2)),
            y: add(&mul(&yy_p_bzz3, &yy_m_bzz3), &mul(&xx3_m_zz3, &bxz6_part)),
            z: add(&yz4yy, &yz4yy),
        }
    }

    /// `[k]·self` by the signed radix-16 ladder, in constant time.
    fn mul_ladder(&self, k: &Scalar) -> Point {
        let b = curve_b();
        let mut multiples = [*self; 8];
        let mut previous = *self;
        for m in multiples.iter_mut().skip(1) {
            previous = previous.add(self, &b);
            *m = previous;
        }
        let one = from_fe(Fe::ONE);
        let mut acc = Point::identity();
        for digit in signed_digits::<4, LADDER_DIGITS>(k).iter().rev() {
            for _ in 0..4 {
                acc = acc.double(&b);
            }
            let (magnitude, negative) = digit_parts(*digit);
            let mut chosen = Point { x: [0; 8], y: [0; 8], z: [0; 8] };
            for (j, m) in (1..).zip(&multiples) {
                let mask = eq_mask(magnitude, j);
                chosen.x = pick(&chosen.x, &m.x, mask);
                chosen.y = pick(&chosen.y, &m.y, mask);
                chosen.z = pick(&chosen.z, &m.z, mask);
            }
            // Digit 0: the identity (0 : 1 : 0).
            chosen.y = pick(&chosen.y, &one, eq_mask(magnitude, 0));
            chosen.y = pick(&chosen.y, &neg(&chosen.y), negative);
            acc = acc.add(&chosen, &b);
        }
        acc
    }
}

/// The magnitude of a digit (opaque to the optimiser, so the scans stay scans of masks) and an
/// all-ones mask when it is negative.
fn digit_parts(digit: i8) -> (u32, u32) {
    (u32::from(core::hint::black_box(digit.unsigned_abs())), u32::from(digit.is_negative()).wrapping_neg())
}

/// The affine coordinates of two points as big-endian bytes `[xa, ya, xb, yb]`, with one (constant
/// time) inversion; `None` when either is the identity.
pub fn affine_pair(a: &Point, b: &Point) -> Option<[[u8; 32]; 4]> {
    let zz = mul(&a.z, &b.z);
    if zz == [0; 8] {
        return None;
    }
    let inv = invert(&zz);
    let (za, zb) = (mul(&inv, &b.z), mul(&inv, &a.z));
    let bytes = |m: &M, z: M| -> [u8; 32] { to_fe(&mul(m, &z)).to_repr().into() };
    Some([bytes(&a.x, za), bytes(&a.y, za), bytes(&b.x, zb), bytes(&b.y, zb)])
}

/// A point to multiply by secret scalars: by the ladder on first use, through a
/// [`FixedBaseTable`] from the second use on.
pub struct FixedBase {
    point: Point,
    uses: Cell<u32>,
    table: OnceCell<FixedBaseTable>,
}

impl FixedBase {
    /// A base point (not the identity) without a table yet.
    pub fn new(point: &AffinePoint) -> Self {
        FixedBase { point: Point::from_affine(point), uses: Cell::new(0), table: OnceCell::new() }
    }

    /// The point with affine `x` (big-endian) and the `y` of the given parity, with that `y`'s
    /// big-endian bytes; `None` when `x >= p` or no curve point has this `x`. (`y = 0` is never
    /// on the curve: its order is odd.)
    pub fn from_x(x: &[u8; 32], y_is_odd: bool) -> Option<(Self, [u8; 32])> {
        let x = from_fe(Option::<Fe>::from(Fe::from_repr((*x).into()))?);
        // y² = x³ - 3x + b
        let alpha = add(&sub(&mul(&mul(&x, &x), &x), &triple(&x)), &curve_b());
        let root = sqrt(&alpha)?;
        let bytes = |m: &M| -> [u8; 32] { to_fe(m).to_repr().into() };
        let odd = bytes(&root).last().is_some_and(|b| b & 1 == 1);
        let y = if odd == y_is_odd { root } else { neg(&root) };
        let base = FixedBase { point: Point { x, y, z: from_fe(Fe::ONE) }, uses: Cell::new(0), table: OnceCell::new() };
        Some((base, bytes(&y)))
    }

    /// Whether the table has been built.
    pub fn has_table(&self) -> bool {
        self.table.get().is_some()
    }

    /// `[k]·point`, in constant time either way.
    pub fn mul(&self, k: &Scalar) -> Point {
        if let Some(table) = self.table.get() {
            return table.mul(k);
        }
        let uses = self.uses.get().saturating_add(1);
        self.uses.set(uses);
        if uses < 2 {
            return self.point.mul_ladder(k);
        }
        self.table.get_or_init(|| FixedBaseTable::new(&self.point)).mul(k)
    }
}

/// `ROWS` rows of `ENTRIES` affine points: row `i` holds `j·2^(WINDOW·i)·P` for `j = 1..=ENTRIES`.
pub struct FixedBaseTable {
    entries: Vec<Entry>,
}

impl FixedBaseTable {
    /// Precomputes the table for `base` (not the identity, so no entry is: the group order is a
    /// prime above every `j·2^(WINDOW·i)`).
    fn new(base: &Point) -> Self {
        let b = curve_b();
        let mut projective = Vec::with_capacity(ROWS * ENTRIES);
        let mut row_base = *base;
        for _ in 0..ROWS {
            let mut p = row_base;
            projective.push(p);
            for _ in 1..ENTRIES {
                p = p.add(&row_base, &b);
                projective.push(p);
            }
            // The last entry is 2^(WINDOW-1)·row_base: one doubling gives the next row's base.
            row_base = p.double(&b);
        }
        // One inversion for all (Montgomery's trick): prefix products, then back to front.
        let mut prefix = Vec::with_capacity(projective.len());
        let mut acc = from_fe(Fe::ONE);
        for p in &projective {
            prefix.push(acc);
            acc = mul(&acc, &p.z);
        }
        let mut inv = invert(&acc);
        let mut entries = vec![[0; 16]; projective.len()];
        for ((entry, p), before) in entries.iter_mut().zip(&projective).zip(&prefix).rev() {
            let z_inv = mul(&inv, before);
            inv = mul(&inv, &p.z);
            entry[..8].copy_from_slice(&mul(&p.x, &z_inv));
            entry[8..].copy_from_slice(&mul(&p.y, &z_inv));
        }
        FixedBaseTable { entries }
    }

    /// `[k]·base`, in constant time.
    fn mul(&self, k: &Scalar) -> Point {
        let b = curve_b();
        let mut acc = Point::identity();
        for (row, digit) in self.entries.chunks_exact(ENTRIES).zip(signed_digits::<WINDOW, ROWS>(k)) {
            let (magnitude, negative) = digit_parts(digit);
            let mut chosen = [0; 16];
            for (j, entry) in (1..).zip(row) {
                let mask = eq_mask(magnitude, j);
                for (c, w) in chosen.iter_mut().zip(entry) {
                    *c |= w & mask;
                }
            }
            let (mut x, mut y) = ([0; 8], [0; 8]);
            x.copy_from_slice(&chosen[..8]);
            y.copy_from_slice(&chosen[8..]);
            let sum = acc.add_affine(&x, &pick(&y, &neg(&y), negative), &b);
            // A zero digit selected nothing: keep the accumulator.
            let zero = eq_mask(magnitude, 0);
            acc = Point { x: pick(&sum.x, &acc.x, zero), y: pick(&sum.y, &acc.y, zero), z: pick(&sum.z, &acc.z, zero) };
        }
        acc
    }
}

/// `k` as `N` signed digits `d_i` in `-(2^(W-1)-1)..=2^(W-1)` with `k = Σ d_i·2^(W·i)`, computed
/// without branches on `k` (`N·W` must exceed 256).
fn signed_digits<const W: usize, const N: usize>(k: &Scalar) -> [i8; N] {
    // Little-endian bytes with room for the last window's 4-byte read.
    let mut le = [0u8; 36];
    for (dst, src) in le.iter_mut().zip(k.to_repr().iter().rev()) {
        *dst = *src;
    }
    let mut digits = [0i8; N];
    let mut carry = 0u32;
    for (i, digit) in digits.iter_mut().enumerate() {
        let bit = i * W;
        let at = bit / 8;
        let word = match le.get(at..at + 4) {
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
            _ => 0,
        };
        let raw = ((word >> (bit % 8)) & ((1 << W) - 1)) + carry;
        // raw in 0..=2^W; above 2^(W-1) it becomes raw - 2^W and carries one.
        carry = (raw + (1 << (W - 1)) - 1) >> W;
        *digit = (raw as i32 - ((carry as i32) << W)) as i8;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::elliptic_curve::ops::Reduce;
    use sm2::{ProjectivePoint, U256};

    fn affine(p: &Point) -> [[u8; 32]; 2] {
        let [x, y, _, _] = affine_pair(p, p).expect("not the identity");
        [x, y]
    }

    fn check_digits<const W: usize, const N: usize>(k: Scalar) {
        let two_w = Scalar::from(1u64 << W);
        let mut sum = Scalar::ZERO;
        for d in signed_digits::<W, N>(&k).iter().rev() {
            assert!((-(1 << (W - 1)) + 1..=1 << (W - 1)).contains(&i32::from(*d)), "{d}");
            let m = Scalar::from(u64::from(d.unsigned_abs()));
            sum = sum * two_w + if *d < 0 { -m } else { m };
        }
        assert_eq!(sum, k);
    }

    #[test]
    fn digits_recompose_to_the_scalar_and_stay_in_range() {
        let mut scalars = vec![Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(32u64), Scalar::from(33u64)];
        scalars.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_hex(&"ff".repeat(32))));
        scalars.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_hex(&"88".repeat(32))));
        for k in scalars {
            check_digits::<WINDOW, ROWS>(k);
            check_digits::<4, LADDER_DIGITS>(k);
        }
    }

    #[test]
    fn ladder_and_table_equal_the_sm2_crates_multiplication() {
        let base = (ProjectivePoint::GENERATOR * Scalar::from(0x1234_5678_u64)).to_affine();
        let point = Point::from_affine(&base);
        let table = FixedBaseTable::new(&point);
        let mut scalars =
            vec![Scalar::ONE, -Scalar::ONE, Scalar::from(31u64), Scalar::from(32u64), Scalar::from(33u64)];
        // Bytes of all 0x88, 0x84, 0xff, ... exercise the signed-digit carries and zero digits.
        for byte in ["88", "84", "ff", "10", "f0", "20", "82", "08"] {
            scalars.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_hex(&byte.repeat(32))));
        }
        let mut s = Scalar::from(0x9e37_79b9_u64);
        for _ in 0..20 {
            s = s.square() + Scalar::from(7u64);
            scalars.push(s);
        }
        let lazy = FixedBase::new(&base);
        for k in scalars {
            let expected = affine(&Point::from_affine(&(ProjectivePoint::from(base) * k).to_affine()));
            assert_eq!(affine(&point.mul_ladder(&k)), expected, "k = {k:?}");
            assert_eq!(affine(&table.mul(&k)), expected, "k = {k:?}");
            assert_eq!(affine(&lazy.mul(&k)), expected, "k = {k:?}");
        }
        assert!(lazy.has_table());
        // [0]·P is the identity, which has no affine coordinates.
        assert!(affine_pair(&table.mul(&Scalar::ZERO), &point).is_none());
        assert!(affine_pair(&point.mul_ladder(&Scalar::ZERO), &point).is_none());
    }
}
