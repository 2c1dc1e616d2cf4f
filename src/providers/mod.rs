//! The vendors pbxlink links, one unit each (`threecx/`, `eightbyeight/`, `cxengine/`), and the
//! one list that registers them ([`ProviderId::ALL`]). A unit owns everything about its vendor: its
//! guide (text in `assets/guides/`), its profile fields (a [`Schema`] from which the store, `show`,
//! the guide's edit and build, `add`'s flags and the review are derived), its validation sequence
//! (the requests, sent by `validate`'s engine, and the pure interpretation of the answers), its
//! demo accounts and simulator routes. Generic code reaches a vendor only through [`ProviderId`].

pub mod cxengine;
#[cfg(feature = "simulator")]
pub mod demo;
mod demo_account;
pub use demo_account::DemoAccount;
pub mod eightbyeight;
pub mod threecx;
pub mod token;

use crate::guide::Guide;
use crate::profile::Profile;
use crate::profile::schema::Schema;
use crate::profile::store::Store;
use crate::report::{FailureKind, Report};
use crate::validate::{Options, Progress, Scheduler, Tracker};

/// A vendor pbxlink can link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderId {
    ThreeCx,
    EightByEight,
    CxEngine,
}

/// Every vendor's profile fields, for reading profile files.
pub static SCHEMAS: [&Schema; 3] = [&threecx::SCHEMA, &eightbyeight::SCHEMA, &cxengine::SCHEMA];

impl ProviderId {
    /// Every provider, in the order the TUI offers their guides: the registry.
    pub const ALL: &'static [ProviderId] = &[ProviderId::ThreeCx, ProviderId::EightByEight, ProviderId::CxEngine];

    /// The first offered, where a screen must name one (the demo's banner on the home screen).
    pub const FIRST: ProviderId = Self::ALL[0];

    /// Its profile fields and guide.
    pub fn schema(self) -> &'static Schema {
        match self {
            Self::ThreeCx => &threecx::SCHEMA,
            Self::EightByEight => &eightbyeight::SCHEMA,
            Self::CxEngine => &cxengine::SCHEMA,
        }
    }

    /// The name used in profiles and on the command line.
    pub fn as_str(self) -> &'static str {
        self.schema().provider
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    pub fn guide(self) -> &'static Guide {
        self.schema().guide()
    }

    /// The vendor of `profile`, when this version knows it.
    pub fn of(profile: &Profile) -> Option<ProviderId> {
        profile.schema.and_then(|s| ProviderId::parse(s.provider))
    }

    /// Whether `profile` is a readable profile of this vendor.
    pub fn owns(self, profile: &Profile) -> bool {
        Self::of(profile) == Some(self)
    }

    /// Its part of the demo simulator.
    #[cfg(feature = "simulator")]
    fn demo_site(self) -> std::sync::Arc<dyn crate::simulator::Site> {
        match self {
            Self::ThreeCx => threecx::demo::demo_site(),
            Self::EightByEight => eightbyeight::simulated::demo_site(),
            Self::CxEngine => cxengine::simulated::demo_site(),
        }
    }

    /// Its demo accounts as the demo shows them, for a simulator at `domain`.
    #[cfg(feature = "simulator")]
    fn demo_accounts(self, domain: &str) -> Vec<DemoAccount> {
        match self {
            Self::ThreeCx => threecx::demo::demo(domain),
            Self::EightByEight => eightbyeight::simulated::demo(domain),
            Self::CxEngine => cxengine::simulated::demo(domain),
        }
    }
}

