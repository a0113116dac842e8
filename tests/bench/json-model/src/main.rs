//! Prints ns per operation of the JSON workload for the model this binary was built with.
use json_model_bench::*;
use std::hint::black_box;
use std::time::Instant;

fn bench(name: &str, iters: u32, mut f: impl FnMut()) {
    for _ in 0..iters / 10 {
        f();
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        best = best.min(t.elapsed().as_nanos() as f64 / f64::from(iters));
    }
    println!(
        "| {} | {name} | {best:.0} |",
        if cfg!(feature = "value") { "serde_json Value + preserve_order" } else { "src/json.rs Json" }
    );
}

fn main() {
    let n = 50_000;
    bench("parse login reply", n, || {
        black_box(parse(black_box(LOGIN_REPLY)));
    });
    bench("parse profile reply", n, || {
        black_box(parse(black_box(PROFILE_REPLY)));
    });
    let v = parse(PROFILE_REPLY).unwrap();
    bench("serialise profile reply", n, || {
        black_box(text(black_box(&v)));
    });
    bench("login: parse, take data, add expires_at, serialise", n, || {
        black_box(login_roundtrip(black_box(LOGIN_REPLY), 1.7e12));
    });
    bench("build a 3-key body and serialise", n, || {
        black_box(build_body(black_box("bob"), black_box("pw")));
    });
}
