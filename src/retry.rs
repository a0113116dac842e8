//! "Recover and retry once", the one retry policy of both clients.
//!
//! A call the server refused *before acting on it* (an access token rejected in flight, a signed
//! timestamp outside the gateway's window) may be repeated after the cause is fixed (a token
//! refresh, a clock correction). [`once`] runs the attempt, lets `recover` judge the failure, and
//! runs the attempt a second time only when `recover` says the cause is fixed. Never a loop: the
//! second answer is final.

use core::future::Future;

/// Runs `attempt`; on failure, `recover(error)` either fixes the cause (`Ok(())`: the attempt runs
/// once more and its result is final) or gives up with the error to return.
///
/// # Errors
/// The first attempt's error as `recover` passes it on, `recover`'s own error, or the second
/// attempt's error.
pub async fn once<T, E, A, AF, R, RF>(attempt: A, recover: R) -> Result<T, E>
where
    A: Fn() -> AF,
    AF: Future<Output = Result<T, E>>,
    R: FnOnce(E) -> RF,
    RF: Future<Output = Result<(), E>>,
{
    match attempt().await {
        Ok(value) => Ok(value),
        Err(e) => {
            recover(e).await?;
            attempt().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    #[test]
    fn a_success_runs_once_and_recovery_is_not_asked() {
        let runs = Cell::new(0);
        let r: Result<u32, &str> = pollster::block_on(once(
            || async {
                runs.set(runs.get() + 1);
                Ok(1)
            },
            |_| async { panic!("not asked") },
        ));
        assert_eq!((r, runs.get()), (Ok(1), 1));
    }

    #[test]
    fn a_recovered_failure_runs_exactly_one_retry_whose_answer_is_final() {
        let runs = Cell::new(0);
        let r: Result<u32, String> = pollster::block_on(once(
            || async {
                runs.set(runs.get() + 1);
                Err(format!("fail {}", runs.get()))
            },
            |e| async move {
                assert_eq!(e, "fail 1");
                Ok(())
            },
        ));
        assert_eq!(r, Err("fail 2".to_string()));
        assert_eq!(runs.get(), 2);
    }

    #[test]
    fn an_unrecoverable_failure_is_returned_as_recovery_says() {
        let runs = Cell::new(0);
        let r: Result<u32, &str> = pollster::block_on(once(
            || async {
                runs.set(runs.get() + 1);
                Err("rejected")
            },
            |_| async { Err("refresh failed") },
        ));
        assert_eq!((r, runs.get()), (Err("refresh failed"), 1));
    }
}
