#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use erldrv::term::{FromTerm, TermType, ToTerm};
use erldrv::{Cancel, Driver, Port, StartError, erl_driver};

/// A line of the stock: a name, and how many there are.
#[derive(Debug, Clone, ToTerm, FromTerm, TermType)]
struct Item {
    name: String,
    count: u32,
}

/// Why a `take` failed: `{short_of, Name, Missing}` or `unknown`.
#[derive(Debug, ToTerm, FromTerm, TermType)]
enum Refusal {
    ShortOf(String, u32),
    Unknown,
}

/// The state of one port: its own stock.
struct Stock {
    items: BTreeMap<String, u32>,
}

#[erl_driver(name = "stock_drv")]
impl Driver for Stock {
    fn start(_port: &Port, _command: &[u8]) -> Result<Self, StartError> {
        Ok(Stock {
            items: BTreeMap::new(),
        })
    }

    /// Adds `item.count` of `item.name`; returns how many there are now.
    #[command]
    fn put(&mut self, item: Item) -> u32 {
        let count = self.items.entry(item.name).or_insert(0);
        *count = count.saturating_add(item.count);
        *count
    }

    /// Takes `count` of `name` out of the stock, or says why not.
    #[command]
    fn take(&mut self, name: &str, count: u32) -> Result<u32, Refusal> {
        let have = self.items.get_mut(name).ok_or(Refusal::Unknown)?;
        if *have < count {
            return Err(Refusal::ShortOf(name.to_owned(), count - *have));
        }
        *have -= count;
        Ok(*have)
    }

    /// Every item, sorted by name.
    #[command]
    fn list(&self) -> Vec<Item> {
        self.items
            .iter()
            .map(|(name, &count)| Item {
                name: name.clone(),
                count,
            })
            .collect()
    }

    /// The total count of a list of items, computed on the worker pool.
    #[command(async)]
    fn total(cancel: &Cancel, items: Vec<Item>) -> Result<u64, String> {
        cancel.check().map_err(|c| c.to_string())?;
        Ok(items.iter().map(|i| u64::from(i.count)).sum())
    }
}
