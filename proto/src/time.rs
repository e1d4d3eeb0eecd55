//! Formatting of `chat_time`: llfc sends `"YYYY-MM-DD HH:MM:SS"`; imchat sends UTC.
//! Time is a parameter here (milliseconds since the Unix epoch), never read from a clock.

/// Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn format_chat_time(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::format_chat_time;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_chat_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_chat_time(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(format_chat_time(1_795_500_000_123), "2026-11-24 06:00:00");
        assert_eq!(format_chat_time(-1_000), "1969-12-31 23:59:59");
    }
}
