//! The one ChaCha20 DRBG of the module, seeded and reseeded only from the host's secure random
//! source, and its one owner ([`fresh_rng`], [`seed`]).
//!
//! The platform CSPRNGs of mini-programs (`wx.getRandomValues`) are asynchronous, while the
//! RustCrypto crates draw randomness synchronously. So the SDK keeps a DRBG in wasm memory: every
//! crypto operation first awaits fresh host bytes and mixes them in ([`fresh_rng`], through
//! [`Drbg::reseed`]); the JS `init()` also seeds it up front so a host without a source fails at
//! once. An unseeded DRBG refuses to produce output: there is no fallback, ever.
//!
//! No `getrandom` backend exists in the wasm build: `sm2` and `crypto-bigint` are compiled without
//! their `getrandom` features and every call takes an explicit [`OpRng`] forked from this DRBG, so
//! no code path can reach an implicit (or missing) random source.

use crate::error::{Error, HostErrorKind};
use crate::host::Host;
use core::cell::RefCell;
use rand_chacha::ChaCha20Rng;
use rand_core06::{RngCore, SeedableRng};

/// Fewest host bytes accepted for a seed or reseed.
pub const MIN_SEED_BYTES: usize = 32;
/// Host bytes requested for each seed or reseed (the JS loader asks the core, `seedBytes()`).
pub const RESEED_BYTES: usize = 48;

thread_local! {
    /// The one DRBG of the module (the wasm core is single-threaded; native tests get one per thread).
    static DRBG: RefCell<Drbg> = const { RefCell::new(Drbg::new()) };
}

/// Seeds (or reseeds) the module's DRBG with host bytes.
///
/// # Errors
/// [`Error::NoEntropy`] when fewer than [`MIN_SEED_BYTES`] are given or they are all zero.
pub fn seed(bytes: &[u8]) -> Result<(), Error> {
    DRBG.with(|d| d.borrow_mut().reseed(bytes))
}

/// Whether the module's DRBG has been seeded.
pub fn is_seeded() -> bool {
    DRBG.with(|d| d.borrow().is_seeded())
}

/// Awaits [`RESEED_BYTES`] fresh bytes from the host's secure source, mixes them into the module's
/// DRBG and forks a one-operation RNG: what every encryption does first.
///
/// # Errors
/// [`Error::NoEntropy`] when the host's source is missing, fails or gives too little; the DRBG is
/// never used unseeded.
pub async fn fresh_rng(host: &impl Host) -> Result<OpRng, Error> {
    let bytes = host.random_bytes(RESEED_BYTES).await.map_err(|e| match e.kind {
        HostErrorKind::Missing => Error::NoEntropy(
            "the host has no secure random source (wx.getRandomValues needs base library 2.15.0 and is not available in plugins)"
                .into(),
        ),
        _ => Error::NoEntropy(e.to_string()),
    })?;
    seed(&bytes)?;
    DRBG.with(|d| d.borrow_mut().fork())
}

/// The DRBG. Starts unseeded.
#[derive(Default)]
pub struct Drbg {
    state: Option<ChaCha20Rng>,
}

impl core::fmt::Debug for Drbg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Drbg").field("seeded", &self.is_seeded()).finish()
    }
}

impl Drbg {
    /// A new, unseeded DRBG.
    pub const fn new() -> Self {
        Drbg { state: None }
    }

    /// Whether [`Drbg::reseed`] has succeeded at least once.
    pub fn is_seeded(&self) -> bool {
        self.state.is_some()
    }

    /// Mixes at least [`MIN_SEED_BYTES`] fresh host bytes into the state and re-keys.
    ///
    /// The new key is the XOR of the current state's next 32 output bytes (zero when unseeded) with
    /// the host bytes folded onto 32 bytes, so a reseed never lowers the entropy already held.
    ///
    /// # Errors
    /// [`Error::NoEntropy`] when fewer than 32 bytes are given, or when they are all zero (a host
    /// that "succeeds" with an empty buffer).
    pub fn reseed(&mut self, host_bytes: &[u8]) -> Result<(), Error> {
        if host_bytes.len() < MIN_SEED_BYTES {
            return Err(Error::NoEntropy(format!(
                "the host gave {} random bytes, at least {MIN_SEED_BYTES} are needed",
                host_bytes.len()
            )));
        }
        if host_bytes.iter().all(|b| *b == 0) {
            return Err(Error::NoEntropy("the host's random bytes are all zero".into()));
        }
        let mut key = [0u8; 32];
        if let Some(state) = self.state.as_mut() {
            state.fill_bytes(&mut key);
        }
        for (i, b) in host_bytes.iter().enumerate() {
            if let Some(k) = key.get_mut(i % 32) {
                *k ^= *b;
            }
        }
        self.state = Some(ChaCha20Rng::from_seed(key));
        Ok(())
    }

