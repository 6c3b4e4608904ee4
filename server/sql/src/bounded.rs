//! A map that holds at most a fixed number of entries and, when full, starts
//! again empty: cheaper to keep than an LRU list, and a workload with more
//! distinct keys than it holds runs as it would without it. The parse cache
//! and each tenant store's rewrite and time caches use it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// A map of at most `capacity` entries, emptied when an insert finds it full.
#[derive(Debug)]
pub struct BoundedMap<K, V> {
    entries: HashMap<K, V>,
    capacity: usize,
}

impl<K: Eq + Hash, V> BoundedMap<K, V> {
    /// An empty map that will hold up to `capacity` entries.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// The value kept for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.get(key)
    }

    /// Keeps `value` for `key`, first emptying the map if it is full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.entries.len() >= self.capacity {
            self.entries.clear();
        }
        self.entries.insert(key, value);
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Whether nothing is kept.
    #[cfg(test)]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::BoundedMap;

    #[test]
    fn an_insert_into_a_full_map_starts_it_again() {
        let mut map = BoundedMap::new(2);
        map.insert(1, "one");
        map.insert(2, "two");
        assert_eq!((map.get(&1), map.get(&2)), (Some(&"one"), Some(&"two")));
        map.insert(3, "three");
        assert_eq!((map.get(&1), map.get(&2)), (None, None));
        assert_eq!(map.get(&3), Some(&"three"));
        map.clear();
        assert!(map.is_empty());
    }
}
