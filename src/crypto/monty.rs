//! Montgomery arithmetic modulo a public odd RSA modulus, on 32-bit limbs (wasm32 multiplies
//! 32 x 32 -> 64 bits natively).
//!
//! Written here rather than taken from crypto-bigint's `BoxedMontyParams`: its setup computes
//! R² mod n with a full-width squaring, which brings the Karatsuba multiply/square code (~25 KB of
//! wasm before compression) for a value this module gets from a few doublings and Montgomery
//! squarings. Multiplication is CIOS (coarsely integrated operand scanning) with a final masked
//! subtraction: the sequence of operations depends only on the modulus length, never on the
//! operands, so the padded password does not steer the timing.

/// A little-endian number of `n.len()` limbs.
type Limbs = Vec<u32>;

/// An odd modulus `n` with its Montgomery constants, for `R = 2^(32 · n.len())`.
#[derive(Clone, Debug)]
pub struct Modulus {
    /// The modulus, little-endian limbs, the top limb nonzero.
    n: Limbs,
    /// `-n⁻¹ mod 2^32`.
    n0inv: u32,
    /// `R² mod n`, to bring a number into Montgomery form.
    r2: Limbs,
}

/// Big-endian bytes as `len` little-endian limbs (bytes beyond `4 · len` are dropped).
pub fn from_be(bytes: &[u8], len: usize) -> Limbs {
    let mut out = vec![0u32; len];
    for (i, b) in bytes.iter().rev().enumerate() {
        if let Some(limb) = out.get_mut(i / 4) {
            *limb |= u32::from(*b) << (8 * (i % 4));
        }
    }
    out
}

/// The low `k` bytes of a number, big-endian.
pub fn to_be(limbs: &[u32], k: usize) -> Vec<u8> {
    (0..k).rev().map(|i| limbs.get(i / 4).map_or(0, |l| (l >> (8 * (i % 4))) as u8)).collect()
}

/// `a -= b` over `a.len()` limbs (`b` read as zero beyond its end); returns the borrow out (0 or 1).
fn sub_assign(a: &mut [u32], b: &[u32]) -> u32 {
    let mut borrow = 0u64;
    for (i, x) in a.iter_mut().enumerate() {
        let d = u64::from(*x).wrapping_sub(u64::from(b.get(i).copied().unwrap_or(0))).wrapping_sub(borrow);
        borrow = d >> 63;
        *x = d as u32;
    }
    borrow as u32
}

/// `a - b` over `a.len()` limbs (`b` read as zero beyond its end), and the borrow out (0 or 1).
fn sub(a: &[u32], b: &[u32]) -> (Limbs, u32) {
    let mut diff = a.to_vec();
    let borrow = sub_assign(&mut diff, b);
    (diff, borrow)
}

/// Whether `a < b` (same length), in constant time.
pub fn less_than(a: &[u32], b: &[u32]) -> bool {
    sub(a, b).1 == 1
}

impl Modulus {
    /// The constants of `n` (big-endian bytes, no leading zero byte, odd, at least 2 bytes).
    pub fn new(n_be: &[u8]) -> Modulus {
        let len = n_be.len().div_ceil(4);
        let n = from_be(n_be, len);
        let n0 = n.first().copied().unwrap_or(1);
        // Newton's iteration for n0⁻¹ mod 2^32: x = n0 is right to 3 bits, each step doubles them.
        let mut inv = n0;
        for _ in 0..4 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let mut m = Modulus { n, n0inv: inv.wrapping_neg(), r2: Vec::new() };
        m.r2 = m.r_squared();
        m
    }

    /// `R² mod n`: with `w = 32 · len = t · 2^j`, doublings give `2^(w + t) mod n`, the Montgomery
    /// form of `2^t`, and `j` Montgomery squarings turn it into that of `2^w = R`, which is
    /// `R² mod n`. A squaring (`len²` multiply-adds) costs more than `len` doublings (a pass over
    /// `len` limbs each), so `j` is the largest that keeps `t >= 4 · len`: for 2048 bits, 257
    /// doublings and 3 squarings instead of 2 and 11 (a key's first encryption runs 22 Montgomery
    /// products instead of 30; in V8's baseline tier, 0.755 -> 0.645 ms per fresh-key encryption,
    /// `t >= len` gave 0.65). (Public values only: the doublings may branch.)
    fn r_squared(&self) -> Limbs {
        let len = self.n.len();
        let w = 32 * len;
        let top = self.n.last().copied().unwrap_or(1);
        let bits = w - top.leading_zeros() as usize;
        // x = 2^(bits - 1) < n.
        let mut x = vec![0u32; len];
        if let Some(l) = x.get_mut((bits - 1) / 32) {
            *l = 1 << ((bits - 1) % 32);
        }
        let mut j = w.trailing_zeros();
        while j > 0 && (w >> j) < 4 * len {
            j -= 1;
        }
        let t = w >> j;
        for _ in 0..(w - (bits - 1) + t) {
            self.double(&mut x);
        }
        for _ in 0..j {
            x = self.mul(&x, &x);
        }
        x
    }

    /// `x = 2x mod n` for `x < n`.
    fn double(&self, x: &mut Limbs) {
        let mut carry = 0u32;
        for l in x.iter_mut() {
            let next = *l >> 31;
            *l = (*l << 1) | carry;
            carry = next;
        }
        // 2x < 2n: subtract n once when 2x >= n, in place (no allocation per doubling).
        let ge = carry == 1 || x.iter().rev().zip(self.n.iter().rev()).find(|(a, b)| a != b).is_none_or(|(a, b)| a > b);
        if ge {
            sub_assign(x, &self.n);
        }
    }

