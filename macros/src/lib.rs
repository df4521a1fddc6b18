//! `#[ringio::main]` and `#[ringio::test]` (placeholder).
use proc_macro::TokenStream;

/// Runs `async fn main` on a ringio runtime.
#[proc_macro_attribute]
pub fn main(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Runs an `async fn` test on its own ringio runtime.
#[proc_macro_attribute]
pub fn test(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
