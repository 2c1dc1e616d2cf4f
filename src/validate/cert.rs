//! What a server certificate says, for the admin who compares it with the PBX before trusting
//! it (issue #16): its subject, issuer, end of validity and SHA-256 fingerprint, read from the
//! DER the TLS handshake already carries. A small DER walker over the few fields needed, not an
//! X.509 crate (binary size); anything it cannot read is `None`, never a guess. Nothing here
//! verifies anything: rustls does that.

use ring::digest::{SHA256, digest};

/// The parts of a certificate an admin compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// "CN=pbx.example.com, O=Example" in the certificate's own order.
    pub subject: String,
    pub issuer: String,
    /// The end of validity, seconds since the epoch.
    pub not_after: u64,
    /// SHA-256 of the DER, as colon-separated upper-case hex (as browsers show it).
    pub sha256: String,
}

/// The certificate as health facts (subject, issuer, fingerprint, expiry with days left) and, by
/// the thresholds, its expiry finding: the same for every vendor.
pub fn health(c: &CertInfo, now: u64, t: &crate::report::Thresholds) -> crate::report::Health {
    use crate::report::Fact;
    let fact = |id, label, value: String| Fact { id, label, value, number: None, at: None, of: None };
    let (expires, finding) = crate::report::expiry(
        "certificate_expires",
        "Certificate expires",
        Some(crate::report::Dated::utc(c.not_after)),
        now,
        t,
        "the server certificate",
    );
    crate::report::Health {
        facts: vec![
            fact("certificate", "Certificate", c.subject.clone()),
            fact("certificate_issuer", "Certificate issuer", c.issuer.clone()),
            expires,
            fact("certificate_sha256", "Certificate SHA-256", c.sha256.clone()),
        ],
        findings: finding.into_iter().collect(),
        thresholds: *t,
    }
}

/// Reads `der`, an X.509 certificate.
pub fn describe(der: &[u8]) -> Option<CertInfo> {
    let (cert, _) = tlv(der, 0x30)?;
    let (tbs, _) = tlv(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = tlv(rest, 0xA0)?.1; // the explicit version
    }
    rest = tlv(rest, 0x02)?.1; // serialNumber
    rest = tlv(rest, 0x30)?.1; // signature algorithm
    let (issuer, rest) = tlv(rest, 0x30)?;
    let (validity, rest) = tlv(rest, 0x30)?;
    let (subject, _) = tlv(rest, 0x30)?;
    let not_after = {
        let after_start = skip_any(validity)?;
        time(after_start)?
    };
    let fp = digest(&SHA256, der);
    let sha256 = fp.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    Some(CertInfo { subject: name(subject)?, issuer: name(issuer)?, not_after, sha256 })
}

/// One TLV with tag `tag` at the start of `b`: its content and what follows it.
fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *b.first()? != tag {
        return None;
    }
    let (len, head) = match *b.get(1)? {
        n if n < 0x80 => (usize::from(n), 2),
        n => {
            let k = usize::from(n & 0x7F);
            if k == 0 || k > 4 {
                return None;
            }
            let bytes = b.get(2..2 + k)?;
            (bytes.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)), 2 + k)
        }
    };
    let content = b.get(head..head.checked_add(len)?)?;
    Some((content, &b[head + len..]))
}

/// What follows the first TLV of `b`, whatever its tag.
fn skip_any(b: &[u8]) -> Option<&[u8]> {
    tlv(b, *b.first()?).map(|(_, rest)| rest)
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950-2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time(b: &[u8]) -> Option<u64> {
    let (tag, text) = (*b.first()?, b);
    let (content, _) = tlv(text, tag)?;
    let s = std::str::from_utf8(content).ok()?.strip_suffix('Z')?;
    let full = match (tag, s.len()) {
        (0x17, 12) => {
            let yy: u32 = s.get(..2)?.parse().ok()?;
            format!("{}{s}", if yy < 50 { "20" } else { "19" })
        }
        (0x18, 14) => s.to_string(),
        _ => return None,
    };
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        full.get(..4)?,
        full.get(4..6)?,
        full.get(6..8)?,
        full.get(8..10)?,
        full.get(10..12)?,
        full.get(12..14)?
    );
    crate::report::parse_datetime(&iso)
}

/// A Name as "CN=..., O=...": the attributes an admin recognises, in order; others by their OID.
fn name(mut b: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    while !b.is_empty() {
        let (set, rest) = tlv(b, 0x31)?;
        b = rest;
        let mut attrs = set;
        while !attrs.is_empty() {
            let (atv, more) = tlv(attrs, 0x30)?;
            attrs = more;
            let (oid, value) = tlv(atv, 0x06)?;
            let label = match oid {
                [0x55, 0x04, 0x03] => "CN",
                [0x55, 0x04, 0x0A] => "O",
                [0x55, 0x04, 0x0B] => "OU",
                [0x55, 0x04, 0x06] => "C",
                [0x55, 0x04, 0x07] => "L",
                [0x55, 0x04, 0x08] => "ST",
                _ => continue,
            };
            let (text, _) = tlv(value, *value.first()?)?;
            let text = String::from_utf8_lossy(text);
            parts.push(format!("{label}={}", crate::text::one_line(&text, 80)));
        }
    }
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

    fn cert(cn: &str, org: &str, not_after: (i32, u8, u8)) -> Vec<u8> {
        let mut p = CertificateParams::new(vec![cn.to_string()]).expect("params");
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn.push(DnType::OrganizationName, org);
        p.distinguished_name = dn;
        p.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let key = KeyPair::generate().expect("key");
        p.self_signed(&key).expect("cert").der().to_vec()
    }

    #[test]
    fn subject_issuer_end_and_fingerprint_of_a_real_certificate() {
        let der = cert("pbx.example.com", "Example Ltd", (2027, 3, 1));
        let info = describe(&der).expect("readable");
        assert_eq!(info.subject, "CN=pbx.example.com, O=Example Ltd");
        assert_eq!(info.issuer, info.subject, "self-signed");
        assert_eq!(crate::report::utc_date(info.not_after), "2027-03-01");
        assert_eq!(info.sha256.len(), 32 * 3 - 1);
        assert_eq!(info.sha256, info.sha256.to_uppercase());
        // GeneralizedTime beyond 2049.
        let far = describe(&cert("x", "y", (2051, 1, 2))).expect("readable");
        assert_eq!(crate::report::utc_date(far.not_after), "2051-01-02");
    }

    #[test]
    fn a_certificate_ending_soon_is_a_finding_by_the_thresholds() {
        let info = describe(&cert("pbx.example.com", "Example Ltd", (2027, 3, 1))).expect("readable");
        let t = crate::report::Thresholds::default();
        let day = 86_400;
        let h = health(&info, info.not_after - 100 * day, &t);
        assert_eq!(h.findings, vec![]);
        assert_eq!(h.facts[2].value, "2027-03-01 (100 days left)");
        let h = health(&info, info.not_after - 20 * day, &t);
        assert_eq!(h.findings[0].level, crate::report::Level::Warning);
        let h = health(&info, info.not_after + day, &t);
        assert_eq!(h.findings[0].text, "the server certificate ended on 2027-03-01");
        assert_eq!(h.findings[0].level, crate::report::Level::Critical);
    }

    #[test]
    fn anything_else_is_unreadable_not_guessed() {
        let der = cert("pbx.example.com", "Example Ltd", (2027, 3, 1));
        for bad in [&der[..0], &der[..10], &der[1..], b"not a certificate" as &[u8]] {
            assert_eq!(describe(bad), None);
        }
    }
}
