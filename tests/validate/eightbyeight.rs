//! 8x8 validations against the simulator: 8x8's documented token answer, products granted or not,
//! the JWT claims, regional addresses, and what is "not checked".

use super::*;

use pbxlink::providers::eightbyeight::EightByEight;
use pbxlink::providers::eightbyeight::simulated::Grants;

const SECRET8: &str = "s3cret-8x8-value-77aa";

async fn sim() -> (Simulator, tempfile::TempDir, Options) {
    let sim = start(
        vec![],
        vec![
            EightByEightAccount::new("all", SECRET8, Grants::All),
            EightByEightAccount::new("nochat", SECRET8, Grants::NoChat),
            EightByEightAccount::new("jwt", SECRET8, Grants::JwtOnly),
            EightByEightAccount::new("odd", SECRET8, Grants::Unrecognised),
            EightByEightAccount::new("storage", SECRET8, Grants::StorageOnly),
            EightByEightAccount::new("storagevcc", SECRET8, Grants::StorageAndChat),
            EightByEightAccount::new("work", SECRET8, Grants::WorkOnly),
            EightByEightAccount::new("eu", SECRET8, Grants::All).in_europe(),
        ],
        vec![],
    )
    .await
    .expect("simulator");
    let (dir, opts) = trusting(&sim);
    (sim, dir, opts)
}

fn profile(base: &str, client: &str, secret: &str, products: &[&str]) -> Profile {
    EightByEight {
        client_id: client.into(),
        client_secret: SecretString::from(secret.to_string()),
        products: products.iter().map(|p| p.to_string()).collect(),
        base_url: Some(base.into()),
        region: None,
    }
    .profile("cc", None)
}

async fn check(p: &Profile, opts: &Options) -> Report {
    let r = pbxlink::providers::validate(p, opts, &mut |_| {}).await;
    assert!(!format!("{r:?}").contains(SECRET8), "the secret leaked into the report");
    r
}

#[tokio::test]
async fn every_product_granted() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "all", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert!(
        detail(&r, "products").contains("Cloud Storage Service, Contact Center Chat"),
        "{}",
        detail(&r, "products")
    );
    assert_eq!(detail(&r, "token"), "token issued, valid for 30 min", "expires_in came as the string \"1799\"");
    assert_eq!(sim.requests(), vec!["POST /oauth/v2/token"]);
    assert_eq!(sim.handshakes(), 1);
}

#[tokio::test]
async fn a_missing_product_is_flagged_with_the_fix() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "nochat", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden));
    let d = detail(&r, "products");
    assert!(d.starts_with("not granted: Contact Center Chat (8x8's table code vcc is not in api_product_list_json, which lists CE-PCS-Product, "), "{d}");
    let hint = r.hint.clone().unwrap_or_default();
    assert!(hint.contains("SETUP › API Keys"), "{hint}");
    // 8x8's own words on its replication delay, and what to do about it.
    assert!(hint.contains("\"will not be instantaneous\"") && hint.contains("wait a few minutes"), "{hint}");
}

/// 8x8's table: `vcc` is Contact Center Chat. The substring match failed this working app.
#[tokio::test]
async fn storage_and_vcc_grant_cloud_storage_and_contact_center_chat() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "storagevcc", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(
        detail(&r, "products"),
        "granted: Cloud Storage Service, Contact Center Chat (from api_product_list_json)"
    );
}

/// 8x8's table: `Chat` is CHAPI Work Chat and `analytics product` Work Analytics, neither an
/// OAuth product. The substring match passed this app for Contact Center Chat and CC Historical.
#[tokio::test]
async fn work_chat_and_work_analytics_grant_no_contact_center_product() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "work", SECRET8, &["cc-chat", "cc-historical-analytics"]), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden), "{r:#?}");
    assert_eq!(
        detail(&r, "products"),
        "not granted: Contact Center Chat, CC Historical Analytics (8x8's table codes vcc, analytics realtime-api are not in api_product_list_json, which lists Chat, analytics product)"
    );
}

#[tokio::test]
async fn products_read_from_the_jwt_when_not_listed() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "jwt", SECRET8, &["quality-management"]), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert!(detail(&r, "products").contains("services claim"), "{}", detail(&r, "products"));
}

/// Codes the table does not name grant nothing: a chosen product whose code is absent from the
/// documented list is not granted, whatever else the list holds.
#[tokio::test]
async fn codes_the_table_does_not_name_grant_nothing() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "odd", SECRET8, &["cc-chat"]), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Forbidden), "{r:#?}");
    assert!(detail(&r, "products").ends_with("which lists audit, chat-gateway)"), "{}", detail(&r, "products"));
}

fn with_region(mut p: Profile, region: &str) -> Profile {
    if let Some(mut e) = EightByEight::of(&p) {
        e.region = Some(region.into());
        p = e.profile(&p.name, p.ca_file.clone());
    }
    p
}

const ALL_PRODUCTS: [&str; 5] =
    ["cc-realtime-analytics", "cc-historical-analytics", "cloud-storage", "quality-management", "cc-chat"];

