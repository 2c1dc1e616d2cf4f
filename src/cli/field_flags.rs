//! `add`'s value flags, derived from every vendor's profile fields: one flag per field (its key
//! with dashes, or the schema's own name), and for a secret the `-stdin`, `-file` and `-env` flags
//! that read it, never a flag value (which `ps` and shell history would show). Flags several
//! vendors share are one flag whose help names each vendor's meaning.

use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Args, Command, FromArgMatches};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::profile::schema::Kind;

/// One flag and what it says in `--help`.
struct Spec {
    flag: String,
    secret: bool,
    list: bool,
    value_name: String,
    help: String,
    /// The vendors that use it, when not every one (`8x8, CX-Engine`).
    vendors: Option<String>,
    /// `flag-stdin`, `flag-file`, `flag-env`, `flag-ref` for a secret.
    sources: [String; 4],
}

fn specs() -> &'static [Spec] {
    static SPECS: OnceLock<Vec<Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        // Each flag, with the vendors that use it and what it means for each.
        type Uses = Vec<(&'static str, &'static str)>;
        let mut by_flag: BTreeMap<String, (Spec, Uses)> = BTreeMap::new();
        let mut order = Vec::new();
        for schema in crate::providers::SCHEMAS {
            let vendor = schema.name;
            for def in schema.fields {
                let flag = def.flag();
                let entry = by_flag.entry(flag.clone()).or_insert_with(|| {
                    order.push(flag.clone());
                    let value_name = match def.kind {
                        Kind::File(_) => "PATH".to_string(),
                        _ => def.key.to_uppercase(),
                    };
                    let sources =
                        [format!("{flag}-stdin"), format!("{flag}-file"), format!("{flag}-env"), format!("{flag}-ref")];
                    let spec = Spec {
                        secret: def.secret(),
                        list: def.kind == Kind::Products,
                        value_name,
                        help: String::new(),
                        vendors: None,
                        sources,
                        flag: flag.clone(),
                    };
                    (spec, Vec::new())
                });
                entry.1.push((vendor, def.help));
            }
        }
        let all = crate::providers::SCHEMAS.len();
        order
            .into_iter()
            .filter_map(|f| by_flag.remove(&f))
            .map(|(mut spec, uses)| {
                let same = uses.iter().all(|(_, h)| *h == uses[0].1);
                let names: Vec<&str> = uses.iter().map(|(v, _)| *v).collect();
                spec.vendors = (uses.len() < all).then(|| names.join(", "));
                spec.help = match (same, &spec.vendors) {
                    // A secret's flags name their vendors after the text: "Read the API key … (3CX)".
                    (true, _) if spec.secret => uses[0].1.to_string(),
                    (true, None) => uses[0].1.to_string(),
                    (true, Some(v)) => format!("{v}: {}", uses[0].1),
                    (false, _) => uses.iter().map(|(v, h)| format!("{v}: {h}")).collect::<Vec<_>>().join("; "),
                };
                spec
            })
            .collect()
    })
}

/// The values given, by flag (without dashes).
#[derive(Debug, Clone, Default)]
pub struct FieldFlags {
    values: BTreeMap<String, Vec<String>>,
    stdin: Vec<String>,
    files: BTreeMap<String, PathBuf>,
    envs: BTreeMap<String, String>,
    refs: BTreeMap<String, String>,
}

/// Where a secret flag's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretSource<'a> {
    pub stdin: bool,
    pub file: Option<&'a PathBuf>,
    pub env: Option<&'a str>,
    /// `--flag-ref env:VAR|command:...|keyring`: keep where the secret is, not the secret.
    pub reference: Option<&'a str>,
}

impl FieldFlags {
    /// The value of `--flag`, when given.
    pub fn one(&self, flag: &str) -> Option<&str> {
        self.values.get(flag).and_then(|v| v.first()).map(String::as_str)
    }

