//! Token refresh (§6.6): the form body, and [`SingleFlight`], which keeps one refresh in flight
//! however many calls wait on it.

use super::transport::form_encode;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::rc::Rc;

/// `grant_type=refresh_token&redirect_uri=&refresh_token=<rt>`: the official SDK's order, no
/// `client_id` (the server takes the client from `x-authing-app-id`).
pub fn refresh_body(refresh_token: &str) -> String {
    form_encode(&[("grant_type", "refresh_token"), ("redirect_uri", ""), ("refresh_token", refresh_token)])
}

struct Flight<T> {
    result: RefCell<Option<T>>,
    waiters: RefCell<Vec<Waker>>,
}

/// Runs at most one operation at a time: callers arriving while one is in flight wait for its
/// result instead of starting another. The slot is cleared when the operation completes, so a
/// failure never poisons later calls. If the leading future is dropped before completing, waiters
/// receive the `abandoned` value instead of hanging.
pub struct SingleFlight<T: Clone> {
    slot: RefCell<Option<Rc<Flight<T>>>>,
}

impl<T: Clone> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight { slot: RefCell::new(None) }
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Whether an operation is in flight.
    pub fn in_flight(&self) -> bool {
        self.slot.borrow().is_some()
    }

    /// Joins the operation in flight, or starts `op` and lets later callers join it.
    pub async fn run<F: Future<Output = T>>(&self, op: impl FnOnce() -> F, abandoned: fn() -> T) -> T {
        let existing = self.slot.borrow().clone();
        if let Some(flight) = existing {
            return Wait(flight).await;
        }
        let flight = Rc::new(Flight { result: RefCell::new(None), waiters: RefCell::new(Vec::new()) });
        *self.slot.borrow_mut() = Some(flight.clone());
        let mut leader = Leader { slot: &self.slot, flight, abandoned, done: false };
        let value = op().await;
        leader.finish(value.clone());
        value
    }
}

struct Leader<'a, T: Clone> {
    slot: &'a RefCell<Option<Rc<Flight<T>>>>,
    flight: Rc<Flight<T>>,
    abandoned: fn() -> T,
    done: bool,
}

impl<T: Clone> Leader<'_, T> {
    fn finish(&mut self, value: T) {
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

impl<T: Clone> Drop for Leader<'_, T> {
    fn drop(&mut self) {
        if !self.done {
            self.finish((self.abandoned)());
        }
    }
}

struct Wait<T>(Rc<Flight<T>>);

impl<T: Clone> Future for Wait<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(v) = self.0.result.borrow().as_ref() {
            return Poll::Ready(v.clone());
        }
        let mut waiters = self.0.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use core::cell::Cell;

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

    #[test]
    fn the_refresh_body_is_form_encoded_in_the_official_order() {
        assert_eq!(refresh_body("r/1+"), "grant_type=refresh_token&redirect_uri=&refresh_token=r%2F1%2B");
    }

    #[test]
    fn concurrent_callers_share_one_operation_and_a_later_call_starts_a_new_one() {
        let sf: SingleFlight<u32> = SingleFlight::default();
        let runs = Cell::new(0u32);
        let op = || async {
            runs.set(runs.get() + 1);
            YieldOnce(false).await;
            runs.get() * 10
        };
        let futs: Vec<Pin<Box<dyn Future<Output = u32>>>> =
            (0..5).map(|_| Box::pin(sf.run(op, || 0)) as Pin<Box<dyn Future<Output = u32>>>).collect();
        assert_eq!(join_all(futs), vec![10; 5]);
        assert_eq!(runs.get(), 1);
        assert!(!sf.in_flight());
        assert_eq!(pollster::block_on(sf.run(op, || 0)), 20);
    }

    #[test]
    fn waiters_get_the_abandoned_value_when_the_leader_is_dropped() {
        let sf: SingleFlight<u32> = SingleFlight::default();
        let mut leader = Box::pin(sf.run(|| async { core::future::pending::<u32>().await }, || 7));
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(leader.as_mut().poll(&mut cx).is_pending());
        let mut follower = Box::pin(sf.run(|| async { 99 }, || 8));
        assert!(follower.as_mut().poll(&mut cx).is_pending());
        drop(leader);
        assert_eq!(follower.as_mut().poll(&mut cx), Poll::Ready(7));
        assert!(!sf.in_flight());
    }
}