/// The case that used to fail a working link: a European tenant with `region = "uk"`. The
/// analytics prefix of a uk tenant is written nowhere, so those APIs are not asked at a guessed
/// address; Cloud Storage's uk address is documented and answers.
#[tokio::test]
async fn a_european_tenant_is_not_failed_on_a_guess() {
    let (sim, _d, opts) = sim().await;
    let r = check(&with_region(profile(&sim.domain(), "eu", SECRET8, &ALL_PRODUCTS), "uk"), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "probes"), CheckState::Passed);
    let d = detail(&r, "probes");
    assert!(d.starts_with("answered in uk: Cloud Storage Service; not checked: "), "{d}");
    assert!(d.contains("CC Realtime Analytics (8x8 documents no analytics address for region uk)"), "{d}");
    assert!(d.contains("Quality Management (its API requires a pbx header"), "{d}");
    assert!(d.contains("Contact Center Chat (its API needs the tenant id"), "{d}");
    let asked: Vec<String> = sim.requests().into_iter().filter(|r| r.starts_with("GET ")).collect();
    assert_eq!(
        asked,
        vec!["GET /storage/uk/v3/buckets"],
        "no request to a guessed address, no QM request without its header"
    );
    assert_eq!(sim.handshakes(), 1, "the probes reuse the token's connection");
}

#[tokio::test]
async fn analytics_are_asked_at_their_documented_regional_prefix() {
    let (sim, _d, opts) = sim().await;
    let products = ["cc-realtime-analytics", "cc-historical-analytics", "cloud-storage"];
    let r = check(&with_region(profile(&sim.domain(), "eu", SECRET8, &products), "eu"), &opts).await;
    assert!(r.ok(), "{r:#?}");
    let d = detail(&r, "probes");
    assert!(d.starts_with("answered in eu: CC Realtime Analytics, CC Historical Analytics; not checked: Cloud Storage Service (8x8 documents no Cloud Storage address for region eu)"), "{d}");
    assert!(sim.requests().contains(&"GET /eu/analytics/cc/v5/realtime-metrics/queues".to_string()));
    let us = check(&with_region(profile(&sim.domain(), "all", SECRET8, &products), "us-west"), &opts).await;
    assert_eq!(
        detail(&us, "probes"),
        "answered in us-west: CC Realtime Analytics, CC Historical Analytics, Cloud Storage Service"
    );
}

#[tokio::test]
async fn a_refusal_where_the_region_may_be_wrong_is_not_checked() {
    let (sim, _d, opts) = sim().await;
    // A US tenant told it is in uk: its token is refused (401) at the uk address, while the
    // token grants the product. That proves nothing about the key.
    let r = check(&with_region(profile(&sim.domain(), "all", SECRET8, &["cloud-storage"]), "uk"), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "probes"), CheckState::NotAvailable);
    assert!(detail(&r, "probes").contains("HTTP 401, although the token grants it"), "{}", detail(&r, "probes"));
}

#[tokio::test]
async fn an_unknown_region_is_not_checked_not_failed() {
    let (sim, _d, opts) = sim().await;
    let p = with_region(profile(&sim.domain(), "all", SECRET8, &["cloud-storage"]), "mars");
    let r = check(&p, &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(state(&r, "probes"), CheckState::NotAvailable);
    assert_eq!(
        detail(&r, "probes"),
        "n/a: not checked: Cloud Storage Service (8x8 documents no Cloud Storage address for region mars)"
    );
    assert_eq!(sim.requests(), vec!["POST /oauth/v2/token"], "nothing sent to a made-up address");
}

/// 8x8 support's example: a Cloud Storage key whose list is "[storage]".
#[tokio::test]
async fn a_storage_only_key() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "storage", SECRET8, &["cloud-storage"]), &opts).await;
    assert!(r.ok(), "{r:#?}");
    assert_eq!(detail(&r, "products"), "granted: Cloud Storage Service (from api_product_list_json)");
    let chat = check(&profile(&sim.domain(), "storage", SECRET8, &["cloud-storage", "cc-chat"]), &opts).await;
    assert_eq!(chat.failure, Some(FailureKind::Forbidden));
    assert_eq!(
        detail(&chat, "products"),
        "not granted: Contact Center Chat (8x8's table code vcc is not in api_product_list_json, which lists storage)"
    );
    // Historical analytics is `analytics realtime-api` in 8x8's table: a key without it lacks it.
    let hist = check(&profile(&sim.domain(), "storage", SECRET8, &["cc-historical-analytics"]), &opts).await;
    assert_eq!(hist.failure, Some(FailureKind::Forbidden), "{hist:#?}");
}

#[tokio::test]
async fn a_wrong_secret_is_unauthorized() {
    let (sim, _d, opts) = sim().await;
    let r = check(&profile(&sim.domain(), "all", "wrong-8x8-secret", &["cc-chat"]), &opts).await;
    assert_eq!(r.failure, Some(FailureKind::Unauthorized));
    assert!(detail(&r, "token").contains("401"));
    // 8x8 documents no "regenerate secret": the fix shows where the secret is displayed again.
    assert!(r.hint.as_deref().is_some_and(|h| h.contains("eyeball icon") && !h.contains("regenerate")), "{:?}", r.hint);
    assert_eq!(state(&r, "products"), CheckState::Skipped);
}
