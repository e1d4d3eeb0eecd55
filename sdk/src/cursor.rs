//! Per-thread sync cursors that never move past a missing message: what a client holds of
//! each thread, and where the first hole is when a push was lost on its way.
//!
//! On an imchat server a thread's `seq`s are consecutive (1, 2, 3, …), so a push whose seq is
//! not the next one means something before it is missing: the cursor stays where nothing is
//! missing, the push is held "ahead", and [`ThreadCursor::missing`] says what to fetch. On
//! llfc's servers `seq` is the message id, shared by every thread and so full of holes: there
//! the cursor is simply the highest seq held (llfc has no sync to fetch a hole with anyway), and
//! an id at or below it counts as held, since one llfc server writes a thread's messages, and
//! pushes them, in id order.

use std::collections::{BTreeSet, HashMap};

use imchat_proto::msg::SyncCursor;

use crate::Dialect;

/// What [`ThreadCursor::observe`] made of one seq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not held before; nothing is missing before it (the cursor moved over it).
    Next,
    /// Held already (a push and a sync, or a resend's reply, brought it twice).
    Duplicate,
    /// Not held before, but something before it is missing: fetch [`ThreadCursor::missing`].
    Ahead,
}

/// One thread's cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadCursor {
    /// Every seq up to this one is held (or was never wanted): the sync cursor.
    through: i64,
    /// Seqs held past a hole, waiting for the hole to be filled.
    ahead: BTreeSet<i64>,
}

impl ThreadCursor {
    /// A cursor with nothing missing up to `seq` (say, a thread shown from its tail: what is
    /// older is not missing, it is loaded on demand).
    pub fn at(seq: i64) -> ThreadCursor {
        ThreadCursor { through: seq.max(0), ahead: BTreeSet::new() }
    }

    /// The seq to sync from: everything up to it is held.
    pub fn through(&self) -> i64 {
        self.through
    }

    /// The newest seq held.
    pub fn newest(&self) -> i64 {
        self.ahead.last().copied().unwrap_or(self.through).max(self.through)
    }

    /// Records that `seq` is held, as `dialect` numbers seqs.
    pub fn observe(&mut self, seq: i64, dialect: Dialect) -> Seen {
        if dialect == Dialect::Llfc {
            let new = seq > self.through;
            self.through = self.through.max(seq);
            return if new { Seen::Next } else { Seen::Duplicate };
        }
        if seq <= self.through || self.ahead.contains(&seq) {
            return Seen::Duplicate;
        }
        if seq != self.through + 1 {
            self.ahead.insert(seq);
            return Seen::Ahead;
        }
        self.through = seq;
        while self.ahead.first() == Some(&(self.through + 1)) {
            self.ahead.pop_first();
            self.through += 1;
        }
        Seen::Next
    }

    /// Whether a seq past a hole is held: a push was lost, and a fetch should bring it.
    pub fn has_gap(&self) -> bool {
        !self.ahead.is_empty()
    }

    /// The messages through `seq` are not this reader's to have (a group said them before
    /// they joined): the cursor moves up to `seq`, and on over what is held just above.
    pub fn skip_to(&mut self, seq: i64) {
        if seq <= self.through {
            return;
        }
        self.through = seq;
        self.ahead.retain(|&held| held > seq);
        while self.ahead.first() == Some(&(self.through + 1)) {
            self.ahead.pop_first();
            self.through += 1;
        }
    }

    /// The first hole, as (after, before): the seqs strictly between the two are missing.
    pub fn missing(&self) -> Option<(i64, i64)> {
        self.ahead.first().map(|&first| (self.through, first))
    }
}

/// Every thread's cursor, for one account on one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursors {
    dialect: Dialect,
    threads: HashMap<i64, ThreadCursor>,
}

