//! One scheduler for everything a process asks of the vendors: at most `jobs` conversations at
//! once, and those of one token group (one 3CX Client ID, a CX-Engine profile's linked 3CX) one
//! after another, because 3CX keeps one active token per Client ID. The TUI, `pbxlink validate`
//! and plain mode all go through it. Across processes the same rule is kept by `token_lock`; the
//! scheduler keeps it inside the process without waiting on the lock file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// Shared by clones: one per process.
#[derive(Clone)]
pub struct Scheduler {
    permits: Arc<Semaphore>,
    groups: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

/// A turn: the group's place (if it has a group) and a slot, held as long as the turn lives.
pub struct Turn {
    _group: Option<OwnedMutexGuard<()>>,
    _slot: Option<OwnedSemaphorePermit>,
}

impl Scheduler {
    /// At most `jobs` at once (at least one).
    pub fn new(jobs: usize) -> Self {
        Scheduler { permits: Arc::new(Semaphore::new(jobs.max(1))), groups: Arc::default() }
    }

    /// Waits for `group`'s turn (its earlier jobs, in the order they asked), then for a slot. The
    /// group comes first, so a job waiting for its group never holds a slot others could use.
    pub async fn turn(&self, group: Option<String>) -> Turn {
        let lock = group.map(|g| {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            groups.entry(g).or_default().clone()
        });
        let group = match lock {
            Some(l) => Some(l.lock_owned().await),
            None => None,
        };
        // The semaphore is never closed, so acquiring only fails if it were: then run unbounded.
        let slot = self.permits.clone().acquire_owned().await.ok();
        Turn { _group: group, _slot: slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Runs 12 jobs, 4 per group, with 3 slots; returns the most at once overall and per group.
    async fn peaks(s: &Scheduler) -> (usize, usize) {
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let per_group = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
        let group_peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (s, now, peak, per_group, group_peak) =
                (s.clone(), now.clone(), peak.clone(), per_group.clone(), group_peak.clone());
            tasks.push(tokio::spawn(async move {
                let g = format!("g{}", i % 3);
                let _t = s.turn(Some(g.clone())).await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                let in_group = {
                    let mut m = per_group.lock().expect("lock");
                    let e = m.entry(g.clone()).or_default();
                    *e += 1;
                    *e
                };
                group_peak.fetch_max(in_group, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                *per_group.lock().expect("lock").entry(g).or_default() -= 1;
                now.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        (peak.load(Ordering::SeqCst), group_peak.load(Ordering::SeqCst))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounded_overall_and_one_at_a_time_per_group() {
        let (overall, per_group) = peaks(&Scheduler::new(3)).await;
        assert!(overall <= 3, "{overall}");
        assert_eq!(per_group, 1, "a token group never runs two at once");
        assert!(overall >= 2, "different groups do run side by side: {overall}");
    }
}
