//! [`SingleFlight`]: at most one operation of a kind in flight, however many callers want it. Both
//! clients use it: Authing for the token refresh, MPServerless for (re-)authorization.
//!
//! Callers arriving while an operation of the same key runs wait for its result instead of starting
//! another; an operation of another key is waited out first, then started. The slot is cleared when
//! the operation completes, so a failure never poisons later calls. If the leading future is dropped
//! before completing, waiters receive [`abandoned`] instead of hanging.

use crate::error::Error;
use core::cell::RefCell;
use core::future::{poll_fn, Future};
use core::task::{Poll, Waker};
use std::rc::Rc;

/// What waiters receive when the leading future was dropped before it finished (in the wasm build
/// every future runs to completion, so this is the native, defensive path): the one report of an
/// abandoned run, for both clients.
pub fn abandoned() -> Error {
    Error::NotLoggedIn("not logged in")
}

struct Flight<K, V, E> {
    key: K,
    result: RefCell<Option<Result<V, E>>>,
    waiters: RefCell<Vec<Waker>>,
}

impl<K, V: Clone, E: Clone> Flight<K, V, E> {
    async fn wait(&self) -> Result<V, E> {
        poll_fn(|cx| {
            if let Some(r) = self.result.borrow().as_ref() {
                return Poll::Ready(r.clone());
            }
            let mut waiters = self.waiters.borrow_mut();
            if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

/// The flight in progress, if any.
type Slot<K, V, E> = RefCell<Option<Rc<Flight<K, V, E>>>>;

/// One operation per key in flight at a time (see the module documentation).
pub struct SingleFlight<K, V, E> {
    slot: Slot<K, V, E>,
}

impl<K, V, E> Default for SingleFlight<K, V, E> {
    fn default() -> Self {
        SingleFlight { slot: RefCell::new(None) }
    }
}

impl<K: PartialEq, V: Clone, E: Clone + From<Error>> SingleFlight<K, V, E> {
    /// Whether an operation is in flight.
    pub fn in_flight(&self) -> bool {
        self.slot.borrow().is_some()
    }

    /// Waits until no operation is in flight (at once when none is).
    pub async fn idle(&self) {
        loop {
            let pending = self.slot.borrow().clone();
            match pending {
                Some(flight) => {
                    let _ = flight.wait().await;
                }
                None => return,
            }
        }
    }

    /// Joins the operation of `key` in flight, or waits out one of another key and then starts `op`
    /// for later callers to join.
    pub async fn run<F: Future<Output = Result<V, E>>>(&self, key: K, op: impl FnOnce() -> F) -> Result<V, E> {
        loop {
            let pending = self.slot.borrow().clone();
            match pending {
                Some(flight) if flight.key == key => return flight.wait().await,
                Some(flight) => {
                    let _ = flight.wait().await;
                }
                None => break,
            }
        }
        let flight = Rc::new(Flight { key, result: RefCell::new(None), waiters: RefCell::new(Vec::new()) });
        *self.slot.borrow_mut() = Some(flight.clone());
        let mut leader = Leader { slot: &self.slot, flight, abandon: abandoned_as::<E>, done: false };
        let value = op().await;
        leader.finish(value.clone());
        value
    }
}

fn abandoned_as<E: From<Error>>() -> E {
    E::from(abandoned())
}

struct Leader<'a, K, V, E> {
    slot: &'a Slot<K, V, E>,
    flight: Rc<Flight<K, V, E>>,
    /// [`abandoned`] as `E` (a `Drop` impl cannot carry the `From<Error>` bound).
    abandon: fn() -> E,
    done: bool,
}

impl<K, V, E> Leader<'_, K, V, E> {
    fn finish(&mut self, value: Result<V, E>) {
        self.done = true;
        *self.flight.result.borrow_mut() = Some(value);
        let mine = self.slot.borrow().as_ref().is_some_and(|f| Rc::ptr_eq(f, &self.flight));
        if mine {
            *self.slot.borrow_mut() = None;
        }
        let waiters = core::mem::take(&mut *self.flight.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

impl<K, V, E> Drop for Leader<'_, K, V, E> {
    fn drop(&mut self) {
        if !self.done {
            self.finish(Err((self.abandon)()));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use core::cell::Cell;
    use core::pin::Pin;
    use core::task::Context;

    /// Returns `Pending` once (waking itself), so concurrent futures interleave.
    pub struct YieldOnce(pub bool);
    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    /// Polls every future until all are done (a tiny `join_all` on the current thread).
    pub fn join_all<T: Unpin>(futs: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
        pollster::block_on(JoinAll { futs: futs.into_iter().map(Some).collect(), out: Vec::new() })
    }

    struct JoinAll<'a, T> {
        futs: Vec<Option<Pin<Box<dyn Future<Output = T> + 'a>>>>,
        out: Vec<Option<T>>,
    }

    impl<T: Unpin> Future for JoinAll<'_, T> {
        type Output = Vec<T>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
            let this = self.get_mut();
            if this.out.is_empty() {
                this.out = this.futs.iter().map(|_| None).collect();
            }
            for (i, slot) in this.futs.iter_mut().enumerate() {
                if let Some(f) = slot {
                    if let Poll::Ready(v) = f.as_mut().poll(cx) {
                        this.out[i] = Some(v);
                        *slot = None;
                    }
                }
            }
            if this.futs.iter().all(Option::is_none) {
                Poll::Ready(this.out.drain(..).map(Option::unwrap).collect())
            } else {
                Poll::Pending
            }
        }
    }

    type Sf = SingleFlight<u8, u32, Error>;
    type Fut<'a> = Pin<Box<dyn Future<Output = Result<u32, Error>> + 'a>>;

    #[test]
    fn concurrent_callers_share_one_operation_and_a_later_call_starts_a_new_one() {
        let sf = Sf::default();
        let runs = Cell::new(0u32);
        let op = || async {
            runs.set(runs.get() + 1);
            YieldOnce(false).await;
            Ok(runs.get() * 10)
        };
        let futs: Vec<Fut> = (0..5).map(|_| Box::pin(sf.run(0, op)) as Fut).collect();
        assert_eq!(join_all(futs), vec![Ok(10); 5]);
        assert_eq!(runs.get(), 1);
        assert!(!sf.in_flight());
        assert_eq!(pollster::block_on(sf.run(0, op)), Ok(20));
    }

    #[test]
    fn another_key_waits_for_the_flight_in_progress_then_runs_its_own() {
        let sf = Sf::default();
        let order = RefCell::new(Vec::new());
        let op = |k: u8| {
            let order = &order;
            move || async move {
                order.borrow_mut().push(k);
                YieldOnce(false).await;
                order.borrow_mut().push(k + 10);
                Ok(u32::from(k))
            }
        };
        let futs: Vec<Fut> = vec![Box::pin(sf.run(1, op(1))), Box::pin(sf.run(2, op(2))), Box::pin(sf.run(1, op(1)))];
        assert_eq!(join_all(futs), vec![Ok(1), Ok(2), Ok(1)]);
        assert_eq!(*order.borrow(), vec![1, 11, 2, 12], "key 2 starts only after key 1 finished; 1 ran once");
    }

    #[test]
    fn a_failure_is_shared_once_and_does_not_poison_the_next_run() {
        let sf = Sf::default();
        let futs: Vec<Fut> = (0..3)
            .map(|_| {
                Box::pin(sf.run(0, || async {
                    YieldOnce(false).await;
                    Err(Error::bad_response("x"))
                })) as Fut
            })
            .collect();
        assert!(join_all(futs).iter().all(Result::is_err));
        assert_eq!(pollster::block_on(sf.run(0, || async { Ok(3) })), Ok(3));
        pollster::block_on(sf.idle());
    }

    #[test]
    fn waiters_get_the_abandoned_error_when_the_leader_is_dropped() {
        let sf = Sf::default();
        let mut leader = Box::pin(sf.run(0, || async { core::future::pending::<Result<u32, Error>>().await }));
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(leader.as_mut().poll(&mut cx).is_pending());
        let mut follower = Box::pin(sf.run(0, || async { Ok(99) }));
        assert!(follower.as_mut().poll(&mut cx).is_pending());
        let mut idle = Box::pin(sf.idle());
        assert!(idle.as_mut().poll(&mut cx).is_pending());
        drop(leader);
        assert_eq!(follower.as_mut().poll(&mut cx), Poll::Ready(Err(abandoned())));
        assert_eq!(idle.as_mut().poll(&mut cx), Poll::Ready(()));
        assert!(!sf.in_flight());
    }
}