    /// The items of a list flag (`--products a,b`).
    pub fn list(&self, flag: &str) -> &[String] {
        self.values.get(flag).map_or(&[], Vec::as_slice)
    }

    /// How secret `flag` was given (`--flag-stdin`, `--flag-file`, `--flag-env`).
    pub fn secret(&self, flag: &str) -> SecretSource<'_> {
        SecretSource {
            stdin: self.stdin.iter().any(|f| f == flag),
            file: self.files.get(flag),
            env: self.envs.get(flag).map(String::as_str),
            reference: self.refs.get(flag).map(String::as_str),
        }
    }

    /// Every flag given (value flags by name, secret flags by their secret's name).
    pub fn given(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.values.keys().map(String::as_str).collect();
        out.extend(self.stdin.iter().map(String::as_str));
        out.extend(self.files.keys().map(String::as_str));
        out.extend(self.envs.keys().map(String::as_str));
        out.extend(self.refs.keys().map(String::as_str));
        // `--api-key-ref keyring --api-key-stdin` names one secret once.
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Args for FieldFlags {
    fn augment_args(cmd: Command) -> Command {
        let mut sources = Vec::new();
        let mut cmd = cmd.next_help_heading("Profile fields (secrets never as a flag value)");
        for s in specs() {
            if s.secret {
                let [stdin, file, env, reference] = &s.sources;
                let what = s.help.as_str();
                let whose = s.vendors.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
                cmd = cmd
                    .arg(
                        Arg::new(stdin.as_str())
                            .long(stdin.as_str())
                            .action(ArgAction::SetTrue)
                            .help(format!("Read {what} from standard input{whose}")),
                    )
                    .arg(
                        Arg::new(file.as_str())
                            .long(file.as_str())
                            .value_name("PATH")
                            .value_parser(clap::value_parser!(PathBuf))
                            .help(format!("Read {what} from this file{whose}")),
                    )
                    .arg(
                        Arg::new(env.as_str())
                            .long(env.as_str())
                            .value_name("VAR")
                            .help(format!("Read {what} from this environment variable{whose}")),
                    )
                    .arg(
                        Arg::new(reference.as_str())
                            .long(reference.as_str())
                            .value_name("env:VAR|command:CMD|keyring")
                            .help(format!(
                                "Keep in the profile where {what} is read from at each use, not the secret: an environment variable, a command's output, or the OS keyring (with -stdin, -file or -env: stored there){whose}"
                            )),
                    );
                // `-ref keyring` may come with one of these: the secret to store in the keyring.
                sources.extend([stdin.as_str(), file.as_str(), env.as_str()]);
                continue;
            }
            let mut arg =
                Arg::new(s.flag.as_str()).long(s.flag.as_str()).value_name(s.value_name.as_str()).help(&s.help);
            if s.list {
                arg = arg.value_delimiter(',').action(ArgAction::Append);
            }
            cmd = cmd.arg(arg);
        }
        // One secret, from one source.
        cmd.group(ArgGroup::new("key").args(sources).multiple(false)).next_help_heading(None)
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for FieldFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut f = FieldFlags::default();
        f.update_from_arg_matches(m)?;
        Ok(f)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        for s in specs() {
            if s.secret {
                let [stdin, file, env, reference] = &s.sources;
                if let Some(v) = m.get_one::<String>(reference) {
                    self.refs.insert(s.flag.clone(), v.clone());
                }
                if m.get_flag(stdin) {
                    self.stdin.push(s.flag.clone());
                }
                if let Some(p) = m.get_one::<PathBuf>(file) {
                    self.files.insert(s.flag.clone(), p.clone());
                }
                if let Some(v) = m.get_one::<String>(env) {
                    self.envs.insert(s.flag.clone(), v.clone());
                }
            } else if let Some(vs) = m.get_many::<String>(&s.flag) {
                self.values.insert(s.flag.clone(), vs.cloned().collect());
            }
        }
        Ok(())
    }
}
