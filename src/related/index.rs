//! The related-articles index and its ranking.
//!
//! score(a, b) = Σ weight(f) over the people, topics and countries f that a and b share.
//! Articles are ranked by score, then newest first, then by id (descending, as in the feed).
//! Ranking never scores the whole archive: posting lists (one per person, topic and country,
//! newest first) are walked with WAND, which skips every stretch of a list where no article
//! can beat the current fifth-best score. The result is exact.

use std::collections::HashMap;

use crate::config::RelatedWeights;

/// What an article can share with another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    Person(i64),
    Topic(i64),
    Country(i64),
}

impl Feature {
    fn weight(self, weights: RelatedWeights) -> u32 {
        match self {
            Self::Person(_) => weights.person,
            Self::Topic(_) => weights.topic,
            Self::Country(_) => weights.country,
        }
    }
}

/// Rank of an article in the newest-first order of all published articles: 0 is the newest.
type Rank = u32;

#[derive(Debug, Default)]
pub struct RelatedIndex {
    /// The content version this index was built from.
    version: i64,
    /// By rank: the article's id and publication time.
    articles: Vec<(i64, i64)>,
    rank_of: HashMap<i64, Rank>,
    /// By rank: the ids of the article's features, ascending.
    features: Vec<Box<[u32]>>,
    /// By feature id: the feature, and the ranks of the articles that have it, ascending.
    postings: Vec<(Feature, Vec<Rank>)>,
    /// By rank: the editor's picks, as ranks, in order.
    picks: HashMap<Rank, Vec<Rank>>,
}

