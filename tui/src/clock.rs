//! Times as the user reads them: a message's `chat_time` (imchat sends UTC; llfc its server's
//! local time) moved to the user's time zone, and named relative to today: `14:05` today,
//! `yesterday`, a date before that. Pure: the offset and today's date are the terminal loop's
//! to read (`App::clock`), so `App` and its rendering stay free of the clock.

use imchat_sdk::proto::time::format_chat_time;

use crate::i18n::Tr;

/// What rendering needs to know of the clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clock {
    /// The user's offset from UTC, in seconds (east positive).
    pub offset_secs: i32,
    /// Today's and yesterday's local dates, `YYYY-MM-DD` (empty: not known, dates shown).
    pub today: String,
    pub yesterday: String,
    /// The language "today" and "yesterday" are said in.
    pub tr: Tr,
}

impl Clock {
    /// The clock at `now_ms` (epoch milliseconds) in a zone `offset_secs` east of UTC.
    pub fn at(now_ms: i64, offset_secs: i32) -> Clock {
        let local = now_ms + i64::from(offset_secs) * 1000;
        let date = |ms: i64| format_chat_time(ms).get(..10).unwrap_or("").to_owned();
        Clock { offset_secs, today: date(local), yesterday: date(local - 86_400_000), tr: Tr::default() }
    }

    /// `chat_time` in the user's zone (`YYYY-MM-DD HH:MM:SS`); `utc` says it is UTC (imchat),
    /// else it is taken as it is (llfc's servers write their own local time). Unparsable
    /// text comes back unchanged.
    pub fn local(&self, chat_time: &str, utc: bool) -> String {
        match (utc, epoch_ms(chat_time)) {
            (true, Some(ms)) => format_chat_time(ms + i64::from(self.offset_secs) * 1000),
            _ => chat_time.to_owned(),
        }
    }

    /// A local time's day as a chat list or a day separator names it.
    pub fn day(&self, local: &str) -> String {
        let date = local.get(..10).unwrap_or(local);
        if !self.today.is_empty() && date == self.today {
            self.tr.today()
        } else if !self.yesterday.is_empty() && date == self.yesterday {
            self.tr.yesterday()
        } else {
            date.to_owned()
        }
    }

    /// A local time as the chat list shows it: `HH:MM` today, `yesterday`, else `MM-DD` this
    /// year and the full date before.
    pub fn list_label(&self, local: &str) -> String {
        let date = local.get(..10).unwrap_or("");
        if !self.today.is_empty() && date == self.today {
            return local.get(11..16).unwrap_or("").to_owned();
        }
        if !self.yesterday.is_empty() && date == self.yesterday {
            return self.tr.yesterday();
        }
        if self.today.get(..4).is_some_and(|year| local.starts_with(year)) {
            return local.get(5..10).unwrap_or("").to_owned();
        }
        date.to_owned()
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) as epoch milliseconds.
fn epoch_ms(text: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

/// Howard Hinnant's civil-to-days (proleptic Gregorian), the inverse of `format_chat_time`'s.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_move_to_the_users_zone() {
        let beijing = Clock::at(epoch_ms("2026-12-07 02:00:00").unwrap(), 8 * 3600);
        assert_eq!(beijing.today, "2026-12-07");
        assert_eq!(beijing.local("2026-12-06 20:30:00", true), "2026-12-07 04:30:00");
        assert_eq!(beijing.local("2026-12-06 20:30:00", false), "2026-12-06 20:30:00", "llfc's are local already");
        assert_eq!(beijing.local("soon", true), "soon");
        let new_york = Clock::at(epoch_ms("2026-12-07 02:00:00").unwrap(), -5 * 3600);
        assert_eq!((new_york.today.as_str(), new_york.yesterday.as_str()), ("2026-12-06", "2026-12-05"));
        for text in ["1970-01-01 00:00:00", "2000-02-29 12:34:56", "2026-12-31 23:59:59"] {
            assert_eq!(format_chat_time(epoch_ms(text).unwrap()), text);
        }
    }

    #[test]
    fn days_are_named_relative_to_today() {
        let clock = Clock::at(epoch_ms("2026-12-07 10:00:00").unwrap(), 0);
        assert_eq!(clock.list_label("2026-12-07 09:41:00"), "09:41");
        assert_eq!(clock.list_label("2026-12-06 23:59:00"), "yesterday");
        assert_eq!(clock.list_label("2026-11-30 08:00:00"), "11-30");
        assert_eq!(clock.list_label("2025-12-31 08:00:00"), "2025-12-31");
        assert_eq!(clock.day("2026-12-07 09:41:00"), "today");
        assert_eq!(clock.day("2026-12-01 09:41:00"), "2026-12-01");
    }
}