impl Cursors {
    pub fn new(dialect: Dialect) -> Cursors {
        Cursors { dialect, threads: HashMap::new() }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts `thread` at `seq` unless it is known already.
    pub fn start(&mut self, thread: i64, seq: i64) {
        self.threads.entry(thread).or_insert_with(|| ThreadCursor::at(seq));
    }

    /// Records that `thread`'s `seq` is held.
    pub fn observe(&mut self, thread: i64, seq: i64) -> Seen {
        let dialect = self.dialect;
        self.threads.entry(thread).or_default().observe(seq, dialect)
    }

    /// [`ThreadCursor::skip_to`] of `thread`.
    pub fn skip_to(&mut self, thread: i64, seq: i64) {
        self.threads.entry(thread).or_default().skip_to(seq);
    }

    pub fn get(&self, thread: i64) -> Option<&ThreadCursor> {
        self.threads.get(&thread)
    }

    /// The cursors to sync from, one per known thread.
    pub fn sync_cursors(&self) -> Vec<SyncCursor> {
        let mut cursors: Vec<SyncCursor> =
            self.threads.iter().map(|(&thread_id, cursor)| SyncCursor { thread_id, seq: cursor.through }).collect();
        cursors.sort_unstable_by_key(|c| c.thread_id);
        cursors
    }

    /// The threads holding a hole, lowest id first.
    pub fn gaps(&self) -> Vec<i64> {
        let mut gaps: Vec<i64> = self.threads.iter().filter(|(_, c)| c.has_gap()).map(|(&id, _)| id).collect();
        gaps.sort_unstable();
        gaps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stops_at_a_hole_and_passes_it_once_filled() {
        let mut cursor = ThreadCursor::default();
        assert_eq!(cursor.observe(1, Dialect::Imchat), Seen::Next);
        assert_eq!(cursor.observe(3, Dialect::Imchat), Seen::Ahead);
        assert_eq!(cursor.observe(4, Dialect::Imchat), Seen::Ahead);
        assert_eq!((cursor.through(), cursor.newest(), cursor.missing()), (1, 4, Some((1, 3))));
        assert_eq!(cursor.observe(3, Dialect::Imchat), Seen::Duplicate);
        assert_eq!(cursor.observe(2, Dialect::Imchat), Seen::Next);
        assert_eq!((cursor.through(), cursor.has_gap(), cursor.missing()), (4, false, None));
        assert_eq!(cursor.observe(2, Dialect::Imchat), Seen::Duplicate);
    }

    #[test]
    fn what_a_reader_may_not_have_is_skipped_once() {
        let mut cursor = ThreadCursor::default();
        assert_eq!(cursor.observe(5, Dialect::Imchat), Seen::Ahead);
        assert_eq!(cursor.observe(6, Dialect::Imchat), Seen::Ahead);
        cursor.skip_to(4);
        assert_eq!((cursor.through(), cursor.has_gap()), (6, false));
        cursor.skip_to(2);
        assert_eq!(cursor.through(), 6, "never backwards");
        assert_eq!(cursor.observe(9, Dialect::Imchat), Seen::Ahead);
        cursor.skip_to(7);
        assert_eq!((cursor.through(), cursor.missing()), (7, Some((7, 9))));
    }

    #[test]
    fn a_thread_started_at_its_tail_misses_nothing_older() {
        let mut cursors = Cursors::new(Dialect::Imchat);
        cursors.start(7, 40);
        assert_eq!(cursors.observe(7, 41), Seen::Next);
        assert_eq!(cursors.observe(7, 12), Seen::Duplicate);
        cursors.start(7, 0);
        assert_eq!(cursors.sync_cursors(), vec![SyncCursor { thread_id: 7, seq: 41 }]);
        assert!(cursors.gaps().is_empty());
    }

    #[test]
    fn llfc_seqs_are_ids_with_holes_and_never_count_as_gaps() {
        let mut cursors = Cursors::new(Dialect::Llfc);
        assert_eq!(cursors.observe(1, 5), Seen::Next);
        assert_eq!(cursors.observe(1, 9), Seen::Next);
        assert_eq!(cursors.observe(1, 7), Seen::Duplicate);
        assert_eq!(cursors.get(1).map(ThreadCursor::through), Some(9));
        assert!(cursors.gaps().is_empty());
    }
}
