//! A constant-time fixed-base multiplication table for a point multiplied by many secret scalars.
//!
//! SM2 encryption computes `[k]G` and `[k]P` for a fresh secret `k`. [`FixedBaseTable`] is
//! primeorder's `BasepointTable` construction (radix-16 signed digits, one [`LookupTable`] of 8
//! multiples per byte of the scalar) for any point; the SDK builds one for the generator `G` and
//! one for the server's key `P` (the `sm2` crate's own `precomputed-tables` for `G` is not enabled:
//! its table is built on first use, which a one-off login would pay for). With a table, `[k]P`
//! costs 66 point additions and 4 doublings instead of 256 doublings and 71 additions. Lookups go
//! through [`LookupTable::select`], which touches every entry, so the time does not depend on `k`.
//!
//! Building a table costs about one and a half variable-base multiplications and 25 KB of memory,
//! which is why [`FixedBase`] only builds one for a point it has already multiplied once: a one-off
//! login (the common case, right after a cold start) pays for neither table, a second encryption
//! builds them and every later one is about three times as fast.

use primeorder::{LookupTable, Radix16Decomposition, Radix16Digits};
use sm2::elliptic_curve::Group;
use sm2::{ProjectivePoint, Scalar, Sm2};
use std::cell::{Cell, OnceCell};

/// A point to multiply by secret scalars: by the constant-time ladder on first use, through a
/// [`FixedBaseTable`] from the second use on.
pub struct FixedBase {
    point: ProjectivePoint,
    uses: Cell<u32>,
    table: OnceCell<FixedBaseTable>,
}

impl FixedBase {
    /// A base point without a table yet.
    pub const fn new(point: ProjectivePoint) -> Self {
        FixedBase { point, uses: Cell::new(0), table: OnceCell::new() }
    }

    /// Whether the table has been built.
    pub fn has_table(&self) -> bool {
        self.table.get().is_some()
    }

    /// `[k]·point`, in constant time either way.
    pub fn mul(&self, k: &Scalar) -> ProjectivePoint {
        if let Some(table) = self.table.get() {
            return table.mul(k);
        }
        let uses = self.uses.get().saturating_add(1);
        self.uses.set(uses);
        if uses < 2 {
            return self.point * *k;
        }
        self.table.get_or_init(|| FixedBaseTable::new(self.point)).mul(k)
    }
}

/// Multiples of `16^(2i) · P` for each byte position `i` of a 256-bit scalar (32 rows), plus a top
/// row for the carry digit that the signed-digit recoding can produce.
pub struct FixedBaseTable {
    rows: Box<[LookupTable<ProjectivePoint>; 32]>,
    top: LookupTable<ProjectivePoint>,
}

impl FixedBaseTable {
    /// Precomputes the table for `base`.
    pub fn new(base: ProjectivePoint) -> Self {
        let mut rows = Box::new([LookupTable::<ProjectivePoint>::default(); 32]);
        let mut p = base;
        for row in rows.iter_mut() {
            *row = LookupTable::new(p);
            for _ in 0..8 {
                p = p.double();
            }
        }
        FixedBaseTable { rows, top: LookupTable::new(p) }
    }

    /// `[k]·base`, in constant time.
    pub fn mul(&self, k: &Scalar) -> ProjectivePoint {
        // 65 signed digits in -8..=8: digit 2i is the low nibble of byte i, 2i+1 the high nibble,
        // digit 64 the final carry. Even digits use row i directly; odd digits are summed apart
        // and shifted by 16 at the end, which is what halves the table.
        let digits = Radix16Decomposition::<Radix16Digits<Sm2>>::new(k);
        let mut low = self.top.select(digits[64]);
        let mut high = ProjectivePoint::IDENTITY;
        for (i, row) in self.rows.iter().enumerate().rev() {
            high += &row.select(digits[2 * i + 1]);
            low += &row.select(digits[2 * i]);
        }
        for _ in 0..4 {
            high = high.double();
        }
        low + high
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::elliptic_curve::ops::Reduce;
    use sm2::U256;

    #[test]
    fn table_multiplication_equals_the_generic_one() {
        let base = ProjectivePoint::GENERATOR * Scalar::from(0x1234_5678_u64);
        let table = FixedBaseTable::new(base);
        let mut scalars = vec![Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(15u64), Scalar::from(16u64)];
        // All-0x88 and all-0xff bytes exercise the signed-digit carries; the order minus one is -1.
        scalars.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_hex(&"88".repeat(32))));
        scalars.push(<Scalar as Reduce<U256>>::reduce(&U256::from_be_hex(&"ff".repeat(32))));
        let mut s = Scalar::from(0x9e37_79b9_u64);
        for _ in 0..20 {
            s = s.square() + Scalar::from(7u64);
            scalars.push(s);
        }
        let lazy = FixedBase::new(base);
        for k in scalars {
            assert_eq!(table.mul(&k), base * k, "k = {k:?}");
            assert_eq!(lazy.mul(&k), base * k, "k = {k:?}");
        }
        assert!(lazy.has_table());
    }
}
