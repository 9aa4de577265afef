//! Identifiers and timestamps. Ids that can be created on more than one machine are UUIDv7,
//! so they sort by creation time and never clash when study files are merged.

/// A global id as stored: the 16 bytes of a UUID.
pub(crate) type Gid = [u8; 16];

/// A new UUIDv7 (time-ordered, so ids created later sort later).
pub(crate) fn new_gid() -> Gid {
    *uuid::Uuid::now_v7().as_bytes()
}

/// A stored global id as the lowercase hyphenated text callers see.
pub(crate) fn gid_text(gid: &[u8]) -> String {
    match uuid::Uuid::from_slice(gid) {
        Ok(u) => u.to_string(),
        Err(_) => gid.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Parses a global id given as text (hyphenated or not).
pub(crate) fn parse_gid(text: &str) -> Option<Gid> {
    uuid::Uuid::parse_str(text.trim())
        .ok()
        .map(|u| *u.as_bytes())
}

/// Current UTC time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The time for a new event on a cell whose latest event is at `last`: now, but strictly after
/// `last`, so the new value wins even if the clock stepped back or a merged copy's clock ran
/// ahead.
pub(crate) fn next_event_time(last: Option<i64>) -> i64 {
    last.map_or(now_ms(), |t| now_ms().max(t + 1))
}

/// UTC milliseconds as an RFC 3339 timestamp (civil-from-days, Hinnant's algorithm).
pub fn format_utc_ms(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(super::format_utc_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::format_utc_ms(1_795_457_123_456),
            "2026-11-23T18:05:23.456Z"
        );
    }
}
