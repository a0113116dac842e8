//! The one ChaCha20 DRBG of the module, seeded and reseeded only from the host's secure random
//! source, and its one owner ([`fresh_rng`], [`seed`]).
//!
//! The platform CSPRNGs of mini-programs (`wx.getRandomValues`) are asynchronous, while the
//! RustCrypto crates draw randomness synchronously. So the SDK keeps a DRBG in wasm memory: every
//! crypto operation first awaits fresh host bytes and mixes them in ([`fresh_rng`], through
//! [`Drbg::reseed`]); the JS `init()` also seeds it up front so a host without a source fails at
//! once. An unseeded DRBG refuses to produce output: there is no fallback, ever.
//!
//! The SDK's own crypto takes an explicit [`OpRng`] forked from this DRBG right after a reseed. In
//! the wasm build the same DRBG is also `getrandom`'s custom backend ([`fill_from_drbg`]), so a crate
//! asking `getrandom` gets the host-seeded bytes too, and fails closed before the first seed; the
//! `wasm_js` backend (which reads `crypto.getRandomValues`, absent on WeChat) is never compiled.

use super::chacha::ChaCha20;
use crate::error::{Error, HostErrorKind};
use crate::host::Host;
use core::cell::RefCell;
use rand_core::{TryCryptoRng, TryRng};

/// Fewest host bytes accepted for a seed or reseed.
pub const MIN_SEED_BYTES: usize = 32;
/// Host bytes requested for each seed or reseed (.ci/build.mjs reads this line into the JS loader).
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

/// Fills `dest` from the module's DRBG: the body of `getrandom`'s custom backend in the wasm build.
///
/// # Errors
/// [`Error::NoEntropy`] when the DRBG has never been seeded, or is in use (a re-entrant call).
pub fn fill_from_drbg(dest: &mut [u8]) -> Result<(), Error> {
    DRBG.with(|d| match d.try_borrow_mut() {
        Ok(mut drbg) => drbg.fill(dest),
        Err(_) => Err(Error::NoEntropy("the random generator is busy".into())),
    })
}

/// `getrandom`'s custom backend (`--cfg getrandom_backend="custom"`, wasm only): the DRBG, failing
/// closed (`getrandom::Error::UNSUPPORTED`) while it has not been seeded from the host.
#[cfg(all(target_arch = "wasm32", getrandom_backend = "custom"))]
#[unsafe(no_mangle)]
unsafe extern "Rust" fn __getrandom_v03_custom(dest: *mut u8, len: usize) -> Result<(), getrandom::Error> {
    // SAFETY: getrandom passes a writable buffer of `len` bytes (maybe uninitialised): it is zeroed
    // before a slice is made of it.
    let buf = unsafe {
        core::ptr::write_bytes(dest, 0, len);
        core::slice::from_raw_parts_mut(dest, len)
    };
    fill_from_drbg(buf).map_err(|_| getrandom::Error::UNSUPPORTED)
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
    state: Option<ChaCha20>,
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
        self.state = Some(ChaCha20::from_seed(key));
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
        Ok(OpRng(ChaCha20::from_seed(seed)))
    }
}

/// A short-lived RNG for one crypto operation, on the `rand_core` 0.10 traits (those of `sm2` 0.14 /
/// `elliptic-curve` and of the ChaCha20 core alike).
pub struct OpRng(ChaCha20);

impl OpRng {
    /// An RNG from a fixed seed, for known-answer tests only.
    #[cfg(test)]
    pub fn from_test_seed(seed: [u8; 32]) -> Self {
        OpRng(ChaCha20::from_seed(seed))
    }
}

impl TryRng for OpRng {
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

impl TryCryptoRng for OpRng {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

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
    fn the_getrandom_backend_fails_closed_until_the_module_drbg_is_seeded() {
        // Each test thread has its own module DRBG; this one starts unseeded.
        let mut buf = [0u8; 16];
        assert!(matches!(fill_from_drbg(&mut buf), Err(Error::NoEntropy(_))));
        assert!(!is_seeded());
        seed(&bytes(7)).unwrap();
        fill_from_drbg(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 16]);
        let mut again = [0u8; 16];
        fill_from_drbg(&mut again).unwrap();
        assert_ne!(buf, again, "the stream moves on");
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
