//! Identifiers and timestamps. Ids that can be created on more than one machine are UUIDv7,
//! so they sort by creation time and never clash when study files are merged.

/// A new UUIDv7 as lowercase hyphenated text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Current UTC time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