    /// Number of limbs.
    pub fn len(&self) -> usize {
        self.n.len()
    }

    /// The modulus.
    pub fn n(&self) -> &[u32] {
        &self.n
    }

    /// `a · b · R⁻¹ mod n` for `a, b < n`, fully reduced. Each limb of `a` adds `a_i · b` and
    /// the multiple `m · n` that clears the low limb in one pass, writing the sum shifted down by
    /// a limb into the other buffer (`len + 1` limbs: the running value stays below `2n`).
    pub fn mul(&self, a: &[u32], b: &[u32]) -> Limbs {
        let len = self.n.len();
        let (b0, n0) = (b.first().copied().unwrap_or(0), self.n.first().copied().unwrap_or(0));
        let mut t = vec![0u32; len + 1];
        let mut next = vec![0u32; len + 1];
        for &ai in a {
            let ai = u64::from(ai);
            let s = u64::from(t.first().copied().unwrap_or(0)) + ai * u64::from(b0);
            let m = u64::from((s as u32).wrapping_mul(self.n0inv));
            let mut carry_ab = s >> 32;
            let mut carry_mn = (u64::from(s as u32) + m * u64::from(n0)) >> 32;
            let rest = t.iter().skip(1).zip(b.iter().skip(1)).zip(self.n.iter().skip(1));
            for (dst, ((&tj, &bj), &nj)) in next.iter_mut().zip(rest) {
                let s = u64::from(tj) + ai * u64::from(bj) + carry_ab;
                carry_ab = s >> 32;
                let r = u64::from(s as u32) + m * u64::from(nj) + carry_mn;
                carry_mn = r >> 32;
                *dst = r as u32;
            }
            let top = u64::from(t.last().copied().unwrap_or(0)) + carry_ab + carry_mn;
            if let [.., lo, hi] = next.as_mut_slice() {
                *lo = top as u32;
                *hi = (top >> 32) as u32;
            }
            core::mem::swap(&mut t, &mut next);
        }
        // t < 2n: subtract n unless that borrows, selecting with a mask.
        let (d, borrow) = sub(&t, &self.n);
        let keep = 0u32.wrapping_sub(borrow);
        t.iter().zip(&d).take(len).map(|(x, y)| (x & keep) | (y & !keep)).collect()
    }

    /// `m^e mod n` for `m < n` (`len` limbs) and `e >= 2`: left-to-right square-and-multiply over
    /// the public exponent's bits, in Montgomery form.
    pub fn pow(&self, m: &[u32], e: u64) -> Limbs {
        let base = self.mul(m, &self.r2);
        let mut acc = base.clone();
        let top = 63 - e.leading_zeros();
        for bit in (0..top).rev() {
            acc = self.mul(&acc, &acc);
            if (e >> bit) & 1 == 1 {
                acc = self.mul(&acc, &base);
            }
        }
        let mut one = vec![0u32; self.n.len()];
        if let Some(l) = one.first_mut() {
            *l = 1;
        }
        self.mul(&acc, &one)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::OpRng;
    use rand_core::Rng;
    use rsa::BigUint;

    /// `m^e mod n` against num-bigint-dig for odd moduli of awkward lengths (limb counts whose
    /// `32 · len` has odd parts 1, 3, 5, 17, 33, ...; top limbs partly filled) and edge values.
    #[test]
    fn pow_matches_num_bigint_for_moduli_of_every_shape() {
        let mut rng = OpRng::from_test_seed([11; 32]);
        for k in [2usize, 3, 4, 5, 8, 13, 17, 20, 64, 65, 66, 67, 127, 129, 132, 256, 257] {
            for round in 0..6 {
                let mut n = vec![0u8; k];
                rng.fill_bytes(&mut n);
                n[0] |= if round % 2 == 0 { 0x80 } else { 0x01 };
                n[k - 1] |= 1;
                let modulus = Modulus::new(&n);
                let big_n = BigUint::from_bytes_be(&n);
                let mut m = vec![0u8; k];
                rng.fill_bytes(&mut m);
                let m = match round {
                    0 => vec![0u8; k],
                    1 => (big_n.clone() - BigUint::from(1u8)).to_bytes_be(),
                    _ => (BigUint::from_bytes_be(&m) % &big_n).to_bytes_be(),
                };
                for e in [3u64, 65537, (1 << 33) - 1] {
                    let ours = to_be(&modulus.pow(&from_be(&m, modulus.len()), e), k);
                    let want = BigUint::from_bytes_be(&m).modpow(&BigUint::from(e), &big_n).to_bytes_be();
                    let mut padded = vec![0u8; k - want.len()];
                    padded.extend_from_slice(&want);
                    assert_eq!(ours, padded, "k = {k}, round {round}, e = {e}");
                }
            }
        }
    }

    #[test]
    fn less_than_compares_whole_numbers() {
        let n = from_be(&[0x80, 0, 0, 0, 0x01], 2);
        assert!(less_than(&from_be(&[0x7f, 0xff, 0xff, 0xff, 0xff], 2), &n));
        assert!(!less_than(&n, &n));
        assert!(!less_than(&from_be(&[0x80, 0, 0, 0, 0x02], 2), &n));
    }
}
