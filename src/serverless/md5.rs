//! MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for the request signature ([`super::sign`]), written as
//! one 64-step loop over tables. The md-5 crate's compression function is the 64 steps unrolled,
//! which wasm2js turns into ~5 KB of JavaScript in the Alipay build; this loop is a few hundred
//! bytes. The md-5 and hmac crates stay as the test oracles (see the tests below).

/// Per-step additive constants: `floor(abs(sin(i + 1)) * 2^32)`, eight a row.
#[rustfmt::skip]
const K: [u32; 64] = [
    0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
    0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
    0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
    0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
    0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
    0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
    0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
    0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
];

/// Left-rotation amounts: four per round, repeated for the round's 16 steps.
const SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/// A streaming MD5: the state, the partial block and the message length in bytes.
#[derive(Clone)]
pub struct Md5 {
    state: [u32; 4],
    block: [u8; 64],
    len: u64,
}

impl Default for Md5 {
    fn default() -> Self {
        Md5 { state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476], block: [0; 64], len: 0 }
    }
}

impl Md5 {
    /// Appends `data` to the message.
    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.push(b);
        }
    }

    fn push(&mut self, b: u8) {
        let at = (self.len & 63) as usize;
        if let Some(slot) = self.block.get_mut(at) {
            *slot = b;
        }
        self.len = self.len.wrapping_add(1);
        if at == 63 {
            compress(&mut self.state, &self.block);
        }
    }

    /// The digest: padding `0x80`, zeros, then the bit length as 64-bit little-endian.
    pub fn finish(mut self) -> [u8; 16] {
        let bits = self.len.wrapping_mul(8);
        self.push(0x80);
        while self.len & 63 != 56 {
            self.push(0);
        }
        self.update(&bits.to_le_bytes());
        let mut out = [0u8; 16];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

fn compress(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut m = [0u32; 16];
    for (w, b) in m.iter_mut().zip(block.chunks_exact(4)) {
        *w = b.iter().rev().fold(0, |a, &x| a << 8 | u32::from(x));
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for (i, &k) in K.iter().enumerate() {
        let (f, g) = match i >> 4 {
            0 => ((b & c) | (!b & d), i),
            1 => ((d & b) | (!d & c), 5 * i + 1),
            2 => (b ^ c ^ d, 3 * i + 5),
            _ => (c ^ (b | !d), 7 * i),
        };
        let word = m.get(g & 15).copied().unwrap_or(0);
        let shift = SHIFTS.get((i >> 2 & 12) | (i & 3)).copied().unwrap_or(0);
        let t = a.wrapping_add(f).wrapping_add(k).wrapping_add(word);
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(t.rotate_left(shift));
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

/// MD5 of the concatenation of `parts`.
pub fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::default();
    for p in parts {
        h.update(p);
    }
    h.finish()
}

/// HMAC-MD5 of `message` under `key` (a key longer than the 64-byte block is hashed first).
pub fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    let hashed;
    let key = if key.len() > 64 {
        hashed = md5(&[key]);
        hashed.as_slice()
    } else {
        key
    };
    let mut k = [0u8; 64];
    for (d, s) in k.iter_mut().zip(key) {
        *d = *s;
    }
    let pad = |x: u8| k.map(|b| b ^ x);
    let inner = md5(&[&pad(0x36), message]);
    md5(&[&pad(0x5c), &inner])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::hex_lower;
    use ::md5::Digest;
    use hmac::{Hmac, Mac};

    fn oracle(data: &[u8]) -> [u8; 16] {
        ::md5::Md5::digest(data).into()
    }

    fn oracle_hmac(key: &[u8], data: &[u8]) -> [u8; 16] {
        let mut mac = <Hmac<::md5::Md5> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    // RFC 1321 appendix A.5.
    #[test]
    fn rfc1321_vectors() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(hex_lower(&md5(&[input.as_bytes()])), want, "{input:?}");
        }
    }

    // RFC 2104 section 2 / RFC 2202 test cases 1, 2, 3 and 6 (a key longer than the block).
    #[test]
    fn rfc2202_hmac_vectors() {
        assert_eq!(hex_lower(&hmac_md5(&[0x0b; 16], b"Hi There")), "9294727a3638bb1c13f48ef8158bfc9d");
        assert_eq!(hex_lower(&hmac_md5(b"Jefe", b"what do ya want for nothing?")), "750c783e6ab0b503eaa86e310a5db738");
        assert_eq!(hex_lower(&hmac_md5(&[0xaa; 16], &[0xdd; 50])), "56be34521d144c88dbb8c733f0e8b3f6");
        assert_eq!(
            hex_lower(&hmac_md5(&[0xaa; 80], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"
        );
    }

    // Every length around the block and padding boundaries, split at every point, against md-5 and
    // hmac (keys of 0..=130 bytes cover short, block-sized and hashed keys).
    #[test]
    fn agrees_with_the_md5_and_hmac_crates() {
        let data: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for n in 0..data.len() {
            let msg = &data[..n];
            assert_eq!(md5(&[msg]), oracle(msg), "length {n}");
            let cut = n / 3;
            assert_eq!(md5(&[&msg[..cut], &msg[cut..]]), oracle(msg), "length {n} split at {cut}");
        }
        for klen in 0..=130 {
            let key = &data[7..7 + klen];
            for n in [0, 1, 55, 56, 63, 64, 65, 200] {
                assert_eq!(hmac_md5(key, &data[..n]), oracle_hmac(key, &data[..n]), "key {klen}, message {n}");
            }
        }
    }
}