    /// Fills `dest` with DRBG output.
    ///
    /// # Errors
    /// [`Error::NoEntropy`] when the DRBG has never been seeded.
    pub fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        match self.state.as_mut() {
            Some(state) => {
                state.fill_bytes(dest);
                Ok(())
            }
            None => Err(Error::NoEntropy("the random generator has not been seeded by the host".into())),
        }
    }

    /// A one-operation RNG keyed from this DRBG's output, for one RSA padding or SM2 ephemeral key.
    ///
    /// # Errors
    /// [`Error::NoEntropy`] when the DRBG has never been seeded.
    pub fn fork(&mut self) -> Result<OpRng, Error> {
        let mut seed = [0u8; 32];
        self.fill(&mut seed)?;
        Ok(OpRng(ChaCha20Rng::from_seed(seed)))
    }
}

/// A short-lived RNG for one crypto operation. It implements the RNG traits of both `rand_core`
/// 0.6 (the ChaCha20 core's own) and 0.10 (used by `sm2` 0.14 / `elliptic-curve`).
pub struct OpRng(ChaCha20Rng);

impl OpRng {
    /// An RNG from a fixed seed, for known-answer tests only.
    #[cfg(test)]
    pub fn from_test_seed(seed: [u8; 32]) -> Self {
        OpRng(ChaCha20Rng::from_seed(seed))
    }
}

impl RngCore for OpRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core06::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl rand_core06::CryptoRng for OpRng {}

impl rand_core10::TryRng for OpRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

impl rand_core10::TryCryptoRng for OpRng {}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(fill: u8) -> Vec<u8> {
        (0..48u8).map(|i| i.wrapping_mul(31).wrapping_add(fill)).collect()
    }

    #[test]
    fn unseeded_drbg_fails_closed() {
        let mut d = Drbg::new();
        let mut buf = [0u8; 16];
        assert!(matches!(d.fill(&mut buf), Err(Error::NoEntropy(_))));
        assert!(matches!(d.fork(), Err(Error::NoEntropy(_))));
        assert_eq!(buf, [0u8; 16], "nothing is written on failure");
    }

    #[test]
    fn short_or_zero_seeds_are_refused_and_leave_the_state_unseeded() {
        let mut d = Drbg::new();
        assert!(matches!(d.reseed(&[7u8; 31]), Err(Error::NoEntropy(_))));
        assert!(matches!(d.reseed(&[0u8; 64]), Err(Error::NoEntropy(_))));
        assert!(!d.is_seeded());
    }

    #[test]
    fn same_seed_same_stream_and_reseeding_changes_it() {
        let (mut a, mut b) = (Drbg::new(), Drbg::new());
        a.reseed(&bytes(1)).unwrap();
        b.reseed(&bytes(1)).unwrap();
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_eq!(x, y);
        b.reseed(&bytes(2)).unwrap();
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_ne!(x, y);
    }

    #[test]
    fn reseed_mixes_with_existing_state() {
        // Two DRBGs reseeded with the same host bytes but different histories must diverge.
        let (mut a, mut b) = (Drbg::new(), Drbg::new());
        a.reseed(&bytes(1)).unwrap();
        b.reseed(&bytes(9)).unwrap();
        a.reseed(&bytes(3)).unwrap();
        b.reseed(&bytes(3)).unwrap();
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_ne!(x, y);
    }

    #[test]
    fn forks_are_independent_streams() {
        let mut d = Drbg::new();
        d.reseed(&bytes(5)).unwrap();
        let mut f1 = d.fork().unwrap();
        let mut f2 = d.fork().unwrap();
        assert_ne!(f1.next_u64(), f2.next_u64());
    }
}