impl RelatedIndex {
    /// Builds the index from published articles `(id, published_at)`, their features and the
    /// editor's picks `(article, pick)` in order; links to unpublished articles are ignored.
    pub fn build(
        version: i64,
        mut articles: Vec<(i64, i64)>,
        features: impl IntoIterator<Item = (i64, Feature)>,
        picks: impl IntoIterator<Item = (i64, i64)>,
    ) -> Self {
        articles.sort_unstable_by_key(|&(id, published_at)| std::cmp::Reverse((published_at, id)));
        let rank_of: HashMap<i64, Rank> = (0..)
            .zip(&articles)
            .map(|(rank, &(id, _))| (id, rank))
            .collect();
        let mut feature_ids: HashMap<Feature, u32> = HashMap::new();
        let mut postings: Vec<(Feature, Vec<Rank>)> = Vec::new();
        let mut by_article: Vec<Vec<u32>> = vec![Vec::new(); articles.len()];
        for (article, feature) in features {
            let Some(&rank) = rank_of.get(&article) else {
                continue;
            };
            let id = *feature_ids.entry(feature).or_insert_with(|| {
                postings.push((feature, Vec::new()));
                postings.len() as u32 - 1
            });
            postings[id as usize].1.push(rank);
            by_article[rank as usize].push(id);
        }
        for (_, ranks) in &mut postings {
            ranks.sort_unstable();
            ranks.dedup();
        }
        let features = by_article
            .into_iter()
            .map(|mut ids| {
                ids.sort_unstable();
                ids.dedup();
                ids.into_boxed_slice()
            })
            .collect();
        let mut by_pick: HashMap<Rank, Vec<Rank>> = HashMap::new();
        for (article, pick) in picks {
            if let (Some(&article), Some(&pick)) = (rank_of.get(&article), rank_of.get(&pick)) {
                by_pick.entry(article).or_default().push(pick);
            }
        }
        Self {
            version,
            articles,
            rank_of,
            features,
            postings,
            picks: by_pick,
        }
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    /// The publication time of the newest article visible at `now`. It moves exactly when an
    /// embargo lapses (an embargoed article is newer than every visible one), so with the
    /// version it says whether any public read may have changed.
    pub fn newest_visible(&self, now: i64) -> Option<i64> {
        let first_visible = self
            .articles
            .partition_point(|&(_, published_at)| published_at > now);
        self.articles
            .get(first_visible)
            .map(|&(_, published_at)| published_at)
    }

    /// How many articles published from `since` to `now` (both inclusive) are visible. With the
    /// version it says whether a listing of a moving time window, such as the last 48 hours,
    /// may have changed: the count moves when an article enters or leaves the window.
    pub fn visible_since(&self, since: i64, now: i64) -> usize {
        let first_visible = self
            .articles
            .partition_point(|&(_, published_at)| published_at > now);
        let past_window = self
            .articles
            .partition_point(|&(_, published_at)| published_at >= since);
        past_window.saturating_sub(first_visible)
    }

    /// The articles among the newest `window` visible at `now`, published `since` or later,
    /// that `before` did not show at `then`, newest first: what has just entered the top of the
    /// feed, whether by a write, an import anywhere, or an embargo lapsing.
    pub fn newly_visible(
        &self,
        (before, then): (&Self, i64),
        (since, now): (i64, i64),
        window: usize,
    ) -> Vec<i64> {
        let first_visible = self
            .articles
            .partition_point(|&(_, published_at)| published_at > now);
        self.articles[first_visible..]
            .iter()
            .take(window)
            .take_while(|&&(_, published_at)| published_at >= since)
            .filter(|&&(id, _)| !before.is_visible(id, then))
            .map(|&(id, _)| id)
            .collect()
    }

    fn is_visible(&self, id: i64, at: i64) -> bool {
        self.rank_of
            .get(&id)
            .is_some_and(|&rank| self.articles[rank as usize].1 <= at)
    }

    /// Up to `count` article ids related to `article`: its picks published by `now`, in the
    /// editor's order, then the best-scored others (score above zero, never the article
    /// itself, never a pick twice).
    pub fn related(
        &self,
        article: i64,
        count: usize,
        weights: RelatedWeights,
        now: i64,
    ) -> Vec<i64> {
        let Some(&me) = self.rank_of.get(&article) else {
            return Vec::new();
        };
        let visible = |rank: Rank| self.articles[rank as usize].1 <= now;
        let picks: Vec<Rank> = self
            .picks
            .get(&me)
            .map(|picks| {
                picks
                    .iter()
                    .copied()
                    .filter(|&p| visible(p))
                    .take(count)
                    .collect()
            })
            .unwrap_or_default();
        let wanted = count - picks.len();
        let scored = self.best(me, wanted, weights, |rank| {
            rank != me && visible(rank) && !picks.contains(&rank)
        });
        picks
            .into_iter()
            .chain(scored)
            .map(|rank| self.articles[rank as usize].0)
            .collect()
    }

    /// The `count` best-scoring ranks that `eligible` admits, by score then rank.
    fn best(
        &self,
        me: Rank,
        count: usize,
        weights: RelatedWeights,
        eligible: impl Fn(Rank) -> bool,
    ) -> Vec<Rank> {
        let mut lists: Vec<Cursor<'_>> = self.features[me as usize]
            .iter()
            .map(|&id| {
                let (feature, ranks) = &self.postings[id as usize];
                Cursor {
                    ranks,
                    at: 0,
                    weight: feature.weight(weights),
                }
            })
            .filter(|cursor| cursor.weight > 0)
            .collect();
        // Best first: higher score, then lower rank (newer).
        let mut top: Vec<(u32, Rank)> = Vec::with_capacity(count + 1);
        if count == 0 {
            return Vec::new();
        }
        loop {
            lists.retain(|cursor| cursor.current().is_some());
            // A candidate must beat the worst kept score, or just score when places are free.
            let threshold = if top.len() < count {
                0
            } else {
                top[count - 1].0
            };
            if lists.iter().map(|c| c.weight).sum::<u32>() <= threshold {
                break;
            }
            lists.sort_unstable_by_key(|cursor| cursor.current());
            let mut reach = 0;
            let pivot = lists
                .iter()
                .position(|cursor| {
                    reach += cursor.weight;
                    reach > threshold
                })
                .unwrap_or(lists.len() - 1);
            let Some(candidate) = lists[pivot].current() else {
                break;
            };
            if lists[0].current() == Some(candidate) {
                let score = self.score(me, candidate, weights);
                if score > threshold && eligible(candidate) {
                    let at = top.partition_point(|&(s, _)| s >= score);
                    top.insert(at, (score, candidate));
                    top.truncate(count);
                }
                for cursor in &mut lists {
                    if cursor.current() == Some(candidate) {
                        cursor.at += 1;
                    }
                }
            } else {
                // Nothing before `candidate` in these lists can score above the threshold.
                for cursor in &mut lists[..pivot] {
                    cursor.seek(candidate);
                }
            }
        }
        top.into_iter().map(|(_, rank)| rank).collect()
    }

    /// The exact score of `other` against `me`: the weights of the features they share.
    fn score(&self, me: Rank, other: Rank, weights: RelatedWeights) -> u32 {
        let (mine, theirs) = (&self.features[me as usize], &self.features[other as usize]);
        let (mut i, mut j, mut score) = (0, 0, 0);
        while i < mine.len() && j < theirs.len() {
            match mine[i].cmp(&theirs[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    score += self.postings[mine[i] as usize].0.weight(weights);
                    i += 1;
                    j += 1;
                }
            }
        }
        score
    }
}

/// A position in one posting list.
#[derive(Debug)]
struct Cursor<'a> {
    ranks: &'a [Rank],
    at: usize,
    weight: u32,
}

