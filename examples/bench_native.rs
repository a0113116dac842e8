//! Native ceiling for the password-encryption benchmark (issue 8): the same Rust functions the wasm
//! core runs, compiled for the host CPU. Prints one JSON object of ops/s medians on stdout, which
//! `tests/bench/run.mjs` collects.
//!
//! ```text
//! cargo run --release --example bench_native -- [--secs 0.5] [--rounds 5]
//! ```
//!
//! Rows: key parse alone, encrypt with a pre-parsed key, `encrypt_password` (key cached by text, what
//! `core.encryptPassword` runs per call), and the DRBG reseed + fork that each call adds before it.
//! Together they explain the per-call split of the wasm numbers.

#[cfg(feature = "auth")]
fn main() {
    bench::main();
}

#[cfg(not(feature = "auth"))]
fn main() {
    println!("{{\"skipped\":\"built without the auth feature\"}}");
}

#[cfg(feature = "auth")]
mod bench {
    use miniapp_sdk::crypto::{rsa, sm2, Drbg};
    use std::hint::black_box;
    use std::time::Instant;

    const RSA_SPKI: &str = include_str!("../tests/fixtures/rsa-2048-spki.pem");
    const SM2_KEY_JSON: &str = include_str!("../tests/bench/sm2-key.json");
    const PASSWORD: &str = "P@ssw0rd-16bytes";

    fn sm2_public_key() -> &'static str {
        let after = SM2_KEY_JSON.split("\"publicKey\"").nth(1).expect("publicKey in sm2-key.json");
        after.split('"').nth(1).expect("publicKey value")
    }

    /// Calls `f` repeatedly for `secs` seconds (after a short warm-up) and returns calls per second.
    fn rate(secs: f64, mut f: impl FnMut()) -> f64 {
        for _ in 0..5 {
            f();
        }
        let start = Instant::now();
        let mut n = 0u64;
        loop {
            f();
            n += 1;
            let elapsed = start.elapsed().as_secs_f64();
            if elapsed >= secs {
                return n as f64 / elapsed;
            }
        }
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }

    fn arg(name: &str, default: f64) -> f64 {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    pub fn main() {
        let secs = arg("--secs", 0.5);
        let rounds = arg("--rounds", 5.0).max(1.0) as usize;
        let sm2_hex = sm2_public_key();

        let mut drbg = Drbg::new();
        drbg.reseed(&[0x5a; 48]).expect("seed");
        let host_bytes: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();

        let rsa_key = rsa::parse_public_key(RSA_SPKI).expect("RSA key");
        let sm2_key = sm2::parse_public_key(sm2_hex).expect("SM2 key");

        type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);
        let d = std::cell::RefCell::new(drbg);
        let cases: Vec<Case> = vec![
            (
                "rsa_parse",
                Box::new(|| {
                    black_box(rsa::parse_public_key(black_box(RSA_SPKI)).expect("RSA key"));
                }),
            ),
            (
                "rsa_encrypt_prepared",
                Box::new(|| {
                    let mut rng = d.borrow_mut().fork().expect("fork");
                    black_box(rsa::encrypt(&rsa_key, PASSWORD, &mut rng).expect("rsa"));
                }),
            ),
            (
                "rsa_encrypt_password",
                Box::new(|| {
                    let mut rng = d.borrow_mut().fork().expect("fork");
                    black_box(rsa::encrypt_password(black_box(RSA_SPKI), PASSWORD, &mut rng).expect("rsa"));
                }),
            ),
            (
                "sm2_parse",
                Box::new(|| {
                    black_box(sm2::parse_public_key(black_box(sm2_hex)).expect("SM2 key"));
                }),
            ),
            (
                "sm2_encrypt_prepared",
                Box::new(|| {
                    let mut rng = d.borrow_mut().fork().expect("fork");
                    black_box(sm2::encrypt(&sm2_key, PASSWORD, &mut rng).expect("sm2"));
                }),
            ),
            (
                "sm2_encrypt_password",
                Box::new(|| {
                    let mut rng = d.borrow_mut().fork().expect("fork");
                    black_box(sm2::encrypt_password(black_box(sm2_hex), PASSWORD, &mut rng).expect("sm2"));
                }),
            ),
            (
                "drbg_reseed_fork",
                Box::new(|| {
                    let mut drbg = d.borrow_mut();
                    drbg.reseed(black_box(&host_bytes)).expect("reseed");
                    black_box(drbg.fork().expect("fork"));
                }),
            ),
        ];

        let mut results: Vec<(&str, Vec<f64>)> = Vec::new();
        let mut cases = cases;
        for _ in 0..rounds {
            // Interleaved rounds, so a burst of load on a shared machine hits every row alike.
            for (i, (name, f)) in cases.iter_mut().enumerate() {
                if results.len() <= i {
                    results.push((name, Vec::new()));
                }
                let r = rate(secs, f);
                results[i].1.push(r);
            }
        }
        let body: Vec<String> = results
            .into_iter()
            .map(|(name, v)| {
                let (min, max) = (v.iter().copied().fold(f64::MAX, f64::min), v.iter().copied().fold(0.0, f64::max));
                format!("\"{name}\":{{\"median\":{:.1},\"min\":{min:.1},\"max\":{max:.1}}}", median(v))
            })
            .collect();
        println!(
            "{{\"target\":\"{}\",\"secs\":{secs},\"rounds\":{rounds},{}}}",
            std::env::consts::ARCH,
            body.join(",")
        );
    }
}
