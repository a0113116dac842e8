//! ChaCha20 as a random stream: the keystream of a 32-byte key, nonce zero, 64-bit block counter
//! from zero, consumed as 32-bit little-endian words exactly as `rand_chacha`'s `ChaCha20Rng`
//! consumes it (a byte fill uses whole words and drops the rest of a partly used one; a `u64` is
//! the next two words, low first), so the DRBG's streams are unchanged.
//!
//! Written here instead of `rand_chacha`: its four-blocks-at-once SIMD-style core is ~6.5 KB of
//! wasm; a rolled-up block function is a few hundred bytes. The tests compare the two.

use zeroize::Zeroize;

/// "expand 32-byte k".
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// A ChaCha20 stream generator.
pub struct ChaCha20 {
    /// The key words.
    key: [u32; 8],
    /// The next block's counter.
    counter: u64,
    /// The current block's words.
    block: [u32; 16],
    /// Words of `block` already used (16 = none left).
    used: usize,
}

impl ChaCha20 {
    /// The stream of `seed`, as `rand_chacha::ChaCha20Rng::from_seed(seed)`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let mut key = [0u32; 8];
        for (k, c) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = c.iter().rev().fold(0, |acc, b| (acc << 8) | u32::from(*b));
        }
        ChaCha20 { key, counter: 0, block: [0; 16], used: 16 }
    }

    /// The next block of keystream into `block`.
    fn refill(&mut self) {
        let mut init = [0u32; 16];
        for (d, s) in init.iter_mut().zip(SIGMA.iter().chain(&self.key)) {
            *d = *s;
        }
        let [.., lo, hi, _, _] = &mut init;
        *lo = self.counter as u32;
        *hi = (self.counter >> 32) as u32;
        self.counter = self.counter.wrapping_add(1);
        let mut x = init;
        for _ in 0..10 {
            for [a, b, c, d] in [
                [0, 4, 8, 12],
                [1, 5, 9, 13],
                [2, 6, 10, 14],
                [3, 7, 11, 15],
                [0, 5, 10, 15],
                [1, 6, 11, 12],
                [2, 7, 8, 13],
                [3, 4, 9, 14],
            ] {
                quarter_round(&mut x, a, b, c, d);
            }
        }
        for ((o, w), i) in self.block.iter_mut().zip(x).zip(init) {
            *o = w.wrapping_add(i);
        }
        self.used = 0;
    }

    /// The next word of the stream.
    pub fn next_u32(&mut self) -> u32 {
        if self.used >= 16 {
            self.refill();
        }
        let w = self.block.get(self.used).copied().unwrap_or(0);
        self.used += 1;
        w
    }

    /// The next two words, the first as the low half.
    pub fn next_u64(&mut self) -> u64 {
        let lo = self.next_u32();
        (u64::from(self.next_u32()) << 32) | u64::from(lo)
    }

    /// Fills `dest` with the next words, little-endian; a partly used last word is dropped.
    pub fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let w = self.next_u32().to_le_bytes();
            for (d, s) in chunk.iter_mut().zip(w) {
                *d = s;
            }
        }
    }
}

impl Drop for ChaCha20 {
    fn drop(&mut self) {
        // Key and keystream are secrets.
        self.key.zeroize();
        self.block.zeroize();
    }
}

/// The ChaCha quarter round on words `a, b, c, d` of `x` (indices below 16).
fn quarter_round(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    let get = |x: &[u32; 16], i: usize| x.get(i).copied().unwrap_or(0);
    let (mut va, mut vb, mut vc, mut vd) = (get(x, a), get(x, b), get(x, c), get(x, d));
    va = va.wrapping_add(vb);
    vd = (vd ^ va).rotate_left(16);
    vc = vc.wrapping_add(vd);
    vb = (vb ^ vc).rotate_left(12);
    va = va.wrapping_add(vb);
    vd = (vd ^ va).rotate_left(8);
    vc = vc.wrapping_add(vd);
    vb = (vb ^ vc).rotate_left(7);
    for (i, v) in [(a, va), (b, vb), (c, vc), (d, vd)] {
        if let Some(slot) = x.get_mut(i) {
            *slot = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    #[test]
    fn the_stream_is_rand_chachas_for_mixed_reads() {
        for s in 0..4u8 {
            let seed: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(s.wrapping_mul(101)));
            let (mut ours, mut theirs) = (ChaCha20::from_seed(seed), ChaCha20Rng::from_seed(seed));
            for step in 0..400usize {
                match step % 5 {
                    0 => assert_eq!(ours.next_u32(), theirs.next_u32()),
                    1 => assert_eq!(ours.next_u64(), theirs.next_u64()),
                    _ => {
                        let len = (step * 7) % 83;
                        let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
                        ours.fill_bytes(&mut a);
                        theirs.fill_bytes(&mut b);
                        assert_eq!(a, b, "seed {s}, step {step}, {len} bytes");
                    }
                }
            }
        }
    }

    /// RFC 8439 §2.3.2's block function with counter 1 and nonce 0 is not reachable (our nonce is
    /// zero), so check the all-zero key's first block (the well-known ChaCha20 test vector).
    #[test]
    fn zero_key_first_block() {
        let mut c = ChaCha20::from_seed([0; 32]);
        let mut out = [0u8; 16];
        c.fill_bytes(&mut out);
        assert_eq!(
            out,
            [0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28]
        );
    }
}