impl Cursor<'_> {
    fn current(&self) -> Option<Rank> {
        self.ranks.get(self.at).copied()
    }

    /// Moves to the first rank at or after `target`.
    fn seek(&mut self, target: Rank) {
        self.at += self.ranks[self.at..].partition_point(|&rank| rank < target);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const WEIGHTS: RelatedWeights = RelatedWeights {
        person: 3,
        topic: 2,
        country: 1,
    };

    /// The definition, applied to every article: what the index must agree with.
    fn brute_force(
        articles: &[(i64, i64)],
        features: &[(i64, Feature)],
        article: i64,
        count: usize,
        now: i64,
    ) -> Vec<i64> {
        let of = |id: i64| -> Vec<Feature> {
            features
                .iter()
                .filter(|(a, _)| *a == id)
                .map(|(_, f)| *f)
                .collect()
        };
        let mine = of(article);
        let mut scored: Vec<(u32, i64, i64)> = articles
            .iter()
            .filter(|&&(id, published)| id != article && published <= now)
            .map(|&(id, published)| {
                let theirs = of(id);
                let score = mine
                    .iter()
                    .filter(|f| theirs.contains(f))
                    .map(|f| f.weight(WEIGHTS))
                    .sum();
                (score, published, id)
            })
            .filter(|&(score, _, _)| score > 0)
            .collect();
        scored.sort_by(|a, b| b.cmp(a));
        scored
            .into_iter()
            .take(count)
            .map(|(_, _, id)| id)
            .collect()
    }

    fn feature() -> impl Strategy<Value = Feature> {
        prop_oneof![
            (0..4i64).prop_map(Feature::Person),
            (0..3i64).prop_map(Feature::Topic),
            (0..2i64).prop_map(Feature::Country),
        ]
    }

    proptest! {
        #[test]
        fn ranking_matches_the_definition(
            times in prop::collection::vec(0..6i64, 1..60),
            links in prop::collection::vec((0..60usize, feature()), 0..200),
            count in 0..8usize,
            now in 0..7i64,
        ) {
            let articles: Vec<(i64, i64)> = (1..).zip(times).collect();
            let features: Vec<(i64, Feature)> = links
                .into_iter()
                .filter(|(a, _)| *a < articles.len())
                .map(|(a, f)| (articles[a].0, f))
                .collect::<std::collections::HashSet<_>>()
                .into_iter()
                .collect();
            let index = RelatedIndex::build(1, articles.clone(), features.clone(), []);
            for &(article, _) in &articles {
                prop_assert_eq!(
                    index.related(article, count, WEIGHTS, now),
                    brute_force(&articles, &features, article, count, now),
                    "article {}", article
                );
            }
        }
    }

    #[test]
    fn picks_come_first_and_only_once() {
        let articles = vec![(1, 10), (2, 20), (3, 30), (4, 40), (5, 50)];
        let features = [
            (1, Feature::Topic(7)),
            (2, Feature::Topic(7)),
            (3, Feature::Topic(7)),
            (4, Feature::Person(1)),
        ];
        let index = RelatedIndex::build(1, articles, features, [(1, 4), (1, 2), (1, 9)]);
        assert_eq!(index.related(1, 5, WEIGHTS, 100), [4, 2, 3]);
        assert_eq!(index.related(1, 1, WEIGHTS, 100), [4]);
        assert_eq!(
            index.related(1, 5, WEIGHTS, 35),
            [2, 3],
            "embargoed picks wait"
        );
        assert!(index.related(99, 5, WEIGHTS, 100).is_empty());
    }

    #[test]
    fn a_window_counts_what_is_visible_in_it() {
        let articles = vec![(1, 10), (2, 20), (3, 20), (4, 30), (5, 50)];
        let index = RelatedIndex::build(1, articles, [], []);
        assert_eq!(index.visible_since(20, 40), 3, "both ends are inclusive");
        assert_eq!(index.visible_since(21, 40), 1);
        assert_eq!(index.visible_since(0, 100), 5);
        assert_eq!(index.visible_since(60, 100), 0);
        assert_eq!(index.visible_since(40, 30), 0, "an empty window");
    }

    #[test]
    fn what_enters_the_top_of_the_feed_is_newly_visible() {
        let before = RelatedIndex::build(1, vec![(1, 10), (2, 20), (3, 50)], [], []);
        let after = RelatedIndex::build(
            2,
            vec![(1, 10), (2, 20), (3, 50), (4, 30), (5, 5), (6, 90)],
            [],
            [],
        );
        // At 60, article 3's embargo (50) has lapsed and 4 was written; 5 is too old to enter
        // the newest three, or to count as published since 6, and 6 is still embargoed.
        assert_eq!(after.newly_visible((&before, 40), (0, 60), 3), [3, 4]);
        assert_eq!(after.newly_visible((&before, 40), (0, 60), 10), [3, 4, 5]);
        assert_eq!(after.newly_visible((&before, 40), (6, 60), 10), [3, 4]);
        assert!(after.newly_visible((&after, 60), (0, 60), 10).is_empty());
        assert_eq!(after.newly_visible((&after, 60), (0, 90), 10), [6]);
    }
}