/// `add PROVIDER`: the names of the registry.
impl clap::ValueEnum for ProviderId {
    fn value_variants<'a>() -> &'a [Self] {
        Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// The vendors' own commands (`pbxlink cx-engine check-template`), flattened into the CLI's.
#[derive(Debug, clap::Subcommand)]
pub enum VendorCommand {
    /// CX-Engine CRM connector tools
    #[command(name = "cx-engine", subcommand)]
    CxEngine(cxengine::command::Command),
}

impl VendorCommand {
    /// What to print on stdout, and the exit code.
    pub fn run(&self) -> anyhow::Result<(String, u8)> {
        match self {
            Self::CxEngine(c) => c.run(),
        }
    }
}

/// The profiles file at `path`, read with every vendor's fields.
pub fn store(path: impl Into<std::path::PathBuf>) -> Store {
    Store::new(path, &SCHEMAS)
}

/// Profiles with the same key must be validated one after another, never at once: 3CX keeps one
/// active token per client, so two validations of one client end each other's tokens and the
/// loser would be told its (good) key was refused. A profile that links a 3CX profile (CX-Engine's
/// `pbx_profile`) takes a token for that 3CX client too. Other vendors issue independent tokens:
/// their validations may run side by side.
pub fn token_group(p: &Profile, linked: Option<&Profile>) -> Option<String> {
    if ProviderId::ThreeCx.owns(p)
        && let (Some(domain), Some(client)) = (p.values.text(threecx::DOMAIN), p.values.text(threecx::CLIENT_ID))
    {
        return Some(threecx::check::token_key_of(domain, client));
    }
    linked.and_then(|l| token_group(l, None))
}

/// What the key of `profile` may read ([`threecx::capabilities`]), signing in first; `None` for a
/// vendor without capability reads (8x8's products check already shows what its key may do).
pub async fn capabilities(
    profile: &Profile,
    opts: &Options,
    waiting: &mut (dyn FnMut(&str) + Send),
) -> Option<Result<Capabilities, Problem>> {
    if !has_capabilities(profile) {
        return None;
    }
    let resolved = match profile.resolved().await {
        Ok(p) => p,
        Err(why) => return Some(Err(Problem::secret_unavailable(why.to_string()))),
    };
    let cx = threecx::ThreeCx::of(&resolved)?;
    Some(threecx::capability_requests::read(&cx, &opts.for_profile(profile), waiting).await)
}

/// Whether `profile`'s vendor has capability reads ([`capabilities`] gives `Some`).
pub fn has_capabilities(profile: &Profile) -> bool {
    ProviderId::ThreeCx.owns(profile)
}

pub use threecx::capabilities::{Access, Capability};
pub use threecx::capability_requests::Capabilities;
pub use threecx::principals::Problem;

/// Validates a profile, calling `progress` on every change. Never panics on bad input or bad
/// answers; every outcome is in the returned report.
pub async fn validate(profile: &Profile, opts: &Options, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    validate_linked(profile, None, opts, progress).await
}

/// [`validate`], with the saved profile `profile` links (CX-Engine's `pbx_profile`), which is then
/// read too. `None` for a profile that names one means the name was not found.
pub async fn validate_linked(
    profile: &Profile,
    linked: Option<&Profile>,
    opts: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Report {
    let mut opts = opts.for_profile(profile);
    // Its own list of the secrets its requests carry: no other validation's.
    opts.redactor = crate::redact::Redactor::default();
    // A secret kept elsewhere (an environment variable, a command) is read now, for this use only.
    let (profile, linked) = match (profile.resolved().await, linked.map(Profile::resolved)) {
        (Ok(p), None) => (p, None),
        (Ok(p), Some(l)) => match l.await {
            Ok(l) => (p, Some(l)),
            Err(why) => return secret_unavailable(profile, &format!("the linked profile's {why}"), progress),
        },
        (Err(why), _) => return secret_unavailable(profile, &why, progress),
    };
    let (profile, linked) = (&profile, linked.as_ref());
    // Each provider's check is a future of its own behind a pointer: its code is not merged into
    // this function's, so a run pages in only the checks of the providers it validates.
    let check: Check<'_> = match ProviderId::of(profile) {
        Some(ProviderId::ThreeCx) => match threecx::ThreeCx::of(profile) {
            Some(x) => Box::pin(async move { threecx::check::run(&x, &opts, progress).await }),
            None => return unreadable(&profile.provider, progress),
        },
        Some(ProviderId::EightByEight) => match eightbyeight::EightByEight::of(profile) {
            Some(e) => Box::pin(async move { eightbyeight::check::run(&e, &opts, progress).await }),
            None => return unreadable(&profile.provider, progress),
        },
        Some(ProviderId::CxEngine) => match cxengine::CxEngine::of(profile) {
            Some(c) => Box::pin(async move { cxengine::check::run(&c, linked, &opts, progress).await }),
            None => return unreadable(&profile.provider, progress),
        },
        None => return unreadable(&profile.provider, progress),
    };
    check.await
}

/// One provider's check, running.
type Check<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Report> + Send + 'a>>;

/// [`validate_linked`] in its turn of `sched` (its token group, a free slot).
pub async fn validate_in(
    sched: &Scheduler,
    profile: &Profile,
    linked: Option<&Profile>,
    opts: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Report {
    let _turn = sched.turn(token_group(profile, linked)).await;
    validate_linked(profile, linked, opts, progress).await
}

/// The report for a profile whose secret reference could not be read: nothing was asked.
fn secret_unavailable(profile: &Profile, why: &str, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let mut t = Tracker::new(&[("secret", "Read the secret".to_string())], progress);
    t.fail("secret", FailureKind::SecretUnavailable, why.to_string());
    let guide = ProviderId::of(profile).map(|p| p.guide());
    t.finish(|at, k| guide.map(|g| g.hint_at(at, k)).unwrap_or_default())
}

/// The report for a profile this version cannot validate (a provider a newer pbxlink wrote).
fn unreadable(provider: &str, progress: &mut (dyn FnMut(Progress) + Send)) -> Report {
    let mut t = Tracker::new(&[("provider", format!("Provider \"{provider}\""))], progress);
    t.fail(
        "provider",
        FailureKind::BadResponse,
        format!("provider \"{provider}\" is not supported by this pbxlink version"),
    );
    t.finish(|_, _| "Upgrade pbxlink, or remove this profile.".to_string())
}

/// The payload (claims) of a JWT-shaped token (`header.payload.signature`, base64url), decoded
/// without verifying anything: for display only, never trusted. `None` when it is not one.
pub fn jwt_payload(token: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok().filter(serde_json::Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::StepKind;
    use crate::profile::schema::Kind;
    use crate::report::FailureKind;

    /// A field is defined once: every field a guide asks for is one of its vendor's profile
    /// fields, checked by the same kind of rule, and the steps the schema relies on exist.
    #[test]
    fn each_schema_matches_its_guide() {
        for p in ProviderId::ALL {
            let (s, g) = (p.schema(), p.guide());
            assert_eq!(s.provider, g.provider);
            assert_eq!(s.name, g.name, "the schema's name is the guide's");
            for (id, spec) in &g.fields {
                let def =
                    s.field(id).unwrap_or_else(|| panic!("{}: guide field {id} is not a profile field", s.provider));
                match def.kind {
                    Kind::Text(k) => assert_eq!(k, spec.kind, "{}: {id}", s.provider),
                    Kind::File(_) => assert_eq!(spec.kind, crate::guide::FieldKind::Path, "{}: {id}", s.provider),
                    other => panic!("{}: {id} is asked on a form but is {other:?}", s.provider),
                }
            }
            let has = |k: StepKind| g.steps.iter().any(|st| st.kind == k);
            for def in s.fields {
                match def.kind {
                    Kind::Products => assert!(has(StepKind::Select) && !g.products.is_empty(), "{}", def.key),
                    Kind::Choice => assert!(has(StepKind::Choose), "{}", def.key),
                    Kind::Link { provider } => {
                        assert!(has(StepKind::Link) && ProviderId::parse(provider).is_some(), "{}", def.key)
                    }
                    Kind::Text(_) | Kind::File(_) if !def.optional && def.default.is_none() => {
                        assert!(def.asked(g), "{}: {} is required but no step asks for it", s.provider, def.key)
                    }
                    _ => {}
                }
                assert!(!def.help.is_empty(), "{}: {} has no --help line", s.provider, def.key);
            }
            assert!(s.field(s.target).is_some(), "{}: target", s.provider);
        }
    }

    #[test]
    fn every_place_in_a_step_text_names_a_field_that_is_not_secret() {
        for p in ProviderId::ALL {
            let g = p.guide();
            for step in &g.steps {
                for place in step.body.split('{').skip(1).filter_map(|r| r.split_once('}').map(|(id, _)| id)) {
                    let has_file = p.schema().field_of(|k| matches!(k, Kind::File(_))).is_some();
                    let ok = (place == "file" && has_file)
                        || g.fields.get(place).is_some_and(|f| f.kind != crate::guide::FieldKind::Secret);
                    assert!(ok, "{}: step {} names {{{place}}}, which is not a field it may show", p.as_str(), step.id);
                }
            }
        }
    }

    /// A field whose file the vendor checks has its words in the guide (`[fields.<key>.file]`):
    /// the front ends say nothing of their own about whose file it is.
    #[test]
    fn every_checked_file_has_its_words_in_the_guide() {
        for p in ProviderId::ALL {
            for def in p.schema().fields.iter().filter(|d| matches!(d.kind, Kind::File(_))) {
                let words = p.guide().fields.get(def.key).and_then(|f| f.file.as_ref());
                assert!(
                    words.is_some_and(|w| !w.found.is_empty() && !w.empty.is_empty()),
                    "{}: {}",
                    p.as_str(),
                    def.key
                );
            }
        }
    }

    #[test]
    fn every_guide_parses_and_is_complete() {
        for p in ProviderId::ALL {
            let g = p.guide();
            assert_eq!(g.provider, p.as_str());
            for s in &g.steps {
                for f in &s.fields {
                    assert!(g.fields.contains_key(f), "{}: field {f} has no spec", s.id);
                }
                if matches!(s.kind, StepKind::Confirm | StepKind::Ack | StepKind::Select) {
                    assert!(!s.confirm.is_empty() && !s.refuse.is_empty(), "{}", s.id);
                }
                if s.kind == StepKind::Choose {
                    assert!(s.choices.iter().any(|c| c.refuse.is_none()), "{}: nothing to choose", s.id);
                }
                if s.kind == StepKind::Select {
                    let names: Vec<&str> = g.products.iter().map(|p| p.name.as_str()).collect();
                    assert_eq!(
                        s.confirm.iter().map(String::as_str).collect::<Vec<_>>(),
                        names,
                        "products listed in order"
                    );
                    // The console's own labels are said too, so the admin finds each there.
                    for c in g.products.iter().filter_map(|p| p.console.as_deref()) {
                        assert!(s.body.contains(c), "{}: the step does not name {c:?}", s.id);
                    }
                }
            }
            for k in FailureKind::ALL {
                assert!(!g.hint(k).is_empty(), "{}: no hint for {k}", g.provider);
            }
            // A product is probed at a documented address, or says why it is not.
            for p in &g.products {
                assert!(p.probe.is_some() == p.no_probe.is_empty(), "{}: probe or no_probe", p.id);
                assert!(p.probe.is_none() || p.family.is_some(), "{}: a probe needs its address family", p.id);
            }
            // A failing proxy is blamed with the proxy's fix, never the server's port.
            assert_ne!(g.hint_at("proxy", FailureKind::Connect), g.hint(FailureKind::Connect), "{}", g.provider);
        }
    }

    /// Plain mode never tells the user to press a key only the full-screen UI has, and each of
    /// its phrases still matches the text it replaces (a reworded asset cannot leave it stale).
    #[test]
    fn plain_wording_names_no_tui_keys() {
        const TUI_KEYS: [&str; 6] = ["Space", "Tab", "Esc", "Ctrl", "PgUp", "PgDn"];
        for p in ProviderId::ALL {
            let g = p.guide();
            for s in &g.steps {
                let placeholders: Vec<&str> = s.fields.iter().map(|f| g.field(f).placeholder.as_str()).collect();
                let mut texts: Vec<&str> = vec![&s.body, &s.refuse, &s.warning, &s.link_warning];
                texts.extend(&placeholders);
                texts.extend(s.confirm.iter().map(String::as_str));
                texts.extend(s.choices.iter().flat_map(|c| [&c.label, &c.note]).map(String::as_str));
                texts.extend(s.choices.iter().filter_map(|c| c.refuse.as_deref()));
                for from in s.plain.keys() {
                    assert!(texts.iter().any(|t| t.contains(from.as_str())), "{}: stale plain phrase {from:?}", s.id);
                }
                for t in texts {
                    let said = s.plain_text(t);
                    assert!(!said.contains("Up and Down"), "{}: {said}", s.id);
                    let words: Vec<&str> = said.split(|c: char| !c.is_alphanumeric()).collect();
                    for key in TUI_KEYS {
                        assert!(!words.contains(&key), "{}/{}: plain mode would say {key:?}: {said}", g.provider, s.id);
                    }
                }
            }
        }
    }
}
