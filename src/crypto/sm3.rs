//! SM3 (GB/T 32905-2016), the hash of SM2 encryption's key derivation and check value.
//!
//! Written here instead of the `sm3` crate: its fully unrolled compression function is ~6 KB of
//! wasm and its `digest` plumbing more; SM2 hashes a few dozen bytes per password, so a rolled-up
//! loop costs nothing noticeable. The tests compare it with the crate and the standard's vectors.

const IV: [u32; 8] =
    [0x7380_166f, 0x4914_b2b9, 0x1724_42d7, 0xda8a_0600, 0xa96f_30bc, 0x1631_38aa, 0xe38d_ee4d, 0xb0fb_0e4e];

/// An SM3 computation over the concatenation of its `update`s.
#[derive(Clone)]
pub struct Sm3 {
    state: [u32; 8],
    /// Bytes of the current, unfinished block.
    block: Vec<u8>,
    /// Bytes hashed so far.
    len: u64,
}

impl Default for Sm3 {
    fn default() -> Self {
        Sm3 { state: IV, block: Vec::with_capacity(64), len: 0 }
    }
}

impl Sm3 {
    /// A fresh computation.
    pub fn new() -> Self {
        Sm3::default()
    }

    /// Appends `data`.
    pub fn update(mut self, data: &[u8]) -> Self {
        self.len = self.len.wrapping_add(data.len() as u64);
        for &b in data {
            self.block.push(b);
            if self.block.len() == 64 {
                compress(&mut self.state, &self.block);
                self.block.clear();
            }
        }
        self
    }

    /// The 32-byte digest.
    pub fn finalize(self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        let mut pad = vec![0x80u8];
        pad.resize(1 + (119 - self.block.len()) % 64, 0);
        pad.extend_from_slice(&bits.to_be_bytes());
        let done = Sm3 { len: 0, ..self }.update(&pad);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(done.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// One compression of a 64-byte block into `v`.
fn compress(v: &mut [u32; 8], block: &[u8]) {
    let mut w = [0u32; 68];
    for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
        *wi = c.iter().fold(0, |acc, b| (acc << 8) | u32::from(*b));
    }
    for j in 16..68 {
        let at = |i: usize| w.get(i).copied().unwrap_or(0);
        let x = at(j - 16) ^ at(j - 9) ^ at(j - 3).rotate_left(15);
        let p1 = x ^ x.rotate_left(15) ^ x.rotate_left(23);
        let next = p1 ^ at(j - 13).rotate_left(7) ^ at(j - 6);
        if let Some(slot) = w.get_mut(j) {
            *slot = next;
        }
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *v;
    for j in 0..64usize {
        let wj = w.get(j).copied().unwrap_or(0);
        let wj4 = w.get(j + 4).copied().unwrap_or(0);
        let t: u32 = if j < 16 { 0x79cc_4519 } else { 0x7a87_9d8a };
        let ss1 = a.rotate_left(12).wrapping_add(e).wrapping_add(t.rotate_left((j % 32) as u32)).rotate_left(7);
        let ss2 = ss1 ^ a.rotate_left(12);
        let (ff, gg) = if j < 16 { (a ^ b ^ c, e ^ f ^ g) } else { ((a & b) | (a & c) | (b & c), (e & f) | (!e & g)) };
        let tt1 = ff.wrapping_add(d).wrapping_add(ss2).wrapping_add(wj ^ wj4);
        let tt2 = gg.wrapping_add(h).wrapping_add(ss1).wrapping_add(wj);
        d = c;
        c = b.rotate_left(9);
        b = a;
        a = tt1;
        h = g;
        g = f.rotate_left(19);
        f = e;
        e = tt2 ^ tt2.rotate_left(9) ^ tt2.rotate_left(17);
    }
    for (vi, x) in v.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *vi ^= x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm3::Digest;

    #[test]
    fn standard_vectors() {
        // GB/T 32905-2016 appendix A: "abc" and "abcd" x 16.
        let abc = Sm3::new().update(b"abc").finalize();
        assert_eq!(crate::hex::hex_lower(&abc), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        let long = Sm3::new().update(&b"abcd".repeat(16)).finalize();
        assert_eq!(crate::hex::hex_lower(&long), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    }

    #[test]
    fn matches_the_sm3_crate_for_every_length_and_split() {
        for len in 0..200usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let split = len / 3;
            let ours = Sm3::new().update(&data[..split]).update(&data[split..]).finalize();
            let theirs: [u8; 32] = sm3::Sm3::digest(&data).into();
            assert_eq!(ours, theirs, "{len} bytes");
        }
    }
}
