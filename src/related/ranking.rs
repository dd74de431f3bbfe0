//! The best-scoring articles of a few weighted posting lists, without scoring them all.
//!
//! This is MaxScore: once the best `count` are known to score at least t, an article found only
//! in lists whose weights add up to t or less cannot beat them. Those lists are set aside (the
//! longest that fit, so that the fewest postings remain), and only the union of the others is
//! walked, newest first. An article met there is scored by looking it up in the lists set
//! aside, heaviest first, and dropped as soon as those it is missing from bring its best
//! possible score down to t. A long list is looked up in its bitmap, one word read; a short
//! one by a forward seek, which stays within a few cache lines of the last. WAND skips
//! within every list instead, but when the best scores need several long lists at once (two
//! popular people and a popular topic), it leapfrogs through their intersection one seek at a
//! time, where MaxScore reads one short list straight through.

use fixedbitset::FixedBitSet;

/// Position of an article in the newest-first order: 0 is the newest.
pub type Rank = u32;

/// One posting list: ranks ascending, each worth `weight` to an article it holds.
#[derive(Debug)]
pub struct Postings<'a> {
    pub ranks: &'a [Rank],
    pub weight: u32,
    /// The same ranks as a bitmap, for a long list: seeking in a long list set aside, for an
    /// article each time, reads cache lines spread over megabytes at a million articles.
    pub members: Option<&'a FixedBitSet>,
}

/// The `count` best articles by score (the sum of the weights of the lists holding the
/// article), then rank, among those at `from` or later that `eligible` admits and that score
/// above zero; best first.
pub fn best(
    lists: &[Postings<'_>],
    from: Rank,
    count: usize,
    eligible: impl Fn(Rank) -> bool,
) -> Vec<Rank> {
    let mut cursors: Vec<Cursor<'_>> = lists
        .iter()
        .filter(|list| list.weight > 0)
        .map(|list| Cursor {
            ranks: list.ranks,
            at: list.ranks.partition_point(|&rank| rank < from),
            weight: list.weight,
            walked: true,
            members: list.members,
        })
        .collect();
    // Heaviest first, the order in which `exact_score` looks a candidate up.
    cursors.sort_unstable_by_key(|c| std::cmp::Reverse(c.weight));
    let total: u32 = cursors.iter().map(|c| c.weight).sum();
    // Best first: higher score, then lower rank (newer).
    let mut top: Vec<(u32, Rank)> = Vec::with_capacity(count + 1);
    let mut threshold = 0;
    let mut set_aside = 0;
    while count > 0 && total > threshold {
        let Some(candidate) = cursors
            .iter()
            .filter(|c| c.walked)
            .filter_map(Cursor::current)
            .min()
        else {
            break;
        };
        let mut bound = set_aside;
        for cursor in cursors.iter_mut().filter(|c| c.walked) {
            if cursor.current() == Some(candidate) {
                bound += cursor.weight;
                cursor.at += 1;
            }
        }
        if bound <= threshold || !eligible(candidate) {
            continue;
        }
        let Some(score) = exact_score(&mut cursors, candidate, bound, threshold) else {
            continue;
        };
        let at = top.partition_point(|&(s, _)| s >= score);
        top.insert(at, (score, candidate));
        top.truncate(count);
        if top.len() == count && top[count - 1].0 > threshold {
            threshold = top[count - 1].0;
            set_aside = set_aside_within(&mut cursors, threshold, candidate + 1);
        }
    }
    top.into_iter().map(|(_, rank)| rank).collect()
}

/// The score of `candidate`, whose `bound` counts the walked lists holding it and every list
/// set aside, or `None` once the lists set aside that lack it leave it no more than `threshold`.
fn exact_score(
    cursors: &mut [Cursor<'_>],
    candidate: Rank,
    mut bound: u32,
    threshold: u32,
) -> Option<u32> {
    for cursor in cursors.iter_mut().filter(|c| !c.walked) {
        if !cursor.holds(candidate) {
            bound -= cursor.weight;
            if bound <= threshold {
                return None;
            }
        }
    }
    Some(bound)
}

/// Chooses which lists to stop walking now that only scores above `threshold` count: greedily
/// the longest remainders per unit of weight, while their weights add up to `threshold` or
/// less. Lists walked again resume at `next`. Returns the weight set aside.
fn set_aside_within(cursors: &mut [Cursor<'_>], threshold: u32, next: Rank) -> u32 {
    let mut order: Vec<usize> = (0..cursors.len()).collect();
    // a.left / a.weight > b.left / b.weight, without division.
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (&cursors[a], &cursors[b]);
        (b.left() * u64::from(a.weight)).cmp(&(a.left() * u64::from(b.weight)))
    });
    let mut weight = 0;
    for i in order {
        let cursor = &mut cursors[i];
        let fits = weight + cursor.weight <= threshold;
        if fits {
            weight += cursor.weight;
        } else if !cursor.walked {
            cursor.seek(next);
        }
        cursor.walked = !fits;
    }
    weight
}

/// A position in one posting list.
#[derive(Debug)]
struct Cursor<'a> {
    ranks: &'a [Rank],
    at: usize,
    weight: u32,
    /// Whether candidates are drawn from this list; a list set aside keeps its old position.
    walked: bool,
    members: Option<&'a FixedBitSet>,
}

