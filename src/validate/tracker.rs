//! The list of checks of one validation, streamed as each changes, and the report it ends in:
//! a vendor's sequence declares its checks, starts and ends each, and finishes with its guide's fix.

use std::time::Instant;

use super::Progress;
use crate::report::{Check, CheckState, FailureKind, Report};

/// Keeps the list of checks and reports each change.
pub struct Tracker<'a> {
    checks: Vec<Check>,
    started: Instant,
    current: Option<(usize, Instant)>,
    progress: &'a mut (dyn FnMut(Progress) + Send),
    pub failure: Option<FailureKind>,
    /// What the failure is better explained by than the failed check: `"proxy"` (the proxy failed,
    /// not the server); its fix is the guide's
    /// `<blame>.<kind>` hint.
    pub blame: Option<&'static str>,
    /// What the system said about its health, for the report.
    pub health: Option<crate::report::Health>,
    /// The secrets the validation's requests carried (given by `session::open`): no detail or
    /// health fact keeps one, whatever a server echoed.
    pub redactor: crate::redact::Redactor,
}

impl<'a> Tracker<'a> {
    pub fn new(plan: &[(&'static str, String)], progress: &'a mut (dyn FnMut(Progress) + Send)) -> Self {
        let checks: Vec<Check> = plan.iter().map(|(id, title)| Check::pending(id, title.clone())).collect();
        progress(Progress::Plan(checks.clone()));
        Tracker {
            checks,
            started: Instant::now(),
            current: None,
            progress,
            failure: None,
            blame: None,
            health: None,
            redactor: crate::redact::Redactor::default(),
        }
    }

    /// Adds `h` to what the report says about the system's health (the certificate, then the
    /// vendor's own status), keeping what is there.
    pub fn merge_health(&mut self, mut h: crate::report::Health) {
        for f in &mut h.facts {
            f.value = self.redactor.redact(&f.value);
        }
        for f in &mut h.findings {
            f.text = self.redactor.redact(&f.text);
        }
        let mine = self.health.get_or_insert_with(Default::default);
        mine.facts.extend(h.facts);
        mine.findings.extend(h.findings);
        // Every part is judged by the one validation's thresholds.
        mine.thresholds = h.thresholds;
    }

    pub fn index(&self, id: &str) -> usize {
        self.checks.iter().position(|c| c.id == id).unwrap_or(0)
    }

    pub fn start(&mut self, id: &str) {
        let i = self.index(id);
        self.checks[i].state = CheckState::Running;
        self.current = Some((i, Instant::now()));
        (self.progress)(Progress::Update(self.checks[i].clone()));
    }

    /// Check `id` is held up: running, with `detail` saying what it waits for.
    pub fn waiting(&mut self, id: &str, detail: String) {
        let i = self.index(id);
        self.checks[i].state = CheckState::Running;
        self.checks[i].detail = self.redactor.redact(&detail);
        (self.progress)(Progress::Update(self.checks[i].clone()));
    }

    /// Ends check `id` with `state`; its duration is measured from `start` unless given.
    pub fn end(&mut self, id: &str, state: CheckState, detail: String, ms: Option<u64>) {
        let i = self.index(id);
        let measured = match self.current {
            Some((ci, at)) if ci == i => at.elapsed().as_millis() as u64,
            _ => 0,
        };
        let detail = self.redactor.redact(&detail);
        let c = &mut self.checks[i];
        c.state = state;
        c.detail = detail;
        c.ms = ms.unwrap_or(measured);
        (self.progress)(Progress::Update(c.clone()));
    }

    pub fn pass(&mut self, id: &str, detail: String) {
        self.end(id, CheckState::Passed, detail, None);
    }

    pub fn fail(&mut self, id: &str, kind: FailureKind, detail: String) {
        self.failure.get_or_insert(kind);
        self.end(id, CheckState::Failed(kind), detail, None);
    }

    /// Ends the run: unfinished checks become skipped, and the first failure gets its fix from
    /// `hint(check id, kind)`, so the same kind can be explained per step; a failure with a
    /// `blame` gets `hint(blame, kind)` wherever it happened.
    pub fn finish(mut self, hint: impl Fn(&str, FailureKind) -> String) -> Report {
        for c in &mut self.checks {
            if !c.state.is_done() {
                c.state = CheckState::Skipped;
                (self.progress)(Progress::Update(c.clone()));
            }
        }
        Report {
            hint: self.failure.map(|k| {
                let failed = self.checks.iter().find(|c| matches!(c.state, CheckState::Failed(_)));
                let at = self.blame.unwrap_or_else(|| failed.map_or("", |c| c.id));
                hint(at, k)
            }),
            failure: self.failure,
            checks: self.checks,
            ms: self.started.elapsed().as_millis() as u64,
            health: self.health,
        }
    }
}
