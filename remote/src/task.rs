//! Running a callback when a `pykka::Future` resolves, without a thread: the future is polled
//! with a waker that polls it again. Used where a zenoh callback starts an ask and its reply
//! must be sent when the actor answers.

use std::future::Future as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

type Done<T> = Box<dyn FnOnce(Result<T, pykka::Error>) + Send>;

struct Task<T> {
    state: Mutex<Option<(pykka::Future<T>, Done<T>)>>,
}

impl<T: Send + 'static> Task<T> {
    fn poll(self: &Arc<Self>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((future, _)) = state.as_mut() else {
            return; // already done
        };
        let waker = Waker::from(Arc::clone(self));
        let mut cx = Context::from_waker(&waker);
        if let Poll::Ready(result) = Pin::new(future).poll(&mut cx) {
            let (_, done) = state.take().expect("checked above");
            drop(state);
            done(result);
        }
    }
}

impl<T: Send + 'static> Wake for Task<T> {
    fn wake(self: Arc<Self>) {
        self.poll();
    }
}

/// Calls `done` with `future`'s result once it resolves: here at once if it already has,
/// otherwise on the thread that resolves it.
pub(crate) fn on_complete<T: Send + 'static>(
    future: pykka::Future<T>,
    done: impl FnOnce(Result<T, pykka::Error>) + Send + 'static,
) {
    let task = Arc::new(Task {
        state: Mutex::new(Some((future, Box::new(done) as Done<T>))),
    });
    task.poll();
}