impl Cursor<'_> {
    fn current(&self) -> Option<Rank> {
        self.ranks.get(self.at).copied()
    }

    /// Whether the list holds `rank`, which is at its current position or after it; a list
    /// with a bitmap is not moved.
    fn holds(&mut self, rank: Rank) -> bool {
        match self.members {
            Some(members) => members.contains(rank as usize),
            None => {
                self.seek(rank);
                self.current() == Some(rank)
            }
        }
    }

    /// Postings not yet passed (as of the last move, for a list set aside).
    fn left(&self) -> u64 {
        (self.ranks.len() - self.at) as u64
    }

    /// Moves to the first rank at or after `target`, galloping: the target is usually near,
    /// and a binary search over the whole remainder of a long list would touch cold memory.
    fn seek(&mut self, target: Rank) {
        let rest = &self.ranks[self.at..];
        if rest.first().is_none_or(|&rank| rank >= target) {
            return;
        }
        // rest[step / 2] < target throughout.
        let mut step = 1;
        while step < rest.len() && rest[step] < target {
            step *= 2;
        }
        let (low, high) = (step / 2 + 1, (step + 1).min(rest.len()));
        self.at += low + rest[low..high].partition_point(|&rank| rank < target);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn seeking_finds_the_first_rank_at_or_after_the_target(
            mut ranks in prop::collection::vec(0..200u32, 0..100),
            start in 0..100usize,
            target in 0..220u32,
        ) {
            ranks.sort_unstable();
            ranks.dedup();
            let start = start.min(ranks.len());
            let mut cursor =
                Cursor { ranks: &ranks, at: start, weight: 1, walked: true, members: None };
            cursor.seek(target);
            let expected = start + ranks[start..].partition_point(|&rank| rank < target);
            prop_assert_eq!(cursor.at, expected);
        }

        /// Whichever lists have a bitmap, the ranking is the one found by seeking in all.
        #[test]
        fn bitmaps_change_no_ranking(
            lists in prop::collection::vec(
                (prop::collection::vec(0..300u32, 0..150), 0..6u32, any::<bool>()),
                1..8,
            ),
            from in 0..60u32,
            count in 1..8usize,
        ) {
            let lists: Vec<(Vec<Rank>, u32, Option<FixedBitSet>)> = lists
                .into_iter()
                .map(|(mut ranks, weight, mapped)| {
                    ranks.sort_unstable();
                    ranks.dedup();
                    let members = mapped.then(|| ranks.iter().map(|&rank| rank as usize).collect());
                    (ranks, weight, members)
                })
                .collect();
            let postings = |mapped: bool| -> Vec<Postings<'_>> {
                lists
                    .iter()
                    .map(|(ranks, weight, members)| Postings {
                        ranks,
                        weight: *weight,
                        members: members.as_ref().filter(|_| mapped),
                    })
                    .collect()
            };
            let eligible = |rank: Rank| !rank.is_multiple_of(3);
            prop_assert_eq!(
                best(&postings(true), from, count, eligible),
                best(&postings(false), from, count, eligible)
            );
        }
    }
}
