//! Identifiers and timestamps. Ids that can be created on more than one machine are UUIDv7,
//! so they sort by creation time and never clash when study files are merged.

/// A global id as stored: the 16 bytes of a UUID.
pub(crate) type Gid = [u8; 16];

/// A new UUIDv7 (RFC 9562): Unix time in milliseconds, then 74 random bits. The ids this
/// process makes strictly increase, so ids created later sort later: within one millisecond (or
/// while the clock stands behind the last id) the random part steps up from the last id's by a
/// random amount (RFC 9562 §6.2, method 2). The random bits come from the thread's generator
/// (ChaCha, seeded once from the OS), where `Uuid::now_v7` makes system calls for every id
/// (4% of a 100k-response import).
pub(crate) fn new_gid() -> Gid {
    use std::sync::{Mutex, PoisonError};
    const RANDOM_BITS: u32 = 74;
    static LAST: Mutex<(u64, u128)> = Mutex::new((0, 0));
    let now = now_ms().max(0) as u64;
    let fresh = rand::random::<u128>() >> (128 - RANDOM_BITS);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    let step_up = last.1 + 1 + (fresh & 0xffff_ffff);
    let (ms, random) = if now > last.0 {
        (now, fresh)
    } else if step_up >> RANDOM_BITS == 0 {
        (last.0, step_up)
    } else {
        (last.0 + 1, fresh) // the millisecond's random space is spent: borrow the next
    };
    *last = (ms, random);
    drop(last);
    // Layout: 48 bits of time, version 7, the top 12 random bits, variant 0b10, the other 62.
    let bits = u128::from(ms) << 80
        | 0x7 << 76
        | (random >> 62) << 64
        | 0b10 << 62
        | (random & ((1 << 62) - 1));
    bits.to_be_bytes()
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
    fn new_ids_are_increasing_version_7_uuids_of_the_current_time() {
        let before = super::now_ms();
        let ids: Vec<super::Gid> = (0..20_000).map(|_| super::new_gid()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase");
        for id in [ids[0], ids[19_999]] {
            let u = uuid::Uuid::from_bytes(id);
            assert_eq!(u.get_version_num(), 7);
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
            let (secs, nanos) = u.get_timestamp().expect("a v7 timestamp").to_unix();
            let ms = secs as i64 * 1000 + i64::from(nanos / 1_000_000);
            assert!((before..before + 60_000).contains(&ms), "{ms} vs {before}");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(super::format_utc_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::format_utc_ms(1_795_457_123_456),
            "2026-11-23T18:05:23.456Z"
        );
    }
}
