//! Instants are stored as microseconds since the Unix epoch (UTC) in both backends, so that they
//! compare and sort the same way everywhere; they are shown in Asia/Shanghai (UTC+8).

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};

/// Microseconds since the Unix epoch.
pub type Micros = i64;

pub fn to_micros(t: DateTime<Utc>) -> Micros {
    t.timestamp_micros()
}

pub fn from_micros(us: Micros) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

/// Beijing time (UTC+8, no daylight saving since 1991).
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// RFC 3339 in UTC with microseconds: the canonical text form used in ledger entries.
pub fn rfc3339_micros(us: Micros) -> String {
    from_micros(us).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// How a person reads an instant: `2025-10-09 14:03` Beijing time.
pub fn display_local(us: Micros) -> String {
    from_micros(us)
        .with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_and_local_display() {
        let us = 1_759_300_000_123_456;
        assert_eq!(to_micros(from_micros(us)), us);
        assert_eq!(rfc3339_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(display_local(0), "1970-01-01 08:00");
    }
}
