//! Schemas of the profile layer's own tests: a 3CX-like vendor (a host, an id, a secret) and an
//! 8x8-like one (an id, a secret, a product list, an optional host), so the store, the exchange
//! format and the keeping of secrets are tested on the generic model alone, below the vendors.

use super::schema::{FieldDef, Kind, Schema};
use crate::guide::{FieldKind, Guide};

fn pbx_guide() -> &'static Guide {
    static G: std::sync::OnceLock<Guide> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        Guide::parse("provider = \"3cx\"\nname = \"T\"\ntitle = \"\"\nsummary = \"\"\nsteps = []\n[checks]\n[hints]\n")
    })
}

fn api_guide() -> &'static Guide {
    static G: std::sync::OnceLock<Guide> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        Guide::parse(
            "provider = \"8x8\"\nname = \"A\"\ntitle = \"\"\nsummary = \"\"\nsteps = []\n[checks]\n[hints]\n\
             [[products]]\nid = \"cloud-storage\"\nname = \"Cloud Storage Service\"\ncodes = [\"storage\"]\n\
             [[products]]\nid = \"cc-chat\"\nname = \"CC Chat\"\ncodes = [\"chat\"]\n",
        )
    })
}

/// Like 3CX: `domain`, `client_id`, `api_key`.
pub static PBX: Schema = Schema {
    provider: "3cx",
    name: "T",
    guide: pbx_guide,
    fields: &[
        FieldDef::new("domain", Kind::Text(FieldKind::Host)),
        FieldDef::new("client_id", Kind::Text(FieldKind::Id)),
        FieldDef::new("api_key", Kind::Text(FieldKind::Secret)),
    ],
    target: "domain",
};

/// Like 8x8: `client_id`, `client_secret`, `products`, an optional `base_url`.
pub static API: Schema = Schema {
    provider: "8x8",
    name: "A",
    guide: api_guide,
    fields: &[
        FieldDef::new("client_id", Kind::Text(FieldKind::Id)),
        FieldDef::new("client_secret", Kind::Text(FieldKind::Secret)),
        FieldDef::new("products", Kind::Products),
        FieldDef::new("base_url", Kind::Text(FieldKind::Host)).optional().default("api.example.com"),
    ],
    target: "base_url",
};

pub static BOTH: [&Schema; 2] = [&PBX, &API];
