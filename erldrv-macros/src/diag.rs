//! Diagnostics shared by the macros: collecting every error before reporting, suggesting
//! the word a typo was meant to be, and printing types for messages.

use proc_macro2::{Span, TokenStream};

/// Collects errors so that all of them are reported together.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, msg));
    }

    /// An error covering all of `tokens` (a span from their first to their last token).
    pub fn push_spanned(&mut self, tokens: impl quote::ToTokens, msg: impl std::fmt::Display) {
        self.0.push(syn::Error::new_spanned(tokens, msg));
    }

    pub fn push_error(&mut self, e: syn::Error) {
        self.0.push(e);
    }

    /// How many errors were collected.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_combined(self) -> Option<syn::Error> {
        self.0.into_iter().reduce(|mut a, b| {
            a.combine(b);
            a
        })
    }

    /// The errors collected so far followed by `last`, which ends the macro's work.
    pub fn combined_with(self, last: syn::Error) -> syn::Error {
        match self.into_combined() {
            Some(mut e) => {
                e.combine(last);
                e
            }
            None => last,
        }
    }
}

/// A macro's output for input with mistakes: the errors, and beside them the item (as
/// written, or with what was wrong taken out) so that rustc and IDEs do not bury the errors
/// under follow-up errors of their own.
pub struct Failed {
    pub error: syn::Error,
    pub fallback: TokenStream,
}

impl Failed {
    pub fn into_tokens(self) -> TokenStream {
        let error = self.error.to_compile_error();
        let fallback = self.fallback;
        quote::quote! { #error #fallback }
    }
}

/// The closest known word to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Token streams print as `Vec < u8 >`: drops the spaces a person would not write, for
/// types quoted in messages.
pub fn tidy_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let before = out.chars().next_back();
            let after = chars.peek().copied();
            // `Fn (u8)` but not `-> (u8, u16)` or `&mut (u8, u16)`.
            let call_parens = after == Some('(')
                && ["Fn", "FnMut", "FnOnce", "fn"]
                    .iter()
                    .any(|w| out.rsplit([' ', '<', '&', '(']).next() == Some(*w));
            if call_parens
                || matches!(before, Some('<' | '&' | ':' | '(' | '['))
                || matches!(after, Some('<' | '>' | ',' | ':' | ')' | ']' | ';'))
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidies_types_for_messages() {
        let tidy = |ty: syn::Type| tidy_tokens(&quote::quote!(#ty).to_string());
        assert_eq!(tidy(syn::parse_quote!(u64)), "u64");
        assert_eq!(tidy(syn::parse_quote!(Vec<u8>)), "Vec<u8>");
        assert_eq!(
            tidy(syn::parse_quote!(std::collections::HashMap<String, Vec<u8>>)),
            "std::collections::HashMap<String, Vec<u8>>"
        );
        assert_eq!(tidy(syn::parse_quote!(&'static str)), "&'static str");
        assert_eq!(tidy(syn::parse_quote!((u8, [u16; 4]))), "(u8, [u16; 4])");
        assert_eq!(
            tidy(syn::parse_quote!(Box<dyn Fn() -> u8 + Send>)),
            "Box<dyn Fn() -> u8 + Send>"
        );
        assert_eq!(
            tidy(syn::parse_quote!(Result<(), String>)),
            "Result<(), String>"
        );
        assert_eq!(
            tidy(syn::parse_quote!(fn(&mut (u8, u8)) -> (u8, u16))),
            "fn(&mut (u8, u8)) -> (u8, u16)"
        );
    }
}
